"""GitHub workflow-command annotations for a check report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from equivcheck.integrations.annotations import (
    Annotation,
    collect_annotations,
    escape_data,
    escape_property,
    limit,
    render_annotations,
    workflow_command,
)


def function(name: str, verdict: str, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "file": "mm/rmap.c",
        "function": name,
        "status": "changed",
        "verdict": verdict,
        "reason": f"{name}: reason",
        "patch": "1234567890ab mm/rmap: refactor",
        "patch_index": 1,
        "counterexample": {},
        "before_location": "",
        "after_location": "",
        "before_line": 10,
        "after_line": 12,
    }
    entry.update(fields)
    return entry


def doc(
    *functions: dict[str, Any], unattributed: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "tool": "equivcheck",
        "version": "0.1.0",
        "verdict": "different",
        "functions": list(functions),
        "unattributed": unattributed or [],
    }


def test_escaping_follows_the_runner() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = workflow_command(Annotation("error", "t: x, y", "m", "dir/a,b.c", 3))
    assert line == "::error file=dir/a%2Cb.c,line=3,title=t%3A x%2C y::m"
    assert workflow_command(Annotation("notice", "", "just text")) == "::notice::just text"


def test_different_is_an_error_and_unknown_a_warning_at_the_after_line() -> None:
    lines = render_annotations(
        doc(
            function(
                "try_to_unmap_one",
                "different",
                after_line=2326,
                after_location="mm/rmap.c:2328",
                before_location="mm/rmap.c:2385",
                counterexample={
                    "inputs": {"folio": 1},
                    "call_results": {"f()": 2},
                    "before": "returns 0",
                    "after": "returns 1",
                },
            ),
            function("folio_add", "unknown", after_line=40),
            function("fine", "equivalent"),
        )
    )
    assert len(lines) == 2
    error, warning = lines
    assert error.startswith(
        "::error file=mm/rmap.c,line=2326,title=equivcheck%3A try_to_unmap_one() DIFFERENT::"
    )
    message = error.split("::", 2)[2]
    assert "\n" not in message
    assert message.startswith("try_to_unmap_one() is DIFFERENT: try_to_unmap_one: reason%0A")
    assert "counterexample: folio = 1; f() = 2" in message
    assert "%0Abefore: returns 0%0Aafter: returns 1" in message
    assert "the versions part at: before mm/rmap.c:2385, after mm/rmap.c:2328" in message
    assert warning.startswith(
        "::warning file=mm/rmap.c,line=40,title=equivcheck%3A folio_add() UNKNOWN::"
    )


def test_line_falls_back_to_the_after_location_then_to_the_file() -> None:
    found = collect_annotations(
        doc(
            function("a", "different", after_line=0, after_location="mm/rmap.c:77"),
            function("b", "different", after_line=0, after_location="include/linux/mm.h:5"),
            function("c", "unknown", status="removed", after_line=0),
        )
    )
    assert [(a.file, a.line) for a in found] == [
        ("mm/rmap.c", 77),
        ("mm/rmap.c", 0),
        ("mm/rmap.c", 0),
    ]
    assert workflow_command(found[2]).startswith("::warning file=mm/rmap.c,title=")


def test_at_most_ten_of_each_kind_then_a_notice_for_the_rest() -> None:
    functions = [function(f"d{i}", "different") for i in range(25)]
    functions += [function(f"u{i}", "unknown") for i in range(12)]
    lines = render_annotations(doc(*functions))
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(errors) == 10 and "d0()" in errors[0] and "d9()" in errors[-1]
    assert len(warnings) == 10
    assert len(notices) == 2
    assert "15 more DIFFERENT functions" in notices[0]
    assert "d10() DIFFERENT" in notices[0] and "d24() DIFFERENT" in notices[0]
    assert "2 more further warnings" in notices[1]


def test_limit_keeps_order_and_small_reports_whole() -> None:
    few = [Annotation("warning", f"w{i}", "m") for i in range(3)]
    assert limit(few) == few
    assert limit([], per_kind=10) == []


def test_injected_text_cannot_start_a_command() -> None:
    evil = function("f", "different", reason="x\n::add-mask::y\r\n::error::z", file="a:b,c.c")
    (line,) = render_annotations(doc(evil))
    assert line.count("\n") == 0 and "\r" not in line
    assert "file=a%3Ab%2Cc.c," in line
    assert "%0A::add-mask::y%0D%0A::error::z" in line


def test_changes_outside_functions_are_one_warning_per_file() -> None:
    outside = [
        {"patch_index": 1, "file": "mm/rmap.c", "line": 5, "side": "after", "text": "#define X 2"},
        {"patch_index": 1, "file": "mm/rmap.c", "line": 6, "side": "after", "text": "#define Y 2"},
        {"patch_index": 1, "file": "mm/rmap.c", "line": 9, "side": "before", "text": "#define Z"},
        {"patch_index": 1, "file": "mm/util.c", "line": 3, "side": "before", "text": "int v;"},
    ]
    found = collect_annotations(doc(unattributed=outside), path_prefix="linux")
    assert [(a.level, a.file, a.line) for a in found] == [
        ("warning", "linux/mm/rmap.c", 5),
        ("warning", "linux/mm/util.c", 0),
    ]
    assert "after version lines 5-6; before version lines 9" in found[0].message


def test_the_command_prints_them_relative_to_the_workspace(tmp_path: Path) -> None:
    tree = tmp_path / "src" / "linux"
    tree.mkdir(parents=True)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(doc(function("f", "different", after_line=3))))
    env = dict(os.environ, GITHUB_WORKSPACE=str(tmp_path))
    args = [sys.executable, "-m", "equivcheck", "github-annotations", str(report)]
    proc = subprocess.run(
        [*args, "--tree", str(tree)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::error file=src/linux/mm/rmap.c,line=3,")
    proc = subprocess.run(
        [*args[:-1], str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr and "cannot read the report" in proc.stderr
