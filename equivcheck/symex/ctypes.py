"""Integer types of C values as the engine sees them: width and signedness.

Every value is held as a 64-bit bit-vector normalised to its type (sign- or
zero-extended from its width). A value of unknown type is a 64-bit signed integer
(``DEFAULT``), the same in both versions (docs/semantics.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from equivcheck.ir.ctype import array_shape, is_aggregate, pointed_type, spelled


@dataclass(frozen=True)
class IntType:
    """Width in bits, signedness, and whether it is C ``_Bool`` (values 0 or 1).

    Pointer arithmetic scales by what a pointer points to, so a type also says whether
    it is a pointer: ``pointee`` is the spelled type a pointer points to (``"int"``,
    ``"struct anon_vma"``; ``None`` for integers). A value whose type is not known
    (a field, a call without a prototype, a typedef we cannot read) may be a pointer or
    an integer: ``origin`` names where it came from (``"field:next"``), and both
    versions share one unknown scale per origin (docs/semantics.md, "Pointers and types")."""

    bits: int
    signed: bool
    is_bool: bool = False
    pointee: str | None = None
    origin: str | None = None

    def __str__(self) -> str:
        if self.is_bool:
            return "bool"
        if self.pointee is not None:
            return f"{self.pointee} *"
        return f"{'s' if self.signed else 'u'}{self.bits}"

    @property
    def integer(self) -> IntType:
        """The same width and signedness, known to be an integer."""
        if self.pointee is None and self.origin is None:
            return self
        return IntType(self.bits, self.signed, self.is_bool)


DEFAULT = IntType(64, True, origin="?")
POINTER = IntType(64, False, pointee="")
LONG = IntType(64, True)
BOOL = IntType(1, False, is_bool=True)
INT = IntType(32, True)

_NAMED: dict[str, IntType] = {
    "bool": BOOL,
    "_Bool": BOOL,
    # The kernel builds with -funsigned-char (since 6.2): plain char is unsigned.
    "char": IntType(8, False),
    "signed char": IntType(8, True),
    "unsigned char": IntType(8, False),
    "short": IntType(16, True),
    "short int": IntType(16, True),
    "unsigned short": IntType(16, False),
    "unsigned short int": IntType(16, False),
    "int": INT,
    "signed": INT,
    "signed int": INT,
    "unsigned": IntType(32, False),
    "unsigned int": IntType(32, False),
    "long": LONG,
    "long int": LONG,
    "unsigned long": IntType(64, False),
    "unsigned long int": IntType(64, False),
    "long long": IntType(64, True),
    "unsigned long long": IntType(64, False),
    "u8": IntType(8, False),
    "u16": IntType(16, False),
    "u32": IntType(32, False),
    "u64": IntType(64, False),
    "s8": IntType(8, True),
    "s16": IntType(16, True),
    "s32": IntType(32, True),
    "s64": IntType(64, True),
    "__u8": IntType(8, False),
    "__u16": IntType(16, False),
    "__u32": IntType(32, False),
    "__u64": IntType(64, False),
    "__s8": IntType(8, True),
    "__s16": IntType(16, True),
    "__s32": IntType(32, True),
    "__s64": IntType(64, True),
    "uint8_t": IntType(8, False),
    "uint16_t": IntType(16, False),
    "uint32_t": IntType(32, False),
    "uint64_t": IntType(64, False),
    "int8_t": IntType(8, True),
    "int16_t": IntType(16, True),
    "int32_t": IntType(32, True),
    "int64_t": IntType(64, True),
    "size_t": IntType(64, False),
    "ssize_t": IntType(64, True),
    "pgoff_t": IntType(64, False),
    "atomic_t": INT,
    "gfp_t": IntType(32, False),
    "vm_flags_t": IntType(64, False),
}


def int_type(ctype: str) -> IntType:
    """The integer type of a declared C type text; pointers are unsigned 64-bit and
    know their pointee (an array is a pointer to its element); anything unknown
    (structs, typedefs we do not know, ``?``) is a 64-bit value of unknown type, its
    origin the spelling."""
    text = spelled(ctype)
    if not text or text == "?":
        return DEFAULT
    if "typeof" in text:
        return unknown(f"type:{text}")
    pointee = pointed_type(text)
    if pointee is not None:
        return IntType(64, False, pointee=pointee)
    if "(*" in text:
        # A pointer to a function: a pointer whose scale is not read here.
        return IntType(64, False, origin=f"type:{text}")
    if text.startswith("enum "):
        return INT
    return _NAMED.get(text) or unknown(f"type:{text}")


def unknown(origin: str) -> IntType:
    """A 64-bit value whose type is not known, named by where it came from."""
    return IntType(64, True, origin=origin)


def scalar_size(ctype: str) -> int | None:
    """``sizeof`` of a type this module knows without a compiler (scalars, pointers,
    enums, ``void`` as GNU C's 1); None for structs, unions and unknown names."""
    text = spelled(ctype)
    if text == "void":
        return 1
    if text.endswith("*") or text.startswith("enum "):
        return 8 if text.endswith("*") else 4
    shape = array_shape(text)
    if shape is not None:
        element = scalar_size(shape[0])
        return None if element is None else element * shape[1]
    named = _NAMED.get(text)
    if named is None:
        return None
    return 1 if named.is_bool else named.bits // 8


def is_known_scalar(ctype: str) -> bool:
    """Whether a declared type is an integer type this module knows, or a pointer."""
    text = spelled(ctype)
    return text in _NAMED or text.endswith("*") or text.startswith("enum ")


def scalar_type(ctype: str) -> IntType:
    """The type a whole variable of ``ctype`` holds (``DEFAULT`` for a struct value)."""
    return DEFAULT if is_aggregate(ctype) else int_type(ctype)
