"""Before/after fragments of a changed function, from the patch alone.

A :class:`Region` is the smallest balanced statement sequence of one side of a hunk
that covers a change: it starts and ends between statements and closes every brace it
opens. The before and after regions of a change cover the same stretch of the hunk, so
they pair up. All of a function's changes in one hunk share one region when that
region balances; otherwise changes less than four context lines apart share one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from equivcheck.errors import InputError
from equivcheck.frontend.model import FilePatch, FunctionText, Hunk, Patch
from equivcheck.frontend.patch.hunkwalk import SideLine, SideWalk, walk
from equivcheck.frontend.patch.indent import reindent

_MERGE_GAP = 3
_LABEL = re.compile(r"^\s*([A-Za-z_]\w*)\s*:(?!:)")
_GOTO = re.compile(r"\bgoto\s+([A-Za-z_]\w*)\s*;")
_HINT = (
    "pass --tree (or the revision) so whole functions are compared, or regenerate "
    "the patch with more context (git format-patch -U10)"
)


@dataclass
class Region:
    """Lines of one side: ``text``, its first file line, and each line's number.

    ``labels`` are the labels the region defines; ``gotos_out`` the labels it jumps to
    that it does not define (resolved by later stages). ``loop_body``: the region is
    the whole body of a loop, so its ``continue`` goes where its end goes.
    """

    text: str
    first_line: int
    lines: list[int]
    labels: list[str] = field(default_factory=list)
    gotos_out: list[str] = field(default_factory=list)
    entered: bool = True
    loop_body: bool = False


@dataclass
class Fragment:
    """The regions of one side of a changed function."""

    function: str
    file: str
    side: Literal["before", "after"]
    regions: list[Region]


@dataclass
class FragmentPair:
    """Both sides of a changed function and their regions, paired in order."""

    before: Fragment
    after: Fragment
    pairs: list[tuple[Region, Region]]


@dataclass
class _Side:
    """One side of a hunk with the facts region widening needs."""

    walk: SideWalk
    depth: list[int]  # brace depth before each line (and after the last)
    boundary: list[bool]  # a statement may start/end before each line

    def span(self, p: int, q: int) -> tuple[int, int]:
        """Side positions of hunk line indices ``[p, q)``."""
        idx = [ln.index for ln in self.walk.lines]
        start = next((k for k, i in enumerate(idx) if i >= p), len(idx))
        end = next((k for k, i in enumerate(idx) if i >= q), len(idx))
        return start, end

    def hunk_index(self, k: int, hunk_len: int) -> int:
        lines = self.walk.lines
        return lines[k].index if k < len(lines) else hunk_len


def function_fragments(patch: Patch, function: str) -> FragmentPair:
    """The regions of ``function`` each hunk changes, before and after."""
    pairs: list[tuple[Region, Region]] = []
    file = ""
    for fp in patch.files:
        for hunk in fp.hunks:
            found = _hunk_pairs(patch, fp, hunk, function)
            if found:
                file = fp.path
                pairs.extend(found)
    if not pairs:
        raise InputError(
            _name(patch),
            f"no hunk changes a function named {function}",
            "list the changed functions first and pick one of them",
        )
    before = Fragment(function, file, "before", [b for b, _ in pairs])
    after = Fragment(function, file, "after", [a for _, a in pairs])
    return FragmentPair(before, after, pairs)


def added_functions(patch: Patch) -> list[FunctionText]:
    """Functions the patch adds whole (header to closing brace on ``+`` lines)."""
    return _whole_functions(patch, "new", "+")


def removed_functions(patch: Patch) -> list[FunctionText]:
    """Functions the patch removes whole (header to closing brace on ``-`` lines), with
    their before-version line numbers."""
    return _whole_functions(patch, "old", "-")


def _whole_functions(
    patch: Patch, side_name: Literal["old", "new"], kind: str
) -> list[FunctionText]:
    out: list[FunctionText] = []
    for fp in patch.files:
        for hunk in fp.hunks:
            side = walk(hunk, side_name, patch.damaged)
            for span in side.spans:
                if span.first is None or span.last is None:
                    continue
                first, last = span.first, span.last
                lines = [ln for ln in side.lines if first <= ln.index <= last]
                if not all(hunk.lines[ln.index].kind == kind for ln in lines):
                    continue
                texts = [ln.text for ln in lines]
                if patch.damaged:
                    texts = reindent([(t, False) for t in texts])
                path = fp.path if kind == "+" else (fp.old_path or fp.path)
                out.append(FunctionText(span.name, path, lines[0].lineno, "\n".join(texts) + "\n"))
    return out


def _name(patch: Patch) -> str:
    return f"patch '{patch.subject or patch.source}'"


def _prepare(hunk: Hunk, side: str, damaged: bool) -> _Side:
    w = walk(hunk, "old" if side == "old" else "new", damaged)
    depth = [0]
    paren = 0
    boundary = [False]
    last_code = ""
    for ln in w.lines:
        code = ln.code.strip()
        depth.append(depth[-1] + code.count("{") - code.count("}"))
        paren += code.count("(") - code.count(")")
        if code:
            last_code = code
        # Before the hunk's first code line only a blank/comment line vouches for a break.
        seen = last_code.endswith((";", "{", "}", ":")) or (not last_code and not code)
        boundary.append(paren == 0 and seen)
    # A statement does not start at ``else``/``while`` continuing a ``}``.
    for k, ln in enumerate(w.lines):
        if re.match(r"^(else\b|while\b)", ln.code.strip()) and k > 0:
            boundary[k] = False
    boundary[0] = False
    return _Side(w, depth, boundary)


def _hunk_pairs(
    patch: Patch, fp: FilePatch, hunk: Hunk, function: str
) -> list[tuple[Region, Region]]:
    old, new = _prepare(hunk, "old", patch.damaged), _prepare(hunk, "new", patch.damaged)
    changed = [
        i
        for i, ln in enumerate(hunk.lines)
        if (ln.kind == "-" and old.walk.owner.get(i) == function)
        or (ln.kind == "+" and new.walk.owner.get(i) == function)
    ]
    if not changed:
        return []
    for side, kind in ((old, "-"), (new, "+")):
        for span in side.walk.spans:
            if (
                span.name == function
                and span.first is not None
                and span.last is not None
                and all(
                    hunk.lines[ln.index].kind == kind
                    for ln in side.walk.lines
                    if span.first <= ln.index <= span.last
                )
            ):
                what = "adds" if kind == "+" else "removes"
                raise InputError(
                    _name(patch),
                    f"the patch {what} {function} whole",
                    "use added_functions() for its text",
                )
    # One region for all the function's changes in this hunk when it balances (the
    # context between them is then compared too, so a statement moved within the hunk
    # is seen as such); otherwise the changes' own balanced clusters.
    try:
        spans = [_widen(patch, fp, hunk, old, new, changed[0], changed[-1] + 1)]
    except InputError:
        clusters = _clusters(hunk, changed)
        spans = [_widen(patch, fp, hunk, old, new, p, q) for p, q in clusters]
    merged: list[tuple[int, int]] = []
    for p, q in sorted(spans):
        if merged and p < merged[-1][1]:
            p0, q0 = merged.pop()
            p, q = _widen(patch, fp, hunk, old, new, min(p, p0), max(q, q0))
        merged.append((p, q))
    return [
        (_region(old, p, q, patch.damaged), _region(new, p, q, patch.damaged)) for p, q in merged
    ]


def _clusters(hunk: Hunk, changed: list[int]) -> list[tuple[int, int]]:
    """Runs of changed hunk lines; runs less than four context lines apart merge."""
    runs: list[tuple[int, int]] = []
    for i in changed:
        if (
            runs
            and sum(1 for k in range(runs[-1][1], i) if hunk.lines[k].kind == " ") <= _MERGE_GAP
        ):
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _widen(
    patch: Patch, fp: FilePatch, hunk: Hunk, old: _Side, new: _Side, p: int, q: int
) -> tuple[int, int]:
    """Grow hunk span ``[p, q)`` until both sides are balanced statement sequences."""
    for _ in range(4 * len(hunk.lines) + 4):
        stable = True
        for side in (old, new):
            sp, sq = side.span(p, q)
            np_, nq = _balance(side, sp, sq)
            if np_ is None or nq is None:
                line = (
                    side.walk.lines[min(sp, len(side.walk.lines) - 1)].lineno
                    if side.walk.lines
                    else hunk.old_start
                )
                raise InputError(
                    _name(patch),
                    f"{fp.path}: hunk @@ -{hunk.old_start},{hunk.old_len} "
                    f"+{hunk.new_start},{hunk.new_len} @@: the patch lacks context to "
                    f"close the statements around line {line}",
                    _HINT,
                )
            hp = side.hunk_index(np_, len(hunk.lines))
            hq = side.hunk_index(nq, len(hunk.lines))
            if (np_, nq) != (sp, sq) and (hp < p or hq > q):
                stable = False
            p, q = min(p, hp), max(q, hq)
        if stable:
            return p, q
    return p, q


def _balance(side: _Side, sp: int, sq: int) -> tuple[int | None, int | None]:
    """Side positions widened to statement boundaries with balanced braces."""
    n = len(side.walk.lines)
    depth, ok = side.depth, side.boundary
    while sp > 0 and not ok[sp]:
        sp -= 1
    while sq < n and not ok[sq]:
        sq += 1
    if not ok[sp] or not ok[sq]:
        return None, None
    while True:
        low = min(depth[sp : sq + 1])
        if low < depth[sp]:
            sp -= 1
            while sp > 0 and not (ok[sp] and depth[sp] <= low):
                sp -= 1
            if not (ok[sp] and depth[sp] <= low):
                return None, None
        elif depth[sq] > depth[sp]:
            if sq >= n:
                return None, None
            sq += 1
            while sq < n and not (ok[sq] and depth[sq] <= depth[sp]):
                sq += 1
            if not (ok[sq] and depth[sq] <= depth[sp]):
                return None, None
        else:
            return sp, sq


def _is_label(code: str) -> bool:
    match = _LABEL.match(code)
    return match is not None and match.group(1) not in ("case", "default")


def _region(side: _Side, p: int, q: int, damaged: bool) -> Region:
    sp, sq = side.span(p, q)
    lines: list[SideLine] = side.walk.lines[sp:sq]
    while lines and not lines[0].text.strip():
        lines = lines[1:]
    while lines and not lines[-1].text.strip():
        lines = lines[:-1]
    texts = [ln.text for ln in lines]
    if damaged:
        texts = reindent([(t, False) for t in texts], level=1)
    if lines and _is_label(lines[-1].code):
        # ``L: S`` is ``L: ; S``: a region may end at a label, the statement it labels
        # (the same text in both versions) following the region.
        texts.append(";")
    labels = [m.group(1) for ln in lines if _is_label(ln.code) and (m := _LABEL.match(ln.code))]
    gotos: list[str] = []
    for ln in lines:
        for m in _GOTO.finditer(ln.code):
            if m.group(1) not in labels and m.group(1) not in gotos:
                gotos.append(m.group(1))
    after = (
        side.walk.lines[sq].lineno
        if sq < len(side.walk.lines)
        else (side.walk.lines[-1].lineno + 1 if side.walk.lines else 0)
    )
    first = lines[0].lineno if lines else after
    entered = _reached_from_above(side.walk.lines[:sp])
    return Region("\n".join(texts), first, [ln.lineno for ln in lines], labels, gotos, entered)


_JUMP = re.compile(r"^\s*(return\b[^;]*|goto\s+\w+|break|continue)\s*;\s*$")
_BRACELESS_HEAD = re.compile(r"^\s*(\}\s*)?(if|for|while|else\b.*|do)\b[^;{]*$")


def _reached_from_above(before: list[SideLine]) -> bool:
    """Whether control can fall into a region from the code just above it: not when
    that code ends in an unconditional return/goto/break/continue (one that is not the
    body of a brace-less if/else/for/while). Unknown above the hunk: reached."""
    code = [ln.code for ln in before if ln.code.strip()]
    if not code:
        return True
    if not _JUMP.match(code[-1]):
        return True
    return len(code) >= 2 and _BRACELESS_HEAD.match(code[-2]) is not None
