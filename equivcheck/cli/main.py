"""The ``equivcheck`` command line (typer). I/O lives here; the stages stay pure."""

from __future__ import annotations

import sys

import typer

from equivcheck.errors import InputError

app = typer.Typer(
    name="equivcheck",
    help="Is a 'no functional change' C patch really one? Proof or counterexample.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INPUT_ERROR = 3


def main() -> None:
    """Entry point: runs the app; bad input is one line on stderr and exit status 3."""
    try:
        app(standalone_mode=False)
    except InputError as err:
        print(f"equivcheck: {err.one_line()}", file=sys.stderr)
        sys.exit(EXIT_INPUT_ERROR)
