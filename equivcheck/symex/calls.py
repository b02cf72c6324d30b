"""Running a kernel call's model on a path (the model language of symex/spec.py), and
what a call with no model does.

A modelled call reads and writes the parts of kernel state its model names (its
footprint, keyed by its arguments); a model inferred from a callee's body touches whole
components; READ_ONCE()/WRITE_ONCE() and their kin are volatile accesses, each an
ordering point; at an ordering point (and at an opaque call, in the general mode) the
shared state is observed and then may change (it is havocked). Calls with no model are
opaque: an uninterpreted function of their arguments and of the world they see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

import z3

from equivcheck.frontend.model import SourceLocation
from equivcheck.ir.model import Call, Deref, Field, Global, Index, Local, Param
from equivcheck.ir.text import expr_text
from equivcheck.symex import values as V
from equivcheck.symex.ctypes import DEFAULT, int_type, unknown
from equivcheck.symex.memory import (
    GLOBAL_ADDRESS,
    Evaluate,
    Loc,
    Memory,
    describe_expr,
    when,
    without_casts,
)
from equivcheck.symex.spec import (
    THROUGH_POINTER,
    VALUE,
    Apply,
    Arg,
    Fresh,
    Get,
    Model,
    Neg,
    Num,
    Part,
    Sum,
    ValueSpec,
)
from equivcheck.symex.state import (
    MEM,
    Event,
    FootPart,
    Note,
    PathState,
    is_constant_name,
    kept_arrays,
    select,
    store,
)
from equivcheck.symex.values import SymVal

Mode = Literal["general", "benign"]
"""How calls with no model behave: ``general``, each may change all shared state and
returns a value that depends on the state it sees; ``benign``, none changes state
and each returns a value of its arguments alone."""


INDIRECT_CALL = "(*pointer)"
"""The name of every call through a pointer (the pointer is its first argument)."""


class ModelRunner:
    """Runs the model of each kernel call on a path (or the call as an opaque one),
    reaching memory through :class:`Memory` for volatile accesses."""

    def __init__(
        self,
        memory: Memory,
        evaluate: Evaluate,
        *,
        mode: Mode,
        version: str,
        return_types: Mapping[str, str],
        parameter_types: Mapping[str, tuple[str | None, ...]] | None = None,
    ) -> None:
        self.memory = memory
        self.evaluate = evaluate
        self.mode = mode
        self.version = version
        self.return_types = return_types
        self.parameter_types = parameter_types or {}

    def arguments(self, st: PathState, call: Call) -> tuple[SymVal, ...]:
        """A call's arguments, each converted to its parameter's integer type when the
        callee's prototype gives one."""
        values = tuple(self.evaluate(st, a) for a in call.args)
        declared = self.parameter_types.get(call.callee) if isinstance(call.callee, str) else None
        if not declared:
            return values
        return tuple(
            V.convert(value, int_type(ctype))
            if i < len(declared) and (ctype := declared[i])
            else value
            for i, value in enumerate(values)
        )

    def opaque(self, st: PathState, call: Call) -> SymVal:
        """A call with no model: an event, and a result that is an unknown function of
        its arguments (in the general mode, of the world it sees too, which it changes)."""
        args = self.arguments(st, call)
        if isinstance(call.callee, str):
            name = shown = call.callee
        else:
            # Named by what it calls, the pointer's value (its first argument), not by
            # the variable holding it: local names carry no meaning.
            args = (self.evaluate(st, call.callee), *args)
            name, shown = INDIRECT_CALL, f"(*{describe_expr(call.callee)})"
        terms = tuple(a.term for a in args)
        general = self.mode == "general"
        if general:
            st.world += 1
            result = uf(f"call:{name}", (z3.BitVecVal(st.world, 64), *terms))
        else:
            result = uf(f"call:{name}", terms)
        # The state the call sees is part of what it depends on (general semantics).
        snapshot = st.shared.snapshot() if general else None
        st.trace.append(
            Event("call", name, args, None, None, call.loc, snapshot=snapshot, modelled=False)
        )
        value = self._as_declared(name, SymVal(result))
        st.calls.append((f"{shown}({', '.join(describe_expr(a) for a in call.args)})", value.term))
        if general:
            self._havoc(st, f"w{st.world}", terms)
        return value

    def _as_declared(self, name: str, value: SymVal) -> SymVal:
        """A call's result as a value of the callee's declared return type (a value of
        unknown type, named after the callee, when no prototype is at hand)."""
        declared = self.return_types.get(name)
        return V.convert(value, int_type(declared) if declared else unknown(f"call:{name}"))

    def ordering(
        self,
        st: PathState,
        name: str,
        args: tuple[SymVal, ...],
        loc: SourceLocation | None,
        kind: Literal["ordering", "asm"] = "ordering",
        reads: tuple[FootPart, ...] = (),
        writes: tuple[FootPart, ...] = (),
    ) -> None:
        """An ordering point: the shared state is observed (an event with a snapshot),
        then another CPU may change it."""
        event = Event(
            kind, name, args, reads, writes, loc, ordering=True, snapshot=st.shared.snapshot()
        )
        st.trace.append(event)
        st.world += 1
        self._havoc(st, f"w{st.world}", tuple(a.term for a in args))

    def _havoc(self, st: PathState, epoch: str, given: tuple[z3.ExprRef, ...]) -> None:
        """Everything shared may change (address-taken locals live in memory, so they
        change with it, except the confined ones the change is not ``given``);
        constants stay."""
        keep = {name for name in st.shared.globals if is_constant_name(name)}
        st.shared.havoc(epoch, keep, self.memory.spared(st, given))

    def apply(self, st: PathState, model: Model, call: Call) -> SymVal:
        """A call's result under its model, its effects recorded on the path."""
        if model.kind in {"volatile_read", "volatile_write"}:
            return self._volatile(st, model, call)
        args = self.arguments(st, call)
        if model.kind == "identity":
            return args[0] if args else V.const(0)
        if model.kind == "pure":
            if model.result is not None:
                return self._as_declared(model.name, self._value(st, model.result, args))
            pure = SymVal(uf(f"pure:{model.name}", tuple(a.term for a in args)))
            return self._as_declared(model.name, pure)
        reads = tuple(self._part(p, args, call) for p in model.reads)
        writes = tuple(self._part(p, args, call) for p in model.writes)
        if model.kind == "everything":
            self.opaque(st, dataclasses.replace(call, target=None))
            return V.const(0)
        if model.kind == "inferred":
            return self._inferred(st, model, call, args)
        result = self._value(st, model.result, args) if model.result is not None else V.const(0)
        if model.result_type:
            result = V.convert(result, int_type(model.result_type))
        elif model.result is not None:
            result = self._as_declared(model.name, result)
        if model.result is not None:
            text = f"{model.name}({', '.join(describe_expr(a) for a in call.args)})"
            st.calls.append((when(st, text), result.term))
        if model.kind == "ordering":
            self.ordering(st, model.name, args, call.loc, reads=reads, writes=writes)
        elif model.kind != "read":
            # A read is no effect: what it returns is compared where it is used, and
            # reading after another write or another CPU's change gives another value.
            st.trace.append(
                Event(
                    "effect",
                    model.name,
                    args,
                    reads,
                    writes,
                    call.loc,
                    additive=additive_components(model),
                )
            )
        for update in model.updates:
            value = self._value(st, update.value, args)
            part = self._part(update.part, args)
            name = f"comp:{part.component}"
            array = st.shared.array(name, len(part.key))
            st.shared.arrays[name] = store(array, part.key, value.term)
        return result

    def _inferred(
        self, st: PathState, model: Model, call: Call, args: tuple[SymVal, ...]
    ) -> SymVal:
        """A call whose footprint was read from its body: an event touching whole
        arrays; the result depends on its arguments and what it reads, and what it writes
        becomes an unknown function of its arguments and the old contents."""
        # (a pointer the path made from a member's address is that member, kept in its
        # own array, not plain memory: what the body reads or writes through pointers
        # reaches it there too)
        pointed = self._pointed_arrays(st, model, args, call.loc)
        read_parts = _with_pointed([p.component for p in model.reads], pointed)
        write_parts = _with_pointed([p.component for p in model.writes], pointed)
        reads = tuple(FootPart(c, ()) for c in read_parts)
        writes = tuple(FootPart(c, ()) for c in write_parts)
        if VALUE not in model.extra:
            # (a body that writes nothing and always returns is a value, not an event)
            st.trace.append(Event("effect", model.name, args, reads, writes, call.loc))
        terms: list[z3.ExprRef] = [a.term for a in args]
        for component in read_parts:
            terms.append(self._whole(st, component))
        result = _uf_any(f"inferred:{model.name}", tuple(terms), V.word_sort())
        read_terms = terms[len(args) :]
        for component in write_parts:
            old = self._whole(st, component)
            new = _uf_any(
                f"inferred:{model.name}:{component}",
                (*[a.term for a in args], *read_terms, old),
                old.sort(),
            )
            self._set_whole(st, component, new)
        value = self._as_declared(model.name, SymVal(result))
        text = f"{model.name}({', '.join(describe_expr(a) for a in call.args)})"
        st.calls.append((when(st, text), value.term))
        return value

    def _pointed_arrays(
        self, st: PathState, model: Model, args: tuple[SymVal, ...], loc: SourceLocation | None
    ) -> list[str]:
        """The member arrays a footprint that reaches plain memory reaches too: those of
        the members whose addresses the path made (``&p->x``) and that the callee can
        get, in an argument's value (``&p->x + 0``, ``n ? &p->x : &p->y``) or stored
        where it may read them (``h.ptr = &p->x``, a global). A pointer to a struct or
        union so given reaches all its members' bytes, which are kept apart from plain
        memory (assumption A2): not modelled, as in the function itself
        (``Memory._check_into_struct``)."""
        if MEM not in {p.component for p in (*model.reads, *model.writes)}:
            return []
        found: dict[str, None] = {}
        given = _Reach(st, found)
        for arg in args:
            given.walk(arg.term)
        stored = _Reach(st, found)
        for array in (*st.shared.arrays.values(), *kept_arrays(st.shared.kept).values()):
            stored.walk(array)
        for name, value in st.shared.globals.items():
            if not st.shared.is_outer(name):  # (a region's outer variable is a local)
                stored.walk(value.term)
        for reach, how in ((given, "is passed"), (stored, "may read")):
            if reach.struct is not None:
                st.notes.append(
                    Note(
                        "unsupported",
                        f"{model.name}() reaches plain memory and {how} a pointer to "
                        f"{reach.struct} (its members are kept apart from plain memory)",
                        loc,
                    )
                )
                break
        return list(found)

    def _whole(self, st: PathState, component: str) -> z3.ExprRef:
        if component.startswith("global:"):
            return st.shared.global_value(component[7:]).term
        depth = 2 if component == "comp:mm_counter" else 1
        return st.shared.array(component, depth)

    def _set_whole(self, st: PathState, component: str, value: z3.ExprRef) -> None:
        if component.startswith("global:"):
            st.shared.globals[component[7:]] = SymVal(value)
            st.outer_written.add(component[7:])
        else:
            st.shared.arrays[component] = value
            st.outer_written.add(component)

    def _volatile(self, st: PathState, model: Model, call: Call) -> SymVal:
        if not call.args:
            return V.const(0)
        # A volatile access is an ordering point: the state is observed, another CPU may
        # change it, and then the access happens (so two READ_ONCE()s may differ).
        lvalue = call.args[0]
        if THROUGH_POINTER in model.extra:
            lvalue = Deref(lvalue)
        target = without_casts(lvalue)
        if not isinstance(target, Local | Param | Global | Field | Deref | Index):
            st.notes.append(Note("unsupported", f"{model.name}() of {expr_text(target)}"))
            return V.symbol(f"{self.version}:opaque:{model.name}", DEFAULT)
        where = self.memory.locate(st, lvalue)
        if model.kind == "volatile_read":
            return self.volatile_read(st, where, model.name, call.loc)
        value = self.evaluate(st, call.args[1]) if len(call.args) > 1 else V.const(0)
        address = tuple(SymVal(k) for k in where.key)
        self.ordering(st, model.name, (*address, value), call.loc)
        self.memory.write(st, where, value)
        return V.const(0)

    def volatile_read(
        self, st: PathState, where: Loc, name: str, loc: SourceLocation | None
    ) -> SymVal:
        """An ordering point at the object's address, then its (maybe new) value."""
        self.ordering(st, name, tuple(SymVal(k) for k in where.key), loc)
        return self.memory.read(st, where)

    def _part(self, part: Part, args: tuple[SymVal, ...], call: Call | None = None) -> FootPart:
        key = tuple(args[i].term if i < len(args) else z3.BitVecVal(0, 64) for i in part.key)
        if not key:
            key = (z3.BitVecVal(0, 64),)  # a component with one instance (per CPU, global)
        text = ""
        if call is not None and all(i < len(call.args) for i in part.key):
            names = ", ".join(describe_expr(call.args[i]) for i in part.key)
            text = f"{part.component}({names})" if part.key else part.component
        return FootPart(part.component, key, text)

    def _value(self, st: PathState, spec: ValueSpec, args: tuple[SymVal, ...]) -> SymVal:
        match spec:
            case Arg(index=i):
                return args[i] if i < len(args) else V.const(0)
            case Num(value=n):
                return V.const(n)
            case Get(part=part):
                fp = self._part(part, args)
                name = f"comp:{fp.component}"
                array = st.shared.array(name, len(fp.key))
                value = select(array, fp.key)
                return SymVal(value)
            case Neg(value=inner):
                return V.unary("-", self._value(st, inner, args))
            case Sum(left=a, right=b):
                return V.binary("+", self._value(st, a, args), self._value(st, b, args))
            case Apply(name=name, values=specs):
                terms = tuple(self._value(st, s, args).term for s in specs)
                return SymVal(uf(f"apply:{name}", terms))
            case Fresh(name=name):
                terms = tuple(a.term for a in args)
                return SymVal(uf(f"w{st.world}:fresh:{name}", terms))
        raise TypeError(f"unknown value spec {spec!r}")


def additive_components(model: Model) -> frozenset[str]:
    """Components a model only adds to (``part := part + value`` with a value that
    reads no state): two such additions commute."""
    out = set()
    for update in model.updates:
        match update.value:
            case Sum(left=Get(part=p), right=r) if p == update.part and not _reads_state(r):
                out.add(update.part.component)
    if model.result is not None and any(_reads_component(model.result, c) for c in out):
        return frozenset()
    return frozenset(out)


def _reads_state(spec: ValueSpec) -> bool:
    match spec:
        case Get():
            return True
        case Neg(value=v):
            return _reads_state(v)
        case Sum(left=a, right=b):
            return _reads_state(a) or _reads_state(b)
        case Apply(values=vs):
            return any(_reads_state(v) for v in vs)
    return False


def _reads_component(spec: ValueSpec, component: str) -> bool:
    match spec:
        case Get(part=p):
            return p.component == component
        case Neg(value=v):
            return _reads_component(v, component)
        case Sum(left=a, right=b):
            return _reads_component(a, component) or _reads_component(b, component)
        case Apply(values=vs):
            return any(_reads_component(v, component) for v in vs)
    return False


def uf(name: str, terms: tuple[z3.ExprRef, ...]) -> z3.BitVecRef:
    """An uninterpreted function ``name`` applied to 64-bit terms (a constant if none)."""
    if not terms:
        return z3.BitVec(name, 64)
    func = z3.Function(name, *([V.word_sort()] * len(terms)), V.word_sort())
    return func(*terms)


def _with_pointed(components: list[str], pointed: list[str]) -> list[str]:
    """A footprint's components, with the members arguments point to wherever it reads
    or writes plain memory (through its pointer parameters)."""
    if MEM not in components:
        return components
    return list(dict.fromkeys([*components, *pointed]))


def _uf_any(name: str, terms: tuple[z3.ExprRef, ...], result: z3.SortRef) -> z3.ExprRef:
    """An uninterpreted function of terms of any sort (arrays included)."""
    if not terms:
        return z3.Const(name, result)
    func = z3.Function(name, *[t.sort() for t in terms], result)
    return func(*terms)


_REACH_LIMIT = 20000
"""Nodes :class:`_Reach` walks before it assumes the worst (a struct reached)."""


class _Reach:
    """A walk of terms for what a callee reading plain memory can get from them: the
    member arrays of pointers the path made from members' addresses (``st.aliases``),
    and whether a pointer to a struct or union is among them (``st.struct_terms``).
    The address of a global (``&g``, ``&g.x``) reaches that global. A value read from
    memory is contents: the address it was read at is not walked (nor the addresses
    values were stored at); nor is a condition."""

    def __init__(self, st: PathState, found: dict[str, None]) -> None:
        self.st = st
        self.found = found
        self.struct: str | None = None
        self.seen: set[int] = set()

    def walk(self, term: z3.ExprRef) -> None:
        """Walk ``term`` (an argument, an array or a global's value)."""
        stack = [term]
        while stack and self.struct is None:
            node = stack.pop()
            ident = node.get_id()
            if ident in self.seen:
                continue
            self.seen.add(ident)
            if len(self.seen) > _REACH_LIMIT:
                self.struct = "a struct or union (too many terms to tell)"
                return
            if z3.is_bool(node):
                continue  # (a condition or comparison is no pointer)
            pointee = self.st.struct_terms.get(ident)
            if pointee is not None:
                self.struct = pointee
                return
            where = self.st.aliases.get(ident)
            if isinstance(where, Loc):
                if where.kind == "array" and where.name != MEM:
                    self.found[where.name] = None
                elif where.kind == "global":  # (&g.x: the global's member)
                    self.found[f"global:{where.name}"] = None
                continue
            if z3.is_const(node) and node.decl().kind() == z3.Z3_OP_UNINTERPRETED:
                name = node.decl().name()
                if name.startswith(GLOBAL_ADDRESS):  # (&g: g, and its members seen)
                    self._global(name.removeprefix(GLOBAL_ADDRESS))
                continue
            children = node.children()
            if z3.is_select(node) or z3.is_store(node):
                # (the array, and a stored value; not the address)
                children = [c for i, c in enumerate(children) if i != 1]
            stack.extend(children)

    def _global(self, name: str) -> None:
        """The global ``name`` is reached through its address: it, and its members the
        path has seen (a member first read later is taken apart: assumption A4 as
        applied to ``*p`` in the function itself)."""
        self.found[f"global:{name}"] = None
        for other in self.st.shared.globals:
            if other.startswith(name + "."):
                self.found[f"global:{other}"] = None
