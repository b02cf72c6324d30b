"""Turning a check run into output: the formats, the output file, the progress display
on stderr, the command that reproduces the run, and a saved report's function results."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from equivcheck.cli.output import write_atomically
from equivcheck.frontend.workset import PatchWork
from equivcheck.report.formats import RENDERERS, RenderContext, render_report
from equivcheck.report.terminal import literal

FORMATS = tuple(RENDERERS)


def reproduce_command(
    patch: Path | None,
    tree: Path | None,
    rev: str | None,
    before: Path | None,
    after: Path | None,
    function: str | None,
    include: tuple[Path, ...] = (),
) -> str:
    """The one command line that runs the same check again."""
    words = ["equivcheck", "check"]
    if patch is not None:
        words.append(str(patch))
    for option, value in (
        ("--tree", tree),
        ("--rev", rev),
        ("--before", before),
        ("--after", after),
        ("--function", function),
    ):
        if value is not None:
            words += [option, str(value)]
    for folder in include:
        words += ["-I", str(folder)]
    return " ".join(shlex.quote(w) for w in words)


def format_report(
    doc: Mapping[str, Any],
    fmt: str,
    works: list[PatchWork] | None = None,
    *,
    quiet: bool = False,
    console: Console | None = None,
) -> str | None:
    """The report in ``fmt`` as text (report/formats.py); for ``table`` printed to
    ``console`` instead when one is given (None is returned then)."""
    return render_report(doc, fmt, RenderContext(works, quiet, console))


def emit(text: str | None, output: Path | None) -> None:
    """Write a report to ``output`` (all or nothing) or to stdout."""
    if text is None:
        return
    if output is not None:
        write_atomically(output, text)
    else:
        sys.stdout.write(text)


@contextmanager
def progress_display(total: int, enabled: bool) -> Iterator[Callable[[int, str], None] | None]:
    """A transient progress line on stderr while functions are compared (only when
    ``enabled``: stderr is a terminal and the user did not ask for quiet)."""
    if not enabled or total < 1:
        yield None
        return
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("checking", total=total)
        started = False

        def tell(patch: int, function: str) -> None:
            nonlocal started
            if started:
                bar.advance(task)
            started = True
            bar.update(task, description=f"patch {patch}: {literal(function)}")

        yield tell
