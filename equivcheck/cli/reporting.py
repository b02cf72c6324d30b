"""Turning a check run into output: the formats, the output file, the progress display
on stderr, the command that reproduces the run, and a saved report's function results."""

from __future__ import annotations

import shlex
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from equivcheck.cli.output import write_atomically
from equivcheck.frontend.workset import PatchJob, PatchWork
from equivcheck.report.formats import RENDERERS, RenderContext, render_report
from equivcheck.report.terminal import literal
from equivcheck.scale.jobs import JobOutcome
from equivcheck.verdict import Verdict

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


@dataclass
class RunProgress:
    """What the progress display is told: each function as this process starts it
    (:meth:`function`; a run of one patch) and each patch as it is done (:meth:`done`),
    which shows its last function and verdict. Without a display both do nothing."""

    bar: Progress | None = None
    task: TaskID | None = None
    functions: int = 0
    patches: int = 0
    counted: Counter[str] = field(default_factory=Counter)
    slowest: tuple[float, str] = (0.0, "")
    current: str = ""

    def function(self, patch: int, name: str) -> None:
        """Patch ``patch`` starts on function ``name`` (in this process)."""
        self.current = f"patch {patch}: {name}"
        self._show()

    def done(self, outcome: JobOutcome) -> None:
        """A patch's outcome is in."""
        self.patches += 1
        for result in outcome.results:
            self.counted[result.verdict] += 1
            if result.time_s > self.slowest[0]:
                self.slowest = (result.time_s, result.function)
        if outcome.results:
            last = outcome.results[-1]
            self.current = f"patch {outcome.index}: {last.function} {last.verdict.upper()}"
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=self.patches)
        self._show()

    def _show(self) -> None:
        if self.bar is None or self.task is None:
            return
        counts = " ".join(f"{v.upper()} {self.counted[v]}" for v in VERDICTS if self.counted[v])
        parts = [f"functions {sum(self.counted.values())}/{self.functions}"]
        if counts:
            parts.append(counts)
        if self.slowest[1]:
            parts.append(f"slowest {self.slowest[1]} {self.slowest[0]:.1f} s")
        if self.current:
            parts.append(self.current)
        self.bar.update(self.task, description=literal(" · ".join(parts)))


VERDICTS = tuple(v.value for v in Verdict)


@contextmanager
def run_progress(jobs: Sequence[PatchJob], enabled: bool) -> Iterator[RunProgress]:
    """A transient progress display on stderr while patches are checked (only when
    ``enabled``: stderr is a terminal and the user did not ask for quiet): patches and
    functions done, verdicts so far, the slowest function."""
    if not enabled or not jobs:
        yield RunProgress()
        return
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        BarColumn(bar_width=20),
        TextColumn("patches {task.completed}/{task.total}"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=len(jobs))
        shown = RunProgress(bar, task, functions=sum(len(job.changes) for job in jobs))
        yield shown
