"""The seed's change written by hand against the real 6.12 ``mm/rmap.c``, checked in
two-file mode (issue 11): the tree's file is the before file, our patch applied to it
the after file. The refactor is proved by comparing only the changed part of
``try_to_unmap_one``; slips in it that change what the function does are DIFFERENT."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from equivcheck.frontend.patch.apply import apply_patch
from equivcheck.frontend.workset import load_patches
from tests.cli.run import PATCHES, run, verdicts

KERNEL = PATCHES / "kernel"


def _files(kernel_tree: Path, tmp_path: Path, patch: str) -> tuple[Path, Path]:
    before = (kernel_tree / "mm" / "rmap.c").read_text()
    [parsed] = load_patches(KERNEL / patch)
    after = apply_patch({"mm/rmap.c": before}, parsed)["mm/rmap.c"]
    assert after is not None and after != before
    paths = tmp_path / "rmap-before.c", tmp_path / "rmap-after.c"
    paths[0].write_text(before)
    paths[1].write_text(after)
    return paths


def test_seed_by_hand_is_equivalent(kernel_tree: Path, tmp_path: Path) -> None:
    before, after = _files(kernel_tree, tmp_path, "rmap-seed-by-hand.patch")
    found = verdicts("--before", before, "--after", after)
    assert found == {"ttu_lazyfree_folio": "equivalent", "try_to_unmap_one": "equivalent"}


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ("rmap-seed-by-hand-always-swapbacked.patch", "folio_set_swapbacked"),
        ("rmap-seed-by-hand-no-rmb.patch", "smp_rmb"),
    ],
)
def test_seed_by_hand_slips_are_different(
    kernel_tree: Path, tmp_path: Path, patch: str, needle: str
) -> None:
    before, after = _files(kernel_tree, tmp_path, patch)
    result = run("check", "--before", before, "--after", after, "--format", "json")
    assert result.status == 1, result.err
    funcs = {f["function"]: f for f in json.loads(result.out)["functions"]}
    caller = funcs["try_to_unmap_one"]
    assert caller["verdict"] == "different", caller["reason"]
    assert needle in caller["reason"]
    assert caller["inlined"] == ["ttu_lazyfree_folio"]


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ("rmap-seed-by-hand-wrong-count.patch", "set_pte_at()"),
        ("rmap-seed-by-hand-walk-done.patch", "return values differ"),
    ],
)
def test_seed_by_hand_exit_slips_are_different_from_the_function_start(
    kernel_tree: Path, tmp_path: Path, patch: str, needle: str
) -> None:
    # The changed part exits differently from some state (to walk_abort, not on): a
    # search of the whole function through the part's lines finds a run from the
    # function's own start that shows it, well within the budget.
    before, after = _files(kernel_tree, tmp_path, patch)
    result = run("check", "--before", before, "--after", after, "--format", "json")
    assert result.status == 1, result.err
    funcs = {f["function"]: f for f in json.loads(result.out)["functions"]}
    caller = funcs["try_to_unmap_one"]
    assert caller["verdict"] == "different", caller["reason"]
    assert needle in caller["reason"]
    assert "whole function run from its start" in caller["reason"]
    assert "walk_abort" in caller["reason"]  # (what the part alone showed)
    assert caller["time_s"] < 30, caller["time_s"]
