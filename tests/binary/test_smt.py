"""claripy expressions translated to z3 keep their meaning."""

from __future__ import annotations

import pytest
import z3

from equivcheck.binary.smt import Translator

angr = pytest.importorskip(
    "angr", reason="angr is not installed (pip install 'equivcheck[binary]')", exc_type=ImportError
)


def test_operators_round_trip() -> None:
    claripy = angr.claripy
    a = claripy.BVS("a", 64, explicit_name=True)
    b = claripy.BVS("b", 64, explicit_name=True)
    expr = claripy.If(
        claripy.And(claripy.SLT(a, b), a != 3),
        (a + b) * 3 - (a >> 2) ^ claripy.ZeroExt(32, claripy.Extract(31, 0, b)),
        claripy.Concat(claripy.Extract(7, 0, a), claripy.Extract(55, 0, b)).reversed,
    )
    tr = Translator()
    term = tr(expr)
    za, zb = z3.BitVec("a", 64), z3.BitVec("b", 64)
    solver = z3.Solver()
    for va, vb in ((1, 5), (7, -2 & (2**64 - 1)), (3, 9), (2**63, 1)):
        solver.push()
        solver.add(za == va, zb == vb)
        assert solver.check() == z3.sat
        want = claripy.Solver()
        want.add(a == va)
        want.add(b == vb)
        expected = want.eval(expr, 1)[0]
        assert solver.model().eval(term, True).as_long() == expected
        solver.pop()
