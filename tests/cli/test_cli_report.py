"""check's output forms on the terminal side: output files, re-rendering a saved
report, quiet, plain output when piped, NO_COLOR, the path side by side, and what would
resolve an UNKNOWN."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .run import REPO, SEED, assert_input_error, run

MUTANT = REPO / "fixtures" / "engine" / "mutants" / "01-drop-rmb.patch"
UNKNOWN = REPO / "fixtures" / "engine" / "refactors" / "12-move-pure-computation.patch"
ANSI = re.compile(r"\x1b\[")
COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-7]m")


def test_json_to_an_output_file_then_rendered_as_a_table(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = run("check", MUTANT, "--format", "json", "--output", report)
    assert result.status == 1 and result.out == "" and result.err == ""
    doc = json.loads(report.read_text())
    assert doc["command"] == f"equivcheck check {MUTANT}"
    rendered = run("render", report)
    assert rendered.status == 1, rendered
    assert "verdict: DIFFERENT" in rendered.out
    assert "try_to_unmap_one" in rendered.out
    again = run("render", report, "--format", "json")
    assert json.loads(again.out) == doc


def test_render_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert_input_error(run("render", bad), "bad.json", "is not JSON")
    other = tmp_path / "other.json"
    other.write_text('{"tool": "something else"}')
    assert_input_error(run("render", other), "not an equivcheck report")
    assert_input_error(run("render", tmp_path / "missing.json"), "no such file")


def test_output_into_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "r.json"
    assert_input_error(run("check", SEED, "--format", "json", "-o", target), "folder")
    assert not target.exists()


def test_piped_output_is_plain_and_stderr_stays_empty() -> None:
    result = run("check", MUTANT)
    assert result.status == 1
    assert not ANSI.search(result.out)
    assert result.err == ""  # no progress display when stderr is not a terminal


def test_no_color_is_respected_even_when_colour_is_forced() -> None:
    env = {**os.environ, "FORCE_COLOR": "1"}
    coloured = subprocess.run(
        [sys.executable, "-m", "equivcheck", "check", str(MUTANT)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
    )
    assert COLOUR.search(coloured.stdout)
    plain = subprocess.run(
        [sys.executable, "-m", "equivcheck", "check", str(MUTANT)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**env, "NO_COLOR": "1"},
        check=False,
    )
    assert not COLOUR.search(plain.stdout)


def test_different_shows_the_path_side_by_side_with_the_diverging_line() -> None:
    result = run("check", MUTANT)
    assert "the path, side by side" in result.out
    assert "inputs and flags" in result.out and "results of calls" in result.out
    # the first diverging line of each version is marked with ">"
    assert re.search(r"2385> discard:", result.out)
    assert re.search(r"2328>\s+goto walk_abort;", result.out)


def test_quiet_prints_the_summary_only() -> None:
    result = run("check", MUTANT, "--quiet")
    assert result.status == 1
    assert "try_to_unmap_one" in result.out and "verdict: DIFFERENT" in result.out
    assert "counterexample" not in result.out and "assumes" not in result.out


def test_unknown_says_what_would_resolve_it() -> None:
    result = run("check", UNKNOWN)
    assert result.status == 2
    assert "to resolve:" in result.out


def _with_stderr_on_a_terminal(*args: str) -> tuple[int, bytes, bytes]:
    """Run equivcheck with stderr on a pseudo-terminal: status, stdout, what the
    terminal showed."""
    import pty

    primary, secondary = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "equivcheck", *args],
        stdout=subprocess.PIPE,
        stderr=secondary,
        cwd=REPO,
        check=False,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    return proc.returncode, proc.stdout, shown


def test_progress_goes_to_stderr_only_when_it_is_a_terminal() -> None:
    status, out, shown = _with_stderr_on_a_terminal("check", str(SEED), "--format", "json")
    assert status == 0
    json.loads(out)  # stdout stays a clean report
    assert b"patch 1: try_to_unmap_one" in shown
    status, out, shown = _with_stderr_on_a_terminal("check", str(SEED), "-q", "--format", "json")
    assert status == 0 and shown == b""
