"""Footprints of callees no hand-written model covers, read from their bodies.

In tree mode most such callees (``update_hiwater_rss()``,
``pte_install_uffd_wp_if_needed()``...) are ``static inline`` functions whose bodies are
in the translation unit. Their footprint is what the body touches: fields, plain memory
and globals it reads and writes, the footprints of the modelled calls it makes, and
recursively of the inline functions it calls. A call to a function without a body, an
asm with a ``"memory"`` clobber, an ordering point or anything the IR keeps opaque means
"everything": no footprint is inferred and the call stays unmodelled (UNKNOWN).
Results are cached per translation unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from equivcheck.errors import InputError
from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.unit.prototypes import volatile_globals
from equivcheck.frontend.unit.unions import union_members
from equivcheck.ir.lower import function_graph
from equivcheck.ir.model import (
    AddrOf,
    AsmGoto,
    AsmStmt,
    Assign,
    Call,
    Cast,
    Deref,
    Field,
    Global,
    Graph,
    Index,
    Local,
    Opaque,
    Param,
)
from equivcheck.kernel import CONSTANTS
from equivcheck.models.table import MODELS
from equivcheck.symex.spec import VALUE, Model, Part
from equivcheck.symex.state import LAYOUT

MAX_DEPTH = 4


@dataclass(frozen=True)
class Inferred:
    """A footprint read from a body, where the body is, and the functions whose
    bodies it read (the body's own callees, transitively)."""

    model: Model
    source: str
    callees: frozenset[str] = frozenset()

    def describe(self) -> str:
        """One line for the report's assumptions."""
        reads = ", ".join(sorted(p.component for p in self.model.reads)) or "nothing"
        writes = ", ".join(sorted(p.component for p in self.model.writes)) or "nothing"
        value = "; a value, not an event" if VALUE in self.model.extra else ""
        return (
            f"footprint of {self.model.name}() inferred from its body at {self.source}: "
            f"reads {reads}; writes {writes}{value}"
        )


@dataclass
class _Footprint:
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    returns: bool = True
    """False when the body (or one it calls) has a loop or a call that does not return:
    a call of it may not come back, so it stays an event even if it writes nothing."""
    calls: set[str] = field(default_factory=set)
    """The functions whose bodies were read into this footprint."""
    volatile: frozenset[str] = frozenset()
    """The unit's volatile globals (a read of one is an access of its own)."""
    shared: frozenset[str] = frozenset()
    """The unit's union members: a member so named may live in union storage."""

    def field(self, into: set[str], path: str) -> None:
        """Member ``path`` accessed: its array, and union storage where the engine may
        keep it (symex/memory.py)."""
        into.add(f"field:{path}")
        if any(part in self.shared for part in path.split(".")):
            into.add(LAYOUT)


class _Everything(Exception):
    """The body may touch anything (the reason is the message)."""


_UNITS: dict[int, tuple[str, dict[str, FunctionText]]] = {}
"""Per unit (by identity; the unit itself is kept, so its id is not reused while it is
cached), its function definitions."""
_KEEP_UNITS = 4  # (a function's two units come in turns, then the next file's)


def _unit_key(unit: str) -> int:
    """The cache key of ``unit``: its id, while the unit is kept; a unit no longer kept
    takes the graphs and footprints cached under its id with it."""
    key = id(unit)
    kept = _UNITS.get(key)
    if kept is not None and kept[0] is unit:
        return key
    if kept is not None or len(_UNITS) >= _KEEP_UNITS:
        gone = key if kept is not None else next(iter(_UNITS))
        del _UNITS[gone]
        for cache in (_GRAPHS, _INFERRED):
            for stale in [k for k in cache if k[0] == gone]:
                del cache[stale]
    found: dict[str, FunctionText] = {}
    for func in gnuc.cut_all_functions(unit):
        found.setdefault(func.name, func)
    _UNITS[key] = (unit, found)
    return key


def _definitions(unit: str) -> dict[str, FunctionText]:
    return _UNITS[_unit_key(unit)][1]


def unit_definition(unit: str, name: str) -> FunctionText | None:
    """The definition of ``name`` in the translation unit ``unit`` (None: none)."""
    return _definitions(unit).get(name)


def read_unit_bodies(unit: str) -> None:
    """Find the function definitions of ``unit`` now (they are kept for
    :func:`body_graph` and :func:`infer`)."""
    _definitions(unit)


_GRAPHS: dict[tuple[int, str], Graph | str | None] = {}


def body_graph(unit: str, name: str) -> Graph | str | None:
    """The IR of function ``name`` as the translation unit ``unit`` defines it: None when
    the unit does not define it, the reason when its body cannot be read."""
    key = (_unit_key(unit), name)
    if key not in _GRAPHS:
        func = _definitions(unit).get(name)
        found: Graph | str | None = None
        if func is not None:
            try:
                found = function_graph(func)
            except InputError as err:
                found = err.one_line()
        _GRAPHS[key] = found
    return _GRAPHS[key]


def infer(names: set[str], unit: str) -> tuple[dict[str, Inferred], dict[str, str]]:
    """Footprints for ``names`` from the translation unit ``unit``, and for those that
    cannot be inferred, why."""
    inferred: dict[str, Inferred] = {}
    failed: dict[str, str] = {}
    for name in sorted(names):
        key = (_unit_key(unit), name)
        if key not in _INFERRED:
            _INFERRED[key] = _infer_one(name, unit)
        found = _INFERRED[key]
        if isinstance(found, str):
            failed[name] = found
        else:
            inferred[name] = found
    return inferred, failed


def value_models(names: set[str], unit: str) -> dict[str, Inferred]:
    """The footprints of those ``names`` whose bodies in ``unit`` are values (write
    nothing, always return): calls of them are values from the first comparison on."""
    inferred, _ = infer(names, unit)
    return {n: i for n, i in inferred.items() if VALUE in i.model.extra}


_INFERRED: dict[tuple[int, str], Inferred | str] = {}


def _infer_one(name: str, unit: str) -> Inferred | str:
    """The footprint of ``name`` read from its body in ``unit``, or why not."""
    defs = _definitions(unit)
    func = defs.get(name)
    if func is None:
        return f"{name} has no body in the translation unit"
    if _WEAK.search(func.text.split("{", 1)[0]):
        return f"{name} is weak: the linker may take another definition"
    try:
        footprint = _footprint(name, unit, 0, set())
    except _Everything as why:
        return str(why)
    value = footprint.returns and not footprint.writes
    model = Model(
        name,
        "inferred",
        reads=tuple(Part(c, ()) for c in sorted(footprint.reads)),
        writes=tuple(Part(c, ()) for c in sorted(footprint.writes)),
        doc="inferred from the body",
        extra={VALUE: "yes"} if value else {},
    )
    return Inferred(model, f"{func.file}:{func.start_line}", frozenset(footprint.calls))


_WEAK = re.compile(r"\b(?:__weak__|weak)\b")


def _footprint(name: str, unit: str, depth: int, active: set[str]) -> _Footprint:
    if depth > MAX_DEPTH or name in active:
        raise _Everything(f"{name} calls itself or nests too deeply")
    graph = body_graph(unit, name)
    if graph is None:
        raise _Everything(f"it calls {name}, which has no body here")
    if isinstance(graph, str):
        raise _Everything(f"{name} cannot be read: {graph}")
    if graph.unsupported:
        raise _Everything(f"{name} has {graph.unsupported[0][0]}")
    out = _Footprint(
        returns=not _cyclic(graph), volatile=volatile_globals(unit), shared=union_members(unit)
    )
    for block in graph.blocks.values():
        for stmt in block.stmts:
            _statement(stmt, out, graph, unit, depth, active | {name})
        term = block.terminator
        if isinstance(term, AsmGoto):
            raise _Everything(f"{name} has an asm goto")
        for value in (getattr(term, "cond", None), getattr(term, "value", None)):
            if value is not None:
                _reads(value, out)
    return out


def _cyclic(graph: Graph) -> bool:
    """Whether some path of ``graph`` comes back to a block (a loop, or a backward
    ``goto``)."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    stack = [(graph.entry, iter(graph.successors(graph.entry)))]
    state[graph.entry] = 1
    while stack:
        block, rest = stack[-1]
        nxt = next(rest, None)
        if nxt is None:
            state[block] = 2
            stack.pop()
        elif state.get(nxt) == 1:
            return True
        elif nxt not in state:
            state[nxt] = 1
            stack.append((nxt, iter(graph.successors(nxt))))
    return False


def _statement(
    stmt: object,
    out: _Footprint,
    graph: Graph,
    unit: str,
    depth: int,
    active: set[str],
) -> None:
    match stmt:
        case Assign(target=t, value=v):
            _lvalue(t, out.writes, out)
            _reads(v, out)
        case Call(target=t, callee=callee, args=args):
            if t is not None:
                _lvalue(t, out.writes, out)
            for arg in args:
                _reads(arg, out)
            if not isinstance(callee, str):
                raise _Everything("it calls through a function pointer")
            _callee(callee, out, unit, depth, active)
        case AsmStmt(clobbers=clobbers, outputs=outputs, inputs=inputs, volatile=volatile):
            if "memory" in clobbers:
                raise _Everything("it has an asm with a memory clobber")
            if volatile or not outputs:
                # (port I/O, rdtsc: an effect or a new value each time, whatever it
                # writes to memory)
                raise _Everything("it has an asm volatile or one without outputs")
            for op in outputs:
                _lvalue(op.expr, out.writes, out)
            for op in inputs:
                _reads(op.expr, out)


def _callee(callee: str, out: _Footprint, unit: str, depth: int, active: set[str]) -> None:
    model = MODELS.get(callee)
    if model is not None:
        if model.kind in {"ordering", "everything", "volatile_read", "volatile_write"}:
            raise _Everything(f"it calls {callee}, an ordering point or volatile access")
        # (an inferred-kind model names whole arrays already: field:next, mem, ...)
        prefix = "" if model.kind == "inferred" else "comp:"
        out.reads.update(f"{prefix}{p.component}" for p in model.reads)
        out.writes.update(f"{prefix}{p.component}" for p in model.writes)
        out.returns = out.returns and not model.noreturn
        return
    inner = _footprint(callee, unit, depth + 1, active)
    out.reads |= inner.reads
    out.writes |= inner.writes
    out.returns = out.returns and inner.returns
    out.calls |= inner.calls | {callee}


def _lvalue(e: object, into: set[str], out: _Footprint) -> None:
    match e:
        case Field(base=Deref(addr=a), name=n):
            _not_volatile(a)
            out.field(into, n)
            _reads(a, out)
        case Field(base=b, name=n):
            root = _root(b)
            if isinstance(root, Global):
                # (the engine keeps a global struct's members apart from the global's
                # own value: no whole component names them)
                raise _Everything(f"it accesses a member of the global {root.name}")
            if isinstance(root, Deref):
                _not_volatile(root.addr)
                out.field(into, _path(e))
                _reads(root.addr, out)
            elif isinstance(root, Local) and not root.address_taken:
                pass  # a field of the callee's own struct local
            else:
                # p[i].x and the like: the engine keeps it under the field's name.
                out.field(into, n)
                _address(b, out)
        case Index(base=a, index=i):
            _not_volatile(a)
            into.add("mem")
            _reads(a, out)
            _reads(i, out)
        case Deref(addr=a):
            _not_volatile(a)
            into.add("mem")
            _reads(a, out)
        case Global(name=n):
            if n in out.volatile:
                raise _Everything(f"it accesses the volatile {n}")
            into.add(f"global:{n}")


def _not_volatile(address: object) -> None:
    """Refuse an access through a pointer to volatile (a cast, a parameter or a local
    so declared: what ``READ_ONCE()`` expands to)."""
    while True:
        match address:
            case Cast(ctype=t) | Local(ctype=t) | Param(ctype=t) if "volatile" in t:
                raise _Everything("it accesses memory through a pointer to volatile")
            case Cast(operand=inner):
                address = inner
            case _:
                return


def _root(e: object) -> object:
    while isinstance(e, Field):
        e = e.base
    return e


def _path(e: object) -> str:
    names: list[str] = []
    while isinstance(e, Field):
        names.append(e.name)
        e = e.base
        if isinstance(e, Deref):
            break
    return ".".join(reversed(names))


def _reads(e: object, out: _Footprint) -> None:
    """What evaluating ``e`` reads."""
    match e:
        case Field() | Deref() | Index():
            _lvalue(e, out.reads, out)
            return
        case Global(name=n):
            if n in out.volatile:
                raise _Everything(f"it reads the volatile {n}")
            if n not in CONSTANTS:
                out.reads.add(f"global:{n}")
            return
        case AddrOf(lvalue=lv):
            _address(lv, out)
            return
        case Opaque(construct=c):
            raise _Everything(f"it has {c}")
    for child in getattr(e, "__dataclass_fields__", {}):
        if child == "loc":
            continue
        value = getattr(e, child)
        if isinstance(value, tuple):
            for item in value:
                if isinstance(item, tuple):
                    for sub in item:
                        _reads(sub, out)
                else:
                    _reads(item, out)
        else:
            _reads(value, out)


def _address(lv: object, out: _Footprint) -> None:
    match lv:
        case Deref(addr=a):
            _reads(a, out)
        case Field(base=b):
            _address(b, out)
        case Index(base=b, index=i):
            _reads(b, out)
            _reads(i, out)
