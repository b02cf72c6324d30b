"""From two compiled functions to an opinion (imports angr: called lazily).

1. Load both objects (:func:`equivcheck.binary.explore.load`) and find the function
   (or the one ``.constprop``/``.isra`` clone gcc left of it).
2. Identical machine code (:mod:`equivcheck.binary.identical`): agree at once.
3. Explore both versions with loops unrolled ``unroll`` times, then compare every pair
   of finished paths (:mod:`equivcheck.binary.compare`). A divergence on finished paths
   is a disagreement even if other paths were cut.
4. When paths were cut only at loops, the inductive rule (:mod:`equivcheck.binary.loops`)
   may still prove agreement; otherwise the opinion is inconclusive and says why.
"""

from __future__ import annotations

import time
from typing import Any

from equivcheck.binary import explore as ex
from equivcheck.binary import loops
from equivcheck.binary.compare import FOOTPRINTED, Comparison, Divergence, compare
from equivcheck.binary.identical import identical_code, initial_data_difference, same_contents
from equivcheck.binary.layout import Layout
from equivcheck.binary.model import CompiledFunction, Opinion, OpinionDetails, VersionStats
from equivcheck.binary.records import Event, Exploration, PathRecord
from equivcheck.binary.signatures import Signature
from equivcheck.binary.smt import Translator
from equivcheck.limits import Limits
from equivcheck.models.table import MODELS

PURE = frozenset(m.name for m in MODELS.values() if m.kind in ("pure", "identity"))

ASSUMPTIONS = [
    "B1: a called function may change all non-stack memory and the stack bytes an escaped "
    "pointer reaches; its result depends on its name, arguments and place in the trace",
    "B2: plain stores between two events are compared by the memory they leave, not by "
    "their order (volatile accesses look like plain ones in machine code)",
    "B3: distinct globals do not overlap; a pointer that escapes points at the start of "
    "its stack object",
    "B4: static keys may be in either state (the same in both versions); alternatives "
    "run their original instructions",
    "B5: a call of a read or effect model (docs/models.md) touches only its footprint, as "
    "in the source engine: it neither changes nor sees memory, its result depends on its "
    "arguments and that state, and it may swap with a neighbour whose footprint is "
    "disjoint",
]


def opinion(
    before: CompiledFunction, after: CompiledFunction, budget: Limits, shortcut: bool = True
) -> Opinion:
    """The binary opinion on ``before`` against ``after`` within ``budget``."""
    started = time.perf_counter()
    deadline = started + budget.budget_s
    details = OpinionDetails()
    details.assumptions = list(ASSUMPTIONS)

    def done(kind: str, reason: str) -> Opinion:
        return Opinion(kind, reason, time.perf_counter() - started, details)  # type: ignore[arg-type]

    try:
        la, lb = ex.load(before.object_path), ex.load(after.object_path)
    except Exception as exc:  # CLE's errors have no common base worth naming
        return done("inconclusive", f"cannot load the objects: {exc}"[:300])
    sym_a = ex.find_function(la.layout, before.function)
    sym_b = ex.find_function(lb.layout, after.function)
    for sym, fn in ((sym_a, before), (sym_b, after)):
        if sym is None:
            where = fn.label or fn.object_path.name
            return done(
                "inconclusive", f"{fn.function} is not in the {where} object (inlined or removed)"
            )
    assert sym_a is not None and sym_b is not None
    details.before = VersionStats(before.label, sym_a)
    details.after = VersionStats(after.label, sym_b)
    if _clone_kind(sym_a) != _clone_kind(sym_b):
        return done("inconclusive", f"compiled differently: {sym_a} against {sym_b}")
    if shortcut:
        same, _ = identical_code(before.object_path, sym_a, after.object_path, sym_b)
        if same:
            details.method = "identical machine code"
            return done("agree", f"identical machine code ({sym_a})")
    details.method = "symbolic execution"
    sig_a, sig_b = _signature(before), _signature(after)
    limits = ex.Limits(deadline, budget.max_paths, budget.unroll)
    ctx_a = ex.make_context(la, sym_a, before.signatures(), "A", sig_a, PURE, FOOTPRINTED)
    ctx_b = ex.make_context(lb, sym_b, after.signatures(), "B", sig_b, PURE, FOOTPRINTED)
    tr = Translator()
    failed_rule = ""
    if loops.has_loops(ctx_a) or loops.has_loops(ctx_b):
        proof = loops.induction(ctx_a, ctx_b, limits, tr, budget.timeout_s)
        details.limits.extend(proof.notes)
        details.before.loop_heads = details.after.loop_heads = proof.heads
        details.before.paths, details.after.paths = proof.paths
        details.explore_s, details.compare_s = proof.explore_s, proof.compare_s
        if proof.outcome == "agree":
            alt_limit = (
                _alternatives(ctx_a, ctx_b, details)
                or _referenced(before, after, ctx_a, ctx_b)
                or _initial_data(before, after, ctx_a, ctx_b)
            )
            if alt_limit:
                return done("inconclusive", alt_limit)
            details.method = "symbolic execution, inductive loop rule"
            return done(
                "agree", f"no difference on any path; loops by the inductive rule ({proof.summary})"
            )
        if proof.outcome == "disagree" and proof.divergence is not None:
            _explain(details, proof.divergence, tr, la.layout, lb.layout)
            return done("disagree", proof.reason)
        failed_rule = f"; the inductive loop rule failed: {proof.reason}"
        if time.perf_counter() > deadline:
            return done("inconclusive", "time budget" + failed_rule)
    run_a = ex.explore(ctx_a, ex.entry_state(ctx_a), limits)
    run_b = ex.explore(ctx_b, ex.entry_state(ctx_b), limits)
    _stats(details.before, run_a)
    _stats(details.after, run_b)
    details.explore_s += run_a.seconds + run_b.seconds
    finished_a = _finished(run_a)
    finished_b = _finished(run_b)
    result = compare(finished_a, finished_b, tr, deadline, budget.timeout_s)
    details.pairs_checked = result.pairs
    details.compare_s += result.seconds
    if result.outcome == "disagree" and result.divergence is not None:
        _explain(details, result.divergence, tr, la.layout, lb.layout)
        return done("disagree", _disagree_reason(result))
    alt_limit = _alternatives(ctx_a, ctx_b, details)
    cuts = _cut_reasons(run_a) + _cut_reasons(run_b)
    if result.outcome == "inconclusive":
        if result.divergence is not None:
            _explain(details, result.divergence, tr, la.layout, lb.layout)
        extra = f"; also {_cut_summary(cuts)}" if cuts else ""
        if result.reason in failed_rule:
            failed_rule = "; the inductive loop rule failed on the same difference"
        return done("inconclusive", result.reason + extra + failed_rule)
    if cuts:
        return done("inconclusive", _cut_summary(cuts) + failed_rule)
    alt_limit = (
        alt_limit
        or _referenced(before, after, ctx_a, ctx_b)
        or _initial_data(before, after, ctx_a, ctx_b)
    )
    if alt_limit:
        return done("inconclusive", alt_limit)
    n = f"{len(finished_a.paths)}/{len(finished_b.paths)} paths"
    details.reorderings = list(result.reorderings)
    reordered = "".join(f"; reordered: {r}" for r in result.reorderings)
    return done("agree", f"no difference on any path ({n}, {result.pairs} pairs){reordered}")


def _referenced(before: CompiledFunction, after: CompiledFunction, ctx_a: Any, ctx_b: Any) -> str:
    """Code and constant data whose address the function hands out (a callback, a
    table) are compared by name: their contents must be the same in both objects."""
    own = (before.function, after.function, ctx_a.function, ctx_b.function)
    names = sorted(
        n
        for n in ctx_a.referenced | ctx_b.referenced
        if not any(n == f or n.startswith(f + ".") for f in own)
    )
    if not names:
        return ""
    differ = same_contents(before.object_path, after.object_path, names)
    if differ:
        return f"the address of {differ} is used as a value and its contents differ"
    return ""


def _initial_data(before: CompiledFunction, after: CompiledFunction, ctx_a: Any, ctx_b: Any) -> str:
    """Writable data the function refers to must start with the same bytes in both
    objects: the symbolic run takes its contents as an input both versions share."""
    differ = initial_data_difference(
        before.object_path, ctx_a.function, after.object_path, ctx_b.function
    )
    return f"the initial value of {differ} differs between the objects" if differ else ""


def _clone_kind(symbol: str) -> str:
    parts = symbol.split(".")
    return parts[1] if len(parts) > 1 else ""


def _signature(fn: CompiledFunction) -> Signature:
    if fn.signature is not None:
        return fn.signature
    return fn.signatures().get(fn.function)


def _finished(run: Exploration) -> Exploration:
    out = Exploration(symbol=run.symbol)
    out.paths = [p for p in run.paths if p.end != "cut"]
    return out


def _cut_reasons(run: Exploration) -> list[str]:
    reasons: list[str] = []
    for path in run.paths:
        if path.end == "cut" and path.reason not in reasons:
            reasons.append(path.reason)
    if run.out_of_budget and run.out_of_budget not in reasons:
        reasons.insert(0, run.out_of_budget)
    return reasons


def _cut_summary(cuts: list[str]) -> str:
    budget = [c for c in cuts if "budget" in c]
    first = budget[0] if budget else cuts[0]
    more = f" (and {len(cuts) - 1} more reasons)" if len(cuts) > 1 else ""
    return f"paths cut: {first}{more}"


def _stats(stats: VersionStats, run: Exploration) -> None:
    stats.paths = len(run.paths)
    stats.returned = sum(1 for p in run.paths if p.end == "return")
    stats.terminal = sum(1 for p in run.paths if p.end in ("bug", "noreturn"))
    stats.cut = sum(1 for p in run.paths if p.end == "cut")
    stats.steps = run.steps
    stats.seconds = run.seconds
    stats.limits = _cut_reasons(run)


def _alternatives(ctx_a: Any, ctx_b: Any, details: OpinionDetails) -> str:
    """Alternatives reached: noted, and their replacements must be the same code."""
    sites_a = sorted((s.feature, s.length, s.replacement) for s in ctx_a.alt_reached.values())
    sites_b = sorted((s.feature, s.length, s.replacement) for s in ctx_b.alt_reached.values())
    if not sites_a and not sites_b:
        return ""
    details.limits.append(
        f"alternatives reached: {len(sites_a)}/{len(sites_b)} sites run their original instructions"
    )
    if sites_a != sites_b:
        return "alternatives differ between the versions (their replacements are not compared)"
    return ""


def _disagree_reason(result: Comparison) -> str:
    div = result.divergence
    assert div is not None
    return f"the compiled versions differ: {div.why}"


def _explain(
    details: OpinionDetails, div: Divergence, tr: Translator, la: Layout, lb: Layout
) -> None:
    at = div.events or (None, None)
    details.before_trace = _trace(div.path_a, div, tr, la, div.notes[0], at[0])
    details.after_trace = _trace(div.path_b, div, tr, lb, div.notes[1], at[1])
    details.inputs = _inputs(div, tr, la)


def _value(expr: Any, div: Divergence, tr: Translator, layout: Layout) -> str:
    if expr is None:
        return "?"
    try:
        term = div.model.eval(tr(expr), True)
        number = term.as_long()
        bits = term.size()
    except Exception:  # an expression z3 cannot evaluate to a number
        return "?"
    if number >= 1 << (bits - 1) and (1 << bits) - number <= 0xFFFF:
        return str(number - (1 << bits))
    return layout.describe(number) if number > 0xFFFF else str(number)


def _trace(
    path: PathRecord,
    div: Divergence,
    tr: Translator,
    layout: Layout,
    notes: list[str],
    last: Event | None = None,
) -> list[str]:
    """The path's events up to the divergence (``last``, when it is known)."""
    lines = []
    visible = [e for e in path.events if e.kind != "pure"]
    if last is not None and any(e is last for e in visible):
        upto = next(i for i, e in enumerate(visible) if e is last) + 1
    else:
        upto = div.index + 1 + _bag_extra(visible, div.index)
    for i, event in enumerate(visible[:upto]):
        lines.append(_event_text(event, div, tr, layout))
        if i > 64:
            lines.append("...")
            break
    if lines and notes:
        lines[-1] += " with " + "; ".join(notes)
    return lines


def _bag_extra(events: list[Event], index: int) -> int:
    # Read-only calls are grouped before a side-effecting event: count them in.
    seen = 0
    extra = 0
    for event in events:
        if seen > index:
            break
        if event.kind == "call" and not event.side_effect:
            extra += 1
        else:
            seen += 1
    return extra


def _event_text(event: Event, div: Divergence, tr: Translator, layout: Layout) -> str:
    args = ", ".join(_value(a.value, div, tr, layout) for a in event.args)
    if event.kind == "call":
        return f"call {event.name}({args})"
    if event.kind == "return":
        return f"return {args}" if args else "return"
    return event.name if event.kind in ("barrier", "warn") else event.kind


def _inputs(div: Divergence, tr: Translator, layout: Layout) -> dict[str, str]:
    out: dict[str, str] = {}
    model = div.model
    if model is None:
        return out
    for decl in model.decls():
        name = decl.name()
        if name.startswith("arg") or name.startswith("key:"):
            try:
                out[name] = layout.describe(model[decl].as_long())
            except Exception:
                continue
    return dict(sorted(out.items()))
