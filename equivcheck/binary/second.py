"""The second opinion for each function of a check run (``check --binary``): which
inputs can be compiled, and the opinion attached to the function's result."""

from __future__ import annotations

import logging
from pathlib import Path

from equivcheck.binary.model import Opinion
from equivcheck.binary.opinion import opinion_from_files, opinion_from_tree
from equivcheck.equiv.check import FunctionResult
from equivcheck.frontend.workset import PatchWork


def add_second_opinions(
    results: list[FunctionResult],
    works: list[PatchWork],
    tree: Path | None,
    budget_s: float,
    max_paths: int,
) -> None:
    """Set ``binary`` on every result whose both versions can be compiled (a changed or
    affected function of a tree, a git range or two files). The source verdict is never
    changed: the opinion stands next to it."""
    for name in ("angr", "cle", "pyvex", "claripy", "archinfo"):
        # angr reports optional parts it lacks (unicorn) as errors on stderr.
        logging.getLogger(name).setLevel(logging.CRITICAL)
    for result in results:
        if result.status not in {"changed", "affected"}:
            continue
        work = works[result.patch_index - 1]
        opinion = _opinion(result, work, tree, budget_s, max_paths)
        result.binary = opinion.to_json()


def _opinion(
    result: FunctionResult,
    work: PatchWork,
    tree: Path | None,
    budget_s: float,
    max_paths: int,
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
            budget_s=budget_s,
            max_paths=max_paths,
        )
    # Two files: gcc with kernel-like flags and with plain -O2; any disagreement wins.
    return opinion_from_files(
        before, after, result.function, budget_s=budget_s, max_paths=max_paths
    )
