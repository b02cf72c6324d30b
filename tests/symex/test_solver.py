"""The one solver module: how undecided answers are read by each question."""

from __future__ import annotations

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from equivcheck.symex import solver as solver_module
from equivcheck.symex.solver import (
    UNITS_PER_MS,
    Incremental,
    SolverTimeout,
    answer,
    new_solver,
    own_context,
    possible,
    satisfying,
)

x = z3.BitVec("x", 64)


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_possible_and_satisfying_agree_on_a_decided_formula(a: int, b: int) -> None:
    cond = z3.And(z3.UGE(x, a), z3.ULE(x, b))
    found = satisfying(cond, 5000)
    assert possible(cond, 5000) == (found is not None) == (a <= b)
    if found is not None:
        value = found[1].eval(x, model_completion=True).as_long()
        assert a <= value <= b


def test_incremental_keeps_the_base_and_forgets_each_extra() -> None:
    inc = Incremental(z3.UGT(x, 10), 5000)
    assert not inc.possible_with(x == 3)
    assert inc.possible_with(x == 11)
    assert not inc.possible_with(z3.ULT(x, 5))  # (x == 11 did not stay)


def test_an_undecided_answer_raises_where_a_verdict_would_rest_on_it() -> None:
    solver = z3.Solver()
    solver.set("timeout", 1)
    # hard for any solver in a millisecond: a 64-bit factorisation
    a, b = z3.BitVecs("a b", 64)
    solver.add(a * b == 18446744073709551557 * 3, z3.UGT(a, 1), z3.UGT(b, 1), z3.ULT(a, b))
    result = solver.check()
    if result != z3.unknown:
        pytest.skip("the solver decided within a millisecond on this machine")
    with pytest.raises(SolverTimeout):
        answer(solver)


def test_an_undecided_incremental_question_is_asked_again_not_answered() -> None:
    # what the incremental solver cannot decide goes to a fresh one: never "impossible"
    x = z3.BitVec("x", 64)
    solver = Incremental(x > 0, 1000)
    assert solver.possible_with(x == 5)
    assert not solver.possible_with(x == 0)


def _factoring(ctx: z3.Context | None = None) -> z3.BoolRef:
    """A query that takes z3 some hundreds of thousands of units: a 64-bit product."""
    a, b = z3.BitVecs("a b", 64, ctx=ctx)
    return z3.And(a * b == 0x1234567890ABCDEF, z3.UGT(a, 1), z3.UGT(b, 1), z3.ULT(a, b))


def _units(solver: z3.Solver) -> int:
    return int(solver.statistics().get_key_value("rlimit count"))


def test_the_same_query_costs_the_same_in_contexts_of_its_own() -> None:
    """What makes a function's verdict independent of what the process did before:
    asked again in one context, the same formula costs z3 another effort; in a context
    of its own, always the same."""
    spent = []
    for _ in range(3):
        with own_context():
            solver = new_solver(60_000)
            solver.add(_factoring())
            assert solver.check() == z3.sat
            spent.append(_units(solver))
    assert len(set(spent)) == 1, spent


def test_a_query_limit_is_counted_in_units_not_on_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Below the units the query needs it is undecided, above them decided, however
    fast the machine runs it (the clock's net set far away)."""
    monkeypatch.setattr(solver_module, "WALL_BACKSTOP", 10_000)
    with own_context():
        solver = new_solver(60_000)
        solver.add(_factoring())
        assert solver.check() == z3.sat
        needed = _units(solver)
    short_ms = max(1, needed // 2 // UNITS_PER_MS)
    for _ in range(2):
        with own_context():
            assert satisfying(_factoring(), 4 * short_ms) is not None
        with own_context(), pytest.raises(SolverTimeout):
            satisfying(_factoring(), short_ms)


def test_own_context_puts_the_previous_one_back() -> None:
    before = z3.main_ctx()
    with own_context():
        inner = z3.main_ctx()
        assert inner is not before
        assert possible(z3.BitVec("y", 64) == 3, 1000)
    assert z3.main_ctx() is before
    assert possible(x == 3, 1000)  # (a term made before still works after)


def test_a_long_limit_is_not_wrapped_into_a_short_one() -> None:
    """z3 keeps its limits in 32 bits: 536,871 ms of units would wrap to 704 units."""
    for ms in (536_000, 536_871, 600_000, 10_000_000, 1_000_000_000):
        with own_context():
            assert satisfying(_factoring(), ms) is not None, ms
