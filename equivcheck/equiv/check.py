"""Verdicts for every function a patch touches (the ``check`` command's engine).

For each patch: static helpers the patch adds, removes or changes are built as graphs
and inlined at their call sites in the version they belong to; each changed or affected
function is compared whole (tree, light, two-file mode) or region by region (patch
alone, with the label map the paired regions show); an added or removed helper gets the
verdict of the callers it was checked through. A patch that also changes code outside
every function cannot be EQUIVALENT on the strength of its functions alone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from equivcheck.equiv.compare import Outcome, Side, SolverTimeout, Verdict, compare
from equivcheck.errors import InputError
from equivcheck.frontend.labels import rename_problems, visible_labels
from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.workset import FunctionWork, PatchWork
from equivcheck.ir.labels import infer_label_map
from equivcheck.ir.lower import function_graph, region_graph
from equivcheck.ir.model import Call, Graph
from equivcheck.ir.regions import combine_regions, pair_exports
from equivcheck.ir.text import canonical_text
from equivcheck.models.table import MODELS
from equivcheck.symex.execute import Config

RANK: dict[Verdict, int] = {"equivalent": 0, "unknown": 1, "different": 2}
COMPILES = (
    "A7: the patched file builds: every goto to a renamed label is renamed too (a goto "
    "outside the patch to a vanished label would not compile)"
)


@dataclass(frozen=True)
class Options:
    """Engine limits (CLI: --timeout, --max-paths, --unroll)."""

    timeout_s: float = 10.0
    max_paths: int = 400
    unroll: int = 2
    budget_s: float = 60.0


@dataclass
class FunctionResult:
    """The verdict on one function, with everything the report shows."""

    file: str
    function: str
    status: str
    verdict: Verdict
    reason: str
    mode: str
    patch: str
    patch_index: int
    label_map: dict[str, str] = field(default_factory=dict)
    inlined: list[str] = field(default_factory=list)
    reorderings: list[dict[str, object]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    counterexample: dict[str, object] = field(default_factory=dict)
    before_location: str = ""
    after_location: str = ""
    time_s: float = 0.0


def worst(verdicts: list[Verdict]) -> Verdict:
    """The worst verdict (different > unknown > equivalent); equivalent when empty."""
    return max(verdicts, key=RANK.__getitem__, default="equivalent")


def check_patches(works: list[PatchWork], options: Options = Options()) -> list[FunctionResult]:
    """Verdicts for every touched function of every patch, in order."""
    results: list[FunctionResult] = []
    for index, work in enumerate(works, start=1):
        results.extend(_check_patch(work, index, options))
    return results


# ---------------------------------------------------------------------- one patch


@dataclass
class _Helpers:
    before: dict[str, Graph] = field(default_factory=dict)
    after: dict[str, Graph] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)


def _check_patch(work: PatchWork, index: int, options: Options) -> list[FunctionResult]:
    helpers = _helpers(work)
    results: dict[str, FunctionResult] = {}
    callers_of: dict[str, list[str]] = {}
    deferred: list[FunctionWork] = []
    for fw in work.functions:
        if fw.change.status in {"added", "removed"}:
            deferred.append(fw)
            continue
        start = time.perf_counter()
        result = _check_function(fw, work, index, helpers, options, callers_of)
        result.time_s = round(time.perf_counter() - start, 3)
        results[fw.change.function] = result
    for fw in deferred:
        results[fw.change.function] = _through_callers(
            fw, work, index, results, callers_of, helpers
        )
    ordered = [
        results[fw.change.function] for fw in work.functions if fw.change.function in results
    ]
    if work.unattributed:
        first = work.unattributed[0]
        where = f"{first.file}:{first.line}" if first.line else first.file
        for result in ordered:
            if result.verdict == "equivalent":
                result.verdict = "unknown"
                result.reason = (
                    f"the patch also changes code outside every function ({where}: "
                    f"{first.text}), which can change what this function means; "
                    f"{result.reason}"
                )
    return ordered


def _is_static(func: FunctionText) -> bool:
    head = func.text.split("(", 1)[0]
    return re.search(r"\bstatic\b", head) is not None


def _graph(func: FunctionText, mode: str) -> Graph:
    return function_graph(func, light=mode != "tree")


def _helpers(work: PatchWork) -> _Helpers:
    helpers = _Helpers()
    for fw in work.functions:
        if fw.change.status not in {"added", "removed", "changed"}:
            continue
        for side, table in (("before", helpers.before), ("after", helpers.after)):
            text = fw.before if side == "before" else fw.after
            if text is None or not _is_static(text):
                continue
            try:
                table[fw.change.function] = _graph(text, fw.mode)
            except InputError as err:
                helpers.broken[fw.change.function] = err.one_line()
    return helpers


def _config(
    helpers: Mapping[str, Graph],
    exclude: str,
    options: Options,
    outer: frozenset[str],
    deadline: float,
) -> Config:
    return Config(
        deadline=deadline,
        models=MODELS,
        helpers={k: v for k, v in helpers.items() if k != exclude},
        loop_bound=options.unroll,
        max_paths=options.max_paths,
        timeout_ms=int(options.timeout_s * 1000),
        outer=outer,
    )


def _calls(graph: Graph) -> set[str]:
    return {
        stmt.callee
        for block in graph.blocks.values()
        for stmt in block.stmts
        if isinstance(stmt, Call) and isinstance(stmt.callee, str)
    }


def _base(
    fw: FunctionWork, work: PatchWork, index: int, verdict: Verdict, reason: str
) -> FunctionResult:
    return FunctionResult(
        fw.change.file,
        fw.change.function,
        fw.change.status,
        verdict,
        reason,
        fw.mode,
        work.title,
        index,
    )


def _check_function(
    fw: FunctionWork,
    work: PatchWork,
    index: int,
    helpers: _Helpers,
    options: Options,
    callers_of: dict[str, list[str]],
) -> FunctionResult:
    name = fw.change.function
    try:
        if fw.before is not None and fw.after is not None:
            pairs = [(_graph(fw.before, fw.mode), _graph(fw.after, fw.mode))]
        elif fw.regions:
            region_pairs = [
                (
                    region_graph(
                        b.text, function=name, file=fw.change.file, first_line=b.first_line
                    ),
                    region_graph(
                        a.text, function=name, file=fw.change.file, first_line=a.first_line
                    ),
                )
                for b, a in fw.regions
            ]
            label_map = infer_label_map(region_pairs)
            # A region start is an entry unless both versions jump away just above it.
            entered = [b.entered or a.entered for b, a in fw.regions]
            before_all = combine_regions(
                [b for b, _ in region_pairs], name=name, file=fw.change.file, entered=entered
            )
            after_all = combine_regions(
                [a for _, a in region_pairs], name=name, file=fw.change.file, entered=entered
            )
            pair_exports(before_all, after_all)
            pairs = [(before_all, after_all)]
        elif fw.problem:
            return _base(fw, work, index, "unknown", fw.problem)
        else:
            return _base(
                fw,
                work,
                index,
                "unknown",
                "no text of this function in one of the versions "
                f"({fw.change.detail or fw.mode}); give --tree to compare it",
            )
    except InputError as err:
        return _base(fw, work, index, "unknown", f"cannot build the IR: {err.one_line()}")
    used_helpers: set[str] = set()
    for before, after in pairs:
        for callee in _calls(before) | _calls(after):
            if callee in helpers.broken:
                return _base(
                    fw,
                    work,
                    index,
                    "unknown",
                    f"helper {callee} cannot be inlined: {helpers.broken[callee]}",
                )
            if callee in helpers.before or callee in helpers.after:
                used_helpers.add(callee)
                callers_of.setdefault(callee, []).append(name)
    if not fw.regions:
        label_map = {}
        before, after = pairs[0]
        if not used_helpers and canonical_text(before) == canonical_text(after):
            return _base(
                fw,
                work,
                index,
                "equivalent",
                "the two versions have the same canonical IR: they differ only in label "
                "names, local names, block layout, comments or spacing",
            )
    if fw.regions and work.patch is not None:
        seen = visible_labels(work.patch, fw.change.file)
        problems = rename_problems(label_map, seen, fw.change.file)
        if problems:
            return _base(fw, work, index, "unknown", "; ".join(problems) + "; give --tree")
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + options.budget_s
    for before, after in pairs:
        # Names a region uses but does not declare: locals of the enclosing function.
        outer = frozenset(before.outer_names) | frozenset(after.outer_names)
        try:
            outcomes.append(
                compare(
                    Side(before, _config(helpers.before, name, options, outer, deadline)),
                    Side(after, _config(helpers.after, name, options, outer, deadline)),
                    label_map,
                    timeout_ms=int(options.timeout_s * 1000),
                )
            )
        except SolverTimeout as err:
            outcomes.append(Outcome("unknown", f"solver timeout ({err}); raise --timeout"))
    if fw.regions:
        outcomes = [_region_limits(o, region_pairs) for o in outcomes]
    return _combine(fw, work, index, outcomes, label_map, sorted(used_helpers))


def _hidden_goto_against_other_exit(
    outcome: Outcome, region_pairs: list[tuple[Graph, Graph]]
) -> bool:
    """One version jumps to a label no shown region defines, the other returns: the
    label's code, out of sight, may do just that return (a goto that only returns)."""
    shown = {label for pair in region_pairs for g in pair for label in g.labels}
    kinds = {exit_key[0] for exit_key in outcome.exits}
    hidden = any(
        exit_key[0] == "goto" and exit_key[1] not in shown for exit_key in outcome.exits
    )
    return hidden and kinds == {"goto", "return"}


def _region_limits(outcome: Outcome, region_pairs: list[tuple[Graph, Graph]]) -> Outcome:
    """A difference found from the patch alone that the code outside the regions could
    still cancel is UNKNOWN: an outer variable left different where the function goes
    on (later code may not use it), or an effect that both versions perform but in
    different regions (it may have moved across code the patch does not show)."""
    if outcome.verdict != "different":
        return outcome
    if outcome.kind == "outer" and outcome.continues:
        return Outcome(
            "unknown",
            f"{outcome.reason} when the region is left; whether the rest of the function "
            "uses it is outside the patch; give --tree",
            assumptions=outcome.assumptions,
        )
    if outcome.kind == "exit" and _hidden_goto_against_other_exit(outcome, region_pairs):
        return Outcome(
            "unknown",
            f"{outcome.reason}; the label is outside the patch, so what it does (perhaps "
            "the same) cannot be seen; give --tree",
            assumptions=outcome.assumptions,
        )
    where_before = {i for i, (b, _) in enumerate(region_pairs) if outcome.subject in _calls(b)}
    where_after = {i for i, (_, a) in enumerate(region_pairs) if outcome.subject in _calls(a)}
    if outcome.kind == "event" and where_before and where_after and where_before != where_after:
        return Outcome(
            "unknown",
            f"{outcome.reason}, but both versions call {outcome.subject}() in different "
            "regions: it may have moved across code the patch does not show; give --tree",
            assumptions=outcome.assumptions,
        )
    return outcome


def _combine(
    fw: FunctionWork,
    work: PatchWork,
    index: int,
    outcomes: list[Outcome],
    label_map: dict[str, str],
    inlined: list[str],
) -> FunctionResult:
    verdict = worst([o.verdict for o in outcomes])
    chosen = next(o for o in outcomes if o.verdict == verdict)
    parts = len(outcomes)
    reason = chosen.reason
    if parts > 1 and verdict == "equivalent":
        reason = f"all {parts} changed regions are equivalent; " + "; ".join(
            o.reason for o in outcomes
        )
    result = _base(fw, work, index, verdict, reason)
    result.label_map = {k: v for k, v in label_map.items() if k != v}
    result.inlined = inlined
    result.reorderings = [
        {
            "first": s.first,
            "second": s.second,
            "first_location": str(s.first_loc) if s.first_loc else "",
            "second_location": str(s.second_loc) if s.second_loc else "",
            "why": s.why,
        }
        for o in outcomes
        for s in o.swaps
    ]
    assumptions = {a for o in outcomes for a in o.assumptions}
    if result.label_map:
        assumptions.add(COMPILES)
    result.assumptions = sorted(assumptions)
    result.counterexample = chosen.counterexample
    result.before_location = str(chosen.before_loc) if chosen.before_loc else ""
    result.after_location = str(chosen.after_loc) if chosen.after_loc else ""
    return result


def _through_callers(
    fw: FunctionWork,
    work: PatchWork,
    index: int,
    results: dict[str, FunctionResult],
    callers_of: dict[str, list[str]],
    helpers: _Helpers,
) -> FunctionResult:
    name = fw.change.function
    callers = sorted(set(callers_of.get(name, [])))
    if name in helpers.broken:
        return _base(fw, work, index, "unknown", helpers.broken[name])
    if callers:
        verdict = worst([results[c].verdict for c in callers if c in results])
        result = _base(
            fw,
            work,
            index,
            verdict,
            f"checked through its callers: {', '.join(callers)} ({verdict})",
        )
        return result
    text = fw.after if fw.change.status == "added" else fw.before
    if text is not None and _is_static(text):
        return _base(
            fw,
            work,
            index,
            "equivalent",
            f"static and called by no function of the patch: {fw.change.status} without effect",
        )
    return _base(
        fw,
        work,
        index,
        "unknown",
        f"{fw.change.status} function that other code may call; not checked "
        "through any caller of this patch",
    )
