"""Symbolic C values: a 64-bit z3 bit-vector normalised to an integer type."""

from __future__ import annotations

from dataclasses import dataclass

import z3

from equivcheck.symex.ctypes import BOOL, DEFAULT, INT, LONG, IntType

WORD = 64


def word_sort() -> z3.BitVecSortRef:
    """The sort of a machine word, in the current z3 context (terms are made in the
    context of the comparison running: symex/solver.own_context)."""
    return z3.BitVecSort(WORD)


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
    if ty.bits >= WORD and not ty.is_bool:
        return SymVal(value.term, ty)  # the same bits, seen as another type
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
    a, b = promoted(a), promoted(b)
    if a.bits != b.bits:
        return a if a.bits > b.bits else b
    return IntType(a.bits, a.signed and b.signed)


def promoted(ty: IntType) -> IntType:
    """The integer promotion of ``ty`` (narrower than ``int``: ``int``)."""
    return INT if ty.is_bool or ty.bits < 32 else ty.integer


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
    """``cond ? a : b``. Arms of different pointer types (or of unknown type) give a
    value whose type is not known, named after both (its scale is then unknown)."""
    if a.ty == b.ty:
        ty = a.ty
    elif not (is_pointerish(a.ty) or is_pointerish(b.ty)):
        ty = _common(a.ty, b.ty)
    else:
        ty = IntType(64, False, origin=f"mix:{type_key(a.ty)}|{type_key(b.ty)}")
    return SymVal(z3.If(cond, convert(a, ty).term, convert(b, ty).term), ty)


def is_pointerish(ty: IntType) -> bool:
    """Whether a value of type ``ty`` is, or may be, a pointer."""
    return ty.pointee is not None or ty.origin is not None


def type_key(ty: IntType) -> str:
    """A name for a type that tells pointers, unknown types and integers apart."""
    if ty.pointee is not None:
        return f"{ty.pointee} *"
    if ty.origin is not None:
        return f"?{ty.origin}"
    return str(ty)


# How an operand of ``+``/``-`` scales: (is it a pointer: True, False or None for not
# known; bytes per element). For a value of unknown type the size is a symbol in which
# 0 stands for "an integer" (docs/semantics.md, "Pointers and types").
Stride = tuple[bool | None, int | z3.BitVecRef]
INTEGER: Stride = (False, 0)


def additive(op: str, a: SymVal, b: SymVal, sa: Stride, sb: Stride) -> SymVal:
    """C's ``a + b`` or ``a - b`` with pointer scaling: a pointer plus or minus an
    integer moves by whole elements, the difference of two pointers counts elements;
    an operand whose pointer-ness is not known scales by its symbol when that is
    nonzero."""
    if sa == INTEGER and sb == INTEGER:
        return binary(op, a, b)
    x, y = a.term, b.term
    if op == "+":
        term = _plus(x, y, sa, sb)
        ty = a.ty if sa[0] is True or sb == INTEGER else b.ty if sa == INTEGER else _mixed(a, b)
        return SymVal(term, ty)
    term = _minus(x, y, sa, sb)
    if sa[0] is True and sb[0] is True:
        return SymVal(term, LONG)
    ty = a.ty if sb == INTEGER else _mixed(a, b)
    return SymVal(term, ty)


def _mixed(a: SymVal, b: SymVal) -> IntType:
    return IntType(64, False, origin=f"sum:{type_key(a.ty)}|{type_key(b.ty)}")


def _pointer_if(stride: Stride, pointer: z3.BitVecRef, other: z3.BitVecRef) -> z3.BitVecRef | None:
    """``pointer`` when ``stride`` says it is one (an ``If`` when that is not known),
    ``other`` when it is an integer; None for "not a pointer, certainly"."""
    known, _ = stride
    if known is True:
        return pointer
    if known is False:
        return None
    size = stride[1]
    assert isinstance(size, z3.BitVecRef)
    return z3.If(size != 0, pointer, other)


def _plus(x: z3.BitVecRef, y: z3.BitVecRef, sa: Stride, sb: Stride) -> z3.BitVecRef:
    plain = x + y
    right = _pointer_if(sb, x * sb[1] + y, plain)
    rest = plain if right is None else right
    left = _pointer_if(sa, x + y * sa[1], rest)
    return rest if left is None else left


def _minus(x: z3.BitVecRef, y: z3.BitVecRef, sa: Stride, sb: Stride) -> z3.BitVecRef:
    plain = x - y
    both = _pointer_if(sb, (x - y) / sa[1], x - y * sa[1])
    if both is None:
        both = x - y * sa[1]
    left = _pointer_if(sa, both, plain)
    return plain if left is None else left


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
    "DEFAULT",
    "INT",
    "INTEGER",
    "Stride",
    "SymVal",
    "additive",
    "binary",
    "const",
    "convert",
    "from_bool",
    "is_pointerish",
    "ite",
    "literal",
    "normalise",
    "promoted",
    "symbol",
    "truth",
    "type_key",
    "unary",
    "word_sort",
]
