"""A function's result does not depend on what the process compared before it: each
comparison runs in a z3 context of its own, and its queries are limited in z3's
resource units, not on the clock (symex/solver.py). Before, a long-lived process (a
test run, a Dask worker, ``--function`` against a whole run) could give another
counterexample, or UNKNOWN for DIFFERENT, from the same input.

The subject is a mutant whose counterexample's values changed from one run to the next
in one process before (z3 numbers a new term with a freed one's number, and the cycle
collector freed terms at moments other allocations decided)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from equivcheck.equiv.check import FunctionResult, check_patches
from equivcheck.frontend.workset import from_patch_file

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "engine"
SUBJECT = CORPUS / "mutants" / "14-counter-sign.patch"
OTHERS = [CORPUS / "mutants" / "01-drop-rmb.patch", CORPUS / "refactors"]


def _results(patch: Path) -> list[dict[str, object]]:
    return [_plain(r) for r in check_patches(from_patch_file(patch, None))]


def _plain(result: FunctionResult) -> dict[str, object]:
    return {k: v for k, v in dataclasses.asdict(result).items() if k != "time_s"}


def test_a_result_is_the_same_after_other_comparisons_in_the_process() -> None:
    first = _results(SUBJECT)
    assert any(r["verdict"] == "different" and r["counterexample"] for r in first), first
    _results(OTHERS[0])
    for patch in sorted(OTHERS[1].glob("*.patch"))[:3]:
        _results(patch)
    assert _results(SUBJECT) == first
    junk = [[object()] for _ in range(50_000)]  # (other allocations between)
    assert _results(SUBJECT) == first
    del junk
