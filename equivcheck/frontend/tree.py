"""A Linux source tree: opening it, reading files, typedef names for light mode.

``header_typedef_names`` serves an unconfigured tree: without a translation unit the
parser still needs to know which identifiers are types, so the headers are scanned with
a fast lexical pass and the result is cached (keyed by the tree path and the mtimes of the
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
from itertools import pairwise
from pathlib import Path

from equivcheck.errors import InputError
from equivcheck.frontend.gnuc.scan import split_top_level
from equivcheck.frontend.unit import kbuild
from equivcheck.frontend.vocabulary import C_KEYWORDS, KERNEL_ANNOTATIONS

# Folders whose headers hold the typedefs a kernel .c file usually sees (x86_64).
TYPEDEF_DIRS = ("include/linux", "include/asm-generic", "include/uapi", "arch/x86/include")

_C_WORDS = C_KEYWORDS | KERNEL_ANNOTATIONS
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_TYPEDEF = re.compile(r"\btypedef\b")
_FUNC_PTR = re.compile(r"\(\s*\*\s*(?:const\s+)?([A-Za-z_]\w*)\s*\)")
_IDENT = re.compile(r"[A-Za-z_]\w*")
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


def _top_tokens(text: str) -> list[str]:
    """Identifiers and whole bracket groups (``(...)``, ``[...]``) at the top level."""
    tokens: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth, j = 0, i
            while j < len(text):
                depth += text[j] in "(["
                depth -= text[j] in ")]"
                j += 1
                if depth == 0:
                    break
            tokens.append(text[i:j])
            i = j
        elif ch.isalpha() or ch == "_":
            m = _IDENT.match(text, i)
            assert m is not None
            tokens.append(m.group())
            i = m.end()
        else:
            i += 1
    return tokens


def _declarator_name(text: str) -> str | None:
    """The name a typedef declarator introduces: ``(*NAME)(...)``, ``NAME[...]``,
    ``NAME(...)``, or the last identifier once ``__attr(...)`` groups are dropped."""
    m = _FUNC_PTR.search(text)
    if m:
        return m.group(1)
    kept: list[str] = []
    for tok in _top_tokens(text):
        if tok[0] == "(" and kept and kept[-1].startswith("__"):
            kept.pop()  # an attribute macro such as __aligned(8) or __attribute__((...))
        else:
            kept.append(tok)
    if kept and kept[-1][0] not in "([" and kept[-1] not in _C_WORDS:
        return kept[-1]  # the usual case, also ``typedef MACRO(args) name;``
    for before, group in pairwise(kept):
        if group[0] in "([" and before[0] not in "([":
            if before.isupper() and group[0] == "(":  # typedef DECLARE_BITMAP(name, n);
                inner = _IDENT.search(group)
                return inner.group() if inner else None
            return before if before not in _C_WORDS else None  # NAME(...) or NAME[...]
    return None


def typedef_names_in(source: str) -> set[str]:
    """Names introduced by ``typedef`` in ``source`` (one C header), found lexically, plus
    macros that stand for a basic type (``#define pgoff_t unsigned long`` in 6.12)."""
    text = _COMMENT.sub(" ", source)
    names: set[str] = {m.group(1) for m in _TYPE_MACRO.finditer(text)}
    for m in _TYPEDEF.finditer(text):
        depth, i, last_brace = 0, m.end(), -1
        while i < len(text):
            ch = text[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                last_brace = i
                if depth < 0:
                    break
            elif ch == ";" and depth == 0:
                break
            elif ch == "#" and depth == 0 and text[i - 1] == "\n":
                break  # a directive before the ';': a macro's body, not a declaration
            i += 1
        if i >= len(text) or text[i] != ";":
            continue
        body = text[last_brace + 1 : i] if last_brace >= 0 else text[m.end() : i]
        for piece in split_top_level(body):
            name = _declarator_name(piece.replace("\\\n", " "))
            if name:
                names.add(name)
    return names


def _headers(root: Path, dirs: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for rel in dirs:
        base = root / rel
        if base.is_dir():
            found.extend(sorted(base.rglob("*.h")))
    return found


def _dir_key(root: Path, dirs: Iterable[str]) -> list[float]:
    keys = []
    for rel in ("include", *dirs):
        try:
            keys.append((root / rel).stat().st_mtime)
        except OSError:
            keys.append(0.0)
    return keys


@dataclass(frozen=True)
class KernelTree:
    """An opened Linux source tree (``root`` is absolute)."""

    root: Path

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
        return kbuild.preprocess(self.root, c_path, text, keep_macros_for, overlay)

    def scan_typedefs(self, cache_dir: Path | None = None) -> TypedefScan:
        """Typedef names of the tree's headers (:data:`TYPEDEF_DIRS`), cached on disk."""
        start = time.perf_counter()
        cache = (cache_dir or kbuild.default_cache_dir()) / "typedefs"
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        path = cache / f"{digest}.json"
        key = _dir_key(self.root, TYPEDEF_DIRS)
        try:
            data = json.loads(path.read_text())
            if data.get("tree") == str(self.root) and data.get("key") == key:
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
        names = frozenset(found)
        try:
            cache.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache, prefix=".typedefs-", suffix=".json")
            with os.fdopen(fd, "w") as fh:
                json.dump({"tree": str(self.root), "key": key, "names": sorted(names)}, fh)
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
