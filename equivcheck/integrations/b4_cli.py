"""``equivcheck b4-check``: b4's per-patch check command (see ``docs/b4.md``).

Reads one patch on stdin in the current directory (b4 runs it at the top of the
user's tree) and prints nothing when every function is EQUIVALENT, otherwise one
``ERROR:``/``WARNING:`` line per finding. Nothing goes to stderr except bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from equivcheck.cli.options import engine_options
from equivcheck.equiv.check import Options
from equivcheck.errors import InputError
from equivcheck.frontend.patch.input import printable, read_stream
from equivcheck.integrations.b4 import STDIN, run_check


@click.command("b4-check")
@click.option(
    "-v", "--verbose", is_flag=True, help="Say on stdout which case was used (not for b4)."
)
@engine_options
def b4_check(verbose: bool, options: Options) -> int:
    """b4's per-patch check: one patch on stdin, run inside the kernel tree. Silent
    with exit 0 when every function is EQUIVALENT; otherwise one line per finding,
    ERROR: for DIFFERENT, WARNING: for UNKNOWN (exit 1 some DIFFERENT, 2 otherwise,
    3 bad input). Configure it as b4.am-perpatch-check-cmd and
    b4.prep-perpatch-check-cmd."""
    stdin = sys.stdin.buffer
    if stdin.isatty():
        raise InputError(STDIN, "no patch on stdin", "pipe one in: equivcheck b4-check < PATCH")
    outcome = run_check(read_stream(stdin, STDIN), Path.cwd(), options)
    out = sys.stdout
    if verbose:
        for note in outcome.notes:
            out.write(f"b4-check: {' '.join(printable(note).split())}\n")
    for line in outcome.lines:
        out.write(line + "\n")
    out.flush()
    return outcome.status
