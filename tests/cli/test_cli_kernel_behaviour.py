"""Behaviour changes in real 6.12 mm/ functions come out DIFFERENT with a counterexample
that names the ordering point, and the value another CPU wrote there (issue 12, part 3).
The loop classes (a dropped ``continue``, a ``continue`` that skips the increment) are
in test_cli_kernel_loops.py and test_cli_kernel_check.py."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.run import PATCHES, run

KERNEL = PATCHES / "kernel"


def _check(tree: Path, patch: str, name: str) -> tuple[int, dict[str, object]]:
    result = run("check", "--tree", tree, KERNEL / patch, "--format", "json", "--function", name)
    assert result.err == "", result.err
    funcs = {f["function"]: f for f in json.loads(result.out)["functions"]}
    return result.status, funcs[name]


def _inputs(func: dict[str, object]) -> dict[str, object]:
    counterexample = func["counterexample"]
    assert isinstance(counterexample, dict)
    inputs = counterexample["inputs"]
    assert isinstance(inputs, dict)
    return inputs


def test_read_moved_across_smp_rmb(kernel_tree: Path) -> None:
    status, func = _check(
        kernel_tree, "swapfile-get-device-max-before-rmb.patch", "get_swap_device"
    )
    assert (status, func["verdict"]) == (1, "different"), func["reason"]
    inputs = _inputs(func)
    # si->max as read before the barrier, and as another CPU left it at smp_rmb()
    assert "si->max after smp_rmb()" in inputs and "si->max" in inputs
    assert inputs["si->max after smp_rmb()"] != inputs["si->max"]


def test_unlock_moved_before_a_write(kernel_tree: Path) -> None:
    status, func = _check(kernel_tree, "shmem-free-inode-unlock-early.patch", "shmem_free_inode")
    assert (status, func["verdict"]) == (1, "different"), func["reason"]
    assert "at _raw_spin_unlock() differs: field ->free_ispace" in str(func["reason"])
    assert "sbinfo->free_ispace after _raw_spin_unlock()" in _inputs(func)


def test_trylock_moved_before_the_flag_it_must_follow(kernel_tree: Path) -> None:
    status, func = _check(
        kernel_tree, "filemap-lock-async-trylock-first.patch", "__folio_lock_async"
    )
    assert (status, func["verdict"]) == (1, "different"), func["reason"]
    reason = str(func["reason"])
    assert "folio_set_waiters() and folio_trylock() run in the other order" in reason
    assert "ordering point" in reason


def test_helper_returning_the_wrong_bool_on_one_branch(kernel_tree: Path) -> None:
    status, func = _check(kernel_tree, "memory-should-zap-cows-no-details.patch", "should_zap_cows")
    assert (status, func["verdict"]) == (1, "different"), func["reason"]
    assert _inputs(func) == {"details": 0}
    counterexample = func["counterexample"]
    assert isinstance(counterexample, dict)
    assert (counterexample["before"], counterexample["after"]) == ("returns 1", "returns 0")
