# pycparser ships no type stubs, so its classes are Any to mypy (subclassing them is "misc":
# the attribute carriers at the end).
# mypy: disable-error-code="misc"
"""AST nodes for the GNU C extensions, shaped like pycparser's own generated nodes.

Each new node is one row of a spec: a class statement that gives only its name, its
docstring and its fields in order, each field's kind written as its type:

- ``Child``: one child node, listed by ``children()`` under the field's name;
- ``Children[T]``: a list of child nodes, listed as ``name[0]``, ``name[1]``...;
- any other type: a plain attribute, listed in ``attr_names`` (shown by ``show()``);
- ``coord: Coord = None`` last, as in every pycparser node.

The decorator :func:`gnu_node` is the factory. It reads the row into a :class:`NodeSpec`
(kept in :data:`SPECS`) and builds the real class from it: ``__slots__`` in field order
ending in ``coord``/``__weakref__`` (pycparser's ``Node.__repr__`` prints every slot but
the last two), ``__init__`` taking the fields then ``coord=None``, ``children()`` as
``(name, node)`` pairs in field order (a single child only when it is a node, like
pycparser's skipping of ``None``), ``__iter__`` over the same nodes and ``attr_names``.
So ``c_ast.NodeVisitor`` (``visit_Asm``...) and ``show()`` work on them.

Why class statements and not a table of tuples: mypy cannot see a class built by a call
to ``type()`` (it could not be named in an annotation such as ``-> nodes.Asm``). A class
statement is what mypy reads, and :func:`gnu_node` is marked ``dataclass_transform``, so
mypy also knows each ``__init__`` from the fields and checks every construction and
every attribute. mypy ignores ``dataclass_transform`` on a class with an ``Any`` base,
and pycparser (no stubs) is ``Any``; so the rows subclass :class:`NodeBase`, which is
``c_ast.Node`` at run time and a small typed stand-in for it under ``TYPE_CHECKING``.

The attribute-carrying subclasses of pycparser nodes (``Decl``, ``Typedef`` and so on)
exist only to carry two extra Python attributes: ``attributes`` (a list of
:class:`Attribute`) and, for declarations, ``asm_label``. They keep the pycparser class
name, so visitors that dispatch on ``__class__.__name__`` (``visit_Decl``) treat them as
the base node.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, dataclass_transform

from pycparser import c_ast


@dataclass(frozen=True)
class Attribute:
    """One ``__attribute__`` entry: the name with surrounding ``__`` removed, and each
    argument as its token text (``aligned(8)`` gives ``Attribute("aligned", ("8",))``)."""

    name: str
    args: tuple[str, ...] = ()


# ---------------------------------------------------------------- the spec and the factory


class Kind(Enum):
    """What a node field holds, which decides where the generated methods show it."""

    CHILD = "one child node"
    CHILDREN = "a list of child nodes"
    ATTR = "a plain attribute"


_T = TypeVar("_T")

Child = Annotated[Any, Kind.CHILD]
Children = Annotated[list[_T], Kind.CHILDREN]
Coord = Any  # pycparser's Coord (untyped), or None

if TYPE_CHECKING:

    class NodeBase:
        """``c_ast.Node`` as mypy sees it (see the module docstring)."""

        attr_names: ClassVar[tuple[str, ...]]

        def children(self) -> tuple[tuple[str, Any], ...]: ...
        def __iter__(self) -> Iterator[Any]: ...
        def show(self, *args: Any, **kwargs: Any) -> None: ...

else:
    NodeBase = c_ast.Node


@dataclass(frozen=True)
class NodeSpec:
    """One generated node class: its name, its fields in slot order with their kinds
    (``coord`` comes after them and is not listed) and its docstring."""

    name: str
    fields: tuple[tuple[str, Kind], ...]
    doc: str

    def names(self, *kinds: Kind) -> tuple[str, ...]:
        """The fields of the given kinds (all fields if none given), in order."""
        return tuple(name for name, kind in self.fields if not kinds or kind in kinds)


SPECS: dict[str, NodeSpec] = {}
"""Every generated node's spec, by class name, in declaration order."""


def _kind(hint: Any) -> Kind:
    kinds = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Kind)]
    return kinds[0] if kinds else Kind.ATTR


@dataclass_transform(eq_default=False)
def gnu_node[N](decl: type[N]) -> type[N]:
    """Build the node class that the class statement ``decl`` specifies (see the module
    docstring), record its spec in :data:`SPECS` and return it in place of ``decl``."""
    hints = inspect.get_annotations(decl, eval_str=True)
    if list(hints)[-1:] != ["coord"]:
        raise TypeError(f"node {decl.__name__}: the last field must be coord")
    fields = tuple((name, _kind(hint)) for name, hint in hints.items() if name != "coord")
    spec = NodeSpec(decl.__name__, fields, decl.__doc__ or "")
    SPECS[spec.name] = spec
    namespace = _methods(spec)
    namespace |= {
        "__module__": decl.__module__,
        "__qualname__": decl.__qualname__,
        "__doc__": decl.__doc__,
        "__annotations__": inspect.get_annotations(decl),
    }
    return type(spec.name, decl.__bases__, namespace)


def _methods(spec: NodeSpec) -> dict[str, Any]:
    """The generated part of a node class's namespace, from its spec."""
    names = spec.names()
    wanted = [(name, kind) for name, kind in spec.fields if kind is not Kind.ATTR]
    param = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature(
        [inspect.Parameter(name, param) for name in names]
        + [inspect.Parameter("coord", param, default=None)]
    )

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs or len(args) != len(signature.parameters):  # the parser gives them all
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            args = tuple(bound.arguments.values())
        for name, value in zip(signature.parameters, args, strict=True):
            setattr(self, name, value)

    def children(self: Any) -> tuple[tuple[str, Any], ...]:
        found: list[tuple[str, Any]] = []
        for name, kind in wanted:
            value = getattr(self, name)
            if kind is Kind.CHILD:
                if isinstance(value, c_ast.Node):
                    found.append((name, value))
            else:
                found += [(f"{name}[{i}]", item) for i, item in enumerate(value or ())]
        return tuple(found)

    def __iter__(self: Any) -> Iterator[Any]:
        for _, child in children(self):
            yield child

    for method in (__init__, children, __iter__):
        method.__qualname__ = f"{spec.name}.{method.__name__}"
    return {
        "__slots__": (*names, "coord", "__weakref__"),
        "__signature__": signature,
        "attr_names": spec.names(Kind.ATTR),
        "__init__": __init__,
        "children": children,
        "__iter__": __iter__,
    }


# ---------------------------------------------------------------- the new nodes


@gnu_node
class Typeof(NodeBase):
    """``typeof(operand)`` used as a type: ``operand`` is an expression or a Typename."""

    operand: Child
    coord: Coord = None


@gnu_node
class AutoType(NodeBase):
    """``__auto_type`` used as a type: the type of the initializer."""

    coord: Coord = None


@gnu_node
class AsmOperand(NodeBase):
    """One asm operand: ``[name] "constraint" (expr)``; constraint without quotes."""

    name: str | None
    constraint: str
    expr: Child
    coord: Coord = None


@gnu_node
class Asm(NodeBase):
    """An asm statement (or top-level asm). ``template`` is the string Constant;
    ``qualifiers`` holds ``volatile``/``inline``/``goto``; clobbers without quotes."""

    template: Child
    qualifiers: list[str]
    outputs: Children[AsmOperand]
    inputs: Children[AsmOperand]
    clobbers: list[str]
    labels: list[str]
    coord: Coord = None


@gnu_node
class CaseRange(NodeBase):
    """``case low ... high:`` with the statements that follow it, like ``Case``."""

    low: Child
    high: Child
    stmts: Children[Any]
    coord: Coord = None


@gnu_node
class Elvis(NodeBase):
    """``cond ?: iffalse``: ``cond`` is evaluated once and is the value when true."""

    cond: Child
    iffalse: Child
    coord: Coord = None


@gnu_node
class LocalLabel(NodeBase):
    """``__label__ a, b;``: labels local to the enclosing block."""

    names: list[str]
    coord: Coord = None


@gnu_node
class TypesCompatible(NodeBase):
    """``__builtin_types_compatible_p(type1, type2)``."""

    type1: Child
    type2: Child
    coord: Coord = None


@gnu_node
class RangeDesignator(NodeBase):
    """``[low ... high]`` in a designated initializer's name list."""

    low: Child
    high: Child
    coord: Coord = None


@gnu_node
class VaArg(NodeBase):
    """``__builtin_va_arg(expr, type)``."""

    expr: Child
    type: Child
    coord: Coord = None


@gnu_node
class LabelAddress(NodeBase):
    """``&&label``: the address of a label (GNU "labels as values")."""

    name: str
    coord: Coord = None


@gnu_node
class ComputedGoto(NodeBase):
    """``goto *expr;``."""

    expr: Child
    coord: Coord = None


# ---------------------------------------------------------------- attribute carriers
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
    cls.__base__: cls for cls in (Decl, Typedef, FuncDef, Label, EmptyStatement, Struct, Union)
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
