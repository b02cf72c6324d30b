"""Running the CLI as a user does: a fresh process, exit status, stdout, stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "fixtures" / "seed" / "000_7b8ea4c1cd114cf9.txt"
PATCHES = REPO / "fixtures" / "patches"


@dataclass
class Result:
    status: int
    out: str
    err: str


def run(*args: str | Path, cwd: Path | None = None) -> Result:
    """``equivcheck ARGS`` in a subprocess."""
    proc = subprocess.run(
        [sys.executable, "-m", "equivcheck", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_input_error(result: Result, *needles: str) -> None:
    """Exit 3, one line on stderr naming the problem, nothing on stdout, no traceback."""
    assert result.status == 3, result
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("equivcheck: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert result.out == ""


def verdicts(*args: str | Path) -> dict[str, str]:
    """Each function's verdict from ``equivcheck check ARGS --format json``."""
    result = run("check", *args, "--format", "json")
    assert result.err == "", result.err
    return {f["function"]: f["verdict"] for f in json.loads(result.out)["functions"]}
