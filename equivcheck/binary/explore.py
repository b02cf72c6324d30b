"""Load an object with angr and execute one function symbolically, path by path.

:func:`load` builds the project (the object at a fixed base, every external symbol and
special instruction hooked: :mod:`equivcheck.binary.engine`). :func:`explore` runs the
function from its entry (or from a loop head, for the inductive rule) depth first:

- a path ends at the return (to a sentinel address), at a BUG, at a call that does not
  return, or (inductive rule) at a loop head;
- a block repeated in one call of a function after the path forked cuts the path after
  ``unroll`` repeats ("loop unrolled"); a loop with a concrete count (no fork between
  two visits) runs to its end (up to 4096 repeats). Too many nested calls, angr errors,
  jumps to addresses that are not code and the accesses the memory model refuses cut
  the path too;
- the time budget (a deadline) and the path budget (finished plus pending) stop the
  exploration: the remaining paths are cut with the reason.

Every cut path is kept with its reason: an opinion of ``agree`` needs none.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import angr
from angr import claripy

from equivcheck.binary import engine
from equivcheck.binary.engine import (
    ARG_REGS,
    GPRS,
    LE,
    PLUGIN,
    Context,
    Track,
    Unsupported,
    normalise,
    track_of,
)
from equivcheck.binary.layout import OBJECT_BASE, STACK_TOP, Layout, build
from equivcheck.binary.records import Arg, Epoch, Event, Exploration, PathRecord, Read, Write
from equivcheck.binary.signatures import CType, Signature, SignatureTable

RET_SENTINEL = 0x10000
TERM_SENTINEL = 0x10010
MAX_DEPTH = 24

for _name in ("angr", "cle", "pyvex", "claripy"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


@dataclass
class Loaded:
    """One object file in angr, with its layout."""

    project: Any
    layout: Layout
    path: Path


def load(path: Path) -> Loaded:
    """Load ``path`` with CLE and hook its external symbols and special instructions."""
    project = angr.Project(str(path), auto_load_libs=False, main_opts={"base_addr": OBJECT_BASE})
    layout = build(project, path)
    main = project.loader.main_object
    for sym in main.symbols:
        if not sym.is_import or not sym.name:
            continue
        name = sym.name
        proc: angr.SimProcedure
        if name == "__x86_return_thunk":
            proc = engine.ReturnThunk(project=project)
        elif name.startswith(("__x86_indirect_thunk_", "__x86_indirect_call_thunk_")):
            proc = engine.IndirectThunk(name.rsplit("_", 1)[1], project=project)
        else:
            proc = engine.ExternCall(name, project=project)
        project.hook_symbol(name, proc, replace=True)
    for site in layout.alt_sites:
        project.hook(site.addr, engine.Alternative(site, project=project), length=0)
    for addr, what in layout.barrier_sites.items():
        project.hook(addr, engine.Barrier(addr, what, project=project), length=0, replace=True)
    for addr, jump in layout.jump_sites.items():
        length = layout.insn_length.get(addr, 0)
        if length:
            project.hook(
                addr, engine.StaticKey(jump, length, project=project), length=length, replace=True
            )
    for addr in layout.ud2_sites:
        project.hook(addr, engine.Ud2(addr, project=project), length=2, replace=True)
    for addr, what in layout.system_sites.items():
        project.hook(addr, engine.SystemInstruction(what, project=project), length=0, replace=True)
    project.hook(RET_SENTINEL, engine.Sentinel(project=project))
    project.hook(TERM_SENTINEL, engine.Sentinel(project=project))
    return Loaded(project, layout, path)


CLONE_SUFFIXES = (".constprop.", ".isra.")


def find_function(layout: Layout, name: str) -> str | None:
    """The symbol that holds ``name``: itself, or a ``.constprop``/``.isra`` clone (gcc's
    copies with changed parameters) when only that exists."""
    if name in layout.functions:
        return name
    clones = sorted(
        s
        for s in layout.functions
        if s.startswith(name + ".") and any(x in s for x in CLONE_SUFFIXES)
    )
    return clones[0] if clones else None


def saved_registers_low(layout: Layout, start: int) -> int:
    """The lowest stack address of the entry's pushes (saved registers sit above it)."""
    sp = STACK_TOP - 8
    addr = start
    for _ in range(32):
        mnemonic = layout.insn_mnemonic.get(addr)
        if mnemonic is None:
            break
        if mnemonic == "push":
            sp -= 8
        elif mnemonic not in ("endbr64", "nop"):
            break
        addr += layout.insn_length.get(addr, 1)
    return sp


def make_context(
    loaded: Loaded,
    symbol: str,
    table: SignatureTable,
    tag: str,
    signature: Signature,
    pure: frozenset[str],
    modelled: frozenset[str],
) -> Context:
    """The shared context of one version's exploration."""
    start, _ = loaded.layout.functions[symbol]
    clone = symbol != symbol.split(".")[0]
    return Context(
        project=loaded.project,
        layout=loaded.layout,
        table=table,
        tag=tag,
        pure=pure,
        modelled=modelled,
        ret_sentinel=RET_SENTINEL,
        term_sentinel=TERM_SENTINEL,
        function=symbol,
        start=start,
        saved_low=saved_registers_low(loaded.layout, start),
        result=signature.result,
        result_certain=signature.result is not None and not clone,
    )


def entry_state(ctx: Context) -> Any:
    """The state at the function's entry: arguments and registers as shared symbols,
    the return address a sentinel, the stack at its fixed place."""
    project = ctx.project
    state = project.factory.blank_state(
        addr=ctx.start,
        add_options={
            angr.options.SYMBOL_FILL_UNCONSTRAINED_REGISTERS,
            angr.options.SYMBOL_FILL_UNCONSTRAINED_MEMORY,
        },
        remove_options=angr.options.refs,
    )
    state.memory.__class__ = engine.RoutedMemory
    state.register_plugin(PLUGIN, Track(ctx))
    for i, reg in enumerate(ARG_REGS):
        setattr(state.regs, reg, claripy.BVS(f"arg{i}", 64, explicit_name=True))
    for reg in GPRS:
        if reg not in ARG_REGS:
            setattr(state.regs, reg, claripy.BVS(f"init.{reg}", 64, explicit_name=True))
    state.regs.rsp = STACK_TOP - 8
    state.memory.store(STACK_TOP - 8, claripy.BVV(RET_SENTINEL, 64), endness=LE)
    state.regs.gs = claripy.BVS("gs", 64, explicit_name=True)
    state.regs.fs = claripy.BVS("fs", 64, explicit_name=True)
    return state


# --------------------------------------------------------------------- recording


def _end_event(state: Any, ctx: Context, kind: str) -> Event:
    track = track_of(state)
    args: tuple[Arg, ...] = ()
    if kind == "return":
        rax = state.regs.rax
        result = ctx.result
        if result is None:
            args = (Arg(normalise(rax, ctx), certain=False),)
        elif not result.void:
            width = 8 if result.boolean else result.width
            value = engine.cut(rax, CType(width)) if width < 64 else rax
            args = (Arg(normalise(value, ctx), certain=ctx.result_certain),)
    return Event(
        kind,
        kind,
        args,
        len(track.epochs) - 1,
        len(track.epochs[-1].writes),
        (),
        tuple(state.solver.constraints),
        len(track.reads),
        state.addr if isinstance(state.addr, int) else 0,
        None,
        False,
    )


def finish(state: Any, ctx: Context, end: str, reason: str = "", head: int = -1) -> PathRecord:
    """The record of a finished path, with every expression normalised."""
    track = track_of(state)
    events = list(track.events)
    if end in ("return", "head"):
        events.append(_end_event(state, ctx, end))
    elif end == "cut":
        events.append(_end_event(state, ctx, "cut"))
    memo: dict[int, Any] = {}

    def norm(expr: Any) -> Any:
        if expr is None or isinstance(expr, int):
            return expr
        key = expr.hash()
        found = memo.get(key)
        if found is None:
            found = normalise(expr, ctx)
            memo[key] = found
        return found

    head_state: dict[str, Any] | None = None
    if end == "head":
        rsp = state.solver.eval(state.regs.rsp)
        raw: dict[str, Any] = {reg: getattr(state.regs, reg) for reg in GPRS}
        for a in range(rsp - 128, STACK_TOP - 8, 8):
            raw[f"stk{a:x}"] = state.memory.load(a, 8, endness=LE)
        if state.addr in ctx.live_flags:
            raw["flags"] = engine.status_flags(state)
        normed = {name: norm(value) for name, value in raw.items()}
        head_state = {"rsp": rsp, "escaped": track.escaped_min, "raw": raw, "norm": normed}
        last = events[-1]
        regs = tuple((name, v) for name, v in normed.items() if not name.startswith("stk"))
        # (the flags, when live at the head, are compared with the registers)
        chunks = tuple(
            (int(name[3:], 16), v) for name, v in normed.items() if name.startswith("stk")
        )
        events[-1] = Event(
            "head",
            f"loop head {head}",
            (),
            last.epoch,
            last.nwrites,
            chunks,
            last.constraints,
            last.nreads,
            last.where,
            None,
            False,
            regs,
        )
    events = [
        Event(
            e.kind,
            e.name,
            tuple(Arg(norm(a.value), a.certain) for a in e.args),
            e.epoch,
            e.nwrites,
            tuple((addr, norm(v)) for addr, v in e.stack),
            tuple(norm(c) for c in e.constraints),
            e.nreads,
            e.where,
            norm(e.result),
            e.side_effect,
            tuple((r, norm(v)) for r, v in e.regs),
        )
        for e in events
    ]
    epochs = [
        Epoch(ep.key, [Write(norm(w.addr), norm(w.value), w.size) for w in ep.writes], ep.digest)
        for ep in track.epochs
    ]
    reads = [Read(r.symbol, norm(r.addr), r.size, r.epoch, r.nwrites) for r in track.reads]
    kind = end if end in ("return", "bug", "noreturn", "head", "cut") else "cut"
    record = PathRecord(events, epochs, reads, kind, reason, ctx.start_key or "entry", head)  # type: ignore[arg-type]
    record.head_state = head_state
    final = events[-1].constraints if events else ()
    record.facts = frozenset(c.hash() for c in final)
    record.negated = frozenset(claripy.Not(c).hash() for c in final)
    record.fingerprint = _fingerprint(record)
    return record


def _h(expr: Any) -> int:
    return 0 if expr is None else expr if isinstance(expr, int) else int(expr.hash())


def _fingerprint(record: PathRecord) -> tuple[object, ...]:
    """Equal for two paths that are the same expressions throughout (a pair of such
    paths agrees without asking the solver: every symbol is named by what defines it)."""
    parts: list[object] = [record.end]
    for e in record.events:
        parts.append(
            (e.kind, e.name, e.epoch, e.nwrites, e.nreads, len(e.constraints), e.side_effect)
        )
        parts.append(tuple((_h(a.value), a.certain) for a in e.args))
        parts.append(tuple((addr, _h(v)) for addr, v in e.stack))
        parts.append(tuple((r, _h(v)) for r, v in e.regs))
        parts.append(_h(e.result))
    if record.events:
        parts.append(tuple(sorted(_h(c) for c in record.events[-1].constraints)))
    for ep in record.epochs:
        parts.append((ep.key, tuple((_h(w.addr), _h(w.value), w.size) for w in ep.writes)))
    parts.append(
        tuple((_h(r.symbol), _h(r.addr), r.size, r.epoch, r.nwrites) for r in record.reads)
    )
    return tuple(parts)


# --------------------------------------------------------------------- the driver

CONCRETE_LOOP_LIMIT = 4096


def _where(ctx: Context, addr: int) -> str:
    region = ctx.layout.region_of(addr)
    if region is not None and region.kind == "function":
        return f"{region.name}+{addr - region.start:#x}"
    return hex(addr)


def _count_visit(track: Track, key: tuple[int, int], unroll: int) -> str:
    """Count a visit of a block in one call of a function. A repeat without a fork since
    the last visit is a loop with a concrete count (it costs steps, not paths): only
    an absurd number of those cuts the path. Otherwise at most ``unroll`` repeats."""
    last = track.visit_forks.get(key)
    track.visit_forks[key] = track.forks
    if last is not None and last == track.forks:
        track.concrete_repeats += 1
        if track.concrete_repeats > CONCRETE_LOOP_LIMIT:
            return "loop at {where} ran more than " + f"{CONCRETE_LOOP_LIMIT} times"
        return ""
    track.visits[key] = track.visits.get(key, 0) + 1
    if track.visits[key] > unroll + 1:
        return f"loop at {{where}} unrolled {unroll} times"
    return ""


def _known_code(ctx: Context, addr: int) -> bool:
    if addr in (RET_SENTINEL, TERM_SENTINEL) or ctx.project.is_hooked(addr):
        return True
    region = ctx.layout.region_of(addr)
    return region is not None and region.executable


def _indirect_call(state: Any, ctx: Context) -> Any:
    """A ``call *reg`` to an unknown target: an event ``(*indirect)``, then back."""
    track = track_of(state)
    target = state.regs.ip
    args = (Arg(normalise(target, ctx)), *track.call_args(Signature(None, None)))
    name = f"r:*@{track.count_key()}:{engine.digest([a.value for a in args])}"
    result = claripy.BVS(name, 64, explicit_name=True)
    ret = state.memory.load(state.regs.rsp, 8, endness=LE)
    track.record("call", "(*indirect)", args, engine.concrete_or_zero(ret), result=result)
    state.regs.rsp = state.regs.rsp + 8
    state.regs.rax = result
    state.regs.ip = ret
    state.history.jumpkind = "Ijk_Boring"
    return state


@dataclass
class Limits:
    """The budget of one exploration."""

    deadline: float
    max_paths: int
    unroll: int


def explore(
    ctx: Context,
    start: Any,
    limits: Limits,
    stop_at: dict[int, int] | None = None,
) -> Exploration:
    """All paths from ``start``; ``stop_at`` maps loop-head addresses to head numbers
    (paths end there, in the function's own frame, after at least one step)."""
    began = time.perf_counter()
    out = Exploration(symbol=ctx.function)
    work: list[Any] = [start]
    project = ctx.project
    stop_at = stop_at or {}
    while work:
        if time.perf_counter() > limits.deadline:
            out.out_of_budget = "time budget"
            break
        if len(out.paths) + len(work) > limits.max_paths:
            out.out_of_budget = f"path budget ({limits.max_paths} paths per version)"
            break
        state = work.pop()
        track = track_of(state)
        addr = state.addr
        if addr == RET_SENTINEL:
            out.paths.append(finish(state, ctx, "return"))
            continue
        if addr == TERM_SENTINEL:
            out.paths.append(finish(state, ctx, track.end or "bug", track.reason))
            continue
        frame = track.frames[-1] if track.frames else -1
        if len(track.frames) == 1 and addr in stop_at and track.steps > 0:
            out.paths.append(finish(state, ctx, "head", head=stop_at[addr]))
            continue
        key = (frame, addr)
        why = _count_visit(track, key, limits.unroll)
        if why:
            out.paths.append(finish(state, ctx, "cut", why.format(where=_where(ctx, addr))))
            continue
        if len(track.frames) > MAX_DEPTH:
            out.paths.append(finish(state, ctx, "cut", "calls nested too deep"))
            continue
        track.steps += 1
        out.steps += 1
        try:
            successors = project.factory.successors(state)
        except Unsupported as exc:
            out.paths.append(finish(state, ctx, "cut", f"unsupported: {exc}"))
            continue
        except Exception as exc:  # angr reports what it cannot step in many ways
            if not engine.is_sim_error(exc) and not isinstance(exc, (KeyError, ValueError)):
                raise
            out.paths.append(finish(state, ctx, "cut", f"angr: {type(exc).__name__}: {exc}"[:200]))
            continue
        children = list(successors.flat_successors)
        for child in successors.unconstrained_successors:
            if child.history.jumpkind == "Ijk_Call":
                children.append(_indirect_call(child, ctx))
            else:
                out.paths.append(finish(child, ctx, "cut", "a jump to a computed address"))
        if len(children) > 1:
            for child in children:
                track_of(child).forks += 1
        for child in reversed(children):
            jumpkind = child.history.jumpkind
            ctrack = track_of(child)
            if jumpkind == "Ijk_Call":
                ctrack.frames.append(ctrack.next_frame)
                ctrack.next_frame += 1
            elif jumpkind == "Ijk_Ret" and ctrack.frames:
                ctrack.frames.pop()
            elif jumpkind not in ("Ijk_Boring", "Ijk_NoHook", "Ijk_Exit"):
                out.paths.append(finish(child, ctx, "cut", f"unsupported control flow {jumpkind}"))
                continue
            if not isinstance(child.addr, int) or not _known_code(ctx, child.addr):
                out.paths.append(finish(child, ctx, "cut", "a jump to a computed address"))
                continue
            work.append(child)
    for state in work:
        out.paths.append(finish(state, ctx, "cut", out.out_of_budget))
    out.seconds = time.perf_counter() - began
    return out
