"""Changes outside every function are found, from hunks and from whole texts."""

from __future__ import annotations

from pathlib import Path

from equivcheck.frontend.model import FilePatch, Patch
from equivcheck.frontend.patch.apply import apply_patch
from equivcheck.frontend.patch.read import read_patches
from equivcheck.frontend.source.unattributed import Unattributed, unattributed_changes

PATCHES = Path(__file__).resolve().parents[2] / "fixtures" / "patches"
EXPECTED = [
    Unattributed("src/ringbuf.c", 10, "after", "#define RING_SIZE 128"),
    Unattributed("src/ringbuf.c", 10, "before", "#define RING_SIZE 64"),
]


def _patch(name: str) -> Patch:
    [patch] = read_patches((PATCHES / name).read_bytes(), name)
    return patch


def test_macro_change_from_hunks_ignores_the_comment() -> None:
    found = unattributed_changes(_patch("macro-change.diff"))
    assert sorted(found, key=lambda u: u.side) == EXPECTED


def test_macro_change_from_whole_texts() -> None:
    patch = _patch("macro-change.diff")
    old = (PATCHES / "src" / "ringbuf.c").read_text()
    new = apply_patch({"src/ringbuf.c": old}, patch)["src/ringbuf.c"]
    assert new is not None
    found = unattributed_changes(patch, {"src/ringbuf.c": old}, {"src/ringbuf.c": new})
    assert sorted(found, key=lambda u: u.side) == EXPECTED


def test_changes_inside_functions_are_not_listed() -> None:
    assert unattributed_changes(_patch("format-patch.patch")) == []
    seed = PATCHES.parent / "seed" / "000_7b8ea4c1cd114cf9.txt"
    [patch] = read_patches(seed.read_bytes(), "seed")
    assert unattributed_changes(patch) == []


def test_global_initializer_and_struct_changes_are_listed() -> None:
    old = "struct s { int a; };\nstatic int g = 1;\nint f(void)\n{\n\treturn g;\n}\n"
    new = "struct s { long a; };\nstatic int g = 2;\nint f(void)\n{\n\treturn g;\n}\n"
    pseudo = Patch("x", [FilePatch("x.c", "x.c", [])])
    found = unattributed_changes(pseudo, {"x.c": old}, {"x.c": new})
    assert {(u.line, u.side) for u in found} == {
        (1, "after"),
        (2, "after"),
        (1, "before"),
        (2, "before"),
    }


def test_non_c_files_are_listed() -> None:
    pseudo = Patch("x", [FilePatch("Kconfig", "Kconfig", [])])
    assert unattributed_changes(pseudo, {}, {})[0].text == "a file that is not C source"
