"""The sweep: seeded tasks (generated-program mutants and laws, kernel mutants and
laws), run in the pool, tallied into the figures the issue asks for."""

from __future__ import annotations

import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import kernel as K
from .generate import generate
from .mutate import LAWS, MUTATIONS, apply_law, mutate
from .pool import run_pool
from .tasks import handle

VERDICTS = ("equivalent", "different", "unknown")


@dataclass
class Plan:
    """What to run."""

    seed: int = 1
    mutants: int = 5000
    seconds: float | None = None
    jobs: int = 2
    kernel: bool = True
    kernel_share: float = 0.3
    mutants_per_program: int = 3
    mutants_per_function: int = 6
    laws_per_program: float = 1.0
    budget: float = 6.0
    kernel_budget: float = 4.0
    binary_budget: float = 60.0
    confirm_every: int = 4
    inputs: int = 300
    tree: Path = K.TREE


def program_tasks(plan: Plan) -> Iterator[dict[str, Any]]:
    """Mutants and laws of generated programs, forever (the caller stops)."""
    ops, laws = list(MUTATIONS), list(LAWS)
    k = 0
    for index in range(10**9):
        pseed = plan.seed * 1_000_003 + index
        text = generate(pseed).text
        rng = random.Random(pseed)
        made = 0
        for t in range(len(ops)):
            if made >= plan.mutants_per_program:
                break
            op = ops[(index * plan.mutants_per_program + t) % len(ops)]
            got = _safely(mutate, text, op, rng)
            if got is None:
                continue
            made += 1
            k += 1
            before, after, what = got
            yield {
                "kind": "program",
                "class": "mutant",
                "program": pseed,
                "operator": op,
                "what": what,
                "before": before,
                "after": after,
                "budget": plan.budget,
                "confirm": k % plan.confirm_every == 0,
                "inputs": plan.inputs,
                "hseed": pseed,
            }
        if rng.random() < plan.laws_per_program:
            for t in range(len(laws)):
                law = laws[(index + t) % len(laws)]
                got2 = _safely(apply_law, text, law, rng)
                if got2 is not None:
                    yield {
                        "kind": "program",
                        "class": "law",
                        "program": pseed,
                        "operator": law,
                        "what": law,
                        "before": got2[0],
                        "after": got2[1],
                        "budget": plan.budget,
                        "inputs": plan.inputs // 3,
                        "hseed": pseed,
                    }
                    break


def _safely(make: Callable[..., Any], *args: Any) -> Any:
    """A mutant or law, or None when making it fails (a bug in the operator must not
    stop the sweep; the operator simply has no site in this program)."""
    try:
        return make(*args)
    except Exception:
        return None


def kernel_tasks(plan: Plan) -> Iterator[dict[str, Any]]:
    """Mutants and laws of mm/ functions, in a seeded order."""
    rng = random.Random(plan.seed)
    funcs = [f for rel in K.built_files(plan.tree) for f in K.functions_of(plan.tree, rel)]
    rng.shuffle(funcs)
    ops, laws = list(K.MUTATIONS), list(K.LAWS)
    counter = 0
    for func in funcs:
        text = (plan.tree / func.rel).read_text()
        body = text[func.start : func.end]
        base = {
            "kind": "kernel",
            "rel": func.rel,
            "function": func.name,
            "tree": str(plan.tree),
            "budget": plan.kernel_budget,
            "binary_budget": plan.binary_budget,
        }
        made = 0
        for t in range(len(ops)):
            if made >= plan.mutants_per_function:
                break
            op = ops[(counter + t) % len(ops)]
            got = K.mutant(plan.tree, func, op, rng)
            if got is None:
                continue
            made += 1
            patch, before, after = K.diff(plan.tree, func, got[0])
            yield {
                **base,
                "class": "mutant",
                "operator": op,
                "what": got[1],
                "patch": patch,
                "before_text": before,
                "after_text": after,
            }
        counter += 1
        law = laws[counter % len(laws)]
        new = K.LAWS[law](body)
        if new is not None and new != body:
            patch, before, after = K.diff(plan.tree, func, new)
            yield {
                **base,
                "class": "law",
                "operator": law,
                "what": law,
                "patch": patch,
                "before_text": before,
                "after_text": after,
            }


def interleave(plan: Plan) -> Iterator[dict[str, Any]]:
    """Program and kernel tasks mixed at ``kernel_share``; stops after ``plan.mutants``
    mutants (laws ride along)."""
    progs = program_tasks(plan)
    kern = kernel_tasks(plan) if plan.kernel else iter(())
    rng = random.Random(plan.seed ^ 0x5EED)
    mutants = 0
    kernel_done = not plan.kernel
    while mutants < plan.mutants:
        source = progs
        if not kernel_done and rng.random() < plan.kernel_share:
            source = kern
        task = next(source, None)
        if task is None:
            kernel_done = True
            continue
        mutants += task["class"] == "mutant"
        yield task


def _hard_timeout(task: dict[str, Any]) -> float:
    base = 4 * float(task.get("budget", 6.0)) + 30
    if task["kind"] == "kernel":
        return base + 3 * float(task.get("binary_budget", 60.0)) + 60
    return base + 60


@dataclass
class Tally:
    """Counts for the figures."""

    results: list[dict[str, Any]] = field(default_factory=list)

    def add(self, r: dict[str, Any]) -> None:
        self.results.append(r)


def sweep(plan: Plan, log: TextIO | None = None, keep: Path | None = None) -> Tally:
    """Run the plan; every result is a JSON line on ``log``; refuted cases and false
    DIFFERENTs on laws are written under ``keep``."""
    tally = Tally()
    deadline = time.monotonic() + plan.seconds if plan.seconds else None
    results = run_pool(interleave(plan), handle, plan.jobs, _hard_timeout, deadline)
    try:
        for r in results:
            _record(tally, r, log, keep)
    except KeyboardInterrupt:  # Ctrl-C: the figures of what ran
        results.close()
    return tally


def _record(tally: Tally, r: dict[str, Any], log: TextIO | None, keep: Path | None) -> None:
    slim = {k: v for k, v in r.items() if k not in {"before_text", "after_text"}}
    interesting = r.get("refuted") or (r["class"] == "law" and r["verdict"] == "different")
    if not interesting:
        slim.pop("before", None)
        slim.pop("after", None)
        slim.pop("patch", None)
    tally.add(slim)
    if log is not None:
        log.write(json.dumps(slim) + "\n")
        log.flush()
    if interesting and keep is not None:
        _keep(keep, r)


def _keep(root: Path, r: dict[str, Any]) -> None:
    name = f"{r['kind']}-{r['class']}-{r['operator']}-{r.get('program', r.get('function'))}"
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    if "before" in r:
        (d / "before.c").write_text(r["before"])
        (d / "after.c").write_text(r["after"])
    if "patch" in r:
        (d / "mutant.patch").write_text(r["patch"])
    info = {
        k: v
        for k, v in r.items()
        if k not in {"before", "after", "patch", "before_text", "after_text"}
    }
    (d / "result.json").write_text(json.dumps(info, indent=1) + "\n")


def figures(tally: Tally, wall_s: float, jobs: int) -> str:
    """The report: mutants, functions, programs, verdicts, refutations per operator,
    law proof rates, time."""
    rs = tally.results
    lines: list[str] = []
    muts = [r for r in rs if r["class"] == "mutant"]
    laws = [r for r in rs if r["class"] == "law" and r["verdict"] != "bad-input"]
    counted = [r for r in muts if r["verdict"] != "bad-input"]
    prog = [r for r in counted if r["kind"] == "program"]
    kern = [r for r in counted if r["kind"] == "kernel"]
    lines.append(
        f"mutants checked: {len(counted)} ({len(prog)} from "
        f"{len({r['program'] for r in prog})} generated programs, {len(kern)} from "
        f"{len({(r['rel'], r['function']) for r in kern})} mm/ functions); "
        f"not generated (engine: bad input): {len(muts) - len(counted)}"
    )
    for label, group in (("all", counted), ("programs", prog), ("kernel", kern)):
        c = Counter(r["verdict"] for r in group)
        other = sum(v for k, v in c.items() if k not in VERDICTS)
        lines.append(
            f"  {label:9s} EQUIVALENT {c['equivalent']}, DIFFERENT {c['different']}, "
            f"UNKNOWN {c['unknown']}, hard timeout/crash {other}"
        )
    refuted = [r for r in counted if r.get("refuted")]
    unjudged = [r for r in counted if r["verdict"] == "equivalent" and "refuted" not in r]
    lines.append(
        f"EQUIVALENT verdicts refuted: {len(refuted)} (EQUIVALENT not judged: {len(unjudged)})"
    )
    hp = Counter(r.get("harness") for r in prog if r["verdict"] == "equivalent")
    lines.append(
        f"  harness on EQUIVALENT program mutants: same {hp['same']}, different "
        f"{hp['different']}, inconclusive {hp['inconclusive']}, error {hp['error']}"
    )
    bk = Counter(r.get("binary") for r in kern if r["verdict"] == "equivalent")
    lines.append(
        f"  angr on EQUIVALENT kernel mutants: agree {bk['agree']}, disagree "
        f"{bk['disagree']}, inconclusive {bk['inconclusive']}"
    )
    conf = [r for r in prog if r["verdict"] == "different" and "harness" in r]
    cc = Counter(r["harness"] for r in conf)
    lines.append(
        f"  harness sharpness (engine DIFFERENT, sampled): {cc['different']}/{len(conf)} "
        f"confirmed by the harness, {cc['same']} not seen on its inputs"
    )
    lines.append("per operator (EQ/DIFF/UNK/other, refuted):")
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for r in counted:
        key = f"{r['kind'][:4]}:{r['operator']}"
        per[key][r["verdict"] if r["verdict"] in VERDICTS else "other"] += 1
        per[key]["refuted"] += bool(r.get("refuted"))
    for key in sorted(per):
        c = per[key]
        lines.append(
            f"  {key:28s} {c['equivalent']:5d} {c['different']:5d} {c['unknown']:5d} "
            f"{c['other']:4d}  refuted {c['refuted']}"
        )
    lines.append("laws (proof rate = EQUIVALENT / checked; DIFFERENT is a false DIFFERENT):")
    perlaw: dict[str, Counter[str]] = defaultdict(Counter)
    for r in laws:
        key = f"{r['kind'][:4]}:{r['operator']}"
        perlaw[key][r["verdict"] if r["verdict"] in VERDICTS else "other"] += 1
        perlaw[key]["harness-different"] += r.get("harness") == "different"
    for key in sorted(perlaw):
        c = perlaw[key]
        n = sum(c[v] for v in (*VERDICTS, "other"))
        rate = c["equivalent"] / n if n else 0.0
        lines.append(
            f"  {key:28s} {c['equivalent']}/{n} proved ({rate:.0%}), DIFFERENT "
            f"{c['different']}, UNKNOWN {c['unknown']}, other {c['other']}"
            + (
                f", harness saw a difference {c['harness-different']}"
                if c["harness-different"]
                else ""
            )
        )
    n = len(rs)
    per_check = wall_s * jobs / n if n else 0.0
    lines.append(
        f"time: {wall_s:.0f} s wall for {n} checks ({jobs} jobs, {per_check:.2f} s per check "
        f"per job); 5,000 mutants plus laws would take about "
        f"{per_check * 5000 * (n / max(1, len(muts))) / jobs / 60:.0f} min"
    )
    return "\n".join(lines)
