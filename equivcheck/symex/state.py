"""The symbolic state of one path: frames of locals, shared state, the event trace.

Shared state is what other code can see: memory (one array per field name, one for
plain objects), the modelled kernel components, and globals. Arrays and globals are
created lazily from the current *epoch*: ``init`` at the start, then a new epoch at
every point where the world may change (an ordering point, an unmodelled call), so
both versions get the same fresh values for the same point of their effect sequence.
A new epoch may spare some objects (:class:`Kept`): the confined locals of
``ir/escape.py`` that the call at hand is not passed, whose contents in plain memory and
in the field arrays stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import z3

from equivcheck.frontend.model import SourceLocation
from equivcheck.ir.model import Graph
from equivcheck.symex.ctypes import IntType, scalar_type, unknown
from equivcheck.symex.values import SymVal, normalise, symbol, word_sort

Key = tuple[z3.BitVecRef, ...]


@dataclass(frozen=True)
class FootPart:
    """A concrete part of state an event touches: a component at a key (terms)."""

    component: str
    key: Key
    text: str = field(default="", compare=False)

    def describe(self) -> str:
        """The part as text: with the source expressions of its key when known."""
        if self.text:
            return self.text
        keys = ", ".join(str(z3.simplify(k)) for k in self.key)
        return f"{self.component}[{keys}]" if self.key else self.component


EVERYTHING: tuple[FootPart, ...] | None = None


@dataclass
class Snapshot:
    """Shared state at an ordering point (what another CPU may observe)."""

    arrays: dict[str, z3.ArrayRef]
    globals: dict[str, SymVal]
    epoch: str
    outer: frozenset[str] = frozenset()
    outer_types: Mapping[str, IntType] = field(default_factory=dict)
    kept: Kept | None = None

    def as_shared(self) -> Shared:
        """The snapshot as shared state (its outer variables typed as declared, so an
        unwritten one reads as it did on the path)."""
        return Shared(
            dict(self.arrays),
            dict(self.globals),
            self.epoch,
            outer=self.outer,
            outer_types=self.outer_types,
            kept=self.kept,
        )


EventKind = Literal["call", "read", "effect", "ordering", "volatile", "asm"]


@dataclass
class Event:
    """One effect on shared state, in program order.

    ``reads``/``writes`` are its footprint (None: everything). ``args`` are compared
    between the versions; ``snapshot`` is set for ordering points."""

    kind: EventKind
    name: str
    args: tuple[SymVal, ...]
    reads: tuple[FootPart, ...] | None
    writes: tuple[FootPart, ...] | None
    loc: SourceLocation | None
    ordering: bool = False
    snapshot: Snapshot | None = None
    modelled: bool = True
    additive: frozenset[str] = frozenset()

    def footprint_text(self) -> str:
        """Reads and writes, as text."""
        if self.reads is None or self.writes is None:
            return "everything (no model)"
        reads = ", ".join(p.describe() for p in self.reads) or "nothing"
        writes = ", ".join(p.describe() for p in self.writes) or "nothing"
        return f"reads {reads}; writes {writes}"


@dataclass
class Frame:
    """One function activation: its graph, position, locals and parameters."""

    graph: Graph
    block: int
    stmt: int
    locals: dict[tuple[int, str], SymVal]
    params: dict[tuple[int, str], SymVal]
    zeroed: set[int] = field(default_factory=set)
    ret_target: object | None = None
    visits: dict[int, int] = field(default_factory=dict)
    escaped: dict[int, int] = field(default_factory=dict)
    name: str = ""
    seen: dict[int, tuple[object, ...]] = field(default_factory=dict)
    carried: frozenset[int] | None = None

    def slot_type(self, kind: str, slot: tuple[int, str]) -> IntType:
        """The type of a local's or parameter's slot (a member's type is not known
        here: it is named after the member)."""
        index, path = slot
        variables = self.graph.locals if kind == "local" else self.graph.params
        if path:
            return unknown(f"field:{path}")
        if index >= len(variables):
            return unknown(f"{kind}:{index}")
        return scalar_type(variables[index].ctype)

    def initial_param(self, slot: tuple[int, str]) -> SymVal:
        """A parameter slot's value before anything is written to it."""
        index, path = slot
        name = f"param:{self.name}:{index}{'.' + path if path else ''}"
        return symbol(name, self.slot_type("param", slot))

    def initial_local(self, slot: tuple[int, str], top: bool) -> SymVal | None:
        """A local slot's value before anything is written to it: zero in a zeroed
        struct, the carried-in value of a region's exported local (``top``: the bottom
        frame) where the entry carries it in (``carried``; None: every exported local),
        else None (reading it is reading an uninitialised local)."""
        index, path = slot
        ty = self.slot_type("local", slot)
        if index in self.zeroed:
            return SymVal(normalise(z3.BitVecVal(0, 64), ty), ty)
        if top and index in self.graph.exported and self.carries(index):
            # Declared by a region: its value flows in from code the patch hides.
            position = self.graph.exported.index(index)
            value = carried(self.graph.export_keys[position], path)
            return SymVal(normalise(value.term, ty), ty) if not path else value
        return None

    def carries(self, index: int) -> bool:
        """Whether local ``index`` has a value carried in at this frame's entry."""
        return self.carried is None or index in self.carried

    def copy(self) -> Frame:
        """A copy that can change independently."""
        return Frame(
            self.graph,
            self.block,
            self.stmt,
            dict(self.locals),
            dict(self.params),
            set(self.zeroed),
            self.ret_target,
            dict(self.visits),
            dict(self.escaped),
            self.name,
            dict(self.seen),
            self.carried,
        )


@dataclass
class Shared:
    """Memory, modelled components and globals, with lazily created initial values."""

    arrays: dict[str, z3.ArrayRef] = field(default_factory=dict)
    globals: dict[str, SymVal] = field(default_factory=dict)
    epoch: str = "init"
    depth: dict[str, int] = field(default_factory=dict)
    outer: frozenset[str] = frozenset()
    outer_types: Mapping[str, IntType] = field(default_factory=dict)
    kept: Kept | None = None
    """What the havoc that began the epoch spared (None: nothing)."""

    def copy(self) -> Shared:
        """A copy that can change independently."""
        return Shared(
            dict(self.arrays),
            dict(self.globals),
            self.epoch,
            dict(self.depth),
            self.outer,
            self.outer_types,
            self.kept,
        )

    def array(self, name: str, depth: int = 1) -> z3.ArrayRef:
        """The current array ``name`` (``depth`` nested keys), created from the epoch."""
        if name not in self.arrays:
            self.arrays[name] = start_array(name, self.epoch, self.kept, array_sort(name, depth))
            self.depth[name] = depth
        return self.arrays[name]

    def is_outer(self, name: str) -> bool:
        """Whether ``name`` (or the variable whose field it is) is a region's outer
        variable: a local of the enclosing function, which no other CPU changes."""
        return name.split(".")[0] in self.outer

    def initial_global(self, name: str) -> SymVal:
        """The value a global has when first seen in the current epoch."""
        if self.is_outer(name):
            return symbol(f"outer:{name}", self.outer_types.get(name) or unknown(f"outer:{name}"))
        if is_constant_name(name):
            return symbol(f"const:{name}", unknown(f"const:{name}"))
        return symbol(f"{self.epoch}:global:{name}", unknown(f"global:{name}"))

    def global_value(self, name: str) -> SymVal:
        """The current value of a global (or an outer variable of a region)."""
        if name not in self.globals:
            self.globals[name] = self.initial_global(name)
        return self.globals[name]

    def snapshot(self) -> Snapshot:
        """The shared state as it stands."""
        return Snapshot(
            dict(self.arrays),
            dict(self.globals),
            self.epoch,
            self.outer,
            self.outer_types,
            self.kept,
        )

    def havoc(self, epoch: str, keep: set[str], spared: tuple[SparedObject, ...] = ()) -> None:
        """Everything shared may have changed: start a new epoch (globals in ``keep``,
        the constants, stay; so do the objects ``spared``)."""
        self.kept = Kept(self.epoch, dict(self.arrays), self.kept, spared) if spared else None
        self.arrays = {}
        self.depth = {}
        self.globals = {k: v for k, v in self.globals.items() if k in keep or self.is_outer(k)}
        self.epoch = epoch


class SparedObject(NamedTuple):
    """An object a havoc leaves alone: its address, its width in plain memory (0: a
    struct, whose members live in field arrays) and in union storage (a struct's
    size, 0 for anything else)."""

    address: z3.BitVecRef
    width: int
    layout: int = 0


@dataclass(eq=False)
class Kept:
    """A havoc that spared some objects: in plain memory and in every field array,
    their contents at the new epoch's start are those before it."""

    epoch: str
    """The epoch the havoc ended."""
    arrays: dict[str, z3.ArrayRef]
    """The arrays touched in that epoch, as they stood."""
    previous: Kept | None
    """What the havoc that began that epoch spared."""
    objects: tuple[SparedObject, ...]
    """Each spared object's address and widths."""
    cache: dict[str, z3.ArrayRef] = field(default_factory=dict)

    def before(self, name: str, sort: z3.ArraySortRef) -> z3.ArrayRef:
        """Array ``name`` as it stood at the havoc."""
        found = self.arrays.get(name)
        return found if found is not None else start_array(name, self.epoch, self.previous, sort)

    def key(self) -> tuple[object, ...]:
        """What makes two of these the same (term ids, hash-consed by z3)."""
        return (
            self.epoch,
            tuple(sorted((n, a.get_id()) for n, a in self.arrays.items())),
            tuple((a.get_id(), w, u) for a, w, u in self.objects),
            self.previous.key() if self.previous is not None else None,
        )


def kept_arrays(kept: Kept | None) -> dict[str, z3.ArrayRef]:
    """Every array the havocs of a chain saw touched (by name, one of each): what a
    spared object's contents may have been carried in."""
    out: dict[str, z3.ArrayRef] = {}
    while kept is not None:
        for name, array in kept.arrays.items():
            out.setdefault(name, array)
        kept = kept.previous
    return out


def kept_key(kept: Kept | None) -> tuple[object, ...] | None:
    """:meth:`Kept.key`, None for nothing kept."""
    return kept.key() if kept is not None else None


def spares(name: str) -> bool:
    """Whether array ``name`` holds contents of locals (plain memory, union storage
    and fields)."""
    return name in BYTE_ARRAYS or name.startswith("field:")


def start_array(name: str, epoch: str, kept: Kept | None, sort: z3.ArraySortRef) -> z3.ArrayRef:
    """Array ``name`` at the start of ``epoch``: fresh, but where the havoc that began
    the epoch spared an object, as it stood before."""
    fresh = z3.Const(f"{epoch}:{name}", sort)
    if kept is None or not spares(name) or isinstance(sort.range(), z3.ArraySortRef):
        # (an array member's elements are not spared: z3's models of stores of whole
        # arrays into arrays are not dependable; they change as before)
        return fresh
    cached = kept.cache.get(name)
    if cached is not None:
        return cached
    old = kept.before(name, sort)
    out = fresh
    for address, width, layout in kept.objects:
        for offset in range(width) if name == MEM else range(layout) if name == LAYOUT else (0,):
            at = address + offset if offset else address
            out = z3.Store(out, at, _read_spared(old, at))
    kept.cache[name] = out
    return out


def _read_spared(
    array: z3.ArrayRef, at: z3.BitVecRef, memo: dict[int, z3.ExprRef] | None = None
) -> z3.ExprRef:
    """``array[at]`` for the address ``at`` of a spared object (or a byte of one),
    read through the stores of earlier havocs (which spare objects at other addresses:
    distinct objects, assumption A3), so that a value kept across many havocs stays
    one term instead of a chain as deep as the havocs."""
    if z3.is_app_of(array, z3.Z3_OP_ITE):  # (states merged at a join)
        memo = {} if memo is None else memo
        found = memo.get(array.get_id())
        if found is None:
            found = z3.If(
                array.arg(0),
                _read_spared(array.arg(1), at, memo),
                _read_spared(array.arg(2), at, memo),
            )
            memo[array.get_id()] = found
        return found
    where = _spared_place(at)
    while z3.is_store(array):
        index = array.arg(1)
        if index.eq(at):
            return array.arg(2)
        other = _spared_place(index)
        if where is None or other is None or other == where:
            break
        array = array.arg(0)
    return z3.Select(array, at)


def _spared_place(term: z3.ExprRef) -> tuple[str, int] | None:
    """``(name, offset)`` for an address ``addr:...`` or ``addr:... + offset``."""
    offset = 0
    if z3.is_app_of(term, z3.Z3_OP_BADD) and term.num_args() == 2 and z3.is_bv_value(term.arg(1)):
        offset = term.arg(1).as_long()
        term = term.arg(0)
    if z3.is_const(term) and not z3.is_bv_value(term) and term.decl().name().startswith("addr:"):
        return term.decl().name(), offset
    return None


def is_constant_name(name: str) -> bool:
    """Identifiers in capitals are constants (macros, enumerators): never havocked."""
    return name.upper() == name and any(c.isalpha() for c in name)


# Plain memory (``*p``, ``p[i]``, address-taken locals): bytes at addresses, so that
# accesses of different widths and overlapping addresses see each other.
MEM = "mem"
# Members that may share storage with others (a union's, or of a struct held in one):
# bytes at the member's address (the struct's address plus the compiler's offset), so
# that a write to one member is seen by a read of another that overlaps it. Apart from
# plain memory, as field arrays are (assumption A2).
LAYOUT = "layout"
BYTE_ARRAYS = frozenset({MEM, LAYOUT})


def array_sort(name: str, depth: int) -> z3.ArraySortRef:
    """The sort of array ``name``: ``depth`` nested 64-bit keys to 64-bit values (to
    bytes for plain memory, ``MEM``)."""
    sort: z3.SortRef = z3.BitVecSort(8) if name.rpartition(":")[2] in BYTE_ARRAYS else word_sort()
    for _ in range(depth):
        sort = z3.ArraySort(word_sort(), sort)
    assert isinstance(sort, z3.ArraySortRef)
    return sort


def fresh_array(name: str, depth: int) -> z3.ArrayRef:
    """A z3 array named ``name`` of :func:`array_sort`."""
    return z3.Const(name, array_sort(name, depth))


def current_array(
    arrays: Mapping[str, z3.ArrayRef],
    name: str,
    epoch: str,
    like: z3.ArrayRef,
    kept: Kept | None,
) -> z3.ArrayRef:
    """``arrays[name]``, or the array as the epoch began (shaped like ``like``) when this
    state never touched it."""
    found = arrays.get(name)
    return found if found is not None else start_array(name, epoch, kept, like.sort())


def select(array: z3.ArrayRef, key: Key) -> z3.BitVecRef:
    """The value at a (nested) key."""
    value = array
    for k in key:
        value = z3.Select(value, k)
    return value


def store(array: z3.ArrayRef, key: Key, value: z3.BitVecRef) -> z3.ArrayRef:
    """The array with the value at a (nested) key replaced."""
    if len(key) == 1:
        return z3.Store(array, key[0], value)
    inner = z3.Select(array, key[0])
    return z3.Store(array, key[0], store(inner, key[1:], value))


@dataclass
class Note:
    """Something that keeps a path from proving equivalence (with where it happened),
    or (``assumed``) an assumption the path rests on, named by its key."""

    kind: Literal["unsupported", "uninitialised", "bounded", "budget", "assumed"]
    text: str
    loc: SourceLocation | None = None


@dataclass
class Path:
    """One path through a version: condition, exit, value, final state, effects."""

    pc: z3.BoolRef
    exit: tuple[str, ...]
    ret: SymVal | None
    shared: Shared
    trace: list[Event]
    notes: list[Note]
    exit_loc: SourceLocation | None
    inputs: list[tuple[str, z3.ExprRef]]
    calls: list[tuple[str, z3.ExprRef]]
    outer_written: set[str]
    exported: list[Exported] = field(default_factory=list)
    top: Frame | None = None
    lines: dict[tuple[str, int], z3.BoolRef] = field(default_factory=dict)
    wide: list[z3.BoolRef] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)


class Place(NamedTuple):
    """A member the path accessed in union storage: as the source names it, where it
    lies and how wide it is (a counterexample names the bytes that differ by them)."""

    text: str
    address: z3.BitVecRef
    width: int


@dataclass(frozen=True)
class Exported:
    """The final value of a local a region declares at its outermost scope: its field
    slots (``""`` for the whole value), whether unset fields are zero, its name."""

    slots: dict[str, SymVal]
    zeroed: bool
    name: str
    key: str
    used: bool
    ctype: str = ""
    carried_in: bool = True

    def value(self, path: str) -> SymVal:
        """The value of one slot (unassigned slots keep the value carried in)."""
        if path in self.slots:
            return self.slots[path]
        if self.zeroed:
            return SymVal(z3.BitVecVal(0, 64))
        return carried(self.key, path)


def carried(key: str, path: str) -> SymVal:
    """The value an exported local has where a region is entered from code the patch
    does not show: the same in both versions for the same pairing key."""
    return symbol(f"carried:{key}:{path}")


@dataclass
class PathState:
    """A path under exploration: its condition, call frames, shared state, events."""

    pc: list[z3.BoolRef]
    frames: list[Frame]
    shared: Shared
    trace: list[Event] = field(default_factory=list)
    world: int = 0
    notes: list[Note] = field(default_factory=list)
    inputs: list[tuple[str, z3.ExprRef]] = field(default_factory=list)
    calls: list[tuple[str, z3.ExprRef]] = field(default_factory=list)
    outer_written: set[str] = field(default_factory=set)
    escapes: int = 0
    fields: set[str] = field(default_factory=set)
    lines: dict[tuple[str, int], z3.BoolRef] = field(default_factory=dict)
    aliases: dict[int, object] = field(default_factory=dict)
    # Conditions under which an object of unknown width, accessed whole, is wider than
    # the 8 bytes the engine models (a proof must rule them out).
    wide: list[z3.BoolRef] = field(default_factory=list)
    # Values (by term id) that are pointers to a struct or union, and its type.
    struct_terms: dict[int, str] = field(default_factory=dict)
    # The type an __auto_type local took from its initialiser, by (frame depth, index).
    auto_types: dict[tuple[int, int], IntType] = field(default_factory=dict)
    # A model of the first ``witnessed`` conjuncts of ``pc`` (None: none known): a
    # branch condition it satisfies needs no solver call.
    witness: z3.ModelRef | None = None
    witnessed: int = 0
    # Values (by term id) read from a member of an object in memory that may be a
    # pointer or an array (which decays to the member's address): the object's address.
    # A call passed one may reach that object.
    inner: dict[int, z3.ExprRef] = field(default_factory=dict)
    # The members accessed in union storage (the places a difference there is named by).
    places: list[Place] = field(default_factory=list)

    def visit(self, loc: SourceLocation | None, guard: z3.BoolRef) -> None:
        """Note that the path runs the source line ``loc`` (when ``guard`` holds: a
        merged path stands for several, so the line is on some of them only)."""
        if loc is None:
            return
        key = (loc.file, loc.line)
        known = self.lines.get(key)
        self.lines[key] = guard if known is None or known.eq(guard) else z3.Or(known, guard)

    def fork(self) -> PathState:
        return PathState(
            list(self.pc),
            [f.copy() for f in self.frames],
            self.shared.copy(),
            list(self.trace),
            self.world,
            list(self.notes),
            list(self.inputs),
            list(self.calls),
            set(self.outer_written),
            self.escapes,
            set(self.fields),
            dict(self.lines),
            dict(self.aliases),
            list(self.wide),
            dict(self.struct_terms),
            dict(self.auto_types),
            self.witness,
            self.witnessed,
            dict(self.inner),
            list(self.places),
        )
