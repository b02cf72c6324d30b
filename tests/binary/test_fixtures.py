"""The binary fixture pairs (fixtures/binary/manifest.json), compiled by gcc and
compared by the symbolic engine (the identical-code fast path off, then on)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from equivcheck.binary import opinion_from_files, opinion_from_texts
from equivcheck.binary.compile import FLAG_SETS
from equivcheck.limits import Limits

pytest.importorskip(
    "angr", reason="angr is not installed (pip install 'equivcheck[binary]')", exc_type=ImportError
)
if shutil.which("gcc") is None:
    pytest.skip("gcc is not installed", allow_module_level=True)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "binary"


def _entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((FIXTURES / "manifest.json").read_text())
    return entries


def _opinion(entry: dict[str, Any], shortcut: bool) -> Any:
    return opinion_from_texts(
        (FIXTURES / entry["before"]).read_text(),
        (FIXTURES / entry["after"]).read_text(),
        entry["function"],
        flags=FLAG_SETS[entry["flags"]],
        after_flags=FLAG_SETS[entry["after_flags"]],
        limits=Limits(budget_s=60.0),
        shortcut=shortcut,
    )


def test_manifest_is_complete() -> None:
    names = set()
    for entry in _entries():
        assert entry["expect"] in ("agree", "disagree", "inconclusive"), entry
        assert entry["flags"] in FLAG_SETS and entry["after_flags"] in FLAG_SETS, entry
        assert (FIXTURES / entry["before"]).is_file() and (FIXTURES / entry["after"]).is_file()
        assert entry["why"] and entry["name"] not in names
        names.add(entry["name"])
    kinds = {e["expect"] for e in _entries()}
    assert kinds == {"agree", "disagree", "inconclusive"}


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e["name"])
def test_symbolic_opinion(entry: dict[str, Any]) -> None:
    result = _opinion(entry, shortcut=False)
    assert result.opinion == entry["expect"], result.reason
    assert result.details.method.startswith("symbolic execution")
    assert result.time_s < 60.0
    if result.opinion == "disagree":
        assert result.reason.startswith("the compiled versions differ")
        assert result.details.before_trace and result.details.after_trace
        assert result.details.before_trace != result.details.after_trace
    if result.opinion == "agree":
        assert result.details.before.paths > 0 and result.details.after.paths > 0
    if result.opinion == "inconclusive":
        assert result.reason


@pytest.mark.parametrize(
    "entry", [e for e in _entries() if e["expect"] == "agree"], ids=lambda e: e["name"]
)
def test_fast_path_keeps_the_opinion(entry: dict[str, Any]) -> None:
    result = _opinion(entry, shortcut=True)
    assert result.opinion == "agree", result.reason
    if result.details.method == "identical machine code":
        assert result.reason.startswith("identical machine code")


def test_disagreement_names_the_diverging_events() -> None:
    entry = next(e for e in _entries() if e["name"] == "mutant-counter-sign")
    result = _opinion(entry, shortcut=False)
    assert "add_mm_counter" in result.reason and "argument 3" in result.reason
    assert result.details.before_trace[-1].startswith("call add_mm_counter(")
    assert result.details.before_trace[-1] != result.details.after_trace[-1]
    assert result.details.inputs


def test_a_bug_is_terminal_and_a_warn_goes_on(tmp_path: Path) -> None:
    base = """
extern void f(int x);
extern void g(int x);
void check(int x)
{
	if (x > 3)
		__builtin_trap();
	f(x);
	g(x);
}
"""
    mutant = base.replace("if (x > 3)", "if (x >= 3)")
    result = opinion_from_texts(base, mutant, "check", limits=Limits(budget_s=60.0), shortcut=False)
    assert result.opinion == "disagree", result.reason
    assert "BUG" in result.reason
    same = opinion_from_texts(base, base, "check", limits=Limits(budget_s=60.0), shortcut=False)
    assert same.opinion == "agree", same.reason


def test_budget_ends_an_exploding_function() -> None:
    text = """
extern int t(int i);
extern void u(int n);
void many(void)
{
	if (t(0)) u(0);
	if (t(1)) u(1);
	if (t(2)) u(2);
	if (t(3)) u(3);
	if (t(4)) u(4);
	if (t(5)) u(5);
	if (t(6)) u(6);
}
"""
    result = opinion_from_texts(text, text, "many", limits=Limits(max_paths=40), shortcut=False)
    assert result.opinion == "inconclusive"
    assert "path budget (40 paths per version)" in result.reason


def test_a_callback_whose_code_changed_is_not_agreed() -> None:
    base = """
extern void g(int x);
extern void h(int x);
extern void register_callback(void (*cb)(int));
static void callback(int x)
{
	g(x);
}
void setup(void)
{
	register_callback(callback);
}
"""
    changed = base.replace("\tg(x);\n}\nvoid setup", "\th(x);\n}\nvoid setup")
    assert changed != base
    result = opinion_from_texts(
        base, changed, "setup", limits=Limits(budget_s=60.0), shortcut=False
    )
    assert result.opinion == "inconclusive", result.reason
    assert "callback" in result.reason and "contents differ" in result.reason
    same = opinion_from_texts(base, base, "setup", limits=Limits(budget_s=60.0), shortcut=False)
    assert same.opinion == "agree", same.reason


def test_two_file_mode_runs_both_flag_sets() -> None:
    before = (FIXTURES / "lazyfree.c").read_text()
    after = (FIXTURES / "lazyfree_helper.c").read_text()
    result = opinion_from_files(before, after, "lazyfree_unmap")
    assert result.opinion == "agree", result.reason
    assert result.reason.startswith("[-O2 -fno-pic -mcmodel=kernel -fno-asynchronous")
    assert "; [-O2] " in result.reason
    mutant = (FIXTURES / "mutant_wrong_result.c").read_text()
    wrong = opinion_from_files(before, mutant, "lazyfree_unmap")
    assert wrong.opinion == "disagree"
    assert wrong.reason.startswith("[-O2 -fno-pic -mcmodel=kernel")
