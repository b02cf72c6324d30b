"""What a cached answer read from disk, and whether it still reads the same.

A cache entry that was computed from files (a preprocessed unit from its headers, a
verdict from its units) keeps a :class:`FileState` of each: a file by its size, mtime
and content digest, a folder by the digest of its listing (a header added to a folder
of the include path can shadow another). :func:`still_holds` checks them: a file whose
size and mtime are unchanged is taken as unchanged (as make and ccache do); one whose
stat changed is hashed again, so touching a file costs a re-hash, not a miss.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_MISSING = "-"
_MARKER = re.compile(r'^# \d+ "([^"]+)"', re.MULTILINE)


@dataclass(frozen=True)
class FileState:
    """A file or folder as it was read: ``path`` (absolute, or relative to the root the
    entry was recorded against), and for a file its size, mtime (ns) and sha256; for a
    folder (``size == -1``) the sha256 of its sorted listing. A path that did not exist
    has the digest ``-``."""

    path: str
    size: int
    mtime_ns: int
    digest: str


def _listing_digest(folder: Path) -> str:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return _MISSING
    return hashlib.sha256("\0".join(names).encode(errors="surrogateescape")).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return _MISSING


def state_of(root: Path, path: str) -> FileState:
    """The state of ``path`` (relative to ``root`` unless absolute) now."""
    full = root / path
    try:
        st = full.stat()
    except OSError:
        return FileState(path, 0, 0, _MISSING)
    if full.is_dir():
        return FileState(path, -1, 0, _listing_digest(full))
    return FileState(path, st.st_size, st.st_mtime_ns, _file_digest(full))


def stat_key(paths: Iterable[Path]) -> str:
    """A digest of each path with its size and mtime (a missing file marked so): a
    file edited in place, added or removed gives another key. Cheaper than
    :func:`record`, which also reads contents; for keys of whole sets of files."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            st = path.stat()
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode(errors="replace"))
        except OSError:
            digest.update(f"{path}\0-\n".encode(errors="replace"))
    return digest.hexdigest()


# A file changed this recently before a read may have changed during it (timestamps
# are coarse on some file systems): what was read from it is not kept.
RECENT_NS = 2_000_000_000


def search_folders(paths: Iterable[str], search_dirs: Sequence[str]) -> set[str]:
    """For each file found under a folder of the include search path (``-I``), the
    folder at the same place under every other folder of the path: a header created
    there later would be found first (or instead)."""
    dirs = [d.removeprefix("./").rstrip("/") for d in search_dirs if d]
    found: set[str] = set()
    for path in paths:
        clean = path.removeprefix("./")
        for base in dirs:
            if clean.startswith(base + "/"):
                sub = os.path.dirname(clean[len(base) + 1 :])
                found |= {os.path.join(other, sub) if sub else other for other in dirs}
    return found


def record(
    root: Path,
    paths: Iterable[str],
    search_dirs: Sequence[str] = (),
    since_ns: int | None = None,
) -> tuple[FileState, ...] | None:
    """The states of ``paths``, of the folders that hold them and of the folders the
    include search path would look in first (:func:`search_folders`), sorted by path.
    None when a file changed less than :data:`RECENT_NS` before ``since_ns`` or after
    it (it may have changed while it was read)."""
    wanted = set(paths)
    wanted |= {os.path.dirname(p) or "." for p in list(wanted)}
    wanted |= search_folders(list(wanted), search_dirs)
    states = tuple(state_of(root, p) for p in sorted(wanted))
    if since_ns is not None and any(
        st.size >= 0 and st.mtime_ns >= since_ns - RECENT_NS for st in states
    ):
        return None
    return states


def include_dirs(argv: Sequence[str]) -> list[str]:
    """The folders a compile command searches for headers (``-I``, ``-iquote``,
    ``-isystem``), in order."""
    found: list[str] = []
    words = list(argv)
    for at, word in enumerate(words):
        if word in ("-I", "-iquote", "-isystem") and at + 1 < len(words):
            found.append(words[at + 1])
        elif word.startswith("-I") and len(word) > 2:
            found.append(word[2:])
    return found


def still_holds(root: Path, states: Sequence[FileState]) -> bool:
    """True when every recorded file and folder still reads as it did."""
    for old in states:
        full = root / old.path
        if old.size == -1:
            if _listing_digest(full) != old.digest:
                return False
            continue
        try:
            st = full.stat()
        except OSError:
            if old.digest != _MISSING:
                return False
            continue
        if old.digest == _MISSING:
            return False
        if st.st_size == old.size and st.st_mtime_ns == old.mtime_ns:
            continue
        if st.st_size != old.size or _file_digest(full) != old.digest:
            return False
    return True


def marker_files(unit: str) -> set[str]:
    """The files a preprocessed unit was read from: the paths its line markers name
    (``# 12 "include/linux/mm.h" 1``), without gcc's pseudo-files."""
    return {name for name in _MARKER.findall(unit) if not name.startswith("<")}
