"""Union members by layout on real 6.12 mm/ code (issue 12, part 2): ``mlock_count``
shares its bytes with ``folio->lru.prev``. A write to one before a list operation on
the other is DIFFERENT, with the clobbered value; the same reads and writes of the
member rearranged are EQUIVALENT."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.run import PATCHES, run

KERNEL = PATCHES / "kernel"


def _check(tree: Path, patch: str) -> tuple[int, dict[str, dict[str, object]]]:
    result = run("check", "--tree", tree, KERNEL / patch, "--format", "json")
    assert result.err == "", result.err
    return result.status, {f["function"]: f for f in json.loads(result.out)["functions"]}


def test_member_written_before_a_list_operation_on_the_other_is_different(
    kernel_tree: Path,
) -> None:
    status, funcs = _check(kernel_tree, "mlock-count-before-del.patch")
    func = funcs["__mlock_folio"]
    assert (status, func["verdict"]) == (1, "different"), func["reason"]
    reason = str(func["reason"])
    # list_del() poisons lru.prev after the count was written there: the before
    # version leaves the count over the poison, the after version the poison alone
    assert "union storage at entry->prev" in reason
    assert "0xdead000000000001 before, 0xdead000000000122 after" in reason
    assert "shared with (struct folio)->mlock_count" in reason
    assert "list_del" in str(func["inlined"])
    assert all(f["verdict"] != "equivalent" for f in funcs.values())


def test_the_same_member_accesses_in_one_condition_are_equivalent(kernel_tree: Path) -> None:
    status, funcs = _check(kernel_tree, "mlock-count-decrement-once.patch")
    assert status == 0, funcs
    assert funcs["__munlock_folio"]["verdict"] == "equivalent"


def test_a_write_before_an_add_to_the_list_is_never_equivalent(kernel_tree: Path) -> None:
    status, funcs = _check(kernel_tree, "mlock-union-write-reordered.patch")
    func = funcs["__mlock_new_folio"]
    assert status in (1, 2) and func["verdict"] != "equivalent", func
    assert "(struct folio)->mlock_count" in str(func["reason"])
