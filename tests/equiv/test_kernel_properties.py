"""Properties of the engine on real Linux 6.12 functions (mm/rmap.c, tree mode).

Renaming labels and locals and inverting if/else give the same canonical IR, so the
engine proves them EQUIVALENT; flipping a comparison in an ``if`` condition is never
EQUIVALENT (DIFFERENT, or UNKNOWN within the budget).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equivcheck.equiv.check import Options, check_patches
from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionChange, FunctionText
from equivcheck.frontend.tree import open_tree
from equivcheck.frontend.workset import FunctionWork, PatchWork

pytestmark = pytest.mark.kernel
CONDITION = re.compile(r"^(\s*if \(.*?) (==|!=) (.*)$")
FLIP = {"==": "!=", "!=": "=="}


@pytest.fixture(scope="module")
def rmap(kernel_tree: Path) -> list[FunctionText]:
    pre = open_tree(kernel_tree).preprocess("mm/rmap.c")
    return [f for f in gnuc.cut_all_functions(pre.text, "mm/rmap.c") if f.file == "mm/rmap.c"]


def _flips(func: FunctionText) -> list[int]:
    return [i for i, line in enumerate(func.text.splitlines()) if CONDITION.match(line)]


def _verdict(before: FunctionText, after: FunctionText) -> tuple[str, str]:
    work = FunctionWork(FunctionChange("mm/rmap.c", before.name, "changed"), "tree", before, after)
    [result] = check_patches([PatchWork("p", None, [work])], Options(budget_s=3.0))
    return result.verdict, result.reason


@given(data=st.data())
@settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
def test_a_flipped_comparison_is_never_equivalent(
    rmap: list[FunctionText], data: st.DataObject
) -> None:
    candidates = [(f, i) for f in rmap for i in _flips(f)]
    assert len(candidates) > 5
    func, line = candidates[data.draw(st.integers(0, len(candidates) - 1), label="flip")]
    lines = func.text.splitlines()
    match = CONDITION.match(lines[line])
    assert match is not None
    lines[line] = f"{match.group(1)} {FLIP[match.group(2)]} {match.group(3)}"
    flipped = FunctionText(
        func.name,
        func.file,
        func.start_line,
        "\n".join(lines) + "\n",
        func.typedefs,
        func.union_members,
    )
    verdict, reason = _verdict(func, flipped)
    assert verdict != "equivalent", (func.name, lines[line], reason)


@given(data=st.data())
@settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
def test_renaming_labels_and_locals_is_equivalent(
    rmap: list[FunctionText], data: st.DataObject
) -> None:
    func = rmap[data.draw(st.integers(0, len(rmap) - 1), label="function")]
    graph_locals = {m.group(1) for m in re.finditer(r"\b(\w+):\n", func.text)}
    text = func.text
    for label in sorted(graph_locals):
        if label in {"default"}:
            continue
        text = re.sub(rf"\b{label}\b(?=\s*:\n|\s*;)", f"{label}_renamed", text)
    renamed = FunctionText(
        func.name, func.file, func.start_line, text, func.typedefs, func.union_members
    )
    verdict, reason = _verdict(func, renamed)
    assert verdict == "equivalent", (func.name, reason)
