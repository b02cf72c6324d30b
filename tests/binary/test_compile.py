"""Compiling one C text to an object (gcc), and kbuild's command rewritten for a
scratch copy (no angr needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from equivcheck.binary.compile import (
    FLAG_SETS,
    PLAIN,
    compile_plain,
    preprocess_plain,
    search_dirs,
    tree_argv,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "binary"
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@needs_gcc
@pytest.mark.parametrize("flags", sorted(FLAG_SETS))
def test_fixture_compiles_with_every_flag_set(tmp_path: Path, flags: str) -> None:
    text = (FIXTURES / "lazyfree.c").read_text()
    result = compile_plain(text, tmp_path, FLAG_SETS[flags], name="lazyfree")
    assert result.ok, result.error
    assert result.object_path is not None and result.object_path.stat().st_size > 0
    assert "-c" in result.command and FLAG_SETS[flags][0] in result.command


@needs_gcc
def test_compile_error_is_a_reason(tmp_path: Path) -> None:
    result = compile_plain("int f(void) { return undeclared; }\n", tmp_path)
    assert not result.ok
    assert result.error.startswith("compile failed:") and "undeclared" in result.error


USES_HEADER = '#include "common.h"\n#include <extra.h>\nint f(void) { return LOCAL_K + EXTRA_K; }\n'


def _folder(root: Path, name: str, local_k: int) -> Path:
    """A folder holding ``common.h`` (``LOCAL_K``), as a file's own directory."""
    folder = root / name
    folder.mkdir()
    (folder / "common.h").write_text(f"#define LOCAL_K {local_k}\n")
    return folder


@needs_gcc
def test_quoted_includes_are_found_in_the_files_own_directory(tmp_path: Path) -> None:
    """The scratch copy loses its directory: ``own_dir`` gives it back (-iquote), and
    ``include_dirs`` add more (-I); before and after may live in different folders."""
    old, new = _folder(tmp_path, "old", 1), _folder(tmp_path, "new", 2)
    extra = tmp_path / "inc"
    extra.mkdir()
    (extra / "extra.h").write_text("#define EXTRA_K 40\n")
    lost = compile_plain(USES_HEADER, tmp_path / "w0", PLAIN, name="lost")
    assert not lost.ok and "common.h" in lost.error
    for own, name in ((old, "before"), (new, "after")):
        result = compile_plain(
            USES_HEADER, tmp_path / "w", PLAIN, name=name, own_dir=own, include_dirs=(extra,)
        )
        assert result.ok, result.error
    # Each version reads its own folder's header (the unit gives the prototypes too).
    units = [
        preprocess_plain(USES_HEADER, tmp_path / "w", PLAIN, name, own, (extra,))
        for own, name in ((old, "before"), (new, "after"))
    ]
    assert "return 1 + 40;" in units[0] and "return 2 + 40;" in units[1]
    # A quoted include is looked for in the file's folder first, -I after it.
    assert search_dirs(old, (extra,)) == ["-iquote", str(old), "-I", str(extra)]


@needs_gcc
def test_a_text_that_does_not_preprocess_is_its_own_unit(tmp_path: Path) -> None:
    assert preprocess_plain(USES_HEADER, tmp_path, PLAIN, "x") == USES_HEADER


def test_kbuild_command_is_rewritten_for_a_scratch_copy() -> None:
    argv = [
        "gcc",
        "-Wp,-MMD,mm/.rmap.o.d",
        "-nostdinc",
        "-I./include",
        "-O2",
        "-c",
        "-o",
        "mm/rmap.o",
        "mm/rmap.c",
    ]
    out = tree_argv(argv, Path("/scratch/before/mm/rmap.c"), Path("/scratch/before.o"), "mm/rmap.c")
    assert out[0] == "gcc" and out[-1] == "/scratch/before/mm/rmap.c"
    assert "-Wp,-MMD,mm/.rmap.o.d" not in out
    assert out[out.index("-o") + 1] == "/scratch/before.o"
    assert "mm/rmap.o" not in out and "mm/rmap.c" not in out
    assert out[out.index("-iquote") + 1] == "mm"
    assert "-fmacro-prefix-map=/scratch/before/=" in out
