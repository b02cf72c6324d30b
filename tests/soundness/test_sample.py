"""The CI sample of the soundness sweep (bench/soundness_fuzz.py runs the full one):
seeded generated-program mutants for 90 seconds and a handful of mm/ mutants; no
EQUIVALENT verdict may be refuted, and the sample must actually have judged some.
About two minutes on two cores: 80 s of programs, four kernel mutants."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from soundness.generate import generate
from soundness.harness import judge
from soundness.mutate import LAWS, MUTATIONS, apply_law, mutate
from soundness.pool import run_pool
from soundness.sweep import Plan, _hard_timeout, kernel_tasks, program_tasks
from soundness.tasks import handle

SEED = 20261206


def _refuted(results: list[dict[str, object]]) -> list[str]:
    return [
        f"{r['operator']} ({r['what']}): {r.get('harness_detail') or r.get('binary_reason')}"
        for r in results
        if r.get("refuted")
    ]


def test_generated_programs_are_deterministic_and_well_formed() -> None:
    assert generate(7).text == generate(7).text
    for seed in range(30):
        text = generate(seed).text
        assert judge(text, text, 20, seed).status == "same"


def test_every_operator_and_law_applies_somewhere() -> None:
    texts = [generate(seed).text for seed in range(40)]
    for op in MUTATIONS:
        assert any(mutate(t, op, random.Random(1)) for t in texts), op
    for law in LAWS:
        assert any(apply_law(t, law, random.Random(1)) for t in texts), law


def test_harness_sees_a_changed_return_value() -> None:
    text = generate(3).text
    changed = text.replace("return r;", "return r + 1;", 1)
    assert changed != text
    assert judge(text, changed, 50, 1).status == "different"


def test_program_sample_has_no_refuted_equivalent() -> None:
    plan = Plan(seed=SEED, budget=4.0, inputs=200)
    deadline = time.monotonic() + 80
    results = list(run_pool(program_tasks(plan), handle, 2, _hard_timeout, deadline))
    mutants = [r for r in results if r["class"] == "mutant"]
    judged = [r for r in mutants if r["verdict"] == "equivalent" and r.get("harness") == "same"]
    assert len(mutants) >= 20, f"only {len(mutants)} mutants checked in 80 s"
    assert len(judged) >= 3, f"only {len(judged)} EQUIVALENT mutants judged by the harness"
    assert _refuted(results) == []
    false_different = [
        r["operator"] for r in results if r["class"] == "law" and r["verdict"] == "different"
    ]
    assert false_different == []


@pytest.mark.kernel
def test_kernel_sample_has_no_refuted_equivalent(kernel_tree: Path) -> None:
    plan = Plan(seed=SEED, tree=kernel_tree, budget=4.0, binary_budget=30.0)
    tasks = kernel_tasks(plan)
    chosen = [t for t, _ in zip(tasks, range(4), strict=False)]
    results = list(run_pool(chosen, handle, 2, _hard_timeout))
    checked = [r for r in results if r["verdict"] in {"equivalent", "different", "unknown"}]
    assert len(checked) >= 3, [(r["function"], r["verdict"], r["reason"]) for r in results]
    assert _refuted(results) == []
