"""Finding and cutting function definitions out of a whole preprocessed (``.i``) text.

A token scan at file scope: a ``{`` that follows ``name(...)`` (with no ``=`` earlier in
the declaration) opens a function body, and brace matching finds its end. Struct,
union, enum and initializer braces are skipped over.
"""

from __future__ import annotations

from equivcheck.errors import InputError
from equivcheck.frontend.gnuc.scan import TOKEN_RE, LineIndex, Tok, matching_brace
from equivcheck.frontend.gnuc.typedefs import typedef_names
from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.vocabulary import C_KEYWORDS

_NOT_NAMES = C_KEYWORDS | {"__attribute__", "__attribute"}


def _function_name(stmt: list[Tok]) -> str | None:
    """The declared name if ``stmt`` (file-scope tokens before a ``{``) is the head of
    a function definition."""
    if not stmt or stmt[-1].text != ")":
        return None
    open_at = _matching_open(stmt, len(stmt) - 1)
    if open_at <= 0:
        return None
    before = stmt[open_at - 1]
    if before.kind == "id":
        return None if before.text in _NOT_NAMES else before.text
    if before.text == ")":  # e.g. void (*pick(int how))(int): the name is inside
        inner = _matching_open(stmt, open_at - 1)
        for i in range(inner + 1, open_at - 1):
            tok = stmt[i]
            if tok.kind == "id" and tok.text not in _NOT_NAMES and stmt[i + 1].text == "(":
                return tok.text
    return None


def _matching_open(stmt: list[Tok], close_at: int) -> int:
    depth = 0
    for i in range(close_at, -1, -1):
        text = stmt[i].text
        if text == ")":
            depth += 1
        elif text == "(":
            depth -= 1
            if depth == 0:
                return i
    return -1


def list_function_definitions(preprocessed: str) -> list[tuple[str, int, int]]:
    """``(name, start, end)`` offsets of every function definition in a ``.i`` text."""
    found: list[tuple[str, int, int]] = []
    stmt: list[Tok] = []
    has_init = False
    parens = 0
    pos = 0
    n = len(preprocessed)
    while pos < n:
        m = TOKEN_RE.search(preprocessed, pos)
        if m is None:
            break
        pos = m.end()
        kind = m.lastgroup
        assert kind is not None
        if kind == "pp":
            continue
        text = m.group()
        if text == "{":
            end = matching_brace(preprocessed, m.start())
            name = None if (has_init or parens) else _function_name(stmt)
            if name is not None:
                found.append((name, stmt[0].pos, end))
                stmt, has_init, parens = [], False, 0
            else:
                stmt.append(Tok("punct", "{}", m.start()))
            pos = end
            continue
        if text == ";" and parens == 0:
            stmt, has_init = [], False
            continue
        if text == "}":  # stray: resynchronise
            stmt, has_init, parens = [], False, 0
            continue
        if text == "(":
            parens += 1
        elif text == ")":
            parens = max(0, parens - 1)
        elif text == "=" and parens == 0:
            has_init = True
        stmt.append(Tok(kind, text, m.start()))
    return found


def cut_all_functions(preprocessed: str, filename: str = "<input>") -> list[FunctionText]:
    """Every function definition of a ``.i`` text as a :class:`FunctionText`."""
    typedefs = typedef_names(preprocessed)
    index = LineIndex(preprocessed, filename)
    out: list[FunctionText] = []
    for name, start, end in list_function_definitions(preprocessed):
        file, line = index.locate(start)
        out.append(FunctionText(name, file, line, preprocessed[start:end], typedefs))
    return out


def cut_function(
    preprocessed: str,
    name: str,
    *,
    near: tuple[str, int] | None = None,
    typedefs: frozenset[str] | None = None,
) -> FunctionText:
    """The definition of ``name`` in a ``.i`` text, located by its line markers, with
    the translation unit's typedef names. Raises InputError if there is none.

    ``near=(file, line)`` names where the definition starts in the source: when the
    text has a line marker for exactly that place at file scope (tree-mode
    preprocessing puts one right before each function it keeps macros for), the scan
    starts there instead of at the top of the translation unit. ``typedefs`` reuses
    names already collected from the same text."""
    offset = _marker_offset(preprocessed, near) if near is not None else 0
    for found, start, end in list_function_definitions(preprocessed[offset:]):
        if found == name:
            start, end = start + offset, end + offset
            file, line = LineIndex(preprocessed).locate(start)
            names = typedefs if typedefs is not None else typedef_names(preprocessed)
            return FunctionText(name, file, line, preprocessed[start:end], names)
    if offset:
        return cut_function(preprocessed, name, typedefs=typedefs)
    raise InputError(
        name,
        "no definition of this function in the preprocessed text",
        "check the name and that the file's configuration builds it",
    )


def _marker_offset(preprocessed: str, near: tuple[str, int]) -> int:
    """Offset of the last ``# LINE "FILE"`` marker for ``near``, or 0."""
    file, line = near
    marker = f'\n# {line} "{file}"'
    found = preprocessed.rfind(marker)
    return found + 1 if found >= 0 else 0
