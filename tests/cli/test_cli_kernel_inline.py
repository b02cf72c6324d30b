"""Refactors of real 6.12 mm/ functions that call the kernel's inline helpers
(issue 12, part 1). Each patch (fixtures/patches/kernel/, README there) is checked
against the configured tree: the helper is seen through, either as a value (its body
writes nothing and always returns, so how many times it is called does not matter) or
inlined from the translation unit when the versions call different functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.run import PATCHES, run

KERNEL = PATCHES / "kernel"


def _check(tree: Path, patch: str) -> tuple[int, dict[str, dict[str, object]]]:
    result = run("check", "--tree", tree, KERNEL / patch, "--format", "json")
    assert result.err == "", result.err
    return result.status, {f["function"]: f for f in json.loads(result.out)["functions"]}


def test_value_helper_cached_in_a_local(kernel_tree: Path) -> None:
    # folio_pos(folio) three times, against once into a local of its type (loff_t,
    # which the compiler resolves: the comparisons keep their signedness)
    status, funcs = _check(kernel_tree, "filemap-uptodate-pos-cached.patch")
    func = funcs["filemap_range_uptodate"]
    assert (status, func["verdict"]) == (0, "equivalent"), func["reason"]
    assert funcs["filemap_update_page"]["verdict"] == "equivalent"


def test_pure_same_file_helper_called_twice(kernel_tree: Path) -> None:
    status, funcs = _check(kernel_tree, "memory-should-zap-cows-twice.patch")
    func = funcs["should_zap_folio"]
    assert (status, func["verdict"]) == (0, "equivalent"), func["reason"]
    assumptions = " ".join(map(str, func["assumptions"]))
    assert "footprint of should_zap_cows() inferred from its body" in assumptions
    assert "a value, not an event" in assumptions
    # the unchanged callers lean on it
    assert {funcs[n]["verdict"] for n in ("zap_present_ptes", "zap_pte_range")} == {"equivalent"}


def test_the_same_helper_with_the_test_inverted_is_different(kernel_tree: Path) -> None:
    status, funcs = _check(kernel_tree, "memory-should-zap-cows-wrong.patch")
    func = funcs["should_zap_folio"]
    assert (status, func["verdict"]) == (1, "different"), func["reason"]
    assert "return" in str(func["reason"])


def test_trylock_page_against_folio_trylock_of_page_folio(kernel_tree: Path) -> None:
    status, funcs = _check(kernel_tree, "memory-restore-exclusive-folio-trylock.patch")
    func = funcs["try_restore_exclusive_pte"]
    assert (status, func["verdict"]) == (0, "equivalent"), func["reason"]
    [inlined] = func["inlined"]
    assert str(inlined).startswith("trylock_page (from the translation unit")
    assert "include/linux/pagemap.h" in str(inlined)


@pytest.mark.parametrize("patch", ["swap-deactivate-lru-gen-stub.patch"])
def test_configuration_stub_returning_false(kernel_tree: Path, patch: str) -> None:
    # CONFIG_LRU_GEN is not set in x86_64_defconfig: lru_gen_enabled() is `return false;`
    status, funcs = _check(kernel_tree, patch)
    func = funcs["lru_deactivate"]
    assert (status, func["verdict"]) == (0, "equivalent"), func["reason"]
    assert any("lru_gen_enabled" in str(n) and "mm_inline.h" in str(n) for n in func["inlined"])


def test_an_affected_caller_the_configuration_compiles_out_is_its_own_unknown(
    kernel_tree: Path,
) -> None:
    # get_swappiness is under CONFIG_LRU_GEN (unset): it is not compared, and says why;
    # the run goes on and the other rows keep their verdicts
    status, funcs = _check(kernel_tree, "vmscan-can-demote-merged-tests.patch")
    assert status == 2
    assert funcs["can_demote"]["verdict"] == "equivalent", funcs["can_demote"]["reason"]
    compiled_out = funcs["get_swappiness"]
    assert compiled_out["verdict"] == "unknown"
    assert "configuration does not compile it" in str(compiled_out["reason"])
    assert {funcs[n]["verdict"] for n in ("shrink_folio_list", "can_age_anon_pages")} == {
        "equivalent"
    }


def test_a_system_call_is_compared_through_the_function_holding_its_body(
    kernel_tree: Path,
) -> None:
    # SYSCALL_DEFINE3(madvise, ...) compiles to __do_sys_madvise, which holds the body
    status, funcs = _check(kernel_tree, "madvise-syscall-mm-local.patch")
    func = funcs["sys_madvise"]
    assert (status, func["verdict"]) == (0, "equivalent"), func["reason"]
