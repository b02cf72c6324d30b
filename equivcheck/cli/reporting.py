"""Turning a check run into output: the formats, the output file, the progress display
on stderr, the command that reproduces the run, and a saved report's function results."""

from __future__ import annotations

import dataclasses
import io
import json
import shlex
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from equivcheck.cli.output import write_atomically
from equivcheck.equiv.check import FunctionResult
from equivcheck.errors import InputError
from equivcheck.frontend.workset import PatchWork
from equivcheck.report.terminal import literal, render

FORMATS = ("table", "json", "markdown", "sarif", "email")


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
    results: list[FunctionResult] | None = None,
    works: list[PatchWork] | None = None,
    *,
    quiet: bool = False,
    console: Console | None = None,
) -> str | None:
    """The report in ``fmt`` as text; for ``table`` printed to ``console`` instead
    when one is given (None is returned then)."""
    if fmt == "json":
        return json.dumps(doc) + "\n"
    if fmt == "markdown":
        from equivcheck.report.markdown import render_markdown

        return render_markdown(doc)
    if fmt == "sarif":
        from equivcheck.report.sarif import render_sarif

        return json.dumps(render_sarif(doc), indent=2) + "\n"
    if fmt == "email":
        from equivcheck.report.email import render_email

        return render_email(doc)
    rows = results if results is not None else results_of(doc)
    # A saved report: its changes outside every function, since there are no works.
    outside = doc.get("unattributed", []) if works is None else []
    verdict = str(doc["verdict"])
    if console is not None:
        render(console, rows, works or [], quiet=quiet, verdict=verdict, outside=outside)
        return None
    buffer = io.StringIO()
    plain = Console(file=buffer, width=120, no_color=True, highlight=False, soft_wrap=True)
    render(plain, rows, works or [], quiet=quiet, verdict=verdict, outside=outside)
    return buffer.getvalue()


def emit(text: str | None, output: Path | None) -> None:
    """Write a report to ``output`` (all or nothing) or to stdout."""
    if text is None:
        return
    if output is not None:
        write_atomically(output, text)
    else:
        sys.stdout.write(text)


def results_of(doc: Mapping[str, Any]) -> list[FunctionResult]:
    """The function results of a report checked against the schema (fields this
    version does not know are ignored, missing ones take their defaults: an empty
    text, patch 0)."""
    fields = dataclasses.fields(FunctionResult)
    names = {f.name for f in fields}
    blank: dict[str, object] = {
        f.name: 0 if f.name == "patch_index" else ""
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    rows = []
    for item in doc["functions"]:
        if not isinstance(item, dict):
            raise InputError("report", "has a function entry that is not an object", "run again")
        given = {k: v for k, v in item.items() if k in names}
        rows.append(FunctionResult(**{**blank, **given}))
    return rows


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
