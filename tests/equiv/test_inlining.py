"""Which functions of the unit are inlined (equiv/inlining.py): the ones that bring the
two versions' called names closer, the best first."""

from __future__ import annotations

from equivcheck.equiv.inlining import VersionCalls, choose
from equivcheck.ir.model import Graph
from tests.equiv.engine import graph

BODIES = {
    "trylock_page": graph("int trylock_page(int *p) { return folio_trylock(page_folio(p)); }"),
    "folio_trylock": graph("int folio_trylock(int *f) { return test_and_set(f); }"),
    "stub": graph("int stub(void) { return 0; }"),
    "deep": graph("int deep(int x) { return stub() + x; }"),
}


def _calls(code: str, helpers: dict[str, Graph] | None = None) -> VersionCalls:
    return VersionCalls(graph(code), helpers or {}, BODIES.get)


def test_the_wrapper_is_inlined_not_what_it_calls() -> None:
    before = _calls("int f(int *p) { return trylock_page(p); }")
    after = _calls("int f(int *p) { return folio_trylock(page_folio(p)); }")
    assert choose(before, after, frozenset()) == ["trylock_page"]


def test_a_stub_called_in_one_version_only_is_inlined() -> None:
    before = _calls("int f(int x) { if (stub()) g(); return x; }")
    after = _calls("int f(int x) { return x; }")
    assert choose(before, after, frozenset()) == ["stub"]


def test_nothing_is_inlined_when_the_versions_call_the_same_names() -> None:
    before = _calls("int f(int x) { return deep(x) + deep(x); }")
    after = _calls("int f(int x) { return deep(x) * 2; }")
    assert choose(before, after, frozenset()) == []


def test_excluded_names_and_bodiless_calls_are_never_chosen() -> None:
    before = _calls("int f(int x) { if (stub()) g(); return x; }")
    after = _calls("int f(int x) { return x; }")
    assert choose(before, after, frozenset({"stub"})) == []
    before = _calls("int f(int x) { h(); return x; }")
    assert choose(before, after, frozenset()) == []


def test_helpers_already_inlined_are_followed() -> None:
    # f calls a changed helper (inlined anyway) whose body calls the stub
    helper = graph("int helper(int x) { if (stub()) g(); return x; }")
    before = _calls("int f(int x) { return helper(x); }", {"helper": helper})
    after = _calls("int f(int x) { return x; }")
    assert choose(before, after, frozenset()) == ["stub"]
