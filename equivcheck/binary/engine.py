# mypy: disable-error-code="no-untyped-call"
"""The angr side: a per-path record, memory routed to our model, and the procedures
hooked on external symbols and special instructions. Imported only when an opinion is
asked for (it imports angr at module level).

- Stack accesses (concrete addresses in the stack) and loads of read-only bytes of the
  object stay in angr's memory; bytes nobody wrote read as ``stk...`` symbols named by
  their address (the same in both versions: the stack is at one fixed place).
- Every other access goes to :class:`Track`'s model: writes are logged per *epoch*
  (memory between two side-effecting events); a load returns the newest write at the
  same address, skips writes the solver proves disjoint, and otherwise returns a symbol
  whose definition (memory as a z3 array) the comparison adds.
- Every external symbol is hooked: the call is an event (name, arguments cut to the
  prototype's widths), its result a symbol named by (name, arguments, number of earlier
  side-effecting events); a side-effecting call starts a new epoch (all memory may have
  changed) and gives fresh contents to the stack bytes an escaped pointer reaches. A
  call of a read or effect model (``models/table.py``) touches only its footprint: no
  new epoch, and its result is also named by how many earlier calls of the epoch wrote
  a component it reads.
- ``__x86_return_thunk`` returns; ``__x86_indirect_thunk_REG`` calls through REG;
  ``ud2`` is a WARN (``__bug_table`` says so: execution goes on) or a BUG (the path
  ends); a static-key site forks on the key; ``lock``-prefixed instructions and fences
  are ordering points (an event, then a new epoch); alternatives run their original
  instructions (reached sites are listed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import angr
from angr import claripy
from angr.state_plugins.plugin import SimStatePlugin
from angr.storage.memory_mixins import DefaultMemory

from equivcheck.binary.layout import (
    BUGFLAG_WARNING,
    STACK_SIZE,
    STACK_TOP,
    AltSite,
    JumpSite,
    Layout,
)
from equivcheck.binary.records import Arg, Epoch, Event, Read, Write
from equivcheck.binary.signatures import CType, Signature, SignatureTable
from equivcheck.models.table import MODELS

ARG_REGS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
GPRS = (
    "rax",
    "rbx",
    "rcx",
    "rdx",
    "rsi",
    "rdi",
    "rbp",
    "r8",
    "r9",
    "r10",
    "r11",
    "r12",
    "r13",
    "r14",
    "r15",
)
LE = "Iend_LE"
PLUGIN = "ec"

# Functions that never return although a prototype may not say so.
NORETURN = frozenset(
    {
        "__stack_chk_fail",
        "panic",
        "do_exit",
        "make_task_dead",
        "__fortify_panic",
        "usercopy_abort",
        "abort",
        "exit",
        "__ubsan_handle_builtin_unreachable",
    }
)


class Unsupported(Exception):
    """Code the exploration cannot follow soundly (the path is cut with this reason)."""


@dataclass
class Context:
    """What every path of one version shares (not copied when a path forks)."""

    project: Any
    layout: Layout
    table: SignatureTable
    tag: str
    pure: frozenset[str]
    modelled: frozenset[str]
    ret_sentinel: int
    term_sentinel: int
    function: str
    start: int
    saved_low: int
    result: CType | None
    result_certain: bool = True
    start_key: str = ""
    limits: set[str] = field(default_factory=set)
    alt_reached: dict[int, AltSite] = field(default_factory=dict)
    live_flags: set[int] = field(default_factory=set)
    referenced: set[str] = field(default_factory=set)
    signatures: dict[str, Signature] = field(default_factory=dict)
    norm_memo: dict[int, Any] = field(default_factory=dict)

    def signature(self, name: str) -> Signature:
        """The prototype of ``name`` from the source text (cached)."""
        found = self.signatures.get(name)
        if found is None:
            found = self.table.get(name)
            self.signatures[name] = found
        return found


# --------------------------------------------------------------------- normalising


def normalise(expr: Any, ctx: Context) -> Any:
    """``expr`` with every constant that is an address in the object replaced by its
    canonical address (the same symbol+offset gives the same number in both versions)."""
    if isinstance(expr, int):
        return expr
    key = expr.hash()
    found = ctx.norm_memo.get(key)
    if found is not None:
        return found
    leaves: dict[int, tuple[Any, Any]] = {}
    seen: set[int] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        h = node.hash()
        if h in seen:
            continue
        seen.add(h)
        if node.op == "BVV":
            value, bits = node.args
            if bits == 64 and ctx.layout.is_placed(value):
                canon = ctx.layout.canonical_of(value)
                if canon is not None:
                    leaves[h] = (node, claripy.BVV(canon, 64))
                    _note_reference(ctx, value)
            continue
        for arg in node.args:
            if isinstance(arg, claripy.ast.Base):
                stack.append(arg)
    out = expr
    for old, new in leaves.values():
        out = claripy.replace(out, old, new)
    ctx.norm_memo[key] = out
    return out


def _note_reference(ctx: Context, value: int) -> None:
    """Remember code and constant data whose address the function uses as a value:
    their contents must be the same in both versions for an agreement to hold."""
    region = ctx.layout.region_of(value)
    if region is None or region.kind in ("extern", "string") or region.writable:
        return
    ctx.referenced.add(("section:" if region.kind == "section" else "") + region.name)


def digest(exprs: list[Any]) -> str:
    """A short name for a tuple of (normalised) expressions."""
    text = "|".join(e.smtlib() if not isinstance(e, int) else str(e) for e in exprs)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def in_stack(value: int) -> bool:
    """True for addresses in the exploration's stack."""
    return STACK_TOP - STACK_SIZE <= value < STACK_TOP + 0x1000


def _stack_leaf(expr: Any) -> int | None:
    """A stack address among the constants of ``expr`` (a pointer into the frame)."""
    stack = [expr]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        h = node.hash()
        if h in seen:
            continue
        seen.add(h)
        if node.op == "BVV":
            value, bits = node.args
            if bits == 64 and in_stack(value):
                return int(value)
            continue
        stack.extend(a for a in node.args if isinstance(a, claripy.ast.Base))
    return None


def _placed_readonly_leaf(expr: Any, layout: Layout) -> bool:
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.op == "BVV":
            value, bits = node.args
            if bits == 64 and layout.is_placed(value) and layout.readonly(value):
                return True
            continue
        stack.extend(a for a in node.args if isinstance(a, claripy.ast.Base))
    return False


# --------------------------------------------------------------------- the path record


class Track(SimStatePlugin):
    """Everything one path has observed: events, memory epochs, reads, escapes."""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.events: list[Event] = []
        self.epochs: list[Epoch] = [Epoch(ctx.start_key + "0")]
        self.reads: list[Read] = []
        self.cache: dict[tuple[int, int, int], Any] = {}
        self.count = 0
        self.escaped_min: int | None = None
        self.frames: list[int] = [0]
        self.next_frame = 1
        self.visits: dict[tuple[int, int], int] = {}
        self.visit_forks: dict[tuple[int, int], int] = {}
        self.forks = 0
        self.concrete_repeats = 0
        self.end = ""
        self.reason = ""
        self.steps = 0

    @SimStatePlugin.memo
    def copy(self, _memo: dict[int, Any]) -> Track:
        other = Track.__new__(Track)
        SimStatePlugin.__init__(other)
        other.ctx = self.ctx
        other.events = list(self.events)
        other.epochs = [Epoch(e.key, list(e.writes), e.digest) for e in self.epochs]
        other.reads = list(self.reads)
        other.cache = dict(self.cache)
        other.count = self.count
        other.escaped_min = self.escaped_min
        other.frames = list(self.frames)
        other.next_frame = self.next_frame
        other.visits = dict(self.visits)
        other.visit_forks = dict(self.visit_forks)
        other.forks = self.forks
        other.concrete_repeats = self.concrete_repeats
        other.end = self.end
        other.reason = self.reason
        other.steps = self.steps
        return other

    # .................................................................. names

    def count_key(self) -> str:
        """The place in the trace: the number of earlier side-effecting events."""
        return f"{self.ctx.start_key}{self.count}"

    # .................................................................. memory

    def note_escape(self, value: Any) -> bool:
        """Remember the lowest stack address that got out (argument or stored value);
        True when ``value`` points into the frame."""
        addr: int | None
        if isinstance(value, int):
            addr = value if in_stack(value) else None
        elif value.op == "BVV":
            addr = value.args[0] if in_stack(value.args[0]) else None
        else:
            addr = _stack_leaf(value)
        if addr is not None and addr < self.ctx.saved_low:
            self.escaped_min = addr if self.escaped_min is None else min(self.escaped_min, addr)
        return addr is not None

    def _relation(self, a: Any, size: int, w: Write) -> tuple[str, int]:
        """How a load of ``size`` bytes at ``a`` relates to write ``w``: ``same``,
        ``inside`` (at offset), ``disjoint`` or ``maybe``."""
        delta = (a - w.addr).simplify() if not isinstance(a, int) else a - w.addr
        if delta.op == "BVV":
            d = delta.args[0]
            if d >= 1 << 63:
                d -= 1 << 64
            if d == 0 and size == w.size:
                return "same", 0
            if d >= 0 and d + size <= w.size:
                return "inside", d
            if d >= w.size or -d >= size:
                return "disjoint", 0
            return "maybe", 0
        overlap = claripy.And(claripy.ULT(a, w.addr + w.size), claripy.ULT(w.addr, a + size))
        if not self.state.solver.satisfiable(extra_constraints=[overlap]):
            return "disjoint", 0
        return "maybe", 0

    def heap_read(self, addr: Any, size: int) -> Any:
        """The value of ``size`` bytes at ``addr`` (little-endian) in our memory model."""
        if size == 8 and is_canary(addr):
            return CANARY
        epoch = len(self.epochs) - 1
        writes = self.epochs[-1].writes
        for w in reversed(writes):
            relation, offset = self._relation(addr, size, w)
            if relation == "same":
                return w.value
            if relation == "inside":
                return claripy.Extract(8 * (offset + size) - 1, 8 * offset, w.value)
            if relation == "maybe":
                # Named by what defines it: the epoch, the writes so far, the address.
                norm = normalise(addr, self.ctx)
                current = self.epochs[-1]
                name = f"rd.{current.key}.{current.digest[:16]}.{digest([norm])}.{size}"
                symbol = claripy.BVS(name, 8 * size, explicit_name=True)
                self.reads.append(Read(symbol, norm, size, epoch, len(writes)))
                return symbol
        norm = normalise(addr, self.ctx)
        key = (epoch, norm.hash(), size)
        found = self.cache.get(key)
        if found is not None:
            return found
        name = f"m.{self.epochs[-1].key}.{digest([norm])}.{size}"
        symbol = claripy.BVS(name, 8 * size, explicit_name=True)
        self.cache[key] = symbol
        self.reads.append(Read(symbol, norm, size, epoch, 0))
        return symbol

    def heap_write(self, addr: Any, value: Any, size: int) -> None:
        """Log a store to our memory model."""
        self.note_escape(value)
        current = self.epochs[-1]
        current.writes.append(Write(addr, value, size))
        written = digest([normalise(addr, self.ctx), normalise(value, self.ctx)])
        text = f"{current.digest}|{written}|{size}"
        current.digest = hashlib.sha1(text.encode()).hexdigest()

    # .................................................................. events

    def escaped_chunks(self) -> list[int]:
        """Addresses of the 8-byte stack chunks a callee may reach."""
        if self.escaped_min is None:
            return []
        start = self.escaped_min - self.escaped_min % 8
        return list(range(start, self.ctx.saved_low, 8))

    def record(
        self,
        kind: str,
        name: str,
        args: tuple[Arg, ...],
        where: int,
        *,
        side_effect: bool = True,
        result: Any = None,
    ) -> None:
        """Append an event; a side-effecting one starts a new epoch and gives escaped
        stack bytes fresh contents (a callee may have written them). A modelled call
        (not side-effecting) sees only its footprint, not the stack."""
        chunks: tuple[tuple[int, Any], ...] = ()
        if side_effect or kind != "call":
            chunks = tuple(
                (a, self.state.memory.load(a, 8, endness=LE)) for a in self.escaped_chunks()
            )
        event = Event(
            kind,
            name,
            args,
            len(self.epochs) - 1,
            len(self.epochs[-1].writes),
            chunks,
            tuple(self.state.solver.constraints),
            len(self.reads),
            where,
            result,
            side_effect,
        )
        self.events.append(event)
        if side_effect:
            self.count += 1
            self.epochs.append(Epoch(self.count_key()))
            for a, value in chunks:
                if value is CANARY or (not isinstance(value, int) and value.identical(CANARY)):
                    continue
                fresh = claripy.BVS(f"stk.{self.count_key()}.{a:x}", 64, explicit_name=True)
                self.state.memory.store(a, fresh, endness=LE)

    def state_version(self, name: str) -> int:
        """How many calls since the last side-effecting event wrote a component the
        model of ``name`` reads (a modelled call's result depends on its arguments and
        on that state: the same count means the same state)."""
        model = MODELS.get(name)
        reads = {p.component for p in model.reads} if model is not None else set()
        count = 0
        for event in reversed(self.events):
            if event.side_effect:
                break
            other = MODELS.get(event.name) if event.kind == "call" else None
            if other is not None and reads & {p.component for p in other.writes}:
                count += 1
        return count

    def call_args(self, sig: Signature, variadic_regs: bool = True) -> tuple[Arg, ...]:
        """The arguments of a call about to happen (return address on the stack)."""
        st: Any = self.state
        out: list[Arg] = []
        if sig.params is None:
            for reg in ARG_REGS:
                value = getattr(st.regs, reg)
                self.note_escape(value)
                out.append(Arg(normalise(value, self.ctx), certain=False))
            return tuple(out)
        # A pointer into the frame depends on the frame's layout: not a certain value.
        for i, ctype in enumerate(sig.params):
            if i < len(ARG_REGS):
                value = getattr(st.regs, ARG_REGS[i])
            else:
                slot = st.regs.rsp + 8 * (i - len(ARG_REGS) + 1)
                value = st.memory.load(slot, 8, endness=LE)
            stack = self.note_escape(value)
            out.append(Arg(normalise(cut(value, ctype), self.ctx), certain=not stack))
        if sig.variadic and variadic_regs:
            for reg in ARG_REGS[len(sig.params) :]:
                value = getattr(st.regs, reg)
                self.note_escape(value)
                out.append(Arg(normalise(value, self.ctx), certain=False))
        return tuple(out)


CANARY = claripy.BVS("canary", 64, explicit_name=True)


def is_canary(addr: Any) -> bool:
    """True for ``%gs:0x28``/``%fs:0x28``, where the stack protector's guard value lives
    (a constant of the task: the same whenever it is read, never written by callees)."""
    if isinstance(addr, int) or addr.op != "__add__" or len(addr.args) != 2:
        return False
    base, offset = addr.args
    if offset.op == "BVS":
        base, offset = offset, base
    return bool(
        base.op == "BVS"
        and base.args[0] in ("gs", "fs")
        and offset.op == "BVV"
        and offset.args[0] == 0x28
    )


STATUS_FLAGS = 0x8D5  # CF PF AF ZF SF OF


def status_flags(state: Any) -> Any:
    """The status flags of ``state`` as a 64-bit value (from VEX's lazy flag thunk)."""
    from angr.engines.vex.claripy.ccall import amd64g_calculate_rflags_all

    regs = state.regs
    flags = amd64g_calculate_rflags_all(state, regs.cc_op, regs.cc_dep1, regs.cc_dep2, regs.cc_ndep)
    return (
        (flags & STATUS_FLAGS)
        if flags.size() == 64
        else claripy.ZeroExt(64 - flags.size(), flags) & STATUS_FLAGS
    )


def set_flags(state: Any, flags: Any) -> None:
    """Give ``state`` the status flags ``flags`` (VEX's COPY thunk)."""
    state.regs.cc_op = 0
    state.regs.cc_dep1 = flags & STATUS_FLAGS
    state.regs.cc_dep2 = 0
    state.regs.cc_ndep = 0


def cut(value: Any, ctype: CType) -> Any:
    """A register value cut to the width the prototype gives it."""
    if ctype.width >= 64 or ctype.width <= 0:
        return value
    return claripy.Extract(ctype.width - 1, 0, value)


def track_of(state: Any) -> Track:
    """The path record of ``state``."""
    plugin: Track = state.get_plugin(PLUGIN)
    return plugin


# --------------------------------------------------------------------- memory


def concrete_or_zero(value: Any) -> int:
    """The value of a concrete expression, 0 for a symbolic one."""
    return _concrete(value) or 0


def _concrete(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if value.op == "BVV":
        return int(value.args[0])
    return None


class RoutedMemory(DefaultMemory):
    """angr's memory for the stack and read-only bytes; our model for the rest."""

    def _routing(self) -> Track | None:
        if self.id != "mem" or not self.state.has_plugin(PLUGIN):
            return None
        return track_of(self.state)

    def load(self, addr: Any, size: Any = None, **kwargs: Any) -> Any:
        track = self._routing()
        if track is None or size is None:
            return super().load(addr, size=size, **kwargs)
        nbytes = _concrete(size)
        if nbytes is None:
            raise Unsupported("a load of symbolic size")
        endness = kwargs.get("endness") or self.endness
        where = _concrete(addr)
        layout = track.ctx.layout
        if where is not None:
            if in_stack(where) or layout.readonly(where):
                return super().load(addr, size=size, **kwargs)
            value = track.heap_read(claripy.BVV(where, 64), nbytes)
        else:
            if _stack_leaf(addr) is not None:
                raise Unsupported("a load from the stack at a computed address")
            if _placed_readonly_leaf(addr, layout):
                return self._table_load(addr, nbytes, kwargs)
            value = track.heap_read(addr, nbytes)
        if endness != LE:
            value = value.reversed if nbytes > 1 else value
        condition = kwargs.get("condition")
        fallback = kwargs.get("fallback")
        if condition is not None and fallback is not None:
            value = claripy.If(condition, value, fallback)
        return value

    def _table_load(self, addr: Any, nbytes: int, kwargs: dict[str, Any]) -> Any:
        """A load from constant data at a computed address: every possible address."""
        values = self.state.solver.eval_upto(addr, 257)
        if len(values) > 256:
            raise Unsupported("a load from constant data at an unbounded address")
        out = None
        for v in values:
            loaded = super().load(v, size=nbytes, **kwargs)
            out = loaded if out is None else claripy.If(addr == v, loaded, out)
        return out

    def store(self, addr: Any, data: Any, size: Any = None, **kwargs: Any) -> None:
        track = self._routing()
        if track is None:
            super().store(addr, data, size=size, **kwargs)
            return
        if isinstance(data, int):
            nbits = 8 * (_concrete(size) or 8)
            data = claripy.BVV(data, nbits)
        nbytes = _concrete(size) if size is not None else data.size() // 8
        if nbytes is None:
            raise Unsupported("a store of symbolic size")
        if nbytes * 8 != data.size():
            data = claripy.Extract(8 * nbytes - 1, 0, data) if data.size() > 8 * nbytes else data
        where = _concrete(addr)
        layout = track.ctx.layout
        if where is not None and in_stack(where):
            super().store(addr, data, size=size, **kwargs)
            return
        if where is None and _stack_leaf(addr) is not None:
            raise Unsupported("a store to the stack at a computed address")
        if where is not None and layout.readonly(where):
            raise Unsupported(f"a store to read-only data at {where:#x}")
        endness = kwargs.get("endness") or self.endness
        value = data if endness == LE or nbytes == 1 else data.reversed
        condition = kwargs.get("condition")
        address = claripy.BVV(where, 64) if where is not None else addr
        if condition is not None and not (condition.op == "BoolV" and condition.args[0]):
            old = track.heap_read(address, nbytes)
            value = claripy.If(condition, value, old)
        track.heap_write(address, value, nbytes)

    def _default_value(self, addr: Any, size: int, **kwargs: Any) -> Any:
        if self.id == "mem" and isinstance(addr, int) and in_stack(addr):
            parts = [
                claripy.BVS(f"stk.{track_prefix(self.state)}{addr + i:x}", 8, explicit_name=True)
                for i in range(size)
            ]
            return parts[0] if size == 1 else claripy.Concat(*parts)
        return super()._default_value(addr, size, **kwargs)


def track_prefix(state: Any) -> str:
    """The name prefix of stack bytes nobody wrote (per start: entry or loop head)."""
    if state.has_plugin(PLUGIN):
        return track_of(state).ctx.start_key
    return ""


# --------------------------------------------------------------------- procedures


class _Proc(angr.SimProcedure):
    """A hook that returns to its caller by hand (no calling-convention machinery)."""

    def _return(self, rax: Any | None) -> None:
        st: Any = self.state
        target = st.memory.load(st.regs.rsp, 8, endness=LE)
        st.regs.rsp = st.regs.rsp + 8
        if rax is not None:
            st.regs.rax = rax
        self.jump(target, jumpkind="Ijk_Ret")

    def _where(self) -> int:
        st: Any = self.state
        value = _concrete(st.memory.load(st.regs.rsp, 8, endness=LE))
        return value or 0


class ExternCall(_Proc):
    """An external function: an event with its arguments; its result is named by
    (name, arguments, place in the trace)."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name

    def run(self) -> None:
        track = track_of(self.state)
        ctx = track.ctx
        sig = ctx.signature(self.name)
        args = track.call_args(sig)
        values = [a.value for a in args]
        result_type = sig.result
        bits = 64 if result_type is None or result_type.void else result_type.width
        if result_type is not None and result_type.boolean:
            bits = 1
        where = self._where()
        if self.name in ctx.pure:
            pure = claripy.BVS(f"p:{self.name}:{digest(values)}", bits, explicit_name=True)
            self._return(_widen(pure))
            return
        side = self.name not in ctx.modelled
        place = (
            track.count_key() if side else f"{track.count_key()}#{track.state_version(self.name)}"
        )
        name = f"r:{self.name}@{place}:{digest(values)}"
        result: Any = claripy.BVS(name, bits, explicit_name=True)
        if result_type is not None and result_type.void:
            result = None
        track.record("call", self.name, args, where, side_effect=side, result=result)
        if self.name in NORETURN or sig.noreturn:
            track.end, track.reason = "noreturn", self.name
            self.jump(ctx.term_sentinel)
            return
        garbage = claripy.BVS(f"void@{track.count_key()}", 64, explicit_name=True)
        self._return(_widen(result) if result is not None else garbage)


def _widen(value: Any) -> Any:
    return value if value.size() >= 64 else claripy.ZeroExt(64 - value.size(), value)


class ReturnThunk(_Proc):
    """``jmp __x86_return_thunk`` is ``ret``."""

    def run(self) -> None:
        self._return(None)


class IndirectThunk(_Proc):
    """``call __x86_indirect_thunk_REG``: a call through REG."""

    def __init__(self, register: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.register = register

    def run(self) -> None:
        target = getattr(self.state.regs, self.register)
        indirect_call(self, target)


def indirect_call(proc: _Proc, target: Any) -> None:
    """A call through a pointer: into the object when the pointer is known, else an
    event ``(*ptr)`` whose arguments are the six argument registers."""
    st = proc.state
    track = track_of(st)
    concrete = _concrete(target)
    if concrete is not None and (
        st.project.is_hooked(concrete) or track.ctx.layout.region_of(concrete) is not None
    ):
        proc.jump(concrete)
        return
    args = (Arg(normalise(target, track.ctx)), *track.call_args(Signature(None, None)))
    values = [a.value for a in args]
    result = claripy.BVS(f"r:*@{track.count_key()}:{digest(values)}", 64, explicit_name=True)
    track.record("call", "(*indirect)", args, proc._where(), result=result)
    proc._return(result)


class Ud2(_Proc):
    """``ud2``: a WARN (goes on after it) or a BUG (the path ends)."""

    def __init__(self, site: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site

    def run(self) -> None:
        track = track_of(self.state)
        flags = track.ctx.layout.bug_flags.get(self.site)
        if flags is not None and flags & BUGFLAG_WARNING:
            track.record("warn", "WARN", (), self.site)
            self.jump(self.site + 2)
            return
        track.record("bug", "BUG", (), self.site, side_effect=False)
        track.end, track.reason = "bug", "ud2"
        self.jump(track.ctx.term_sentinel)


class StaticKey(_Proc):
    """A static-key site: jumps when the key (a symbol both versions share) is
    enabled XOR the site's branch bit."""

    def __init__(self, site: JumpSite, length: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.length = length

    def run(self) -> None:
        key = claripy.BVS(f"key:{self.site.key}", 1, explicit_name=True)
        taken = key != self.site.branch
        fall = self.site.addr + self.length
        self.jump(claripy.If(taken, claripy.BVV(self.site.target, 64), claripy.BVV(fall, 64)))


class Barrier(_Proc):
    """A ``lock``-prefixed instruction or a fence: an ordering point, then the
    instruction itself."""

    def __init__(self, site: int, what: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.what = what

    def run(self) -> None:
        track_of(self.state).record("barrier", self.what, (), self.site)
        self.jump(self.site, jumpkind="Ijk_NoHook")


class SystemInstruction(_Proc):
    """An instruction with effects on the machine the comparison cannot see (a port,
    a control or segment register, the flags): the path is cut there."""

    def __init__(self, what: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.what = what

    def run(self) -> None:
        raise Unsupported(f"the system instruction {self.what}")


class Alternative(_Proc):
    """An alternative's site: noted, then its original instructions run."""

    def __init__(self, site: AltSite, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site

    def run(self) -> None:
        track_of(self.state).ctx.alt_reached[self.site.addr] = self.site
        self.jump(self.site.addr, jumpkind="Ijk_NoHook")


class Sentinel(_Proc):
    """The end of a path (never executed: the exploration stops before it)."""

    NO_RET = True

    def run(self) -> None:
        self.exit(0)


def is_sim_error(exc: BaseException) -> bool:
    """True for angr's own errors (a path it cannot step)."""
    return isinstance(exc, (angr.errors.AngrError, angr.errors.SimError))
