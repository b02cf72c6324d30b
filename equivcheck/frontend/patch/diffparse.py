"""Turn the diff part of a patch into :class:`FilePatch` lists.

Every hunk's header counts are first checked against its lines
(:mod:`patch_recount`): recounted when its end is certain, refused otherwise. Well-formed
diffs then go through unidiff. A copy that lost its leading whitespace (or one unidiff
rejects) is read by a lenient reader: inside a hunk, ``+``/``-`` lines are changes,
everything else is context, and the hunk header counts say where the hunk ends; they
must then add up exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from equivcheck.errors import InputError
from equivcheck.frontend.model import FilePatch, Hunk, HunkLine, LineKind
from equivcheck.frontend.patch.input import printable
from equivcheck.frontend.patch.recount import (
    HUNK_HEADER,
    check_counts,
    check_lenient_hunk,
    is_boundary,
    refuse_strays_outside,
)

_GIT_HEADER = re.compile(r"^diff --git (\S+) (\S+)\s*$")


def find_diff_start(text: str) -> int | None:
    """Offset of the first ``diff --git`` or ``--- ``/``+++ `` pair that leads to a hunk."""
    offset = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("diff --git ") or (
            line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")
        ):
            rest = lines[i : i + 12]
            if any(HUNK_HEADER.match(ln) for ln in rest):
                return offset
        offset += len(line) + 1
    return None


@dataclass
class ParsedDiff:
    """The files of a diff; ``damaged`` when the lenient (damage-repairing) reader was
    needed; ``notes`` on what was repaired (recounted hunks), for the report."""

    files: list[FilePatch]
    damaged: bool
    notes: list[str] = field(default_factory=list)


def parse_diff(text: str, source: str) -> ParsedDiff:
    """The files of a diff (see the module docstring)."""
    counted = check_counts(text, source)
    if not counted.damaged:
        try:
            patch_set = PatchSet(counted.text)
        except UnidiffParseError:
            pass
        else:
            files = [_from_unidiff(pf) for pf in patch_set]
            files = [f for f in files if f.hunks or f.old_path is None or f.new_path is None]
            return ParsedDiff(files, False, counted.notes)
    files, notes = _lenient(counted.text, source)
    return ParsedDiff(files, True, counted.notes + notes)


def _strip_prefix(path: str | None) -> str | None:
    """Drop ``a/``/``b/``; None for ``/dev/null``. Terminal control characters become
    ``?`` (the path is shown to people)."""
    if path is None:
        return None
    path = printable(path.strip().strip('"'))
    if path in ("/dev/null", ""):
        return None
    if path.startswith(("a/", "b/")):
        return path[2:]
    return path


def _from_unidiff(pf: object) -> FilePatch:
    """Convert one unidiff PatchedFile."""
    old = _strip_prefix(getattr(pf, "source_file", None))
    new = _strip_prefix(getattr(pf, "target_file", None))
    if getattr(pf, "is_added_file", False):
        old = None
    if getattr(pf, "is_removed_file", False):
        new = None
    if old is not None and new is not None and not _is_git(pf):
        old = new  # plain diff -u: old name is a backup copy, not a rename
    hunks: list[Hunk] = []
    for uh in pf:  # type: ignore[attr-defined]
        lines: list[HunkLine] = []
        for ul in uh:
            kind: LineKind = "+" if ul.is_added else "-" if ul.is_removed else " "
            if ul.line_type in ("\\", ""):
                continue  # a "\\ No newline" marker, or a blank line after the hunk
            lines.append(HunkLine(kind, ul.value.rstrip("\n").rstrip("\r")))
        hunks.append(
            Hunk(
                uh.source_start,
                uh.source_length,
                uh.target_start,
                uh.target_length,
                uh.section_header.strip(),
                lines,
            )
        )
    return FilePatch(old, new, hunks)


def _is_git(pf: object) -> bool:
    info = getattr(pf, "patch_info", None) or []
    return any(str(ln).startswith("diff --git ") for ln in info)


@dataclass
class _FileState:
    old: str | None = None
    new: str | None = None
    git: bool = False
    created: bool = False
    deleted: bool = False
    hunks: list[Hunk] = field(default_factory=list)

    def finish(self) -> FilePatch:
        old = None if self.created else self.old
        new = None if self.deleted else self.new
        if old is not None and new is not None and not self.git:
            old = new
        return FilePatch(old, new, self.hunks)


def _lenient(text: str, source: str) -> tuple[list[FilePatch], list[str]]:
    """Read a damaged diff; line texts lose leading whitespace (it is unreliable).
    Returns the files and notes on hunks read with a repair."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the last newline ends a line; it does not start one
    files: list[FilePatch] = []
    notes: list[str] = []
    bodies: dict[int, int] = {}
    current: _FileState | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        git = _GIT_HEADER.match(line)
        if git:
            if current is not None:
                files.append(current.finish())
            current = _FileState(_strip_prefix(git.group(1)), _strip_prefix(git.group(2)), True)
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            old = _strip_prefix(line[4:].split("\t")[0])
            new = _strip_prefix(lines[i + 1][4:].split("\t")[0])
            if current is None or current.hunks:
                if current is not None:
                    files.append(current.finish())
                current = _FileState(old, new)
            else:
                current.old, current.new = old, new
            current.created = current.created or old is None
            current.deleted = current.deleted or new is None
            i += 1
        elif current is not None and line.startswith("new file mode"):
            current.created = True
        elif current is not None and line.startswith("deleted file mode"):
            current.deleted = True
        elif current is not None and line.startswith("rename to "):
            current.new = printable(line[len("rename to ") :].strip())
        elif (header := HUNK_HEADER.match(line)) is not None:
            if current is None:
                raise InputError(
                    source,
                    f"hunk without a file header at line {i + 1}",
                    "the diff is cut; copy it again from the start",
                )
            start = i
            hunk, i = _lenient_hunk(lines, i, header)
            path = current.new or current.old or "?"
            seen = (hunk.old_len, hunk.new_len)
            note = check_lenient_hunk(lines, start, path, len(current.hunks) + 1, seen, i, source)
            if note:
                notes.append(note)
            bodies[start] = i
            current.hunks.append(hunk)
            continue
        i += 1
    if current is not None:
        files.append(current.finish())
    refuse_strays_outside(lines, bodies, source)
    return [f for f in files if f.hunks], notes


def _lenient_hunk(lines: list[str], i: int, header: re.Match[str]) -> tuple[Hunk, int]:
    """Read the hunk whose header is ``lines[i]``; return it and the next line index."""
    old_start, new_start = int(header.group(1)), int(header.group(3))
    old_len = int(header.group(2)) if header.group(2) is not None else 1
    new_len = int(header.group(4)) if header.group(4) is not None else 1
    body: list[HunkLine] = []
    old_seen = new_seen = 0
    i += 1
    while i < len(lines) and (old_seen < old_len or new_seen < new_len):
        line = lines[i]
        if is_boundary(lines, i):
            break
        if line.startswith("\\"):
            i += 1
            continue
        kind: LineKind = " "
        text = line
        if line.startswith("+") and new_seen < new_len:
            kind, text = "+", line[1:]
        elif line.startswith("-") and old_seen < old_len:
            kind, text = "-", line[1:]
        if kind != "-":
            new_seen += 1
        if kind != "+":
            old_seen += 1
        body.append(HunkLine(kind, text.strip()))
        i += 1
    while (
        body
        and body[-1].kind == " "
        and not body[-1].text
        and (old_seen > old_len or new_seen > new_len)
    ):
        body.pop()
        old_seen, new_seen = old_seen - 1, new_seen - 1
    hunk = Hunk(old_start, old_seen, new_start, new_seen, header.group(5).strip(), body)
    return hunk, i
