"""Which address-taken locals keep their address to themselves (docs/semantics.md,
"Locals whose address is taken").

A local such as ``pvmw`` in ``page_vma_mapped_walk(&pvmw)`` lives in memory, but no
other code can reach it unless its address is stored somewhere. The local is
**confined** when every ``&local`` (or ``&local.member``) is, through casts only,

- an argument of a call to a function whose body is not at hand (assumption A9: such a
  call neither keeps the address nor returns it; a call whose model may return an
  argument, ``passing``, does not count), or of a helper whose matching
  parameter is itself confined (only dereferenced, tested, or passed on the same way,
  never assigned);
- dereferenced or tested on the spot (``*&x``, ``&x == p``).

Anything else — assigning it, arithmetic on it, returning it, a ternary choosing it,
an initializer holding it, an asm statement naming the local, an array local (which
decays to its address unseen) — means it may be kept: calls and other CPUs may then
change the local at any time. A confined local changes only where the function writes
it and at the calls that are passed its address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from equivcheck.ir.canon import iter_nodes
from equivcheck.ir.ctype import is_aggregate, pointed_type
from equivcheck.ir.model import (
    AddrOf,
    AsmGoto,
    AsmStmt,
    Assign,
    Binary,
    Branch,
    Call,
    Cast,
    Deref,
    Expr,
    Field,
    Graph,
    Index,
    Local,
    Param,
    Ternary,
    TypeQuery,
    Unary,
)

_TESTS = frozenset({"==", "!=", "<", "<=", ">", ">=", "&&", "||"})

RETURNS_ARGUMENT = frozenset(
    {"memcpy", "memmove", "memset", "strcpy", "strncpy", "strcat", "strncat", "memset64"}
)
"""Library functions C defines to return their first argument (the pointer they are
passed outlives the call)."""


@dataclass(frozen=True)
class _Use:
    """Where a pointer value is used: ``kind`` is ``deref`` (the base of ``*``,
    ``->`` or ``[]``), ``test`` (a condition or comparison), ``arg`` (argument
    ``position`` of a call to ``callee``; "" for a call through a pointer) or
    ``other``."""

    kind: str
    callee: str = ""
    position: int = 0


_DEREF, _TEST, _OTHER = _Use("deref"), _Use("test"), _Use("other")


@dataclass(frozen=True)
class Callees:
    """What the calls of a graph are: ``helpers``, the bodies that would be inlined
    (checked in turn); ``passing``, the functions whose model may return or store an
    argument; ``body``, the others' bodies the unit holds."""

    helpers: Mapping[str, Graph]
    passing: frozenset[str] = frozenset()
    body: Callable[[str], Graph | str | None] = lambda name: None
    """A function's body as the translation unit holds it (not inlined, but read for
    what it does with a pointer): None when the unit does not define it, the reason
    when it cannot be read."""
    holds_array: Callable[[str], bool] = is_aggregate
    """Whether an object of a declared type may hold an array (which decays to a pointer
    into the object without ``&``: ``gp = x.arr``): such a local is never confined."""


def confined_locals(graph: Graph, callees: Callees) -> frozenset[int]:
    """The address-taken locals of ``graph`` whose address only calls that neither keep
    nor return it receive."""
    taken = {i for i, local in enumerate(graph.locals) if local.address_taken}
    if not taken or graph.unsupported:
        # (a construct the IR does not model may take any address, on a path or in code
        # a changed part does not explore)
        return frozenset()
    kept = {node.index for node in _in_asm(graph, Local)}
    for node, use in _pointer_uses(graph):
        if isinstance(node, AddrOf):
            root = lvalue_root(node.lvalue)
            if isinstance(root, Local) and not _confining(use, callees, set()):
                kept.add(root.index)
    for index in taken:
        ctype = graph.locals[index].ctype
        if "[" in ctype or "volatile" in ctype.split() or callees.holds_array(ctype):
            kept.add(index)  # an array decays to its address unseen; volatile: not modelled
    return frozenset(taken - kept)


def confined_param(graph: Graph, index: int, callees: Callees, seen: set[tuple[str, int]]) -> bool:
    """Whether helper ``graph`` keeps the pointer it receives as parameter ``index`` to
    itself: never assigns that parameter, and uses it (or the address of a member it
    points to) only as a confined local's address may be used."""
    key = (graph.name, index)
    if key in seen:
        return True  # recursion adds no use the first visit does not check
    seen.add(key)
    pointee = pointed_type(graph.params[index].ctype) if index < len(graph.params) else None
    if pointee is None or callees.holds_array(pointee):
        return False  # (p->arr decays to a pointer into the object)
    if graph.unsupported or any(p.index == index for p in _in_asm(graph, Param)):
        return False
    for node, use in _pointer_uses(graph):
        if isinstance(node, Param) and node.index == index:
            if use.kind == "assigned" or not _confining(use, callees, seen):
                return False
        elif isinstance(node, AddrOf):
            root = lvalue_root(node.lvalue)
            if isinstance(root, Param) and root.index == index:
                return False  # &p: what it points to is the address itself, read anywhere
            if _is_param(root, index) and not _confining(use, callees, seen):
                return False
    return True


def _confining(use: _Use, callees: Callees, seen: set[tuple[str, int]]) -> bool:
    if use.kind in ("deref", "test"):
        return True
    if use.kind != "arg":
        return False
    if not use.callee:
        return False  # through a pointer: it may be a function that keeps it
    if (
        use.callee in callees.passing
        or use.callee in RETURNS_ARGUMENT
        or use.callee.startswith("__builtin")
    ):
        return False  # a model that may store or return it; a function that returns it
    helper = callees.helpers.get(use.callee)
    if helper is None and use.callee:
        body = callees.body(use.callee)
        if isinstance(body, str):
            return False  # defined, but not readable
        helper = body
    if helper is None:
        return True  # assumption A9: a call neither keeps nor returns the address
    if use.position >= len(helper.params):
        return False  # a variadic argument: where it goes is not seen
    return confined_param(helper, use.position, callees, seen)


def lvalue_root(lvalue: Expr) -> Expr:
    """The object an lvalue lies in: ``x`` for ``x.a[i].b`` and for ``*&x``, ``*p``
    for ``p->a``, ``p`` for ``p[i]``."""
    node = lvalue
    while True:
        match node:
            case Field(base=base) | Index(base=base):
                node = base
            case Cast(operand=operand):
                node = operand
            case Deref(addr=addr):
                inner = _uncast(addr)
                if not isinstance(inner, AddrOf):
                    return node
                node = inner.lvalue
            case _:
                return node


def _uncast(e: Expr) -> Expr:
    while isinstance(e, Cast):
        e = e.operand
    return e


def _is_param(root: Expr, index: int) -> bool:
    """Whether ``root`` is parameter ``index`` or ``*p`` for it (through casts): an
    address taken there is the parameter's own (``&p``) or derived from its value."""
    inner = _uncast(root.addr) if isinstance(root, Deref) else root
    return isinstance(inner, Param) and inner.index == index


def _in_asm(graph: Graph, kind: type[Local] | type[Param]) -> Iterator[Local | Param]:
    for block in graph.blocks.values():
        for stmt in [*block.stmts, block.terminator]:
            if isinstance(stmt, AsmStmt | AsmGoto):
                yield from (n for n in iter_nodes(stmt) if isinstance(n, kind))


def _pointer_uses(graph: Graph) -> Iterator[tuple[Expr, _Use]]:
    """Every ``&lvalue``, parameter and local of ``graph`` with how its value is used
    (a parameter assigned to: ``assigned``)."""
    for block in graph.blocks.values():
        for stmt in [*block.stmts, block.terminator]:
            match stmt:
                case Assign(target=target, value=value):
                    yield from _target(target)
                    yield from _expr(value, _OTHER)
                case Call(target=target, callee=callee, args=args):
                    if target is not None:
                        yield from _target(target)
                    name = callee if isinstance(callee, str) else ""
                    if not isinstance(callee, str):
                        yield from _expr(callee, _OTHER)
                    for position, arg in enumerate(args):
                        yield from _expr(arg, _Use("arg", name, position))
                case Branch(cond=cond):
                    yield from _expr(cond, _TEST)
                case AsmStmt() | AsmGoto():
                    pass  # _in_asm
                case _:
                    for field_name in ("value", "cond"):
                        inner = getattr(stmt, field_name, None)
                        if inner is not None:
                            yield from _expr(inner, _OTHER)


def _target(target: Expr) -> Iterator[tuple[Expr, _Use]]:
    """The uses inside an assignment's target (the target itself is written, not
    read; a parameter written is ``assigned``)."""
    if isinstance(target, Param):
        yield target, _Use("assigned")
        return
    yield from _lvalue(target)


def _lvalue(lvalue: Expr) -> Iterator[tuple[Expr, _Use]]:
    match lvalue:
        case Field(base=base):
            yield from _lvalue(base)
        case Index(base=base, index=index):
            yield from _lvalue(base)
            yield from _expr(index, _OTHER)
        case Deref(addr=addr):
            yield from _expr(addr, _DEREF)
        case Cast(operand=operand):
            yield from _lvalue(operand)
        case Local() | Param():
            pass  # the object itself, not its address
        case _:
            yield from _expr(lvalue, _OTHER)


def _expr(e: Expr, use: _Use) -> Iterator[tuple[Expr, _Use]]:
    """The pointer uses inside ``e``, itself used as ``use``."""
    match e:
        case Cast(operand=operand):
            yield from _expr(operand, use)
        case AddrOf(lvalue=lvalue):
            yield e, use
            yield from _lvalue(lvalue)
        case Param() | Local():
            yield e, use
        case Deref(addr=addr):
            yield from _expr(addr, _DEREF)
        case Field() | Index():
            yield from _lvalue(e)
        case Binary(op=op, left=left, right=right):
            inner = _TEST if op in _TESTS else _OTHER
            yield from _expr(left, inner)
            yield from _expr(right, inner)
        case Unary(op=op, operand=operand):
            yield from _expr(operand, _TEST if op == "!" else _OTHER)
        case Ternary(cond=cond, then=then, other=other):
            yield from _expr(cond, _TEST)
            yield from _expr(then, _OTHER)
            yield from _expr(other, _OTHER)
        case TypeQuery():
            pass  # sizeof, typeof: not evaluated
        case _:
            for node in iter_nodes(e):
                if node is not e and isinstance(node, AddrOf | Param | Local):
                    yield node, _OTHER
