"""Declared return types of the functions a translation unit declares.

An unmodelled call's result is a value of the callee's return type: a ``bool``
function returns 0 or 1, an ``int`` one a 32-bit value. The engine needs that to avoid
counterexamples no real call can produce (``first += atomic_inc_and_test(v)`` against
``if (atomic_inc_and_test(v)) first++``). Only declarations at file scope count (not
calls, not text in strings); a name is typed only when every such declaration reads as
the same plain integer type, spelled canonically (``long unsigned int`` is
``unsigned long``), or the same pointer to a struct or union (``struct task_struct *``:
pointer steps and member offsets then follow its layout). Anything else leaves the
result an unconstrained word.

:func:`declarations` is the one lexical reader of prototypes: it finds a function's
file-scope declarations and definitions and gives each as written (the text before the
name, each parameter). The front end reads integer types from them here; the binary
engine reads argument widths (``binary/signatures.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from equivcheck.frontend.gnuc.scan import FileScope, closing_paren, split_top_level

_SIZES = {"char", "short", "int", "long", "bool", "_Bool"}
_SIGNS = {"unsigned", "signed"}
_FIXED_WIDTH = re.compile(r"^(?:__)?[us](?:8|16|32|64)$")
_BEFORE_TYPE = {"static", "inline", "__inline", "__inline__", "extern", "__always_inline"}
# storage words, then ``struct NAME *`` (one or more stars)
_STRUCT_POINTER = re.compile(r"((?:\w+\s+)*?)(struct|union)\s+(\w+)\s*((?:\*\s*)+)")


@dataclass(frozen=True)
class Declaration:
    """One file-scope declaration or definition of a function, as written.

    ``specifiers``: the text before the name (storage words and the result type, with
    attributes and preprocessor lines taken out: ``static inline bool``); ``params``:
    each parameter declaration (attributes taken out), without a final ``...``; ``()``
    for ``(void)``; None when the list does not read (unbalanced attributes);
    ``variadic``: the list ends in ``...``; ``noreturn``: declared not to return."""

    specifiers: str
    params: tuple[str, ...] | None
    variadic: bool = False
    noreturn: bool = False


def declarations(unit: str, name: str) -> tuple[Declaration, ...]:
    """Every file-scope declaration or definition of ``name`` in ``unit``, in order
    (calls and other uses are not declarations)."""
    scope = _scope_of(unit)
    found = scope.declarations.get(name)
    if found is None:
        found = scope.declarations[name] = tuple(
            d for start, open_end in _sites(scope, name) if (d := _read(unit, start, open_end))
        )
    return found


def _sites(scope: _Scope, name: str, also: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Where ``name (`` occurs at file scope: its start and the index past ``(``. The
    names in ``also`` are looked for in the same pass over the unit."""
    if not name.isidentifier():
        return []
    if name not in scope.sites:
        wanted = sorted({name, *(n for n in also if n.isidentifier() and n not in scope.sites)})
        for n in wanted:
            scope.sites[n] = []
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, wanted)) + r")\s*\(")
        for m in pattern.finditer(scope.unit):
            if scope.at_file_scope(m.start()):
                scope.sites[m.group(1)].append((m.start(), m.end()))
    return scope.sites[name]


def _read(unit: str, start: int, open_end: int) -> Declaration | None:
    """The declaration whose name starts at ``start`` (its list after ``open_end``), or
    None when the text there does not read as one."""
    if not _declares_function(unit, start):
        return None
    end = closing_paren(unit, open_end - 1)
    if end is None:
        return None
    after = unit[end : end + 200].lstrip()
    if not after.startswith((";", "{", "__")) and not after[:1].isalpha():
        return None  # not followed by what ends or continues a declarator
    raw = _before(unit, start)
    specifiers = " ".join((without_attributes(raw) or "").split())
    noreturn = "noreturn" in raw or "noreturn" in re.split(r"[;{]", after, maxsplit=1)[0]
    text = without_attributes(unit[open_end : end - 1])
    if text is None:
        return Declaration(specifiers, None, noreturn=noreturn)
    items = [item.strip() for item in split_top_level(text)]
    variadic = bool(items) and items[-1] == "..."
    if variadic:
        items.pop()
    if items in ([""], ["void"], []):
        return Declaration(specifiers, (), variadic, noreturn)
    return Declaration(specifiers, tuple(items), variadic, noreturn)


def _before(unit: str, start: int) -> str:
    """The text since the previous declaration or brace, without preprocessor lines."""
    begin = max(unit.rfind(c, 0, start) for c in ";{}") + 1
    lines = unit[begin:start].splitlines()
    return " ".join(line for line in lines if not line.lstrip().startswith("#"))


def return_types(unit: str, names: set[str]) -> dict[str, str]:
    """For each of ``names`` declared in ``unit`` with an integer return type, that
    type in canonical spelling (``"bool"``, ``"unsigned int"``, ``"u32"``); a type
    written as a typedef name is given as ``typedef:NAME`` (:data:`TYPEDEF`). Every
    file-scope use of a name must read so (one that is not a declaration leaves it
    untyped)."""
    scope = _scope_of(unit)
    known = scope.types
    for name in sorted(n for n in names if n not in known and n.isidentifier()):
        types = {_declared_type(unit, start) for start, _ in _sites(scope, name, names)}
        known[name] = next(iter(types)) if len(types) == 1 else None
    return {name: ctype for name in names if (ctype := known.get(name)) is not None}


def common_return_types(before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    """The names both versions type alike (a type the patch changes is not assumed)."""
    return {name: ctype for name, ctype in before.items() if after.get(name) == ctype}


Parameters = tuple[str | None, ...]
"""A function's parameter types in order: the canonical integer type of each, None for
one of another type (a pointer, a struct) or not read."""


def parameter_types(unit: str, names: set[str]) -> dict[str, Parameters]:
    """For each of ``names`` declared in ``unit`` with a parameter list that reads the
    same in every file-scope declaration, the integer type of each parameter (an
    argument is converted to it, as C converts it at a call with a prototype in scope).
    Variadic and unread lists are left out."""
    scope = _scope_of(unit)
    known = scope.parameters
    for name in sorted(n for n in names if n.isidentifier() and n not in known):
        _sites(scope, name, names)
        seen = {_parameter_list(d) for d in declarations(unit, name)}
        known[name] = next(iter(seen)) if len(seen) == 1 else None
    return {name: params for name in names if (params := known.get(name)) is not None}


def _declares_function(unit: str, start: int) -> bool:
    """Whether the text before a name at file scope reads as a declaration's
    specifiers (``static inline void``, ``struct page *``), not an expression."""
    plain = without_attributes(_before(unit, start))
    return plain is not None and bool(_SPECIFIERS.fullmatch(plain.strip()))


_SPECIFIERS = re.compile(r"(?:[A-Za-z_]\w*+\s*)+\**\s*")  # (possessive: no backtracking)


def _parameter_list(declaration: Declaration) -> Parameters | None:
    """The integer parameter types of a declaration (None when variadic or unread)."""
    if declaration.params is None or declaration.variadic:
        return None
    return tuple(_parameter_type(item) for item in declaration.params)


def _parameter_type(item: str) -> str | None:
    """The canonical integer type of one parameter declaration (with or without its
    name); None for any other."""
    if any(c in item for c in "*()[]"):
        return None
    words = [w for w in item.split() if w not in ("const", "register")]
    if words and not _integer_word(words[-1]):
        words.pop()  # the parameter's name
    if not words or not all(map(_integer_word, words)):
        return None
    return _canonical(words)


def _integer_word(word: str) -> bool:
    return word in _SIZES or word in _SIGNS or bool(_FIXED_WIDTH.match(word))


class _Scope:
    """Where a unit's text is at file scope, and the types found so far."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.types: dict[str, str | None] = {}
        self.parameters: dict[str, Parameters | None] = {}
        self.sites: dict[str, list[tuple[int, int]]] = {}
        self.declarations: dict[str, tuple[Declaration, ...]] = {}
        self.volatile: frozenset[str] | None = None
        self.file_scope = FileScope(unit)

    def at_file_scope(self, position: int) -> bool:
        return position in self.file_scope


# The units last asked about (a function's before and after units come in turns, one
# function after another of the same file): building a scope reads the whole unit.
_RECENT: list[_Scope] = []
_KEEP = 2


def _scope_of(unit: str) -> _Scope:
    for scope in _RECENT:
        if scope.unit is unit:
            return scope
    scope = _Scope(unit)
    _RECENT[:] = [scope, *_RECENT[: _KEEP - 1]]
    return scope


def _declared_type(unit: str, start: int) -> str | None:
    """The canonical integer type written just before a declarator at ``start`` (or a
    pointer to a struct or union: ``struct task_struct *``), or None when the text
    since the previous declaration does not read as storage words and attributes
    followed by such a type."""
    plain = without_attributes(_before(unit, start))
    if plain is None:
        return None
    pointer = _STRUCT_POINTER.fullmatch(plain.strip())
    if pointer:
        storage, kind, tag, stars = pointer.groups()
        if all(word in _BEFORE_TYPE for word in storage.split()):
            return f"{kind} {tag} {stars.replace(' ', '')}"
        return None
    if any(c in plain for c in "=(),*[]\"'"):
        return None
    words = plain.split()
    type_words: list[str] = []
    while words and (words[-1] in _SIZES or words[-1] in _SIGNS or _FIXED_WIDTH.match(words[-1])):
        type_words.insert(0, words.pop())
    if not type_words and words and words[-1].isidentifier() and words[-1] not in _NOT_TYPES:
        # A typedef name (``loff_t``): the caller asks the compiler what it is.
        type_words = [words.pop()]
        if any(word not in _BEFORE_TYPE for word in words):
            return None
        return f"{TYPEDEF}{type_words[0]}"
    if not type_words or any(word not in _BEFORE_TYPE for word in words):
        return None
    return _canonical(type_words)


TYPEDEF = "typedef:"
"""How :func:`return_types` marks a result declared with a typedef name (the compiler
says which integer type it is, if any)."""
_NOT_TYPES = _BEFORE_TYPE | {"void", "const", "volatile", "struct", "union", "enum", "return"}


def _canonical(words: list[str]) -> str | None:
    """``long unsigned int`` as ``unsigned long``; None for what is not one integer
    type."""
    if len(words) == 1 and _FIXED_WIDTH.match(words[0]):
        return words[0].removeprefix("__")
    if any(_FIXED_WIDTH.match(w) for w in words):
        return None
    count = Counter(words)
    if count["unsigned"] + count["signed"] > 1 or any(
        n > 1 for w, n in count.items() if w != "long"
    ):
        return None
    sign = "unsigned " if count["unsigned"] else ("signed " if count["signed"] else "")
    if count["bool"] or count["_Bool"]:
        return "bool" if len(words) == 1 else None
    if count["char"]:
        return None if count["long"] or count["short"] or count["int"] else f"{sign}char"
    if count["short"] and count["long"]:
        return None
    longs = count["long"]
    if longs > 2:
        return None
    base = "short" if count["short"] else {0: "int", 1: "long", 2: "long long"}[longs]
    return base if sign != "unsigned " else f"unsigned {base}"


_ATTRIBUTE = re.compile(r"__attribute__\s*\(")


def without_attributes(text: str) -> str | None:
    """``text`` with each ``__attribute__((...))`` taken out (None if unbalanced)."""
    while (m := _ATTRIBUTE.search(text)) is not None:
        end = closing_paren(text, m.end() - 1)
        if end is None:
            return None
        text = text[: m.start()] + " " + text[end:]
    return text


_VOLATILE = re.compile(r"\bvolatile\b")


def volatile_globals(unit: str) -> frozenset[str]:
    """Variables ``unit`` declares ``volatile`` at file scope (``jiffies``): reading one
    is an access another CPU may have changed the value of, each time."""
    scope = _scope_of(unit)
    if scope.volatile is None:
        scope.volatile = _volatile_globals(unit, scope)
    return scope.volatile


def _volatile_globals(unit: str, scope: _Scope) -> frozenset[str]:
    found: set[str] = set()
    for match in _VOLATILE.finditer(unit):
        if not scope.at_file_scope(match.start()):
            continue
        begin = max(unit.rfind(c, 0, match.start()) for c in ";{}") + 1
        end = unit.find(";", match.end())
        if end < 0:
            continue
        text = without_attributes(unit[begin:end])
        if text is None or "(" in text or "{" in text or "}" in text:
            continue  # a function, a pointer to one, or not a plain declaration
        for part in text.split(","):
            names = re.findall(r"[A-Za-z_]\w*", part.split("=")[0].split("[")[0])
            if names and names[-1] not in {"volatile", "const"}:
                found.add(names[-1])
    return frozenset(found)
