"""Symbolic execution of one version over the IR: paths with conditions, effects and
final states (docs/semantics.md says what each construct means here).

Blocks are run in reverse postorder, so the states that meet at a join wait there and
merge; infeasible branches are pruned with z3 (a state's model answers for the branch it
satisfies, the solver for the other). A focused exploration (``Config.focus``) instead
runs nearest first towards given lines and stops after a few whole paths through them:
it looks for a counterexample and proves nothing. Calls to the
helpers being inlined push a frame; calls with a model follow the model; other calls are
opaque. Loops are unrolled up to ``loop_bound`` visits of a block per frame: a path cut
there carries a ``bounded`` note, so it can show a difference but never prove
equivalence. More than ``max_paths`` paths stop the exploration (a ``budget`` note).

This module drives the paths (blocks, terminators, statements, inlining, expressions).
Where a value lives and how it is read and written is the memory model's
(symex/memory.py); what a call with a model, or with none, does is symex/calls.py's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import z3

from equivcheck.frontend.model import SourceLocation
from equivcheck.frontend.unit.typesizes import query_key
from equivcheck.ir.ctype import array_shape, is_aggregate, pointed_type, spelled
from equivcheck.ir.escape import Callees, confined_locals
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
from equivcheck.limits import DEFAULT_LIMITS
from equivcheck.symex import values as V
from equivcheck.symex.calls import Mode, ModelRunner, uf
from equivcheck.symex.ctypes import (
    DEFAULT,
    int_type,
    is_known_scalar,
    scalar_size,
)
from equivcheck.symex.memory import (
    BOOL_PREFIX,
    SCALE_PREFIX,
    SIGN_PREFIX,
    SIZE_PREFIX,
    SIZE_T,
    WIDTH_PREFIX,
    Memory,
    address_taken,
    declared,
    layout_keys,
    local_of,
    scale_symbol,
    stored,
)
from equivcheck.symex.merge import merge, mergeable
from equivcheck.symex.solver import holds_in, possible_model
from equivcheck.symex.spec import Model, passes_arguments
from equivcheck.symex.state import (
    Event,
    Exported,
    FootPart,
    Frame,
    Note,
    Path,
    PathState,
    Shared,
    kept_key,
)
from equivcheck.symex.values import SymVal


def callees_of(
    helpers: Mapping[str, Graph],
    models: Mapping[str, Model],
    body: Callable[[str], Graph | str | None],
    holds_array: Callable[[str], bool],
) -> Callees:
    """What the calls a version makes are, for ``ir/escape.py``: the helpers it inlines,
    the modelled functions that may return or store an argument, the bodies of the
    others the unit defines, and which types may hold an array."""
    passing = frozenset(name for name, model in models.items() if passes_arguments(model))
    return Callees(helpers, passing, body, holds_array)


# Names other modules import from here (the memory model's among them).
__all__ = [
    "BOOL_PREFIX",
    "CUT_EXITS",
    "SCALE_PREFIX",
    "SIGN_PREFIX",
    "SIZE_PREFIX",
    "WIDTH_PREFIX",
    "BudgetExceeded",
    "Config",
    "Exploration",
    "explore",
    "layout_keys",
]


@dataclass(frozen=True)
class Config:
    """How to execute one version."""

    models: Mapping[str, Model]
    helpers: Mapping[str, Graph] = field(default_factory=dict)
    mode: Mode = "general"
    loop_bound: int = DEFAULT_LIMITS.unroll
    max_paths: int = DEFAULT_LIMITS.max_paths
    version: str = "v"
    own_queries: bool = False
    """Whether the versions' units answer type questions apart (a struct the patch
    changes): then a query the compiler is not asked (``offsetof``, ``_Alignof``) is
    each version's own unknown."""
    timeout_ms: int = DEFAULT_LIMITS.timeout_ms
    outer: frozenset[str] = frozenset()
    merge: bool = True
    deadline: float | None = None
    outer_types: Mapping[str, str] = field(default_factory=dict)
    union_members: frozenset[str] = frozenset()
    plain_members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per ``struct TAG``, the members it declares directly (not in a union): a write
    to one of them through a pointer of that type shares no storage."""
    return_types: Mapping[str, str] = field(default_factory=dict)
    parameter_types: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    """Per callee, the integer type of each parameter (None: another type): an argument
    is converted to it, as at a C call with a prototype in scope."""
    type_sizes: Mapping[str, int] = field(default_factory=dict)
    volatile_globals: frozenset[str] = frozenset()
    """Globals the unit declares volatile: each read is an ordering point (READ_ONCE)."""
    focus: frozenset[tuple[str, int]] = frozenset()
    """Source lines (file, line) to steer towards: when set, the exploration looks for
    a few whole paths through them (nearest first, then nearest to an end) instead of
    all paths; it serves to find a counterexample, never to prove."""
    outer_objects: Mapping[str, str] = field(default_factory=dict)
    """A region's outer variables that are address-taken locals of the function, with
    their declared types: they live in memory at an address both versions share, where
    calls and pointers reach them as they reach any object (not as outer variables)."""
    confine: bool = False
    """Whether address-taken locals may be confined (ir/escape.py): only where every
    macro is expanded (tree mode); a macro's argument may have its address taken."""
    body: Callable[[str], Graph | str | None] = lambda name: None
    """A function's body as the translation unit defines it (None: not defined there;
    a reason: not readable), read by ir/escape.py for what it does with a pointer."""
    holds_array: Callable[[str], bool] = is_aggregate
    """Whether an object of a declared type may hold an array (ir/escape.py)."""
    confined_outer: frozenset[str] = frozenset()
    """Those of ``outer_objects`` whose address the whole function (both versions)
    confines (ir/escape.py): unmodelled calls not passed their address leave them."""
    entry_copies: Mapping[str, Expr] = field(default_factory=dict)
    """A changed part's outer locals that the function sets, at its start, to a chain
    of fields it never writes (equiv/copies.py): a benign run (unmodelled calls change
    nothing, so neither do the calls above the part) starts with them equal."""


def _rooted_in(path: Expr, names: frozenset[str]) -> bool:
    """Whether the chain ``path`` starts from one of ``names``."""
    while isinstance(path, Field) and isinstance(path.base, Deref):
        path = path.base.addr
    return isinstance(path, Global) and path.name in names


class BudgetExceeded(Exception):
    """The time budget (``--budget``) ran out: the verdict must be UNKNOWN."""


@dataclass
class Exploration:
    """All paths of one version from one entry."""

    paths: list[Path]
    truncated: bool


CUT_EXITS = frozenset({"bounded", "budget"})
"""The exits of a path explored only up to a bound: no difference after it is seen."""


class _Finished(Exception):
    """The current path ended inside a statement (a noreturn call)."""


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
    explorer = _Explorer(config)
    if config.mode == "benign":
        explorer.assume_copies(start)
    return explorer.run(
        start, Guide.of(graph, config.focus, config.helpers) if config.focus else None
    )


FOCUSED_PATHS = 16
"""How many whole paths through the focus a focused exploration looks for."""


@dataclass(frozen=True)
class Guide:
    """Per graph (the explored one and the helpers it inlines, by id) and per focus line
    it runs, how many edges away from each of its blocks the nearest block running that
    line is; and per block of the explored graph, the nearest end (a block with no
    successor)."""

    to_line: Mapping[int, Mapping[tuple[str, int], Mapping[int, int]]]
    to_end: Mapping[int, int]
    far: int
    """More than any distance: that of a block from which a target cannot be reached."""
    top: int
    """The explored graph's id."""

    @staticmethod
    def of(graph: Graph, focus: frozenset[tuple[str, int]], helpers: Mapping[str, Graph]) -> Guide:
        """The distances in ``graph`` and in ``helpers`` to the blocks that run each of
        ``focus`` (a line of a helper is steered to inside the helper's frame)."""
        to_line: dict[int, dict[tuple[str, int], dict[int, int]]] = {}
        far = len(graph.blocks) + 1
        for each in [graph, *helpers.values()]:
            preds = _predecessors(each)
            runs: dict[tuple[str, int], list[int]] = {}
            for index, block in each.blocks.items():
                locs = [st.loc for st in block.stmts] + [getattr(block.terminator, "loc", None)]
                for loc in locs:
                    if loc is not None and (loc.file, loc.line) in focus:
                        runs.setdefault((loc.file, loc.line), []).append(index)
            if runs or each is graph:
                to_line[id(each)] = {line: _distances(b, preds) for line, b in runs.items()}
                far = max(far, len(each.blocks) + 1)
        ends = [i for i in graph.blocks if not graph.successors(i)]
        return Guide(to_line, _distances(ends, _predecessors(graph)), far, id(graph))

    def rank(self, st: PathState) -> tuple[int, int, int]:
        """Smaller first: a state that ran every focus line, by its distance to an end;
        else one that ran more of them, by its distance (in the innermost frame whose
        graph holds a line it has not run) to the nearest such line."""
        missing = [
            (graph, line)
            for graph, lines in self.to_line.items()
            for line in lines
            if line not in st.lines
        ]
        if not missing:
            return (0, 0, self.to_end.get(st.frames[0].block, self.far))
        for frame in reversed(st.frames):
            lines = self.to_line.get(id(frame.graph))
            if lines is None:
                continue
            near = min(
                (
                    lines[line].get(frame.block, self.far)
                    for g, line in missing
                    if g == id(frame.graph)
                ),
                default=self.far,
            )
            if near < self.far:
                return (1, len(missing), near)
        return (1, len(missing), self.far)

    def through(self, path: Path) -> bool:
        """Whether ``path`` ran every focus line the top graph holds."""
        return all(line in path.lines for line in self.to_line.get(self.top, {}))

    def enough(self, paths: list[Path]) -> bool:
        """Whether ``paths`` hold :data:`FOCUSED_PATHS` whole paths through the focus."""
        whole = (p for p in paths if p.exit[0] not in CUT_EXITS and self.through(p))
        return sum(1 for _ in whole) >= FOCUSED_PATHS


def _predecessors(graph: Graph) -> dict[int, list[int]]:
    preds: dict[int, list[int]] = {}
    for index in graph.blocks:
        for succ in graph.successors(index):
            preds.setdefault(succ, []).append(index)
    return preds


def _distances(targets: list[int], preds: Mapping[int, list[int]]) -> dict[int, int]:
    """Edges from each block to the nearest of ``targets`` (breadth first, backwards)."""
    found = dict.fromkeys(targets, 0)
    queue = list(targets)
    for block in queue:
        for pred in preds.get(block, []):
            if pred not in found:
                found[pred] = found[block] + 1
                queue.append(pred)
    return found


class _Explorer:
    """Drives the paths of one version from one start state: runs blocks, forks at
    branches, inlines helpers and merges states that wait at a join; reaches memory
    through ``memory`` and runs calls through ``models``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.paths: list[Path] = []
        self.truncated = False
        self.rpo: dict[int, dict[int, int]] = {}
        self.heads: dict[int, set[int]] = {}
        self.merges = 0
        self.memory = Memory(
            self._eval,
            version=config.version,
            type_sizes=config.type_sizes,
            outer_objects=config.outer_objects,
            plain_members=config.plain_members,
            union_members=config.union_members,
            confined=self._confined,
            confined_outer=config.confined_outer,
        )
        self.callees = callees_of(config.helpers, config.models, config.body, config.holds_array)
        self.confined_cache: dict[int, frozenset[int]] = {}
        self.models = ModelRunner(
            self.memory,
            self._eval,
            mode=config.mode,
            version=config.version,
            return_types=config.return_types,
            parameter_types=config.parameter_types,
        )

    def _confined(self, graph: Graph) -> frozenset[int]:
        """The confined locals of ``graph`` (computed once per graph)."""
        if not self.config.confine:
            return frozenset()
        found = self.confined_cache.get(id(graph))
        if found is None:
            found = confined_locals(graph, self.callees)
            self.confined_cache[id(graph)] = found
        return found

    # ------------------------------------------------------------------ driving

    def run(self, start: PathState, guide: Guide | None = None) -> Exploration:
        """Explore in reverse postorder of blocks, so every state that can reach a join
        by a forward edge is waiting there when the join is taken, and merge them. With
        a ``guide``, nearest first instead (:meth:`Guide.rank`), stopping after
        :data:`FOCUSED_PATHS` whole paths through the focus (the rest are cut)."""
        work = [start]
        while work:
            stop = self._stop(work, guide)
            if stop:
                self.truncated = True
                for st in work:
                    st.notes.append(Note("budget", stop))
                    self._finish(st, ("budget",), None, None)
                break
            if self.config.deadline is not None and time.monotonic() > self.config.deadline:
                raise BudgetExceeded("while exploring paths")
            if guide is None:
                work.sort(key=self._order, reverse=True)
                st = work.pop()
            else:
                st = work.pop(min(range(len(work)), key=lambda i: guide.rank(work[i])))
            if self.config.merge:
                st, work = self._merge_waiting(st, work)
            work.extend(self._step(st))
        return Exploration(self.paths, self.truncated)

    def assume_copies(self, st: PathState) -> None:
        """Start ``st`` as the function leaves a changed part's start when unmodelled
        calls change nothing: each outer local copied from a chain of fields at the
        function's start (``Config.entry_copies``) equals that chain. Reading the chain
        here lists nothing among the counterexample's inputs."""
        inputs, notes = list(st.inputs), list(st.notes)
        for name, path in sorted(self.config.entry_copies.items()):
            if name not in self.config.outer or not _rooted_in(path, self.config.outer):
                continue
            try:
                left, right = self._eval(st, Global(name)), self._eval(st, path)
            except (TypeError, ValueError, KeyError, z3.Z3Exception):
                continue  # (a chain the memory model cannot read: no fact)
            if left.term.sort() == right.term.sort():
                st.pc.append(left.term == right.term)
        st.inputs[:], st.notes[:] = inputs, notes

    def _stop(self, work: list[PathState], guide: Guide | None) -> str:
        """Why the exploration stops here with ``work`` waiting (empty: it goes on)."""
        if len(self.paths) + len(work) > self.config.max_paths:
            return f"more than {self.config.max_paths} paths"
        if guide is not None and guide.enough(self.paths):
            return "a focused search stops early"
        return ""

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

    def _witness(self, st: PathState, cond: z3.BoolRef) -> tuple[bool, z3.ModelRef | None]:
        """Whether ``st`` may take the branch ``cond``, with a model of its condition
        and ``cond``: the state's own model when it satisfies ``cond`` (and any
        conjunct added since it was found), else the solver's."""
        if st.witness is not None and holds_in(st.witness, [*st.pc[st.witnessed :], cond]):
            return True, st.witness
        return possible_model([*st.pc, cond], self.config.timeout_ms)

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
                st.places,
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
            feasible, witness = self._witness(st, cond)
            if not feasible:
                continue
            child = st.fork() if len(arms) > 1 else st
            child.pc = [*st.pc, cond]
            child.witness, child.witnessed = witness, len(child.pc) if witness else 0
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
            self.memory.write(st, self.memory.locate(st, target), value)  # type: ignore[arg-type]
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
                self.memory.write(st, self.memory.locate(st, t), value)
            case Call():
                self._call(st, stmt)
            case AsmStmt():
                self._asm(st, stmt)
            case _:
                raise TypeError(f"unknown statement {stmt!r}")

    def _assign_init(self, st: PathState, target: Expr, init: InitList) -> None:
        frame = st.frames[-1]
        if isinstance(target, Local) and address_taken(frame.graph, target.index):
            # It lives in memory: each named member is stored where pointers reach it.
            # (Unlisted members keep their old contents instead of zero: both versions
            # alike, so this can only hide a difference when a member is positional.)
            members = _flatten(init, "")
            if any(path.split(".")[-1].startswith("#") for path, _ in members):
                st.notes.append(
                    Note("unsupported", "positional initializer of an address-taken local")
                )
            for path, value in members:
                self.memory.write(
                    st, self.memory.locate(st, Field(target, path)), self._eval(st, value)
                )
            return
        if isinstance(target, Local) and is_known_scalar(target.ctype):
            # ``int x = { a };``: the braces hold the scalar's value.
            scalar = _flatten(init, "")
            first = self._eval(st, scalar[0][1]) if scalar else V.const(0)
            self.memory.write(st, self.memory.locate(st, target), first)
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
        self.memory.write(st, self.memory.locate(st, target), SymVal(uf(f"init{{{names}}}", items)))

    def _asm(self, st: PathState, asm: AsmStmt) -> None:
        inputs = tuple(self._eval(st, op.expr) for op in asm.inputs)
        memory = "memory" in asm.clobbers
        name = f"asm {asm.template!r}"
        if memory or (not asm.outputs and asm.volatile and not asm.inputs):
            self.models.ordering(st, name, inputs, asm.loc, "asm")
        else:
            writes = tuple(FootPart(f"asm-out:{o.constraint}", ()) for o in asm.outputs)
            st.trace.append(Event("asm", name, inputs, (), writes, asm.loc, modelled=True))
        for number, op in enumerate(asm.outputs):
            value = uf(f"w{st.world}:asm:{asm.template}:{number}", tuple(v.term for v in inputs))
            self.memory.write(st, self.memory.locate(st, op.expr), SymVal(value))

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
        result = (
            self.models.apply(st, model, call)
            if model is not None
            else self.models.opaque(st, call)
        )
        if call.target is not None:
            self.memory.write(st, self.memory.locate(st, call.target), result)
        if model is not None and model.noreturn:
            self._finish(st, ("unreachable",), None, call.loc)
            raise _Finished

    # ------------------------------------------------------------------ values

    def _eval(self, st: PathState, e: Expr) -> SymVal:
        value = self._value_of(st, e)
        pointee = value.ty.pointee
        if pointee and pointee.startswith(("struct ", "union ")) and "*" not in pointee:
            st.struct_terms[value.term.get_id()] = pointee  # for Memory._check_into_struct
        return value

    def _value_of(self, st: PathState, e: Expr) -> SymVal:
        match e:
            case Const(text=text, kind=kind):
                value = V.literal(text, kind)
                return value if value is not None else V.symbol(f"literal:{text}")
            case Global(name=n) if n in FUNCTION_NAMES:
                # (the name of the function the code is in: an inlined helper's own)
                return V.symbol(f"{n}:{st.frames[-1].graph.name}")
            case Global(name=n) if n in self.config.volatile_globals:
                # A variable declared volatile: each read is READ_ONCE() of it.
                return self.models.volatile_read(st, self.memory.locate(st, e), "READ_ONCE", None)
            case Local() | Param() | Global() | Field() | Deref() | Index():
                return self.memory.read(st, self.memory.locate(st, e))
            case AddrOf(lvalue=lv):
                return self.memory.address(st, lv)
            case Unary(op=op, operand=x):
                return V.unary(op, self._eval(st, x))
            case Binary(op=("+" | "-") as op, left=a, right=b):
                left, right = self._eval(st, a), self._eval(st, b)
                return V.additive(
                    op, left, right, self.memory.stride(left.ty), self.memory.stride(right.ty)
                )
            case Binary(op=op, left=a, right=b):
                return V.binary(op, self._eval(st, a), self._eval(st, b))
            case Ternary(cond=c, then=a, other=b):
                return V.ite(V.truth(self._eval(st, c)), self._eval(st, a), self._eval(st, b))
            case Cast(ctype=t, operand=x):
                return stored(self._eval(st, x), int_type(t))  # converts like assignment
            case TypeQuery(kind="sizeof", text=text, refs=()) if _is_type_name(text):
                return self.memory.size_value(text)
            case TypeQuery(kind="sizeof", text=text, refs=refs) if spelling := self._operand_type(
                st, text, refs
            ):
                return self.memory.size_value(spelling)
            case TypeQuery(kind=kind, text=text, refs=()) if (
                answer := self.config.type_sizes.get(query_key(kind, text))
            ) is not None:
                return V.const(answer, _QUERY_TYPES.get(kind, DEFAULT))
            case TypeQuery(kind=kind, text=text, refs=refs):
                for number, ref in enumerate(refs):
                    ctype = ref.ctype if isinstance(ref, Local) else "?"
                    text = text.replace(f"${{{number}}}", f"@{{{ctype}}}")
                # (one symbol for both versions, unless their units lay types out apart)
                own = f"{self.config.version}:" if self.config.own_queries else ""
                return V.symbol(f"{own}query:{kind}:{text}", _QUERY_TYPES.get(kind, DEFAULT))
            case InitList():
                items = tuple(self._eval(st, v).term for _, v in _flatten(e, ""))
                return SymVal(uf("initlist", items))
            case Opaque(construct=c, text=text):
                st.notes.append(Note("unsupported", f"{c}: {text}"))
                return V.symbol(f"{self.config.version}:opaque:{text}")
        raise TypeError(f"unknown expression {e!r}")

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
        st.pc.append(scale_symbol(value.ty.origin) == 0)
        st.notes.append(Note("assumed", "valid-c"))

    def _operand_type(self, st: PathState, text: str, refs: tuple[Expr, ...]) -> str:
        """The declared type of a ``sizeof`` operand that is a variable, ``*v`` or
        ``v[i]`` (``""`` when it is anything else or its type is not written)."""
        cast = _SIZEOF_CAST.fullmatch(text.strip())
        if cast:
            # sizeof(*((const char *) x)): what the cast's pointer type points to
            spelling = declared(cast.group(2))
            return (pointed_type(spelling) or "") if cast.group(1) else spelling
        found = _SIZEOF_OPERAND.fullmatch(text.replace(" ", ""))
        if not found:
            return ""
        star, name, index = found.group(1), found.group(2), found.group(3)
        if name.startswith("%p"):
            params = st.frames[-1].graph.params
            number = int(name[2:])
            ctype = params[number].ctype if number < len(params) else ""
            if "[" in ctype:
                # a parameter declared as an array is a pointer to its element (with
                # more dimensions, a pointer to an array: not spelled)
                shape = array_shape(ctype) if ctype.count("[") == 1 else None
                ctype = f"{shape[0]} *" if shape is not None else ""
            elif not _PLAINLY_SIZED.search(ctype):
                # a typedef name may be an array's (cpumask_var_t): the parameter is
                # then a pointer, whatever the typedef's size
                ctype = ""
        elif not name.startswith("${"):
            # a region's outer variable (a parameter or local of the whole function,
            # with its declared type), in the region's own frame only; an array type
            # there may be a parameter's (a pointer): not read
            outer = len(st.frames) == 1 and name in st.frames[0].graph.outer_names
            ctype = self.config.outer_types.get(name, "") if outer else ""
            if "[" in ctype or "*" not in ctype:
                ctype = ""  # (only a pointer's size does not depend on which it is)
        else:
            ref = refs[int(name[2:-1])] if int(name[2:-1]) < len(refs) else None
            ctype = ref.ctype if isinstance(ref, Local) else ""
        spelling = declared(ctype)
        if spelling and (star or index):
            spelling = pointed_type(spelling) or ""
        return spelling


# ---------------------------------------------------------------------- helpers


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
    return (frames, arrays, values, st.world, st.shared.epoch, kept_key(st.shared.kept))


def _exported(frame: Frame) -> list[Exported]:
    out = []
    graph = frame.graph
    for position, index in enumerate(graph.exported):
        slots = {path: value for (i, path), value in frame.locals.items() if i == index}
        local = local_of(graph, index)
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


# The type of a compile-time query's value.
_QUERY_TYPES = {
    "sizeof": SIZE_T,
    "_Alignof": SIZE_T,
    "__alignof__": SIZE_T,
    "offsetof": SIZE_T,
    "__builtin_types_compatible_p": V.INT,
    "__builtin_constant_p": V.INT,
}


# ``v``, ``*v``, ``(*v)`` or ``v[...]`` for a parameter (%pN) or a local (${k}).
_PLAINLY_SIZED = re.compile(
    r"\*|^\s*(?:const\s+|volatile\s+)*(?:struct|union|enum)\b|"
    r"^\s*(?:const\s+|volatile\s+)*(?:(?:unsigned|signed|char|short|int|long|_Bool|bool)\s*)+$"
)
"""A parameter type whose size does not hide an array: a pointer, a struct, union or
enum, or an integer type spelled with keywords."""

FUNCTION_NAMES = frozenset({"__func__", "__FUNCTION__", "__PRETTY_FUNCTION__"})
"""The predefined identifiers naming the enclosing function."""

_SIZEOF_CAST = re.compile(
    r"(\*)?\s*\(\s*\(\s*([A-Za-z_][\w\s]*\**)\s*\)\s*(?:@\{[^{}]*\}|%p\d+|\$\{\d+\}|\w+)\s*\)"
)
_SIZEOF_OPERAND = re.compile(r"\(?(\*)?(%p\d+|\$\{\d+\}|[A-Za-z_]\w*)\)?(\[[^\]]*\])?")


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


def _first_loc(block: object) -> SourceLocation | None:
    for stmt in getattr(block, "stmts", []):
        if stmt.loc is not None:
            return stmt.loc  # type: ignore[no-any-return]
    return getattr(getattr(block, "terminator", None), "loc", None)


def expr_loc(term: object) -> str:
    """A short stable name for a terminator's place (for asm goto choices)."""
    loc = getattr(term, "loc", None)
    return f"{loc.file}:{loc.line}" if loc is not None else "?"
