"""Cutting function definitions out of a whole preprocessed (``.i``) text.

The definitions are found by the one finder of function definitions,
:func:`gnuc.scan.function_definitions` (which raw source uses too, through
``source/cfuncs.py``); this module cuts them out with their place (from the line
markers) and the translation unit's typedef names.
"""

from __future__ import annotations

from equivcheck.errors import InputError
from equivcheck.frontend.gnuc.scan import LineIndex, function_definitions
from equivcheck.frontend.gnuc.typedefs import typedef_names
from equivcheck.frontend.model import FunctionText


def list_function_definitions(preprocessed: str) -> list[tuple[str, int, int]]:
    """``(name, start, end)`` offsets of every function definition in a ``.i`` text."""
    return [(d.name, d.start, d.end) for d in function_definitions(preprocessed)]


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
