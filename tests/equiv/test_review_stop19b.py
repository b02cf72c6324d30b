"""Second hostile review of stop 19 (fixtures/review-stop19b/README.md): confined
address-taken locals after the first review's fixes (commit 2146bbb). Each test asserts
the right verdict for ``f`` in tree mode (each whole file its own translation unit, the
only mode where locals are confined); where the engine proves a real difference away
the test is ``xfail(strict=True)`` with the cause, so a fix turns it into an unexpected
pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.equiv.review import ReviewCases, kernel_results

CASES = ReviewCases("review-stop19b")
FIXTURES = CASES.folder


# ------------------------------------------------------------ false EQUIVALENT at review

MISSED = {
    "member-array-stored": "escape.py: `gp = x.arr` stores a pointer into x (the array member "
    "decays), but _expr(Field) only walks the lvalue and yields no use of x",
    "member-array-plus-one-stored": "escape.py: `gp = x.arr + 1` (a decayed array member in "
    "arithmetic) names no `&`, so x stays confined",
    "helper-returns-member-array": "escape.py: the readable helper's `return p->arr` is a "
    "'deref' use of p (Field(Deref(Param))), though it returns a pointer into *p",
    "member-array-to-keeping-body": "escape.py: `keep(x.arr)` names no `&x`, so keep's body "
    "(gp = p) is never read for x; the engine names x only at that call",
    "helper-passes-address-of-param": "escape.py: `show(&p)` in a readable helper is taken as "
    "A9 for &p, but show may keep *(&p), which is &x",
    "helper-passes-address-of-param-to-body": "escape.py: as above with show's body in the unit "
    "(gp = *pp): *pp is a deref use of pp, and &p a confining argument; no A9 needed",
    "pointer-call-to-keeping-body": "escape.py: a call through a pointer is A9 (_confining: "
    "callee ''), though the pointer holds keep, whose body in the unit stores p",
    "memset-returns-argument": "escape.py: memset (a prototype only) is A9, but the C standard "
    "says it returns its first argument: gp == &x",
    "volatile-local-confined": "(borderline) a volatile local is confined like any other, so "
    "the volatile read after ext() is dropped; volatile locals are not read as volatile at all",
    "member-array-stored-not-address-taken": "(not confinement) x is never `&`-ed, so it is a "
    "register local; `gp = x.arr` lets ext() write x.a, which no call can reach",
}


STILL_MISSED = {"member-array-stored-not-address-taken"}
"""Of MISSED, what the engine still gets wrong (the others are fixed)."""


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=r))
        if n in STILL_MISSED
        else n
        for n, r in MISSED.items()
    ],
)
def test_a_kept_pointer_into_a_local_is_not_proved_away(name: str) -> None:
    assert CASES.tree_verdict(name) != "equivalent"


# ------------------------------------------------------------ correct EQUIVALENT under A9


def test_a_readable_helper_that_passes_its_parameter_on_confines() -> None:
    # hand(&x) only tests p and passes it to take (an extern: A9); ext() cannot reach x
    assert CASES.tree_verdict("eq-readable-helper-passes-on") == "equivalent"


def test_a_confined_pointer_is_read_across_an_unlock_in_the_kernel(kernel_tree: Path) -> None:
    # mm/madvise.c, swapin_walk_pmd_entry: &splug goes only to read_swap_cache_async (an
    # extern: A9), so pte_unmap_unlock() cannot change splug; reading it before the unlock
    # is the same
    patch = FIXTURES / "tree-eq-splug-read-across-unlock" / "swapin-walk.patch"
    found = kernel_results(patch, kernel_tree)["swapin_walk_pmd_entry"]
    assert found["verdict"] == "equivalent"
    assumptions = found["assumptions"]
    assert isinstance(assumptions, list)
    assert any(str(a).startswith("A9") for a in assumptions)


# ------------------------------------------------------------ correctly refused


@pytest.mark.parametrize(
    "name",
    [
        "ref-readable-mutual-recursion",
        "ref-member-array-copied-to-call",
        "ref-loop-address-stored",
    ],
)
def test_a_local_that_may_be_reached_is_not_spared(name: str) -> None:
    assert CASES.tree_verdict(name) != "equivalent"
