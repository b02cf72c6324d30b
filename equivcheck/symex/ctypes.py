"""Integer types of C values as the engine sees them: width and signedness.

Every value is held as a 64-bit bit-vector normalised to its type (sign- or
zero-extended from its width). A value of unknown type is a 64-bit signed integer
(``DEFAULT``), the same in both versions (docs/semantics.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from equivcheck.ir.ctype import is_aggregate, spelled


@dataclass(frozen=True)
class IntType:
    """Width in bits, signedness, and whether it is C ``_Bool`` (values 0 or 1)."""

    bits: int
    signed: bool
    is_bool: bool = False

    def __str__(self) -> str:
        if self.is_bool:
            return "bool"
        return f"{'s' if self.signed else 'u'}{self.bits}"


DEFAULT = IntType(64, True)
POINTER = IntType(64, False)
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
    "long": IntType(64, True),
    "long int": IntType(64, True),
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
    """The integer type of a declared C type text; pointers are unsigned 64-bit;
    anything unknown (structs, typedefs we do not know, ``?``) is ``DEFAULT``."""
    text = spelled(ctype)
    if not text or text == "?":
        return DEFAULT
    if text.endswith("*") or "(*" in text:
        return POINTER
    if text.startswith("enum "):
        return INT
    return _NAMED.get(text, DEFAULT)


def is_known_scalar(ctype: str) -> bool:
    """Whether a declared type is an integer type this module knows, or a pointer."""
    text = spelled(ctype)
    return text in _NAMED or text.endswith("*") or text.startswith("enum ")


def scalar_type(ctype: str) -> IntType:
    """The type a whole variable of ``ctype`` holds (``DEFAULT`` for a struct value)."""
    return DEFAULT if is_aggregate(ctype) else int_type(ctype)
