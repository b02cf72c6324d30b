"""check on the real Linux 6.12 tree: whole functions, patch series, counterexamples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from equivcheck.equiv.check import check_patches
from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionChange
from equivcheck.frontend.tree import open_tree
from equivcheck.frontend.workset import FunctionWork, PatchWork

from .run import PATCHES, run

pytestmark = pytest.mark.kernel
KERNEL = PATCHES / "kernel"


def _check(kernel_tree: Path, patch: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = run("check", patch, "--tree", kernel_tree, "--format", "json", *extra)
    assert result.err == "", result.err
    return result.status, json.loads(result.out)


def test_seed_style_refactor_of_6_12_is_equivalent(kernel_tree: Path, tmp_path: Path) -> None:
    series = tmp_path / "series.mbox"
    series.write_text(
        (KERNEL / "rmap-rename-label.patch").read_text()
        + (KERNEL / "rmap-extract-helper.patch").read_text()
    )
    status, doc = _check(kernel_tree, series)
    assert status == 0, doc
    rows = [(f["patch_index"], f["function"], f["status"], f["verdict"]) for f in doc["functions"]]  # type: ignore[union-attr]
    assert rows == [
        (1, "try_to_unmap_one", "changed", "equivalent"),
        (2, "lazyfree_can_drop", "added", "equivalent"),
        (2, "try_to_unmap_one", "changed", "equivalent"),
    ]
    caller = doc["functions"][2]  # type: ignore[index]
    assert caller["inlined"] == ["lazyfree_can_drop"]
    assert caller["mode"] == "tree"


def test_later_upstream_form_is_different_with_counterexample(kernel_tree: Path) -> None:
    status, doc = _check(kernel_tree, KERNEL / "rmap-lazyfree-upstream-form.patch")
    assert status == 1, doc
    [func] = doc["functions"]  # type: ignore[misc]
    assert func["function"] == "try_to_unmap_one" and func["verdict"] == "different"
    assert "folio_set_swapbacked" in func["reason"]
    example = func["counterexample"]
    # (named as the compared part reads them: a call's result "after smp_rmb()" is
    # the value read past that barrier; a larger part reads the counts itself)
    seen = {**example["inputs"], **example["call_results"]}

    def value(*prefixes: str) -> int:
        [found] = [v for k, v in seen.items() if k.startswith(prefixes)]
        return int(found)

    assert value("folio_test_dirty(folio)") == 0  # a clean folio
    refs = value("ref_count", "folio_ref_count(folio)")
    maps = value("map_count", "folio_mapcount(folio)")
    assert refs != maps + 1  # with an extra reference
    droppable = 1 << 40  # VM_DROPPABLE in 6.12's x86_64 defconfig
    assert value("vma->vm_flags") & droppable == 0  # not droppable
    assert func["before_location"].startswith("mm/rmap.c:")


def test_every_rmap_function_against_itself_is_equivalent(kernel_tree: Path) -> None:
    tree = open_tree(kernel_tree)
    pre = tree.preprocess("mm/rmap.c")
    funcs = [f for f in gnuc.cut_all_functions(pre.text, "mm/rmap.c") if f.file == "mm/rmap.c"]
    works = [
        FunctionWork(FunctionChange("mm/rmap.c", f.name, "changed"), "tree", f, f) for f in funcs
    ]
    results = check_patches([PatchWork("self-check", None, works)])
    assert len(results) == len(funcs) > 50
    assert {r.verdict for r in results} == {"equivalent"}, [
        (r.function, r.reason) for r in results if r.verdict != "equivalent"
    ]


def test_loop_rewrite_for_to_while_is_equivalent(kernel_tree: Path) -> None:
    status, doc = _check(kernel_tree, KERNEL / "rmap-loop-for-to-while.patch")
    assert status == 0, doc
    verdicts = {f["function"]: f["verdict"] for f in doc["functions"]}  # type: ignore[union-attr]
    assert verdicts["__folio_add_anon_rmap"] == "equivalent"


def test_do_while_rewrite_is_proved_by_the_inductive_rule(kernel_tree: Path) -> None:
    """The canonical IR cannot match these loops (the step moves into the body, the
    count becomes a test): the inductive rule proves them, and only because the
    unmodelled atomic_inc_and_test() returns a bool as its prototype says."""
    status, doc = _check(kernel_tree, KERNEL / "rmap-loop-do-while-body.patch")
    assert status == 0, doc
    rows = {f["function"]: f for f in doc["functions"]}  # type: ignore[union-attr]
    assert rows["__folio_add_rmap"]["verdict"] == "equivalent"
    assert "inductive loop rule" in rows["__folio_add_rmap"]["reason"]
    assert {f["verdict"] for f in rows.values()} == {"equivalent"}


def test_do_while_rewrite_running_once_more_is_different(kernel_tree: Path) -> None:
    status, doc = _check(
        kernel_tree, KERNEL / "rmap-loop-do-while-off-by-one.patch", "--budget", "10"
    )
    assert status == 1, doc
    rows = {f["function"]: f for f in doc["functions"]}  # type: ignore[union-attr]
    assert rows["__folio_add_rmap"]["verdict"] == "different"
    assert "atomic_inc_and_test" in rows["__folio_add_rmap"]["reason"]
    assert all(f["verdict"] != "equivalent" for f in rows.values())


def test_continue_skipping_the_increment_is_different(kernel_tree: Path, tmp_path: Path) -> None:
    series = tmp_path / "loops.mbox"
    series.write_text(
        (KERNEL / "rmap-loop-add-continue.patch").read_text()
        + (KERNEL / "rmap-loop-continue-skips-increment.patch").read_text()
    )
    status, doc = _check(kernel_tree, series)
    assert status == 1, doc
    second = [
        f
        for f in doc["functions"]  # type: ignore[union-attr]
        if f["patch_index"] == 2 and f["function"] == "__folio_add_anon_rmap"
    ]
    assert second and second[0]["verdict"] == "different"
    assert "never ends" in second[0]["reason"]
    # no verdict on any function of the series is EQUIVALENT by mistake
    assert all(
        f["verdict"] != "equivalent" or f["function"] == "folio_add_anon_rmap_pmd"
        for f in doc["functions"]  # type: ignore[union-attr]
    )


def test_swap_with_an_inline_callee_uses_its_inferred_footprint(kernel_tree: Path) -> None:
    status, doc = _check(kernel_tree, KERNEL / "rmap-swap-hiwater-uffd.patch")
    assert status == 0, doc
    [func] = doc["functions"]  # type: ignore[misc]
    assert func["verdict"] == "equivalent"
    # Without CONFIG_PTE_MARKER_UFFD_WP the callee's body is empty: read from the unit,
    # it writes nothing and returns, a value rather than an event, so nothing moved
    # across anything (no reordering to accept).
    assert func["reorderings"] == []
    inferred = [a for a in func["assumptions"] if a.startswith("footprint of pte_install_uffd_wp")]
    assert inferred and "mm_inline.h" in inferred[0]
    assert inferred[0].endswith("writes nothing; a value, not an event")
