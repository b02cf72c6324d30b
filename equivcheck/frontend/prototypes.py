"""Declared return types of the functions a translation unit declares.

An unmodelled call's result is a value of the callee's return type: a ``bool``
function returns 0 or 1, an ``int`` one a 32-bit value. The engine needs that to avoid
counterexamples no real call can produce (``first += atomic_inc_and_test(v)`` against
``if (atomic_inc_and_test(v)) first++``). Only plain integer types are reported; a
name declared with two different types, or whose declaration cannot be read, is left
out (its result stays an unconstrained word).
"""

from __future__ import annotations

import re

_INTEGER_WORDS = {"unsigned", "signed", "long", "short", "int", "char", "bool", "_Bool"}
_FIXED_WIDTH = re.compile(r"^(?:__)?[us](?:8|16|32|64)$")
_BEFORE_TYPE = {"static", "inline", "__inline", "__inline__", "extern", "__always_inline"}


def return_types(unit: str, names: set[str]) -> dict[str, str]:
    """For each of ``names`` declared in ``unit`` with an integer return type, that
    type as written (``"bool"``, ``"unsigned int"``, ``"u32"``)."""
    known = _known_for(unit)
    missing = sorted(n for n in names if n not in known and n.isidentifier())
    if missing:
        found: dict[str, set[str]] = {name: set() for name in missing}
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, missing)) + r")\s*\(")
        for match in pattern.finditer(unit):
            ctype = _declared_type(unit, match.start())
            if ctype is not None:
                found[match.group(1)].add(ctype)
        for name, types in found.items():
            known[name] = types.pop() if len(types) == 1 else None
    return {name: ctype for name in names if (ctype := known.get(name)) is not None}


# The translation unit last asked about and what is known of it (one file is checked
# function after function, so the same unit comes back many times).
_LAST: list[tuple[str, dict[str, str | None]]] = []


def _known_for(unit: str) -> dict[str, str | None]:
    if not _LAST or _LAST[0][0] is not unit:
        _LAST[:] = [(unit, {})]
    return _LAST[0][1]


def _declared_type(unit: str, start: int) -> str | None:
    """The integer type written just before a declarator at ``start``, if the text
    since the previous statement reads as a declaration: storage words and attributes,
    then the type."""
    begin = max(unit.rfind(c, 0, start) for c in ";{}") + 1
    lines = unit[begin:start].splitlines()
    plain = _without_attributes(
        " ".join(line for line in lines if not line.lstrip().startswith("#"))
    )
    if plain is None or any(c in plain for c in "=(),*[]"):
        return None  # an expression, a parameter or a pointer result
    words = plain.split()
    type_words: list[str] = []
    while words and (words[-1] in _INTEGER_WORDS or _FIXED_WIDTH.match(words[-1])):
        type_words.insert(0, words.pop())
    if not type_words or any(word not in _BEFORE_TYPE for word in words):
        return None
    return " ".join(type_words)


def _without_attributes(text: str) -> str | None:
    """``text`` with each ``__attribute__((...))`` removed (None if unbalanced)."""
    while True:
        at = text.find("__attribute__")
        if at < 0:
            return text
        open_at = text.find("(", at)
        if open_at < 0:
            return None
        depth = 0
        for end in range(open_at, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        else:
            return None
        text = text[:at] + " " + text[end + 1 :]
