"""The GNU C layer: pycparser 3.11 extended to parse the kernel's preprocessed C.

Public entry points parse a whole translation unit, one function cut from a ``.i``
file, or a brace-less run of statements (a hunk region); the helpers find function
definitions and typedef names by a fast token scan. Parse failures are raised as
:class:`~equivcheck.errors.UnsupportedConstruct` naming the construct and ``file:line``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pycparser import c_ast

from equivcheck.frontend.gnuc.cut import (
    cut_all_functions,
    cut_function,
    list_function_definitions,
)
from equivcheck.frontend.gnuc.errors import run_parser
from equivcheck.frontend.gnuc.parser import GnuCParser
from equivcheck.frontend.gnuc.typedefs import guess_typedef_names, typedef_names
from equivcheck.frontend.model import FunctionText

__all__ = [
    "cut_all_functions",
    "cut_function",
    "guess_typedef_names",
    "list_function_definitions",
    "parse_function",
    "parse_statements",
    "parse_translation_unit",
    "typedef_names",
]


def parse_translation_unit(text: str, filename: str = "<input>") -> c_ast.FileAST:
    """Parse a whole (preprocessed) translation unit."""
    parser = GnuCParser()
    return run_parser(parser, lambda: parser.parse(text, filename), filename)


def parse_function(func: FunctionText) -> c_ast.FuncDef:
    """Parse one function definition; coordinates carry ``func.file`` and real lines.

    The typedef names in ``func.typedefs`` are entered into the parser's file scope
    (only their being types matters), so the rest of the translation unit is not parsed.
    """
    parser = GnuCParser()
    text = f'# {func.start_line} "{func.file}"\n{func.text}'
    where = f"{func.file}:{func.start_line}"

    def go() -> c_ast.FuncDef:
        ast = parser.parse(text, func.file, typedefs=frozenset(func.typedefs))
        defs = [n for n in ast.ext if isinstance(n, c_ast.FuncDef)]
        if len(defs) != 1:
            parser._parse_error(f"expected one function definition of {func.name}", where)
        return defs[0]

    return run_parser(parser, go, where)


def parse_statements(
    code: str, *, typedefs: Iterable[str], filename: str, first_line: int
) -> c_ast.Compound:
    """Parse a brace-less sequence of statements and declarations (e.g. a hunk region)
    starting at ``filename:first_line``. Labels, gotos to labels defined elsewhere and
    ``break``/``continue`` outside a loop are accepted."""
    parser = GnuCParser()
    text = f'# {first_line} "{filename}"\n{code}'
    names = frozenset(typedefs)
    return run_parser(
        parser, lambda: parser.parse_block_items(text, filename, names), f"{filename}:{first_line}"
    )
