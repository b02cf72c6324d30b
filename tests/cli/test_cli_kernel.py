"""End-to-end on the real Linux 6.12 tree: tree mode, kept macros, series, bad input."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from .run import PATCHES, SEED, assert_input_error, run

pytestmark = pytest.mark.kernel
KERNEL_PATCHES = PATCHES / "kernel"
RENAME = KERNEL_PATCHES / "rmap-rename-label.patch"
EXTRACT = KERNEL_PATCHES / "rmap-extract-helper.patch"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_functions_in_tree_mode(kernel_tree: Path) -> None:
    result = run("functions", RENAME, "--tree", kernel_tree, "--format", "json")
    assert result.status == 0, result
    rows = json.loads(result.out)["functions"]
    assert [(r["function"], r["status"], r["mode"]) for r in rows] == [
        ("try_to_unmap_one", "changed", "tree")
    ]


def test_label_rename_is_the_same_graph_and_tree_untouched(kernel_tree: Path) -> None:
    before = _digest(kernel_tree / "mm" / "rmap.c")
    result = run("ir-diff", RENAME, "--tree", kernel_tree)
    assert result.status == 0, result
    assert "same shape" in result.out
    assert _digest(kernel_tree / "mm" / "rmap.c") == before


def test_series_applies_patch_by_patch(kernel_tree: Path, tmp_path: Path) -> None:
    mbox = tmp_path / "series.mbox"
    mbox.write_text(RENAME.read_text() + EXTRACT.read_text())
    result = run("functions", mbox, "--tree", kernel_tree, "--format", "json")
    assert result.status == 0, result
    rows = json.loads(result.out)["functions"]
    assert [(r["patch_index"], r["function"], r["status"]) for r in rows] == [
        (1, "try_to_unmap_one", "changed"),
        (2, "lazyfree_can_drop", "added"),
        (2, "try_to_unmap_one", "changed"),
    ]
    after = run("ir", mbox, "lazyfree_can_drop", "--side", "after", "--tree", kernel_tree)
    assert after.status == 0, after
    assert "function lazyfree_can_drop(" in after.out


def test_patch_meant_for_another_tree_names_the_hunk(kernel_tree: Path) -> None:
    # The extraction is written on top of the rename: alone it does not apply to 6.12.
    result = run("functions", EXTRACT, "--tree", kernel_tree)
    assert_input_error(result, "mm/rmap.c", "hunk @@", "does not apply")
    seed = run("functions", SEED, "--tree", kernel_tree)
    assert_input_error(seed, "mm/rmap.c", "does not apply")


def test_kept_macros_reach_the_ir_with_real_lines(kernel_tree: Path) -> None:
    result = run("ir", "mm/rmap.c", "try_to_unmap_one", "--tree", kernel_tree)
    assert result.status == 0, result
    source = (kernel_tree / "mm" / "rmap.c").read_text().splitlines()
    counts = {"smp_mb": 0, "smp_rmb": 0, "set_pte_at": 0}
    for line in result.out.splitlines():
        match = re.search(r"call (smp_mb|smp_rmb|set_pte_at)\(.*# mm/rmap\.c:(\d+)$", line)
        if match:
            name, number = match.group(1), int(match.group(2))
            counts[name] += 1
            assert f"{name}(" in source[number - 1], (line, source[number - 1])
    assert counts == {"smp_mb": 1, "smp_rmb": 1, "set_pte_at": 6}
    assert "__ec_" not in result.out


def test_unconfigured_tree_is_light_mode(kernel_tree: Path, tmp_path: Path) -> None:
    view = tmp_path / "linux"
    view.mkdir()
    for name in ("Makefile", "mm", "include", "arch"):
        (view / name).symlink_to(kernel_tree / name)
    rows = json.loads(run("functions", RENAME, "--tree", view, "--format", "json").out)["functions"]
    assert [r["mode"] for r in rows] == ["light"]
    result = run("ir", "mm/rmap.c", "folio_referenced_one", "--tree", view)
    assert result.status == 0, result
    assert "function folio_referenced_one(" in result.out


def test_light_mode_refuses_ifdef_inside_a_function(kernel_tree: Path) -> None:
    result = run("ir", kernel_tree / "mm" / "rmap.c", "page_vma_mkclean_one")
    assert_input_error(result, "#ifdef", "--tree")


def test_file_outside_the_build(kernel_tree: Path) -> None:
    result = run("ir", "mm/huge_memory.c", "split_huge_pmd_locked", "--tree", kernel_tree)
    assert_input_error(result, "mm/huge_memory.c", "CONFIG_TRANSPARENT_HUGEPAGE")
