"""The changed regions of a function whose whole before and after texts are known.

With both texts in hand (tree, light and two-file mode) the regions are cut exactly as
from a patch, from a diff of the two texts that carries the whole function as context:
every region then balances, and the code around it is known to be the same in both.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from equivcheck.frontend.fragments import Region, function_fragments
from equivcheck.frontend.model import FilePatch, FunctionText, Hunk, HunkLine, Patch


def whole_function_patch(before: FunctionText, after: FunctionText) -> Patch:
    """A one-hunk patch from ``before`` to ``after`` with the whole function as context."""
    old, new = before.text.splitlines(), after.text.splitlines()
    lines: list[HunkLine] = []
    matcher = difflib.SequenceMatcher(
        a=[_unnumbered(t) for t in old], b=[_unnumbered(t) for t in new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            # Line markers whose numbers moved (code added above) are not changes.
            lines.extend(
                HunkLine(" ", b, a if a != b else None)
                for a, b in zip(old[i1:i2], new[j1:j2], strict=True)
            )
            continue
        lines.extend(HunkLine("-", text) for text in old[i1:i2])
        lines.extend(HunkLine("+", text) for text in new[j1:j2])
    hunk = Hunk(before.start_line, len(old), after.start_line, len(new), "", lines)
    path = after.file or before.file
    return Patch(
        subject=f"{before.name} (whole function)",
        files=[FilePatch(path, path, [hunk])],
        source=path,
    )


_MARKER = re.compile(r'^# \d+ (".*")(.*)$')
_MARKER_NUMBER = re.compile(r'^# (\d+) "')


def _unnumbered(line: str) -> str:
    """A line with a line marker's number taken out (for matching only)."""
    return _MARKER.sub(r"# N \1\2", line)


def whole_function_regions(
    before: FunctionText, after: FunctionText
) -> list[tuple[Region, Region]]:
    """The paired regions covering every change between two texts of one function."""
    patch = whole_function_patch(before, after)
    old_lines, new_lines = source_lines(before), source_lines(after)

    def placed(region: Region, func: FunctionText, table: list[int]) -> Region:
        index = region.first_line - func.start_line
        first = table[index] if 0 <= index < len(table) else region.first_line
        return dataclasses.replace(region, first_line=first)

    return [
        (placed(b, before, old_lines), placed(a, after, new_lines))
        for b, a in function_fragments(patch, after.name).pairs
    ]


def source_lines(func: FunctionText) -> list[int]:
    """The source line of each line of a (preprocessed) function text, following its
    line markers."""
    out: list[int] = []
    line = func.start_line
    for text in func.text.splitlines():
        out.append(line)
        marker = _MARKER_NUMBER.match(text)
        line = int(marker.group(1)) if marker else line + 1
    return out
