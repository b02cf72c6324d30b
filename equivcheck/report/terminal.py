"""The check report for a terminal (rich): a summary table, then each function's
details: label map, inlined helpers, accepted reorderings, assumptions; for DIFFERENT
the counterexample and both versions' source side by side along the path it takes,
the first diverging line highlighted; for UNKNOWN the reason and what would resolve
it. Colour follows rich's terminal detection (none when piped, none with NO_COLOR).

Every text the input supplies (paths, titles, names, reasons, values, source lines)
goes through :func:`plain` (control characters out, so no escape sequence reaches the
terminal) and, where rich reads markup, :func:`literal` (printed literally)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from equivcheck.equiv.check import FunctionResult
from equivcheck.frontend.patch.input import printable
from equivcheck.frontend.workset import PatchWork
from equivcheck.report.document import overall
from equivcheck.report.hints import resolution
from equivcheck.report.opinions import conflict as binary_conflict
from equivcheck.report.source_view import SourceLine, excerpt, known_lines, line_of
from equivcheck.verdict import Verdict


def render(
    console: Console,
    results: list[FunctionResult],
    works: list[PatchWork],
    *,
    quiet: bool = False,
    verdict: str | None = None,
    outside: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Print the report (``quiet``: only the summary table and the verdict;
    ``verdict``: the overall verdict and ``outside``: the changes outside every
    function, from a saved report, when ``works`` are not at hand)."""
    several = len(works) > 1
    if not quiet:
        for index, work in enumerate(works, start=1):
            console.print(literal(f"{index}. {work.title}" if several else work.title))
    console.print(summary_table(results, several))
    if not quiet:
        for r in results:
            shown = works[r.patch_index - 1] if 0 < r.patch_index <= len(works) else None
            console.print(_details(r, shown))
        for index, work in enumerate(works, start=1):
            for u in work.unattributed:
                console.print(_outside(u.file, u.line, u.side, u.text, index if several else 0))
        patches = {r.patch_index for r in results} | {i.get("patch_index") for i in outside}
        for item in outside:
            console.print(
                _outside(
                    item.get("file", "?"),
                    item.get("line", 0),
                    item.get("side", "?"),
                    item.get("text", ""),
                    item.get("patch_index", 0) if len(patches) > 1 else 0,
                )
            )
    final = verdict if verdict is not None else overall(results, works)
    console.print(f"verdict: [{_colour(final)}]{literal(final.upper())}[/]")


def _outside(file: object, line: object, side: object, text: object, patch: object) -> str:
    where = f"{literal(file)}:{literal(line)} ({literal(side)})"
    tail = f" (patch {literal(patch)})" if patch else ""
    return f"[yellow]change outside any function[/] at {where}: {literal(text)}{tail}"


def plain(value: object) -> str:
    """Text from the input without control characters (for rich ``Text``)."""
    return printable(str(value))


def literal(value: object) -> str:
    """Text from the input for a string rich reads as markup: printed as it is."""
    return escape(plain(value))


def summary_table(results: list[FunctionResult], several: bool) -> Table:
    """One row per function: file, function, change, verdict in colour, time."""
    table = Table(title="equivcheck", title_justify="left")
    if several:
        table.add_column("#", justify="right")
    binary = any(r.binary for r in results)
    for column in ("file", "function", "change", "verdict", "time"):
        table.add_column(column)
    if binary:
        table.add_column("compiled code")
    for r in results:
        cells = [
            literal(r.file),
            literal(r.function),
            literal(r.status),
            f"[{_colour(r.verdict)}]{r.verdict.upper()}[/]",
            f"{r.time_s:.2f} s",
        ]
        if several:
            cells.insert(0, str(r.patch_index))
        if binary:
            cells.append(_binary_cell(r))
        table.add_row(*cells)
    return table


def _colour(verdict: str) -> str:
    """A verdict's colour (yellow for a text that names none)."""
    known = Verdict.parse(verdict)
    return known.colour if known is not None else Verdict.UNKNOWN.colour


OPINION_COLOURS = {"agree": "green", "disagree": "red", "inconclusive": "yellow"}


def conflict(r: FunctionResult) -> str:
    """Why the source verdict and the compiled code's opinion contradict each other
    ("" when they do not): exactly the case a maintainer must look at."""
    return binary_conflict(r.verdict, r.binary, r.reorderings)


def _binary_cell(r: FunctionResult) -> str:
    if not r.binary:
        return ""
    opinion = literal(r.binary.get("opinion", ""))
    text = f"[{OPINION_COLOURS.get(opinion, 'yellow')}]{opinion}[/]"
    return f"[bold reverse red]{opinion} (!)[/]" if conflict(r) else text


def _details(r: FunctionResult, work: PatchWork | None) -> Panel:
    lines: list[RenderableType] = [Text(plain(r.reason))]
    if r.verdict == "unknown":
        lines.append(Text(plain(f"to resolve: {resolution(r.reason, r.mode)}"), style="bold"))
    if r.binary:
        lines.extend(_binary_lines(r))
    if r.label_map:
        pairs = ", ".join(f"{a} -> {b}" for a, b in r.label_map.items())
        lines.append(Text(plain(f"label map: {pairs}")))
    if r.inlined:
        lines.append(Text(plain(f"inlined: {', '.join(r.inlined)}")))
    for swap in r.reorderings:
        lines.append(
            Text(
                plain(
                    f"reordered: {swap.get('first')} ({swap.get('first_location')}) and "
                    f"{swap.get('second')} ({swap.get('second_location')}): {swap.get('why')}"
                )
            )
        )
    if r.before_location or r.after_location:
        where = f"where: before {r.before_location or '?'}, after {r.after_location or '?'}"
        lines.append(Text(plain(where)))
    if r.counterexample:
        lines.append(_counterexample(r))
    if r.verdict == "different" and work is not None:
        source = _side_by_side(r, work)
        if source is not None:
            lines.append(source)
    for assumption in r.assumptions:
        lines.append(Text(plain(f"assumes {assumption}"), style="dim"))
    verdict = f"[{_colour(r.verdict)}]{r.verdict.upper()}[/]"
    title = f"{literal(r.function)} ({literal(r.file)}): {verdict}"
    return Panel(Group(*lines), title=title, title_align="left")


def _binary_lines(r: FunctionResult) -> list[RenderableType]:
    assert r.binary is not None
    opinion = str(r.binary.get("opinion", ""))
    out: list[RenderableType] = []
    problem = conflict(r)
    if problem:
        out.append(Text(plain(f"CONFLICT: {problem}"), style="bold reverse red"))
    seconds = r.binary.get("time_s", 0)
    out.append(
        Text(
            plain(f"compiled code (angr, {seconds} s): {opinion}: {r.binary.get('reason', '')}"),
            style=OPINION_COLOURS.get(opinion, "yellow"),
        )
    )
    for side in ("before", "after"):
        trace = r.binary.get(f"{side}_trace")
        if isinstance(trace, list) and trace:
            # The last events: a trace ends where the versions part.
            cut = "... ; " if len(trace) > 8 else ""
            out.append(Text(plain(f"  {side}: {cut}" + " ; ".join(str(t) for t in trace[-8:]))))
    return out


def _counterexample(r: FunctionResult) -> Table:
    table = Table(title="counterexample", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value")
    sections = (("inputs", "inputs and flags"), ("call_results", "results of calls"))
    for key, heading in sections:
        group = r.counterexample.get(key, {})
        if isinstance(group, dict) and group:
            table.add_row(Text(heading, style="bold"), "")
            for name, value in group.items():
                table.add_row(Text(plain(f"  {name}")), Text(plain(value)))
    for side in ("before", "after"):
        if side in r.counterexample:
            outcome = Text(plain(r.counterexample[side]))
            table.add_row(Text(f"{side} version", style="bold"), outcome)
    return table


def _side_by_side(r: FunctionResult, work: PatchWork) -> Table | None:
    """Both versions along the counterexample's path; the first diverging line in
    reverse video, lines off the path dim."""
    before = excerpt(known_lines(work, r, "before"), r.before_path, line_of(r.before_location))
    after = excerpt(known_lines(work, r, "after"), r.after_path, line_of(r.after_location))
    if not before and not after:
        return None
    table = Table(title="the path, side by side", title_justify="left", expand=True)
    table.add_column("before")
    table.add_column("after")
    table.add_row(_lines(before), _lines(after))
    return table


def _lines(lines: list[SourceLine]) -> Text:
    texts = [plain(line.text).expandtabs(4) for line in lines]
    indents = [
        len(t) - len(t.lstrip())
        for t, line in zip(texts, lines, strict=True)
        if line.number and t.strip()
    ]
    cut = min(indents, default=0)
    out = Text()
    for index, (line, text) in enumerate(zip(lines, texts, strict=True)):
        if index:
            out.append("\n")
        if line.number == 0:
            out.append("     ...", style="dim")
            continue
        style = "bold reverse red" if line.diverges else ("" if line.on_path else "dim")
        marker = ">" if line.diverges else " "
        out.append(f"{line.number:5d}{marker} {text[cut:]}", style=style)
    return out
