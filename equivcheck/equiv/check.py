"""Verdicts for every function a patch touches (the ``check`` command's engine).

For each patch: the functions the patch adds, removes or changes (and the unchanged
ones between them and a caller) are built as graphs and inlined at their call sites in
the version they belong to (a ``static`` one only in its own file, a ``__weak`` one
never); each reported changed or affected function is compared whole (tree, light,
two-file mode) or region by region (patch alone, with the label map the paired regions
show); an added or removed helper gets the verdict of the callers it was checked
through. Nothing is dropped silently: a function that cannot be compared is UNKNOWN
with the reason, a function calling a changed one that could not be inlined is
EQUIVALENT only when that one is, and a C file whose code changed with nothing compared
or listed for it gets an UNKNOWN row. A patch that also changes code outside every
function cannot be EQUIVALENT on the strength of its functions alone.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import z3

from equivcheck.equiv.compare import (
    STATE_DEPENDENT,
    UNSUPPORTED,
    Focus,
    Outcome,
    Side,
    find_difference,
)
from equivcheck.equiv.copies import entry_copies
from equivcheck.equiv.footprints import (
    Inferred,
    body_graph,
    infer,
    read_unit_bodies,
    value_models,
)
from equivcheck.equiv.induction import compare_with_induction
from equivcheck.equiv.inlining import UnitInline, unit_inline
from equivcheck.equiv.uses import (
    address_uses,
    direct_calls,
    hidden_calls,
    reaching,
    unsupported,
)
from equivcheck.errors import InputError
from equivcheck.frontend.model import FileContext, FunctionText, SourceLocation
from equivcheck.frontend.patch.clex import identifiers, mask
from equivcheck.frontend.source.fragments import Region
from equivcheck.frontend.source.functions import is_weak
from equivcheck.frontend.source.labels import rename_problems, visible_labels
from equivcheck.frontend.source.textdiff import (
    mentions,
    whole_function_patch,
    whole_function_regions,
)
from equivcheck.frontend.unit.fileconstants import (
    declares_own_types,
    defines_types,
    trusted_constants,
)
from equivcheck.frontend.unit.prototypes import (
    TYPEDEF,
    Parameters,
    common_return_types,
    parameter_types,
    return_types,
    volatile_globals,
)
from equivcheck.frontend.unit.typesizes import (
    TYPE_FACTS,
    constant_name,
    integer_typedefs,
    respell,
    type_key,
    type_sizes,
)
from equivcheck.frontend.unit.unions import holding_arrays, holds_array, plain_members
from equivcheck.frontend.workset import FunctionWork, PatchWork
from equivcheck.frontend.workset import Side as Version
from equivcheck.ir.canon import graph_nodes, resolve_typeof, retype, typeof_calls
from equivcheck.ir.ctype import spelled
from equivcheck.ir.escape import confined_locals
from equivcheck.ir.labels import infer_label_map
from equivcheck.ir.lower import function_graph, region_graph
from equivcheck.ir.model import AddrOf, Call, Deref, Expr, Field, Global, Graph, Index, Param
from equivcheck.ir.regions import combine_regions, pair_exports
from equivcheck.ir.text import canonical_text
from equivcheck.kernel import CONSTANTS
from equivcheck.limits import DEFAULT_LIMITS, Limits
from equivcheck.models.table import MODELS
from equivcheck.symex.execute import Config, callees_of, layout_keys
from equivcheck.symex.solver import SolverTimeout, own_context
from equivcheck.symex.spec import Model
from equivcheck.symex.state import LAYOUT, MEM
from equivcheck.verdict import Verdict, VerdictName

COMPILES = (
    "A7: the patched file builds: every goto to a renamed label is renamed too (a goto "
    "outside the patch to a vanished label would not compile)"
)


Options = Limits
"""The engine limits a check runs with (equivcheck/limits.py)."""


@dataclass
class FunctionResult:
    """The verdict on one function, with everything the report shows."""

    file: str
    function: str
    status: str
    verdict: VerdictName
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
    before_line: int = 0
    after_line: int = 0
    before_path: list[int] = field(default_factory=list)
    after_path: list[int] = field(default_factory=list)
    binary: dict[str, object] | None = None


Progress = Callable[[int, str], None]


def check_patches(
    works: list[PatchWork], options: Options = DEFAULT_LIMITS, progress: Progress | None = None
) -> list[FunctionResult]:
    """Verdicts for every touched function of every patch, in order. ``progress`` is
    told the patch number and function name before each function is compared."""
    results: list[FunctionResult] = []
    for index, work in enumerate(works, start=1):
        results.extend(check_patch(work, index, options, progress))
    return results


# ---------------------------------------------------------------------- one patch


@dataclass
class _Helpers:
    """The graphs inlined at call sites, per version; why some cannot be; which are
    ``static`` and where they live; what each compared function calls (shared by
    every per-file view)."""

    before: dict[str, Graph] = field(default_factory=dict)
    after: dict[str, Graph] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)
    static_in: dict[str, str] = field(default_factory=dict)
    called: dict[str, set[str]] = field(default_factory=dict)

    def for_file(self, file: str) -> _Helpers:
        """The helpers a function of ``file`` may call: not another ``.c`` file's
        statics (a header's are in every file that includes it)."""
        other = {n for n, f in self.static_in.items() if f != file and not f.endswith(".h")}
        return _Helpers(
            {n: g for n, g in self.before.items() if n not in other},
            {n: g for n, g in self.after.items() if n not in other},
            {n: w for n, w in self.broken.items() if n not in other},
            self.static_in,
            self.called,
        )


NOT_COMPARED = "not compared"


class _Results(dict[tuple[str, str], FunctionResult]):
    """Results by (file, function): two files of a patch may define the same name."""

    def of(self, file: str, name: str) -> FunctionResult | None:
        """The result for ``name`` in ``file``, else the only one of that name."""
        if (file, name) in self:
            return self[(file, name)]
        named = [r for (_, n), r in self.items() if n == name]
        return named[0] if len(named) == 1 else None


def check_patch(
    work: PatchWork, index: int, options: Options = DEFAULT_LIMITS, progress: Progress | None = None
) -> list[FunctionResult]:
    """Verdicts for the touched functions of one patch, numbered ``index`` in its run
    (a patch is the unit of work: its functions' verdicts lean on each other's)."""
    return _PatchChecker(work, index, options, _helpers(work), progress).run()


@dataclass
class _PatchChecker:
    """One patch's run: its work and number, the run's options and the ``short`` ones
    an affected caller gets, every helper of the patch, which callers each helper was
    checked through, and the results so far (a changed helper is decided when a caller
    asks for its verdict). A function is checked with its file's view of the helpers
    (``all_helpers.for_file(file)``, never another file's statics) and the options
    chosen for it: the methods take both as ``helpers`` and ``options``."""

    work: PatchWork
    index: int
    options: Options
    all_helpers: _Helpers
    progress: Progress | None = None
    results: _Results = field(default_factory=_Results)
    callers_of: dict[str, list[str]] = field(default_factory=dict)
    deciding: set[tuple[str, str]] = field(default_factory=set)
    by_key: dict[tuple[str, str], FunctionWork] = field(init=False)
    short: Options = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {(fw.change.file, fw.change.function): fw for fw in self.work.functions}
        self.short = dataclasses.replace(self.options, budget_s=min(self.options.budget_s, 5.0))

    def run(self) -> list[FunctionResult]:
        """The patch's rows: its reported functions in order, then an UNKNOWN row per C
        file changed with nothing compared."""
        work, results = self.work, self.results
        deferred: list[FunctionWork] = []
        # Only reported functions are compared; the others are there to be inlined.
        reported = [fw for fw in work.functions if fw.reported]
        # Changed functions first: an affected caller can then lean on their verdicts.
        resigned = {fw.change.function for fw in reported if self.new_signature(fw)}
        order = [
            fw
            for fw in reported
            if fw.change.status == "changed" and fw.change.function not in resigned
        ]
        order += [fw for fw in reported if fw.change.status == "affected"]
        for fw in reported:
            if fw.change.status in {"added", "removed"} or fw.change.function in resigned:
                deferred.append(fw)
        for fw in order:
            self.decide(fw)
        for fw in deferred:
            results[(fw.change.file, fw.change.function)] = self.through_callers(fw)
        self.lean_on_opaque_changes()
        self.lean_on_unseen_lines()
        ordered = [results[(fw.change.file, fw.change.function)] for fw in reported]
        ordered += self.files_not_compared(ordered)
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

    def decide(self, fw: FunctionWork) -> FunctionResult:
        """The result for ``fw``, decided once (``progress`` is told first)."""
        key = (fw.change.file, fw.change.function)
        if key in self.results:
            return self.results[key]
        self.deciding.add(key)
        if self.progress is not None and fw.reported:
            self.progress(self.index, fw.change.function)
        start = time.perf_counter()
        scoped = self.all_helpers.for_file(fw.change.file)
        result = self.unchanged_caller(fw, scoped)
        if result is None:
            # A caller whose own text did not change gets a short look: its changed
            # helpers carry the verdict that matters.
            chosen = self.short if fw.change.status == "affected" else self.options
            try:
                # (a z3 context of its own: the verdict does not depend on what was
                # compared before in this process)
                with own_context():
                    result = self.check_function(fw, scoped, chosen)
            except (
                RecursionError,
                TypeError,
                ValueError,
                KeyError,
                AttributeError,
                z3.Z3Exception,
            ) as err:
                # An engine bug on this input: UNKNOWN for this function, never a
                # traceback or a verdict resting on it.
                result = self.base(
                    fw,
                    "unknown",
                    f"internal error in the engine ({type(err).__name__}: {err}); "
                    "please report it with this function",
                )
        result.time_s = round(time.perf_counter() - start, 3)
        self.results[key] = result
        self.deciding.discard(key)
        return result

    def verdict_of(self, file: str, name: str) -> VerdictName | None:
        """A changed or affected helper's own verdict, decided now if need be (also
        when it is not reported: ``--function`` then leans on it as a run without
        would); None for an added or removed one, or one being decided."""
        fw = self.by_key.get((file, name))
        if fw is None:
            named = [f for (_, n), f in self.by_key.items() if n == name]
            fw = named[0] if len(named) == 1 else None
        if fw is None or fw.change.status not in {"changed", "affected"}:
            return None
        if self.new_signature(fw):
            return None  # (compared only through its callers)
        if (fw.change.file, fw.change.function) in self.deciding:
            return None
        return self.decide(fw).verdict

    def lean_on_opaque_changes(self) -> None:
        """A function compared with a call to a changed function of its file left opaque
        (no whole text of the callee to inline: patch-alone mode) took the callee as the
        same in both versions: its EQUIVALENT stands only when the callee's own verdict is
        EQUIVALENT too (an equivalent callee can stand in for the other anywhere)."""
        work, results, helpers = self.work, self.results, self.all_helpers
        changed = {
            fw.change.function: fw
            for fw in work.functions
            if fw.change.status in {"changed", "added", "removed"}
            and not _weak_work(fw)
            and fw.change.function not in helpers.before
            and fw.change.function not in helpers.after
            and fw.change.function not in helpers.broken
        }
        grew = True
        while grew:
            grew = False
            for (file, name), result in results.items():
                if result.verdict != "equivalent":
                    continue
                verdicts = {
                    callee: (
                        found.verdict
                        if (found := results.of(changed[callee].change.file, callee))
                        else NOT_COMPARED
                    )
                    for callee in helpers.called.get(name, set())
                    if callee != name
                    and callee in changed
                    and _reachable_from(changed[callee], file, helpers)
                }
                opaque = sorted(c for c, v in verdicts.items() if v != "equivalent")
                if opaque:
                    callee = opaque[0]
                    verdict = verdicts[callee].upper()
                    result.verdict = "unknown"
                    result.reason = (
                        f"calls {callee}, which the patch changes and which could not be "
                        f"inlined (no whole text of it; give --tree), and {callee} is "
                        f"{verdict}: {result.reason}"
                    )
                    grew = True

    def lean_on_unseen_lines(self) -> None:
        """A function compared from the lines a patch shows (no whole text of it) may call,
        in the lines the patch does not show, another function the patch changes (of its
        file, or of another file unless known ``static`` there): its EQUIVALENT stands
        only when every such function is EQUIVALENT too."""
        work, results, helpers = self.work, self.results, self.all_helpers
        partial = [
            fw
            for fw in work.functions
            if fw.reported and (fw.before is None or fw.after is None) and fw.regions
        ]
        changed = [fw for fw in work.functions if fw.change.status in {"changed", "affected"}]
        grew = True
        while grew:
            grew = False
            for fw in partial:
                file, name = fw.change.file, fw.change.function
                result = results.of(file, name)
                if result is None or result.verdict != "equivalent":
                    continue
                others = [
                    (other.change.function, found.verdict if found else NOT_COMPARED)
                    for other in changed
                    if other.change.function != name and _reachable_from(other, file, helpers)
                    for found in [results.of(other.change.file, other.change.function)]
                ]
                doubtful = sorted((n, v) for n, v in others if v != "equivalent")
                if doubtful:
                    callee, verdict = doubtful[0]
                    result.verdict = "unknown"
                    result.reason = (
                        f"the lines of {name} the patch does not show may call {callee}, "
                        f"which the patch changes and which is {verdict.upper()} (give "
                        f"--tree to see the whole function): {result.reason}"
                    )
                    grew = True

    def files_not_compared(self, results: list[FunctionResult]) -> list[FunctionResult]:
        """An UNKNOWN row for each C file whose code the input changes while no function
        of it was compared and no change outside functions was listed for it: the run
        cannot vouch for what it did not see."""
        work = self.work
        accounted = {r.file for r in results} | {u.file for u in work.unattributed}
        rows = []
        for path, where in changed_c_files(work).items():
            if path in accounted:
                continue
            rows.append(
                FunctionResult(
                    path,
                    "(no function)",
                    NOT_COMPARED,
                    "unknown",
                    f"the input changes C code in {path} ({where}) but no function of it "
                    "was compared and no change outside functions was found: nothing "
                    "vouches for this change",
                    "-",
                    work.title,
                    self.index,
                )
            )
        return rows

    def base(self, fw: FunctionWork, verdict: VerdictName, reason: str) -> FunctionResult:
        """The result row for ``fw`` with a verdict and its reason."""
        return FunctionResult(
            fw.change.file,
            fw.change.function,
            fw.change.status,
            verdict,
            reason,
            fw.mode,
            self.work.title,
            self.index,
            before_line=_first_line(fw, "before"),
            after_line=_first_line(fw, "after"),
        )

    def unchanged_caller(self, fw: FunctionWork, helpers: _Helpers) -> FunctionResult | None:
        """An affected function whose own text is unchanged and whose changed helpers are
        all EQUIVALENT is EQUIVALENT (a helper equivalent for every input can stand in for
        the other anywhere); otherwise None (it is compared with the helpers inlined)."""
        if fw.change.status != "affected" or fw.before is None or fw.after is None:
            return None
        try:
            before, after = _graph(fw.before, fw.mode), _graph(fw.after, fw.mode)
        except InputError:
            return None
        if canonical_text(before) != canonical_text(after):
            return None
        used, problem = self.uses_helpers([before, after], fw.change.function, helpers)
        if problem or self.unseen_uses(fw, (before, after), helpers):
            return None
        # (a helper called only through another changed one is inside that one's
        # verdict: it was compared with it inlined)
        direct = sorted(used & (_calls(before) | _calls(after)))
        for name in direct:
            if self.verdict_of(fw.change.file, name) != "equivalent":
                return None
        if not direct:
            return self.base(
                fw,
                "equivalent",
                "its own text is unchanged, and so is every function it calls as the "
                "configuration compiles them (but for names, labels, layout or comments)",
            )
        return self.base(
            fw,
            "equivalent",
            f"its own text is unchanged and the changed helpers it calls "
            f"({', '.join(direct)}) are equivalent",
        )

    def unseen_uses(
        self,
        fw: FunctionWork,
        graphs: tuple[Graph, Graph],
        helpers: _Helpers,
        inlined: set[str] | None = None,
    ) -> str:
        """Why comparing ``fw``'s texts with the changed helpers inlined would not see
        every use of a changed function (:mod:`equivcheck.equiv.uses`), or empty."""
        assert fw.before is not None and fw.after is not None
        name = fw.change.function
        changed = _changed_names(helpers) - {name}
        problem = (
            address_uses(name, list(graphs), changed)
            or unsupported(name, list(graphs))
            or _one_sided(fw, helpers)
        )
        if problem or fw.mode != "light" or not changed:
            return problem
        texts = {f.change.function: f for f in self.work.functions}
        versions: list[tuple[Version, FunctionText]] = [("before", fw.before), ("after", fw.after)]
        for side, text in versions:
            source = self.work.source(side, fw.change.file)
            if source is None:
                return (
                    f"{name} is read without its macros expanded and the input has no "
                    "whole file to tell which macros call a changed function; give --tree"
                )
            hidden = reaching(source, changed, frozenset(helpers.before) | frozenset(helpers.after))
            bodies = [text.text] + [
                t.text
                for helper in sorted(inlined or set())
                if helper in texts
                for t in [texts[helper].text(side)]
                if t is not None
            ]
            problem = hidden_calls(name, bodies, hidden - {name})
            if problem:
                return problem
        return ""

    def check_function(
        self, fw: FunctionWork, helpers: _Helpers, options: Options
    ) -> FunctionResult:
        """Compare ``fw``: whole when both texts are known, else from the patch's regions."""
        if fw.problem:
            return self.base(fw, "unknown", fw.problem)
        if fw.before is not None and fw.after is not None:
            return self.check_whole(fw, helpers, options)
        if fw.regions:
            return self.check_patch_regions(fw, helpers, options)
        return self.base(
            fw,
            "unknown",
            "no text of this function in one of the versions "
            f"({fw.change.detail or fw.mode}); give --tree to compare it",
        )

    def uses_helpers(
        self, graphs: list[Graph], name: str, helpers: _Helpers
    ) -> tuple[set[str], str]:
        """The changed helpers ``graphs`` call, directly (noting the caller) or through
        other helpers, or why one cannot be inlined: it has no graph."""
        callers_of = self.callers_of
        used: set[str] = set()
        called = helpers.called.setdefault(name, set())
        for graph in graphs:
            for callee in _calls(graph):
                called.add(callee)
                if callee in helpers.broken:
                    return used, f"helper {callee} cannot be inlined: {helpers.broken[callee]}"
                if callee in helpers.before or callee in helpers.after:
                    used.add(callee)
                    if name not in callers_of.setdefault(callee, []):
                        callers_of[callee].append(name)
        seen, todo = set(used), list(used)
        while todo:
            helper = todo.pop()
            inner = [g for g in (helpers.before.get(helper), helpers.after.get(helper)) if g]
            for callee in set().union(*map(_calls, inner)) - seen:
                called.add(callee)
                if callee in helpers.broken:
                    return used, (
                        f"helper {helper} calls {callee}, which cannot be inlined: "
                        f"{helpers.broken[callee]}"
                    )
                if callee in helpers.before or callee in helpers.after:
                    seen.add(callee)
                    todo.append(callee)
        return seen, ""

    def check_patch_regions(
        self, fw: FunctionWork, helpers: _Helpers, options: Options
    ) -> FunctionResult:
        """Patch alone: compare the changed regions the patch shows, with the label map
        they imply (a renamed label must be renamed at every goto the patch shows)."""
        work = self.work
        name = fw.change.function
        try:
            built = _build_regions(fw.regions, name, fw.change.file, frozenset())
        except InputError as err:
            return self.base(fw, "unknown", f"cannot build the IR: {err.one_line()}")
        used, problem = self.uses_helpers([built.before, built.after], name, helpers)
        problem = (
            problem
            or address_uses(name, [built.before, built.after], _changed_names(helpers))
            or unsupported(name, [built.before, built.after])
        )
        if problem:
            return self.base(fw, "unknown", problem)
        if work.patch is not None:
            seen = visible_labels(work.patch, fw.change.file)
            problems = rename_problems(built.label_map, seen, fw.change.file)
            if problems:
                return self.base(fw, "unknown", "; ".join(problems) + "; give --tree")
        deadline = time.monotonic() + options.budget_s
        ctx = Comparison(name, helpers, options, deadline, built.label_map)
        outcome = _run_compare(built.before, built.after, ctx)
        outcome = _region_limits(outcome, built.pairs)
        return self.combine(fw, [outcome], built.label_map, sorted(used))

    def check_whole(self, fw: FunctionWork, helpers: _Helpers, options: Options) -> FunctionResult:
        """Both whole texts known: the canonical IR first, then the changed regions (the
        rest of the function being the same text), then the whole function."""
        assert fw.before is not None and fw.after is not None
        name = fw.change.function
        try:
            before, after = _graph(fw.before, fw.mode), _graph(fw.after, fw.mode)
        except InputError as err:
            return self.base(fw, "unknown", f"cannot build the IR: {err.one_line()}")
        used, problem = self.uses_helpers([before, after], name, helpers)
        problem = problem or self.unseen_uses(fw, (before, after), helpers, used)
        if problem:
            return self.base(fw, "unknown", problem)
        # (where the units lay out types or define constants apart, the same text is
        # not the same code: no part of the function is compared alone)
        apart = _units_apart(fw, before, after)
        if not used and not apart and canonical_text(before) == canonical_text(after):
            if fw.mode == "tree" and fw.before.text == fw.after.text:
                return self.base(
                    fw,
                    "equivalent",
                    "as the tree's configuration compiles it, the function is the same in "
                    "both versions: the lines the patch changes are left out by the "
                    "preprocessor (#if/#ifdef) or are comments",
                )
            return self.base(
                fw,
                "equivalent",
                "the two versions have the same canonical IR: they differ only in label "
                "names, local names, block layout, comments or spacing",
            )
        if _confines(fw) and any(
            local.address_taken for g in (before, after) for local in g.locals
        ):
            # What the units say of callees' bodies and of types holding arrays is read
            # once per unit, like its preprocessing, before the budget starts: it is no
            # measure of this function's cost (nor of the next part's).
            for unit in (fw.before.unit, fw.after.unit):
                read_unit_bodies(unit)
                holding_arrays(unit)
        deadline = time.monotonic() + options.budget_s
        reasons: list[str] = []
        found: tuple[Outcome, _Regions, int] | None = None  # a difference in the effects
        # the latest part's difference, to search the whole function through
        pending: tuple[Focus, Outcome, int] | None = None
        searched: set[Focus] = set()
        ready: _Prepared | None = None  # the whole graphs made ready, once
        reached_whole = False
        volatile = _volatile_names(fw, self.work)  # (a scan of whole units: once per function)
        ctx = Comparison(
            name,
            helpers,
            options,
            deadline,
            unions=fw.before.union_members | fw.after.union_members,
            unit=fw.after.unit,
            before_unit=fw.before.unit,
            volatile=volatile,
            confine=_confines(fw),
            files=(fw.before.context, fw.after.context),
            own_types=_own_types(fw),
        )
        grow_until = time.monotonic() + GROW_FIRST * options.budget_s
        last = 0.0  # how long the latest part took
        calling = self.different_helpers(fw, used, (before, after))
        if calling is not None:
            # Its own text is unchanged and a helper it calls is DIFFERENT: first look for
            # a run of it through those calls and the helper's difference (the short
            # look would spend its time on every path of the helpers).
            pending, grow_until = calling, 0.0
        for grow in range(0 if apart else GROW_LEVELS + 1):
            if pending is not None and time.monotonic() + last > grow_until:
                # Growing on would take a while: search for the part's difference first.
                searched.add(pending[0])
                share = CALLER_SHARE if pending is calling else GROW_SHARE
                confirmed = self.search(
                    pending,
                    _Search(before, after, ctx, ready, deadline, fw, sorted(used), share),
                )
                if isinstance(confirmed, FunctionResult):
                    return confirmed
                ready, pending = confirmed, None
            # A larger part starts from fewer arbitrary states: grown, it may prove what a
            # smaller one could not, or show that a difference needed an unreachable start.
            started = time.monotonic()
            share = (
                deadline if grow == 0 else min(deadline, started + GROW_SHARE * options.budget_s)
            )
            regional = _whole_by_regions(fw, before, after, helpers, options, share, grow, volatile)
            last = time.monotonic() - started
            if regional is None:
                reached_whole = True  # grown to the whole function
                break
            if isinstance(regional, str):
                reasons.append(regional)
                break
            outcome, built = regional
            if outcome.verdict == "equivalent":
                outcome.reason = f"{_part_text(built, grow)}: {outcome.reason}"
                return self.combine(fw, [outcome], built.label_map, sorted(used))
            focus = Focus.of(outcome)
            if focus is not None and focus not in searched:
                # (searched for once growing stops, or would take a while: a larger
                # part may prove equality sooner)
                pending = (focus, outcome, grow)
            if outcome.verdict == "different" and outcome.kind in EFFECT_DIFFERENCES:
                found = (outcome, built, grow)
                continue
            reasons.append(f"{_part_text(built, grow, short=True)}: {outcome.reason}")
            if outcome.kind == UNSUPPORTED and found is None:
                # The construct lies in the part compared, which every larger part (the
                # whole function too) holds: growing would only meet it again.
                outcome.reason = "; ".join(reasons)
                return self.combine(fw, [outcome], built.label_map, sorted(used))
            if found is not None and outcome.kind == STATE_DEPENDENT:
                # The larger part, from fewer arbitrary states, sees the versions agree
                # unless a call changes state: the smaller part's difference needed a
                # start the function may never reach.
                found = None
                break
            if "time budget" in outcome.reason or found is not None:
                break
        if pending is not None:
            confirmed = self.search(
                pending, _Search(before, after, ctx, ready, deadline, fw, sorted(used))
            )
            if isinstance(confirmed, FunctionResult):
                return confirmed
            ready = confirmed
        if found is not None:
            outcome, built, grow = found
            outcome.reason = f"{_part_text(built, grow)}: {outcome.reason}"
            if not reached_whole:
                return self.combine(fw, [outcome], built.label_map, sorted(used))
        whole = _run_compare(before, after, ctx, ready)
        if found is not None and whole.verdict == "unknown" and whole.kind != STATE_DEPENDENT:
            # (the whole function, small enough to grow to, could not say: the part's
            # difference in the effects stands)
            outcome, built, _ = found
            return self.combine(fw, [outcome], built.label_map, sorted(used))
        if whole.verdict != "unknown" or not reasons:
            return self.combine(fw, [whole], {}, sorted(used))
        whole.reason = f"comparing the whole function: {whole.reason}; " + "; ".join(reasons)
        return self.combine(fw, [whole], {}, sorted(used))

    def different_helpers(
        self, fw: FunctionWork, used: set[str], graphs: tuple[Graph, Graph]
    ) -> tuple[Focus, Outcome, int] | None:
        """For a caller whose own text is unchanged: the lines where it calls changed
        helpers found DIFFERENT and the lines of their counterexamples, as a focus to
        search through (None: no such helper)."""
        if fw.change.status != "affected":
            return None
        found = {n: self.results.get((fw.change.file, n)) for n in sorted(used)}
        different = {n: r for n, r in found.items() if r is not None and r.verdict == "different"}
        if not different:
            return None
        focus = []
        for graph, side in zip(graphs, ("before", "after"), strict=True):
            calls = {
                (stmt.loc.file, stmt.loc.line)
                for block in graph.blocks.values()
                for stmt in block.stmts
                if isinstance(stmt, Call) and stmt.callee in different and stmt.loc is not None
            }
            inside = {
                (fw.change.file, line)
                for r in different.values()
                for line in (r.before_path if side == "before" else r.after_path)
            }
            focus.append(frozenset(calls | inside))
        why = f"it calls {', '.join(different)}, found DIFFERENT"
        return Focus(focus[0], focus[1]), Outcome("different", why), 0

    def search(
        self, pending: tuple[Focus, Outcome, int], where: _Search
    ) -> FunctionResult | _Prepared:
        """Look for a run of the whole function, from its own start, that shows the
        part's difference (``pending``: it holds from some state at the part's start):
        the DIFFERENT result, or the graphs made ready for what follows."""
        focus, shown, grown_by = pending
        fw_ctx = where.ctx
        limit = min(where.deadline, time.monotonic() + where.share * fw_ctx.options.budget_s)
        ready = where.ready or _prepare(where.before, where.after, fw_ctx)
        # (searched with the unit's functions seen through as a comparison sees them:
        # a difference an opaque call only seems to make is no difference)
        context, searched = fw_ctx, ready
        wider = _with_unit_bodies(where.before, where.after, fw_ctx)
        if wider is not None:
            context = wider[1]
            searched = _prepare(where.before, where.after, context)
        context = dataclasses.replace(context, deadline=limit)
        confirmed = _search_difference(searched, context, focus, where.before, where.after)
        if confirmed is None:
            return ready
        if wider is not None:
            confirmed.inlined = tuple(wider[0].describe())
        grown = f", grown to {grown_by} enclosing block(s)," if grown_by else ""
        confirmed.reason = (
            f"{confirmed.reason}; {WHOLE_SEARCH} (the changed part{grown} alone: {shown.reason})"
        )
        return self.combine(where.fw, [confirmed], {}, where.used)

    def combine(
        self,
        fw: FunctionWork,
        outcomes: list[Outcome],
        label_map: dict[str, str],
        inlined: list[str],
    ) -> FunctionResult:
        """The result row of ``fw`` from its comparisons' outcomes (the worst decides)."""
        verdict = Verdict.worst(o.verdict for o in outcomes)
        chosen = next(o for o in outcomes if o.verdict == verdict)
        parts = len(outcomes)
        reason = chosen.reason
        if parts > 1 and verdict == "equivalent":
            reason = f"all {parts} changed regions are equivalent; " + "; ".join(
                o.reason for o in outcomes
            )
        result = self.base(fw, verdict, reason)
        result.label_map = {k: v for k, v in label_map.items() if k != v}
        result.inlined = [*inlined, *sorted({n for o in outcomes for n in o.inlined})]
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
        result.before_location = self.before_location(fw, chosen.before_loc)
        result.after_location = str(chosen.after_loc) if chosen.after_loc else ""
        result.before_path = [loc.line for loc in chosen.before_path if loc.file == fw.change.file]
        result.after_path = [loc.line for loc in chosen.after_path if loc.file == fw.change.file]
        return result

    def before_location(self, fw: FunctionWork, loc: SourceLocation | None) -> str:
        """Where the before version parts: in two-file mode its own file (the work
        names both versions' lines by the after file's name)."""
        if loc is None:
            return ""
        origin = self.work.origins.get("before")
        if origin is not None and loc.file == fw.change.file:
            return str(SourceLocation(str(origin), loc.line))
        return str(loc)

    def new_signature(self, fw: FunctionWork) -> str:
        """How a changed ``static`` function's parameter or return types changed (empty
        when they did not): it cannot be compared head-on, only through its callers,
        with it inlined."""
        name = fw.change.function
        if fw.change.status != "changed" or fw.before is None or fw.after is None:
            return ""
        if not (_is_static(fw.before) and _is_static(fw.after)):
            return ""
        if not fw.change.file.endswith(".c"):
            return ""  # (a header's static has callers in every file that includes it)
        scoped = self.all_helpers.for_file(fw.change.file)
        before, after = scoped.before.get(name), scoped.after.get(name)
        if before is None or after is None:
            return ""
        old, new = _signature(before), _signature(after)
        if old == new or self.address_taken(fw):
            # (a function whose address is taken is called through pointers too: its
            # direct callers do not vouch for it)
            return ""
        return f"its signature changed from {old} to {new}"

    def address_taken(self, fw: FunctionWork) -> bool:
        """Whether either version of ``fw``'s file may reach the function other than by
        a call its callers show: it names it other than to call or declare it (an ops
        table, ``&f``, an alias attribute's string), names it in a macro (a call
        there is hidden from the callers' IR), pastes tokens (``n##_show`` may make its
        name), or has no whole text to tell."""
        name = re.escape(fw.change.function)
        mention = re.compile(rf"\b{name}\b(?!\s*\()")
        in_macro = re.compile(rf"^\s*#\s*define\b.*\b{name}\b", re.MULTILINE)
        for side in ("before", "after"):
            source = self.work.source(side, fw.change.file)
            if source is None or "##" in source:
                return True
            # (comments count too: a mention there only costs the rule)
            if mention.search(source) or in_macro.search(_joined_lines(source)):
                return True
        return False

    def through_callers(self, fw: FunctionWork) -> FunctionResult:
        """An added or removed function, or a static one whose signature changed: the
        verdict of the callers it was checked through, inlined (its file's view of the
        helpers says whether it could be inlined)."""
        helpers = self.all_helpers.for_file(fw.change.file)
        name = fw.change.function
        callers = sorted(set(self.callers_of.get(name, [])))
        if name in helpers.broken:
            return self.base(fw, "unknown", helpers.broken[name])
        resigned = self.new_signature(fw)
        if resigned and not callers:
            return self.base(
                fw, "unknown", f"{resigned}, and no caller in the patch was compared with it"
            )
        if callers:
            found = [self.results.of(fw.change.file, c) for c in callers]
            # A caller with no verdict (not compared) vouches for nothing.
            verdict = Verdict.worst(r.verdict if r is not None else "unknown" for r in found)
            why = f"{resigned}, so it is not compared head-on; " if resigned else ""
            return self.base(
                fw,
                verdict,
                f"{why}checked through its callers, with it inlined: "
                f"{', '.join(callers)} ({verdict})",
            )
        text = fw.after if fw.change.status == "added" else fw.before
        if text is not None and _is_static(text) and _calls_in_input(self.work, fw) > 0:
            # A caller the comparison never reached (its changed part could not be read).
            return self.base(
                fw,
                "unknown",
                f"{fw.change.status} static function called in the input by code that was "
                "not compared; its effect is not checked",
            )
        if text is not None and _is_static(text):
            return self.base(
                fw,
                "equivalent",
                f"static and called by no function of the patch: {fw.change.status} without effect",
            )
        return self.base(
            fw,
            "unknown",
            f"{fw.change.status} function that other code may call; not checked "
            "through any caller of this patch",
        )


def _joined_lines(text: str) -> str:
    """``text`` with backslash-continued lines joined (a macro on one line)."""
    return text.replace("\\\n", " ")


def _signature(graph: Graph) -> str:
    """A function's type as written, without qualifiers: ``int (struct kiocb *, struct
    folio_batch *)``."""
    return f"{spelled(graph.return_type)} ({', '.join(spelled(p.ctype) for p in graph.params)})"


def _reachable_from(other: FunctionWork, file: str, helpers: _Helpers) -> bool:
    """Whether code of ``file`` may call the changed function ``other``: it is in
    ``file``, or not known to be ``static`` in its own file."""
    home = helpers.static_in.get(other.change.function)
    return other.change.file == file or home is None or home == file


def _weak_work(fw: FunctionWork) -> bool:
    texts = [t for t in (fw.before, fw.after) if t is not None]
    return any(is_weak(t.text.split("{", 1)[0]) for t in texts)


def _code(text: str) -> str:
    """A C text without comments and whitespace (what the compiler sees, roughly)."""
    return "".join(mask(text).split())


def changed_c_files(work: PatchWork) -> dict[str, str]:
    """Each C file whose code (not only comments or spacing) the input changes, with
    where."""
    files: dict[str, str] = {}
    paths = set(work.sources.get("before", {})) | set(work.sources.get("after", {}))
    for path in sorted(paths):
        old = work.source("before", path) or ""
        new = work.source("after", path) or ""
        if path.endswith((".c", ".h")) and _code(old) != _code(new):
            files[path] = "its code differs between the two versions"
    if work.patch is not None:
        for fp in work.patch.files:
            if not fp.path.endswith((".c", ".h")) or fp.path in files:
                continue
            lines = [
                hunk.new_start
                for hunk in fp.hunks
                for ln in hunk.lines
                if ln.kind != " " and _code(ln.text) and not _comment_line(ln.text)
            ]
            if lines:
                files[fp.path] = f"the hunk at line {lines[0]} changes code"
    return files


def _comment_line(text: str) -> bool:
    return text.strip().startswith(("//", "/*", "*", "*/"))


def _is_static(func: FunctionText) -> bool:
    head = func.text.split("(", 1)[0]
    return re.search(r"\bstatic\b", head) is not None


def _graph(func: FunctionText, mode: str) -> Graph:
    return function_graph(func, light=mode != "tree")


def _helpers(work: PatchWork) -> _Helpers:
    """Every function the patch touches, and every function listed to be inlined, as
    graphs per version (a weak one is never inlined: a call to it may reach another
    definition); then those that mean the same in both versions are dropped."""
    helpers = _Helpers()
    homes: dict[str, str] = {}
    for fw in work.functions:
        name = fw.change.function
        if homes.setdefault(name, fw.change.file) != fw.change.file:
            helpers.broken[name] = f"{name} is defined in two files of the patch"
            continue
        if _weak_work(fw):
            # (its callers cannot be compared with it inlined, nor with the call left
            # the same in both versions: it changed)
            helpers.broken[name] = (
                f"{name} is weak (__weak): a call to it may reach another definition"
            )
            continue
        if fw.problem:
            helpers.broken[name] = fw.problem
            continue
        one_side = (fw.before is None) != (fw.after is None)
        if one_side and fw.change.status not in {"added", "removed"}:
            # Inlined in one version only, it would pass for an added or removed one.
            helpers.broken[name] = f"{name} ({fw.change.status}) has a text in one version only"
            continue
        for side, table in (("before", helpers.before), ("after", helpers.after)):
            text = fw.before if side == "before" else fw.after
            if text is None:
                continue
            if _is_static(text):
                helpers.static_in[name] = fw.change.file
            try:
                table[name] = _graph(text, fw.mode)
            except InputError as err:
                helpers.broken[name] = err.one_line()
    for name in helpers.broken:
        helpers.before.pop(name, None)
        helpers.after.pop(name, None)
    # A helper changed only in spelling means the same in both versions and is not
    # inlined — unless it calls a helper that really changed.
    changed = set(helpers.broken) | {
        name
        for name in set(helpers.before) | set(helpers.after)
        if name not in helpers.before
        or name not in helpers.after
        or canonical_text(helpers.before[name]) != canonical_text(helpers.after[name])
    }
    grew = True
    while grew:
        grew = False
        for name in set(helpers.before) & set(helpers.after) - changed:
            if (_calls(helpers.before[name]) | _calls(helpers.after[name])) & changed:
                changed.add(name)
                grew = True
    for name in set(helpers.before) & set(helpers.after) - changed:
        del helpers.before[name], helpers.after[name]
    return helpers


@dataclass
class Comparison:
    """What one comparison of two graphs runs with: the function, its helpers, the
    options and deadline, the label map at the regions' exits, and what the whole
    function says about the names a changed part uses (declared types, address-taken
    locals), with the translation units in tree mode."""

    name: str
    helpers: _Helpers
    options: Options
    deadline: float
    label_map: Mapping[str, str] = field(default_factory=dict)
    outer_types: Mapping[str, str] = field(default_factory=dict)
    outer_objects: Mapping[str, str] = field(default_factory=dict)
    unions: frozenset[str] = frozenset()
    unit: str = ""
    before_unit: str = ""
    volatile: frozenset[str] = frozenset()
    whole: tuple[Graph, Graph] | None = None
    """The whole function, both versions (for the changed parts' address-taken outer
    locals: whether the function keeps their address to itself)."""
    confine: bool = False
    """Whether locals may be confined (ir/escape.py): in tree mode, where every macro is
    expanded, so a local's address is taken only where the IR shows it."""
    files: tuple[FileContext | None, FileContext | None] = (None, None)
    """Two-file mode: both files as the compiler reads them (for the sizes and the
    constants their headers define)."""
    own_types: bool = False
    """Whether the function declares types or constants of its own, which the
    compiler's answers at file scope do not see (frontend/unit/fileconstants.py)."""
    entry_copies: Mapping[str, Expr] = field(default_factory=dict)
    """For a changed part: the locals the function copies fields into at its start
    (equiv/copies.py)."""


@dataclass(frozen=True)
class _UnitFacts:
    """What both translation units say alike (tree mode): call result types, type
    sizes and layout, struct members declared directly."""

    results: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, Parameters] = field(default_factory=dict)
    sizes: Mapping[str, int] = field(default_factory=dict)
    plain: Mapping[str, frozenset[str]] = field(default_factory=dict)
    apart: tuple[Mapping[str, int], Mapping[str, int]] = ({}, {})
    """What the units answer differently (a size, an offset, a constant the patch
    changes), each version's own."""

    def sizes_of(self, which: int) -> dict[str, int]:
        """The answers one version runs with (0 before, 1 after)."""
        return {**self.sizes, **self.apart[which]}


def _config(
    ctx: Comparison,
    helpers: Mapping[str, Graph],
    outer: frozenset[str],
    models: Mapping[str, Model],
    facts: _UnitFacts,
    side: tuple[str, frozenset[str], int] = ("", frozenset(), 0),
) -> Config:
    """How one version runs (``side``: its unit, the outer objects confined, and which
    version it is, 0 before, 1 after)."""
    unit, confined, which = side
    return Config(
        confine=ctx.confine,
        body=functools.partial(body_graph, unit),
        holds_array=functools.partial(holds_array, unit),
        confined_outer=confined,
        volatile_globals=ctx.volatile,
        plain_members=dict(facts.plain),
        outer_objects=dict(ctx.outer_objects),
        return_types=dict(facts.results),
        parameter_types=dict(facts.parameters),
        type_sizes=facts.sizes_of(which),
        own_queries=any(facts.apart),
        union_members=ctx.unions,
        deadline=ctx.deadline,
        outer_types=dict(ctx.outer_types),
        entry_copies=dict(ctx.entry_copies),
        models=models,
        helpers={k: v for k, v in helpers.items() if k != ctx.name},
        loop_bound=ctx.options.unroll,
        max_paths=ctx.options.max_paths,
        timeout_ms=ctx.options.timeout_ms,
        outer=outer,
    )


def _common_answers(wanted: frozenset[str], before_unit: str, unit: str) -> dict[str, int]:
    """The compiler's answers to ``wanted`` that both versions' units give alike."""
    return _answers_apart(wanted, before_unit, unit)[0]


def _answers_apart(
    wanted: frozenset[str],
    before_unit: str,
    unit: str,
    dirs: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
) -> tuple[dict[str, int], tuple[dict[str, int], dict[str, int]]]:
    """The compiler's answers to ``wanted`` that both versions' units give alike, and
    the others, each version's own (one unit may answer what the other does not: that
    version's value then meets the other's unknown, never one shared symbol)."""
    after = type_sizes(unit, wanted, dirs[1])
    same = before_unit == unit and dirs[0] == dirs[1]
    before = after if same else type_sizes(before_unit, wanted, dirs[0])
    return _split(before, after)


def _split(
    before: dict[str, int], after: dict[str, int]
) -> tuple[dict[str, int], tuple[dict[str, int], dict[str, int]]]:
    """Answers both versions give alike, and the others, each version's own."""
    alike = {name: size for name, size in after.items() if before.get(name) == size}
    return alike, (
        {k: v for k, v in before.items() if k not in alike},
        {k: v for k, v in after.items() if k not in alike},
    )


def _file_facts(
    graphs: list[Graph], function: str, before: FileContext, after: FileContext
) -> _UnitFacts:
    """Two-file mode: the sizes, layouts and constants the compiler gives for both
    files, each read with its own headers: alike, or each version's own. Only what
    means inside ``function`` what it means at the end of the file is kept
    (frontend/unit/fileconstants.py); nothing when a file does not compile on its own."""
    bound = frozenset(
        name
        for graph in graphs
        for name in (*(v.name for v in graph.locals), *(p.name for p in graph.params))
        if name
    )
    wanted = frozenset(layout_keys(graphs, []))
    asked = frozenset(filter(None, map(constant_name, wanted)))
    kept: list[dict[str, int]] = []
    for context in (before, after):
        answers = type_sizes(context.text, wanted, context.include_dirs)
        names = trusted_constants(context.text, context.include_dirs, function, bound, asked)
        own_types = defines_types(context.text, context.include_dirs, function)
        kept.append(
            {
                key: value
                for key, value in answers.items()
                if (
                    names is not None and constant_name(key) in names
                    if constant_name(key)
                    else not own_types
                )
            }
        )
    alike, apart = _split(kept[0], kept[1])
    return _UnitFacts(sizes=alike, apart=apart)


def _own_types(fw: FunctionWork) -> bool:
    """Whether either version of the function declares types of its own."""
    return any(t is not None and declares_own_types(t.text) for t in (fw.before, fw.after))


def _units_apart(fw: FunctionWork, before: Graph, after: Graph) -> bool:
    """Whether the compiler answers what the function's types and constants are apart
    in the two versions' units (or files, with their headers)."""
    assert fw.before is not None and fw.after is not None
    if fw.before.unit and fw.after.unit:
        wanted = frozenset(layout_keys([before, after], []))
        return any(_answers_apart(wanted, fw.before.unit, fw.after.unit)[1])
    old, new = fw.before.context, fw.after.context
    if old is not None and new is not None:
        return any(_file_facts([before, after], fw.change.function, old, new).apart)
    return False


def _calls(graph: Graph) -> set[str]:
    return set(graph.called_names())


def _variable_names(graph: Graph) -> set[str]:
    """The names of the function's parameters and locals."""
    return {p.name for p in graph.params if p.name} | {v.name for v in graph.locals if v.name}


def _first_line(fw: FunctionWork, side: str) -> int:
    """Where the function starts in one version (its definition, or in patch-alone mode
    its first changed region); 0 when that version has no text of it."""
    text = fw.before if side == "before" else fw.after
    if text is not None:
        return text.start_line
    if fw.regions:
        region = fw.regions[0][0 if side == "before" else 1]
        return region.first_line
    return 0


@dataclass(frozen=True)
class _Prepared:
    """Two graphs made ready to compare: integer typedefs as the compiler resolves
    them (tree mode), with their helpers, outer variables and the units' facts."""

    before: Graph
    after: Graph
    helpers_before: Mapping[str, Graph]
    helpers_after: Mapping[str, Graph]
    outer: frozenset[str]
    facts: _UnitFacts

    def sides(self, ctx: Comparison, models: Mapping[str, Model]) -> tuple[Side, Side]:
        """Both versions, run with ``models``."""
        confined = self.confined_outer(ctx, models)
        before = (ctx.before_unit, confined, 0)
        after = (ctx.unit, confined, 1)
        return (
            Side(
                self.before,
                _config(ctx, self.helpers_before, self.outer, models, self.facts, before),
            ),
            Side(
                self.after,
                _config(ctx, self.helpers_after, self.outer, models, self.facts, after),
            ),
        )

    def confined_outer(self, ctx: Comparison, models: Mapping[str, Model]) -> frozenset[str]:
        """The changed parts' address-taken outer locals that both whole versions keep
        confined (ir/escape.py): every local of that name, in either version."""
        if ctx.whole is None or not ctx.outer_objects or not ctx.confine:
            return frozenset()
        names = set(ctx.outer_objects)
        versions = zip(
            ctx.whole,
            (self.helpers_before, self.helpers_after),
            (ctx.before_unit, ctx.unit),
            strict=True,
        )
        for graph, helpers, unit in versions:
            callees = callees_of(
                {k: v for k, v in helpers.items() if k != ctx.name},
                models,
                functools.partial(body_graph, unit),
                functools.partial(holds_array, unit),
            )
            confined = confined_locals(graph, callees)
            names -= {
                local.name
                for index, local in enumerate(graph.locals)
                if local.address_taken and index not in confined
            }
        return frozenset(names)


def _prepare(before: Graph, after: Graph, ctx: Comparison) -> _Prepared:
    if ctx.outer_types:
        # (a region's typeof of a cast over its outer variables, whose types it knows)
        before = resolve_typeof(before, ctx.outer_types)
        after = resolve_typeof(after, ctx.outer_types)
    # (true, false and NULL are the kernel's constants, never a region's variables)
    outer = (frozenset(before.outer_names) | frozenset(after.outer_names)) - set(CONSTANTS)
    outer -= set(ctx.outer_objects)
    helpers = ctx.helpers
    graphs = [before, after, *helpers.before.values(), *helpers.after.values()]
    if ctx.unit and ctx.before_unit:
        facts = _unit_facts(graphs, ctx.before_unit, ctx.unit)
        if ctx.own_types:
            # (a block's struct s is not the file's: no size, layout or constant from
            # file scope; prototypes still hold)
            facts = _UnitFacts(facts.results, facts.parameters)
    elif ctx.files[0] is not None and ctx.files[1] is not None:
        facts = _file_facts(graphs, ctx.name, ctx.files[0], ctx.files[1])
    else:
        return _Prepared(before, after, helpers.before, helpers.after, outer, _UnitFacts())
    # Typedefs of integer types, as the compiler resolves them (vm_fault_t is an
    # unsigned int: its values are not sign-extended).
    typedefs = respell(integer_typedefs(dict(facts.sizes)))
    # (a part's types name the function's variables as written: typeof(count(1)) with a
    # function pointer ``count`` is not the function count's result)
    variables = {n for g in ctx.whole or () for n in _variable_names(g)}
    results = typeof_calls({n: t for n, t in facts.results.items() if n not in variables})

    def spell(text: str) -> str:
        return typedefs(results(text))

    return _Prepared(
        retype(before, spell),
        retype(after, spell),
        {k: retype(g, spell) for k, g in helpers.before.items()},
        {k: retype(g, spell) for k, g in helpers.after.items()},
        outer,
        facts,
    )


def _run_compare(
    before: Graph, after: Graph, ctx: Comparison, prepared: _Prepared | None = None
) -> Outcome:
    """Compare two graphs. When the verdict is UNKNOWN only because calls without a
    model were reordered and the translation unit is at hand (tree mode), their
    footprints are inferred from their bodies and the comparison runs again. Call
    results take the return types both versions' units declare alike. ``prepared``: the
    graphs already made ready (:func:`_prepare`) for ``ctx``."""
    prepared = prepared or _prepare(before, after, ctx)

    def run(ready: _Prepared, models: Mapping[str, Model], context: Comparison) -> Outcome:
        try:
            return compare_with_induction(
                *ready.sides(context, models),
                dict(context.label_map),
                timeout_ms=context.options.timeout_ms,
            )
        except SolverTimeout as err:
            return Outcome("unknown", f"solver timeout ({err}); raise --timeout")

    # Values cost the solver (their results depend on whole state parts): the first run
    # takes only those the versions call a different number of times; the others, and
    # the unit's bodies, when it does not prove the versions equal.
    values = _values(before, after, ctx)
    used = _counted_differently(values, before, after, ctx.helpers)
    models = {**MODELS, **{n: i.model for n, i in used.items()}}
    outcome = run(prepared, models, ctx)
    if outcome.verdict != "equivalent":
        wider = _with_unit_bodies(
            before, after, ctx, _values_shown(outcome, values), outcome.opaque_calls
        )
        # (a difference that no value left out takes part in stands without them)
        left_out = set(values) - set(used)
        if wider is not None or (left_out and _involves(outcome, left_out)):
            context = wider[1] if wider is not None else ctx
            ready = _prepare(before, after, context) if wider is not None else prepared
            everything = {**MODELS, **{n: i.model for n, i in values.items()}}
            again = run(ready, everything, context)
            again.inlined = tuple(wider[0].describe()) if wider is not None else ()
            if again.verdict != "unknown" or outcome.verdict == "unknown":
                outcome, prepared, ctx, models, used = again, ready, context, everything, values
    if used:
        outcome.assumptions = [*outcome.assumptions, *(i.describe() for i in used.values())]
    if outcome.verdict != "unknown" or not outcome.opaque_calls or not ctx.unit:
        return outcome
    inferred, failed = infer(set(outcome.opaque_calls), ctx.unit)
    if failed:
        why = "; ".join(f"no footprint for {n}: {w}" for n, w in sorted(failed.items()))
        outcome.reason = f"{outcome.reason} ({why})"
        return outcome
    again = run(prepared, {**models, **{n: i.model for n, i in inferred.items()}}, ctx)
    again.assumptions = [*again.assumptions, *(i.describe() for i in inferred.values())]
    again.inlined = outcome.inlined
    return again


def _values(before: Graph, after: Graph, ctx: Comparison) -> dict[str, Inferred]:
    """In tree mode, the footprints of the called functions whose bodies are values
    (equiv/footprints.py): a call of one is not an event, so calling it once or twice,
    or not at all, is the same."""
    if not (ctx.unit and ctx.before_unit):
        return {}
    helpers = ctx.helpers
    graphs = [before, after, *helpers.before.values(), *helpers.after.values()]
    names = set().union(*map(_calls, graphs)) - set(MODELS) - set(helpers.before)
    names -= set(helpers.after) | set(helpers.broken)
    changed = set(helpers.before) | set(helpers.after) | set(helpers.broken)
    # (a value over a function the patch changes is not one function of both versions)
    values = {n: i for n, i in value_models(names, ctx.unit).items() if not i.callees & changed}
    if ctx.before_unit is not ctx.unit:
        # (one function of both versions: both units must hold the same bodies, its own
        # and those it calls, not only the same footprint)
        earlier = value_models(set(values), ctx.before_unit)
        values = {
            n: i
            for n, i in values.items()
            if n in earlier
            and earlier[n].model == i.model
            and all(_same_body(ctx, name) for name in (n, *i.callees))
        }
    return values


def _same_body(ctx: Comparison, name: str) -> bool:
    """Whether both versions' units define ``name`` with the same canonical IR."""
    before, after = body_graph(ctx.before_unit, name), body_graph(ctx.unit, name)
    return (
        isinstance(before, Graph)
        and isinstance(after, Graph)
        and canonical_text(before) == canonical_text(after)
    )


def _counted_differently(
    values: Mapping[str, Inferred], before: Graph, after: Graph, helpers: _Helpers
) -> dict[str, Inferred]:
    """The values that the two versions (with their helpers) call a different number of
    times: as events they would differ; as values they may not."""
    counts = [
        Counter(name for graph in (top, *inlined.values()) for name in graph.called_names())
        for top, inlined in ((before, helpers.before), (after, helpers.after))
    ]
    return {n: i for n, i in values.items() if counts[0][n] != counts[1][n]}


def _involves(outcome: Outcome, names: set[str]) -> bool:
    """Whether ``outcome`` may rest on calls of ``names``: it is UNKNOWN, or its reason
    or its counterexample's call results name one of them."""
    if outcome.verdict == "unknown":
        return True
    shown = outcome.counterexample.get("call_results")
    texts = [outcome.reason, outcome.subject, *(shown if isinstance(shown, dict) else ())]
    return any(f"{name}(" in str(text) or str(text) == name for text in texts for name in names)


def _values_shown(outcome: Outcome, values: Mapping[str, Inferred]) -> frozenset[str]:
    """The values whose results a counterexample gives: any value of theirs was taken,
    where the body (inlined, if it runs straight through) says which."""
    shown = outcome.counterexample.get("call_results")
    if not isinstance(shown, dict):
        return frozenset()
    return frozenset(n for n in values if any(str(k).startswith(f"{n}(") for k in shown))


def _with_unit_bodies(
    before: Graph,
    after: Graph,
    ctx: Comparison,
    values: frozenset[str] = frozenset(),
    opaque: tuple[str, ...] = (),
) -> tuple[UnitInline, Comparison] | None:
    """In tree mode, the unit's functions whose inlining makes the versions' calls
    agree better, or that decide whether a difference in the state an unmodelled call
    (``opaque``) sees matters (equiv/inlining.py), and the comparison with them among
    the helpers; None when there are none."""
    if not (ctx.unit and ctx.before_unit):
        return None
    helpers = ctx.helpers
    exclude = frozenset({ctx.name, *helpers.before, *helpers.after, *helpers.broken})
    inline = unit_inline(
        (before, {k: v for k, v in helpers.before.items() if k != ctx.name}),
        (after, {k: v for k, v in helpers.after.items() if k != ctx.name}),
        (ctx.before_unit, ctx.unit),
        MODELS,
        exclude,
        values,
        opaque,
    )
    if inline is None:
        return None
    wider = dataclasses.replace(
        helpers,
        before={**helpers.before, **inline.before},
        after={**helpers.after, **inline.after},
    )
    return inline, dataclasses.replace(ctx, helpers=wider)


def _search_difference(
    prepared: _Prepared, ctx: Comparison, focus: Focus, before: Graph, after: Graph
) -> Outcome | None:
    """A counterexample on the whole function (``before``, ``after``) from its start,
    found by a search steered through the lines of a part's difference (None: not
    found). Every value of the unit is one (not only those the texts call a different
    number of times): a run may call one where the other returns before it, and a
    value's call is no event."""
    models = {**MODELS, **{n: i.model for n, i in _values(before, after, ctx).items()}}
    return find_difference(
        *prepared.sides(ctx, models),
        focus,
        dict(ctx.label_map),
        timeout_ms=ctx.options.timeout_ms,
    )


def _unit_facts(graphs: list[Graph], before_unit: str, unit: str) -> _UnitFacts:
    """What the two translation units say alike about the graphs' calls and types."""
    called = set().union(*map(_calls, graphs))
    results = common_return_types(return_types(before_unit, called), return_types(unit, called))
    named = {t.removeprefix(TYPEDEF) for t in results.values() if t.startswith(TYPEDEF)}
    if named:
        # Results declared with a typedef name: the integer type the compilers of both
        # units resolve it to, if it is one.
        asked = frozenset(type_key(fact, n) for n in named for fact in TYPE_FACTS) | named
        answers = _common_answers(asked, before_unit, unit)
        typedefs = integer_typedefs(answers)
        results = {
            name: typedefs.get(t.removeprefix(TYPEDEF), "") if t.startswith(TYPEDEF) else t
            for name, t in results.items()
        }
        results = {name: t for name, t in results.items() if t}
    after_parameters = parameter_types(unit, called)
    parameters = {
        name: types
        for name, types in parameter_types(before_unit, called).items()
        if after_parameters.get(name) == types
    }
    # (a struct both units define alike: the members both declare directly)
    after_plain = plain_members(unit)
    plain = {
        tag: names & after_plain[tag]
        for tag, names in plain_members(before_unit).items()
        if tag in after_plain
    }
    wanted = frozenset(layout_keys(graphs, list(results.values())))
    sizes, apart = _answers_apart(wanted, before_unit, unit)
    return _UnitFacts(results, parameters, sizes, plain, apart)


@dataclass
class _Regions:
    """The regions of a function, built, joined and compared."""

    pairs: list[tuple[Graph, Graph]]
    before: Graph
    after: Graph
    label_map: dict[str, str]


def _build_regions(
    regions: list[tuple[Region, Region]], name: str, file: str, typedefs: frozenset[str]
) -> _Regions:
    """The regions' IR, joined; a changed part that changes a typedef (which code
    outside it may use) is refused."""
    for b, a in regions:
        if _lasting_declarations(b.text) != _lasting_declarations(a.text):
            raise InputError(
                f"{file}:{a.first_line}",
                "the changed part changes a typedef, a static local or a struct, union or "
                "enum definition, which code outside it may use",
                "the whole function must be compared",
            )
    pairs = [
        (
            region_graph(
                b.text, function=name, file=file, first_line=b.first_line, typedefs=typedefs
            ),
            region_graph(
                a.text, function=name, file=file, first_line=a.first_line, typedefs=typedefs
            ),
        )
        for b, a in regions
    ]
    # A region start is an entry unless both versions jump away just above it.
    entered = [b.entered or a.entered for b, a in regions]
    bodies = [b.loop_body and a.loop_body for b, a in regions]
    before = combine_regions(
        [b for b, _ in pairs], name=name, file=file, entered=entered, loop_bodies=bodies
    )
    after = combine_regions(
        [a for _, a in pairs], name=name, file=file, entered=entered, loop_bodies=bodies
    )
    pair_exports(before, after)
    return _Regions(pairs, before, after, infer_label_map(pairs))


def _lasting_declarations(code: str) -> list[str]:
    """The declarations of a piece of code whose effect outlasts it (typedefs, static
    locals, struct, union and enum definitions), as written (spaces normalised)."""
    found = _LASTING.findall(mask(code))
    return sorted(" ".join(t.split()) for t in found)


_LASTING = re.compile(
    r"\b(?:typedef|static)\b[^;]*;|\b(?:struct|union|enum)\b[^;{}]*\{[^{}]*\}[^;]*;"
)


# A difference in the effects themselves, or a loop that never ends in one version
# only, is observable whatever the rest of the function does; a difference in a region's
# exit or in what it leaves in a local is not.
EFFECT_DIFFERENCES = {"event", "args", "snapshot", "hang"}

WHOLE_SEARCH = (
    "shown on the whole function run from its start, by a search through the lines "
    "where the changed part differs"
)

GROW_LEVELS = 3
"""How many enclosing blocks the changed part grows by before the whole function."""
GROW_SHARE = 0.25
"""The share of --budget each grown part may take."""
CALLER_SHARE = 0.6
"""The share of its (short) budget an unchanged caller of a DIFFERENT helper gives the
search through those calls."""
GROW_FIRST = 0.1
"""The share of --budget growing may take before a part's difference is searched for
through the whole function (growing is often cheap, and a larger part may prove
equality; when it is not, the search should not wait for it)."""


@dataclass(frozen=True)
class _Search:
    """Where a search for a part's difference through the whole function runs: the
    function and its whole graphs, the comparison's context, the graphs made ready
    (if they are), the deadline, and the helpers inlined (for the result)."""

    before: Graph
    after: Graph
    ctx: Comparison
    ready: _Prepared | None
    deadline: float
    fw: FunctionWork
    used: list[str]
    share: float = GROW_SHARE
    """The share of --budget the search may take."""


def _part_text(built: _Regions, grow: int, *, short: bool = False) -> str:
    grown = f", grown to {grow} enclosing block(s)" if grow else ""
    if short:
        return f"comparing the changed part{grown}"
    return (
        f"compared the changed part ({len(built.pairs)} region(s){grown}); the rest of "
        "the function is the same text in both versions"
    )


def _whole_by_regions(
    fw: FunctionWork,
    before: Graph,
    after: Graph,
    helpers: _Helpers,
    options: Options,
    deadline: float,
    grow: int = 0,
    volatile: frozenset[str] = frozenset(),
) -> tuple[Outcome, _Regions] | str | None:
    """Compare only the changed regions of two whole texts (grown by ``grow`` enclosing
    blocks), when the outer variables they use are locals of the function (so
    assumption A6 is a fact). None when the grown regions are the whole function."""
    assert fw.before is not None and fw.after is not None
    touched = _touched(fw, helpers)
    if isinstance(touched, str):
        return touched
    try:
        regions = whole_function_regions(fw.before, fw.after, grow, touched)
        if regions is None:
            return None
        built = _build_regions(
            regions, fw.change.function, fw.change.file, fw.before.typedefs | fw.after.typedefs
        )
    except InputError as err:
        return f"the changed part does not form regions ({err.one_line()})"
    problem = _calls_outside(fw, touched, regions, built, (before, after))
    if problem:
        return problem
    # Every line of the function is in sight: a label map the unchanged gotos
    # contradict (a swap, an old name still used) rules the regions out.
    whole = whole_function_patch(fw.before, fw.after)
    seen = visible_labels(whole, whole.files[0].path)
    problems = rename_problems(built.label_map, seen, fw.change.file)
    if problems:
        return "; ".join(problems)
    globals_, problem = _function_globals(built, before, after)
    if problem:
        return problem
    built = _with_globals(built, globals_)
    objects = _outer_objects(built, before, after)
    problem = _outer_are_locals(
        built, before, after, helpers, objects, fw.after.unit
    ) or _used_outside(fw, regions, built)
    if problem:
        return problem
    ctx = Comparison(
        fw.change.function,
        helpers,
        options,
        deadline,
        built.label_map,
        outer_types=_declared_types(before, after),
        outer_objects=objects,
        unions=fw.before.union_members | fw.after.union_members,
        unit=fw.after.unit,
        before_unit=fw.before.unit,
        volatile=volatile,
        whole=(before, after),
        confine=_confines(fw),
        files=(fw.before.context, fw.after.context),
        own_types=_own_types(fw),
        entry_copies=entry_copies(before, after),
    )
    outcome = _run_compare(built.before, built.after, ctx)
    outcome.assumptions = [a for a in outcome.assumptions if not a.startswith("A6")]
    return outcome, built


def _confines(fw: FunctionWork) -> bool:
    """Whether locals may be confined (ir/escape.py): in tree mode with both units, where
    every macro is expanded and callees' bodies can be read; never elsewhere, where a
    macro may take a local's address unseen."""
    return (
        fw.mode == "tree"
        and fw.before is not None
        and fw.after is not None
        and bool(fw.before.unit and fw.after.unit)
    )


def _changed_names(helpers: _Helpers) -> frozenset[str]:
    """The functions the input changes that a function of the file may use."""
    return frozenset(helpers.before) | frozenset(helpers.after) | frozenset(helpers.broken)


def _one_sided(fw: FunctionWork, helpers: _Helpers) -> str:
    """A function the input adds or removes (its body in one version only) that ``fw``
    names in both versions: in the other version the name is something else (a
    declaration of a function defined elsewhere, a macro), which the comparison cannot
    set against the body."""
    assert fw.before is not None and fw.after is not None
    one = (frozenset(helpers.before) ^ frozenset(helpers.after)) - {fw.change.function}
    for helper in sorted(one):
        named = frozenset({helper})
        if mentions(fw.before.text, named) and mentions(fw.after.text, named):
            side = "before" if helper in helpers.before else "after"
            return (
                f"{fw.change.function} uses {helper} in both versions, but only the {side} "
                f"version defines it here: what it is in the other one is not known"
            )
    return ""


def _touched(fw: FunctionWork, helpers: _Helpers) -> frozenset[str] | str:
    """The functions the input changes that ``fw`` names (its calls to them mean
    something else in the other version: the changed part holds them), or why the
    changed part cannot: the function calls itself, and it changes."""
    assert fw.before is not None and fw.after is not None
    name = fw.change.function
    if name in helpers.before or name in helpers.after:
        for text in (fw.before.text, fw.after.text):
            if mentions(text.split("{", 1)[1] if "{" in text else "", frozenset({name})):
                return f"{name} calls itself: the whole function must be compared"
    naming = identifiers((set(helpers.before) | set(helpers.after)) - {name})
    if naming is None:
        return frozenset()
    return frozenset(n for t in (fw.before, fw.after) for n in naming.findall(mask(t.text)))


def _calls_outside(
    fw: FunctionWork,
    touched: frozenset[str],
    regions: list[tuple[Region, Region]],
    built: _Regions,
    graphs: tuple[Graph, Graph],
) -> str:
    """Why the changed part does not hold every use of a changed function the whole
    function makes (a call a macro hides, say), or empty when it does."""
    assert fw.before is not None and fw.after is not None
    if not touched:
        return ""
    sides = [
        (fw.before.text, "\n".join(b.text for b, _ in regions), graphs[0], built.before),
        (fw.after.text, "\n".join(a.text for _, a in regions), graphs[1], built.after),
    ]
    for text, shown, whole, part in sides:
        if mentions(text, touched) != mentions(shown, touched) or direct_calls(
            whole, touched
        ) != direct_calls(part, touched):
            return (
                "a use of a function the input changes lies outside the changed part "
                "(through a macro?): the whole function must be compared"
            )
    return ""


def _function_globals(built: _Regions, before: Graph, after: Graph) -> tuple[set[str], str]:
    """The names the changed part uses that are globals of the whole function (both
    versions read them as globals, neither declares them): they keep the meaning of a
    global there (calls and other CPUs may change them), not that of an outer local.
    A name that is a global somewhere in the function and a local elsewhere cannot be
    told apart from the changed part's text: that is the second element, the reason."""
    declared: set[str] = set()
    used_global: set[str] = set()
    for graph in (before, after):
        declared |= {p.name for p in graph.params} | {v.name for v in graph.locals if v.name}
        used_global |= {node.name for node in graph_nodes(graph) if isinstance(node, Global)}
    outer = set(built.before.outer_names) | set(built.after.outer_names)
    found = outer & used_global
    both = sorted(found & declared)
    if both:
        return set(), (
            f"the changed part uses {both[0]}, a name the function declares as a local in "
            "one place and uses as a global in another"
        )
    return found, ""


def _with_globals(built: _Regions, names: set[str]) -> _Regions:
    """``built`` with ``names`` no longer among the regions' outer variables."""

    def strip(graph: Graph) -> Graph:
        return dataclasses.replace(
            graph, outer_names=[n for n in graph.outer_names if n not in names]
        )

    return dataclasses.replace(built, before=strip(built.before), after=strip(built.after))


def _outer_are_locals(
    built: _Regions,
    before: Graph,
    after: Graph,
    helpers: _Helpers,
    objects: Mapping[str, str],
    unit: str = "",
) -> str:
    """Why the regions' outer variables may not be treated as private locals (empty
    when they may): each must be a parameter or local of the function, and one whose
    address is taken (unless it is one of ``objects``, kept in memory) may be used
    only where the regions call no unmodelled function that could write through a
    pointer (its footprint, inferred from its body in tree mode, writing no field or
    plain memory)."""
    names: dict[str, bool] = {}
    for graph in (before, after):
        taken = _address_taken_params(graph)
        for param in graph.params:
            names[param.name] = names.get(param.name, False) or param.name in taken
        for local in graph.locals:
            if local.name:
                names[local.name] = names.get(local.name, False) or local.address_taken
    outer = set(built.before.outer_names) | set(built.after.outer_names)
    # (a region reads ``name(...)`` as a call of the function ``name``: where the
    # function declares a variable so named, a function pointer, the call is through it)
    through = sorted(
        {n for graph in (built.before, built.after) for n in _calls(graph) if n in names}
    )
    if through:
        return (
            f"the changed part calls {', '.join(through)}, a variable of the function (a "
            "function pointer), which the part alone would take for the function so named"
        )
    opaque = {
        callee
        for graph in (built.before, built.after)
        for callee in _calls(graph)
        if callee not in MODELS and callee not in helpers.before and callee not in helpers.after
    }
    # (only an address-taken name that is not in memory asks what the callees write:
    # reading their bodies from the unit costs a scan of all of it)
    if opaque and unit and any(names.get(n) and n not in objects for n in outer):
        inferred, _ = infer(opaque, unit)
        opaque -= {
            n
            for n, i in inferred.items()
            if not any(p.component.startswith(("field:", MEM, LAYOUT)) for p in i.model.writes)
        }
    for name in sorted(outer):
        if name not in names and (name in MODELS or name in CONSTANTS or name.upper() == name):
            continue  # a function, a constant
        if name not in names:
            return f"the changed part uses {name}, which is not a local of the function"
        if names[name] and name in objects:
            continue  # in memory, as in the function: calls and pointers reach it
        if names[name] and opaque:
            return (
                f"the changed part uses {name}, whose address is taken, and calls "
                f"{', '.join(sorted(opaque))} without a model"
            )
        if names[name]:
            reached = _reachable_through_pointers(built, name)
            if reached:
                return (
                    f"the changed part uses {name}, whose address is taken, and "
                    f"{reached} through a pointer, which may be {name}"
                )
    return ""


def _volatile_names(fw: FunctionWork, work: PatchWork) -> frozenset[str]:
    """Globals either version's unit (tree mode) or file (two files) declares volatile."""
    texts = [t.unit for t in (fw.before, fw.after) if t is not None]
    texts += [work.source(side, fw.change.file) or "" for side in ("before", "after")]
    return frozenset().union(*(volatile_globals(t) for t in texts if t))


def _address_taken_params(graph: Graph) -> set[str]:
    """Parameters whose address the function takes (``&m``, ``&s.f``)."""
    found: set[str] = set()
    for node in graph_nodes(graph):
        if not isinstance(node, AddrOf):
            continue
        root = node.lvalue
        while isinstance(root, Field) and not isinstance(root.base, Deref):
            root = root.base
        if isinstance(root, Param):
            found.add(root.name)
    return found


def _outer_objects(built: _Regions, before: Graph, after: Graph) -> dict[str, str]:
    """The regions' outer variables that are address-taken locals of the function, with
    their declared type (one name, one type, in both versions; else none of them)."""
    found: dict[str, set[str]] = {}
    plain: set[str] = set()
    for graph in (before, after):
        for local in graph.locals:
            if local.name and local.address_taken:
                found.setdefault(local.name, set()).add(local.ctype)
            elif local.name:
                plain.add(local.name)
        plain |= {p.name for p in graph.params}
    outer = set(built.before.outer_names) | set(built.after.outer_names)
    return {
        name: next(iter(types))
        for name, types in found.items()
        if name in outer and len(types) == 1 and name not in plain
    }


def _reachable_through_pointers(built: _Regions, name: str) -> str:
    """How the regions' pointer accesses could reach the address-taken local ``name``
    (empty when they cannot): plain memory (``*p``, ``p[i]``) may be any object; a field
    through a pointer may be a field of ``name`` with the same name."""
    used_fields: set[str] = set()
    whole = False
    pointer_fields: set[str] = set()
    plain = False

    nodes = [node for graph in (built.before, built.after) for node in graph_nodes(graph)]
    bases = {id(n.base) for n in nodes if isinstance(n, Field)}
    for node in nodes:
        match node:
            case Field(base=Deref(), name=n):
                pointer_fields.add(n)
            case Field(base=Global(name=g), name=n) if g == name:
                used_fields.add(n)
            case Deref() if id(node) not in bases:
                plain = True
            case Index():
                plain = True
            case Global(name=g) if g == name and id(node) not in bases:
                whole = True
    if whole and (plain or pointer_fields):
        return "accesses memory"
    if plain:
        return "accesses plain memory"
    shared = used_fields & pointer_fields
    return f"accesses field {sorted(shared)[0]}" if shared else ""


def _used_outside(fw: FunctionWork, regions: list[tuple[Region, Region]], built: _Regions) -> str:
    """A local only one version's changed part declares must not be used by the rest of
    the function (the comparison takes it as dead once the part is left)."""
    assert fw.before is not None and fw.after is not None
    names = [
        {built.before.locals[i].name for i in built.before.exported},
        {built.after.locals[i].name for i in built.after.exported},
    ]
    texts = [fw.before, fw.after]
    for side in (0, 1):
        tails = [_rest_of_block(texts[side], pair[side]) for pair in regions]
        for name in sorted(names[side] - names[1 - side]):
            pattern = re.compile(rf"\b{re.escape(name)}\b")
            if any(pattern.search(tail) for tail in tails):
                return f"{name}, declared in one version's changed part only, is used outside it"
    return ""


def _rest_of_block(func: FunctionText, region: Region) -> str:
    """The code (comments and strings masked) after ``region`` up to the end of the
    block that encloses it: where a local declared at the region's outermost scope is
    still in scope (an inner block that declares the name again counts as a use)."""
    code = mask(func.text).splitlines(keepends=True)
    last = max(region.lines, default=region.first_line) - func.start_line
    # (a region that opens blocks it does not close: its outermost scope goes on past
    # their ends)
    shown = mask(region.text)
    depth, out = max(shown.count("{") - shown.count("}"), 0), []
    for line in code[last + 1 :]:
        for at, char in enumerate(line):
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    out.append(line[:at])
                    return "".join(out)
        out.append(line)
    return "".join(out)


def _declared_types(before: Graph, after: Graph) -> dict[str, str]:
    """The declared type of each parameter and local name of a function (a name
    declared with two types is left untyped)."""
    seen: dict[str, set[str]] = {}
    for graph in (before, after):
        pairs = [(p.name, p.ctype) for p in graph.params]
        pairs += [(local.name, local.ctype) for local in graph.locals]
        for var_name, ctype in pairs:
            if var_name:
                seen.setdefault(var_name, set()).add(ctype)
    return {name: next(iter(types)) for name, types in seen.items() if len(types) == 1}


def _hidden_goto_against_other_exit(
    outcome: Outcome, region_pairs: list[tuple[Graph, Graph]]
) -> bool:
    """One version jumps to a label no shown region defines, the other returns: the
    label's code, out of sight, may do just that return (a goto that only returns)."""
    shown = {label for pair in region_pairs for g in pair for label in g.labels}
    kinds = {exit_key[0] for exit_key in outcome.exits}
    hidden = any(exit_key[0] == "goto" and exit_key[1] not in shown for exit_key in outcome.exits)
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


def _calls_in_input(work: PatchWork, fw: FunctionWork) -> int:
    """How many times the side of the input where ``fw`` exists writes ``name(`` besides
    its own definition (calls, and declarations, which are counted too): the patch's
    lines of that side, or the whole file in two-file mode."""
    side: Literal["before", "after"] = "after" if fw.change.status == "added" else "before"
    pattern = re.compile(rf"\b{re.escape(fw.change.function)}\s*\(")
    whole = work.source(side, fw.change.file)
    if whole is not None:
        return max(len(pattern.findall(mask(whole))) - 1, 0)
    if work.patch is None:
        return 0
    kinds = {" ", "+"} if side == "after" else {" ", "-"}
    found = 0
    for fp in work.patch.files:
        if fw.change.file not in {fp.old_path, fp.new_path}:
            continue
        for hunk in fp.hunks:
            code = "\n".join(ln.text for ln in hunk.lines if ln.kind in kinds)
            found += len(pattern.findall(mask(code)))
    return max(found - 1, 0)
