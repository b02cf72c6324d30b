"""Compare two versions path by path: exits, return values, effect sequences (modulo the
reordering rule), the state at every ordering point, and the final shared state.

The comparison runs twice at most. First with unmodelled calls allowed to change all
state (the *general* semantics): no difference proves equivalence for every behaviour of
those calls. If it finds a difference, it runs again with unmodelled calls leaving state
alone (*benign*): a difference that survives is a real counterexample (DIFFERENT); one
that vanishes depends on what an unmodelled call does (UNKNOWN, naming the calls).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import z3

from equivcheck.frontend.model import SourceLocation
from equivcheck.frontend.unit.typesizes import OFFSET_PREFIX
from equivcheck.ir.cuts import CUT
from equivcheck.ir.model import Graph
from equivcheck.ir.regions import REGION
from equivcheck.limits import DEFAULT_LIMITS
from equivcheck.models.commute import Footprint, disjoint_reason, may_swap
from equivcheck.symex.execute import (
    BOOL_PREFIX,
    CUT_EXITS,
    SCALE_PREFIX,
    SIGN_PREFIX,
    SIZE_PREFIX,
    WIDTH_PREFIX,
    BudgetExceeded,
    Config,
    Exploration,
    explore,
)
from equivcheck.symex.memory import bytes_at
from equivcheck.symex.solver import Incremental, SolverTimeout, new_solver, possible, satisfying
from equivcheck.symex.state import (
    LAYOUT,
    Event,
    FootPart,
    Note,
    Path,
    Place,
    Shared,
    current_array,
    is_constant_name,
    kept_arrays,
    spares,
)
from equivcheck.verdict import VerdictName


@dataclass(frozen=True)
class Swap:
    """Two effects the after version runs in the other order, and why that is allowed."""

    first: str
    second: str
    first_loc: SourceLocation | None
    second_loc: SourceLocation | None
    why: str

    def describe(self) -> str:
        """One line for reports."""
        return f"{self.first} and {self.second} swapped: {self.why}"


@dataclass
class Difference:
    """Where and how the versions part on one pair of paths."""

    what: str
    before_loc: SourceLocation | None
    after_loc: SourceLocation | None
    model: z3.ModelRef | None
    before: Path
    after: Path
    kind: str = ""
    subject: str = ""

    def continues(self) -> bool:
        """Whether the paths leave by an exit after which the function goes on (not a
        return): then what the outer variables hold still matters, out of sight."""
        return self.before.exit[0] not in {"return", "unreachable"}


@dataclass
class Outcome:
    """The result of comparing two versions."""

    verdict: VerdictName
    reason: str
    swaps: list[Swap] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    counterexample: dict[str, object] = field(default_factory=dict)
    before_loc: SourceLocation | None = None
    after_loc: SourceLocation | None = None
    paths: tuple[int, int] = (0, 0)
    kind: str = ""
    subject: str = ""
    continues: bool = False
    exits: tuple[tuple[str, ...], ...] = ()
    opaque_calls: tuple[str, ...] = ()
    before_path: list[SourceLocation] = field(default_factory=list)
    after_path: list[SourceLocation] = field(default_factory=list)
    inlined: tuple[str, ...] = ()
    """Functions of the translation unit inlined for this comparison (with where)."""


@dataclass
class _Run:
    difference: Difference | None = None
    unknown: list[str] = field(default_factory=list)
    swaps: list[Swap] = field(default_factory=list)
    opaque_swaps: list[str] = field(default_factory=list)
    opaque_names: set[str] = field(default_factory=set)
    paths: tuple[int, int] = (0, 0)
    used: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Focus:
    """The source lines a difference found in a part of the function runs on, per
    version: paths through them are paired first, and looked at for a difference first
    (a real counterexample from the function's own start, when there is one)."""

    before: frozenset[tuple[str, int]]
    after: frozenset[tuple[str, int]]

    @staticmethod
    def of(outcome: Outcome) -> Focus | None:
        """The lines of a DIFFERENT outcome's counterexample (None without any)."""
        if outcome.verdict != "different" or not (outcome.before_path or outcome.after_path):
            return None
        return Focus(
            frozenset((loc.file, loc.line) for loc in outcome.before_path),
            frozenset((loc.file, loc.line) for loc in outcome.after_path),
        )


@dataclass(frozen=True)
class Side:
    """One version: its graph, the helpers inlined into it, the models."""

    graph: Graph
    config: Config


def compare(
    before: Side,
    after: Side,
    label_map: Mapping[str, str] | None = None,
    timeout_ms: int = DEFAULT_LIMITS.timeout_ms,
) -> Outcome:
    """Compare two versions of a function or region (docs/semantics.md). Running out
    of time (the configs' deadline) or a solver timeout gives UNKNOWN."""
    try:
        return _compare(before, after, label_map, timeout_ms)
    except BudgetExceeded as err:
        return Outcome("unknown", f"time budget exceeded {err}; raise --budget")
    except SolverTimeout as err:
        return Outcome("unknown", f"solver timeout ({err}); raise --timeout")


def find_difference(
    before: Side,
    after: Side,
    focus: Focus,
    label_map: Mapping[str, str] | None = None,
    timeout_ms: int = DEFAULT_LIMITS.timeout_ms,
) -> Outcome | None:
    """A DIFFERENT outcome found by a search steered through ``focus`` (a few paths
    of each version, where unmodelled calls change nothing), or None when the search
    finds none in its paths or its time: it never proves anything."""
    labels = dict(label_map or {})
    entries = _entries(before.graph, after.graph, labels)
    if isinstance(entries, str):
        return None
    try:
        run = _run(before, after, labels, entries, "benign", timeout_ms, focus)
        if run.difference is None:
            return None
        outcome = _realisable(run, before, after, labels, entries, timeout_ms)
    except (BudgetExceeded, SolverTimeout):
        return None
    return outcome if outcome.verdict == "different" else None


def _compare(
    before: Side,
    after: Side,
    label_map: Mapping[str, str] | None,
    timeout_ms: int,
) -> Outcome:
    labels = dict(label_map or {})
    entries = _entries(before.graph, after.graph, labels)
    if isinstance(entries, str):
        return Outcome("unknown", entries)
    general = _run(before, after, labels, entries, "general", timeout_ms)
    if general.difference is None and general.unknown and not general.opaque_swaps:
        # Undecided (a loop bound, say): a difference when unmodelled calls change
        # nothing is still a real counterexample.
        benign = _run(before, after, labels, entries, "benign", timeout_ms)
        if benign.difference is not None:
            return _realisable(benign, before, after, labels, entries, timeout_ms)
    if general.difference is None:
        if general.opaque_swaps:
            return _unknown(general, "; ".join(dict.fromkeys(general.opaque_swaps)))
        if general.unknown:
            outcome = _unknown(general, "; ".join(dict.fromkeys(general.unknown)))
            if all(u.startswith(UNSUPPORTED_TEXT) for u in general.unknown):
                outcome.kind = UNSUPPORTED
            return outcome
        return Outcome(
            "equivalent",
            _proof_text(general),
            swaps=_unique_swaps(general.swaps),
            assumptions=_assumptions(general.used),
            paths=general.paths,
        )
    benign = _run(before, after, labels, entries, "benign", timeout_ms)
    if benign.difference is not None:
        return _realisable(benign, before, after, labels, entries, timeout_ms)
    if general.opaque_swaps or benign.opaque_swaps:
        swaps = dict.fromkeys(general.opaque_swaps + benign.opaque_swaps)
        general.opaque_names |= benign.opaque_names
        return _unknown(general, "; ".join(swaps))
    calls = sorted(
        {
            e.name
            for p in (general.difference.before, general.difference.after)
            for e in p.trace
            if not e.modelled
        }
    )
    named = ", ".join(calls) if calls else "an unmodelled call"
    reason = (
        f"the versions differ only if {named} changes state ({general.difference.what}); "
        f"a model of {named} would decide"
    )
    outcome = _unknown(general, reason)
    outcome.kind = STATE_DEPENDENT
    # (the call whose view of the state differs first: seeing through it decides most)
    text = general.difference.what
    outcome.opaque_calls = tuple(sorted(calls, key=lambda n: f"{n}()" not in text))
    return outcome


UNSUPPORTED = "unsupported"
"""The kind of an UNKNOWN whose only reason is a construct the engine does not model,
met on the paths compared (any larger part holding them meets it too)."""
UNSUPPORTED_TEXT = "unsupported construct"

STATE_DEPENDENT = "state-dependent"
"""The kind of an UNKNOWN whose only difference needs an unmodelled call to change
state: where no call changes anything, the versions agree."""


def _realisable(
    run: _Run,
    before: Side,
    after: Side,
    labels: dict[str, str],
    entries: list[Entry],
    timeout_ms: int,
) -> Outcome:
    """DIFFERENT, unless the counterexample rests on variables whose types the input
    does not show (a region's outer variables in patch-alone mode, taken as 64-bit): it
    must hold again with those variables as ``int``, else the verdict is UNKNOWN (an
    ``int`` passed to a helper's ``int`` parameter loses the high bits a 64-bit value
    would need)."""
    diff = run.difference
    assert diff is not None
    typed = set(before.config.outer_types) | set(after.config.outer_types)
    untyped = (before.config.outer | after.config.outer) - typed
    used = sorted({name for name, _ in diff.before.inputs + diff.after.inputs if name in untyped})
    if not used:
        return _sized(run, timeout_ms)
    narrow = {name: "int" for name in untyped}
    sides = [
        Side(s.graph, dataclasses.replace(s.config, outer_types={**s.config.outer_types, **narrow}))
        for s in (before, after)
    ]
    again = _run(sides[0], sides[1], labels, entries, "benign", timeout_ms)
    also = ""
    if again.difference is not None:
        sized = _sized(again, timeout_ms)
        if sized.verdict == "different":
            return sized
        also = f"; with them as int, {sized.reason}"
    return _unknown(
        run,
        f"the versions differ only when some of {', '.join(used)} hold values that do not fit in "
        f"an int ({diff.what}); their types are not visible from the patch (run with "
        f"--tree){also}",
    )


def _sized(run: _Run, timeout_ms: int) -> Outcome:
    """DIFFERENT, unless the counterexample holds only for some sizes of types this
    comparison does not know (docs/semantics.md, "Pointers and types"), or for some
    values of constants whose definitions it does not see. A counterexample that needs
    only constants of different names to differ stands, saying so."""
    diff = run.difference
    assert diff is not None
    sizes, distinct = _size_dependence(diff.model, timeout_ms)
    if not sizes:
        out = _different(run)
        if distinct:
            out.assumptions = [
                *out.assumptions,
                f"the constants {', '.join(distinct)} are not 0"
                + (" and differ from each other" if len(distinct) > 1 else "")
                + " in their low 32 bits (their values are not known here)",
            ]
        return out
    where = (
        "give the directory of the header that defines them (-I DIR), or run with --tree"
        if all(s.startswith("the value of ") for s in sizes)
        else "run with --tree, where the compiler gives them"
    )
    return _unknown(
        run,
        f"whether the versions differ depends on {', '.join(sizes)}, not known here "
        f"({diff.what}); {where}",
    )


def _different(run: _Run) -> Outcome:
    """DIFFERENT, from a run whose difference holds with unmodelled calls doing
    nothing."""
    diff = run.difference
    assert diff is not None
    return Outcome(
        "different",
        diff.what,
        counterexample=_counterexample(diff),
        before_loc=diff.before_loc,
        after_loc=diff.after_loc,
        assumptions=_assumptions(run.used),
        paths=run.paths,
        kind=diff.kind,
        subject=diff.subject,
        continues=diff.continues(),
        exits=(diff.before.exit, diff.after.exit),
        before_path=_lines_taken(diff.before, diff.model),
        after_path=_lines_taken(diff.after, diff.model),
    )


def _lines_taken(path: Path, model: z3.ModelRef | None) -> list[SourceLocation]:
    """The source lines the counterexample runs on one path, in file order."""
    if model is None:
        return []
    taken = [
        SourceLocation(file, line)
        for (file, line), guard in path.lines.items()
        if z3.is_true(model.eval(guard, model_completion=True))
    ]
    return sorted(taken, key=lambda loc: (loc.file, loc.line))


def _unknown(run: _Run, reason: str) -> Outcome:
    return Outcome(
        "unknown",
        reason,
        swaps=_unique_swaps(run.swaps),
        assumptions=_assumptions(run.used),
        paths=run.paths,
        opaque_calls=tuple(sorted(run.opaque_names)),
    )


def _proof_text(run: _Run) -> str:
    a, b = run.paths
    return (
        f"every feasible pairing of the {a} before and {b} after paths (after merging at "
        "joins) agrees on exit, return value, effects and final state"
    )


def _unique_swaps(swaps: list[Swap]) -> list[Swap]:
    seen: dict[tuple[str, str, str, str], Swap] = {}
    for swap in swaps:
        key = (swap.first, swap.second, str(swap.first_loc), str(swap.second_loc))
        seen.setdefault(key, swap)
    return list(seen.values())


# ---------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Entry:
    """One entry point both versions have: its name for reports, the block in each
    version (None: the graph's entry) and the exported locals whose values flow in
    there (None: all of them)."""

    name: str
    block_a: int | None
    block_b: int | None
    carried_a: frozenset[int] | None = None
    carried_b: frozenset[int] | None = None


def _entries(a: Graph, b: Graph, labels: dict[str, str]) -> list[Entry] | str:
    """The entry points to compare: the start (or each region's start), and each label
    both versions define (through the label map). A label only one version defines is
    reached only from the code shown (assumption A7: a goto elsewhere to a label that
    vanished would not build), so it is not an entry of its own."""
    entries: list[Entry] = []
    if REGION + "1" not in a.labels:
        entries.append(Entry("the start", None, None, frozenset(), frozenset()))
    for label, block in a.labels.items():
        mapped = labels.get(label, label)
        if mapped in b.labels:
            entries.append(
                Entry(
                    _entry_name(label),
                    block,
                    b.labels[mapped],
                    _carried(a, label),
                    _carried(b, mapped),
                )
            )
        elif label.startswith(REGION):
            return f"region {label} has no counterpart in the after version"
    return entries


def _entry_name(label: str) -> str:
    if label.startswith(REGION):
        return f"the start of region {label[len(REGION) :]}"
    if label.startswith(CUT):
        return f"the head of loop {label[len(CUT) :]}"
    return f"label {label}"


def _carried(graph: Graph, label: str) -> frozenset[int]:
    """The exported locals whose values flow in at entry ``label``: at a loop head, all
    of them; elsewhere, all but those the entry's own code declares (a region's start
    runs their declarations) and those only a loop cut exports."""
    declared = graph.export_declared or [""] * len(graph.exported)
    if label.startswith(CUT):
        return frozenset(graph.exported)
    return frozenset(
        index
        for index, where in zip(graph.exported, declared, strict=True)
        if where not in (label, CUT)
    )


# ---------------------------------------------------------------------- one run


def _run(
    before: Side,
    after: Side,
    labels: dict[str, str],
    entries: list[Entry],
    mode: Literal["general", "benign"],
    timeout_ms: int,
    focus: Focus | None = None,
) -> _Run:
    run = _Run()
    total_a = total_b = 0
    for entry in entries:
        cfg_a = dataclasses.replace(before.config, mode=mode, version="before")
        cfg_b = dataclasses.replace(after.config, mode=mode, version="after")
        if focus is not None:
            cfg_a = dataclasses.replace(cfg_a, focus=focus.before)
            cfg_b = dataclasses.replace(cfg_b, focus=focus.after)
        ex_a = explore(before.graph, cfg_a, entry=entry.block_a, carried=entry.carried_a)
        ex_b = explore(after.graph, cfg_b, entry=entry.block_b, carried=entry.carried_b)
        total_a += len(ex_a.paths)
        total_b += len(ex_b.paths)
        _note_truncation(run, ex_a, ex_b)
        deadline = before.config.deadline
        paths_a, paths_b = ex_a.paths, ex_b.paths
        if focus is not None:
            paths_a = _through(paths_a, focus.before)
            paths_b = _through(paths_b, focus.after)
        lits_b = [_literals(pb.pc) for pb in paths_b]
        for pa in paths_a:
            lits_a = _literals(pa.pc)
            with_a = Incremental(pa.pc, timeout_ms)
            for pb, lb in zip(paths_b, lits_b, strict=True):
                if lits_a.contradict(lb):
                    continue  # one decides a condition the other decides the other way
                if not with_a.possible_with(pb.pc):
                    continue
                if deadline is not None and time.monotonic() > deadline:
                    raise BudgetExceeded("while comparing paths")
                found = _compare_pair(run, pa, pb, labels, timeout_ms, entry.name)
                if found is not None:
                    run.difference = found
                    run.paths = (total_a, total_b)
                    return run
    run.paths = (total_a, total_b)
    return run


def _through(paths: list[Path], lines: frozenset[tuple[str, int]]) -> list[Path]:
    """``paths``, those that run to an end (not cut at a bound: only they can show a
    difference) and run on more of ``lines`` first, else in their order."""
    return sorted(
        paths, key=lambda path: (path.exit[0] in CUT_EXITS, -len(lines & path.lines.keys()))
    )


@dataclass(frozen=True)
class _Literals:
    """The conjuncts of a path condition, by z3 term id: those asserted and those
    denied (``Not(c)``). Two paths, one asserting a term the other denies, are never
    taken together: no solver call is needed to tell (both versions run from one
    state, so the code they share decides alike through the same terms)."""

    asserted: frozenset[int]
    denied: frozenset[int]

    def contradict(self, other: _Literals) -> bool:
        return not (
            self.asserted.isdisjoint(other.denied) and self.denied.isdisjoint(other.asserted)
        )


def _literals(pc: z3.BoolRef) -> _Literals:
    asserted, denied = set(), set()
    for c in _conjuncts(pc):
        if z3.is_not(c):
            denied.add(c.arg(0).get_id())
        else:
            asserted.add(c.get_id())
    return _Literals(frozenset(asserted), frozenset(denied))


def _note_truncation(run: _Run, a: Exploration, b: Exploration) -> None:
    if a.truncated or b.truncated:
        run.unknown.append("too many paths (raise --max-paths)")


def _blocking_notes(path: Path) -> list[Note]:
    return [n for n in path.notes if n.kind in {"unsupported", "uninitialised"}]


def _compare_pair(
    run: _Run, pa: Path, pb: Path, labels: dict[str, str], timeout_ms: int, entry: str
) -> Difference | None:
    """The difference two paths taken together show, if any. What stops the pair from
    deciding (an unsupported construct, a bound) is noted in ``run.unknown``; the swaps
    it relies on and the assumptions it uses in ``run`` too."""
    pc = z3.And(pa.pc, pb.pc)
    if not possible(pc, timeout_ms):
        return None
    _note_use(run, pa)
    _note_use(run, pb)
    blocked = _blocking_notes(pa) + _blocking_notes(pb)
    if blocked:
        for note in blocked:
            where = f" at {note.loc}" if note.loc else ""
            what = (
                UNSUPPORTED_TEXT if note.kind == "unsupported" else ("reads an uninitialised local")
            )
            run.unknown.append(f"{what}: {note.text}{where}")
        return None
    if pa.exit[0] in CUT_EXITS or pb.exit[0] in CUT_EXITS:
        cut = next((n for n in pa.notes + pb.notes if n.kind in CUT_EXITS), None)
        text = cut.text if cut else "path cut"
        where = f" at {cut.loc}" if cut and cut.loc else ""
        run.unknown.append(f"{text}{where}: no difference found within the bound")
        return None
    exit_a = _mapped_exit(pa.exit, labels)
    if exit_a != pb.exit:
        return _difference(
            f"from {entry}, the before version {_exit_text(exit_a)} where the after version "
            f"{_exit_text(pb.exit)}",
            pc,
            pa,
            pb,
            pa.exit_loc,
            pb.exit_loc,
            timeout_ms,
            kind="hang" if "hang" in (exit_a[0], pb.exit[0]) else "exit",
            subject=" / ".join(_exit_text(e) for e in (exit_a, pb.exit)),
        )
    found = _align(run, pa, pb, pc, timeout_ms)
    if found is not None:
        return found
    if pa.ret is not None and pb.ret is not None:
        model = _witness(z3.And(pc, pa.ret.term != pb.ret.term), timeout_ms)
        if model is not None:
            return Difference(
                "the return values differ", pa.exit_loc, pb.exit_loc, model, pa, pb, "return"
            )
    written = pa.outer_written | pb.outer_written
    if pa.exit[0] in {"return", "unreachable"}:
        # The function is over: its locals (a region's outer variables) are dead.
        written = {name for name in written if not pa.shared.is_outer(name)}
    if pa.exit[0] == "cut":
        if _uninitialised_at_cut(run, pa) or _uninitialised_at_cut(run, pb):
            return None
        param = _param_difference(pa, pb, pc, timeout_ms)
        if param is not None:
            where = f"the state at the head of loop {pa.exit[1][len(CUT) :]}"
            return _outer_difference(where, param, pa, pb)
    if pa.exit[0] not in {"return", "unreachable"}:
        live = _exported_difference(pa, pb, pc, timeout_ms)
        if live is not None:
            return _outer_difference("the final state", live, pa, pb)
    state = _state_difference(
        pa.shared, pb.shared, pc, timeout_ms, written, [*pa.places, *pb.places]
    )
    if state is not None:
        what, model = state
        return Difference(
            f"the final state differs: {what}",
            pa.exit_loc,
            pb.exit_loc,
            model,
            pa,
            pb,
            "outer" if pa.shared.is_outer(what) else "state",
            what,
        )
    return None


def _outer_difference(where: str, found: tuple[str, z3.ModelRef], pa: Path, pb: Path) -> Difference:
    """A difference in a variable the code after the paths' exit may read."""
    what, model = found
    return Difference(
        f"{where} differs: {what}", pa.exit_loc, pb.exit_loc, model, pa, pb, "outer", what
    )


def _uninitialised_at_cut(run: _Run, path: Path) -> bool:
    """Whether a local live at the loop head a path reaches may still be unassigned
    there (its value did not flow in at the path's entry and nothing wrote it): the
    loop may read it uninitialised, so equal values there prove nothing."""
    if path.top is None:
        return False
    graph = path.top.graph
    live = graph.cut_live.get(path.exit[1], frozenset()) if len(path.exit) > 1 else frozenset()
    for index, exported in zip(graph.exported, path.exported, strict=True):
        if index not in live or exported.carried_in or exported.zeroed:
            continue
        if "" not in exported.slots:
            where = f" at {path.exit_loc}" if path.exit_loc else ""
            run.unknown.append(f"{exported.name} may be read uninitialised in the loop{where}")
            return True
    return False


def _param_difference(
    pa: Path, pb: Path, pc: z3.BoolRef, timeout_ms: int
) -> tuple[str, z3.ModelRef] | None:
    """A parameter whose value can differ where two paths reach a loop head."""
    if pa.top is None or pb.top is None:
        return None
    top_a, top_b = pa.top, pb.top
    for slot in sorted(set(top_a.params) | set(top_b.params)):
        left = top_a.params.get(slot) or top_a.initial_param(slot)
        right = top_b.params.get(slot) or top_b.initial_param(slot)
        model = _witness(z3.And(pc, left.term != right.term), timeout_ms)
        if model is not None:
            index, path = slot
            params = top_a.graph.params
            name = params[index].name if index < len(params) else f"arg{index}"
            return f"parameter {name}{'.' + path if path else ''}", model
    return None


def _note_use(run: _Run, path: Path) -> None:
    run.used.update(n.text for n in path.notes if n.kind == "assumed")
    for name in path.shared.arrays:
        run.used.add(name.split(":", 1)[0] if name.startswith("comp:") else name)
    for event in path.trace:
        if not event.modelled:
            run.used.add("opaque-call")
        if event.snapshot is not None:
            for name in event.snapshot.arrays:
                run.used.add(name.split(":", 1)[0] if name.startswith("comp:") else name)
    if any(name.startswith("escaped") or "escaped" in str(t) for name, t in path.inputs):
        run.used.add("escaped")
    for name in path.shared.globals:
        if is_constant_name(name):
            run.used.add("const")
        elif path.shared.is_outer(name):
            run.used.add("outer")
        else:
            run.used.add("global")


def _mapped_exit(exit_key: tuple[str, ...], labels: dict[str, str]) -> tuple[str, ...]:
    if exit_key[0] == "goto" and len(exit_key) > 1:
        return ("goto", labels.get(exit_key[1], exit_key[1]))
    return exit_key


def _exit_text(exit_key: tuple[str, ...]) -> str:
    match exit_key:
        case ("goto", label):
            return f"jumps to {label}"
        case (kind, label) if label.startswith(REGION):
            what = "falls off the end" if kind == "fallthrough" else f"leaves by {kind}"
            return f"{what} of region {label[len(REGION) :]}"
        case ("return",):
            return "returns"
        case ("fallthrough",):
            return "falls through"
        case ("unreachable",):
            return "stops (does not return)"
        case ("cut", label):
            return f"reaches the head of loop {label[len(CUT) :]}"
        case ("hang",):
            return "never ends (a loop comes back to the same state)"
        case (kind,):
            return f"leaves by {kind}"
    return str(exit_key)


# ---------------------------------------------------------------------- effects


def _align(run: _Run, pa: Path, pb: Path, pc: z3.BoolRef, timeout_ms: int) -> Difference | None:
    """Match the before trace against the after trace, allowing permitted swaps (noted
    in ``run``, as are swaps only a model could permit): the difference in the effects,
    if any."""
    remaining = list(pb.trace)
    for ea in pa.trace:
        candidates = [j for j, eb in enumerate(remaining) if _same_kind(ea, eb)]
        if not candidates:
            return _difference(
                f"the after version does not perform {_event_text(ea)}",
                pc,
                pa,
                pb,
                ea.loc,
                _next_loc(remaining),
                timeout_ms,
                kind="event",
                subject=ea.name,
            )
        # The first candidate with the same arguments (a repeated call may have moved).
        index = next(
            (j for j in candidates if _args_difference(ea, remaining[j], pc, timeout_ms) is None),
            None,
        )
        if index is None:
            eb = remaining[candidates[0]]
            args = _args_difference(ea, eb, pc, timeout_ms)
            return Difference(
                f"{_event_text(ea)} is called with different arguments",
                ea.loc,
                eb.loc,
                args,
                pa,
                pb,
                "args",
                ea.name,
            )
        eb = remaining[index]
        for blocker in remaining[:index]:
            verdict = _may_swap(blocker, eb, pc, timeout_ms)
            if verdict == "opaque":
                run.opaque_names.update(e.name for e in (eb, blocker) if not e.modelled)
                run.opaque_swaps.append(
                    f"{_event_text(eb)} ({eb.loc}) and {_event_text(blocker)} "
                    f"({blocker.loc}) run in the other order and at least one has no "
                    f"model: {_suggest(eb, blocker)}"
                )
                continue
            if verdict != "ok":
                return _difference(
                    f"{_event_text(eb)} and {_event_text(blocker)} run in the other order "
                    f"({verdict})",
                    pc,
                    pa,
                    pb,
                    ea.loc,
                    eb.loc,
                    timeout_ms,
                )
            run.swaps.append(
                Swap(
                    _event_text(blocker),
                    _event_text(eb),
                    blocker.loc,
                    eb.loc,
                    disjoint_reason(
                        eb.name, eb.footprint_text(), blocker.name, blocker.footprint_text()
                    ),
                )
            )
        if ea.snapshot is not None and eb.snapshot is not None:
            state = _state_difference(
                ea.snapshot.as_shared(),
                eb.snapshot.as_shared(),
                pc,
                timeout_ms,
                pa.outer_written | pb.outer_written,
                [*pa.places, *pb.places],
            )
            if state is not None:
                what, model = state
                return Difference(
                    f"the state another CPU can see at {_event_text(ea)} differs: {what}",
                    ea.loc,
                    eb.loc,
                    model,
                    pa,
                    pb,
                    "snapshot",
                    what,
                )
        del remaining[index]
    if remaining:
        extra = remaining[0]
        return _difference(
            f"the after version also performs {_event_text(extra)}",
            pc,
            pa,
            pb,
            pa.exit_loc,
            extra.loc,
            timeout_ms,
            kind="event",
            subject=extra.name,
        )
    return None


def _same_kind(a: Event, b: Event) -> bool:
    return a.kind == b.kind and a.name == b.name and len(a.args) == len(b.args)


def _event_text(event: Event) -> str:
    return f"{event.name}()" if not event.name.startswith("asm") else event.name


def _next_loc(events: list[Event]) -> SourceLocation | None:
    return events[0].loc if events else None


def _suggest(a: Event, b: Event) -> str:
    from_names = [e.name for e in (a, b) if not e.modelled]
    return "add a model of " + " and ".join(from_names) + " (docs/models.md)"


def _args_difference(a: Event, b: Event, pc: z3.BoolRef, timeout_ms: int) -> z3.ModelRef | None:
    if not a.args:
        return None
    differs = z3.Or(*[x.term != y.term for x, y in zip(a.args, b.args, strict=True)])
    return _witness(z3.And(pc, differs), timeout_ms)


def _may_swap(x: Event, y: Event, pc: z3.BoolRef, timeout_ms: int) -> str:
    """Whether x and y may run in either order: "ok", "opaque" (one has no model), or
    the reason they may not (the rule is ``models/commute.py``, shared with the binary
    engine)."""
    return may_swap(
        _footprint(x), _footprint(y), lambda cond: possible(z3.And(pc, cond), timeout_ms)
    )


def _footprint(event: Event) -> Footprint:
    return Footprint(event.reads, event.writes, event.ordering, event.additive, event.modelled)


# ---------------------------------------------------------------------- state


def _exported_difference(
    pa: Path, pb: Path, pc: z3.BoolRef, timeout_ms: int
) -> tuple[str, z3.ModelRef] | None:
    """Locals the regions declare at their outermost scope, where the function goes on
    after the region. The code the patch hides is the same in both versions and builds
    in both (A7), so it can use only a local both versions declare under one name: those
    are compared, and so are locals another shown region uses (paired by position). A
    local only one version declares, unused by the regions, is dead."""
    after = {e.key: e for e in pb.exported}
    before = {e.key: e for e in pa.exported}
    for key in list(before) + [k for k in after if k not in before]:
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            present = a if a is not None else b
            assert present is not None
            if present.used:
                model = _witness(pc, timeout_ms)
                if model is not None:
                    return f"{present.name} has no counterpart in the other version", model
            continue
        if not (key.startswith("name:") or a.used or b.used):
            continue
        if a.ctype != b.ctype:
            model = _witness(pc, timeout_ms)
            if model is not None:
                return f"{a.name} is declared {a.ctype} before and {b.ctype} after", model
        for path in sorted(set(a.slots) | set(b.slots)):
            differs = a.value(path).term != b.value(path).term
            model = _witness(z3.And(pc, differs), timeout_ms)
            if model is not None:
                name = a.name + (f".{path}" if path else "")
                return name, model
    return None


def _state_difference(
    a: Shared,
    b: Shared,
    pc: z3.BoolRef,
    timeout_ms: int,
    written: set[str],
    places: list[Place] | None = None,
) -> tuple[str, z3.ModelRef] | None:
    """The first part of shared state that can differ under ``pc``, with a witness.
    Globals (and a region's outer variables) count only where either version writes
    them. A difference in union storage is named by the members (``places``) whose
    bytes differ."""
    # (an array neither touched since the last havoc still holds what it spared)
    carried = {
        name: array
        for name, array in {**kept_arrays(a.kept), **kept_arrays(b.kept)}.items()
        if spares(name)
    }
    for name in sorted(set(a.arrays) | set(b.arrays) | set(carried)):
        like = a.arrays.get(name, b.arrays.get(name, carried.get(name)))
        assert like is not None
        left = current_array(a.arrays, name, a.epoch, like, a.kept)
        right = current_array(b.arrays, name, b.epoch, like, b.kept)
        if left.eq(right):
            continue
        if name == LAYOUT:
            found = _storage_difference(left, right, pc, timeout_ms, places or [])
            if found is not None:
                return found
            continue
        model = _witness(z3.And(pc, left != right), timeout_ms)
        if model is not None:
            return _array_name(name), model
    for name in sorted((set(a.globals) | set(b.globals)) & written):
        # (a name in capitals that either version writes is a variable after all)
        left_v = a.globals.get(name) or a.initial_global(name)
        right_v = b.globals.get(name) or b.initial_global(name)
        model = _witness(z3.And(pc, left_v.term != right_v.term), timeout_ms)
        if model is not None:
            return f"{name}", model
    return None


def _storage_difference(
    left: z3.ArrayRef, right: z3.ArrayRef, pc: z3.BoolRef, timeout_ms: int, places: list[Place]
) -> tuple[str, z3.ModelRef] | None:
    """A byte of union storage that can differ under ``pc``, named by the members
    accessed there, each with its value in both versions: what one version's write
    to a member clobbered of another."""
    differs_at = z3.BitVec("differs-at", 64)
    model = _witness(
        z3.And(pc, z3.Select(left, differs_at) != z3.Select(right, differs_at)), timeout_ms
    )
    if model is None:
        return None
    at = model.eval(differs_at, model_completion=True).as_long()
    spans = []
    for place in sorted(places, key=lambda p: -p.width):
        start = model.eval(place.address, model_completion=True).as_long()
        values = [
            model.eval(bytes_at(array, place.address, place.width), model_completion=True)
            for array in (left, right)
        ]
        if all(z3.is_bv_value(v) for v in values):
            spans.append((place.text, start, place.width, *(v.as_long() for v in values)))
    covering = [s for s in spans if (at - s[1]) % (1 << 64) < s[2]]
    if not covering:
        return f"union storage (byte at {at:#x})", model
    text, start, width, before, after = covering[0]
    shared = dict.fromkeys(
        s[0]
        for s in spans
        if s[0] != text
        and ((s[1] - start) % (1 << 64) < width or (start - s[1]) % (1 << 64) < s[2])
    )
    also = "".join(f", shared with {name}" for name in shared)
    return f"union storage at {text} ({before:#x} before, {after:#x} after{also})", model


def _array_name(name: str) -> str:
    if name.startswith("comp:"):
        return f"kernel state {name[5:]}"
    if name.startswith("field:"):
        return f"field ->{name[6:]}"
    if name == LAYOUT:
        return "union storage"
    return "memory" if name == "mem" else name


# ---------------------------------------------------------------------- solver


class Witness(z3.ModelRef):  # type: ignore[misc]
    """A model of a difference, with the condition it satisfies (so that the
    counterexample can be checked again with other values of what it rests on)."""

    def __init__(self, model: z3.ModelRef, cond: z3.BoolRef) -> None:
        super().__init__(model.model, model.ctx)
        self.cond = cond


# Sizes are below 4 GiB; a size symbol of a value whose type is not known may be 0
# (the value is an integer).
_MAX_SIZE = 1 << 32


def _size_dependence(model: z3.ModelRef | None, timeout_ms: int) -> tuple[list[str], list[str]]:
    """The types whose unknown sizes (offsets, signs), and the constants whose unknown
    values, a counterexample rests on (empty: none), and the constants it needs only
    to be apart from 0 and from each other (stated as an assumption).

    Sizes: inputs and results of calls must exist that make the versions differ
    whatever the sizes are (a difference for the real ones, which this comparison does
    not know): the counterexample's own inputs are tried, then any (a quantified
    query). Constants, separately and without quantifiers: whatever they are with the
    counterexample's inputs; or, whenever none is 0 and they differ from each other
    (``MM_FILEPAGES``, ``MM_SHMEMPAGES``; ``VM_LOCKED``), as flags and most
    enumerators are; or for each of such values tried, the code's own numbers
    among them."""
    if not isinstance(model, Witness):
        return [], []
    symbols = [t for t in _constants(model.cond) if t.decl().name().startswith(_LAYOUT)]
    sizes = [t for t in symbols if not t.decl().name().startswith(_CONSTANT)]
    constants = [t for t in symbols if t.decl().name().startswith(_CONSTANT)]
    quick = min(timeout_ms, DEPENDENCE_MS)
    needed = _sizes_needed(model, sizes, timeout_ms, quick) if sizes else []
    distinct: list[str] = []
    if constants:
        found, distinct = _constants_needed(model, constants, quick)
        needed += found
    return sorted({_size_name(t.decl().name()) for t in needed}), distinct


def _renamed(model: Witness, symbols: list[z3.ExprRef]) -> tuple[z3.ExprRef, dict[str, z3.ExprRef]]:
    """The difference's condition with ``symbols`` made free (primed)."""
    other = {t.decl().name(): z3.Const(t.decl().name() + "'", t.sort()) for t in symbols}
    return z3.substitute(model.cond, *[(t, other[t.decl().name()]) for t in symbols]), other


def _sizes_needed(
    model: Witness, symbols: list[z3.ExprRef], timeout_ms: int, quick: int
) -> list[z3.ExprRef]:
    """The size symbols the counterexample rests on (none: it holds for all sizes)."""
    renamed, other = _renamed(model, symbols)
    facts = [
        *(c for c in _conjuncts(renamed) if _is_integer_assumption(c)),
        *(
            z3.And(z3.UGE(size, _smallest(name)), z3.ULE(size, _largest(name)))
            for name, size in other.items()
            if z3.is_bv(size)
        ),
    ]
    if _rests_on_nothing(model, renamed, facts, list(other.values()), timeout_ms):
        return []
    return _each_needed(model, symbols, facts, quick)


def _constants_needed(
    model: Witness, symbols: list[z3.ExprRef], quick: int
) -> tuple[list[z3.ExprRef], list[str]]:
    """The constants the counterexample rests on, or (none needed) those it assumes
    nonzero and apart."""
    renamed, other = _renamed(model, symbols)
    primed = [other[t.decl().name()] for t in symbols]
    if _rests_on_nothing(model, renamed, [], [], quick):
        return [], []
    named = sorted(t.decl().name()[len(_CONSTANT) :] for t in symbols)
    low = [z3.Extract(31, 0, p) for p in primed]
    apart = [*(x != 0 for x in low), *([z3.Distinct(*low)] if len(low) > 1 else [])]
    if _rests_on_nothing(model, renamed, apart, [], quick):
        return [], named
    if _differs_for_samples(renamed, primed, quick):
        return [], named
    return _each_needed(model, symbols, [], quick), []


def _each_needed(
    model: Witness, symbols: list[z3.ExprRef], facts: list[z3.ExprRef], quick: int
) -> list[z3.ExprRef]:
    """Of ``symbols``, those whose value alone, with the counterexample's other inputs,
    decides (all of them when none does alone)."""
    needed = []
    for t in symbols:
        alone = z3.Const(t.decl().name() + "'", t.sort())
        changed = model.eval(z3.substitute(model.cond, (t, alone)), model_completion=False)
        check = new_solver(quick)
        check.add(z3.Not(changed), *facts)
        if check.check() != z3.unsat:
            needed.append(t)
    return needed or symbols


def _sample_values(count: int, literals: list[int]) -> list[list[int]]:
    """Values for ``count`` constants, nonzero and apart, as flags and enumerators are:
    small numbers, single bits low and high, mixed ones; and each constant as each
    number the code itself writes (``x * HELPER_K`` against ``x * 2``: HELPER_K may be
    2), the others apart from it."""
    base = [
        [1 + i for i in range(count)],
        [1 << i for i in range(count)],
        [1 << (8 + i) for i in range(count)],
        [1 << (30 - i % 30) for i in range(count)],
        [(0x12345 * (i + 1)) & 0x7FFFFFFF for i in range(count)],
    ]
    out = list(base)
    for literal in literals:
        for index in range(count):
            others = [v for v in range(1, count + 2) if v != literal]
            values = [others[i] if i < index else others[i - 1] for i in range(count)]
            values[index] = literal
            out.append(values)
    return out


_MAX_LITERALS = 16


def _numbers_in(cond: z3.ExprRef) -> list[int]:
    """The nonzero numbers below 2**32 a condition holds (the code's own literals)."""
    found: set[int] = set()
    seen: set[int] = set()
    stack = [cond]
    while stack and len(found) < _MAX_LITERALS:
        node = stack.pop()
        if node.get_id() in seen:
            continue
        seen.add(node.get_id())
        if z3.is_bv_value(node):
            value = node.as_long()
            if 0 < value < 1 << 32:
                found.add(value)
        else:
            stack.extend(node.children())
    return sorted(found)


def _differs_for_samples(cond: z3.ExprRef, constants: list[z3.ExprRef], timeout_ms: int) -> bool:
    """Whether, for each of some values of ``constants`` that are nonzero and apart,
    inputs exist that make ``cond`` (the versions' difference) hold: a difference for
    whatever values such constants have, as far as tried (what a quantified query
    could not decide)."""
    for values in _sample_values(len(constants), _numbers_in(cond)):
        fixed = [c == z3.BitVecVal(v, 64) for c, v in zip(constants, values, strict=True)]
        solver = new_solver(timeout_ms)
        solver.add(cond, *fixed)
        if solver.check() != z3.sat:
            return False
    return True


def _rests_on_nothing(
    model: z3.ModelRef,
    renamed: z3.ExprRef,
    facts: list[z3.ExprRef],
    symbols: list[z3.ExprRef],
    timeout_ms: int,
) -> bool:
    """Whether the difference ``renamed`` holds, under ``facts``, whatever ``symbols``
    are: with the counterexample's own other inputs, or with some."""
    same_inputs = new_solver(timeout_ms)
    same_inputs.add(z3.Not(model.eval(renamed, model_completion=False)), *facts)
    if same_inputs.check() == z3.unsat:
        return True
    return bool(symbols) and _holds_for_all(symbols, facts, renamed, timeout_ms)


def _holds_for_all(
    symbols: list[z3.ExprRef], facts: list[z3.ExprRef], cond: z3.ExprRef, timeout_ms: int
) -> bool:
    """Whether some values of everything else make ``cond`` hold whatever ``symbols``
    are (under ``facts``)."""
    solver = new_solver(timeout_ms)
    solver.add(z3.ForAll(symbols, z3.Implies(z3.And(*facts), cond)))
    return bool(solver.check() == z3.sat)


DEPENDENCE_MS = 1000
"""How long one query on what a counterexample's constants may be may take (they are
many, and tried in turn: a timeout counts as "depends on them")."""

# What the layout of types decides and this comparison may not know; and the values
# of constants it does not see defined (macros of a header not read, enumerators).
_CONSTANT = "const:"
_LAYOUT = (
    SIZE_PREFIX,
    SCALE_PREFIX,
    OFFSET_PREFIX,
    SIGN_PREFIX,
    WIDTH_PREFIX,
    BOOL_PREFIX,
    _CONSTANT,
)


def _smallest(symbol: str) -> int:
    """A type's size is at least 1 (GNU C's empty structs aside), and so is an
    object's width in bits; a value of unknown type may be an integer (scale 0); an
    offset may be 0."""
    return 1 if symbol.startswith((SIZE_PREFIX, WIDTH_PREFIX)) else 0


def _largest(symbol: str) -> int:
    """An object holds at most 64 bits of value here; sizes are below 4 GiB."""
    return 64 if symbol.startswith(WIDTH_PREFIX) else _MAX_SIZE


def _conjuncts(cond: z3.ExprRef) -> list[z3.ExprRef]:
    if z3.is_and(cond):
        return [c for child in cond.children() for c in _conjuncts(child)]
    return [cond]


def _is_integer_assumption(cond: z3.ExprRef) -> bool:
    """``scale:origin == 0``: the form of assumption A8 in a path condition."""
    if not z3.is_eq(cond):
        return False
    left, right = cond.children()
    return bool(
        z3.is_const(left)
        and left.decl().name().startswith(SCALE_PREFIX)
        and z3.is_bv_value(right)
        and right.as_long() == 0
    )


def _size_name(symbol: str) -> str:
    if symbol.startswith(_CONSTANT):
        return f"the value of {symbol[len(_CONSTANT) :]}"
    if symbol.startswith(OFFSET_PREFIX):
        struct, _, member = symbol[len(OFFSET_PREFIX) :].rpartition(":")
        return f"the offset of {member}" + (f" in {struct}" if not struct.startswith("?") else "")
    if symbol.startswith(SCALE_PREFIX):
        return f"the type of {_origin_text(symbol[len(SCALE_PREFIX) :])}"
    for prefix, what in (
        (SIGN_PREFIX, "signedness"),
        (WIDTH_PREFIX, "width"),
        (BOOL_PREFIX, "type"),
    ):
        if symbol.startswith(prefix):
            return f"the {what} of {_origin_text(symbol[len(prefix) :].lstrip('?'))}"
    return f"the sizes of {symbol[len(SIZE_PREFIX) :]}"


def _origin_text(origin: str) -> str:
    """Where a value of unknown type came from, for a reason (``field:?.next``)."""
    kind, _, rest = origin.partition(":")
    return f"{kind} {rest.lstrip('?')}".strip() if rest else "a value"


def _constants(cond: z3.ExprRef) -> list[z3.ExprRef]:
    """The free bit-vector and Boolean constants of a formula."""
    return [
        t
        for t in _subterms(cond)
        if z3.is_const(t)
        and t.decl().kind() == z3.Z3_OP_UNINTERPRETED
        and (z3.is_bv(t) or z3.is_bool(t))
    ]


def _witness(cond: z3.BoolRef, timeout_ms: int) -> z3.ModelRef | None:
    """A model of ``cond``, with small numbers where possible (they read better in a
    counterexample); None when unsatisfiable. A timeout raises."""
    found = satisfying(cond, timeout_ms)
    if found is None:
        return None
    solver, model = found
    leaves = _leaves(cond)
    for low, high in SMALL_RANGES:
        solver.push()
        for term in leaves:
            solver.add(term >= low, term <= high)
        if solver.check() == z3.sat:
            model = solver.model()
            solver.pop()
            break
        solver.pop()
    return Witness(model, cond)


SMALL_RANGES = ((0, 8), (-64, 64))


def _leaves(cond: z3.ExprRef) -> list[z3.ExprRef]:
    """The 64-bit inputs of a formula: constants, array reads, uninterpreted calls."""
    return [
        t
        for t in _subterms(cond)
        if z3.is_bv(t)
        and t.size() == 64
        and not z3.is_bv_value(t)
        and t.decl().kind() in (z3.Z3_OP_UNINTERPRETED, z3.Z3_OP_SELECT)
    ]


def _subterms(cond: z3.ExprRef) -> list[z3.ExprRef]:
    """Every distinct term of a formula, itself included."""
    found: dict[int, z3.ExprRef] = {}
    stack = [cond]
    while stack:
        term = stack.pop()
        if term.get_id() not in found:
            found[term.get_id()] = term
            stack.extend(term.children())
    return list(found.values())


def _difference(
    what: str,
    pc: z3.BoolRef,
    pa: Path,
    pb: Path,
    loc_a: SourceLocation | None,
    loc_b: SourceLocation | None,
    timeout_ms: int,
    kind: str = "",
    subject: str = "",
) -> Difference:
    """A difference whose witness is any model of the pair's condition ``pc``."""
    return Difference(what, loc_a, loc_b, _witness(pc, timeout_ms), pa, pb, kind, subject)


# ---------------------------------------------------------------------- reports


def _counterexample(diff: Difference) -> dict[str, object]:
    """Concrete values of the inputs, opaque call results and both outcomes."""
    model = diff.model
    out: dict[str, object] = {}
    if model is None:
        return out
    inputs: dict[str, object] = {}
    for desc, term in diff.before.inputs + diff.after.inputs:
        if desc not in inputs:
            inputs[desc] = _value(model, term)
    calls: dict[str, object] = {}
    for desc, term in diff.before.calls + diff.after.calls:
        if desc not in calls:
            calls[desc] = _value(model, term)
    out["inputs"] = inputs
    out["call_results"] = calls
    out["before"] = _outcome_text(diff.before, model)
    out["after"] = _outcome_text(diff.after, model)
    return out


def _outcome_text(path: Path, model: z3.ModelRef) -> str:
    text = _exit_text(path.exit)
    if path.ret is not None:
        text += f" {_value(model, path.ret.term)}"
    return text


def _value(model: z3.ModelRef, term: z3.ExprRef) -> object:
    value = model.eval(term, model_completion=True)
    if z3.is_bv_value(value):
        number = value.as_long()
        return number - (1 << 64) if number >= 1 << 63 else number
    return str(value)


ASSUMPTIONS = {
    "field": "A1: different struct fields never alias (p->a and q->b are distinct objects;"
    " in tree mode union members share storage by the compiler's layout)",
    "mem": "A2: plain objects (*p, p[i]) do not alias named fields",
    "escaped": "A3: a local whose address is taken is distinct from every other object",
    "global": "A4: globals are distinct objects",
    "comp": "A5: modelled kernel state (flags, counts, page tables, counters) is separate "
    "from plain fields",
    "opaque-call": "unmodelled calls are deterministic functions of their arguments and of "
    "the state they see",
    "const": "identifiers in capitals are constants (macros, enumerators)",
    "valid-c": "A8: the code is valid C: a value of unknown type assigned without a cast to "
    'an integer variable is an integer, not a pointer (docs/semantics.md, "Pointers and types")',
    "outer": "A6: variables a region uses but does not declare are locals of the enclosing "
    "function: no other CPU and no unmodelled call changes them (their address does not "
    "escape)",
    "confined": "A9: a function passed the address of a local neither keeps nor returns it: "
    "a local whose address goes only to calls changes only where the function writes it "
    "and in the calls passed its address (ir/escape.py)",
}


def _assumptions(used: set[str]) -> list[str]:
    keys = set()
    for name in used:
        if name.startswith("field:"):
            keys.add("field")
        elif name == "mem":
            keys.add("mem")
        elif name in ASSUMPTIONS:
            keys.add(name)
    return [ASSUMPTIONS[k] for k in ASSUMPTIONS if k in keys]


def footprint_text(part: FootPart) -> str:
    """A footprint part as text (for reports)."""
    return part.describe()


__all__ = ["Outcome", "Side", "Swap", "compare"]
