# pycparser ships no type stubs, so its classes are Any to mypy (subclassing them is "misc").
# pycparser's Node.__repr__ needs "coord", "__weakref__" last in __slots__: no sorting.
# mypy: disable-error-code="misc"
# ruff: noqa: RUF023
"""AST nodes for the GNU C extensions, shaped like pycparser's generated nodes.

Each class has ``__slots__`` ending in ``coord``/``__weakref__`` (pycparser's ``repr``
relies on that), ``children()`` as ``(name, node)`` pairs, ``__iter__`` over the child
nodes and ``attr_names`` for the plain-data fields, so ``c_ast.NodeVisitor`` and
``show()`` work on them.

The ``Gnu*`` subclasses of pycparser nodes (``GnuDecl`` and so on) exist only to carry
two extra Python attributes: ``attributes`` (a list of :class:`Attribute`) and, for
declarations, ``asm_label``. They keep the pycparser class name so visitors that
dispatch on ``__class__.__name__`` (``visit_Decl``) treat them as the base node.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from pycparser import c_ast

Child = tuple[str, Any]


@dataclass(frozen=True)
class Attribute:
    """One ``__attribute__`` entry: the name with surrounding ``__`` removed, and each
    argument as its token text (``aligned(8)`` gives ``Attribute("aligned", ("8",))``)."""

    name: str
    args: tuple[str, ...] = ()


class Typeof(c_ast.Node):
    """``typeof(operand)`` used as a type: ``operand`` is an expression or a Typename."""

    __slots__ = ("operand", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, operand: Any, coord: Any = None) -> None:
        self.operand = operand
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return (("operand", self.operand),)

    def __iter__(self) -> Iterator[Any]:
        yield self.operand


class AutoType(c_ast.Node):
    """``__auto_type`` used as a type: the type of the initializer."""

    __slots__ = ("coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, coord: Any = None) -> None:
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return ()

    def __iter__(self) -> Iterator[Any]:
        return iter(())


class AsmOperand(c_ast.Node):
    """One asm operand: ``[name] "constraint" (expr)``; constraint without quotes."""

    __slots__ = ("name", "constraint", "expr", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ("name", "constraint")

    def __init__(self, name: str | None, constraint: str, expr: Any, coord: Any = None) -> None:
        self.name = name
        self.constraint = constraint
        self.expr = expr
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return (("expr", self.expr),)

    def __iter__(self) -> Iterator[Any]:
        yield self.expr


class Asm(c_ast.Node):
    """An asm statement (or top-level asm). ``template`` is the string Constant;
    ``qualifiers`` holds ``volatile``/``inline``/``goto``; clobbers without quotes."""

    __slots__ = (
        "template",
        "qualifiers",
        "outputs",
        "inputs",
        "clobbers",
        "labels",
        "coord",
        "__weakref__",
    )
    attr_names: ClassVar[tuple[str, ...]] = ("qualifiers", "clobbers", "labels")

    def __init__(
        self,
        template: Any,
        qualifiers: list[str],
        outputs: list[AsmOperand],
        inputs: list[AsmOperand],
        clobbers: list[str],
        labels: list[str],
        coord: Any = None,
    ) -> None:
        self.template = template
        self.qualifiers = qualifiers
        self.outputs = outputs
        self.inputs = inputs
        self.clobbers = clobbers
        self.labels = labels
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        out: list[Child] = []
        if isinstance(self.template, c_ast.Node):
            out.append(("template", self.template))
        out += [(f"outputs[{i}]", op) for i, op in enumerate(self.outputs)]
        out += [(f"inputs[{i}]", op) for i, op in enumerate(self.inputs)]
        return tuple(out)

    def __iter__(self) -> Iterator[Any]:
        for _, child in self.children():
            yield child


class CaseRange(c_ast.Node):
    """``case low ... high:`` with the statements that follow it, like ``Case``."""

    __slots__ = ("low", "high", "stmts", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, low: Any, high: Any, stmts: list[Any], coord: Any = None) -> None:
        self.low = low
        self.high = high
        self.stmts = stmts
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        out: list[Child] = [("low", self.low), ("high", self.high)]
        out += [(f"stmts[{i}]", s) for i, s in enumerate(self.stmts or [])]
        return tuple(out)

    def __iter__(self) -> Iterator[Any]:
        yield self.low
        yield self.high
        yield from self.stmts or []


class Elvis(c_ast.Node):
    """``cond ?: iffalse``: ``cond`` is evaluated once and is the value when true."""

    __slots__ = ("cond", "iffalse", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, cond: Any, iffalse: Any, coord: Any = None) -> None:
        self.cond = cond
        self.iffalse = iffalse
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return (("cond", self.cond), ("iffalse", self.iffalse))

    def __iter__(self) -> Iterator[Any]:
        yield self.cond
        yield self.iffalse


class LocalLabel(c_ast.Node):
    """``__label__ a, b;``: labels local to the enclosing block."""

    __slots__ = ("names", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ("names",)

    def __init__(self, names: list[str], coord: Any = None) -> None:
        self.names = names
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return ()

    def __iter__(self) -> Iterator[Any]:
        return iter(())


class TypesCompatible(c_ast.Node):
    """``__builtin_types_compatible_p(type1, type2)``."""

    __slots__ = ("type1", "type2", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, type1: Any, type2: Any, coord: Any = None) -> None:
        self.type1 = type1
        self.type2 = type2
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return (("type1", self.type1), ("type2", self.type2))

    def __iter__(self) -> Iterator[Any]:
        yield self.type1
        yield self.type2


class RangeDesignator(c_ast.Node):
    """``[low ... high]`` in a designated initializer's name list."""

    __slots__ = ("low", "high", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, low: Any, high: Any, coord: Any = None) -> None:
        self.low = low
        self.high = high
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return (("low", self.low), ("high", self.high))

    def __iter__(self) -> Iterator[Any]:
        yield self.low
        yield self.high


class VaArg(c_ast.Node):
    """``__builtin_va_arg(expr, type)``."""

    __slots__ = ("expr", "type", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, expr: Any, type: Any, coord: Any = None) -> None:
        self.expr = expr
        self.type = type
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return (("expr", self.expr), ("type", self.type))

    def __iter__(self) -> Iterator[Any]:
        yield self.expr
        yield self.type


class LabelAddress(c_ast.Node):
    """``&&label``: the address of a label (GNU "labels as values")."""

    __slots__ = ("name", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ("name",)

    def __init__(self, name: str, coord: Any = None) -> None:
        self.name = name
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return ()

    def __iter__(self) -> Iterator[Any]:
        return iter(())


class ComputedGoto(c_ast.Node):
    """``goto *expr;``."""

    __slots__ = ("expr", "coord", "__weakref__")
    attr_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, expr: Any, coord: Any = None) -> None:
        self.expr = expr
        self.coord = coord

    def children(self) -> tuple[Child, ...]:
        return (("expr", self.expr),)

    def __iter__(self) -> Iterator[Any]:
        yield self.expr


# Subclasses of pycparser nodes that can carry ``attributes`` (and ``asm_label``).
# Declaring no __slots__ gives them a __dict__; the class name stays the pycparser one.


class Decl(c_ast.Decl):
    """A ``Decl`` with ``attributes`` and ``asm_label`` (``asm("name")`` on it)."""

    attributes: list[Attribute]
    asm_label: str | None


class Typedef(c_ast.Typedef):
    """A ``Typedef`` with ``attributes``."""

    attributes: list[Attribute]
    asm_label: str | None


class FuncDef(c_ast.FuncDef):
    """A ``FuncDef`` with ``attributes`` (those of its declaration)."""

    attributes: list[Attribute]


class Label(c_ast.Label):
    """A ``Label`` with ``attributes`` (``out: __attribute__((unused));``)."""

    attributes: list[Attribute]


class EmptyStatement(c_ast.EmptyStatement):
    """An empty statement with ``attributes`` (``__attribute__((__fallthrough__));``)."""

    attributes: list[Attribute]


class Struct(c_ast.Struct):
    """A ``Struct`` with ``attributes`` (``packed``, ``aligned``...)."""

    attributes: list[Attribute]


class Union(c_ast.Union):
    """A ``Union`` with ``attributes``."""

    attributes: list[Attribute]


_UPGRADES: dict[type, type] = {
    c_ast.Decl: Decl,
    c_ast.Typedef: Typedef,
    c_ast.FuncDef: FuncDef,
    c_ast.Label: Label,
    c_ast.EmptyStatement: EmptyStatement,
    c_ast.Struct: Struct,
    c_ast.Union: Union,
}


def with_attributes(node: Any) -> Any:
    """Return ``node`` as its attribute-carrying subclass (a copy of the plain node,
    or ``node`` itself if it already is one), with ``attributes`` initialised."""
    target = _UPGRADES.get(type(node))
    if target is None:
        if not hasattr(node, "__dict__"):
            return node
        new = node
    else:
        new = object.__new__(target)
        for slot in type(node).__slots__:
            if slot != "__weakref__" and hasattr(node, slot):
                setattr(new, slot, getattr(node, slot))
    if "attributes" not in new.__dict__:
        new.attributes = []
    if isinstance(new, (Decl, Typedef)) and "asm_label" not in new.__dict__:
        new.asm_label = None
    return new
