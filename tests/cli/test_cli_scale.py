"""check --jobs, the cache and `cache clear` from the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.run import REPO

MBOX = REPO / "fixtures" / "patches" / "callee" / "both.mbox"
SECONDS = re.compile(r"\d+\.\d+ ?s\b|\"time_s\": [0-9.e-]+")


def _run(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EQUIVCHECK_CACHE": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "equivcheck", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["json", "markdown", "table", "sarif"])
def test_two_jobs_print_the_serial_report(tmp_path: Path, fmt: str) -> None:
    serial = _run(tmp_path, "check", str(MBOX), "--format", fmt, "--jobs", "1", "--no-cache")
    parallel = _run(tmp_path, "check", str(MBOX), "--format", fmt, "--jobs", "2", "--no-cache")
    assert serial.returncode == parallel.returncode == 1
    assert serial.stderr == parallel.stderr == ""
    # the same bytes but for the measured times
    assert SECONDS.sub("T", parallel.stdout) == SECONDS.sub("T", serial.stdout)
    assert "scaled_hits" in serial.stdout


def test_a_second_run_is_kept_and_clear_forgets_it(tmp_path: Path) -> None:
    first = _run(tmp_path, "check", str(MBOX), "--format", "json")
    assert (tmp_path / "results").is_dir()
    second = _run(tmp_path, "check", str(MBOX), "--format", "json")
    assert second.returncode == first.returncode == 1
    # a kept run is the same report, times included (they are the first run's)
    assert second.stdout == first.stdout
    cleared = _run(tmp_path, "cache", "clear")
    assert cleared.returncode == 0
    assert re.search(r"cache cleared: 2 entries under ", cleared.stdout), cleared.stdout
    again = _run(tmp_path, "cache", "clear")
    assert "cache cleared: 0 entries" in again.stdout


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    result = _run(tmp_path, "check", str(MBOX), "--format", "json", "--no-cache")
    assert result.returncode == 1
    assert not (tmp_path / "results").exists()
    assert not (tmp_path / "units").exists()


def test_jobs_must_be_a_positive_count(tmp_path: Path) -> None:
    result = _run(tmp_path, "check", str(MBOX), "--jobs", "0")
    assert result.returncode == 3
    assert result.stdout == ""
    assert "'--jobs'" in result.stderr and "at least 1" in result.stderr
