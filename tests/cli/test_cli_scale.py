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


@pytest.mark.kernel
def test_ctrl_c_stops_a_run_of_many_patches_and_its_workers(
    tmp_path: Path, kernel_tree: Path
) -> None:
    """SIGINT to the terminal's process group (the command and its workers): exit 130
    at once, nothing on stdout, no worker left behind."""
    import signal
    import time

    kernel = REPO / "fixtures" / "patches" / "kernel"
    names = ("filemap-lock-async-trylock-first", "mlock-count-decrement-once", "rmap-rename-label")
    mbox = tmp_path / "three.mbox"
    mbox.write_text("".join((kernel / f"{n}.patch").read_text() for n in names))
    env = {**os.environ, "EQUIVCHECK_CACHE": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "equivcheck", "check", str(mbox), "--tree", str(kernel_tree)]
    proc = subprocess.Popen(
        [*cmd, "--jobs", "2", "--no-cache", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
        start_new_session=True,
    )
    time.sleep(6)
    os.killpg(proc.pid, signal.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert time.monotonic() - start < 5
    assert out == b""
    assert err.decode().strip() == "equivcheck: interrupted"
    # the group empties: no worker (nor a compiler it ran) outlives the command for long
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
