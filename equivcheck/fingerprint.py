"""What the tool is, as a cache key sees it: its version, the digest of its own code and
data (every file of the ``equivcheck`` package) and the versions of the libraries whose
answers it reports (the solver, the parser), so a cached answer is never served by a
build of the tool that would not have given it."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

from equivcheck import __version__

_PACKAGE = Path(__file__).resolve().parent
_KINDS = {".py", ".json", ".toml", ".txt", ".cfg"}
# The libraries a verdict rests on (another z3 may find another counterexample).
_LIBRARIES = ("z3-solver", "pycparser")


def library_version(name: str) -> str:
    """The installed version of distribution ``name`` ("" when it is not installed)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


@functools.cache
def tool_fingerprint() -> str:
    """``VERSION+DIGEST``: the version, and a sha256 over the package's files and the
    libraries' versions."""
    digest = hashlib.sha256()
    for name in _LIBRARIES:
        digest.update(f"{name}=={library_version(name)}\0".encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix not in _KINDS or "__pycache__" in path.parts or not path.is_file():
            continue
        digest.update(str(path.relative_to(_PACKAGE)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{__version__}+{digest.hexdigest()[:24]}"
