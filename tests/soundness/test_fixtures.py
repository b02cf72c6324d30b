"""Refuted EQUIVALENT verdicts found by the soundness sweep, kept as fixtures
(fixtures/soundness/README.md): the harness must see each difference, and the engine
must not call the pair EQUIVALENT. While the engine still does, the second test is an
expected failure naming the class; it turns into a failure to fix (strict) when the
engine is corrected, and the marker goes."""

from __future__ import annotations

from pathlib import Path

import pytest
from soundness.harness import judge
from soundness.tasks import engine_on_program

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "soundness"

CLASSES = {
    # Fixed: a value-returning atomic's result is new at each call (models/table.py).
    "atomic-result-per-call": None,
    # Fixed: a store converts to the object's type; of a field or global whose type is
    # not known, to an unknown width, sign and boolness (symex: _stored).
    "store-width-field": None,
    "store-width-global": None,
    "store-width-bitfield": None,
    "store-width-field-pointer": None,
    # Fixed by byte-addressed plain memory (symex: loads and stores of a width): a
    # store through char * in the changed part, a char store read back as an int.
    "store-width-pointer-region": None,
    "mixed-width-same-address": None,
    "plain-store-through-struct-pointer": (
        "assumption A2 (plain memory never aliases a named field) is used for a pointer "
        "the path itself made from the struct pointer: *(char *)s = 1 changes s->a"
    ),
    "preincrement-value-width": (
        "the value of ++c / --c is not converted to c's type (unsigned char 255 + 1 is 256, not 0)"
    ),
    "typeof-local-type": (
        "a local declared with typeof(expr) gets the 64-bit default type instead of the "
        "expression's type"
    ),
    "compound-assignment-value-width": (
        "the value of c += 1 is not converted to c's type (char 255 + 1 compares as 256)"
    ),
    "assignment-value-width-memory": (
        "the value of q[0] = n (a store through char *) is n unconverted, not the char stored"
    ),
    "switch-case-label-conversion": (
        "case labels are not converted to the controlling expression's promoted type "
        "(case 0x100000000L on an int is case 0)"
    ),
}
"""Each fixture folder and the class of engine bug it shows (None once fixed)."""


def _pair(name: str) -> tuple[str, str]:
    return (FIXTURES / name / "before.c").read_text(), (FIXTURES / name / "after.c").read_text()


def test_every_fixture_folder_is_listed() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == set(CLASSES)
    readme = (FIXTURES / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in CLASSES)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_harness_sees_the_difference(name: str) -> None:
    before, after = _pair(name)
    assert judge(before, after, 200, 1).status == "different"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=why) if why else ())
        for name, why in sorted(CLASSES.items())
    ],
)
def test_engine_does_not_call_it_equivalent(name: str) -> None:
    before, after = _pair(name)
    verdict, reason = engine_on_program(before, after)
    assert verdict != "equivalent", reason
