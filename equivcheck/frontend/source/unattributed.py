"""Changes a patch makes outside every function: macros, declarations, data, types.

Comparing functions alone would miss them, yet they can change what the functions
mean (a ``#define`` the function uses, a struct layout, a global's initializer). They
are listed so that no later stage calls such a patch equivalent on the strength of its
functions alone. Comment-only and whitespace-only changes are not listed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from equivcheck.frontend.model import Patch
from equivcheck.frontend.patch.hunkwalk import starts_in_comment, walk
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.frontend.source.light import strip_comments

_C_FILE = re.compile(r"\.[ch]$")


@dataclass(frozen=True)
class Unattributed:
    """One changed line outside any function (``line`` in the named side's file)."""

    file: str
    line: int
    side: str
    text: str


def unattributed_changes(
    patch: Patch,
    before: Mapping[str, str] | None = None,
    after: Mapping[str, str] | None = None,
) -> list[Unattributed]:
    """Code changes outside function definitions, from whole texts when given (exact),
    else from the hunks (as far as they show which function a line belongs to).
    Changes to files other than C sources and headers (Kconfig, Makefiles, scripts)
    are listed too; those under ``Documentation/`` are not."""
    found: list[Unattributed] = []
    for fp in patch.files:
        if fp.path.startswith("Documentation/"):
            continue  # prose: cannot change what the code does
        if not _C_FILE.search(fp.path):
            found.append(Unattributed(fp.path, 0, "after", "a file that is not C source"))
            continue
        if before is not None or after is not None:
            old = (before or {}).get(fp.old_path or "", "")
            new = (after or {}).get(fp.new_path or "", "")
            found.extend(_from_texts(fp.path, old, new))
        else:
            found.extend(_from_hunks(patch, fp.path))
    return found


def _outside(text: str) -> list[tuple[int, str]]:
    """(line number, normalised code) of every line outside function definitions."""
    inside: set[int] = set()
    for func in find_functions(text):
        inside.update(range(func.start_line, func.end_line + 1))
    lines = strip_comments(text).split("\n")
    out = []
    for number, line in enumerate(lines, start=1):
        code = " ".join(line.split())
        if code and number not in inside:
            out.append((number, code))
    return out


def _from_texts(path: str, old: str, new: str) -> list[Unattributed]:
    before, after = _outside(old), _outside(new)
    matcher = difflib.SequenceMatcher(
        a=[c for _, c in before], b=[c for _, c in after], autojunk=False
    )
    found = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for number, code in after[j1:j2]:
            found.append(Unattributed(path, number, "after", code))
        for number, code in before[i1:i2]:
            found.append(Unattributed(path, number, "before", code))
    return found


def _from_hunks(patch: Patch, path: str) -> list[Unattributed]:
    found = []
    fp = next(f for f in patch.files if f.path == path)
    for hunk in fp.hunks:
        sides = {"-": walk(hunk, "old", patch.damaged), "+": walk(hunk, "new", patch.damaged)}
        for kind, side in sides.items():
            texts = [ln.text for ln in side.lines]
            if not texts:
                continue  # a side with no lines (new or deleted file, diff -U0)
            # A hunk may open inside a comment: reopen it so its tail is not code.
            opener = "/*" if starts_in_comment(texts) else ""
            comment_free = strip_comments(opener + "\n".join(texts))[len(opener) :].split("\n")
            for ln, code in zip(side.lines, comment_free, strict=True):
                if hunk.lines[ln.index].kind != kind or side.owner.get(ln.index):
                    continue
                if code.strip():
                    found.append(
                        Unattributed(
                            path,
                            ln.lineno,
                            "after" if kind == "+" else "before",
                            " ".join(code.split()),
                        )
                    )
    return found


_QUOTED_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.MULTILINE)
MAX_HEADERS = 64


def local_headers(text: str, include_dirs: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """The headers a file includes with quotes (``#include "common.h"``), and those
    they include in turn: by the name written, the path found (in ``include_dirs``,
    the file's own first) and the text."""
    found: dict[str, tuple[str, str]] = {}
    todo = [(m.group(1), include_dirs) for m in _QUOTED_INCLUDE.finditer(text)]
    while todo and len(found) < MAX_HEADERS:
        name, dirs = todo.pop(0)
        if name in found:
            continue
        for folder in dirs:
            path = Path(folder) / name
            if path.is_file():
                body = path.read_text(encoding="utf-8", errors="replace")
                found[name] = (str(path), body)
                # (a header's own quoted includes are looked for beside it first)
                inner = (str(path.parent), *include_dirs)
                todo += [(m.group(1), inner) for m in _QUOTED_INCLUDE.finditer(body)]
                break
    return found


def header_changes(
    before: tuple[str, tuple[str, ...]], after: tuple[str, tuple[str, ...]]
) -> list[Unattributed]:
    """The lines in which the headers the two versions of a file include differ (two
    files in different folders, each with its own ``common.h``): changes outside every
    function, as a patch's to a header would be. Comments and blank lines aside."""
    old, new = local_headers(*before), local_headers(*after)
    out: list[Unattributed] = []
    for name in sorted(set(old) | set(new)):
        (old_path, old_text), (new_path, new_text) = (
            old.get(name, ("", "")),
            new.get(name, ("", "")),
        )
        if old_text == new_text:
            continue
        a = [line.strip() for line in strip_comments(old_text).splitlines()]
        b = [line.strip() for line in strip_comments(new_text).splitlines()]
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            out += [
                Unattributed(old_path or name, i + 1, "before", a[i]) for i in range(i1, i2) if a[i]
            ]
            out += [
                Unattributed(new_path or name, j + 1, "after", b[j]) for j in range(j1, j2) if b[j]
            ]
    return out
