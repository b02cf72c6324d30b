"""Pure parts of kbuild.py: parsing make output, argv rewriting, markers, blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.unit import kbuild

GCC = (
    "gcc -Wp,-MMD,mm/.rmap.o.d -nostdinc -I./arch/x86/include -I./include "
    "-include ./include/linux/kconfig.h -D__KERNEL__ -O2 "
    "-DKBUILD_MODFILE='\\''\"mm/rmap\"'\\'' -DKBUILD_BASENAME='\\''\"rmap\"'\\'' "
    "-c -o mm/rmap.o mm/rmap.c"
)
MAKE_N_LINE = (
    "set -e; echo '# CC      mm/rmap.o'; echo '  " + GCC + "  ';   trap 'rm -f mm/rmap.o; "
    "trap - HUP; kill -s HUP $$' HUP; "
    + GCC
    + "; printf '%s\\n' 'savedcmd_mm/rmap.o := "
    + GCC
    + "  ' > mm/.rmap.o.cmd; rm -f mm/.rmap.o.d"
)
ARGV = [
    "gcc",
    "-Wp,-MMD,mm/.rmap.o.d",
    "-nostdinc",
    "-I./arch/x86/include",
    "-I./include",
    "-include",
    "./include/linux/kconfig.h",
    "-D__KERNEL__",
    "-O2",
    '-DKBUILD_MODFILE="mm/rmap"',
    '-DKBUILD_BASENAME="rmap"',
    "-c",
    "-o",
    "mm/rmap.o",
    "mm/rmap.c",
]


def test_parse_make_n_takes_the_echoed_command() -> None:
    output = "make -f ./scripts/Makefile.build obj=mm\n" + MAKE_N_LINE + "\n:\n"
    assert kbuild.parse_make_n(output) == {"mm/rmap.c": ARGV}


def test_parse_make_n_ignores_other_recipes() -> None:
    line = "set -e; echo '# AR      mm/built-in.a'; echo '  rm -f mm/built-in.a'; rm -f x"
    assert kbuild.parse_make_n(line) == {}


def test_parse_make_n_stops_at_a_chained_command() -> None:
    gcc = "gcc -O2 -c -o a/b.o a/b.c; ./tools/objtool/objtool --link a/b.o"
    line = f"set -e; echo '# CC [M]  a/b.o'; echo '  {gcc}'; {gcc}"
    assert kbuild.parse_make_n(line) == {"a/b.c": ["gcc", "-O2", "-c", "-o", "a/b.o", "a/b.c"]}


def test_parse_saved_cmd() -> None:
    text = "savedcmd_mm/rmap.o := " + GCC.replace("'\\''", "'") + "\n\nsource_mm/rmap.o := x\n"
    assert kbuild.parse_saved_cmd(text) == ARGV
    assert kbuild.parse_saved_cmd("deps_x := y\n") is None


def test_cpp_argv_drops_object_options_and_adds_e() -> None:
    argv = kbuild.cpp_argv(ARGV, "mm/rmap.c")
    assert argv[:2] == ["gcc", "-E"]
    assert "-c" not in argv and "-o" not in argv and "mm/rmap.o" not in argv
    assert not any(a.startswith("-Wp,-MMD") for a in argv)
    assert argv[-1] == "mm/rmap.c" and argv.count("mm/rmap.c") == 1


def test_cpp_argv_places_overlay_includes_before_kbuild_ones() -> None:
    argv = kbuild.cpp_argv(
        ARGV,
        "/tmp/o/mm/rmap.c",
        include_first=["-I/tmp/o/./include"],
        include_last=["-iquote", "mm"],
        forced={"./include/linux/kconfig.h": "/tmp/o/./include/linux/kconfig.h"},
    )
    assert argv.index("-I/tmp/o/./include") < argv.index("-I./arch/x86/include")
    assert argv[-3:] == ["-iquote", "mm", "/tmp/o/mm/rmap.c"]
    assert argv[argv.index("-include") + 1] == "/tmp/o/./include/linux/kconfig.h"


def test_rewrite_markers() -> None:
    text = (
        '# 0 "/tmp/x/o/mm/rmap.c"\nint a;\n# 1 "/tmp/x/o/./include/linux/rmap.h" 1\nb "/tmp/x/o/"'
    )
    out = kbuild.rewrite_markers(text, {"/tmp/x/o/mm/rmap.c": "mm/rmap.c"}, {"/tmp/x/o/": ""})
    assert out.split("\n") == [
        '# 0 "mm/rmap.c"',
        "int a;",
        '# 1 "./include/linux/rmap.h" 1',
        'b "/tmp/x/o/"',
    ]


def test_insert_blocks_keeps_line_numbers() -> None:
    text = "a\nb\nc"
    out = kbuild.insert_blocks("x.c", text, {2: "#define B\n", 4: "#undef B\n"})
    assert out == 'a\n#define B\n#line 2 "x.c"\nb\nc\n#undef B\n'


def test_parse_config_and_config_of() -> None:
    config = kbuild.parse_config("CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\n")
    assert config == {"CONFIG_A": "y", "CONFIG_C": "m"}
    makefile = "obj-y += a.o\nobj-$(CONFIG_THP) += huge_memory.o \\\n\tkhugepaged.o\n"
    assert kbuild._config_of(makefile, "khugepaged.o") == "CONFIG_THP"
    assert kbuild._config_of(makefile, "a.o") is None


def test_unconfigured_tree_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "mm").mkdir()
    (tmp_path / "mm" / "rmap.c").write_text("int x;\n")
    assert not kbuild.is_configured(tmp_path)
    with pytest.raises(InputError, match="not configured"):
        kbuild.compile_command(tmp_path, "mm/rmap.c", cache_dir=tmp_path / "cache")


def test_missing_and_non_c_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        kbuild.compile_command(tmp_path, "mm/nope.c", cache_dir=tmp_path)
    with pytest.raises(InputError, match=r"not a \.c file"):
        kbuild.compile_command(tmp_path, "mm/internal.h", cache_dir=tmp_path)
