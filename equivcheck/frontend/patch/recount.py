"""Hunk header counts checked against the lines that follow them.

A hunk's header (``@@ -a,b +c,d @@``) says how many lines it has; a reader that trusts
it stops there, so lines past the counts would be dropped without a word (a patch that
really changes a line read as no change). Here every hunk's counts are compared with
its lines before the diff is parsed:

- the counts match and nothing that looks like diff text follows before the hunk's end:
  the hunk is left alone;
- they do not match, but the hunk's end is certain and every line up to it is diff
  text: the header is rewritten with the real counts, as ``git apply --recount`` does,
  and a note says so;
- otherwise the input is refused, naming the hunk.

A hunk's end is certain at the next boundary: a hunk header, a ``diff `` line, a
``--- ``/``+++ `` pair, an mbox ``From `` separator, the mail signature line ``-- ``
(``--`` once whitespace is lost) or the end of the text. Lines that are neither blank
nor diff text (``+``, ``-``, `` ``, ``\\``) mean a damaged copy (context lines that lost
their leading space) when they come inside the counted lines; such a copy is read by
the lenient reader, whose own checks (:func:`check_lenient_hunk`) are stricter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from equivcheck.errors import InputError
from equivcheck.frontend.patch.input import printable

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
MBOX_FROM = re.compile(r"^From \S+ .*\d\d:\d\d:\d\d \d{4}")
SIGNATURES = ("-- ", "--")
_UNCLEAR = (
    "its lines are not all diff text (a copy that lost its leading whitespace, where a "
    "context line starting with '+' or '-' reads as a change; or prose in the diff), "
    "so it cannot be recounted"
)
_FIX = "regenerate the patch (git format-patch) or fix the hunk's counts"

Walk = Literal["exact", "short", "other", "overflow"]


@dataclass
class Counted:
    """The diff text after the count check: recounted headers, and what was done."""

    text: str
    damaged: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _HunkAt:
    """A hunk header in the text: its line index, file, 1-based number in that file."""

    index: int
    path: str
    number: int
    header: re.Match[str]

    @property
    def old_len(self) -> int:
        return int(self.header.group(2)) if self.header.group(2) is not None else 1

    @property
    def new_len(self) -> int:
        return int(self.header.group(4)) if self.header.group(4) is not None else 1

    def name(self) -> str:
        """``hunk 2 of mm/rmap.c (@@ -10,6 +10,7 @@)``."""
        head = self.header.group(0)
        head = head[: head.index("@@", 2) + 2]
        return f"hunk {self.number} of {printable(self.path)} ({head})"


def is_hard_boundary(lines: list[str], i: int) -> bool:
    """A line never read as a hunk line, whatever the counts say: a hunk or ``diff``
    header, an mbox separator, the signature (a removed line ``- `` is taken for it)."""
    line = lines[i]
    return (
        bool(HUNK_HEADER.match(line))
        or line.startswith("diff ")
        or bool(MBOX_FROM.match(line))
        or line in SIGNATURES
    )


def is_boundary(lines: list[str], i: int) -> bool:
    """Where a hunk certainly ends (see the module docstring): a hard boundary, or a
    ``--- ``/``+++ `` pair (which the counts may still take as hunk lines)."""
    line = lines[i]
    return is_hard_boundary(lines, i) or (
        line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")
    )


def next_boundary(lines: list[str], i: int) -> int:
    """The first boundary at or after ``i`` (``len(lines)`` at the end)."""
    while i < len(lines) and not is_boundary(lines, i):
        i += 1
    return i


def is_diff_text(line: str) -> bool:
    """A line that reads as hunk content: ``+``, ``-`` or a space (context) first."""
    return line.startswith(("+", "-", " "))


def _is_blank(line: str) -> bool:
    """An empty line: an empty context line whose space was lost, or a separator."""
    return not line


def check_counts(text: str, source: str) -> Counted:
    """Compare every hunk's header with its lines; recount or refuse (see the module)."""
    lines = text.split("\n")
    final_newline = len(lines) > 1 and lines[-1] == ""
    if final_newline:
        lines.pop()  # the text's last newline ends a line; it does not start one
    hunks = list(_hunks(lines))
    walks = [_walk(lines, h) for h in hunks]
    mismatched = [
        (h, kind, end)
        for h, (kind, end) in zip(hunks, walks, strict=True)
        if kind != "exact" or _stray_after(lines, end)
    ]
    if any(_has_other_line(lines, h) for h, _, _ in mismatched):
        return Counted(text, True)  # lost whitespace: the lenient reader decides
    notes: list[str] = []
    body_ends = {h.index: end for h, (_, end) in zip(hunks, walks, strict=True)}
    for h, kind, _ in mismatched:
        new_header, end = _recount(lines, h, source)
        notes.append(f"{source}: {h.name()} recounted to {new_header} ({_why(kind)})")
        lines[h.index] = _rewrite_header(h, new_header)
        body_ends[h.index] = end
    refuse_strays_outside(lines, body_ends, source)
    return Counted("\n".join([*lines, ""] if final_newline else lines), False, notes)


def _stray_after(lines: list[str], end: int) -> bool:
    """Diff text between a hunk's counted end and the next boundary."""
    return any(is_diff_text(lines[j]) for j in range(end, next_boundary(lines, end)))


def _has_other_line(lines: list[str], h: _HunkAt) -> bool:
    """A line up to the hunk's certain end that is neither blank nor diff text."""
    return any(
        not _is_blank(line) and not line.startswith(("+", "-", " ", "\\"))
        for line in lines[h.index + 1 : next_boundary(lines, h.index + 1)]
    )


def _why(kind: Walk) -> str:
    if kind in ("short", "other"):
        return "the hunk ends before its header's counts"
    return "lines follow past its header's counts"


def _hunks(lines: list[str]) -> list[_HunkAt]:
    """Every hunk header, with the file it belongs to."""
    found: list[_HunkAt] = []
    path = "?"
    number = 0
    for i, line in enumerate(lines):
        if line.startswith("diff --git "):
            parts = line.split()
            if len(parts) >= 4:
                path = _strip(parts[-1])
            number = 0
        elif line.startswith("+++ ") and i > 0 and lines[i - 1].startswith("--- "):
            target = _strip(line[4:].split("\t")[0])
            source = _strip(lines[i - 1][4:].split("\t")[0])
            new_path = target if target != "/dev/null" else source
            if new_path != path:
                path, number = new_path, 0
        elif (header := HUNK_HEADER.match(line)) is not None:
            number += 1
            found.append(_HunkAt(i, path, number, header))
    return found


def _strip(path: str) -> str:
    path = path.strip().strip('"')
    return path[2:] if path.startswith(("a/", "b/")) else path


def _walk(lines: list[str], h: _HunkAt) -> tuple[Walk, int]:
    """Read the hunk by its header's counts, as a strict reader would. Returns how the
    reading stopped and the index of the first line after it."""
    old = new = 0
    j = h.index + 1
    while old < h.old_len or new < h.new_len:
        if j >= len(lines) or is_hard_boundary(lines, j):
            return "short", j
        line = lines[j]
        if line.startswith("\\"):
            j += 1
            continue
        if _is_blank(line) or line.startswith(" "):
            old, new = old + 1, new + 1
        elif line.startswith("+"):
            new += 1
        elif line.startswith("-"):
            old += 1
        else:
            return "other", j
        if old > h.old_len or new > h.new_len:
            return "overflow", j
        j += 1
    while j < len(lines) and lines[j].startswith("\\"):
        j += 1
    return "exact", j


def _recount(lines: list[str], h: _HunkAt, source: str) -> tuple[str, int]:
    """The header with the real counts, and the index after the hunk's last line. The
    hunk runs to the next boundary (trailing blank lines left out); every line in it
    is diff text (:func:`check_counts` sent any other text to the lenient reader)."""
    end = next_boundary(lines, h.index + 1)
    while end > h.index + 1 and _is_blank(lines[end - 1]):
        end -= 1
    old = new = 0
    for j in range(h.index + 1, end):
        line = lines[j]
        if line.startswith("\\"):
            continue
        if _is_blank(line) or line.startswith(" "):
            old, new = old + 1, new + 1
        elif line.startswith("+"):
            new += 1
        else:
            assert line.startswith("-")  # other lines sent the text to the lenient reader
            old += 1
    if old == 0 and new == 0:
        raise InputError(source, f"{h.name()} has no lines", _FIX)
    old_start, new_start = int(h.header.group(1)), int(h.header.group(3))
    return f"@@ -{old_start},{old} +{new_start},{new} @@", end


def _rewrite_header(h: _HunkAt, new_header: str) -> str:
    section = h.header.group(5)
    return f"{new_header} {section}" if section else new_header


def refuse_strays_outside(lines: list[str], body_ends: dict[int, int], source: str) -> None:
    """``+``/``-`` lines outside every hunk (between a file header and its first hunk,
    after a hunk's end, after the signature) other than file headers are refused."""
    inside: set[int] = set()
    for start, end in body_ends.items():
        inside.update(range(start, end))
    for i, line in enumerate(lines):
        if i in inside or not line.startswith(("+", "-")) or line in SIGNATURES:
            continue
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            continue
        if line.startswith("+++ ") and i > 0 and lines[i - 1].startswith("--- "):
            continue
        raise InputError(
            source,
            f"'{_quote(line)}' looks like a changed line but belongs to no hunk",
            _FIX,
        )


def _quote(line: str, width: int = 60) -> str:
    text = printable(line)
    return text if len(text) <= width else text[: width - 3] + "..."


def check_lenient_hunk(
    lines: list[str],
    h_index: int,
    path: str,
    number: int,
    seen: tuple[int, int],
    end: int,
    source: str,
) -> str | None:
    """The checks on a hunk the lenient reader read (a copy that lost its whitespace,
    whose counts decide what is a change): the counts must be met exactly, and no
    ``+``/``-`` line may follow before the hunk's end. The one repair allowed is a
    hunk that ends early by as many lines on both sides: only context can be missing
    then, and the note returned says so."""
    header = HUNK_HEADER.match(lines[h_index])
    assert header is not None
    h = _HunkAt(h_index, path, number, header)
    old_seen, new_seen = seen
    stop = next_boundary(lines, end)
    stray = next((j for j in range(end, stop) if lines[j].startswith(("+", "-"))), None)
    if stray is not None:
        raise InputError(
            source,
            f"{h.name()} is followed by '{_quote(lines[stray])}' past its header's "
            f"counts, and {_UNCLEAR}",
            _FIX,
        )
    if (old_seen, new_seen) == (h.old_len, h.new_len):
        return None
    missing = (h.old_len - old_seen, h.new_len - new_seen)
    if missing[0] == missing[1] > 0:
        return (
            f"{source}: {h.name()} ends {missing[0]} context line(s) early; "
            f"read as @@ -{header.group(1)},{old_seen} +{header.group(3)},{new_seen} @@"
        )
    raise InputError(
        source,
        f"{h.name()} has {old_seen} old and {new_seen} new lines, its header says "
        f"{h.old_len} and {h.new_len}, and {_UNCLEAR}",
        _FIX,
    )
