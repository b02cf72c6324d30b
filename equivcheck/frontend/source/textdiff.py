"""The changed regions of a function whose whole before and after texts are known.

With both texts in hand (tree, light and two-file mode) the regions are cut exactly as
from a patch, from a diff of the two texts that carries the whole function as context:
every region then balances, and the code around it is known to be the same in both.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from equivcheck.frontend.gnuc.scan import closing_paren
from equivcheck.frontend.model import FilePatch, FunctionText, Hunk, HunkLine, Patch
from equivcheck.frontend.patch.clex import identifiers, mask
from equivcheck.frontend.source.fragments import Region, function_fragments


def whole_function_patch(
    before: FunctionText, after: FunctionText, touched: frozenset[str] = frozenset()
) -> Patch:
    """A one-hunk patch from ``before`` to ``after`` with the whole function as context.
    A line naming one of ``touched`` (functions whose bodies the input changes) is a
    change even when its text is not: what it does changed with the callee."""
    old, new = before.text.splitlines(), after.text.splitlines()
    lines: list[HunkLine] = []
    matcher = difflib.SequenceMatcher(
        a=[_unnumbered(t) for t in old], b=[_unnumbered(t) for t in new], autojunk=False
    )
    naming = identifiers(touched)
    code = mask(after.text).split("\n")
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for j, (a, b) in enumerate(zip(old[i1:i2], new[j1:j2], strict=True), j1):
                if naming is not None and naming.search(code[j]):
                    lines.extend([HunkLine("-", a), HunkLine("+", b)])
                else:
                    # Line markers whose numbers moved (code added above) are not changes.
                    lines.append(HunkLine(" ", b, a if a != b else None))
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


def mentions(text: str, names: frozenset[str]) -> int:
    """How many times the code of ``text`` (comments and strings masked) names one of
    ``names`` as a whole identifier."""
    naming = identifiers(names)
    return len(naming.findall(mask(text))) if naming is not None else 0


_MARKER = re.compile(r'^# \d+ (".*")(.*)$')
_MARKER_NUMBER = re.compile(r'^# (\d+) "')


def _unnumbered(line: str) -> str:
    """A line with a line marker's number taken out (for matching only)."""
    return _MARKER.sub(r"# N \1\2", line)


def whole_function_regions(
    before: FunctionText,
    after: FunctionText,
    grow: int = 0,
    touched: frozenset[str] = frozenset(),
) -> list[tuple[Region, Region]] | None:
    """The paired regions covering every change between two texts of one function
    (lines naming one of ``touched`` included), each grown to ``grow`` enclosing
    blocks; None when growing reaches the function's own body (the whole function is
    then the region)."""
    patch = whole_function_patch(before, after, touched)
    if grow:
        hunk = grown(patch.files[0].hunks[0], grow)
        if hunk is None:
            return None
        patch = dataclasses.replace(
            patch, files=[dataclasses.replace(patch.files[0], hunks=[hunk])]
        )
    old_lines, new_lines = source_lines(before), source_lines(after)

    def placed(region: Region, func: FunctionText, table: list[int]) -> Region:
        index = region.first_line - func.start_line
        first = table[index] if 0 <= index < len(table) else region.first_line
        return dataclasses.replace(region, first_line=first)

    pairs = function_fragments(patch, after.name).pairs
    bodies = [_loop_body(b, before) and _loop_body(a, after) for b, a in pairs]
    return [
        (
            dataclasses.replace(placed(b, before, old_lines), loop_body=body),
            dataclasses.replace(placed(a, after, new_lines), loop_body=body),
        )
        for (b, a), body in zip(pairs, bodies, strict=True)
    ]


_BLOCK_END = re.compile(r"^\s*\}")


def _loop_body(region: Region, func: FunctionText) -> bool:
    """Whether ``region`` (numbered as the function text) is all of a loop's braced
    body: the code line just above it heads the loop and opens the brace, the one just
    below closes it."""
    if not region.lines:
        return False
    code = mask(func.text).split("\n")
    above = [t for t in code[: region.lines[0] - func.start_line] if t.strip()]
    below = [t for t in code[region.lines[-1] - func.start_line + 1 :] if t.strip()]
    if not above or not below or not _BLOCK_END.match(below[0]):
        return False
    return _opens_loop_body(above[-1])


def _opens_loop_body(head: str) -> bool:
    """Whether a (masked) line is ``for (...) {``, ``while (...) {`` or ``do {``: the
    brace right after the loop's own parenthesis, nothing else on the line."""
    text = head.strip()
    if re.fullmatch(r"do\s*\{", text):
        return True
    keyword = re.match(r"(for|while)\s*\(", text)
    if keyword is None:
        return False
    end = closing_paren(text, keyword.end() - 1)
    return end is not None and text[end:].strip() == "{"


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


def grown(hunk: Hunk, levels: int) -> Hunk | None:
    """``hunk`` (a whole function as context) with each run of changed lines widened
    ``levels`` steps out, the lines widened over shown as removed and added again (so
    the regions cut from it span them). A step goes to the inside of the block around
    the lines (a loop's body: its ``continue`` and its end lead to the same place), or
    when they are that already, to the block's statement. None when the function's own
    body is reached."""
    old = [i for i, ln in enumerate(hunk.lines) if ln.kind != "+"]
    braces = _braces(hunk, old)
    depth, before = 0, {}
    for i in old:
        before[i] = depth
        depth += braces[i].count("{") - braces[i].count("}")
    spans: list[tuple[int, int]] = []
    for start, end in _runs(hunk):
        for _ in range(levels):
            first, last = _enclosing(old, braces, start, end)
            if first < 0 or before[first] == 0:
                return None
            inside = [i for i in old if first < i < last]
            if inside and (inside[0], inside[-1]) != (start, end):
                start, end = inside[0], inside[-1]
            else:
                start, end = _statement(braces, first, last)
        spans.append((start, end))
    spans = _merged(spans)
    lines: list[HunkLine] = []
    at = 0
    for start, end in spans:
        lines.extend(hunk.lines[at:start])
        block = hunk.lines[start : end + 1]
        lines.extend(HunkLine("-", ln.old_text or ln.text) for ln in block if ln.kind != "+")
        lines.extend(HunkLine("+", ln.text) for ln in block if ln.kind != "-")
        at = end + 1
    lines.extend(hunk.lines[at:])
    return dataclasses.replace(hunk, lines=lines)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans that overlap (a grown one may cover several before it) as one."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _braces(hunk: Hunk, old: list[int]) -> dict[int, str]:
    """The braces of each before-side line in order (outside comments, strings and
    directives)."""
    code = mask("\n".join(hunk.lines[i].old_text or hunk.lines[i].text for i in old))
    return {
        i: "".join(c for c in text if c in "{}")
        for i, text in zip(old, code.split("\n"), strict=True)
    }


def _runs(hunk: Hunk) -> list[tuple[int, int]]:
    """First and last index of each run of changed lines."""
    runs: list[tuple[int, int]] = []
    for i, ln in enumerate(hunk.lines):
        if ln.kind == " ":
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _enclosing(old: list[int], braces: dict[int, str], start: int, end: int) -> tuple[int, int]:
    """The lines of the ``{`` and the ``}`` of the block around lines ``start..end``
    (before side); (-1, -1) when there is none. (``} else {``: the ``{`` opens the
    block below it, the ``}`` closes the one above.)"""
    first = _unbalanced([j for j in old if j < start][::-1], braces, "}")
    last = _unbalanced([j for j in old if j > end], braces, "{")
    return (first, last) if first >= 0 and last >= 0 else (-1, -1)


def _unbalanced(lines: list[int], braces: dict[int, str], ahead: str) -> int:
    """The first of ``lines`` (read in their order, each line's braces in that
    direction too) with a brace that closes more than was opened since: ``ahead`` is
    the brace that opens in that direction; -1 when none."""
    balance = 0
    for i in lines:
        for c in braces[i] if ahead == "{" else braces[i][::-1]:
            balance += 1 if c == ahead else -1
            if balance < 0:
                return i
    return -1


def _statement(braces: dict[int, str], first: int, last: int) -> tuple[int, int]:
    """Lines ``first`` (a ``{``) to ``last`` (its ``}``) widened to the whole statement:
    an ``if`` with all its ``else`` branches (``} else {`` lines join blocks)."""
    order = [(i, c) for i in sorted(braces) for c in braces[i]]
    partner: dict[int, int] = {}
    stack: list[int] = []
    for k, (_, c) in enumerate(order):
        if c == "{":
            stack.append(k)
        elif stack:
            j = stack.pop()
            partner[j], partner[k] = k, j
    # the brace indexes of the block's own { and }
    own = [
        k
        for k, (i, c) in enumerate(order)
        if i == first and c == "{" and k in partner and order[partner[k]][0] == last
    ]
    if not own:
        return first, last
    opening = own[-1]
    closing = partner[opening]
    while opening > 0 and order[opening - 1] == (first, "}") and opening - 1 in partner:
        opening = partner[opening - 1]  # ``} else {``: the block above is the if's
        first = order[opening][0]
    while closing + 1 < len(order) and order[closing + 1] == (last, "{") and closing + 1 in partner:
        closing = partner[closing + 1]  # ``} else {``: the else block goes with it
        last = order[closing][0]
    return first, last
