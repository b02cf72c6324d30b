"""Function definitions in raw (not preprocessed) C source, with their lines.

The definitions are found by the one finder, :func:`gnuc.scan.function_definitions`
(which ``gnuc/cut.py`` uses on preprocessed text too): a token scan of the file scope
with comments, literals and ``#`` lines blanked. A definition whose body the text never
closes is left out.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from equivcheck.frontend.gnuc.scan import function_definitions
from equivcheck.frontend.vocabulary import INLINE_WORDS


@dataclass(frozen=True)
class CFunction:
    """A function definition; lines are 1-based and inclusive."""

    name: str
    start_line: int
    end_line: int
    body_start_line: int
    is_static: bool
    is_inline: bool
    header_text: str


def find_functions(text: str) -> list[CFunction]:
    """Every function definition in ``text``, in order."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        return bisect.bisect_right(line_starts, pos)

    return [
        CFunction(
            d.name,
            line_of(d.start),
            line_of(d.end - 1),
            line_of(d.open),
            "static" in d.words,
            bool(d.words & INLINE_WORDS),
            text[d.start : d.open].rstrip(),
        )
        for d in function_definitions(text)
        if d.closed
    ]


def function_at(functions: Sequence[CFunction], line: int) -> CFunction | None:
    """The function whose definition spans ``line`` (header and body included)."""
    for func in functions:
        if func.start_line <= line <= func.end_line:
            return func
    return None
