"""Symbolic execution of one version over the IR: paths with conditions, effects and
final states (docs/semantics.md says what each construct means here).

Paths are explored depth first; infeasible branches are pruned with z3. Calls to the
helpers being inlined push a frame; calls with a model follow the model; other calls are
opaque. Loops are unrolled up to ``loop_bound`` visits of a block per frame: a path cut
there carries a ``bounded`` note, so it can show a difference but never prove
equivalence. More than ``max_paths`` paths stop the exploration (a ``budget`` note).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import z3

from equivcheck.frontend.model import SourceLocation
from equivcheck.frontend.typesizes import (
    MEMBER_FACTS,
    TYPE_FACTS,
    member_key,
    offset_key,
    type_key,
)
from equivcheck.ir.canon import iter_nodes
from equivcheck.ir.ctype import is_aggregate, pointed_type, pointed_types, spelled
from equivcheck.ir.model import (
    AddrOf,
    AsmGoto,
    AsmStmt,
    Assign,
    Binary,
    Branch,
    Call,
    Cast,
    Const,
    Deref,
    Exit,
    Expr,
    Field,
    Global,
    Graph,
    Index,
    InitList,
    Jump,
    Local,
    Opaque,
    Param,
    Return,
    Switch,
    Ternary,
    TypeQuery,
    Unary,
    Unreachable,
)
from equivcheck.ir.text import expr_text
from equivcheck.symex import values as V
from equivcheck.symex.ctypes import (
    DEFAULT,
    POINTER,
    IntType,
    int_type,
    is_known_scalar,
    scalar_size,
    scalar_type,
    unknown,
)
from equivcheck.symex.merge import merge, mergeable
from equivcheck.symex.solver import possible
from equivcheck.symex.spec import Apply, Arg, Fresh, Get, Model, Neg, Num, Part, Sum, ValueSpec
from equivcheck.symex.state import (
    MEM,
    Event,
    Exported,
    FootPart,
    Frame,
    Key,
    Note,
    Path,
    PathState,
    Shared,
    is_constant_name,
    select,
    store,
)
from equivcheck.symex.values import SymVal

Mode = Literal["general", "benign"]


@dataclass(frozen=True)
class Config:
    """How to execute one version."""

    models: Mapping[str, Model]
    helpers: Mapping[str, Graph] = field(default_factory=dict)
    mode: Mode = "general"
    loop_bound: int = 2
    max_paths: int = 400
    version: str = "v"
    timeout_ms: int = 5000
    outer: frozenset[str] = frozenset()
    merge: bool = True
    deadline: float | None = None
    outer_types: Mapping[str, str] = field(default_factory=dict)
    union_members: frozenset[str] = frozenset()
    plain_members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per ``struct TAG``, the members it declares directly (not in a union): a write
    to one of them through a pointer of that type shares no storage."""
    return_types: Mapping[str, str] = field(default_factory=dict)
    type_sizes: Mapping[str, int] = field(default_factory=dict)
    volatile_globals: frozenset[str] = frozenset()
    """Globals the unit declares volatile: each read is an ordering point (READ_ONCE)."""
    outer_objects: Mapping[str, str] = field(default_factory=dict)
    """A region's outer variables that are address-taken locals of the function, with
    their declared types: they live in memory at an address both versions share, where
    calls and pointers reach them as they reach any object (not as outer variables)."""


class BudgetExceeded(Exception):
    """The time budget (``--budget``) ran out: the verdict must be UNKNOWN."""


@dataclass
class Exploration:
    """All paths of one version from one entry."""

    paths: list[Path]
    truncated: bool


class _Finished(Exception):
    """The current path ended inside a statement (a noreturn call)."""


@dataclass(frozen=True)
class _Loc:
    """Where a value lives: a frame slot, a global, or an array at a key."""

    kind: Literal["local", "param", "global", "array"]
    name: str
    key: Key = ()
    slot: tuple[int, str] = (0, "")
    ty: IntType = DEFAULT
    frame: int = -1
    describe: str = ""
    width: int | z3.BitVecRef = 8  # bytes, for plain memory
    spelling: str = ""  # the object's spelled type, when known


# The kernel's own constants that are not in capitals (include/linux/stddef.h).
KNOWN_CONSTANTS = {"false": 0, "true": 1, "NULL": 0}


def explore(
    graph: Graph,
    config: Config,
    *,
    entry: int | None = None,
    carried: frozenset[int] | None = None,
) -> Exploration:
    """Every path of ``graph`` from ``entry`` (its entry by default). ``carried`` names
    the exported locals whose values flow in at that entry (None: all of them); reading
    another before writing it is reading an uninitialised local."""
    block = graph.entry if entry is None else entry
    frame = Frame(graph, block, 0, {}, {}, name=graph.name, carried=carried)
    types = {name: int_type(ctype) for name, ctype in config.outer_types.items()}
    start = PathState([], [frame], Shared(outer=config.outer, outer_types=types))
    return _Explorer(config).run(start)


class _Explorer:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.paths: list[Path] = []
        self.truncated = False
        self.rpo: dict[int, dict[int, int]] = {}
        self.heads: dict[int, set[int]] = {}
        self.merges = 0

    # ------------------------------------------------------------------ driving

    def run(self, start: PathState) -> Exploration:
        """Explore in reverse postorder of blocks, so every state that can reach a join
        by a forward edge is waiting there when the join is taken, and merge them."""
        work = [start]
        while work:
            if len(self.paths) + len(work) > self.config.max_paths:
                self.truncated = True
                for st in work:
                    st.notes.append(Note("budget", f"more than {self.config.max_paths} paths"))
                    self._finish(st, ("budget",), None, None)
                break
            if self.config.deadline is not None and time.monotonic() > self.config.deadline:
                raise BudgetExceeded("while exploring paths")
            work.sort(key=self._order, reverse=True)
            st = work.pop()
            if self.config.merge:
                st, work = self._merge_waiting(st, work)
            work.extend(self._step(st))
        return Exploration(self.paths, self.truncated)

    def _loop_heads(self, graph: Graph) -> set[int]:
        key = id(graph)
        if key not in self.heads:
            self.heads[key] = {loop.header for loop in graph.loops}
        return self.heads[key]

    def _order(self, st: PathState) -> tuple[tuple[int, int], ...]:
        return tuple((self._rpo(f.graph).get(f.block, 0), f.stmt) for f in st.frames)

    def _rpo(self, graph: Graph) -> dict[int, int]:
        key = id(graph)
        if key not in self.rpo:
            self.rpo[key] = reverse_postorder(graph)
        return self.rpo[key]

    def _merge_waiting(
        self, st: PathState, work: list[PathState]
    ) -> tuple[PathState, list[PathState]]:
        rest: list[PathState] = []
        for other in work:
            if mergeable(st, other):
                st = merge(st, other)
                self.merges += 1
            else:
                rest.append(other)
        return st, rest

    def _feasible(self, pc: list[z3.BoolRef]) -> bool:
        return possible(pc, self.config.timeout_ms)

    def _finish(
        self,
        st: PathState,
        exit_key: tuple[str, ...],
        ret: SymVal | None,
        loc: SourceLocation | None,
    ) -> None:
        self.paths.append(
            Path(
                z3.And(*st.pc) if st.pc else z3.BoolVal(True),
                exit_key,
                ret,
                st.shared,
                st.trace,
                st.notes,
                loc,
                st.inputs,
                st.calls,
                st.outer_written,
                _exported(st.frames[0]),
                st.frames[0],
                st.lines,
                st.wide,
            )
        )

    def _step(self, st: PathState) -> list[PathState]:
        """Run the current block of the top frame; return the states to continue."""
        frame = st.frames[-1]
        block = frame.graph.blocks[frame.block]
        if frame.stmt == 0:
            count = frame.visits.get(frame.block, 0) + 1
            frame.visits[frame.block] = count
            if count > 1:
                print_ = _fingerprint(st)
                if frame.seen.get(frame.block) == print_:
                    # Back at a loop head in exactly the state of the last visit: the
                    # loop repeats forever (it stopped making progress).
                    self._finish(st, ("hang",), None, _first_loc(block))
                    return []
                frame.seen[frame.block] = print_
            elif frame.block in self._loop_heads(frame.graph):
                frame.seen[frame.block] = _fingerprint(st)
            if count > self.config.loop_bound + 1:
                loc = _first_loc(block)
                st.notes.append(Note("bounded", "loop unrolled to the bound", loc))
                self._finish(st, ("bounded",), None, loc)
                return []
        guard = z3.And(*st.pc) if st.pc else z3.BoolVal(True)
        try:
            while frame.stmt < len(block.stmts):
                stmt = block.stmts[frame.stmt]
                frame.stmt += 1
                st.visit(stmt.loc, guard)
                if isinstance(stmt, Call) and self._inline(st, stmt):
                    return [st]
                self._exec(st, stmt)
        except _Finished:
            return []
        if not isinstance(block.terminator, Jump | Exit):
            # (a jump or exit block may be shared by several gotos: its line is one of them)
            st.visit(getattr(block.terminator, "loc", None), guard)
        return self._terminate(st, block.terminator)

    # ------------------------------------------------------------------ terminators

    def _goto(self, st: PathState, target: int) -> PathState:
        frame = st.frames[-1]
        frame.block, frame.stmt = target, 0
        return st

    def _terminate(self, st: PathState, term: object) -> list[PathState]:
        match term:
            case Jump(target=t):
                return [self._goto(st, t)]
            case Branch(cond=c, then=a, other=b):
                cond = V.truth(self._eval(st, c))
                return self._fork(st, [(cond, a), (z3.Not(cond), b)])
            case Switch(value=v, cases=cases, default=d):
                # The controlling value is promoted; each label is converted to its type.
                value = self._eval(st, v)
                value = V.convert(value, V.promoted(value.ty))
                arms: list[tuple[z3.BoolRef, int]] = []
                matched: list[z3.BoolRef] = []
                for case in cases:
                    low = V.convert(self._eval(st, case.low), value.ty)
                    high = V.convert(self._eval(st, case.high), value.ty)
                    if case.low == case.high:
                        cond = V.truth(V.binary("==", value, low))
                    else:
                        cond = z3.And(
                            V.truth(V.binary(">=", value, low)),
                            V.truth(V.binary("<=", value, high)),
                        )
                    arms.append((z3.And(cond, *[z3.Not(m) for m in matched]), case.target))
                    matched.append(cond)
                arms.append((z3.And(*[z3.Not(m) for m in matched]), d))
                return self._fork(st, arms)
            case AsmGoto(asm=asm, targets=ts, fallthrough=f):
                self._exec(st, asm)
                choice = z3.BitVec(f"w{st.world}:asmgoto:{expr_loc(term)}", 64)
                arms = [(choice == 0, f)] + [(choice == i + 1, t) for i, t in enumerate(ts)]
                return self._fork(st, arms)
            case Return(value=v, loc=loc):
                ret = self._eval(st, v) if v is not None else None
                return self._return(st, ret, loc)
            case Exit(kind=k, label=label, loc=loc):
                key = (k, label) if label else (k,)
                self._finish(st, key, None, loc)
                return []
            case Unreachable(loc=loc):
                self._finish(st, ("unreachable",), None, loc)
                return []
        raise TypeError(f"unknown terminator {term!r}")

    def _fork(self, st: PathState, arms: list[tuple[z3.BoolRef, int]]) -> list[PathState]:
        out: list[PathState] = []
        for cond, target in arms:
            pc = [*st.pc, cond]
            if not self._feasible(pc):
                continue
            child = st.fork() if len(arms) > 1 else st
            child.pc = pc
            out.append(self._goto(child, target))
        return out

    def _return(
        self, st: PathState, ret: SymVal | None, loc: SourceLocation | None
    ) -> list[PathState]:
        frame = st.frames[-1]
        if ret is not None:
            ret = V.convert(ret, int_type(frame.graph.return_type))
        if len(st.frames) == 1:
            self._finish(st, ("return",), ret, loc)
            return []
        st.frames.pop()
        target = frame.ret_target
        if target is not None:
            value = ret if ret is not None else V.const(0)
            self._write(st, self._locate(st, target), value)  # type: ignore[arg-type]
        return [st]

    # ------------------------------------------------------------------ statements

    def _exec(self, st: PathState, stmt: object) -> None:
        match stmt:
            case Assign(target=t, value=InitList() as init):
                self._assign_init(st, t, init)
            case Assign(target=t, value=v):
                value = self._eval(st, v)
                if isinstance(t, Local | Param) and not isinstance(v, Cast):
                    self._assigned_integer(st, t.ctype, value)
                self._write(st, self._locate(st, t), value)
            case Call():
                self._call(st, stmt)
            case AsmStmt():
                self._asm(st, stmt)
            case _:
                raise TypeError(f"unknown statement {stmt!r}")

    def _assign_init(self, st: PathState, target: Expr, init: InitList) -> None:
        frame = st.frames[-1]
        if isinstance(target, Local) and _address_taken(frame.graph, target.index):
            # It lives in memory: each named member is stored where pointers reach it.
            # (Unlisted members keep their old contents instead of zero: both versions
            # alike, so this can only hide a difference when a member is positional.)
            members = _flatten(init, "")
            if any(path.split(".")[-1].startswith("#") for path, _ in members):
                st.notes.append(
                    Note("unsupported", "positional initializer of an address-taken local")
                )
            for path, value in members:
                self._write(st, self._locate(st, Field(target, path)), self._eval(st, value))
            return
        if isinstance(target, Local) and is_known_scalar(target.ctype):
            # ``int x = { a };``: the braces hold the scalar's value.
            scalar = _flatten(init, "")
            first = self._eval(st, scalar[0][1]) if scalar else V.const(0)
            self._write(st, self._locate(st, target), first)
            return
        if isinstance(target, Local):
            for key in [k for k in frame.locals if k[0] == target.index]:
                del frame.locals[key]
            frame.zeroed.add(target.index)
            positional = [v for d, v in _flatten(init, "") if d.split(".")[-1].startswith("#")]
            if any(v != Const("0") for v in positional):
                # Which member a positional value lands in is the struct's member order,
                # not known here ({ 0 } is all zero, whatever the order).
                st.notes.append(Note("unsupported", "positional initializer of a struct local"))
            for designator, value in _flatten(init, ""):
                slot = (target.index, designator)
                frame.locals[slot] = self._eval(st, value)
            return
        # Aggregate stored through a pointer: its value as a function of its items.
        items = tuple(self._eval(st, v).term for _, v in _flatten(init, ""))
        names = ",".join(d for d, _ in _flatten(init, ""))
        self._write(st, self._locate(st, target), SymVal(_uf(f"init{{{names}}}", items)))

    def _asm(self, st: PathState, asm: AsmStmt) -> None:
        inputs = tuple(self._eval(st, op.expr) for op in asm.inputs)
        memory = "memory" in asm.clobbers
        name = f"asm {asm.template!r}"
        if memory or (not asm.outputs and asm.volatile and not asm.inputs):
            self._ordering(st, name, inputs, asm.loc, "asm")
        else:
            writes = tuple(FootPart(f"asm-out:{o.constraint}", ()) for o in asm.outputs)
            st.trace.append(Event("asm", name, inputs, (), writes, asm.loc, modelled=True))
        for number, op in enumerate(asm.outputs):
            value = _uf(f"w{st.world}:asm:{asm.template}:{number}", tuple(v.term for v in inputs))
            self._write(st, self._locate(st, op.expr), SymVal(value))

    # ------------------------------------------------------------------ calls

    def _inline(self, st: PathState, call: Call) -> bool:
        if not isinstance(call.callee, str) or call.callee not in self.config.helpers:
            return False
        helper = self.config.helpers[call.callee]
        if sum(1 for f in st.frames if f.graph is helper) >= 2:
            st.notes.append(Note("bounded", f"recursion into {call.callee}", call.loc))
            self._finish(st, ("bounded",), None, call.loc)
            raise _Finished
        args = [self._eval(st, a) for a in call.args]
        params: dict[tuple[int, str], SymVal] = {}
        for param, value in zip(helper.params, args, strict=False):
            params[(param.index, "")] = V.convert(value, int_type(param.ctype))
        frame = Frame(helper, helper.entry, 0, {}, params, ret_target=call.target, name=helper.name)
        st.frames.append(frame)
        return True

    def _call(self, st: PathState, call: Call) -> None:
        name = call.callee if isinstance(call.callee, str) else None
        model = self.config.models.get(name) if name is not None else None
        result = self._modelled(st, model, call) if model is not None else self._opaque(st, call)
        if call.target is not None:
            self._write(st, self._locate(st, call.target), result)
        if model is not None and model.noreturn:
            self._finish(st, ("unreachable",), None, call.loc)
            raise _Finished

    def _opaque(self, st: PathState, call: Call) -> SymVal:
        args = tuple(self._eval(st, a) for a in call.args)
        if isinstance(call.callee, str):
            name = call.callee
            terms = tuple(a.term for a in args)
        else:
            pointer = self._eval(st, call.callee)
            name = f"(*{expr_text(call.callee)})"
            terms = (pointer.term, *(a.term for a in args))
        general = self.config.mode == "general"
        if general:
            st.world += 1
            result = _uf(f"call:{name}", (z3.BitVecVal(st.world, 64), *terms))
        else:
            result = _uf(f"call:{name}", terms)
        # The state the call sees is part of what it depends on (general semantics).
        snapshot = st.shared.snapshot() if general else None
        st.trace.append(
            Event("call", name, args, None, None, call.loc, snapshot=snapshot, modelled=False)
        )
        value = self._as_declared(name, SymVal(result))
        st.calls.append((f"{name}({', '.join(_describe(a) for a in call.args)})", value.term))
        if general:
            self._havoc(st, f"w{st.world}")
        return value

    def _as_declared(self, name: str, value: SymVal) -> SymVal:
        """A call's result as a value of the callee's declared return type (a value of
        unknown type, named after the callee, when no prototype is at hand)."""
        declared = self.config.return_types.get(name)
        return V.convert(value, int_type(declared) if declared else unknown(f"call:{name}"))

    def _ordering(
        self,
        st: PathState,
        name: str,
        args: tuple[SymVal, ...],
        loc: SourceLocation | None,
        kind: Literal["ordering", "asm"] = "ordering",
        reads: tuple[FootPart, ...] = (),
        writes: tuple[FootPart, ...] = (),
    ) -> None:
        event = Event(
            kind, name, args, reads, writes, loc, ordering=True, snapshot=st.shared.snapshot()
        )
        st.trace.append(event)
        st.world += 1
        self._havoc(st, f"w{st.world}")

    def _havoc(self, st: PathState, epoch: str) -> None:
        """Everything shared may change (address-taken locals live in memory, so they
        change with it); constants stay."""
        keep = {name for name in st.shared.globals if is_constant_name(name)}
        st.shared.havoc(epoch, keep)

    def _modelled(self, st: PathState, model: Model, call: Call) -> SymVal:
        if model.kind in {"volatile_read", "volatile_write"}:
            return self._volatile(st, model, call)
        args = tuple(self._eval(st, a) for a in call.args)
        if model.kind == "identity":
            return args[0] if args else V.const(0)
        if model.kind == "pure":
            if model.result is not None:
                return self._as_declared(model.name, self._value(st, model.result, args))
            pure = SymVal(_uf(f"pure:{model.name}", tuple(a.term for a in args)))
            return self._as_declared(model.name, pure)
        reads = tuple(self._part(p, args, call) for p in model.reads)
        writes = tuple(self._part(p, args, call) for p in model.writes)
        if model.kind == "everything":
            self._opaque(st, dataclasses.replace(call, target=None))
            return V.const(0)
        if model.kind == "inferred":
            return self._inferred(st, model, call, args)
        result = self._value(st, model.result, args) if model.result is not None else V.const(0)
        if model.result_type:
            result = V.convert(result, int_type(model.result_type))
        elif model.result is not None:
            result = self._as_declared(model.name, result)
        if model.result is not None:
            text = f"{model.name}({', '.join(_describe(a) for a in call.args)})"
            st.calls.append((self._when(st, text), result.term))
        if model.kind == "ordering":
            self._ordering(st, model.name, args, call.loc, reads=reads, writes=writes)
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
        reads = tuple(FootPart(p.component, ()) for p in model.reads)
        writes = tuple(FootPart(p.component, ()) for p in model.writes)
        st.trace.append(Event("effect", model.name, args, reads, writes, call.loc))
        terms: list[z3.ExprRef] = [a.term for a in args]
        for part in model.reads:
            terms.append(self._whole(st, part.component))
        result = _uf_any(f"inferred:{model.name}", tuple(terms), V.BV)
        read_terms = terms[len(args) :]
        for part in model.writes:
            old = self._whole(st, part.component)
            new = _uf_any(
                f"inferred:{model.name}:{part.component}",
                (*[a.term for a in args], *read_terms, old),
                old.sort(),
            )
            self._set_whole(st, part.component, new)
        text = f"{model.name}({', '.join(_describe(a) for a in call.args)})"
        st.calls.append((self._when(st, text), result))
        return SymVal(result)

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

    def _when(self, st: PathState, text: str) -> str:
        """``text``, marked with the ordering point it follows (values after one come
        from the state another CPU may have changed)."""
        if st.world == 0:
            return text
        last = next((e for e in reversed(st.trace) if e.ordering or not e.modelled), None)
        after = f"{last.name}()" if last is not None else f"world change {st.world}"
        return f"{text} after {after}"

    def _volatile(self, st: PathState, model: Model, call: Call) -> SymVal:
        if not call.args:
            return V.const(0)
        # A volatile access is an ordering point: the state is observed, another CPU may
        # change it, and then the access happens (so two READ_ONCE()s may differ).
        target = _without_casts(call.args[0])
        if not isinstance(target, Local | Param | Global | Field | Deref | Index):
            st.notes.append(Note("unsupported", f"{model.name}() of {expr_text(target)}"))
            return V.symbol(f"{self.config.version}:opaque:{model.name}", DEFAULT)
        where = self._locate(st, call.args[0])
        if model.kind == "volatile_read":
            return self._volatile_read(st, where, model.name, call.loc)
        value = self._eval(st, call.args[1]) if len(call.args) > 1 else V.const(0)
        address = tuple(SymVal(k) for k in where.key)
        self._ordering(st, model.name, (*address, value), call.loc)
        self._write(st, where, value)
        return V.const(0)

    def _volatile_read(
        self, st: PathState, where: _Loc, name: str, loc: SourceLocation | None
    ) -> SymVal:
        """An ordering point at the object's address, then its (maybe new) value."""
        self._ordering(st, name, tuple(SymVal(k) for k in where.key), loc)
        return self._read(st, where)

    def _part(self, part: Part, args: tuple[SymVal, ...], call: Call | None = None) -> FootPart:
        key = tuple(args[i].term if i < len(args) else z3.BitVecVal(0, 64) for i in part.key)
        if not key:
            key = (z3.BitVecVal(0, 64),)  # a component with one instance (per CPU, global)
        text = ""
        if call is not None and all(i < len(call.args) for i in part.key):
            names = ", ".join(_describe(call.args[i]) for i in part.key)
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
                return SymVal(_uf(f"apply:{name}", terms))
            case Fresh(name=name):
                terms = tuple(a.term for a in args)
                return SymVal(_uf(f"w{st.world}:fresh:{name}", terms))
        raise TypeError(f"unknown value spec {spec!r}")

    # ------------------------------------------------------------------ values

    def _eval(self, st: PathState, e: Expr) -> SymVal:
        value = self._value_of(st, e)
        pointee = value.ty.pointee
        if pointee and pointee.startswith(("struct ", "union ")) and "*" not in pointee:
            st.struct_terms[value.term.get_id()] = pointee  # for _check_into_struct
        return value

    def _value_of(self, st: PathState, e: Expr) -> SymVal:
        match e:
            case Const(text=text, kind=kind):
                value = V.literal(text, kind)
                return value if value is not None else V.symbol(f"literal:{text}")
            case Global(name=n) if n in self.config.volatile_globals:
                # A variable declared volatile: each read is READ_ONCE() of it.
                return self._volatile_read(st, self._locate(st, e), "READ_ONCE", None)
            case Local() | Param() | Global() | Field() | Deref() | Index():
                return self._read(st, self._locate(st, e))
            case AddrOf(lvalue=lv):
                return self._address(st, lv)
            case Unary(op=op, operand=x):
                return V.unary(op, self._eval(st, x))
            case Binary(op=("+" | "-") as op, left=a, right=b):
                left, right = self._eval(st, a), self._eval(st, b)
                return V.additive(op, left, right, self._stride(left.ty), self._stride(right.ty))
            case Binary(op=op, left=a, right=b):
                return V.binary(op, self._eval(st, a), self._eval(st, b))
            case Ternary(cond=c, then=a, other=b):
                return V.ite(V.truth(self._eval(st, c)), self._eval(st, a), self._eval(st, b))
            case Cast(ctype=t, operand=x):
                return _stored(self._eval(st, x), int_type(t))  # converts like assignment
            case TypeQuery(kind="sizeof", text=text, refs=()) if _is_type_name(text):
                return self._size_value(text)
            case TypeQuery(kind="sizeof", text=text, refs=refs) if spelling := self._operand_type(
                st, text, refs
            ):
                return self._size_value(spelling)
            case TypeQuery(kind=kind, text=text, refs=refs):
                for number, ref in enumerate(refs):
                    ctype = ref.ctype if isinstance(ref, Local) else "?"
                    text = text.replace(f"${{{number}}}", f"@{{{ctype}}}")
                return V.symbol(f"query:{kind}:{text}", _QUERY_TYPES.get(kind, DEFAULT))
            case InitList():
                items = tuple(self._eval(st, v).term for _, v in _flatten(e, ""))
                return SymVal(_uf("initlist", items))
            case Opaque(construct=c, text=text):
                st.notes.append(Note("unsupported", f"{c}: {text}"))
                return V.symbol(f"{self.config.version}:opaque:{text}")
        raise TypeError(f"unknown expression {e!r}")

    def _local_address(self, st: PathState, index: int) -> SymVal:
        """Where an address-taken local lives: a memory object of its own, numbered in
        the order the path first touches such locals."""
        frame = st.frames[-1]
        if index not in frame.escaped:
            st.escapes += 1
            frame.escaped[index] = st.escapes
        return V.symbol(f"addr:escaped{frame.escaped[index]}:{len(st.frames)}", POINTER)

    def _address(self, st: PathState, lv: Expr) -> SymVal:
        """``&lv``: a pointer typed by what ``lv`` is (``?origin`` when not known)."""
        frame = st.frames[-1]
        match lv:
            case Local(index=i, ctype=t):
                address = self._local_address(st, i)
                return _pointing(address, _declared(t) or f"?local:{frame.name}:{i}")
            case Deref(addr=a):
                return self._eval(st, a)
            case Field(base=Deref(addr=a), name=n):
                raw = self._eval(st, a)
                return self._field_address(st, lv, raw, n)
            case Field(base=b, name=n):
                return self._field_address(st, lv, self._address(st, b), n)
            case Index(base=b, index=i):
                return self._indexed(st, b, i)
            case Global(name=n) if n in self.config.outer_objects:
                return _pointing(_outer_address(n), self._outer_spelling(n))
            case Global(name=n):
                return V.symbol(f"addr:global:{n}", IntType(64, False, pointee=f"?global:{n}"))
            case Param(index=i, ctype=t):
                address = V.symbol(f"addr:param{i}", POINTER)
                return _pointing(address, _declared(t) or f"?param:{frame.name}:{i}")
        return V.symbol(f"addr:{expr_text(lv)}", POINTER)

    def _indexed(self, st: PathState, b: Expr, i: Expr) -> SymVal:
        """``&b[i]``, typed by the element (``i[p]`` is ``p[i]``)."""
        base, index = self._eval(st, b), self._eval(st, i)
        if base.ty.pointee is None and index.ty.pointee is not None:
            base, index = index, base
        if base.ty.pointee is None:
            # Indexed, so a pointer (or an array) whose element is not known here.
            base = _pointing(base, _pointee(base.ty))
        moved = V.additive("+", base, index, self._stride(base.ty), self._stride(index.ty))
        return SymVal(moved.term, base.ty)

    # ---------------------------------------------------------------- pointers

    def _assigned_integer(self, st: PathState, ctype: str, value: SymVal) -> None:
        """A value of unknown type assigned without a cast to a variable of a known
        integer type (not ``bool``) is an integer: C does not let a pointer be
        assigned to one (assumption A8). Not for a value whose origin is not named."""
        ty = int_type(ctype) if ctype else None
        if ty is None or ty.origin is not None or ty.pointee is not None or ty.is_bool:
            return
        if value.ty.origin is None or value.ty.origin == "?":
            return
        st.pc.append(_scale_symbol(value.ty.origin) == 0)
        st.notes.append(Note("assumed", "valid-c"))

    def _stride(self, ty: IntType) -> V.Stride:
        """How a value of type ``ty`` scales in ``+`` and ``-`` (docs/semantics.md,
        "Pointers and types"): a pointer by the size of what it points to, an integer not at all,
        a value of unknown type by a symbol shared by both versions (0: an integer)."""
        if ty.pointee is not None:
            return (True, self._size(ty.pointee))
        if ty.origin is not None:
            return (None, _scale_symbol(ty.origin))
        return V.INTEGER

    def _size(self, spelling: str) -> int | z3.BitVecRef:
        """``sizeof`` a type: known scalars here, others from the compiler (tree mode),
        else a symbol both versions share. What a value of unknown type points to
        (``?origin``) is as large as that value's scale."""
        if spelling.startswith("?"):
            return _scale_symbol(spelling[1:])
        text = spelled(spelling)
        known = scalar_size(text)
        if known is None:
            known = self.config.type_sizes.get(text)
        return known if known is not None else _size_symbol(text)

    def _operand_type(self, st: PathState, text: str, refs: tuple[Expr, ...]) -> str:
        """The declared type of a ``sizeof`` operand that is a variable, ``*v`` or
        ``v[i]`` (``""`` when it is anything else or its type is not written)."""
        found = _SIZEOF_OPERAND.fullmatch(text.replace(" ", ""))
        if not found:
            return ""
        star, name, index = found.group(1), found.group(2), found.group(3)
        if name.startswith("%p"):
            params = st.frames[-1].graph.params
            number = int(name[2:])
            ctype = params[number].ctype if number < len(params) else ""
        else:
            ref = refs[int(name[2:-1])] if int(name[2:-1]) < len(refs) else None
            ctype = ref.ctype if isinstance(ref, Local) else ""
        spelling = _declared(ctype)
        if spelling and (star or index):
            spelling = pointed_type(spelling) or ""
        return spelling

    def _size_value(self, spelling: str) -> SymVal:
        size = self._size(spelling)
        term = z3.BitVecVal(size, 64) if isinstance(size, int) else size
        return SymVal(term, _SIZE_T)

    def _element(self, spelling: str) -> IntType:
        """The type of a value of type ``spelling`` read from memory."""
        if spelling.startswith("?"):
            return unknown(f"elem:{spelling[1:]}")
        return scalar_type(spelling)

    def _member(self, struct: str, path: str) -> tuple[str, IntType]:
        """A member's spelled type (``?origin`` when not known) and its value's type:
        from the compiler in tree mode, else a value of unknown type named after the
        struct type and the member."""
        origin = f"field:{struct}.{path}"
        known = self.config.type_sizes
        size = known.get(member_key("size", struct, path))
        kind = known.get(member_key("class", struct, path))
        signed = known.get(member_key("signed", struct, path))
        if known.get(member_key("bool", struct, path)) == 1:
            return f"?{origin}", V.BOOL
        if size in (1, 2, 4, 8) and kind in _INTEGER_CLASSES and signed is not None:
            return f"?{origin}", IntType(size * 8, bool(signed))
        if size == 8 and kind == _POINTER_CLASS:
            return f"?{origin}", IntType(64, False, pointee=f"?{origin}*")
        return f"?{origin}", unknown(origin)

    def _check_array_member(self, st: PathState, base: Expr) -> None:
        """``s.arr[i]`` for a struct variable ``s`` (not in memory): its array members
        have no addresses of their own here."""
        inner = _without_casts(base)
        if isinstance(inner, Field):
            _, root = _field_path(inner)
            frame = st.frames[-1]
            in_memory = isinstance(root, Local) and _address_taken(frame.graph, root.index)
            if isinstance(root, Local | Param | Global) and not in_memory:
                st.notes.append(Note("unsupported", f"indexing member {expr_text(inner)}"))

    def _field_address(self, st: PathState, lv: Field, base: SymVal, name: str) -> SymVal:
        """The address of a field: the struct's address plus the member's offset (from
        the compiler in tree mode, else a symbol per struct type and member, shared by
        both versions); remembered, so that a dereference of exactly this pointer later
        on the path reaches the field itself (not plain memory)."""
        struct = _pointee(base.ty)
        key = offset_key(spelled(struct) if not struct.startswith("?") else "?", name)
        known = self.config.type_sizes.get(key)
        offset = SymVal(z3.BitVecVal(known, 64) if known is not None else z3.BitVec(key, 64))
        address = V.binary("+", V.convert(base, POINTER), V.convert(offset, POINTER))
        where = self._locate(st, lv)
        st.aliases[address.term.get_id()] = where
        spelling = where.spelling or f"?field:{struct}.{name}"
        return _pointing(address, spelling)

    def _locate(self, st: PathState, lv: Expr) -> _Loc:
        frame = st.frames[-1]
        depth = len(st.frames) - 1
        match lv:
            case Local(index=i, ctype=t) if _address_taken(frame.graph, i):
                # Its address is taken: it lives in memory, where pointers reach it.
                if is_aggregate(t):
                    # Its members live under their own names; the whole value is not
                    # kept in step with them.
                    st.notes.append(
                        Note(
                            "unsupported",
                            "whole value of an address-taken "
                            f"struct local {frame.graph.locals[i].name}",
                        )
                    )
                address = self._local_address(st, i)
                spelling = _declared(t) or f"?local:{frame.name}:{i}"
                return self._memory(st, address, spelling)
            case Local(index=i, ctype=t):
                return _Loc(
                    "local",
                    f"local{i}",
                    slot=(i, ""),
                    ty=_AUTO if spelled(t) == "__auto_type" else scalar_type(t),
                    frame=depth,
                    spelling=_declared(t),
                )
            case Param(index=i, ctype=t):
                return _Loc(
                    "param",
                    f"param{i}",
                    slot=(i, ""),
                    ty=scalar_type(t),
                    frame=depth,
                    spelling=_declared(t),
                )
            case Global(name=n) if n in self.config.outer_objects:
                return self._outer_object(st, n, "")
            case Global(name=n):
                return _Loc("global", n)
            case Field(base=base, name=n):
                path, root = _field_path(lv)
                if isinstance(root, Global) and root.name in self.config.outer_objects:
                    return self._outer_object(st, root.name, path)
                if isinstance(root, Local) and _address_taken(frame.graph, root.index):
                    address = self._local_address(st, root.index)
                    self._touch_field(st, path)
                    struct = _declared(root.ctype) or f"?local:{frame.name}:{root.index}"
                    spelling, ty = self._member(struct, path)
                    return _Loc(
                        "array", f"field:{path}", key=(address.term,), ty=ty, spelling=spelling
                    )
                if isinstance(root, Local | Param):
                    kind: Literal["local", "param"] = (
                        "local" if isinstance(root, Local) else "param"
                    )
                    struct = _declared(root.ctype) or f"?{kind}:{frame.name}:{root.index}"
                    spelling, ty = self._member(struct, path)
                    return _Loc(
                        kind,
                        f"{kind}{root.index}",
                        slot=(root.index, path),
                        frame=depth,
                        ty=ty,
                        spelling=spelling,
                    )
                if isinstance(root, Global):
                    return _Loc("global", f"{root.name}.{path}")
                if isinstance(root, Deref):
                    raw = self._eval(st, root.addr)
                    pointer = V.convert(raw, POINTER)
                    self._touch_field(st, path)
                    spelling, ty = self._member(_pointee(raw.ty), path)
                    return _Loc(
                        "array",
                        f"field:{path}",
                        key=(pointer.term,),
                        describe=_describe(lv),
                        ty=ty,
                        spelling=spelling,
                    )
                address = self._address(st, base)
                spelling, ty = self._member(_pointee(address.ty), n)
                return _Loc("array", f"field:{n}", key=(address.term,), ty=ty, spelling=spelling)
            case Deref(addr=a):
                raw = self._eval(st, a)
                pointer = V.convert(raw, POINTER)
                inner = _without_casts(a)
                if isinstance(inner, AddrOf):
                    target = self._locate(st, inner.lvalue)
                    return self._view(st, target, raw, a is not inner)
                named = st.aliases.get(pointer.term.get_id())
                if isinstance(named, _Loc):
                    # A pointer this path made from a field's address: the field itself.
                    return self._view(st, named, raw, True)
                self._check_into_struct(st, pointer, _describe(lv))
                return self._memory(st, pointer, _pointee(raw.ty), _describe(lv))
            case Index(base=b, index=i):
                self._check_array_member(st, b)
                element = self._indexed(st, b, i)
                address = V.convert(element, POINTER)
                self._check_into_struct(st, address, expr_text(lv))
                return self._memory(st, address, _pointee(element.ty))
        raise TypeError(f"not an lvalue: {lv!r}")

    def _plain_member(self, where: _Loc) -> bool:
        """Whether a field location is a member its struct type declares directly (so
        a union elsewhere with a member of the same name does not concern it)."""
        origin = where.spelling.removeprefix("?field:")
        struct, _, path = origin.partition(".")
        if origin == where.spelling or not path or "." in path:
            return False
        return path in self.config.plain_members.get(struct, frozenset())

    def _outer_spelling(self, name: str) -> str:
        return _declared(self.config.outer_objects[name]) or f"?outer:{name}"

    def _outer_object(self, st: PathState, name: str, path: str) -> _Loc:
        """A region's address-taken outer local (``path``: the member, or "" for the
        whole): in memory, as the function keeps it (an address-taken local there)."""
        address = _outer_address(name)
        spelling = self._outer_spelling(name)
        if not path:
            if is_aggregate(self.config.outer_objects[name]):
                st.notes.append(
                    Note("unsupported", f"whole value of an address-taken struct local {name}")
                )
            return self._memory(st, address, spelling)
        self._touch_field(st, path)
        member_spelling, ty = self._member(spelling, path)
        return _Loc("array", f"field:{path}", key=(address.term,), ty=ty, spelling=member_spelling)

    def _check_into_struct(self, st: PathState, address: SymVal, describe: str) -> None:
        """Plain memory reached from a pointer to a struct or union (``*(char *)s``,
        whatever gave ``s``): the bytes of its fields, which assumption A2 keeps apart
        from plain memory, so the access is not modelled."""
        stack, seen = [address.term], set()
        while stack:
            node = stack.pop()
            if node.get_id() in seen:
                continue
            seen.add(node.get_id())
            pointee = st.struct_terms.get(node.get_id())
            if pointee is not None:
                st.notes.append(
                    Note(
                        "unsupported", f"{describe} reaches into the {pointee} a pointer points to"
                    )
                )
                return
            stack.extend(node.children())

    def _view(self, st: PathState, target: _Loc, pointer: SymVal, cast: bool) -> _Loc:
        """``*q`` where ``q`` points to a named object: that object, when ``q``'s type
        says it is read as what it is; in memory, read as ``q`` says; otherwise the
        access is one this engine does not model (``*(char *)&p->f``)."""
        view = _pointee(pointer.ty)
        if target.name == MEM:
            return self._memory(st, V.convert(pointer, POINTER), view)
        if not cast or view == target.spelling:
            return target
        mine = self._element(view)
        theirs = target.ty
        if (
            target.spelling
            and not V.is_pointerish(mine)
            and mine == theirs.integer
            and (not V.is_pointerish(theirs))
        ):
            return target
        st.notes.append(Note("unsupported", f"{target.describe or target.name} accessed as {view}"))
        return target

    def _memory(self, st: PathState, address: SymVal, spelling: str, describe: str = "") -> _Loc:
        """An object of plain memory: its address, type and width in bytes. A whole
        object wider than 8 bytes (a struct copy) is not modelled; one of a width this
        comparison does not know may be, which a proof must rule out."""
        width = self._size(spelling)
        if isinstance(width, int) and width > 8:
            st.notes.append(Note("unsupported", f"a {width}-byte {spelling} in memory as a whole"))
        elif not isinstance(width, int):
            if not spelling.startswith("?"):
                st.notes.append(Note("unsupported", f"a whole {spelling} in memory"))
            else:
                st.wide.append(z3.And(*st.pc, z3.UGT(width, 8)) if st.pc else z3.UGT(width, 8))
        return _Loc(
            "array",
            MEM,
            key=(address.term,),
            ty=self._element(spelling),
            describe=describe,
            width=width,
            spelling=spelling,
        )

    def _touch_field(self, st: PathState, path: str) -> None:
        """A field and one of its own members accessed through pointers are kept in
        separate arrays: when a path uses both, the verdict cannot rest on them."""
        for other in st.fields:
            if other != path and (other.startswith(path + ".") or path.startswith(other + ".")):
                st.notes.append(Note("unsupported", f"->{path} and ->{other} overlap"))
                break
        st.fields.add(path)

    def _read(self, st: PathState, where: _Loc) -> SymVal:
        frame = st.frames[where.frame] if where.kind in {"local", "param"} else st.frames[-1]
        if where.kind in {"local", "param", "global"}:
            self._check_whole_and_members(st, frame, where)
        if where.kind == "local":
            value = frame.locals.get(where.slot)
            if value is not None:
                return value
            index, path = where.slot
            initial = frame.initial_local(where.slot, top=where.frame == 0)
            if initial is not None:
                if index not in frame.zeroed:
                    frame.locals[where.slot] = initial
                return initial
            local = _local_of(frame.graph, index)
            name = local.name if local is not None and local.name else f"local {index}"
            st.notes.append(Note("uninitialised", f"{name}{'.' + path if path else ''}"))
            return V.symbol(f"{self.config.version}:uninit:{frame.name}:{index}:{path}")
        if where.kind == "param":
            value = frame.params.get(where.slot)
            if value is None:
                index, path = where.slot
                value = frame.initial_param(where.slot)
                frame.params[where.slot] = value
                param = frame.graph.params[index] if index < len(frame.graph.params) else None
                if len(st.frames) == 1:
                    label = param.name if param is not None and param.name else f"arg{index}"
                    st.inputs.append((label + (f".{path}" if path else ""), value.term))
            return value
        if (
            where.kind == "global"
            and where.name in KNOWN_CONSTANTS
            and not st.shared.is_outer(where.name)
        ):
            return V.const(KNOWN_CONSTANTS[where.name], V.INT)
        if where.kind == "global" and st.shared.is_outer(where.name):
            if where.name not in st.shared.globals:
                st.inputs.append((where.name, st.shared.global_value(where.name).term))
            return st.shared.global_value(where.name)
        if where.kind == "global":
            fresh = where.name not in st.shared.globals
            value = st.shared.global_value(where.name)
            if fresh and (st.shared.epoch == "init" or is_constant_name(where.name)):
                st.inputs.append((where.name, value.term))
            return value
        array = st.shared.array(where.name, len(where.key))
        if where.name == MEM:
            value = _load(array, where.key[0], where.width, where.ty)
        else:
            # (Of a type not known, a value read is not cut to a width: the same object
            # reached through a typed and an untyped pointer would read differently.)
            value = V.convert(SymVal(select(array, where.key)), where.ty)
        if where.name not in st.outer_written and where.describe:
            st.inputs.append((self._when(st, where.describe), value.term))
        return value

    def _check_whole_and_members(self, st: PathState, frame: Frame, where: _Loc) -> None:
        """A struct variable's whole value and its members are kept as separate slots,
        not in step with each other: reading one after the other was set (a member
        after a whole assignment, the whole after a member was set) is not modelled."""
        if where.kind == "global":
            root, _, path = where.name.partition(".")
            names = st.shared.globals
            if path and root in names and where.name not in names and root in st.outer_written:
                st.notes.append(
                    Note(
                        "unsupported",
                        f"member {where.name} of {root} after {root} was assigned whole",
                    )
                )
            elif not path and any(n.startswith(root + ".") for n in st.outer_written):
                st.notes.append(
                    Note("unsupported", f"whole value of {root} after a member was set")
                )
            return
        index, path = where.slot
        slots = frame.locals if where.kind == "local" else frame.params
        variables = frame.graph.locals if where.kind == "local" else frame.graph.params
        variable = variables[index] if index < len(variables) else None
        name = variable.name if variable is not None and variable.name else f"#{index}"
        if path and (index, "") in slots and where.slot not in slots:
            st.notes.append(
                Note("unsupported", f"member {name}.{path} after {name} was assigned whole")
            )
        elif not path and variable is not None and is_aggregate(variable.ctype):
            members = any(k[0] == index and k[1] for k in slots)
            if members or (where.kind == "local" and index in frame.zeroed):
                st.notes.append(
                    Note("unsupported", f"whole value of struct {name} after its members were set")
                )

    def _write(self, st: PathState, where: _Loc, value: SymVal) -> None:
        if where.kind in {"local", "param"}:
            frame = st.frames[where.frame]
            slots = frame.locals if where.kind == "local" else frame.params
            if where.slot[1] == "" and where.kind == "local":
                local = _local_of(frame.graph, where.slot[0])
                if local is not None and is_aggregate(local.ctype):
                    # A whole struct assigned: its fields come from the value.
                    for key in [k for k in slots if k[0] == where.slot[0]]:
                        del slots[key]
                    frame.zeroed.discard(where.slot[0])
            if where.ty is _AUTO and not where.slot[1]:
                # __auto_type: the type of its first value, kept from then on.
                auto = (where.frame, where.slot[0])
                if auto not in st.auto_types:
                    known = value.ty.origin != "?"
                    st.auto_types[auto] = value.ty if known else unknown(f"auto:{auto}")
                slots[where.slot] = _stored(value, st.auto_types[auto])
            elif where.ty is DEFAULT and not where.slot[1]:
                # A local of no written type (a temporary) holds the value as it is.
                slots[where.slot] = value
            else:
                slots[where.slot] = _stored(value, where.ty)
            return
        if where.kind == "global":
            for name in [n for n in st.shared.globals if n.startswith(where.name + ".")]:
                del st.shared.globals[name]  # members of a variable assigned whole
            if where.name in st.shared.outer_types:
                value = V.convert(value, st.shared.outer_types[where.name])
            elif st.shared.is_outer(where.name):
                value = _stored(value, unknown(f"outer:{where.name}"))
            else:
                value = _stored(value, unknown(f"global:{where.name}"))
            st.shared.globals[where.name] = value
            st.outer_written.add(where.name)
            return
        member = where.name.removeprefix("field:").split(".")[0]
        if (
            where.name.startswith("field:")
            and member in self.config.union_members
            and not self._plain_member(where)
        ):
            # Union members share storage; a write to one changes the others in ways
            # the engine does not model yet.
            st.notes.append(Note("unsupported", f"write to union member ->{member}"))
        if where.name != MEM:
            value = _stored(value, where.ty)
        array = st.shared.array(where.name, len(where.key))
        if where.name == MEM:
            st.shared.arrays[where.name] = _save(array, where.key[0], where.width, value.term)
        else:
            st.shared.arrays[where.name] = store(array, where.key, value.term)
        st.outer_written.add(where.name)


# ---------------------------------------------------------------------- helpers


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


def reverse_postorder(graph: Graph) -> dict[int, int]:
    """Each block's position in reverse postorder from the entry and the region labels
    (a block comes after all its predecessors, but for loop back edges)."""
    order: list[int] = []
    seen: set[int] = set()
    for root in [graph.entry, *graph.labels.values()]:
        if root in seen:
            continue
        stack: list[tuple[int, int]] = [(root, 0)]
        seen.add(root)
        while stack:
            block, child = stack.pop()
            succs = graph.successors(block)
            if child < len(succs):
                stack.append((block, child + 1))
                nxt = succs[child]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, 0))
            else:
                order.append(block)
    order.reverse()
    return {block: number for number, block in enumerate(order)}


def _fingerprint(st: PathState) -> tuple[object, ...]:
    """Everything a path's future depends on (not its past effects): equal prints at a
    loop head mean the same iteration again. z3 terms are hash-consed, so equal terms
    have equal ids."""
    frames = tuple(
        (
            tuple(sorted((slot, v.term.get_id()) for slot, v in f.locals.items())),
            tuple(sorted((slot, v.term.get_id()) for slot, v in f.params.items())),
            f.block,
            f.stmt,
        )
        for f in st.frames
    )
    arrays = tuple(sorted((name, a.get_id()) for name, a in st.shared.arrays.items()))
    values = tuple(sorted((name, v.term.get_id()) for name, v in st.shared.globals.items()))
    return (frames, arrays, values, st.world, st.shared.epoch)


def _exported(frame: Frame) -> list[Exported]:
    out = []
    graph = frame.graph
    for position, index in enumerate(graph.exported):
        slots = {path: value for (i, path), value in frame.locals.items() if i == index}
        local = _local_of(graph, index)
        name = local.name if local is not None else f"local {index}"
        out.append(
            Exported(
                slots,
                index in frame.zeroed,
                name,
                graph.export_keys[position],
                graph.export_used[position],
                local.ctype if local is not None else "",
                frame.carries(index),
            )
        )
    return out


def _field_path(lv: Expr) -> tuple[str, Expr]:
    """``a.b.c`` and the root of a chain of field accesses (stopping at a Deref)."""
    names: list[str] = []
    node: Expr = lv
    while isinstance(node, Field):
        names.append(node.name)
        node = node.base
        if isinstance(node, Deref):
            break
    return ".".join(reversed(names)), node


def _flatten(init: InitList, prefix: str) -> list[tuple[str, Expr]]:
    out: list[tuple[str, Expr]] = []
    for position, (designator, value) in enumerate(init.items):
        name = designator.lstrip(".") if designator else f"#{position}"
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, InitList):
            out.extend(_flatten(value, path))
        else:
            out.append((path, value))
    return out


_SIZE_T = IntType(64, False)
# The type of an __auto_type local, until its first value gives it one.
_AUTO = unknown("__auto_type")
# The type of a compile-time query's value.
_QUERY_TYPES = {
    "sizeof": _SIZE_T,
    "_Alignof": _SIZE_T,
    "__alignof__": _SIZE_T,
    "offsetof": _SIZE_T,
    "__builtin_types_compatible_p": V.INT,
    "__builtin_constant_p": V.INT,
}


def _size_symbol(spelling: str) -> z3.BitVecRef:
    """The unknown size of a type, one symbol per spelling in both versions."""
    return z3.BitVec(f"{SIZE_PREFIX}{spelling}", 64)


def _scale_symbol(origin: str) -> z3.BitVecRef:
    """How a value of unknown type from ``origin`` scales (0: it is an integer)."""
    return z3.BitVec(f"{SCALE_PREFIX}{origin}", 64)


SIZE_PREFIX = "sizeof:"
SCALE_PREFIX = "scale:"
SIGN_PREFIX = "signed:"
WIDTH_PREFIX = "bits:"
BOOL_PREFIX = "bool:"
# __builtin_classify_type: integer, enumeral (a _Bool is promoted: asked apart); pointer.
_INTEGER_CLASSES = (1, 3)
_POINTER_CLASS = 5


def _pointing(address: SymVal, spelling: str) -> SymVal:
    """``address`` as a pointer to ``spelling``."""
    return SymVal(address.term, IntType(64, False, pointee=spelling))


def _pointee(ty: IntType) -> str:
    """What a value of type ``ty`` points to: ``?origin`` when that is not known."""
    if ty.pointee is not None:
        return ty.pointee
    return f"?{ty.origin or '?'}"


def _declared(ctype: str) -> str:
    """A declared type's spelling, or ``""`` when it does not say (``typeof``)."""
    return spelled(ctype) if ctype and "typeof" not in ctype and ctype != "?" else ""


# ``v``, ``*v``, ``(*v)`` or ``v[...]`` for a parameter (%pN) or a local (${k}).
_SIZEOF_OPERAND = re.compile(r"\(?(\*)?(%p\d+|\$\{\d+\})\)?(\[[^\]]*\])?")


def _is_type_name(text: str) -> bool:
    """Whether a ``sizeof`` operand is a type name we can size (not an expression)."""
    spelling = spelled(text)
    return bool(spelling) and (
        scalar_size(spelling) is not None
        or (
            spelling.startswith(("struct ", "union "))
            and spelling.replace(" ", "").replace("_", "").isalnum()
        )
    )


def _load(
    memory: z3.ArrayRef, address: z3.BitVecRef, width: int | z3.BitVecRef, ty: IntType
) -> SymVal:
    """A value of ``width`` bytes read little-endian from byte memory, extended to 64
    bits as its type says (sign unknown for a type not known: a symbol per type). Of
    an object wider than 8 bytes, the first 8 are the value."""
    data = [z3.Select(memory, address + k) for k in range(8)]
    if isinstance(width, int) and width in _EXTENDED:
        low = z3.Concat(*reversed(data[:width])) if width > 1 else data[0]
        return V.convert(SymVal(_extend(low, ty.signed)), ty)
    full = z3.Concat(*reversed(data))
    if isinstance(width, int):
        return SymVal(full, ty)
    known = not V.is_pointerish(ty)
    signed = z3.BoolVal(ty.signed) if known else z3.Bool(f"{SIGN_PREFIX}{V.type_key(ty)}")
    value = full
    for size in sorted(_EXTENDED, reverse=True):
        low = z3.Concat(*reversed(data[:size])) if size > 1 else data[0]
        extended = z3.If(signed, z3.SignExt(64 - 8 * size, low), z3.ZeroExt(64 - 8 * size, low))
        value = z3.If(width == size, extended, value)
    return SymVal(value, ty)


def _save(
    memory: z3.ArrayRef, address: z3.BitVecRef, width: int | z3.BitVecRef, value: z3.BitVecRef
) -> z3.ArrayRef:
    """``value``'s low ``width`` bytes stored little-endian (at most 8: a wider object
    keeps its value in its first 8 bytes)."""
    for k in range(8):
        byte = z3.Extract(8 * k + 7, 8 * k, value)
        if isinstance(width, int):
            if k >= width:
                break
            memory = z3.Store(memory, address + k, byte)
        else:
            old = z3.Select(memory, address + k)
            memory = z3.Store(memory, address + k, z3.If(z3.UGT(width, k), byte, old))
    return memory


def _stored(value: SymVal, ty: IntType) -> SymVal:
    """``value`` as an object of type ``ty`` holds it after an assignment (C converts
    to the object's type). For a type not known (a field, a global), what it holds is
    ``value`` cut to an unknown number of bits (a bit-field too), sign- or
    zero-extended, or tested against zero for a ``bool``: symbols per origin that a
    proof holds for whatever their values (docs/semantics.md, "Pointers and types")."""
    if ty.origin is None:
        return V.convert(value, ty)
    key = V.type_key(ty)
    bits = z3.BitVec(f"{WIDTH_PREFIX}{key}", 64)
    signed = z3.Bool(f"{SIGN_PREFIX}{key}")
    is_bool = z3.Bool(f"{BOOL_PREFIX}{key}")
    shift = z3.BitVecVal(64, 64) - bits
    up = value.term << shift
    cut = z3.If(signed, up >> shift, z3.LShR(up, shift))
    one, zero = z3.BitVecVal(1, 64), z3.BitVecVal(0, 64)
    return SymVal(z3.If(is_bool, z3.If(value.term != 0, one, zero), cut), ty)


def _extend(low: z3.BitVecRef, signed: bool) -> z3.BitVecRef:
    extra = 64 - low.size()
    if extra == 0:
        return low
    return z3.SignExt(extra, low) if signed else z3.ZeroExt(extra, low)


_EXTENDED = (1, 2, 4)


def sized_types(graph: Graph) -> set[str]:
    """The types whose sizes pointer arithmetic in ``graph`` may scale by: what its
    pointer locals, parameters and casts point to, and the types ``sizeof`` names."""
    found: set[str] = set()
    written = [v.ctype for v in graph.locals] + [p.ctype for p in graph.params]
    for block in graph.blocks.values():
        for node in iter_nodes((tuple(block.stmts), block.terminator)):
            if isinstance(node, Cast):
                written.append(node.ctype)
            elif isinstance(node, TypeQuery) and node.kind == "sizeof" and not node.refs:
                found.add(spelled(node.text))
            elif isinstance(node, Field) and isinstance(node.base, Deref):
                found.update(_members(node.base.addr, node.name))
    for ctype in written:
        found.update(pointed_types(ctype))
        found.add(spelled(ctype))
    # A bare name may be a typedef of an integer type: ask its class and sign too.
    names = {t for t in found if t.isidentifier() and scalar_size(t) is None}
    found.update(type_key(fact, name) for name in names for fact in TYPE_FACTS)
    return found


def layout_keys(graphs: list[Graph], pointers: list[str]) -> set[str]:
    """What the compiler is asked for ``graphs``: the sizes :func:`sized_types` names,
    and the offset and facts of every member the graphs name in every struct or union
    they point to (``pointers`` adds pointer types known otherwise, such as calls'
    declared results)."""
    keys: set[str] = set().union(*map(sized_types, graphs))
    members: set[str] = set()
    for graph in graphs:
        for block in graph.blocks.values():
            for node in iter_nodes((tuple(block.stmts), block.terminator)):
                if isinstance(node, Field):
                    members.add(node.name)
    structs = {
        t
        for t in keys.union(*(pointed_types(p) for p in pointers))
        if t.startswith(("struct ", "union ")) and "*" not in t
    }
    for struct in structs:
        for member in members:
            keys.add(offset_key(struct, member))
            keys.update(member_key(fact, struct, member) for fact in MEMBER_FACTS)
    return keys


def _members(address: Expr, member: str) -> list[str]:
    """The offset key of ``address->member`` when the address's type is written."""
    if isinstance(address, Local | Param | Cast) and address.ctype:
        pointed = pointed_types(address.ctype)
        if pointed:
            facts = [member_key(fact, pointed[0], member) for fact in MEMBER_FACTS]
            return [offset_key(pointed[0], member), *facts]
    return []


def _uf(name: str, terms: tuple[z3.ExprRef, ...]) -> z3.BitVecRef:
    """An uninterpreted function ``name`` applied to 64-bit terms (a constant if none)."""
    if not terms:
        return z3.BitVec(name, 64)
    func = z3.Function(name, *([V.BV] * len(terms)), V.BV)
    return func(*terms)


def _uf_any(name: str, terms: tuple[z3.ExprRef, ...], result: z3.SortRef) -> z3.ExprRef:
    """An uninterpreted function of terms of any sort (arrays included)."""
    if not terms:
        return z3.Const(name, result)
    func = z3.Function(name, *[t.sort() for t in terms], result)
    return func(*terms)


def _without_casts(e: Expr) -> Expr:
    while isinstance(e, Cast):
        e = e.operand
    return e


def _outer_address(name: str) -> SymVal:
    """The address of a region's address-taken outer local: one symbol for both
    versions (the object is the same one, whatever the function did before)."""
    return V.symbol(f"addr:outer:{name}", POINTER)


def _address_taken(graph: Graph, index: int) -> bool:
    local = graph.locals[index] if index < len(graph.locals) else None
    return local is not None and local.address_taken


def _local_of(graph: Graph, index: int) -> Local | None:
    return graph.locals[index] if index < len(graph.locals) else None


def _first_loc(block: object) -> SourceLocation | None:
    for stmt in getattr(block, "stmts", []):
        if stmt.loc is not None:
            return stmt.loc  # type: ignore[no-any-return]
    return getattr(getattr(block, "terminator", None), "loc", None)


def expr_loc(term: object) -> str:
    """A short stable name for a terminator's place (for asm goto choices)."""
    loc = getattr(term, "loc", None)
    return f"{loc.file}:{loc.line}" if loc is not None else "?"


def _describe(e: Expr) -> str:
    """An expression with source names, for counterexamples."""
    match e:
        case Local(name=n, index=i):
            return n or f"tmp{i}"
        case Param(name=n, index=i):
            return n or f"arg{i}"
        case Global(name=n):
            return n
        case Field(base=Deref(addr=a), name=n):
            return f"{_describe(a)}->{n}"
        case Field(base=b, name=n):
            return f"{_describe(b)}.{n}"
        case Deref(addr=a):
            return f"*{_describe(a)}"
        case AddrOf(lvalue=lv):
            return f"&{_describe(lv)}"
        case Unary(op=op, operand=x):
            return f"{op}{_describe(x)}"
        case Binary(op=op, left=a, right=b):
            return f"{_describe(a)} {op} {_describe(b)}"
    return expr_text(e)
