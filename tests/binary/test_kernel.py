"""The binary opinion on the real 6.12 tree: functions of mm/rmap.c compiled with
kbuild's own command (in a scratch folder: the shared tree is only read)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from equivcheck.binary import CompiledFunction, binary_opinion, opinion_from_tree
from equivcheck.binary.compile import compile_tree_file
from equivcheck.frontend.unit.kbuild import preprocess
from equivcheck.limits import Limits

pytest.importorskip(
    "angr", reason="angr is not installed (pip install 'equivcheck[binary]')", exc_type=ImportError
)
pytestmark = pytest.mark.kernel

RMAP = "mm/rmap.c"
# (function, old label, new label): the seed's rename, and labels of small functions.
RENAMES = [
    ("try_to_unmap_one", "discard", "finish_unmap"),
    ("mm_find_pmd", "out", "out_none"),
    ("folio_get_anon_vma", "out", "out_unlock"),
]


def rename_label(text: str, function: str, old: str, new: str) -> str:
    """``text`` with label ``old`` of ``function`` (and its gotos) renamed to ``new``."""
    match = re.search(rf"^\S[^\n;]*\b{function}\(", text, re.M)
    assert match is not None, function
    end = text.index("\n}\n", match.start())
    body = text[match.start() : end]
    renamed = re.sub(rf"\b{old}\b", new, body)
    assert renamed != body and f"{new}:" in renamed
    return text[: match.start()] + renamed + text[end:]


@dataclass
class Build:
    """rmap.c before and after the label renames, compiled, with their units."""

    before: Path
    after: Path
    unit_before: str
    unit_after: str

    def pair(self, function: str) -> tuple[CompiledFunction, CompiledFunction]:
        return (
            CompiledFunction(self.before, function, "before", source=self.unit_before),
            CompiledFunction(self.after, function, "after", source=self.unit_after),
        )


def _snapshot(tree: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in (tree / "mm").iterdir()}


@pytest.fixture(scope="module")
def build(kernel_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """Both versions compiled once for the module; the tree must not change."""
    before_snapshot = _snapshot(kernel_tree)
    text = (kernel_tree / RMAP).read_text()
    after = text
    for function, old, new in RENAMES:
        after = rename_label(after, function, old, new)
    work = tmp_path_factory.mktemp("rmap")
    first = compile_tree_file(kernel_tree, RMAP, text, work, tag="before")
    second = compile_tree_file(kernel_tree, RMAP, after, work, tag="after")
    assert first.ok and second.ok, first.error or second.error
    assert first.object_path is not None and second.object_path is not None
    unit_before = preprocess(kernel_tree, RMAP).text
    unit_after = preprocess(kernel_tree, RMAP, text=after).text
    yield Build(first.object_path, second.object_path, unit_before, unit_after)
    assert _snapshot(kernel_tree) == before_snapshot, "the kernel tree was written to"


@pytest.mark.parametrize(
    "function",
    ["mm_find_pmd", "folio_get_anon_vma", "page_vma_mkclean_one", "folio_referenced_one"],
)
def test_rmap_functions_agree_with_themselves(build: Build, function: str) -> None:
    before, after = build.pair(function)
    result = binary_opinion(before, after, Limits(budget_s=120.0), shortcut=False)
    assert result.opinion == "agree", result.reason
    assert result.details.method.startswith("symbolic execution")
    assert result.time_s < 120.0
    assert result.details.before.paths > 0


def test_loops_are_proved_by_the_inductive_rule(build: Build) -> None:
    before, after = build.pair("page_vma_mkclean_one")
    result = binary_opinion(before, after, Limits(budget_s=120.0), shortcut=False)
    assert result.opinion == "agree", result.reason
    assert "inductive rule" in result.reason
    assert result.details.before.symbol == "page_vma_mkclean_one.constprop.0"


def test_try_to_unmap_one_ends_inconclusive_within_the_budget(build: Build) -> None:
    before, after = build.pair("try_to_unmap_one")
    result = binary_opinion(before, after, Limits(budget_s=30.0), shortcut=False)
    assert result.opinion == "inconclusive"
    assert "budget" in result.reason
    assert result.time_s < 45.0


def test_identical_machine_code_is_the_fast_path(build: Build) -> None:
    before, after = build.pair("folio_referenced_one")
    result = binary_opinion(before, after, Limits(budget_s=60.0))
    assert result.opinion == "agree"
    assert result.details.method == "identical machine code"
    assert result.time_s < 10.0


def test_a_flipped_test_in_the_tree_disagrees(kernel_tree: Path) -> None:
    text = (kernel_tree / RMAP).read_text()
    match = re.search(r"^pmd_t \*mm_find_pmd\(", text, re.M)
    assert match is not None
    end = text.index("\n}\n", match.start())
    body = text[match.start() : end]
    mutant = body.replace("if (!pud_present(*pud))", "if (pud_present(*pud))")
    assert mutant != body
    after = text[: match.start()] + mutant + text[end:]
    result = opinion_from_tree(
        kernel_tree, RMAP, text, after, "mm_find_pmd", limits=Limits(budget_s=60.0)
    )
    assert result.opinion == "disagree", result.reason
    assert "returned value" in result.reason
    assert result.details.before_trace[-1] != result.details.after_trace[-1]
