"""From front-end text to canonical IR: parse with the GNU C layer, build, canonicalise."""

from __future__ import annotations

from collections.abc import Iterable

from equivcheck.errors import UnsupportedConstruct
from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.source.light import explain_failure, light_code, light_source
from equivcheck.ir.build import build_function, build_region
from equivcheck.ir.canon import canonicalize
from equivcheck.ir.model import Graph


def function_graph(func: FunctionText, *, light: bool = False) -> Graph:
    """The canonical IR of one function definition. ``light`` marks raw source text
    (not preprocessed): comments are dropped and directives refused first."""
    if not light:
        return canonicalize(build_function(gnuc.parse_function(func)))
    func = light_source(func)
    try:
        ast = gnuc.parse_function(func)
    except UnsupportedConstruct as err:
        raise explain_failure(err, func.text, func.start_line) from None
    return canonicalize(build_function(ast))


def region_graph(
    code: str, *, function: str, file: str, first_line: int, typedefs: Iterable[str] = ()
) -> Graph:
    """The canonical IR of a raw statement sequence cut out of ``function`` (patch-alone
    mode); typedef names are guessed from the code when not given."""
    code = light_code(code, file, first_line)
    names = frozenset(typedefs) | gnuc.guess_typedef_names(code)
    try:
        body = gnuc.parse_statements(code, typedefs=names, filename=file, first_line=first_line)
    except UnsupportedConstruct as err:
        raise explain_failure(err, code, first_line) from None
    return canonicalize(build_region(body, name=function, file=file))
