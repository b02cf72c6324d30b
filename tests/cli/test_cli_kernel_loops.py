"""Changes inside the page walk loop of the real 6.12 ``folio_referenced_one()``
(issue 11): its local ``pvmw`` is passed by address to ``page_vma_mapped_walk()`` in the
loop's condition and to ``page_vma_mapped_walk_done()`` inside it. Only the changed part
is compared (grown to the loop body when a smaller part cannot decide), with ``pvmw``
in memory as the function keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.run import PATCHES, run

KERNEL = PATCHES / "kernel"


def _check(tree: Path, patch: str) -> tuple[int, dict[str, object]]:
    result = run("check", "--tree", tree, KERNEL / patch, "--format", "json")
    assert result.err == "", result.err
    [func] = json.loads(result.out)["functions"]
    assert func["function"] == "folio_referenced_one"
    return result.status, func


@pytest.mark.parametrize(
    "patch", ["rmap-referenced-locked-inverted.patch", "rmap-referenced-exiting-split.patch"]
)
def test_refactor_in_the_walk_loop_is_equivalent(kernel_tree: Path, patch: str) -> None:
    status, func = _check(kernel_tree, patch)
    assert (status, func["verdict"]) == (0, "equivalent"), func["reason"]
    assert "changed part" in str(func["reason"])


def test_dropped_continue_in_the_walk_loop_is_different(kernel_tree: Path) -> None:
    status, func = _check(kernel_tree, "rmap-referenced-locked-no-continue.patch")
    assert (status, func["verdict"]) == (1, "different"), func["reason"]
    # decided on the loop body, where continue and the body's end lead to one place
    assert "grown" in str(func["reason"])
    assert "atomic_read" in str(func["reason"])


def test_difference_from_an_unreachable_start_is_not_reported(kernel_tree: Path) -> None:
    # address = pvmw.address opens the loop body: the pte test alone sees them differ,
    # the loop body does not: pvmw's address goes only to calls, and the calls in
    # between are not passed it (assumption A9).
    status, func = _check(kernel_tree, "rmap-referenced-walk-address.patch")
    assert (status, func["verdict"]) == (0, "equivalent"), func["reason"]
    assert "grown" in str(func["reason"])
    assert any(str(a).startswith("A9") for a in func["assumptions"])
