"""Apply patches to file texts, in memory.

Each hunk is located by content, like ``patch``: exactly at its stated line, then
anywhere with an offset (nearest first), then — for damaged or whitespace-mangled
patches — comparing lines with all whitespace removed. A damaged patch's added lines
get an indentation again (see :mod:`patch_indent`).

Result convention: ``apply_patch`` maps every path the patch touches to its new text;
a deleted file maps to ``None``; a renamed file maps its old path to ``None`` and its
new path to the text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from equivcheck.errors import InputError
from equivcheck.frontend.model import FilePatch, Hunk, Patch
from equivcheck.frontend.patch.indent import indent_unit, reindent

_CONTEXT_HINT = "check that the patch is meant for this tree/revision"


def _exact(line: str) -> str:
    return line


def _rstripped(line: str) -> str:
    return line.rstrip()


def _no_space(line: str) -> str:
    return "".join(line.split())


_MATCHERS: tuple[Callable[[str], str], ...] = (_exact, _rstripped, _no_space)


@dataclass(frozen=True)
class _Placed:
    """Where a hunk landed: its first old line (0-based)."""

    hunk: Hunk
    at: int


def apply_patch(files: Mapping[str, str], patch: Patch) -> dict[str, str | None]:
    """New texts of the files ``patch`` touches (``None`` for deleted files)."""
    result: dict[str, str | None] = {}
    for fp in patch.files:
        old_text = _old_text(files, result, fp, patch)
        new_text = None if fp.new_path is None else _apply_file(old_text, fp, patch)
        if fp.old_path is not None and fp.old_path != fp.new_path:
            result[fp.old_path] = None
        if fp.new_path is not None:
            result[fp.new_path] = new_text
    return result


def apply_series(files: Mapping[str, str], patches: Sequence[Patch]) -> list[dict[str, str | None]]:
    """Apply ``patches`` in order, each on top of the previous; one result per patch."""
    state: dict[str, str] = dict(files)
    results: list[dict[str, str | None]] = []
    for patch in patches:
        changed = apply_patch(state, patch)
        for path, text in changed.items():
            if text is None:
                state.pop(path, None)
            else:
                state[path] = text
        results.append(changed)
    return results


def _old_text(
    files: Mapping[str, str], done: Mapping[str, str | None], fp: FilePatch, patch: Patch
) -> str:
    if fp.old_path is None:
        return ""
    if fp.old_path in done:
        text = done[fp.old_path]
        if text is not None:
            return text
    if fp.old_path not in files:
        raise InputError(
            _name(patch),
            f"{fp.old_path}: the patch changes a file that is not given",
            "pass the tree or revision the patch applies to",
        )
    return files[fp.old_path]


def _name(patch: Patch) -> str:
    label = patch.subject or patch.source or "patch"
    return f"patch {patch.index} '{label}'" if patch.index > 1 else f"patch '{label}'"


def _split(text: str) -> tuple[list[str], bool]:
    if not text:
        return [], True
    lines = text.split("\n")
    if lines[-1] == "":
        return lines[:-1], True
    return lines, False


def _apply_file(text: str, fp: FilePatch, patch: Patch) -> str:
    lines, final_newline = _split(text)
    placed: list[_Placed] = []
    floor = 0
    offset = 0
    for hunk in fp.hunks:
        spot = _locate(lines, hunk, floor, offset)
        if spot is None:
            raise InputError(
                _name(patch),
                f"{fp.path}: hunk {_header(hunk)} does not apply: "
                + _why(lines, hunk, max(hunk.old_start - 1 + offset, 0)),
                _CONTEXT_HINT,
            )
        placed.append(spot)
        floor = spot.at + len(hunk.old_lines())
        offset = spot.at - _stated(hunk)
    unit = indent_unit(text)
    out: list[str] = []
    pos = 0
    for spot in placed:
        out.extend(lines[pos : spot.at])
        out.extend(_new_lines(lines, spot, patch.damaged, unit))
        pos = spot.at + len(spot.hunk.old_lines())
    out.extend(lines[pos:])
    if not out:
        return ""
    return "\n".join(out) + ("\n" if final_newline or fp.old_path is None else "")


def _header(hunk: Hunk) -> str:
    return f"@@ -{hunk.old_start},{hunk.old_len} +{hunk.new_start},{hunk.new_len} @@"


def _stated(hunk: Hunk) -> int:
    """The 0-based line index where the hunk's old text should start."""
    if not hunk.old_lines():
        return hunk.old_start  # ``-N,0`` inserts after line N
    return max(hunk.old_start - 1, 0)


def _locate(lines: list[str], hunk: Hunk, floor: int, offset: int) -> _Placed | None:
    old = hunk.old_lines()
    expected = min(max(_stated(hunk) + offset, floor), len(lines))
    if not old:
        return _Placed(hunk, expected)
    for norm in _MATCHERS:
        want = [norm(x) for x in old]
        have = [norm(x) for x in lines]
        for at in _nearest_first(expected, floor, len(lines) - len(old)):
            if have[at] == want[0] and have[at : at + len(old)] == want:
                return _Placed(hunk, at)
    return None


def _nearest_first(expected: int, low: int, high: int) -> list[int]:
    """Positions in ``[low, high]`` ordered by distance from ``expected``."""
    if high < low:
        return []
    expected = min(max(expected, low), high)
    order = [expected]
    for d in range(1, max(expected - low, high - expected) + 1):
        if expected + d <= high:
            order.append(expected + d)
        if expected - d >= low:
            order.append(expected - d)
    return order


def _why(lines: list[str], hunk: Hunk, expected: int) -> str:
    """Explain a failure: the first hunk line not found, at the best nearby alignment."""
    old = [_no_space(x) for x in hunk.old_lines()]
    have = [_no_space(x) for x in lines]
    best_at, best_run = expected, -1
    for at in range(max(expected - 50, 0), min(expected + 50, len(lines)) + 1):
        run = 0
        while run < len(old) and at + run < len(have) and have[at + run] == old[run]:
            run += 1
        if run > best_run:
            best_at, best_run = at, run
    if best_run >= len(old):
        return f"it overlaps an earlier hunk near line {best_at + 1}"
    kinds = [ln for ln in hunk.lines if ln.kind != "+"]
    missing = kinds[best_run]
    what = "context line" if missing.kind == " " else "removed line"
    return (
        f"{what} {best_run + 1} '{missing.text.strip()}' not found near line "
        f"{best_at + best_run + 1}"
    )


def _new_lines(lines: list[str], spot: _Placed, damaged: bool, unit: str) -> list[str]:
    """The hunk's after text; context keeps the file's own lines (and indentation)."""
    pairs: list[tuple[str, bool]] = []
    old_index = spot.at
    for ln in spot.hunk.lines:
        if ln.kind == " ":
            pairs.append((lines[old_index], True))
            old_index += 1
        elif ln.kind == "-":
            old_index += 1
        else:
            pairs.append((ln.text, not damaged))
    if not damaged:
        return [text for text, _ in pairs]
    lead = _preceding_known(lines, spot.at)
    laid = reindent([(x, True) for x in lead] + pairs, unit=unit)
    return laid[len(lead) :]


def _preceding_known(lines: list[str], at: int, count: int = 40) -> list[str]:
    """File lines before ``at``, from the start of the enclosing top-level item."""
    start = max(at - count, 0)
    for i in range(at - 1, start - 1, -1):
        if lines[i].startswith(("{", "}")) or (lines[i][:1].isalpha() and "(" in lines[i]):
            start = i
            break
    return lines[start:at]
