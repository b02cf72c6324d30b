"""The check report for a terminal (rich): a summary table, then each function's
details: label map, inlined helpers, accepted reorderings, assumptions, and the
counterexample or the reason it is unknown."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from equivcheck.equiv.check import FunctionResult
from equivcheck.frontend.workset import PatchWork
from equivcheck.report.document import overall

COLOURS = {"equivalent": "green", "different": "red", "unknown": "yellow"}


def render(console: Console, results: list[FunctionResult], works: list[PatchWork]) -> None:
    """Print the report."""
    table = Table(title="equivcheck", title_justify="left")
    several = len(works) > 1
    if several:
        table.add_column("#", justify="right")
    for column in ("file", "function", "change", "verdict", "time"):
        table.add_column(column)
    for r in results:
        cells = [
            escape(r.file),
            escape(r.function),
            r.status,
            f"[{COLOURS[r.verdict]}]{r.verdict.upper()}[/]",
            f"{r.time_s:.2f} s",
        ]
        if several:
            cells.insert(0, str(r.patch_index))
        table.add_row(*cells)
    for index, work in enumerate(works, start=1):
        console.print(escape(f"{index}. {work.title}" if several else work.title))
    console.print(table)
    for r in results:
        console.print(_details(r))
    for index, work in enumerate(works, start=1):
        for u in work.unattributed:
            console.print(
                f"[yellow]change outside any function[/] at {escape(u.file)}:{u.line} "
                f"({u.side}): {escape(u.text)}" + (f" (patch {index})" if several else "")
            )
    verdict = overall(results, works)
    console.print(f"verdict: [{COLOURS[verdict]}]{verdict.upper()}[/]")


def _details(r: FunctionResult) -> Panel:
    lines: list[Text | Table] = [Text(r.reason)]
    if r.label_map:
        pairs = ", ".join(f"{a} -> {b}" for a, b in r.label_map.items())
        lines.append(Text(f"label map: {pairs}"))
    if r.inlined:
        lines.append(Text(f"inlined: {', '.join(r.inlined)}"))
    for swap in r.reorderings:
        lines.append(
            Text(
                f"reordered: {swap['first']} ({swap['first_location']}) and "
                f"{swap['second']} ({swap['second_location']}): {swap['why']}"
            )
        )
    if r.before_location or r.after_location:
        lines.append(
            Text(f"where: before {r.before_location or '?'}, after {r.after_location or '?'}")
        )
    if r.counterexample:
        lines.append(_counterexample(r))
    for assumption in r.assumptions:
        lines.append(Text(f"assumes {assumption}", style="dim"))
    title = f"{escape(r.function)} ({r.file}): [{COLOURS[r.verdict]}]{r.verdict.upper()}[/]"
    return Panel(Group(*lines), title=title, title_align="left")


def _counterexample(r: FunctionResult) -> Table:
    table = Table(title="counterexample", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value")
    inputs = r.counterexample.get("inputs", {})
    calls = r.counterexample.get("call_results", {})
    for group in (inputs, calls):
        if isinstance(group, dict):
            for key, value in group.items():
                table.add_row(escape(str(key)), str(value))
    for side in ("before", "after"):
        if side in r.counterexample:
            table.add_row(f"{side} version", escape(str(r.counterexample[side])))
    return table
