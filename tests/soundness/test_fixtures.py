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
    # Each was a refuted EQUIVALENT; all are fixed (see the commit that fixed each):
    # atomics return a new value per call; stores convert to the object's type (of a
    # type not known: to an unknown width, sign and boolness); byte-addressed plain
    # memory; an assignment's or ++x's value is the object's new value; typeof of a
    # variable is its type; case labels convert to the promoted controlling type;
    # plain memory reached from a struct pointer is not assumed apart from its fields.
    "atomic-result-per-call": None,
    "store-width-field": None,
    "store-width-global": None,
    "store-width-bitfield": None,
    "store-width-field-pointer": None,
    "store-width-pointer-region": None,
    "mixed-width-same-address": None,
    "plain-store-through-struct-pointer": None,
    "preincrement-value-width": None,
    "typeof-local-type": None,
    "compound-assignment-value-width": None,
    "assignment-value-width-memory": None,
    "switch-case-label-conversion": None,
    "local-typedef-changed": None,
    # Fixed: block-scope enumerators have their values in the IR; a static local is
    # named with its type and initialiser; a positional initializer of a struct local
    # is not modelled (UNKNOWN); a changed part that changes such a declaration is not
    # compared as a region.
    "local-enum-changed": None,
    "static-local-initializer": None,
    "local-struct-member-order": None,
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
