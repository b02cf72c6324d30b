"""Small helpers for IR tests: C text to canonical IR."""

from __future__ import annotations

from pycparser import c_ast, c_parser

from equivcheck.ir.build import build_function, build_region
from equivcheck.ir.canon import canonicalize
from equivcheck.ir.model import Graph
from equivcheck.ir.text import canonical_text

PRELUDE = "typedef _Bool bool; struct folio; struct vm_area_struct; struct mm_struct;\n"


def ir_of(code: str, name: str | None = None) -> Graph:
    """Canonical IR of the (last, or named) function defined in ``code``."""
    ast = c_parser.CParser().parse(PRELUDE + code)
    funcs = [n for n in ast.ext if isinstance(n, c_ast.FuncDef)]
    func = next(f for f in funcs if name is None or f.decl.name == name) if name else funcs[-1]
    return canonicalize(build_function(func))


def region_of(code: str) -> Graph:
    """Canonical IR of a statement sequence (wrapped in a dummy function to parse)."""
    ast = c_parser.CParser().parse(PRELUDE + "void __region(void) {" + code + "}")
    body = ast.ext[-1].body
    return canonicalize(build_region(body, name="f", file="x.c"))


def same_shape(a: str, b: str) -> bool:
    """Whether two function texts have equal canonical IR."""
    return canonical_text(ir_of(a)) == canonical_text(ir_of(b))
