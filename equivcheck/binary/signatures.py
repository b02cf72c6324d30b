"""Argument and result widths of C functions, read from a translation unit's text.

The compiled code passes arguments in registers whose upper bits are not defined past
the declared width (an ``int`` in ``edi``, a ``bool`` in ``dil``), so events are compared
at the widths of the prototype. The front end has the text (the preprocessed unit in
tree mode, the file itself for fixtures) and reads the declarations from it
(:func:`equivcheck.frontend.unit.prototypes.declarations`, the one reader of prototypes);
this module gives each type written there its ABI class, resolving typedefs in the same
text. A parameter whose type cannot be read makes the whole parameter list unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from equivcheck.frontend.unit.prototypes import declarations, without_attributes
from equivcheck.frontend.vocabulary import (
    FUNCTION_ANNOTATIONS,
    INLINE_WORDS,
    KERNEL_ANNOTATIONS,
    QUALIFIERS,
)

_WIDTHS = {
    "char": 8,
    "short": 16,
    "int": 32,
    "long": 64,
    "bool": 8,
    "_Bool": 8,
    "size_t": 64,
    "ssize_t": 64,
    "uintptr_t": 64,
    "intptr_t": 64,
    "ptrdiff_t": 64,
    "loff_t": 64,
}
_FIXED = re.compile(r"^(?:__)?([us])(8|16|32|64)$|^u?int(8|16|32|64)_t$")
# (words of a declaration that are no part of its type)
_QUALIFIERS = QUALIFIERS | INLINE_WORDS | KERNEL_ANNOTATIONS | FUNCTION_ANNOTATIONS
_IDENT = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class CType:
    """A scalar as the ABI passes it: ``width`` bits, ``signed``, ``boolean`` (0 or 1),
    ``pointer``; ``void`` for a result that is not one."""

    width: int
    signed: bool = False
    boolean: bool = False
    pointer: bool = False
    void: bool = False

    def __str__(self) -> str:
        if self.void:
            return "void"
        if self.pointer:
            return "ptr"
        if self.boolean:
            return "bool"
        return f"{'s' if self.signed else 'u'}{self.width}"


VOID = CType(0, void=True)
WORD = CType(64)


@dataclass(frozen=True)
class Signature:
    """A function's parameters (None: not known) and result (None: not known)."""

    params: tuple[CType, ...] | None
    result: CType | None
    variadic: bool = False
    noreturn: bool = False

    @property
    def known(self) -> bool:
        """True when the parameter list is known."""
        return self.params is not None


UNKNOWN = Signature(None, None)


class _Types:
    """Typedef resolution over one text (cached per name)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.cache: dict[str, CType | None] = {}

    def typedef(self, name: str, depth: int) -> CType | None:
        if name in self.cache:
            return self.cache[name]
        self.cache[name] = None
        found: CType | None = None
        for match in re.finditer(rf"\}}\s*{re.escape(name)}\s*;", self.text):
            open_at = _matching_open(self.text, match.start())
            head = self.text[max(0, open_at - 120) : open_at]
            typedef_at = head.rfind("typedef")
            if open_at >= 0 and typedef_at >= 0 and ";" not in head[typedef_at:]:
                found = self._aggregate(
                    head[typedef_at + 7 :] + self.text[open_at : match.start() + 1], depth
                )
                if found is not None:
                    self.cache[name] = found
                    return found
        for match in re.finditer(rf"\btypedef\b([^;{{}}]*?)\b{re.escape(name)}\s*;", self.text):
            body = match.group(1)
            if "(" in body and ")" in body and "{" not in body:
                found = CType(64, pointer=True) if "*" in body else None
            elif "{" in body:
                found = self._aggregate(body, depth)
            else:
                found = self.scalar(body, depth + 1)
            if found is not None:
                break
        self.cache[name] = found
        return found

    def _aggregate(self, body: str, depth: int) -> CType | None:
        """``struct { T x; }`` with one scalar member is passed as that scalar."""
        if not re.match(r"\s*(struct|union)\b", body):
            return CType(32, signed=False) if re.match(r"\s*enum\b", body) else None
        inner = body[body.find("{") + 1 : body.rfind("}")]
        members = [m.strip() for m in inner.split(";") if m.strip()]
        if len(members) != 1 or "{" in members[0]:
            return None
        words = _IDENT.findall(members[0])
        if len(words) < 2:
            return None
        return self.scalar(" ".join(words[:-1]) + ("*" if "*" in members[0] else ""), depth + 1)

    def scalar(self, text: str, depth: int = 0) -> CType | None:
        """The ABI class of a type written as ``text`` (no declarator name)."""
        if depth > 8:
            return None
        plain = without_attributes(text)
        if plain is None:
            return None
        text = plain
        if "*" in text or "[" in text:
            return CType(64, pointer=True)
        words = [w for w in _IDENT.findall(text) if w not in _QUALIFIERS]
        if not words:
            return None
        if words[0] == "enum":
            return CType(32, signed=False)
        if words[0] in ("struct", "union"):
            return None
        if words == ["void"]:
            return VOID
        if words[0] in ("typeof", "__typeof__", "__typeof"):
            return None
        signed = "unsigned" not in words
        core = [w for w in words if w not in ("unsigned", "signed")]
        if not core:
            return CType(32, signed=signed)
        if len(core) == 1:
            word = core[0]
            if word in ("bool", "_Bool"):
                return CType(8, boolean=True)
            if word in _WIDTHS:
                char_signed = signed and ("signed" in words or word != "char")
                return CType(_WIDTHS[word], signed=char_signed if word == "char" else signed)
            fixed = _FIXED.match(word)
            if fixed:
                bits = int(fixed.group(2) or fixed.group(3))
                is_signed = fixed.group(1) == "s" or word.startswith("int")
                return CType(bits, signed=is_signed)
            return self.typedef(word, depth)
        if all(w in _WIDTHS for w in core):
            if "long" in core:
                return CType(64, signed=signed)
            if "short" in core:
                return CType(16, signed=signed)
            if "char" in core:
                return CType(8, signed=signed)
            return CType(32, signed=signed)
        return None


def _param_type(param: str, types: _Types) -> CType | None:
    param = param.strip()
    if "(" in param:  # a function pointer
        return CType(64, pointer=True)
    if "*" in param or "[" in param:
        return CType(64, pointer=True)
    words = [w for w in _IDENT.findall(param) if w not in _QUALIFIERS]
    if not words:
        return None
    # Drop the parameter name when there is one (the last word after a type word).
    candidates = [" ".join(words), " ".join(words[:-1])] if len(words) > 1 else [words[0]]
    for text in candidates:
        if not text:
            continue
        found = types.scalar(text)
        if found is not None and not found.void:
            return found
    return None


def signature(text: str, name: str, types: _Types | None = None) -> Signature:
    """The signature of function ``name`` as first declared or defined in ``text``."""
    types = types or _Types(text)
    for found in declarations(text, name):
        result = types.scalar(found.specifiers)
        if found.params is None:
            return Signature(None, result, found.variadic, found.noreturn)
        params = [_param_type(p, types) for p in found.params]
        known = tuple(t for t in params if t is not None)
        if len(known) != len(params):
            return Signature(None, result, found.variadic, found.noreturn)
        return Signature(known, result, found.variadic, found.noreturn)
    return UNKNOWN


class SignatureTable:
    """Signatures of many names in one text (the typedef cache is shared)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.types = _Types(text)
        self.found: dict[str, Signature] = {}

    def get(self, name: str) -> Signature:
        """The signature of ``name`` (``UNKNOWN`` when the text has no declaration)."""
        if name not in self.found:
            self.found[name] = signature(self.text, name, self.types) if self.text else UNKNOWN
        return self.found[name]


def _matching_open(text: str, close_at: int) -> int:
    """The index of the ``{`` that ``text[close_at]`` (a ``}``) closes, or -1."""
    depth = 0
    for i in range(close_at, -1, -1):
        if text[i] == "}":
            depth += 1
        elif text[i] == "{":
            depth -= 1
            if depth == 0:
                return i
    return -1
