"""C text of pycparser type and expression nodes, including our GNU C nodes.

Used for the ``ctype`` strings of the IR and for the text of compile-time queries
(``sizeof``, ``offsetof``, ...). GNU nodes are recognised by class name so that this
module does not depend on how the parser layer defines them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycparser import c_ast, c_generator


class _Generator(c_generator.CGenerator):  # type: ignore[misc]
    """pycparser's generator, taught the GNU nodes and an identifier rename hook."""

    def __init__(self, rename: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self._rename = rename

    def visit_ID(self, n: Any) -> str:
        return str(self._rename(n.name)) if self._rename else str(n.name)

    def visit_StructRef(self, n: Any) -> str:
        # The member name is not a variable: never renamed.
        return f"{self._parenthesize_unless_simple(n.name)}{n.type}{n.field.name}"

    def visit_FuncCall(self, n: Any) -> str:
        if isinstance(n.name, c_ast.ID) and n.name.name == "offsetof" and n.args is not None:
            kind, *members = n.args.exprs
            rename, self._rename = self._rename, None
            try:
                designators = ", ".join(str(self.visit(m)) for m in members)
            finally:
                self._rename = rename
            return f"offsetof({self.visit(kind)}, {designators})"
        return str(super().visit_FuncCall(n))

    def visit_Typeof(self, n: Any) -> str:
        return f"typeof({self.visit(n.operand)})"

    def visit_AutoType(self, n: Any) -> str:
        return "__auto_type"

    def visit_TypesCompatible(self, n: Any) -> str:
        return f"__builtin_types_compatible_p({self.visit(n.type1)}, {self.visit(n.type2)})"

    def visit_Elvis(self, n: Any) -> str:
        return f"({self.visit(n.cond)} ?: {self.visit(n.iffalse)})"

    def visit_VaArg(self, n: Any) -> str:
        return f"__builtin_va_arg({self.visit(n.expr)}, {self.visit(n.type)})"

    def visit_RangeDesignator(self, n: Any) -> str:
        return f"[{self.visit(n.low)} ... {self.visit(n.high)}]"

    def generic_visit(self, node: Any) -> str:
        if node is None:
            return ""
        return f"<{type(node).__name__}>"


def node_text(node: Any, rename: Callable[[str], str] | None = None) -> str:
    """C text of an expression or type-name node (identifiers passed through
    ``rename``)."""
    try:
        return str(_Generator(rename).visit(node))
    except (AttributeError, TypeError, KeyError):
        return f"<{type(node).__name__}>"


def decl_type_text(type_node: Any) -> str:
    """The type of a declaration as C text without the declared name, e.g.
    ``struct folio *``."""
    typename = c_ast.Typename(None, [], None, strip_declname(type_node))
    return node_text(typename)


def strip_declname(node: Any) -> Any:
    """A copy of a declarator chain with the declared name removed."""
    if isinstance(node, c_ast.TypeDecl):
        return c_ast.TypeDecl(None, node.quals, node.align, node.type, node.coord)
    if isinstance(node, c_ast.PtrDecl):
        return c_ast.PtrDecl(node.quals, strip_declname(node.type), node.coord)
    if isinstance(node, c_ast.ArrayDecl):
        return c_ast.ArrayDecl(strip_declname(node.type), node.dim, node.dim_quals, node.coord)
    if isinstance(node, c_ast.FuncDecl):
        return c_ast.FuncDecl(node.args, strip_declname(node.type), node.coord)
    return node
