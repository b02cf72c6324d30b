"""From front-end text to canonical IR: parse with the GNU C layer, build, canonicalise."""

from __future__ import annotations

from collections.abc import Iterable

from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionText
from equivcheck.ir.build import build_function, build_region
from equivcheck.ir.canon import canonicalize
from equivcheck.ir.model import Graph


def function_graph(func: FunctionText) -> Graph:
    """The canonical IR of one function definition."""
    return canonicalize(build_function(gnuc.parse_function(func)))


def region_graph(
    code: str, *, function: str, file: str, first_line: int, typedefs: Iterable[str]
) -> Graph:
    """The canonical IR of a statement sequence cut out of ``function``."""
    body = gnuc.parse_statements(code, typedefs=typedefs, filename=file, first_line=first_line)
    return canonicalize(build_region(body, name=function, file=file))
