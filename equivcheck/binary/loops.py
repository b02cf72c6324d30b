"""The inductive loop rule on machine code.

When unrolling cuts paths at loops, both versions are cut at their loop heads instead
(the targets of back edges in the function's own control-flow graph, found from angr's
lifted blocks), heads paired in address order. Every stretch of execution is explored:
from the entry to the first head reached or an exit, and from each head, started in a
*generic* state, to the next head or an exit. The generic state of head ``i`` is the
same in both versions: registers ``H<i>.REG``, stack bytes ``stk.H<i>.ADDR``, memory
``M:H<i>.0``, results named from ``H<i>.``; values that every arrival at the head has
in common (the same expression in both versions: saved registers, the stack canary,
constants set before the loop) are kept as they are.

If every pair of stretches from one start agrees on its events and ends at the same
head with equal registers, stack and memory (or at equal exits), then by induction on
the number of heads passed the two versions agree however often the loops run. A
difference found from the entry is a real one; from a generic state it may be
unreachable, so the rule then just fails (inconclusive). The rule also fails when the
versions have different numbers of loops, the stack pointer differs at a head, the
frames differ at a head, or a stretch is cut. Flags live at a head (a loop that tests
a flag set before the back edge) are part of the state: compared, and generic.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import angr
import pyvex
from angr import claripy

from equivcheck.binary import engine
from equivcheck.binary import explore as ex
from equivcheck.binary.compare import Divergence, compare
from equivcheck.binary.engine import GPRS, LE, PLUGIN, Context, Track
from equivcheck.binary.layout import STACK_TOP
from equivcheck.binary.records import Exploration, PathRecord
from equivcheck.binary.smt import Translator

MAX_ROUNDS = 4


@dataclass
class Proof:
    """The result of the rule: ``agree``, ``disagree`` (from the entry) or
    ``inconclusive`` with the reason."""

    outcome: str = "inconclusive"
    reason: str = ""
    summary: str = ""
    divergence: Divergence | None = None
    notes: list[str] = field(default_factory=list)
    heads: int = 0
    paths: tuple[int, int] = (0, 0)
    explore_s: float = 0.0
    compare_s: float = 0.0


# --------------------------------------------------------------------- loop heads


class _CfgError(Exception):
    pass


def _successors(ctx: Context, addr: int) -> list[int]:
    layout = ctx.layout
    project = ctx.project
    if addr in layout.ud2_sites:
        flags = layout.bug_flags.get(addr)
        return [addr + 2] if flags is not None and flags & 1 else []
    site = layout.jump_sites.get(addr)
    if site is not None:
        return [site.target, addr + layout.insn_length.get(addr, 0)]
    block = project.factory.block(addr, opt_level=0)
    irsb = block.vex
    out: list[int] = []
    for stmt in irsb.statements:
        if isinstance(stmt, pyvex.stmt.Exit):
            if stmt.jumpkind.startswith("Ijk_Sig"):
                continue  # a fault exit (VEX's checks): execution does not go on there
            if stmt.jumpkind != "Ijk_Boring":
                raise _CfgError(f"exit {stmt.jumpkind} at {stmt.dst.value:#x}")
            out.append(stmt.dst.value)
    kind = irsb.jumpkind
    nxt = irsb.next
    if kind == "Ijk_Call":
        out.append(addr + block.size)
    elif kind == "Ijk_Boring":
        if not isinstance(nxt, pyvex.expr.Const):
            raise _CfgError(f"computed jump at {addr:#x}")
        target = nxt.con.value
        region = layout.region_of(target)
        tail_call = (
            region is None
            or region.kind == "extern"
            or target in {start for start, _ in layout.functions.values()}
        )
        if not tail_call:
            out.append(target)
    elif kind in ("Ijk_Ret", "Ijk_SigILL", "Ijk_NoDecode"):
        pass
    else:
        raise _CfgError(f"{kind} at {addr:#x}")
    return out


def loop_heads(ctx: Context) -> list[int]:
    """Targets of back edges in the function's graph (its own code and cold parts)."""
    heads: set[int] = set()
    on_stack: set[int] = set()
    done: set[int] = set()
    stack: list[tuple[int, list[int]]] = [(ctx.start, _successors(ctx, ctx.start))]
    on_stack.add(ctx.start)
    while stack:
        node, succ = stack[-1]
        if not succ:
            stack.pop()
            on_stack.discard(node)
            done.add(node)
            continue
        nxt = succ.pop()
        if nxt in on_stack:
            heads.add(nxt)
        elif nxt not in done:
            on_stack.add(nxt)
            stack.append((nxt, _successors(ctx, nxt)))
            if len(done) + len(stack) > 20000:
                raise _CfgError("graph too large")
    return sorted(heads)


def has_loops(ctx: Context) -> bool:
    """True when the function's own graph has a loop (or cannot be built: then the
    rule is tried and says why it fails)."""
    try:
        return bool(loop_heads(ctx))
    except _CfgError:
        return True


def _flags_live(ctx: Context, addr: int) -> bool:
    """True unless the head block writes the flags before reading them (or calls)."""
    arch = ctx.project.arch
    offsets = {arch.registers[r][0] for r in ("cc_op", "cc_dep1", "cc_dep2", "cc_ndep")}
    irsb = ctx.project.factory.block(addr, opt_level=0).vex
    for stmt in irsb.statements:
        for expr in stmt.expressions:
            if isinstance(expr, pyvex.expr.Get) and expr.offset in offsets:
                return True
        if isinstance(stmt, pyvex.stmt.Put) and stmt.offset == arch.registers["cc_op"][0]:
            return False
    return bool(irsb.jumpkind != "Ijk_Call")


# --------------------------------------------------------------------- generic states


@dataclass
class _Head:
    """What the arrivals at one head (of one version) have shown so far."""

    rsp: int | None = None
    escaped: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    norm: dict[str, Any] = field(default_factory=dict)
    conflict: str = ""
    seen: bool = False

    def arrive(self, path: PathRecord) -> None:
        """Take in one arrival: values that differ from earlier arrivals stop being
        invariant candidates."""
        info = path.head_state
        if info is None:
            return
        rsp = info["rsp"]
        if self.rsp is not None and rsp != self.rsp:
            self.conflict = "the stack pointer differs between arrivals"
        self.rsp = rsp
        escaped = info["escaped"]
        if escaped is not None:
            self.escaped = escaped if self.escaped is None else min(self.escaped, escaped)
        if not self.seen:
            self.seen = True
            self.norm = dict(info["norm"])
            self.raw = dict(info["raw"])
            return
        for name, value in list(self.norm.items()):
            if not _same(value, info["norm"].get(name)):
                self.norm[name] = None


def _same(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return False
    return bool(x.identical(y))


def head_state(ctx: Context, addr: int, head: _Head, keep: set[str]) -> Any:
    """The generic state at a head: the kept invariants, fresh symbols elsewhere."""
    project = ctx.project
    state = project.factory.blank_state(
        addr=addr,
        add_options={
            angr.options.SYMBOL_FILL_UNCONSTRAINED_REGISTERS,
            angr.options.SYMBOL_FILL_UNCONSTRAINED_MEMORY,
        },
        remove_options=angr.options.refs,
    )
    state.memory.__class__ = engine.RoutedMemory
    track = Track(ctx)
    track.escaped_min = head.escaped
    state.register_plugin(PLUGIN, track)
    prefix = ctx.start_key
    for reg in GPRS:
        value = (
            head.raw[reg] if reg in keep else claripy.BVS(f"{prefix}{reg}", 64, explicit_name=True)
        )
        setattr(state.regs, reg, value)
    assert head.rsp is not None
    state.regs.rsp = head.rsp
    for name in keep:
        if name.startswith("stk"):
            state.memory.store(int(name[3:], 16), head.raw[name], endness=LE)
    state.memory.store(STACK_TOP - 8, claripy.BVV(ex.RET_SENTINEL, 64), endness=LE)
    if "flags" in head.raw:
        flags = (
            head.raw["flags"]
            if "flags" in keep
            else claripy.BVS(f"{prefix}flags", 64, explicit_name=True)
        )
        engine.set_flags(state, flags)
    state.regs.gs = claripy.BVS("gs", 64, explicit_name=True)
    state.regs.fs = claripy.BVS("fs", 64, explicit_name=True)
    return state


def _kept(a: _Head, b: _Head) -> set[str]:
    """Invariant candidates: the same expression at every arrival in both versions."""
    keep = set()
    for name, value in a.norm.items():
        other = b.norm.get(name)
        if value is not None and other is not None and value.identical(other):
            keep.add(name)
    return keep


# --------------------------------------------------------------------- the rule


def induction(
    ctx_a: Context,
    ctx_b: Context,
    limits: ex.Limits,
    tr: Translator,
    timeout_s: float,
) -> Proof:
    """Try the inductive loop rule; see the module docstring."""
    proof = Proof()
    try:
        heads_a, heads_b = loop_heads(ctx_a), loop_heads(ctx_b)
    except _CfgError as exc:
        proof.reason = f"cannot build the control-flow graph ({exc})"
        return proof
    proof.heads = len(heads_a)
    if len(heads_a) != len(heads_b):
        proof.reason = f"different numbers of loop heads ({len(heads_a)} against {len(heads_b)})"
        return proof
    if not heads_a:
        proof.reason = "no loop head in the function's own code (loops in called code)"
        return proof
    for ctx, heads in ((ctx_a, heads_a), (ctx_b, heads_b)):
        ctx.live_flags.update(addr for addr in heads if _flags_live(ctx, addr))
    stop_a = {addr: i for i, addr in enumerate(heads_a)}
    stop_b = {addr: i for i, addr in enumerate(heads_b)}
    entry_a = ex.explore(ctx_a, ex.entry_state(ctx_a), limits, stop_a)
    entry_b = ex.explore(ctx_b, ex.entry_state(ctx_b), limits, stop_b)
    total = [len(entry_a.paths), len(entry_b.paths)]
    why = _cut(entry_a) or _cut(entry_b)
    if why:
        proof.reason = f"stretch from the entry cut: {why}"
        return proof
    outcome = compare(entry_a, entry_b, tr, limits.deadline, timeout_s)
    proof.explore_s += entry_a.seconds + entry_b.seconds
    proof.compare_s += outcome.seconds
    proof.paths = (len(entry_a.paths), len(entry_b.paths))
    if outcome.outcome == "disagree":
        proof.outcome, proof.reason, proof.divergence = (
            "disagree",
            outcome.reason,
            outcome.divergence,
        )
        proof.reason = f"the compiled versions differ: {outcome.reason}"
        return proof
    if outcome.outcome != "agree":
        proof.reason = f"from the entry: {outcome.reason}"
        return proof
    seen_a = [_Head() for _ in heads_a]
    seen_b = [_Head() for _ in heads_b]
    for path in entry_a.paths:
        if path.end == "head":
            seen_a[path.head].arrive(path)
    for path in entry_b.paths:
        if path.end == "head":
            seen_b[path.head].arrive(path)
    for _round in range(MAX_ROUNDS):
        result = _stretches(
            ctx_a, ctx_b, (heads_a, heads_b), (seen_a, seen_b), limits, tr, timeout_s, proof
        )
        if isinstance(result, str):
            proof.reason = result
            return proof
        used, arrivals_a, arrivals_b, counts = result
        total[0] += counts[0]
        total[1] += counts[1]
        for path in arrivals_a:
            seen_a[path.head].arrive(path)
        for path in arrivals_b:
            seen_b[path.head].arrive(path)
        proof.paths = (total[0], total[1])
        if all(_kept(seen_a[i], seen_b[i]) == keep for i, keep in used.items()):
            proof.outcome = "agree"
            proof.summary = (
                f"{len(heads_a)} loop head(s), {total[0]}/{total[1]} stretch paths, "
                f"{sum(len(k) for k in used.values())} invariant values kept"
            )
            proof.notes.append(f"inductive loop rule: {proof.summary}")
            return proof
    proof.reason = "the values kept at the loop heads did not settle"
    return proof


def _cut(run: Exploration) -> str:
    if run.out_of_budget:
        return run.out_of_budget
    for path in run.paths:
        if path.end == "cut":
            return path.reason
    return ""


def _stretches(
    ctx_a: Context,
    ctx_b: Context,
    heads: tuple[list[int], list[int]],
    seen: tuple[list[_Head], list[_Head]],
    limits: ex.Limits,
    tr: Translator,
    timeout_s: float,
    proof: Proof,
) -> tuple[dict[int, set[str]], list[PathRecord], list[PathRecord], tuple[int, int]] | str:
    """Explore and compare the stretches from every head reached (generic states, with
    the invariant candidates of the moment kept)."""
    heads_a, heads_b = heads
    seen_a, seen_b = seen
    arrivals_a: list[PathRecord] = []
    arrivals_b: list[PathRecord] = []
    counts = [0, 0]
    stop_a = {addr: i for i, addr in enumerate(heads_a)}
    stop_b = {addr: i for i, addr in enumerate(heads_b)}
    used: dict[int, set[str]] = {}
    while True:
        todo = [i for i in range(len(heads_a)) if i not in used and seen_a[i].seen]
        if not todo:
            break
        for i in todo:
            ha, hb = seen_a[i], seen_b[i]
            if not hb.seen:
                return f"loop head {i} is reached in one version only"
            if ha.conflict or hb.conflict:
                return f"loop head {i}: {ha.conflict or hb.conflict}"
            if ha.rsp != hb.rsp:
                return f"loop head {i}: the frames differ (stack pointer)"
            if ha.escaped != hb.escaped:
                return f"loop head {i}: escaped stack objects differ"
            used[i] = keep = _kept(ha, hb)
            key = f"H{i}."
            sub_a = dataclasses.replace(ctx_a, start_key=key)
            sub_b = dataclasses.replace(ctx_b, start_key=key)
            run_a = ex.explore(sub_a, head_state(sub_a, heads_a[i], ha, keep), limits, stop_a)
            run_b = ex.explore(sub_b, head_state(sub_b, heads_b[i], hb, keep), limits, stop_b)
            counts[0] += len(run_a.paths)
            counts[1] += len(run_b.paths)
            why = _cut(run_a) or _cut(run_b)
            if why:
                return f"stretch from loop head {i} cut: {why}"
            if time.perf_counter() > limits.deadline:
                return "time budget"
            outcome = compare(run_a, run_b, tr, limits.deadline, timeout_s)
            proof.explore_s += run_a.seconds + run_b.seconds
            proof.compare_s += outcome.seconds
            if outcome.outcome != "agree":
                return f"stretch from loop head {i}: {outcome.outcome}: {outcome.reason}"
            new_a = [p for p in run_a.paths if p.end == "head"]
            new_b = [p for p in run_b.paths if p.end == "head"]
            for path in new_a:
                if path.head not in used and not seen_a[path.head].seen:
                    seen_a[path.head].arrive(path)
            for path in new_b:
                if path.head not in used and not seen_b[path.head].seen:
                    seen_b[path.head].arrive(path)
            arrivals_a += new_a
            arrivals_b += new_b
    if any(h.seen for h in seen_b) and len(used) != sum(1 for h in seen_b if h.seen):
        return "a loop head is reached in one version only"
    return used, arrivals_a, arrivals_b, (counts[0], counts[1])
