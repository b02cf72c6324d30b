"""Preprocessed units kept across runs (``<cache>/units``, a diskcache folder).

A unit is a pure function of the tool (its code keeps macros), the compiler and its
command, the file's text, the header texts overlaid on the tree, the macros kept, and
the tree files the preprocessor read. All but the last make the key; the last are
recorded with the entry (every file its line markers name, and their folders:
:mod:`filestate`) and checked on every hit, so a
header edited, added or removed in the tree since is a miss. Patches of a series that
leave a file as the next one finds it, and a second run over the same series, then
preprocess once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import diskcache

from equivcheck.fingerprint import tool_fingerprint
from equivcheck.frontend.unit.filestate import (
    FileState,
    include_dirs,
    marker_files,
    record,
    still_holds,
)

# Units are large (megabytes of text, a tenth of that compressed): the folder is kept
# under this many bytes, least recently used first out.
SIZE_LIMIT = 4 * 2**30


def unit_key(
    argv: Sequence[str],
    rel: str,
    text: str | None,
    names: Sequence[str],
    overlay: Mapping[str, str],
) -> str:
    """The key of a unit: everything that goes into the preprocessor but the tree."""
    parts = {
        "tool": tool_fingerprint(),
        "compiler": compiler_version(argv[0] if argv else "gcc"),
        "argv": list(argv),
        "file": rel,
        "text": text,
        "keep": list(names),
        "overlay": sorted(overlay.items()),
    }
    blob = json.dumps(parts, ensure_ascii=False).encode(errors="surrogateescape")
    return hashlib.sha256(blob).hexdigest()


@functools.cache
def compiler_version(compiler: str) -> str:
    """What ``compiler --version`` says (a new compiler predefines other macros)."""
    try:
        out = subprocess.run([compiler, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return out.stdout


def open_units(folder: Path) -> diskcache.Cache:
    """The unit cache in ``folder`` (created when missing)."""
    return diskcache.Cache(str(folder), size_limit=SIZE_LIMIT)


def lookup(folder: Path, key: str, root: Path) -> str | None:
    """The cached unit under ``key``, if its tree files still read as they did."""
    try:
        with open_units(folder) as cache:
            entry = cache.get(key)
    except Exception:  # a cache that cannot be read (corrupt, a folder...) only costs time
        return None
    if not isinstance(entry, dict):
        return None
    states: Sequence[FileState] = entry.get("files", ())
    if not isinstance(states, tuple) or not still_holds(root, states):
        return None
    try:
        text: str = zlib.decompress(entry["text"]).decode("utf-8", errors="surrogateescape")
    except (KeyError, TypeError, zlib.error):
        return None
    return text


def store(
    folder: Path, key: str, root: Path, unit: str, argv: Sequence[str], since_ns: int
) -> None:
    """Keep ``unit`` under ``key`` with the states of the tree files it read and of the
    folders the search path of ``argv`` looks in first; not when one of those files
    changed since ``since_ns`` (when the preprocessor started) or just before. A
    cache that cannot be written only costs time."""
    states = record(root, marker_files(unit), include_dirs(argv), since_ns)
    if states is None:
        return
    blob = zlib.compress(unit.encode("utf-8", errors="surrogateescape"), 6)
    try:
        with open_units(folder) as cache:
            cache.set(key, {"text": blob, "files": states})
    except Exception:
        pass
