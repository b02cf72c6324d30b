"""What the tool is, as a cache key sees it: its version and the digest of its own code
and data (every file of the ``equivcheck`` package), so a cached answer is never served
by a build of the tool that would not have given it."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from equivcheck import __version__

_PACKAGE = Path(__file__).resolve().parent
_KINDS = {".py", ".json", ".toml", ".txt", ".cfg"}


@functools.cache
def tool_fingerprint() -> str:
    """``VERSION+DIGEST``: the version and a sha256 over the package's files."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix not in _KINDS or "__pycache__" in path.parts or not path.is_file():
            continue
        digest.update(str(path.relative_to(_PACKAGE)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{__version__}+{digest.hexdigest()[:24]}"
