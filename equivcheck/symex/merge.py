"""Merging paths where they join, so cost follows code size rather than path count.

Two states at the same place (same frames, blocks and statement positions) whose
effect sequences agree in shape (the same events, by kind and name, in the same order)
become one state: the condition is the disjunction, and every value, array, event
argument, footprint key and snapshot that differs becomes ``If(pc1, a, b)``. The
conditions are disjoint (they come from different branches), so the merged state means
exactly "the first state on the first condition, the second on the second".

What is not merged stays separate: states with different effect sequences, different
escaped locals or different ``zeroed`` structs. A slot written on one side only is
merged with the value the other side would read for it (a parameter's initial value,
zero in a zeroed struct, an exported local's carried-in value); a local slot with no
such value is dropped, so a later read of it is reported as uninitialised (never
silently given a value).
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from equivcheck.symex.state import (
    Event,
    FootPart,
    Frame,
    Kept,
    PathState,
    Shared,
    Snapshot,
    current_array,
)
from equivcheck.symex.values import SymVal, ite


def position(state: PathState) -> tuple[tuple[int, int, int], ...]:
    """Where a state is: for each frame, its graph, block and statement."""
    return tuple((id(f.graph), f.block, f.stmt) for f in state.frames)


def mergeable(a: PathState, b: PathState) -> bool:
    """Whether two states at the same position can become one."""
    if position(a) != position(b) or a.world != b.world or a.shared.epoch != b.shared.epoch:
        return False
    if len(a.trace) != len(b.trace) or a.escapes != b.escapes:
        return False
    if not kept_compatible(a.shared.kept, b.shared.kept):
        return False
    for x, y in zip(a.trace, b.trace, strict=True):
        if (x.kind, x.name, len(x.args), x.ordering, x.modelled) != (
            y.kind,
            y.name,
            len(y.args),
            y.ordering,
            y.modelled,
        ):
            return False
        if (x.reads is None) != (y.reads is None) or (x.writes is None) != (y.writes is None):
            return False
        if x.reads is not None and y.reads is not None and len(x.reads) != len(y.reads):
            return False
        if x.writes is not None and y.writes is not None and len(x.writes) != len(y.writes):
            return False
        if (x.snapshot is None) != (y.snapshot is None):
            return False
        if (
            x.snapshot is not None
            and y.snapshot is not None
            and not kept_compatible(x.snapshot.kept, y.snapshot.kept)
        ):
            return False
    for fa, fb in zip(a.frames, b.frames, strict=True):
        if fa.escaped != fb.escaped or fa.zeroed != fb.zeroed:
            return False
        if fa.ret_target != fb.ret_target:
            return False
    return True


def merge(a: PathState, b: PathState) -> PathState:
    """One state standing for both (``mergeable(a, b)`` must hold)."""
    cond = z3.And(*a.pc) if a.pc else z3.BoolVal(True)
    other = z3.And(*b.pc) if b.pc else z3.BoolVal(True)

    def pick(x: SymVal, y: SymVal) -> SymVal:
        return x if x.term.eq(y.term) and x.ty == y.ty else ite(cond, x, y)

    frames = [
        _merge_frame(fa, fb, pick, depth == 0)
        for depth, (fa, fb) in enumerate(zip(a.frames, b.frames, strict=True))
    ]
    shared = _merge_shared(a.shared, b.shared, cond, pick)
    trace = [_merge_event(x, y, cond, pick) for x, y in zip(a.trace, b.trace, strict=True)]
    notes = a.notes + [n for n in b.notes if n not in a.notes]
    return PathState(
        [z3.Or(cond, other)],
        frames,
        shared,
        trace,
        a.world,
        notes,
        _union(a.inputs, b.inputs),
        _union(a.calls, b.calls),
        a.outer_written | b.outer_written,
        a.escapes,
        lines=_merge_lines(a.lines, b.lines),
        aliases={**a.aliases, **b.aliases},
        inner={**a.inner, **b.inner},
        wide=a.wide + [w for w in b.wide if not any(w.eq(x) for x in a.wide)],
        struct_terms={**a.struct_terms, **b.struct_terms},
        auto_types={**b.auto_types, **a.auto_types},
        # (a model of a's condition is one of the merged condition, once checked)
        witness=a.witness or b.witness,
        witnessed=0,
        fields=a.fields | b.fields,
        places=_union(a.places, b.places),
    )


def _merge_lines(
    a: dict[tuple[str, int], z3.BoolRef], b: dict[tuple[str, int], z3.BoolRef]
) -> dict[tuple[str, int], z3.BoolRef]:
    out = dict(a)
    for key, guard in b.items():
        out[key] = guard if key not in out or out[key].eq(guard) else z3.Or(out[key], guard)
    return out


def _union[T](xs: list[T], ys: list[T]) -> list[T]:
    out = list(xs)
    for item in ys:
        if item not in out:
            out.append(item)
    return out


def _merge_slots(
    xs: dict[tuple[int, str], SymVal],
    ys: dict[tuple[int, str], SymVal],
    pick: Callable[[SymVal, SymVal], SymVal],
    initial: Callable[[tuple[int, str]], SymVal | None],
) -> dict[tuple[int, str], SymVal]:
    out: dict[tuple[int, str], SymVal] = {}
    for key in xs.keys() | ys.keys():
        x = xs[key] if key in xs else initial(key)
        y = ys[key] if key in ys else initial(key)
        if x is not None and y is not None:
            out[key] = pick(x, y)
    return out


def _merge_frame(a: Frame, b: Frame, pick: Callable[[SymVal, SymVal], SymVal], top: bool) -> Frame:
    visits = dict(a.visits)
    for block, count in b.visits.items():
        visits[block] = max(visits.get(block, 0), count)
    return Frame(
        a.graph,
        a.block,
        a.stmt,
        _merge_slots(a.locals, b.locals, pick, lambda key: a.initial_local(key, top)),
        _merge_slots(a.params, b.params, pick, a.initial_param),
        set(a.zeroed),
        a.ret_target,
        visits,
        dict(a.escaped),
        a.name,
        {},
        a.carried,
    )


def _merge_arrays(
    a: dict[str, z3.ArrayRef],
    b: dict[str, z3.ArrayRef],
    epoch: str,
    cond: z3.BoolRef,
    kept: tuple[Kept | None, Kept | None] = (None, None),
) -> dict[str, z3.ArrayRef]:
    """Arrays of two states of one epoch (``kept``: what began it on each side)."""
    out: dict[str, z3.ArrayRef] = {}
    for name in set(a) | set(b):
        like = a[name] if name in a else b[name]
        left = current_array(a, name, epoch, like, kept[0])
        right = current_array(b, name, epoch, like, kept[1])
        out[name] = left if left.eq(right) else z3.If(cond, left, right)
    return out


def kept_compatible(a: Kept | None, b: Kept | None) -> bool:
    """Whether two chains of spared objects can become one: the same havocs, sparing
    the same objects (their contents may differ)."""
    while a is not b:
        if a is None or b is None or a.epoch != b.epoch or len(a.objects) != len(b.objects):
            return False
        for x, y in zip(a.objects, b.objects, strict=True):
            if x[1:] != y[1:] or not x.address.eq(y.address):
                return False
        a, b = a.previous, b.previous
    return True


def _merge_kept(a: Kept | None, b: Kept | None, cond: z3.BoolRef) -> Kept | None:
    """One chain standing for two compatible ones: ``If(cond, a, b)`` per array."""
    if a is b or a is None or b is None:
        return a
    previous = _merge_kept(a.previous, b.previous, cond)
    arrays = {}
    for name in set(a.arrays) | set(b.arrays):
        sort = (a.arrays[name] if name in a.arrays else b.arrays[name]).sort()
        left, right = a.before(name, sort), b.before(name, sort)
        arrays[name] = left if left.eq(right) else z3.If(cond, left, right)
    return Kept(a.epoch, arrays, previous, a.objects)


def _merge_globals(
    a: Shared,
    b: Shared,
    globals_a: dict[str, SymVal],
    globals_b: dict[str, SymVal],
    pick: Callable[[SymVal, SymVal], SymVal],
) -> dict[str, SymVal]:
    out: dict[str, SymVal] = {}
    for name in set(globals_a) | set(globals_b):
        left = globals_a.get(name) or a.initial_global(name)
        right = globals_b.get(name) or b.initial_global(name)
        out[name] = pick(left, right)
    return out


def _merge_shared(
    a: Shared, b: Shared, cond: z3.BoolRef, pick: Callable[[SymVal, SymVal], SymVal]
) -> Shared:
    depth = dict(a.depth)
    depth.update(b.depth)
    return Shared(
        _merge_arrays(a.arrays, b.arrays, a.epoch, cond, (a.kept, b.kept)),
        _merge_globals(a, b, a.globals, b.globals, pick),
        a.epoch,
        depth,
        a.outer,
        a.outer_types,
        _merge_kept(a.kept, b.kept, cond),
    )


def _merge_parts(
    xs: tuple[FootPart, ...] | None, ys: tuple[FootPart, ...] | None, cond: z3.BoolRef
) -> tuple[FootPart, ...] | None:
    if xs is None or ys is None:
        return None
    out = []
    for p, q in zip(xs, ys, strict=True):
        if p.component != q.component or len(p.key) != len(q.key):
            # Different parts on the two sides: the event touches either.
            return (*xs, *ys)
        key = tuple(k if k.eq(m) else z3.If(cond, k, m) for k, m in zip(p.key, q.key, strict=True))
        text = p.text if p.text == q.text else f"{p.text} or {q.text}".strip()
        out.append(FootPart(p.component, key, text))
    return tuple(out)


def _merge_event(
    x: Event, y: Event, cond: z3.BoolRef, pick: Callable[[SymVal, SymVal], SymVal]
) -> Event:
    snapshot = None
    if x.snapshot is not None and y.snapshot is not None:
        sa, sb = x.snapshot, y.snapshot
        snapshot = Snapshot(
            _merge_arrays(sa.arrays, sb.arrays, sa.epoch, cond, (sa.kept, sb.kept)),
            _merge_globals(sa.as_shared(), sb.as_shared(), sa.globals, sb.globals, pick),
            sa.epoch,
            sa.outer,
            sa.outer_types,
            _merge_kept(sa.kept, sb.kept, cond),
        )
    return Event(
        x.kind,
        x.name,
        tuple(pick(p, q) for p, q in zip(x.args, y.args, strict=True)),
        _merge_parts(x.reads, y.reads, cond),
        _merge_parts(x.writes, y.writes, cond),
        x.loc,
        x.ordering,
        snapshot,
        x.modelled,
        x.additive & y.additive,
    )
