"""``check --function F``: F's behaviour with every changed function it reaches inlined
(static or not; a weak one stays an opaque call), and F's verdict alone in the report
(fixtures/function-scope/README.md)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from .run import REPO, run

SCOPE = REPO / "fixtures" / "function-scope"
CALLEES = (SCOPE / "callees_before.c", SCOPE / "callees_after.c")
UNMAP = (SCOPE / "unmap_before.c", SCOPE / "unmap_after.c")


def _check(pair: tuple[Path, Path], function: str | None = None) -> tuple[int, dict[str, Any]]:
    named = ["--function", function] if function else []
    result = run("check", "--before", pair[0], "--after", pair[1], *named, "--format", "json")
    assert result.err == "", result.err
    return result.status, json.loads(result.out)


def _rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    functions = doc["functions"]
    assert isinstance(functions, list)
    return {f["function"]: f for f in functions}


def test_a_static_callee_changed_where_the_caller_never_goes_is_equivalent() -> None:
    status, doc = _check(CALLEES, "total")
    rows = _rows(doc)
    assert list(rows) == ["total"]
    assert (rows["total"]["status"], rows["total"]["verdict"]) == ("affected", "equivalent")
    assert rows["total"]["inlined"] == ["add"]
    assert "same canonical IR" not in str(rows["total"]["reason"])
    assert status == 0
    # add() alone is different: the answer the user asked for is total's.
    status, doc = _check(CALLEES)
    assert _rows(doc)["add"]["verdict"] == "different" and status == 1


def test_a_static_callee_change_the_caller_reaches_is_different() -> None:
    status, doc = _check(CALLEES, "grand")
    row = _rows(doc)["grand"]
    assert row["verdict"] == "different" and status == 1
    assert row["counterexample"]


def test_a_non_static_callee_is_inlined_and_the_caller_decided() -> None:
    status, doc = _check(CALLEES, "client")
    rows = _rows(doc)
    assert list(rows) == ["client"], "the report shows the function asked for"
    assert rows["client"]["verdict"] == "equivalent" and status == 0
    assert rows["client"]["inlined"] == ["lib"]
    status, doc = _check(CALLEES, "client2")
    assert _rows(doc)["client2"]["verdict"] == "different" and status == 1


def test_an_unchanged_function_between_caller_and_changed_callee_is_inlined() -> None:
    status, doc = _check(CALLEES, "top")
    row = _rows(doc)["top"]
    assert row["verdict"] == "different" and status == 1
    assert set(row["inlined"]) == {"mid", "leaf"}


def test_a_weak_callee_stays_an_opaque_call() -> None:
    status, doc = _check(CALLEES, "uses_hook")
    row = _rows(doc)["uses_hook"]
    assert row["verdict"] == "equivalent" and status == 0
    assert row["inlined"] == []
    status, doc = _check(CALLEES, "hook")
    assert _rows(doc)["hook"]["verdict"] == "different" and status == 1


def test_issue_13_extracted_helper_is_inlined_with_function() -> None:
    for function in (None, "unmap_one"):
        status, doc = _check(UNMAP, function)
        row = _rows(doc)["unmap_one"]
        assert (row["verdict"], status) == ("equivalent", 0), (function, row["reason"])
        assert row["inlined"] == ["lazyfree_can_drop"]
        swapped = {(r["first"], r["second"]) for r in row["reorderings"]}
        assert {tuple(sorted(pair)) for pair in swapped} == {
            ("folio_set_swapbacked()", "set_ptes()")
        }


def test_an_added_function_named_alone_is_unknown_not_equivalent() -> None:
    status, doc = _check(UNMAP, "lazyfree_can_drop")
    row = _rows(doc)["lazyfree_can_drop"]
    assert row["verdict"] == "unknown" and status == 2
    assert "no before version" in str(row["reason"])


def test_ir_diff_with_function_lists_the_changed_callees_it_reaches() -> None:
    result = run("ir-diff", "--before", CALLEES[0], "--after", CALLEES[1], "--function", "top")
    assert result.status == 1, result
    assert "leaf" in result.out and "differs" in result.out


@pytest.mark.kernel
def test_tree_mode_inlines_a_changed_non_static_callee(kernel_tree: Path, tmp_path: Path) -> None:
    # try_to_unmap_flush() is not static; try_to_unmap_flush_dirty() calls it. Its
    # callers in mm/rmap.c were once not listed and, when compared, called it opaquely.
    before = (kernel_tree / "mm" / "rmap.c").read_text()
    stores = "\ttlb_ubc->flush_required = false;\n\ttlb_ubc->writable = false;\n}"
    after = before.replace(stores, "\ttlb_ubc->flush_required = false;\n}", 1)
    assert after != before
    diff = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        "a/mm/rmap.c",
        "b/mm/rmap.c",
    )
    patch = tmp_path / "flush.patch"
    patch.write_text("diff --git a/mm/rmap.c b/mm/rmap.c\n" + "".join(diff))
    result = run("check", patch, "--tree", kernel_tree, "--format", "json")
    assert result.status in (1, 2), result
    rows = _rows(json.loads(result.out))
    callee = rows["try_to_unmap_flush"]
    assert callee["verdict"] != "equivalent"
    caller = rows["try_to_unmap_flush_dirty"]
    # The caller reaches the dropped store whenever tlb_ubc->writable is set: it is
    # decided like the callee (DIFFERENT when the engine finds the counterexample).
    assert (caller["status"], caller["verdict"]) == ("affected", callee["verdict"])
    assert caller["inlined"] == ["try_to_unmap_flush"]


def test_an_unchanged_caller_leans_on_its_callees_verdict_with_function(tmp_path: Path) -> None:
    # add() is rewritten equivalently: total's text is unchanged, so its verdict is
    # add()'s, with --function (add() decided but not reported) as without.
    before, after = tmp_path / "b.c", tmp_path / "a.c"
    before.write_text((SCOPE / "callees_before.c").read_text())
    after.write_text(before.read_text().replace("return a + b;", "return b + a;"))
    for function in (None, "total"):
        status, doc = _check((before, after), function)
        row = _rows(doc)["total"]
        assert (row["verdict"], status) == ("equivalent", 0)
        assert "changed helpers it calls (add) are equivalent" in row["reason"]
