"""changed_functions, from the patch alone and from before/after texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from equivcheck.frontend.model import FunctionChange, Patch
from equivcheck.frontend.patch.apply import apply_patch, apply_series
from equivcheck.frontend.patch.read import read_patches
from equivcheck.frontend.source.functions import changed_functions

SRC = "src/ringbuf.c"


def _patches(fixtures_dir: Path, name: str) -> list[Patch]:
    path = fixtures_dir / "patches" / name
    return read_patches(path.read_bytes(), name)


def _fc(function: str, status: str, detail: str, file: str = SRC) -> FunctionChange:
    return FunctionChange(file, function, status, detail)  # type: ignore[arg-type]


def test_seed_patch_alone(fixtures_dir: Path) -> None:
    seed = fixtures_dir / "seed" / "000_7b8ea4c1cd114cf9.txt"
    [patch] = read_patches(seed.read_bytes(), str(seed))
    assert changed_functions(patch) == [
        _fc("ttu_lazyfree_folio", "added", "new function", "mm/rmap.c"),
        _fc("try_to_unmap_one", "changed", "hunks 2, 3; calls ttu_lazyfree_folio", "mm/rmap.c"),
    ]


@pytest.mark.parametrize("name", ["format-patch.patch", "damaged.txt"])
def test_helper_extraction_patch_alone(fixtures_dir: Path, name: str) -> None:
    [patch] = _patches(fixtures_dir, name)
    assert changed_functions(patch) == [
        _fc("ring_full", "added", "new function"),
        _fc("ring_push", "changed", "hunk 1; calls ring_full"),
    ]


def test_series_patch_alone(fixtures_dir: Path) -> None:
    patches = _patches(fixtures_dir, "series.mbox")
    assert [changed_functions(p) for p in patches[1:]] == [
        [_fc("ring_pop", "changed", "hunk 1")],
        [_fc("ring_reset", "changed", "hunk 1; whitespace only")],
    ]


def test_plain_diff_with_function_names(fixtures_dir: Path) -> None:
    [patch] = _patches(fixtures_dir, "plain.diff")
    assert changed_functions(patch) == [_fc("ring_pop", "changed", "hunk 1")]


def test_with_texts_finds_affected_callers(fixtures_dir: Path) -> None:
    before = {SRC: (fixtures_dir / "patches" / "src" / "ringbuf.c").read_text()}
    patches = _patches(fixtures_dir, "series.mbox")
    results = apply_series(before, patches)
    after1 = {SRC: results[0][SRC] or ""}
    assert changed_functions(patches[0], before, after1) == [
        _fc("ring_full", "added", "new function"),
        _fc("ring_push", "changed", "calls ring_full"),
        _fc("sys_ring_push", "affected", "calls ring_push"),
    ]
    after3 = {SRC: results[2][SRC] or ""}
    after2 = {SRC: results[1][SRC] or ""}
    assert changed_functions(patches[2], after2, after3) == [
        _fc("ring_reset", "changed", "whitespace only"),
    ]


def test_with_texts_removed_function() -> None:
    before = {
        "a.c": "static int gone(void)\n{\n\treturn 1;\n}\n\nint kept(void)\n{\n\treturn 2;\n}\n"
    }
    after = {"a.c": "int kept(void)\n{\n\treturn 2;\n}\n"}
    diff = (
        "--- a/a.c\n+++ b/a.c\n@@ -1,9 +1,4 @@\n-static int gone(void)\n-{\n"
        "-\treturn 1;\n-}\n-\n int kept(void)\n {\n \treturn 2;\n }\n"
    )
    [patch] = read_patches(diff.encode(), "rm.diff")
    assert changed_functions(patch, before, after) == [_fc("gone", "removed", "", "a.c")]
    assert changed_functions(patch) == [_fc("gone", "removed", "", "a.c")]


def test_non_c_files_are_skipped() -> None:
    diff = "--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old\n+new\n"
    [patch] = read_patches(diff.encode(), "doc.diff")
    assert changed_functions(patch) == []


@pytest.mark.kernel
def test_kernel_patches(kernel_tree: Path, fixtures_dir: Path) -> None:
    rmap = {"mm/rmap.c": (kernel_tree / "mm" / "rmap.c").read_text()}
    kdir = fixtures_dir / "patches" / "kernel"
    rename = read_patches((kdir / "rmap-rename-label.patch").read_bytes(), "r")[0]
    extract = read_patches((kdir / "rmap-extract-helper.patch").read_bytes(), "e")[0]
    assert changed_functions(rename) == [
        _fc("try_to_unmap_one", "changed", "hunks 1, 2, 3", "mm/rmap.c")
    ]
    after1 = {"mm/rmap.c": apply_patch(rmap, rename)["mm/rmap.c"] or ""}
    after2 = {"mm/rmap.c": apply_patch(after1, extract)["mm/rmap.c"] or ""}
    assert changed_functions(extract, after1, after2) == [
        _fc("lazyfree_can_drop", "added", "new function", "mm/rmap.c"),
        _fc("try_to_unmap_one", "changed", "calls lazyfree_can_drop", "mm/rmap.c"),
    ]
