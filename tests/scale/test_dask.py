"""The same jobs on a Dask cluster: a scheduler and two workers started by the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from equivcheck.limits import Limits
from equivcheck.scale.execute import Plan, run_jobs
from equivcheck.scale.jobs import JobOutcome, RunConfig
from tests.scale import workers
from tests.scale.conftest import CALLEE, callee_jobs

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

# A budget far above what these functions take: the engine chooses its way by time
# (past a tenth of the budget it searches for a difference instead of growing the
# part it compares), and the comparison of reports must not rest on the load.
LIMITS = Limits(budget_s=300)
REPO = Path(__file__).resolve().parents[2]


def _rows(outcomes: list[JobOutcome]) -> list[tuple[int, str, str, str]]:
    """What must agree: function, verdict and reason (a counterexample's values are
    the solver's choice, which depends on what the worker process asked before)."""
    return [(o.index, r.function, r.verdict, r.reason) for o in outcomes for r in o.results]


def _started() -> Iterator[str]:
    """A scheduler and two single-threaded worker processes (its address); a task
    whose worker dies is not tried again (so a test sees the death at once)."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        local: Any = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        yield local.scheduler_address
    finally:
        local.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A cluster the tests share (no test kills its workers)."""
    yield from _started()


@pytest.fixture
def doomed_cluster() -> Iterator[str]:
    """A cluster of the test's own: one of its workers is killed."""
    yield from _started()


def test_the_cluster_gives_the_serial_verdicts(small_tree: Path, cluster: str) -> None:
    jobs = callee_jobs(small_tree)
    config = RunConfig(limits=LIMITS, tree=small_tree)
    serial = run_jobs(jobs, config, Plan(workers=1))
    remote = run_jobs(jobs, config, Plan(workers=2, scheduler=cluster))
    assert [o.index for o in remote] == [1, 2, 3, 4]
    assert _rows(remote) == _rows(serial)


def test_a_killed_cluster_worker_is_its_patch_unknown(
    small_tree: Path, doomed_cluster: str
) -> None:
    jobs = callee_jobs(small_tree)
    config = RunConfig(limits=LIMITS, tree=small_tree)
    outcomes = run_jobs(
        jobs, config, Plan(workers=2, scheduler=doomed_cluster), execute=workers.killed_on_second
    )
    doomed = outcomes[workers.DOOMED - 1]
    assert doomed.results
    assert all(r.verdict == "unknown" and "died" in r.reason for r in doomed.results)
    assert all(o.results for o in outcomes)


def test_check_on_a_cluster_from_the_command_line(tmp_path: Path, cluster: str) -> None:
    env = {**os.environ, "EQUIVCHECK_CACHE": str(tmp_path / "cache")}
    mbox = CALLEE / "both.mbox"

    def check(*extra: str) -> dict[str, object]:
        proc = subprocess.run(
            [sys.executable, "-m", "equivcheck", "check", str(mbox), "--format", "json", *extra],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            check=False,
        )
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr == ""
        doc: dict[str, object] = json.loads(proc.stdout)
        return doc

    serial = check("--jobs", "1", "--no-cache")
    remote = check("--scheduler", cluster, "--no-cache")
    fields = ("function", "verdict", "reason", "patch_index")
    pick = lambda doc: [[f[k] for k in fields] for f in doc["functions"]]  # noqa: E731
    assert pick(remote) == pick(serial)


def test_an_unreachable_scheduler_is_bad_input(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable, "-m", "equivcheck", "check", str(CALLEE / "both.mbox"),
            "--scheduler", "tcp://127.0.0.1:9", "--no-cache",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 3
    assert proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("equivcheck: --scheduler tcp://127.0.0.1:9: cannot reach")
