"""The second opinion for each function of a check run (``check --binary``): which
inputs can be compiled, the opinion attached to the function's result, and the one
way it can change the verdict (docs/binary.md, "What an opinion does to the verdict"):
a disagreement over an EQUIVALENT makes it UNKNOWN. Nothing else changes a verdict."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from equivcheck.binary.model import Opinion
from equivcheck.binary.opinion import opinion_from_files, opinion_from_tree
from equivcheck.equiv.check import FunctionResult
from equivcheck.frontend.workset import PatchWork
from equivcheck.limits import DEFAULT_LIMITS, Limits


def add_second_opinions(
    results: list[FunctionResult],
    works: Mapping[int, PatchWork],
    tree: Path | None,
    limits: Limits = DEFAULT_LIMITS,
    include_dirs: tuple[Path, ...] = (),
) -> None:
    """Set ``binary`` on every result whose both versions can be compiled (a changed or
    affected function of a tree, a git range or two files; its patch's work is
    ``works[result.patch_index]``), and apply the policy
    (:func:`apply_policy`). ``include_dirs`` are header directories for two-file mode
    (``-I``; each file's own directory is searched for its quoted includes anyway)."""
    for name in ("angr", "cle", "pyvex", "claripy", "archinfo"):
        # angr reports optional parts it lacks (unicorn) as errors on stderr.
        logging.getLogger(name).setLevel(logging.CRITICAL)
    doubted: set[tuple[int, str, str]] = set()
    for result in results:
        if result.status not in {"changed", "affected"}:
            continue
        work = works[result.patch_index]
        opinion = _opinion(result, work, tree, limits, include_dirs)
        result.binary = opinion.to_json()
        if apply_policy(result, opinion):
            doubted.add((result.patch_index, result.file, result.function))
    _through_callers(results, doubted)


def apply_policy(result: FunctionResult, opinion: Opinion) -> bool:
    """What the opinion does to the source verdict: a disagreement (two concrete,
    diverging traces) over an EQUIVALENT makes it UNKNOWN, since a proof the compiled
    code contradicts is not one to stand on; an agreement never upgrades a verdict and
    an inconclusive opinion changes nothing. DIFFERENT stays DIFFERENT. True when the
    verdict was changed."""
    if opinion.opinion != "disagree" or result.verdict != "equivalent":
        return False
    swaps = len(result.reorderings)
    accepted = f" (accepting {swaps} reordering(s) of effects)" if swaps else ""
    result.verdict = "unknown"
    result.reason = (
        f"the compiled code disagrees: {opinion.reason} (before: "
        f"{_last(opinion.details.before_trace)}; after: {_last(opinion.details.after_trace)}); "
        f"the source engine's proof{accepted} was: {result.reason}"
    )
    return True


# How equiv.check words the verdict of a function checked only through its callers
# (an added or removed helper): "...checked through its callers, with it inlined: f, g
# (equivalent)".
_THROUGH = "checked through its callers, with it inlined: "


def _through_callers(results: list[FunctionResult], doubted: set[tuple[int, str, str]]) -> None:
    """A function EQUIVALENT only through callers the policy made UNKNOWN (``doubted``:
    patch number, file, function) is UNKNOWN too: its proof was theirs."""
    for result in results:
        if result.verdict != "equivalent" or _THROUGH not in result.reason:
            continue
        listed = result.reason.split(_THROUGH, 1)[1].rsplit(" (", 1)[0].split(", ")
        hit = [c for c in listed if (result.patch_index, result.file, c) in doubted]
        if hit:
            result.verdict = "unknown"
            result.reason = (
                f"the compiled code disagrees on {', '.join(hit)}, the function(s) it was "
                f"checked through: {result.reason}"
            )


def _last(trace: list[str]) -> str:
    """The event where a trace parts from the other (its last), or a dash."""
    return trace[-1] if trace else "-"


def _opinion(
    result: FunctionResult,
    work: PatchWork,
    tree: Path | None,
    limits: Limits,
    include_dirs: tuple[Path, ...],
) -> Opinion:
    before = work.source("before", result.file)
    after = work.source("after", result.file)
    if before is None or after is None:
        return Opinion(
            "inconclusive",
            "no whole source to compile (patch alone): give --tree with a tree the patch "
            "applies to",
            0.0,
        )
    if tree is not None and result.mode == "tree":
        fw = next(
            (f for f in work.functions if f.change.function == result.function),
            None,
        )
        headers_before = {
            p: t for p, t in work.sources.get("before", {}).items() if p.endswith(".h")
        }
        headers_after = {p: t for p, t in work.sources.get("after", {}).items() if p.endswith(".h")}
        return opinion_from_tree(
            tree,
            result.file,
            before,
            after,
            result.function,
            before_unit=fw.before.unit if fw is not None and fw.before is not None else None,
            after_unit=fw.after.unit if fw is not None and fw.after is not None else None,
            overlay_before=headers_before,
            overlay_after=headers_after,
            limits=limits,
        )
    # Two files: gcc with kernel-like flags and with plain -O2; any disagreement wins.
    # Each file is compiled as if where it lies: its own directory holds its headers.
    origins = work.origins
    return opinion_from_files(
        before,
        after,
        result.function,
        limits=limits,
        before_dir=origins["before"].parent if "before" in origins else None,
        after_dir=origins["after"].parent if "after" in origins else None,
        include_dirs=include_dirs,
    )
