"""Compile one C text to an object file, never writing into a kernel tree.

Two ways:

- **tree mode**: kbuild's own compile command for the file
  (:func:`equivcheck.frontend.unit.kbuild.compile_command`), run from the tree root on a
  scratch copy of the file: ``-o`` goes to the scratch folder, the dependency file
  option (``-Wp,-MMD,...``) is dropped, ``-iquote DIR`` keeps ``#include "local.h"``
  working and ``-fmacro-prefix-map`` keeps ``__FILE__`` as kbuild has it. Changed
  headers can be given as an overlay, searched before the tree's own;
- **plain files** (fixtures, two-file mode): ``gcc FLAGS -c``, with the flag sets of
  :data:`FLAG_SETS` (kernel-like, plain ``-O2``, ``-O0``). The text is compiled from a
  scratch copy, so the directory the file came from is given back with ``-iquote``
  (``#include "common.h"`` beside it) and the caller's include directories with ``-I``.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from equivcheck.errors import InputError
from equivcheck.frontend.unit.kbuild import compile_command

KERNEL_LIKE = ("-O2", "-fno-pic", "-mcmodel=kernel", "-fno-asynchronous-unwind-tables")
PLAIN = ("-O2",)
UNOPTIMISED = ("-O0",)

FLAG_SETS: dict[str, tuple[str, ...]] = {
    "kernel": KERNEL_LIKE,
    "kernel-O0": ("-O0", *KERNEL_LIKE[1:]),
    "plain": PLAIN,
    "O0": UNOPTIMISED,
}

COMPILE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class CompileResult:
    """An object file, or the reason there is none (``error``)."""

    object_path: Path | None
    error: str = ""
    seconds: float = 0.0
    command: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the object was written."""
        return self.object_path is not None


def _run(argv: list[str], cwd: Path | None, out: Path, started: float) -> CompileResult:
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=COMPILE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CompileResult(None, f"compiler did not run: {exc}", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or not out.is_file():
        lines = [
            ln for ln in proc.stderr.splitlines() if " error: " in ln or " fatal error: " in ln
        ]
        lines = lines or proc.stderr.splitlines()
        first = lines[0].strip() if lines else f"exit status {proc.returncode}"
        return CompileResult(None, f"compile failed: {first}", seconds, argv)
    return CompileResult(out, "", seconds, argv)


def search_dirs(own_dir: Path | None, include_dirs: Sequence[Path] = ()) -> list[str]:
    """The options that let a scratch copy find its headers: ``-iquote`` the directory
    the file came from (quoted includes beside it), ``-I`` each of ``include_dirs``
    (in order). Directories are made absolute: the compiler runs elsewhere."""
    words: list[str] = []
    if own_dir is not None:
        words += ["-iquote", str(own_dir.absolute())]
    for directory in include_dirs:
        words += ["-I", str(directory.absolute())]
    return words


def compile_plain(
    text: str,
    workdir: Path,
    flags: Sequence[str] = KERNEL_LIKE,
    name: str = "unit",
    compiler: str = "gcc",
    *,
    own_dir: Path | None = None,
    include_dirs: Sequence[Path] = (),
) -> CompileResult:
    """Compile a stand-alone C text with ``compiler FLAGS -c`` into ``workdir``.

    ``own_dir`` is the directory the text was read from (searched for quoted includes,
    as if the file were compiled where it lies); ``include_dirs`` are searched for
    every include (``-I``), after it.
    """
    started = time.perf_counter()
    if shutil.which(compiler) is None:
        return CompileResult(None, f"{compiler} not found", 0.0)
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / f"{name}.c"
    source.write_text(text)
    out = workdir / f"{name}.o"
    dirs = search_dirs(own_dir, include_dirs)
    argv = [compiler, *flags, "-w", *dirs, "-c", "-o", str(out), str(source)]
    return _run(argv, None, out, started)


def preprocess_plain(
    text: str,
    workdir: Path,
    flags: Sequence[str],
    name: str,
    own_dir: Path | None = None,
    include_dirs: Sequence[Path] = (),
    compiler: str = "gcc",
) -> str:
    """The text after ``compiler FLAGS -E`` with the same search directories as
    :func:`compile_plain` (the headers' declarations give the callees' prototypes);
    the text itself when it does not preprocess (the compile then says why)."""
    if shutil.which(compiler) is None:
        return text
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / f"{name}-cpp.c"
    source.write_text(text)
    argv = [compiler, *flags, "-w", *search_dirs(own_dir, include_dirs), "-E", str(source)]
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=COMPILE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return text
    return proc.stdout if proc.returncode == 0 and proc.stdout else text


def tree_argv(argv: Sequence[str], scratch_source: Path, out: Path, rel: str) -> list[str]:
    """kbuild's compile argv for ``rel``, rewritten to compile ``scratch_source`` into
    ``out`` (no dependency file, local includes and ``__FILE__`` as in the tree)."""
    words = list(argv)
    original = words[-1]
    result = [words[0]]
    i = 1
    while i < len(words):
        word = words[i]
        if word.startswith(("-Wp,-MMD,", "-Wp,-MD,")):
            i += 1
            continue
        if word == "-o":
            result += ["-o", str(out)]
            i += 2
            continue
        if i == len(words) - 1 and word == original:
            break
        result.append(word)
        i += 1
    scratch_root = str(scratch_source)[: -len(rel)]
    quote_dir = Path(rel).parent.as_posix() or "."
    result += ["-iquote", quote_dir, f"-fmacro-prefix-map={scratch_root}="]
    result.append(str(scratch_source))
    return result


def _with_overlay(argv: list[str], root: Path) -> list[str]:
    """Search ``root/DIR`` before each kbuild ``-IDIR`` (changed headers win)."""
    extra = [
        f"-I{root}/{w[2:].removeprefix('./')}" for w in argv if w.startswith("-I") and len(w) > 2
    ]
    for i, word in enumerate(argv):
        if word.startswith("-I"):
            return argv[:i] + extra + argv[i:]
    return argv


def compile_tree_file(
    tree: Path,
    rel: str,
    text: str,
    workdir: Path,
    overlay: Mapping[str, str] | None = None,
    tag: str = "unit",
) -> CompileResult:
    """Compile ``text`` as the tree file ``rel`` with kbuild's command, in ``workdir``.

    ``overlay`` maps tree-relative header paths to new contents. The tree is only read.
    """
    started = time.perf_counter()
    try:
        argv = compile_command(tree, rel)
    except InputError as err:
        return CompileResult(None, err.one_line(), time.perf_counter() - started)
    root = workdir / tag
    source = root / rel
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text)
    overlay_root = workdir / f"{tag}-overlay"
    for path, content in (overlay or {}).items():
        target = overlay_root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    out = workdir / f"{tag}.o"
    cmd = tree_argv(argv, source, out, rel)
    if overlay:
        cmd = _with_overlay(cmd, overlay_root)
    return _run(cmd, tree, out, started)
