"""Symbolic C values: a 64-bit z3 bit-vector normalised to an integer type."""

from __future__ import annotations

from dataclasses import dataclass

import z3

from equivcheck.symex.ctypes import BOOL, DEFAULT, INT, IntType

WORD = 64
BV = z3.BitVecSort(WORD)


@dataclass(frozen=True)
class SymVal:
    """A value and its type; ``term`` is always 64 bits wide, normalised to ``ty``."""

    term: z3.BitVecRef
    ty: IntType = DEFAULT


def normalise(term: z3.BitVecRef, ty: IntType) -> z3.BitVecRef:
    """``term`` converted to ``ty`` as C assignment does, then widened to 64 bits."""
    if ty.is_bool:
        return z3.If(term != 0, z3.BitVecVal(1, WORD), z3.BitVecVal(0, WORD))
    if ty.bits >= WORD:
        return term
    low = z3.Extract(ty.bits - 1, 0, term)
    widen = z3.SignExt if ty.signed else z3.ZeroExt
    return widen(WORD - ty.bits, low)


def convert(value: SymVal, ty: IntType) -> SymVal:
    """``value`` converted to ``ty``."""
    if value.ty == ty:
        return value
    return SymVal(z3.simplify(normalise(value.term, ty)), ty)


def const(number: int, ty: IntType = DEFAULT) -> SymVal:
    """A constant of type ``ty``."""
    return SymVal(normalise(z3.BitVecVal(number, WORD), ty), ty)


def symbol(name: str, ty: IntType = DEFAULT) -> SymVal:
    """A fresh input named ``name`` (equal names are the same input in both versions)."""
    return SymVal(normalise(z3.BitVec(name, WORD), ty), ty)


def truth(value: SymVal) -> z3.BoolRef:
    """C truth: nonzero."""
    return value.term != 0


def from_bool(cond: z3.BoolRef) -> SymVal:
    """A C comparison result: ``int`` 0 or 1."""
    return SymVal(z3.If(cond, z3.BitVecVal(1, WORD), z3.BitVecVal(0, WORD)), INT)


def _common(a: IntType, b: IntType) -> IntType:
    """The usual arithmetic conversions, simplified: at least ``int``, the wider width,
    unsigned when either operand of that width is unsigned."""
    a = INT if a.is_bool or a.bits < 32 else a
    b = INT if b.is_bool or b.bits < 32 else b
    if a.bits != b.bits:
        return a if a.bits > b.bits else b
    return IntType(a.bits, a.signed and b.signed)


_ARITH = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "&": lambda x, y: x & y,
    "|": lambda x, y: x | y,
    "^": lambda x, y: x ^ y,
    "<<": lambda x, y: x << y,
}


def binary(op: str, a: SymVal, b: SymVal) -> SymVal:
    """``a op b`` with C typing (comparisons give ``int`` 0/1)."""
    if op in {"&&", "||"}:
        both = z3.And(truth(a), truth(b)) if op == "&&" else z3.Or(truth(a), truth(b))
        return from_bool(both)
    ty = _common(a.ty, b.ty)
    x, y = convert(a, ty).term, convert(b, ty).term
    if op in _ARITH:
        return SymVal(normalise(_ARITH[op](x, y), ty), ty)
    if op == ">>":
        shifted = x >> y if ty.signed else z3.LShR(x, y)
        return SymVal(normalise(shifted, ty), ty)
    if op in {"/", "%"}:
        if ty.signed:
            result = x / y if op == "/" else z3.SRem(x, y)
        else:
            result = z3.UDiv(x, y) if op == "/" else z3.URem(x, y)
        return SymVal(normalise(result, ty), ty)
    compare = {
        "==": lambda: x == y,
        "!=": lambda: x != y,
        "<": lambda: x < y if ty.signed else z3.ULT(x, y),
        "<=": lambda: x <= y if ty.signed else z3.ULE(x, y),
        ">": lambda: x > y if ty.signed else z3.UGT(x, y),
        ">=": lambda: x >= y if ty.signed else z3.UGE(x, y),
    }
    if op in compare:
        return from_bool(compare[op]())
    raise ValueError(f"unknown operator {op}")


def unary(op: str, a: SymVal) -> SymVal:
    """``op a``: ``-``, ``~``, ``!``, ``+``."""
    if op == "!":
        return from_bool(a.term == 0)
    ty = _common(a.ty, INT)
    x = convert(a, ty).term
    if op == "-":
        return SymVal(normalise(-x, ty), ty)
    if op == "~":
        return SymVal(normalise(~x, ty), ty)
    if op == "+":
        return SymVal(x, ty)
    raise ValueError(f"unknown operator {op}")


def ite(cond: z3.BoolRef, a: SymVal, b: SymVal) -> SymVal:
    """``cond ? a : b``."""
    ty = a.ty if a.ty == b.ty else _common(a.ty, b.ty)
    return SymVal(z3.If(cond, convert(a, ty).term, convert(b, ty).term), ty)


def literal(text: str, kind: str) -> SymVal | None:
    """The value of a C integer or character literal (``0x1f``, ``10UL``, ``'a'``), or
    None for strings and floating constants."""
    if kind == "char":
        body = text.strip("'")
        escapes = {"\\n": 10, "\\t": 9, "\\0": 0, "\\\\": 92, "\\'": 39, '\\"': 34, "\\r": 13}
        if body in escapes:
            return const(escapes[body], INT)
        return const(ord(body), INT) if len(body) == 1 else None
    if "int" not in kind:
        return None
    digits = text.rstrip("uUlL")
    suffix = text[len(digits) :].lower()
    decimal = not digits.lower().startswith("0x") and not (
        len(digits) > 1 and digits.startswith("0")
    )
    try:
        number = (
            int(digits, 10 if decimal else 0)
            if digits.lower().startswith("0x") or decimal
            else int(digits, 8)
        )
    except ValueError:
        return None
    return const(number, _literal_type(number, suffix, decimal))


def _literal_type(number: int, suffix: str, decimal: bool) -> IntType:
    """C's type for an integer literal: the first of int, unsigned int, long, unsigned
    long (decimal literals skip the unsigned ones unless suffixed) that holds it."""
    unsigned, long = "u" in suffix, "l" in suffix
    candidates: list[IntType] = []
    for bits in [64] if long else [32, 64]:
        if not unsigned:
            candidates.append(IntType(bits, True))
        if unsigned or not decimal:
            candidates.append(IntType(bits, False))
    for ty in candidates:
        limit = 2 ** (ty.bits - 1) if ty.signed else 2**ty.bits
        if number < limit:
            return ty
    return IntType(64, False)


__all__ = [
    "BOOL",
    "BV",
    "DEFAULT",
    "INT",
    "SymVal",
    "binary",
    "const",
    "convert",
    "from_bool",
    "ite",
    "literal",
    "normalise",
    "symbol",
    "truth",
    "unary",
]
