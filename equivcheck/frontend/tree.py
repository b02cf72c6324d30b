"""A Linux source tree: opening it, reading files, typedef names for light mode.

``header_typedef_names`` serves an unconfigured tree: without a translation unit the
parser still needs to know which identifiers are types, so the headers are scanned with
the token scan a translation unit gets (:mod:`equivcheck.frontend.gnuc.typedefs`) and the
result is cached (keyed by the scan's version, the tree path and the mtimes of the
scanned folders).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from equivcheck.errors import InputError
from equivcheck.frontend.gnuc.typedefs import declared_typedef_names
from equivcheck.frontend.unit import kbuild
from equivcheck.frontend.unit.filestate import stat_key

# Folders whose headers hold the typedefs a kernel .c file usually sees (x86_64).
TYPEDEF_DIRS = ("include/linux", "include/asm-generic", "include/uapi", "arch/x86/include")

# Bumped when the scan finds other names: a cached result of an older scan is not used.
_SCAN_VERSION = 3
# The folder (in the cache folder) of the typedef names kept per tree.
TYPEDEF_CACHE = "typedefs"
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# A directive with its continuation lines (a typedef in a macro's body declares nothing).
_DIRECTIVE = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
_TYPE_MACRO = re.compile(
    r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+"
    r"(?:(?:unsigned|signed|long|int|short|char|_Bool|void)[ \t]*)+$",
    re.M,
)


@dataclass(frozen=True)
class TypedefScan:
    """Typedef names found in a tree's headers, how long it took, and whether the result
    came from the cache."""

    names: frozenset[str]
    seconds: float
    cached: bool


def typedef_names_in(source: str) -> set[str]:
    """Names introduced by ``typedef`` in ``source`` (one C header), found by the token
    scan a preprocessed unit gets (:func:`gnuc.typedefs.declared_typedef_names`) once
    comments are gone, plus macros that stand for a basic type (``#define pgoff_t
    unsigned long`` in 6.12)."""
    text = _COMMENT.sub(" ", source)
    macros = {m.group(1) for m in _TYPE_MACRO.finditer(text)}
    return macros | declared_typedef_names(_DIRECTIVE.sub("", text), file_scope=False)


def _headers(root: Path, dirs: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for rel in dirs:
        base = root / rel
        if base.is_dir():
            found.extend(sorted(base.rglob("*.h")))
    return found


def _headers_key(root: Path, dirs: Iterable[str]) -> str:
    """A digest of every scanned header's path, size and mtime: a header edited in
    place, added or removed (in any subfolder) is another key."""
    return stat_key(_headers(root, dirs))


@dataclass(frozen=True)
class KernelTree:
    """An opened Linux source tree (``root`` is absolute); ``units`` is the folder
    that keeps preprocessed units across runs (None: none kept)."""

    root: Path
    units: Path | None = None

    @property
    def is_git(self) -> bool:
        """True when the tree is a git checkout."""
        return (self.root / ".git").exists()

    @property
    def configured(self) -> bool:
        """True when ``.config`` and ``include/generated/autoconf.h`` exist."""
        return kbuild.is_configured(self.root)

    def inside(self, path: str | Path) -> Path:
        """``path`` (relative to the root) as a path in the tree. An absolute path or a
        ``..`` component is an InputError (a patch naming ``../../etc/passwd`` must not
        make us read or write there). Symlinks the tree itself holds are followed, as
        make follows them (a tree may be a view of symlinked folders); a patch cannot
        create one, since patches are applied in memory."""
        rel = Path(path)
        if rel.is_absolute() or ".." in rel.parts:
            raise InputError(
                str(path),
                f"is outside the kernel tree {self.root}",
                "a patch may only name files inside the tree (relative, no '..')",
            )
        return self.root / rel

    def read(self, path: str | Path) -> str:
        """The text of a tree file given relative to the root; InputError if missing
        or outside the tree (:meth:`inside`)."""
        full = self.inside(path)
        try:
            return full.read_text(errors="surrogateescape")
        except FileNotFoundError:
            raise InputError(
                str(path), "no such file in the kernel tree", f"tree: {self.root}"
            ) from None
        except OSError as exc:
            raise InputError(str(path), f"cannot read: {exc.strerror}") from None

    def compile_command(self, c_path: str | Path) -> list[str]:
        """kbuild's compile argv for ``c_path`` (see :func:`kbuild.compile_command`)."""
        return kbuild.compile_command(self.root, c_path)

    def preprocess(
        self,
        c_path: str | Path,
        text: str | None = None,
        keep_macros_for: Iterable[str] = (),
        overlay: Mapping[str, str] | None = None,
    ) -> kbuild.Preprocessed:
        """``c_path`` preprocessed as kbuild does (see :func:`kbuild.preprocess`)."""
        return kbuild.preprocess(
            self.root, c_path, text, keep_macros_for, overlay, units=self.units
        )

    def scan_typedefs(self, cache_dir: Path | None = None) -> TypedefScan:
        """Typedef names of the tree's headers (:data:`TYPEDEF_DIRS`), cached on disk."""
        start = time.perf_counter()
        cache = (cache_dir or kbuild.default_cache_dir()) / TYPEDEF_CACHE
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        path = cache / f"{digest}.json"
        key = _headers_key(self.root, TYPEDEF_DIRS)
        try:
            data = json.loads(path.read_text())
            if (data.get("version"), data.get("tree"), data.get("key")) == (
                _SCAN_VERSION,
                str(self.root),
                key,
            ):
                names = frozenset(data["names"])
                return TypedefScan(names, time.perf_counter() - start, True)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        found: set[str] = set()
        for header in _headers(self.root, TYPEDEF_DIRS):
            try:
                found |= typedef_names_in(header.read_text(errors="replace"))
            except OSError:
                continue
        names = frozenset(sorted(found))  # (one order, however found: see docs/scale.md)
        try:
            cache.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache, prefix=".typedefs-", suffix=".json")
            with os.fdopen(fd, "w") as fh:
                json.dump(
                    {
                        "version": _SCAN_VERSION,
                        "tree": str(self.root),
                        "key": key,
                        "names": sorted(names),
                    },
                    fh,
                )
            os.replace(tmp, path)
        except OSError:
            pass
        return TypedefScan(names, time.perf_counter() - start, False)

    def header_typedef_names(self, cache_dir: Path | None = None) -> frozenset[str]:
        """Typedef names for light mode (see :meth:`scan_typedefs`)."""
        return self.scan_typedefs(cache_dir).names


def looks_like_kernel_tree(path: Path) -> bool:
    """True when ``path`` has a top ``Makefile``, ``mm/`` and ``include/linux/``."""
    return (
        (path / "Makefile").is_file()
        and (path / "mm").is_dir()
        and (path / "include/linux").is_dir()
    )


def open_tree(path: str | Path) -> KernelTree:
    """Open the kernel tree at ``path``; InputError if it is missing or not a kernel tree."""
    root = Path(path).expanduser()
    if not root.exists():
        raise InputError(str(path), "no such directory", "give the root of a Linux source tree")
    if not root.is_dir():
        raise InputError(str(path), "not a directory", "give the root of a Linux source tree")
    if not looks_like_kernel_tree(root):
        raise InputError(
            str(path),
            "not a Linux kernel tree (needs Makefile, mm/ and include/linux/)",
            "give the top folder of the kernel sources",
        )
    return KernelTree(root.resolve())
