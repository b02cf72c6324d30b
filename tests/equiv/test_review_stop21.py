"""Hostile review of stop 21 (fixtures/review-stop21/README.md): commit a12db30 (union
storage by layout, the LAYOUT array spared for confined locals, footprints naming it,
enumerators from the compiler, the calls whose seen state differs inlined or inferred).

Each case asserts its true verdict. A false EQUIVALENT asserts only what soundness
needs (not EQUIVALENT), so a fix that makes it UNKNOWN or DIFFERENT turns the
``xfail(strict=True)`` into an unexpected pass; the other wrong answers assert the
exact true verdict."""

from __future__ import annotations

import pytest

from tests.equiv.review import ReviewCases, strict_xfail

CASES = ReviewCases("review-stop21")

EQ, DIFF, UNK = "equivalent", "different", "unknown"


# ------------------------------------------------------------ false EQUIVALENT

SEEN_STATE = (
    "(new in a12db30: UNKNOWN before it) equiv/compare.py _compare now gives a "
    "STATE_DEPENDENT outcome opaque_calls, so check._run_compare infers the callee's "
    "footprint (equiv/footprints.py: `*q = 1` writes 'mem' only); the re-run keeps the "
    "member the pointer came from (&p->x) in its own array (field:x, or layout), which "
    "a write to 'mem' does not reach: the A2 exception for a pointer made from a field's "
    "address is lost at the call"
)
MISSED = {
    "field-address-callee-writes": SEEN_STATE + " (no union at all)",
    "field-address-callee-writes-local": SEEN_STATE + " (a struct local's member)",
    "union-address-callee-writes": SEEN_STATE + " (the member in union storage)",
    "layout-wide-cast-neighbour": "(new in a12db30: UNKNOWN before it) symex/memory.py "
    "_view's LAYOUT branch takes any view up to 8 bytes over a union member: "
    "*(unsigned long *)&p->x writes bytes 4..7, which are p->z, kept in field:z",
    "union-param-by-value": "(not new) symex/memory.py locate: a member of a parameter "
    "is a slot per member path (param0/'x', param0/'y'), never union storage, and no "
    "write to it is refused",
    "union-local-slots": "(not new) the same for a local whose address is not taken",
    "union-global": "(not new) symex/memory.py locate: a global's member is "
    "Loc('global', 'g.x'), one global per member path",
    "union-typedef-chain": "(not new) frontend/unit/unions.py _aliases misses `typedef A_t "
    "B_t;` (a typedef of a typedef), so struct A is not held in the union and lo is no "
    "union member: q->lo (q = &p->b) is field:lo, p->raw is in layout",
    "union-comma-members": "(not new) frontend/unit/unions.py _MEMBER needs ; [ : or )( after "
    "a name: `unsigned int lo, hi;` gives hi only, so p->lo is field:lo",
    "union-member-attribute": "(not new) frontend/unit/unions.py _MEMBER: `unsigned long word "
    "__attribute__((aligned(8)));` gives no name, so p->word is field:word",
    "union-attribute-before-brace": "(not new) frontend/unit/unions.py _UNION needs `union "
    "[TAG] {`: `union __attribute__((aligned(8))) {` is no union, its members no union "
    "members",
    "value-reads-field-address": "(not new) a value's footprint reads 'mem' through "
    "`*q`; the caller's write to p->x (field:x) does not change the value rd(&p->x)",
    "enumerator-changed-value": "(not new) equiv/check.py _common_answers leaves out an "
    "enumerator whose value the units answer differently (2 before, 3 after); then it "
    "is one capital-name constant shared by both versions",
    "sizeof-changed-struct": "(not new) the same for sizeof(struct s), which the patch "
    "grows from 4 to 8: one size symbol shared by both versions",
}


# All fixed in stop 21: the members arguments point to join an inferred footprint's
# plain memory (symex/calls.py _pointed_arrays); a cast view over union storage stays
# within the member (memory._view); each version runs with its own unit's answers
# where the units differ (check._answers_apart); slot and global members that may share
# storage are refused when mixed (memory._check_slot_union); unions.py reads every word
# of a union body, attributes before its brace, typedefs of typedefs.


@pytest.mark.parametrize("name", list(MISSED))
def test_a_real_difference_is_not_proved_away(name: str) -> None:
    assert CASES.tree_verdict(name) != EQ, MISSED[name]


# ------------------------------------------------------------ wrong DIFFERENT

WRONG = {
    "capital-static-const": (
        EQ,
        "`static const int LIMIT = 5;` is no constant expression for the probe, so "
        "LIMIT is an unknown capital constant: DIFFERENT against `return 5;`",
    ),
}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=strict_xfail(r)) for n, (_, r) in WRONG.items()]
)
def test_a_wrong_different(name: str) -> None:
    assert CASES.tree_verdict(name) == WRONG[name][0]


# ------------------------------------------------------------ right verdicts

TRUE = {
    # the layout itself: routes, containers, clobbers
    "container-of-union": DIFF,
    "seen-through-helper": DIFF,
    "big-confined-union-local": DIFF,
    "enumerator-same": EQ,
    "enumerator-shadowed-in-function": DIFF,
    # (a12db30 at 05c0fa4: DIFFERENT, as typesizes.enumerator_key answered only a value
    # that is not negative; the constants work in progress in the tree answers -1)
    "enumerator-negative": EQ,
}

NOT_EQUIVALENT = [
    "enumerator-changed-against-literal",  # (DIFFERENT, or UNKNOWN naming MODE_B)
    "union-memset",
    "union-struct-copy",
    "union-becomes-struct",
    "union-array-member",
    "union-in-union-two-routes",
    "union-bitfield",
]


@pytest.mark.parametrize("name", list(TRUE))
def test_the_verdict_is_the_true_one(name: str) -> None:
    assert CASES.tree_verdict(name) == TRUE[name]


@pytest.mark.parametrize("name", NOT_EQUIVALENT)
def test_what_the_layout_cannot_model_is_not_proved(name: str) -> None:
    # (each truly differs; UNKNOWN is the engine's honest answer)
    assert CASES.tree_verdict(name) != EQ
