"""The plain-text report for a mailing-list reply: 72 columns, no markup, the verdicts,
the counterexample, the reason, the assumptions in short and one command."""

from __future__ import annotations

import shlex
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from equivcheck.equiv.check import check_patches
from equivcheck.frontend.workset import from_patch_file
from equivcheck.report.document import document
from equivcheck.report.email import GENERIC_COMMAND, WIDTH, render_email
from tests.cli.run import REPO, SEED

MUTANT = REPO / "fixtures" / "engine" / "mutants" / "01-drop-rmb.patch"
UNDECIDED = REPO / "fixtures" / "engine" / "refactors" / "03-bool-helper-extract-interleaved.patch"


@cache
def _doc(path: Path) -> dict[str, Any]:
    works = from_patch_file(path, None)
    return document(check_patches(works), works)


def _columns(line: str) -> int:
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in line
    )


def _assert_mail_text(text: str) -> None:
    """72 columns (a lone token longer than that excepted), no trailing whitespace, no
    control characters, no Markdown, one final newline."""
    assert text.endswith("\n") and not text.endswith("\n\n")
    for line in text.split("\n")[:-1]:
        assert line == line.rstrip(), repr(line)
        assert _columns(line) <= WIDTH or (
            " " not in line.strip() and _columns(line.strip()) > WIDTH - 2
        ), repr(line)
        assert not any(unicodedata.category(c) in {"Cc", "Cf"} for c in line), repr(line)
    for markup in ("**", "```", "<details>", "| --- |", "\x1b["):
        assert markup not in text


def _flat(text: str) -> str:
    """The text with line breaks and indentation folded, to find wrapped phrases."""
    return " ".join(text.split())


def test_seed_lists_patch_functions_verdicts_assumptions() -> None:
    doc = _doc(SEED)
    text = render_email(doc)
    _assert_mail_text(text)
    assert text.startswith(f"equivcheck {doc['version']}: EQUIVALENT\n")
    flat = _flat(text)
    assert "Checked from the patch alone: mm/rmap: refactor some code around lazyfree" in flat
    for f in doc["functions"]:
        assert f"{f['file']}: {f['function']}() ({f['status']}): EQUIVALENT" in text
    assert "label map: discard -> finish_unmap" in text
    assert "inlined: ttu_lazyfree_folio()" in text
    assert "reordered: folio_set_swapbacked() (mm/rmap.c:2122) and set_ptes()" in flat
    assert "  A1: different struct fields never alias\n" in text
    assert "p->a" not in text  # assumptions in short: no asides
    assert "counterexample" not in text
    assert text.endswith(f"To reproduce:\n  {GENERIC_COMMAND}\n")


def test_mutant_counterexample_and_where_they_part() -> None:
    doc = _doc(MUTANT)
    doc = doc | {"command": "equivcheck check fixtures/engine/mutants/01-drop-rmb.patch"}
    text = render_email(doc)
    _assert_mail_text(text)
    assert text.startswith(f"equivcheck {doc['version']}: DIFFERENT\n")
    caller = next(f for f in doc["functions"] if f["function"] == "try_to_unmap_one")
    cx = caller["counterexample"]
    lines = text.splitlines()
    for name, value in cx["inputs"].items():
        assert f"    {name} = {value}" in lines
    for call, value in cx["call_results"].items():
        assert f"    {call} returns {value}" in lines
    assert f"  before: {cx['before']} ({caller['before_location']})" in lines
    assert f"  after:  {cx['after']} ({caller['after_location']})" in lines
    assert _flat(caller["reason"]) in _flat(text)
    assert text.endswith(f"To reproduce:\n  {doc['command']}\n")


def test_unknown_reason_is_wrapped_whole() -> None:
    doc = _doc(UNDECIDED)
    text = render_email(doc)
    _assert_mail_text(text)
    for f in doc["functions"]:
        assert f"{f['function']}() ({f['status']}): UNKNOWN" in text
        assert _flat(f["reason"]) in _flat(text)
    assert "2 functions: 2 UNKNOWN." in text


def test_long_tokens_stand_alone_and_nothing_else_passes_72() -> None:
    token = "very_long_identifier_" * 5
    doc = {
        "verdict": "unknown",
        "functions": [
            {
                "file": "drivers/gpu/drm/amd/display/dc/core/amdgpu_dm_something.c",
                "function": token,
                "status": "changed",
                "verdict": "unknown",
                "reason": f"a call to {token}() cannot be reordered with "
                + "word " * 40
                + "x" * 69,
                "assumptions": [f"A9: {token} is pure (really)"],
                "label_map": {token: token},
            }
        ],
    }
    text = render_email(doc)
    _assert_mail_text(text)
    alone = [line for line in text.splitlines() if token in line and _columns(line) > WIDTH]
    assert alone and all(line.strip() == line for line in alone)
    # A token that fits on a line but not after the indentation loses indentation only.
    assert any(line.endswith("x" * 69) and _columns(line) <= WIDTH for line in text.splitlines())


def test_wide_characters_count_two_columns() -> None:
    doc = {
        "verdict": "unknown",
        "functions": [
            {"file": "a.c", "function": "f", "verdict": "unknown", "reason": "漢字 " * 40}
        ],
    }
    text = render_email(doc)
    _assert_mail_text(text)
    assert max(_columns(line) for line in text.splitlines()) <= WIDTH


def test_hostile_text_becomes_one_plain_line() -> None:
    doc = {
        "verdict": "different",
        "functions": [
            {
                "file": "mm/x.c",
                "function": "f\n\nFrom: evil\x1b[31m\u202e",
                "status": "changed",
                "verdict": "different",
                "reason": "**bold**\r\n> quoted\ttab   ",
                "counterexample": {"inputs": {"a\nb": "1\x00"}, "before": "x\n", "after": ""},
            }
        ],
        "unattributed": [{"file": "mm/x.c", "line": 1, "side": "after", "text": "#define X\t1"}],
    }
    text = render_email(doc)
    _assert_mail_text(text.replace("**bold**", "bold"))
    assert "mm/x.c: f From: evil?[31m?() (changed): DIFFERENT" in text
    assert "\n> " not in text and "\nFrom" not in text
    assert "    a b = 1?" in text.splitlines()
    assert "  mm/x.c:1 (after): #define X 1" in text.splitlines()


def test_long_command_is_continued_with_backslashes() -> None:
    command = (
        "equivcheck check 'patches/v2 series/0001-mm-rmap-refactor.patch' --tree "
        "/home/maintainer/src/linux-next-2024 --budget 120 --timeout 30 --unroll 4"
    )
    text = render_email({"verdict": "equivalent", "functions": [], "command": command})
    _assert_mail_text(text)
    block = text.split("To reproduce:\n", 1)[1].splitlines()
    assert len(block) > 1
    assert all(line.endswith(" \\") for line in block[:-1])
    joined = " ".join(line.removesuffix(" \\").strip() for line in block)
    assert shlex.split(joined) == shlex.split(command)
