"""Compare the paths of two compiled versions with z3.

Both versions start from the same inputs: the arguments, the registers, memory (a z3
array ``M:0`` from bytes to bytes), static keys, and what external calls return (the
same symbol for the same name, arguments and place in the trace; where the arguments
differ only in form, an implication ties equal arguments to equal results). Memory
between two side-effecting events is an epoch: the function's writes on top of an
array everyone may have changed (``M:k`` after the k-th side-effecting event, shared by
both versions). A read is defined by the array it reads.

Each pair of paths (one per version) whose conditions can hold together must show the
same events: the same external calls with equal arguments, the same ordering points and
WARNs, equal memory at every event, equal stack bytes a callee can reach, and the same
end (returned value and final memory, or BUG, or a call that does not return). Calls of
read and effect models (``models/table.py``) carry the model's footprint, keyed by the
call's arguments: they see neither memory nor the stack, and two adjacent ones may run
in either order under the source engine's rule (``models/commute.py``: disjoint
footprints, neither an ordering point, none between); every reordering accepted is
named. The first event where
a pair can differ is the divergence. A divergence is then checked again with called
functions leaving memory alone: if it disappears it depends on what a callee does and
the result is inconclusive, not a disagreement. A difference only in values the
prototypes did not pin down (arguments of a call without a prototype, escaped stack
bytes whose layout differs) is inconclusive too.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import z3

from equivcheck.binary.records import Event, Exploration, PathRecord
from equivcheck.binary.smt import Term, Translator, Untranslatable
from equivcheck.models.commute import OK, Footprint, disjoint_reason, may_swap
from equivcheck.models.table import MODELS
from equivcheck.symex.calls import additive_components
from equivcheck.symex.solver import new_solver
from equivcheck.symex.spec import Part
from equivcheck.symex.state import FootPart

FOOTPRINTED = frozenset(m.name for m in MODELS.values() if m.kind in ("read", "effect"))
"""Calls that carry their model's footprint: events that touch only it (no new epoch)."""

ADDR = z3.BitVecSort(64)
BYTE = z3.BitVecSort(8)


@dataclass
class Item:
    """One compared component of an event: both versions' terms and whether a
    difference in it would be a real one (``certain``)."""

    label: str
    left: Term
    right: Term
    certain: bool = True


@dataclass
class Divergence:
    """Where a pair of paths first differs and what a model of the inputs says."""

    index: int
    why: str
    certain: bool
    path_a: PathRecord
    path_b: PathRecord
    model: Any = None
    items: list[str] = field(default_factory=list)
    callee_dependent: bool = False
    notes: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))
    events: tuple[Event, Event] | None = None


@dataclass
class Comparison:
    """The outcome over all pairs: ``agree``, ``disagree`` (with a divergence) or
    ``inconclusive`` with the reason."""

    outcome: str
    reason: str = ""
    divergence: Divergence | None = None
    pairs: int = 0
    seconds: float = 0.0
    reorderings: list[str] = field(default_factory=list)


def movable(event: Event) -> bool:
    """A call of a read or effect model: it may swap with its neighbours of the same
    kind (the rest stay in order)."""
    return event.kind == "call" and not event.side_effect


def _segments(events: list[Event]) -> list[tuple[list[Event], Event]]:
    """Events grouped as (modelled calls before it, a side-effecting or final event)."""
    out: list[tuple[list[Event], Event]] = []
    bag: list[Event] = []
    for event in events:
        if event.kind == "pure":
            continue
        if movable(event):
            bag.append(event)
            continue
        out.append((bag, event))
        bag = []
    if bag:
        out.append((bag, Event("end", "end", (), 0, 0, (), (), 0, 0)))
    return out


class Encoder:
    """z3 terms of one pair of paths (memory arrays, read definitions, equalities)."""

    def __init__(self, tr: Translator, havoc: bool = True) -> None:
        self.tr = tr
        self.havoc = havoc
        self.memo: dict[tuple[int, int, int], Term] = {}

    def base(self, path: PathRecord, epoch: int) -> Term:
        """The memory at the start of ``epoch``: shared, or (without havoc) what the
        previous epoch left."""
        if epoch == 0 or self.havoc:
            return z3.Array(f"M:{path.epochs[epoch].key}", ADDR, BYTE)
        prev = path.epochs[epoch - 1]
        return self.memory(path, epoch - 1, len(prev.writes))

    def memory(self, path: PathRecord, epoch: int, nwrites: int) -> Term:
        """Memory in ``epoch`` after its first ``nwrites`` writes."""
        key = (id(path), epoch, nwrites)
        found = self.memo.get(key)
        if found is not None:
            return found
        mem = self.base(path, epoch) if nwrites == 0 else self.memory(path, epoch, nwrites - 1)
        if nwrites:
            write = path.epochs[epoch].writes[nwrites - 1]
            addr, value = self.tr(write.addr), self.tr(write.value)
            for i in range(write.size):
                mem = z3.Store(mem, addr + i, z3.Extract(8 * i + 7, 8 * i, value))
        self.memo[key] = mem
        return mem

    @staticmethod
    def load(mem: Term, addr: Term, size: int) -> Term:
        parts = [z3.Select(mem, addr + i) for i in reversed(range(size))]
        return parts[0] if size == 1 else z3.Concat(*parts)

    def reads(self, path: PathRecord, upto: int | None = None) -> list[Term]:
        """Definitions of the path's reads (the first ``upto`` of them)."""
        out = []
        for read in path.reads[: upto if upto is not None else len(path.reads)]:
            mem = self.memory(path, read.epoch, read.nwrites)
            out.append(self.tr(read.symbol) == self.load(mem, self.tr(read.addr), read.size))
        return out

    def items(self, a: Event, pa: PathRecord, b: Event, pb: PathRecord) -> list[Item]:
        """The components of two events of the same name that must be equal."""
        out: list[Item] = []
        for i, (x, y) in enumerate(zip(a.args, b.args, strict=True)):
            tx, ty = self.tr(x.value), self.tr(y.value)
            label = "returned value" if a.kind == "return" else f"argument {i + 1}"
            if tx.size() != ty.size():
                out.append(Item(label, z3.BitVecVal(0, 1), z3.BitVecVal(1, 1), False))
            else:
                out.append(Item(label, tx, ty, x.certain and y.certain))
        if movable(a):
            return out  # a modelled call sees its footprint only (its arguments say which)
        if a.kind not in ("cut",):
            ma = self.memory(pa, a.epoch, a.nwrites)
            mb = self.memory(pb, b.epoch, b.nwrites)
            out.append(Item("memory", ma, mb))
        sa, sb = dict(a.stack), dict(b.stack)
        for addr in sorted(set(sa) | set(sb)):
            if addr in sa and addr in sb:
                out.append(Item(f"stack {addr:#x}", self.tr(sa[addr]), self.tr(sb[addr]), False))
            else:
                out.append(Item("escaped stack", z3.BitVecVal(0, 1), z3.BitVecVal(1, 1), False))
        ra, rb = dict(a.regs), dict(b.regs)
        for reg in sorted(set(ra) & set(rb)):
            out.append(Item(f"register {reg}", self.tr(ra[reg]), self.tr(rb[reg]), False))
        return out


def _equal(items: Iterable[Item]) -> Term:
    return z3.And(*[it.left == it.right for it in items]) if items else z3.BoolVal(True)


def _result_ties(
    pa: PathRecord, pb: PathRecord, tr: Translator, upto: tuple[int, int]
) -> list[Term]:
    """Equal arguments give equal results: calls of one name at one place in the trace
    whose arguments are written differently."""
    groups: dict[str, list[Event]] = {}
    for path, limit in ((pa, upto[0]), (pb, upto[1])):
        for event in path.events[:limit]:
            if event.result is None or event.result.op != "BVS":
                continue
            name: str = event.result.args[0]
            groups.setdefault(name.rsplit(":", 1)[0], []).append(event)
    out: list[Term] = []
    for events in groups.values():
        for i, x in enumerate(events):
            for y in events[i + 1 :]:
                if x.result is None or y.result is None:
                    continue
                if x.result.args[0] == y.result.args[0] or len(x.args) != len(y.args):
                    continue
                same = []
                for u, v in zip(x.args, y.args, strict=True):
                    tu, tv = tr(u.value), tr(v.value)
                    if tu.size() != tv.size():
                        break
                    same.append(tu == tv)
                else:
                    rx, ry = tr(x.result), tr(y.result)
                    if rx.size() == ry.size():
                        out.append(z3.Implies(z3.And(*same), rx == ry))
    return out


class _Shared:
    """Terms that do not depend on the pair (memory and read definitions per path)."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr
        self.encoder = Encoder(tr, havoc=True)
        self.defs: dict[int, list[Term]] = {}
        self.conds: dict[int, list[Term]] = {}

    def reads(self, path: PathRecord) -> list[Term]:
        found = self.defs.get(id(path))
        if found is None:
            found = self.defs[id(path)] = self.encoder.reads(path)
        return found

    def condition(self, path: PathRecord) -> list[Term]:
        found = self.conds.get(id(path))
        if found is None:
            found = self.conds[id(path)] = [self.tr(c) for c in _final_constraints(path)]
        return found


class _Pair:
    """One pair of paths and its incremental search for the first difference."""

    def __init__(self, pa: PathRecord, pb: PathRecord, shared: _Shared, timeout_ms: int) -> None:
        self.pa, self.pb, self.tr = pa, pb, shared.tr
        self.shared = shared
        self.timeout_ms = timeout_ms
        self.aligned: list[list[tuple[Event, Event]]] = []
        self.checked: list[tuple[Event, Event]] = []
        self.reorderings: list[str] = []

    def _solver(self) -> Any:
        return new_solver(self.timeout_ms)

    def search(self) -> Divergence | str | None:
        """The first divergence of the pair, None when they agree, or a reason string
        when the solver could not decide."""
        shared = self.shared
        enc = shared.encoder
        solver = self._solver()
        solver.add(*shared.condition(self.pa), *shared.condition(self.pb))
        solver.add(*shared.reads(self.pa), *shared.reads(self.pb))
        solver.add(
            *_result_ties(self.pa, self.pb, self.tr, (len(self.pa.events), len(self.pb.events)))
        )
        verdict = solver.check()
        if verdict == z3.unsat:
            return None
        if verdict != z3.sat:
            return "solver timeout pairing paths"
        seg_a, seg_b = _segments(self.pa.events), _segments(self.pb.events)
        index = 0
        for (bag_a, ea), (bag_b, eb) in zip(seg_a, seg_b, strict=False):
            pairs = self._align(
                solver, (bag_a, ea), (bag_b, eb), seg_a[index + 1 :], seg_b[index + 1 :]
            )
            if isinstance(pairs, tuple):
                why, x, y = pairs
                return self._diverge(solver, index, why, True, [], enc, at=(x, y))
            pairs.append((ea, eb))
            self.aligned.append(pairs)
            for x, y in pairs:
                if (x.kind, x.name) != (y.kind, y.name) or len(x.args) != len(y.args):
                    why = f"before {_action(x)}, after {_action(y)}"
                    return self._diverge(solver, index, why, True, [], enc)
                items = enc.items(x, self.pa, y, self.pb)
                differ = z3.Not(_equal(items))
                solver.push()
                solver.add(differ)
                verdict = solver.check()
                if verdict == z3.sat:
                    model = solver.model()
                    bad = [it for it in items if z3.is_false(model.eval(it.left == it.right, True))]
                    solver.pop()
                    certain = any(it.certain for it in bad)
                    notes: tuple[list[str], list[str]] = ([], [])
                    labels = []
                    for it in bad[:4]:
                        if it.label == "memory":
                            where, va, vb = self._memory_witness(model, x, y)
                            labels.append(f"memory at {where} ({va} against {vb})")
                            notes[0].append(f"memory at {where} = {va}")
                            notes[1].append(f"memory at {where} = {vb}")
                        else:
                            labels.append(it.label)
                    why = f"at {_ordinal(x, self.pa)}{_brief(x)}: " + ", ".join(labels)
                    found = self._diverge(solver, index, why, certain, bad, enc, model, (x, y))
                    found.notes = notes
                    return found
                solver.pop()
                if verdict != z3.unsat:
                    return f"solver timeout comparing {x.name}"
                solver.add(_equal(items))
                self.checked.append((x, y))
            index += 1
        if len(seg_a) != len(seg_b):
            shorter = seg_a if len(seg_a) < len(seg_b) else seg_b
            last = _action(shorter[-1][1]) if shorter else "starts"
            why = f"one version goes on where the other {last}"
            return self._diverge(solver, index, why, True, [], enc)
        return None

    def _align(
        self,
        solver: Any,
        seg_a: tuple[list[Event], Event],
        seg_b: tuple[list[Event], Event],
        rest_a: list[tuple[list[Event], Event]],
        rest_b: list[tuple[list[Event], Event]],
    ) -> list[tuple[Event, Event]] | tuple[str, Event, Event]:
        """Pair the modelled calls of two stretches (each ends at a fixed event): each
        call of the before stretch with the first call of the same name in the after one
        whose arguments must be equal (else the first of that name), every after call it
        passes commuting with it (``models/commute.py``). The pairs in before order, or
        why the stretches differ and the event of each where they do."""
        (bag_a, end_a), (bag_b, end_b) = seg_a, seg_b
        remaining = list(bag_b)
        pairs: list[tuple[Event, Event]] = []
        for x in bag_a:
            candidates = [
                j
                for j, y in enumerate(remaining)
                if y.name == x.name and len(y.args) == len(x.args)
            ]
            if not candidates:
                what = remaining[0] if remaining else end_b
                why = f"before {_action(x)}, after {_action(what)}"
                stop = _stops_moves(end_b)
                if not remaining and stop and _later(x.name, rest_b):
                    why += f" ({x.name}() and {_brief(end_b)}() run in the other order: {stop})"
                return why, x, what
            index = next((j for j in candidates if self._same_args(solver, x, remaining[j])), None)
            j = candidates[0] if index is None else index
            y = remaining[j]
            for blocker in remaining[:j]:
                verdict = may_swap(
                    _footprint(blocker, self.tr),
                    _footprint(y, self.tr),
                    lambda cond: self._possible(solver, cond),
                )
                if verdict != OK:
                    why = f"{y.name}() and {blocker.name}() run in the other order ({verdict})"
                    return why, x, blocker
                self.reorderings.append(
                    f"{blocker.name}() and {y.name}(): "
                    + disjoint_reason(
                        y.name, _footprint_text(y.name), blocker.name, _footprint_text(blocker.name)
                    )
                )
            pairs.append((x, y))
            del remaining[j]
        if remaining:
            extra = remaining[0]
            why = f"before {_action(end_a)}, after {_action(extra)}"
            stop = _stops_moves(end_a)
            if stop and _later(extra.name, rest_a):
                why += f" ({_brief(end_a)}() and {extra.name}() run in the other order: {stop})"
            return why, end_a, extra
        return pairs

    def _same_args(self, solver: Any, x: Event, y: Event) -> bool:
        """Whether the arguments of two calls must be equal (on this pair so far)."""
        differ = [
            self.tr(a.value) != self.tr(b.value)
            for a, b in zip(x.args, y.args, strict=True)
            if self.tr(a.value).size() == self.tr(b.value).size()
        ]
        if len(differ) != len(x.args):
            return False
        if not differ:
            return True
        return not self._possible(solver, z3.Or(*differ))

    @staticmethod
    def _possible(solver: Any, cond: Any) -> bool:
        """Whether ``cond`` may hold with what ``solver`` holds (undecided: yes)."""
        solver.push()
        solver.add(cond)
        verdict = solver.check()
        solver.pop()
        return bool(verdict != z3.unsat)

    def _memory_witness(self, model: Any, x: Event, y: Event) -> tuple[str, str, str]:
        """Where the two memories differ (from the addresses either version wrote) and
        the byte each version has there."""
        enc = self.shared.encoder
        ma = enc.memory(self.pa, x.epoch, x.nwrites)
        mb = enc.memory(self.pb, y.epoch, y.nwrites)
        for path in (self.pa, self.pb):
            for epoch in path.epochs:
                for write in epoch.writes:
                    base = self.tr(write.addr)
                    for i in range(write.size):
                        at = model.eval(base + i, True)
                        va = model.eval(z3.Select(ma, at), True)
                        vb = model.eval(z3.Select(mb, at), True)
                        if (
                            z3.is_bv_value(va)
                            and z3.is_bv_value(vb)
                            and va.as_long() != vb.as_long()
                        ):
                            where = show(write.addr) + (f"+{i}" if i else "")
                            return where, str(va.as_long()), str(vb.as_long())
        return "an address neither version wrote", "?", "?"

    def _diverge(
        self,
        solver: Any,
        index: int,
        why: str,
        certain: bool,
        bad: list[Item],
        enc: Encoder,
        model: Any = None,
        at: tuple[Event, Event] | None = None,
    ) -> Divergence:
        if model is None:
            solver.check()
            model = solver.model()
        out = Divergence(index, why, certain, self.pa, self.pb, model, [it.label for it in bad])
        out.events = at
        if certain:
            out.callee_dependent = not self._survives_without_havoc(index, bad, at)
        return out

    def _survives_without_havoc(
        self, index: int, bad: list[Item], at: tuple[Event, Event] | None
    ) -> bool:
        """Does the divergence remain when called functions leave memory alone? (``at``:
        the two events whose ``bad`` items differ, when it is such a difference)"""
        enc = Encoder(self.tr, havoc=False)
        seg_a, seg_b = _segments(self.pa.events), _segments(self.pb.events)
        earlier = [pair for pairs in self.aligned[:index] for pair in pairs]
        if at is not None:
            last_a, last_b = at
            earlier = self.checked
        elif index >= len(seg_a) or index >= len(seg_b):
            last_a = self.pa.events[-1]
            last_b = self.pb.events[-1]
        else:
            last_a, last_b = seg_a[index][1], seg_b[index][1]
        solver = self._solver()
        solver.add(*[self.tr(c) for c in last_a.constraints])
        solver.add(*[self.tr(c) for c in last_b.constraints])
        solver.add(*enc.reads(self.pa, last_a.nreads), *enc.reads(self.pb, last_b.nreads))
        ia, ib = self.pa.events.index(last_a), self.pb.events.index(last_b)
        solver.add(*_result_ties(self.pa, self.pb, self.tr, (ia + 1, ib + 1)))
        for x, y in earlier:
            solver.add(_equal(enc.items(x, self.pa, y, self.pb)))
        if bad and (at is not None or (index < len(seg_a) and index < len(seg_b))):
            items = enc.items(last_a, self.pa, last_b, self.pb)
            solver.add(z3.Not(_equal([it for it in items if it.certain])))
        return bool(solver.check() == z3.sat)


def _footprint(event: Event, tr: Translator) -> Footprint:
    """The model's footprint of a modelled call, keyed by its arguments' values."""
    model = MODELS[event.name]

    def part(spec: Part) -> FootPart:
        key = tuple(
            tr(event.args[i].value) if i < len(event.args) else z3.BitVecVal(0, 64)
            for i in spec.key
        )
        return FootPart(spec.component, key or (z3.BitVecVal(0, 64),), str(spec))

    return Footprint(
        tuple(part(p) for p in model.reads),
        tuple(part(p) for p in model.writes),
        additive=additive_components(model),
    )


def _footprint_text(name: str) -> str:
    model = MODELS[name]
    reads = ", ".join(str(p) for p in model.reads) or "nothing"
    writes = ", ".join(str(p) for p in model.writes) or "nothing"
    return f"reads {reads}; writes {writes}"


def _stops_moves(event: Event) -> str:
    """Why a modelled call may not move across ``event`` (a fixed event), if it is an
    ordering point or a call without a model."""
    if event.kind == "barrier":
        return "an ordering point cannot move"
    if event.kind == "warn":
        return "a WARN in the machine code stays in its place"
    if event.kind == "call":
        model = MODELS.get(event.name)
        if model is not None and model.kind == "ordering":
            return "an ordering point cannot move"
        return f"{event.name}() has no model: its footprint is everything"
    return ""


def _later(name: str, segments: list[tuple[list[Event], Event]]) -> bool:
    return any(e.name == name for bag, end in segments for e in (*bag, end))


def show(expr: Any) -> str:
    """A short text for a (normalised) claripy expression."""
    text = expr.shallow_repr(max_depth=6) if hasattr(expr, "shallow_repr") else str(expr)
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].split(" ", 1)[-1]
    return text if len(text) <= 80 else text[:77] + "..."


def _ordinal(event: Event, path: PathRecord) -> str:
    """``the 2nd call of NAME`` style position of an event in its path."""
    same = [e for e in path.events if (e.kind, e.name) == (event.kind, event.name)]
    if len(same) <= 1 or event.kind not in ("call", "barrier", "warn"):
        return ""
    n = next(i for i, e in enumerate(same, 1) if e is event)
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th")
    return f"the {n}{suffix} "


def _action(event: Event) -> str:
    """What a path does at an event, as a verb phrase."""
    return {
        "call": f"calls {event.name}()",
        "barrier": f"passes an ordering point ({event.name})",
        "warn": "warns (ud2 of a WARN)",
        "bug": "stops at a BUG (ud2)",
        "return": "returns",
        "head": f"reaches {event.name}",
        "end": "ends",
    }.get(event.kind, event.kind)


def _brief(event: Event) -> str:
    return event.name if event.kind in ("call", "barrier") else event.kind


def compare(
    a: Exploration,
    b: Exploration,
    tr: Translator,
    deadline: float,
    timeout_s: float,
) -> Comparison:
    """Compare every pair of paths of the two explorations."""
    began = time.perf_counter()
    remaining = max(0.5, deadline - time.perf_counter())
    timeout_ms = max(1, int(min(timeout_s, remaining) * 1000))
    undecided = ""
    callee_dependent: Divergence | None = None
    uncertain: Divergence | None = None
    pairs = 0
    shared = _Shared(tr)
    reorderings: list[str] = []
    try:
        for pa in a.paths:
            for pb in b.paths:
                if pa.excludes(pb):
                    continue
                pairs += 1
                if pa.fingerprint and pa.fingerprint == pb.fingerprint:
                    continue  # the same expressions throughout: nothing can differ
                if time.perf_counter() > deadline:
                    return Comparison("inconclusive", "time budget (comparing paths)", None, pairs)
                pair = _Pair(pa, pb, shared, timeout_ms)
                found = pair.search()
                if found is None:
                    reorderings.extend(r for r in pair.reorderings if r not in reorderings)
                    continue
                if isinstance(found, str):
                    undecided = undecided or found
                    continue
                if found.certain and not found.callee_dependent:
                    return Comparison(
                        "disagree", found.why, found, pairs, time.perf_counter() - began
                    )
                if found.certain:
                    callee_dependent = callee_dependent or found
                else:
                    uncertain = uncertain or found
    except Untranslatable as exc:
        return Comparison("inconclusive", f"cannot encode {exc}", None, pairs)
    seconds = time.perf_counter() - began
    if callee_dependent is not None:
        why = f"differs only if a called function changes memory ({callee_dependent.why})"
        return Comparison("inconclusive", why, callee_dependent, pairs, seconds)
    if uncertain is not None:
        why = f"differs in values the prototypes do not pin down ({uncertain.why})"
        return Comparison("inconclusive", why, uncertain, pairs, seconds)
    if undecided:
        return Comparison("inconclusive", undecided, None, pairs, seconds)
    return Comparison("agree", "", None, pairs, seconds, reorderings)


def _final_constraints(path: PathRecord) -> tuple[Any, ...]:
    return path.events[-1].constraints if path.events else ()
