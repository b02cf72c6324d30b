"""Compiling one C text to an object (gcc), and kbuild's command rewritten for a
scratch copy (no angr needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from equivcheck.binary.compile import FLAG_SETS, compile_plain, tree_argv

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
