"""The ``equivcheck`` command line (click). I/O lives here; the stages stay pure."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from equivcheck import __version__
from equivcheck.cli.reporting import (
    FORMATS,
    emit,
    format_report,
    load_report,
    progress_display,
    reproduce_command,
)
from equivcheck.equiv.check import Options, check_patches
from equivcheck.errors import InputError
from equivcheck.frontend.prepare import prepare_tree
from equivcheck.frontend.tree import KernelTree, open_tree
from equivcheck.frontend.workset import (
    PatchWork,
    from_files,
    from_patch_file,
    from_rev,
)
from equivcheck.report.document import EXIT_STATUS, document

EXIT_INPUT_ERROR = 3

PathArg = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="equivcheck")
def app() -> None:
    """Is a 'no functional change' C patch really one? Proof or counterexample."""


@dataclass(frozen=True)
class Inputs:
    """What a comparing command was asked to compare (exactly one form is given)."""

    patch: Path | None
    tree: Path | None
    rev: str | None
    before: Path | None
    after: Path | None
    function: str | None


def _input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The PATCH argument and the options every comparing command takes (a tree, a
    git range, two files), handed to the command as one ``inputs`` value."""

    @functools.wraps(func)
    def command(**kwargs: Any) -> Any:
        names = ("patch", "tree", "rev", "before", "after", "function")
        inputs = Inputs(**{name: kwargs.pop(name) for name in names})
        return func(inputs=inputs, **kwargs)

    options = [
        click.argument("patch", type=PathArg, required=False),
        click.option("--tree", type=PathArg, help="Kernel tree (git checkout or extracted)."),
        click.option("--rev", help="Git revision or range A..B in --tree."),
        click.option("--before", type=PathArg, help="Before version of a C file."),
        click.option("--after", type=PathArg, help="After version of a C file."),
        click.option("--function", help="Only this function (two-file mode)."),
    ]
    decorated: Callable[..., Any] = command
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def main() -> None:
    """Entry point: runs the app; bad input is one line on stderr and exit status 3."""
    try:
        status = app.main(standalone_mode=False)
    except InputError as err:
        _fail(err.one_line())
    except click.exceptions.Abort:
        _fail("interrupted", status=130)
    except click.ClickException as err:
        _fail(f"{err.format_message().rstrip('.')}; see equivcheck --help")
    except RecursionError:
        _fail("input nests too deeply for the parser; report the function")
    sys.exit(status if isinstance(status, int) else 0)


def _fail(message: str, status: int = EXIT_INPUT_ERROR) -> None:
    print(f"equivcheck: {message}", file=sys.stderr)
    sys.exit(status)


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


# ---------------------------------------------------------------------- input forms


def _open_tree(tree: Path | None) -> KernelTree | None:
    return open_tree(tree) if tree is not None else None


def _gather(inputs: Inputs, with_texts: bool = True) -> list[PatchWork]:
    """The work for whichever input form the options name (exactly one)."""
    patch, tree, rev = inputs.patch, inputs.tree, inputs.rev
    before, after, function = inputs.before, inputs.after, inputs.function
    forms = [patch is not None, rev is not None, before is not None or after is not None]
    if sum(forms) != 1:
        raise InputError(
            "arguments",
            "give exactly one of: PATCH, --rev RANGE (with --tree), --before F --after G",
        )
    kernel = _open_tree(tree)
    if before is not None or after is not None:
        if before is None or after is None:
            raise InputError("arguments", "--before and --after go together")
        return from_files(before, after, function, kernel)
    if rev is not None:
        if kernel is None:
            raise InputError("--rev", "needs --tree DIR (a git checkout)")
        return from_rev(kernel, rev, with_texts=with_texts)
    assert patch is not None
    return from_patch_file(patch, kernel, with_texts=with_texts)


# ---------------------------------------------------------------------- functions


@app.command()
@_input_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", type=PathArg, help="Write the report here (all or nothing).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display; table: summary only.")
@click.option("--timeout", default=10.0, show_default=True, help="Solver seconds per query.")
@click.option("--max-paths", default=400, show_default=True, help="Paths per version.")
@click.option(
    "--unroll",
    default=2,
    show_default=True,
    help="Loop iterations explored before the inductive rule is tried.",
)
@click.option("--budget", default=60.0, show_default=True, help="Seconds per function.")
def check(
    inputs: Inputs,
    fmt: str,
    output: Path | None,
    quiet: bool,
    timeout: float,
    max_paths: int,
    unroll: int,
    budget: float,
) -> int:
    """Decide, for every function the input touches, whether the change keeps its
    behaviour: EQUIVALENT (proved, with assumptions), DIFFERENT (with a counterexample)
    or UNKNOWN (with the reason). Exit 0 all equivalent, 1 some different, 2 otherwise
    unknown, 3 bad input."""
    works = _gather(inputs)
    options = Options(timeout_s=timeout, max_paths=max_paths, unroll=unroll, budget_s=budget)
    total = sum(
        1 for w in works for fw in w.functions if fw.change.status in {"changed", "affected"}
    )
    with progress_display(total, sys.stderr.isatty() and not quiet) as tell:
        results = check_patches(works, options, tell)
    doc = document(results, works)
    doc["command"] = reproduce_command(
        inputs.patch, inputs.tree, inputs.rev, inputs.before, inputs.after, inputs.function
    )
    console = Console(highlight=False) if fmt == "table" and output is None else None
    emit(format_report(doc, fmt, results, works, quiet=quiet, console=console), output)
    return EXIT_STATUS[doc["verdict"]]


# ---------------------------------------------------------------------- render


@app.command("render")
@click.argument("report", type=PathArg)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", type=PathArg, help="Write the report here (all or nothing).")
@click.option("--quiet", "-q", is_flag=True, help="table: summary only.")
def render_command(report: Path, fmt: str, output: Path | None, quiet: bool) -> int:
    """Show a report saved with --format json in another format. Exit status as the
    check that made it."""
    doc = load_report(report)
    console = Console(highlight=False) if fmt == "table" and output is None else None
    emit(format_report(doc, fmt, quiet=quiet, console=console), output)
    verdict = doc["verdict"]
    return EXIT_STATUS.get(verdict, 2)


# ---------------------------------------------------------------------- prepare-tree


@app.command("prepare-tree")
@click.argument("tree", type=PathArg)
@click.option("--jobs", "-j", default=2, show_default=True, help="Parallel make jobs.")
def prepare_tree_command(tree: Path, jobs: int) -> None:
    """Configure a tree (x86_64_defconfig or olddefconfig) and run make prepare."""
    result = prepare_tree(tree, jobs=jobs)
    _console().print(str(result))
