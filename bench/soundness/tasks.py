"""One check of the sweep, run inside a pool worker: the engine's verdict (in-process,
through ``check_patches``), then, for an EQUIVALENT mutant, the independent judge: the
gcc harness for generated programs, angr's opinion on the compiled code for kernel
functions. A DIFFERENT mutant of a program is also run through the harness when asked
(``confirm``), which measures how sharp the harness is."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from equivcheck.equiv.check import FunctionResult, Options, check_patches
from equivcheck.errors import InputError
from equivcheck.frontend.tree import KernelTree, open_tree
from equivcheck.frontend.workset import from_files, from_patch_file
from equivcheck.limits import Limits

from .harness import judge

_TREES: dict[str, KernelTree] = {}


def _options(task: dict[str, Any]) -> Options:
    budget = float(task.get("budget", 6.0))
    unroll = int(task.get("unroll", 2))
    return Options(timeout_s=min(4.0, budget), budget_s=budget, unroll=unroll)


def _pick(results: list[FunctionResult], name: str) -> FunctionResult | None:
    for r in results:
        if r.function == name:
            return r
    return None


def engine_on_program(
    before: str, after: str, budget: float = 6.0, unroll: int = 2
) -> tuple[str, str]:
    """(verdict, reason) of the engine for two versions of a generated program (two-file
    mode; the verdict of ``f``, helpers inlined)."""
    with tempfile.TemporaryDirectory(prefix="eqv-sweep-") as tmp:
        a, b = Path(tmp) / "before.c", Path(tmp) / "after.c"
        a.write_text(before)
        b.write_text(after)
        works = from_files(a, b, None)
        results = check_patches(works, _options({"budget": budget, "unroll": unroll}))
    if not results:
        return "equivalent", "no function changed"
    result = _pick(results, "f")
    if result is None:
        return "unknown", "no verdict for f: " + "; ".join(r.function for r in results)
    return result.verdict, result.reason


def run_program(task: dict[str, Any]) -> dict[str, Any]:
    """Engine, then harness, for a generated program's mutant or law."""
    start = time.perf_counter()
    try:
        verdict, reason = engine_on_program(
            task["before"], task["after"], task.get("budget", 6.0), task.get("unroll", 2)
        )
    except InputError as err:
        verdict, reason = "bad-input", err.one_line()
    out = {**task, "verdict": verdict, "reason": reason[:400]}
    out["engine_s"] = round(time.perf_counter() - start, 3)
    want_judge = (
        verdict == "equivalent"
        or (verdict == "different" and task.get("confirm") and task["class"] == "mutant")
        or (task["class"] == "law")
    )
    if want_judge:
        j = judge(task["before"], task["after"], task.get("inputs", 300), task.get("hseed", 1))
        out["harness"] = j.status
        out["harness_detail"] = j.detail[:400]
        out["refuted"] = verdict == "equivalent" and j.status == "different"
    out.pop("budget", None)
    out["time_s"] = round(time.perf_counter() - start, 3)
    return out


def _tree(path: str) -> KernelTree:
    if path not in _TREES:
        _TREES[path] = open_tree(path)
    return _TREES[path]


def run_kernel(task: dict[str, Any]) -> dict[str, Any]:
    """Engine in tree mode on a one-function patch; angr's opinion on an EQUIVALENT
    mutant (``disagree`` with a trace is a refutation to investigate)."""
    start = time.perf_counter()
    tree = _tree(task["tree"])
    with tempfile.TemporaryDirectory(prefix="eqv-sweep-") as tmp:
        patch = Path(tmp) / "mutant.patch"
        patch.write_text(task["patch"])
        try:
            works = from_patch_file(patch, tree)
            results = check_patches(works, _options(task))
            result = _pick(results, task["function"])
            if result is None:
                verdict, reason = "bad-input", "the engine saw no change to the function"
            elif "configuration does not compile it" in result.reason:
                verdict, reason = "bad-input", result.reason  # not built: not a mutant
            else:
                verdict, reason = result.verdict, result.reason
        except InputError as err:
            verdict, reason = "bad-input", err.one_line()
    out = {k: v for k, v in task.items() if k not in {"before_text", "after_text", "budget"}}
    out.update(verdict=verdict, reason=reason[:400], engine_s=round(time.perf_counter() - start, 3))
    if verdict == "equivalent" and task["class"] == "mutant" and task.get("binary", True):
        from equivcheck.binary.opinion import opinion_from_tree

        op = opinion_from_tree(
            Path(task["tree"]),
            task["rel"],
            task["before_text"],
            task["after_text"],
            task["function"],
            limits=Limits(budget_s=task.get("binary_budget", 60.0)),
        )
        out["binary"] = op.opinion
        out["binary_reason"] = op.reason[:400]
        if op.opinion == "disagree":
            out["binary_traces"] = {
                "before": op.details.before_trace[-12:],
                "after": op.details.after_trace[-12:],
                "inputs": dict(list(op.details.inputs.items())[:20]),
            }
        out["refuted"] = op.opinion == "disagree"
    else:
        out.pop("patch", None) if verdict != "equivalent" and task["class"] == "mutant" else None
    out["time_s"] = round(time.perf_counter() - start, 3)
    return out


def handle(task: dict[str, Any]) -> dict[str, Any]:
    """The pool's handler: dispatch on the task's kind."""
    if task["kind"] == "program":
        return run_program(task)
    return run_kernel(task)
