"""check --binary: the compiled code's second opinion next to the source verdict, in
every format, and a conflict between the two shown prominently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from equivcheck.report.email import render_email
from equivcheck.report.markdown import render_markdown

from .run import REPO, run

BINARY = REPO / "fixtures" / "binary"


def _check(after: str, *extra: str) -> tuple[int, dict[str, Any]]:
    pytest.importorskip("angr", reason="angr is not installed (pip install 'equivcheck[binary]')")
    result = run(
        "check",
        "--before",
        BINARY / "lazyfree.c",
        "--after",
        BINARY / after,
        "--binary",
        "--format",
        "json",
        *extra,
    )
    assert result.err == "", result.err  # angr's own log lines stay quiet
    return result.status, json.loads(result.out)


def _row(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in doc["functions"] if f["function"] == name)


def test_a_refactor_gets_an_agreeing_second_opinion() -> None:
    status, doc = _check("lazyfree_helper.c")
    assert status == 0
    row = _row(doc, "lazyfree_unmap")
    assert row["verdict"] == "equivalent"
    assert row["binary"]["opinion"] == "agree", row["binary"]
    assert set(row["binary"]) >= {"opinion", "reason", "time_s"}


def test_a_mutant_gets_a_disagreeing_second_opinion_with_traces() -> None:
    status, doc = _check("mutant_dropped_call.c")
    assert status == 1
    row = _row(doc, "lazyfree_unmap")
    assert row["verdict"] == "different"
    assert row["binary"]["opinion"] == "disagree"
    assert any("folio_set_swapbacked" in t for t in row["binary"]["before_trace"])


def test_the_table_shows_the_opinion_column() -> None:
    pytest.importorskip("angr", reason="angr is not installed")
    result = run(
        "check",
        "--before",
        BINARY / "lazyfree.c",
        "--after",
        BINARY / "mutant_dropped_call.c",
        "--binary",
    )
    assert "compiled code" in result.out and "disagree" in result.out


CONFLICT_DOC: dict[str, Any] = {
    "tool": "equivcheck",
    "version": "0",
    "verdict": "equivalent",
    "functions": [
        {
            "file": "mm/x.c",
            "function": "f",
            "status": "changed",
            "verdict": "equivalent",
            "reason": "proved",
            "mode": "tree",
            "patch": "p",
            "patch_index": 1,
            "binary": {"opinion": "disagree", "reason": "before calls g()", "time_s": 1.0},
        }
    ],
    "unattributed": [],
}


def test_a_conflict_is_shown_prominently_in_every_format(tmp_path: Path) -> None:
    assert "Conflict:" in render_markdown(CONFLICT_DOC)
    assert "CONFLICT:" in render_email(CONFLICT_DOC)
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(CONFLICT_DOC))
    table = run("render", saved)
    assert "CONFLICT" in table.out and "disagree (!)" in table.out


@pytest.mark.kernel
def test_tree_mode_label_rename_agrees_from_the_compiled_objects(kernel_tree: Path) -> None:
    """kbuild's own command compiles both versions of mm/rmap.c in a scratch folder;
    a label rename leaves the machine code identical."""
    pytest.importorskip("angr", reason="angr is not installed")
    patch = REPO / "fixtures" / "patches" / "kernel" / "rmap-rename-label.patch"
    result = run("check", patch, "--tree", kernel_tree, "--binary", "--format", "json")
    assert result.status == 0 and result.err == "", result
    [row] = json.loads(result.out)["functions"]
    assert row["verdict"] == "equivalent"
    assert row["binary"]["opinion"] == "agree"
