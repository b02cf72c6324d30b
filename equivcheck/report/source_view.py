"""The lines of a counterexample's path in each version, for showing side by side:
the lines the path runs, a line of context around each stretch, gaps marked, and the
first diverging line flagged."""

from __future__ import annotations

from dataclasses import dataclass

from equivcheck.equiv.check import FunctionResult
from equivcheck.frontend.workset import PatchWork, Side


@dataclass(frozen=True)
class SourceLine:
    """One line to show; ``number`` 0 marks a gap (lines left out)."""

    number: int
    text: str
    on_path: bool = False
    diverges: bool = False


def known_lines(work: PatchWork, result: FunctionResult, side: Side) -> dict[int, str]:
    """The source lines of one version the input gives: the whole file when it was
    read (tree, git range, two files), else the lines the patch shows."""
    whole = work.source(side, result.file)
    if whole is not None:
        return dict(enumerate(whole.splitlines(), start=1))
    lines: dict[int, str] = {}
    for fw in work.functions:
        if fw.change.function != result.function or fw.change.file != result.file:
            continue
        for pair in fw.regions:
            region = pair[0] if side == "before" else pair[1]
            for number, text in zip(region.lines, region.text.splitlines(), strict=False):
                lines[number] = text
    return lines


def excerpt(
    lines: dict[int, str],
    path: list[int],
    diverging: int | None,
    *,
    context: int = 1,
    limit: int = 40,
) -> list[SourceLine]:
    """The path's lines with ``context`` lines around each stretch, gaps between
    stretches, at most ``limit`` lines (keeping those nearest the diverging line)."""
    wanted = {n for n in path if n in lines}
    if diverging is not None and diverging in lines:
        wanted.add(diverging)
    if not wanted:
        return []
    shown: set[int] = set()
    for number in wanted:
        shown.update(n for n in range(number - context, number + context + 1) if n in lines)
    ordered = sorted(shown)
    if len(ordered) > limit:
        centre = diverging if diverging in shown else ordered[-1]
        ordered = sorted(sorted(ordered, key=lambda n: (abs(n - centre), n))[:limit])
    out: list[SourceLine] = []
    previous: int | None = None
    for number in ordered:
        if previous is not None and number > previous + 1:
            out.append(SourceLine(0, "..."))
        out.append(SourceLine(number, lines[number], number in wanted, number == diverging))
        previous = number
    return out


def line_of(location: str) -> int | None:
    """The line number of a ``file:line`` location ("" gives None)."""
    _, _, line = location.rpartition(":")
    return int(line) if line.isdigit() else None
