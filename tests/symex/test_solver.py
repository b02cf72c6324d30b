"""The one solver module: how undecided answers are read by each question."""

from __future__ import annotations

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from equivcheck.symex.solver import Incremental, SolverTimeout, answer, possible, satisfying

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
