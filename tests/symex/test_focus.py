"""The focused exploration (a search for a counterexample through given lines) and the
reuse of a state's model for branch feasibility: neither may change what a full
exploration finds, and the focused one must find whole paths through its lines."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from equivcheck.equiv.compare import Focus, Side, find_difference
from equivcheck.models.table import MODELS
from equivcheck.symex import execute
from equivcheck.symex.execute import Config, Guide, explore
from equivcheck.symex.state import Path
from tests.equiv.engine import graph

CODE = """int f(int a, int b)
{
	int r = 0;

	if (a > 3)
		r = g(a);
	else
		r = h(b);
	if (b == 7) {
		k(r);
		if (a == 9)
			return r + 1;
	}
	while (b-- > 0)
		m(b);
	return r;
}
"""
#: the line of ``return r + 1;``
DEEP = ("t.c", 12)


def test_guide_measures_edges_to_each_focus_line_and_to_an_end() -> None:
    g = graph(CODE)
    guide = Guide.of(g, frozenset({DEEP}), {})
    assert set(guide.to_line[id(g)]) == {DEEP}
    assert guide.to_line[id(g)][DEEP][g.entry] >= 2  # two tests stand between
    assert all(guide.to_end.get(b, 0) >= 0 for b in g.blocks)
    assert min(guide.to_end.values()) == 0


def test_focused_exploration_finds_whole_paths_through_the_line() -> None:
    g = graph(CODE)
    full = explore(g, Config(MODELS))
    focused = explore(g, Config(MODELS, focus=frozenset({DEEP})))
    through = [p for p in focused.paths if DEEP in p.lines and p.exit[0] == "return"]
    assert through, [p.exit for p in focused.paths]
    assert len(focused.paths) <= len(full.paths)


def test_search_finds_a_difference_from_the_start_and_nothing_where_there_is_none() -> None:
    after = CODE.replace("return r + 1;", "return r + 2;")
    cfg = Config(MODELS)
    focus = Focus(frozenset({DEEP}), frozenset({DEEP}))
    found = find_difference(Side(graph(CODE), cfg), Side(graph(after), cfg), focus)
    assert found is not None and found.verdict == "different"
    assert "return values differ" in found.reason
    same = CODE.replace("return r + 1;", "return 1 + r;")
    assert find_difference(Side(graph(CODE), cfg), Side(graph(same), cfg), focus) is None


@settings(max_examples=25, deadline=None)
@given(st.integers(-3, 12), st.integers(-3, 12))
def test_model_reuse_keeps_exactly_the_feasible_paths(x: int, y: int) -> None:
    # Whichever constants the tests compare with (some branches become infeasible),
    # reusing a state's model finds the same paths as asking the solver every time.
    code = CODE.replace("a > 3", f"a > {x}").replace("b == 7", f"b == {y}")
    code = code.replace("a == 9", f"a == {x}")
    g = graph(code)

    def shape(paths: list[Path]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        return sorted((p.exit, tuple(e.name for e in p.trace)) for p in paths)

    reused = shape(explore(g, Config(MODELS)).paths)
    with mock.patch.object(execute, "holds_in", lambda model, conds: False):
        asked = shape(explore(g, Config(MODELS)).paths)
    assert reused == asked
