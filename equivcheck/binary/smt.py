"""claripy expressions (angr's solver language) as z3 terms.

angr 10's claripy is implemented in Rust and hands out no z3 objects; the comparison
needs z3 directly (arrays for memory, one solver for both versions), so this module
walks an expression's operator tree and builds the z3 term. Variables keep their names:
the same name in both versions is the same z3 constant. An operator this table does
not know raises :class:`Untranslatable` (the comparison then says inconclusive).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import z3


class Untranslatable(Exception):
    """An expression uses an operator the translation does not cover."""


Term = Any  # z3.BitVecRef | z3.BoolRef


def _bool_to_bv(x: Term) -> Term:
    return z3.If(x, z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)) if z3.is_bool(x) else x


def _fold(fn: Callable[[Term, Term], Term]) -> Callable[[list[Term]], Term]:
    def apply(args: list[Term]) -> Term:
        out = args[0]
        for arg in args[1:]:
            out = fn(out, arg)
        return out

    return apply


def _eq(args: list[Term]) -> Term:
    left, right = args
    if z3.is_bool(left) != z3.is_bool(right):
        left, right = _bool_to_bv(left), _bool_to_bv(right)
    return left == right


def _reverse(args: list[Term]) -> Term:
    (x,) = args
    size = x.size()
    if size % 8:
        raise Untranslatable("Reverse of a non-byte width")
    parts = [z3.Extract(8 * i + 7, 8 * i, x) for i in range(size // 8)]
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def _rotate(left: bool) -> Callable[[list[Term]], Term]:
    def apply(args: list[Term]) -> Term:
        x, n = args
        return z3.RotateLeft(x, n) if left else z3.RotateRight(x, n)

    return apply


_OPS: dict[str, Callable[[list[Term]], Term]] = {
    "__add__": _fold(lambda a, b: a + b),
    "__sub__": _fold(lambda a, b: a - b),
    "__mul__": _fold(lambda a, b: a * b),
    "__floordiv__": lambda a: z3.UDiv(a[0], a[1]),
    "__mod__": lambda a: z3.URem(a[0], a[1]),
    "SDiv": lambda a: a[0] / a[1],
    "SMod": lambda a: z3.SRem(a[0], a[1]),
    "__and__": _fold(lambda a, b: a & b),
    "__or__": _fold(lambda a, b: a | b),
    "__xor__": _fold(lambda a, b: a ^ b),
    "__invert__": lambda a: ~a[0],
    "__neg__": lambda a: -a[0],
    "__lshift__": lambda a: a[0] << a[1],
    "__rshift__": lambda a: a[0] >> a[1],
    "LShR": lambda a: z3.LShR(a[0], a[1]),
    "Concat": lambda a: a[0] if len(a) == 1 else z3.Concat(*[_bool_to_bv(x) for x in a]),
    "__eq__": _eq,
    "__ne__": lambda a: z3.Not(_eq(a)),
    "ULT": lambda a: z3.ULT(a[0], a[1]),
    "ULE": lambda a: z3.ULE(a[0], a[1]),
    "UGT": lambda a: z3.UGT(a[0], a[1]),
    "UGE": lambda a: z3.UGE(a[0], a[1]),
    "SLT": lambda a: a[0] < a[1],
    "SLE": lambda a: a[0] <= a[1],
    "SGT": lambda a: a[0] > a[1],
    "SGE": lambda a: a[0] >= a[1],
    "And": lambda a: z3.And(*a),
    "Or": lambda a: z3.Or(*a),
    "Not": lambda a: z3.Not(a[0]),
    "If": lambda a: z3.If(a[0], a[1], a[2]),
    "Reverse": _reverse,
    "RotateLeft": _rotate(True),
    "RotateRight": _rotate(False),
}


class Translator:
    """Translates claripy expressions to z3, sharing work between calls."""

    def __init__(self) -> None:
        self.memo: dict[int, Term] = {}

    def __call__(self, expr: Any) -> Term:
        """The z3 term of ``expr`` (a claripy BV or Bool)."""
        key = expr.hash()
        found = self.memo.get(key)
        if found is not None:
            return found
        term = self._build(expr)
        self.memo[key] = term
        return term

    def _build(self, expr: Any) -> Term:
        op: str = expr.op
        args = expr.args
        if op == "BVV":
            return z3.BitVecVal(args[0], args[1])
        if op == "BVS":
            return z3.BitVec(args[0], args[1])
        if op == "BoolV":
            return z3.BoolVal(bool(args[0]))
        if op == "BoolS":
            return z3.Bool(args[0])
        if op == "Extract":
            return z3.Extract(args[0], args[1], self(args[2]))
        if op == "ZeroExt":
            return z3.ZeroExt(args[0], self(args[1]))
        if op == "SignExt":
            return z3.SignExt(args[0], self(args[1]))
        fn = _OPS.get(op)
        if fn is None:
            raise Untranslatable(f"operator {op}")
        return fn([self(a) for a in args])
