"""Running jobs in workers: the same report as in one process, in input order, and a
worker that dies or hangs costs its patch alone (UNKNOWN with the reason)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from equivcheck.limits import Limits
from equivcheck.report.document import document
from equivcheck.scale import execute
from equivcheck.scale.cache import ResultCache
from equivcheck.scale.execute import Plan, run_jobs
from equivcheck.scale.jobs import JobOutcome, RunConfig
from tests.scale import workers
from tests.scale.conftest import callee_jobs

# A budget far above what these functions take: the engine chooses its way by time
# (past a tenth of the budget it searches for a difference instead of growing the
# part it compares), and the comparison of reports must not rest on the load.
LIMITS = Limits(budget_s=300)


def report(outcomes: list[JobOutcome]) -> str:
    """The JSON report of a run, the per-function times left out (they are measured)."""
    results = [r for o in outcomes for r in o.results]
    for r in results:
        r.time_s = 0.0
    return json.dumps(document(results, [o.work for o in outcomes]), sort_keys=True)


def assert_doomed_unknown(outcomes: list[JobOutcome], why: str) -> None:
    """The doomed job's functions are all listed, each UNKNOWN saying ``why``; every
    other job has its rows."""
    doomed = outcomes[workers.DOOMED - 1]
    assert doomed.results
    for result in doomed.results:
        assert result.verdict == "unknown"
        assert why in result.reason
    assert all(o.results for o in outcomes)


def verdicts(outcomes: list[JobOutcome]) -> list[tuple[int, str, str]]:
    return [(o.index, r.function, r.verdict) for o in outcomes for r in o.results]


@pytest.mark.parametrize("with_tree", [False, True], ids=["patch-alone", "tree"])
def test_pool_gives_the_serial_verdicts(small_tree: Path, with_tree: bool) -> None:
    """Verdicts, reasons and assumptions; the byte-for-byte comparison of whole reports
    is the command line's (tests/cli/test_cli_scale.py): within this long-lived test
    process, whose memory other tests have shaped, a counterexample's values may be
    another (docs/scale.md)."""
    tree = small_tree if with_tree else None
    jobs = callee_jobs(tree)
    config = RunConfig(limits=LIMITS, tree=tree)
    serial = run_jobs(jobs, config, Plan(workers=1))
    pooled = run_jobs(jobs, config, Plan(workers=2))
    assert [o.index for o in pooled] == [1, 2, 3, 4]
    assert explained(pooled) == explained(serial)
    assert [o.work.title for o in pooled] == [o.work.title for o in serial]
    # every verdict is there, so the comparison means something
    assert {v for _, _, v in verdicts(serial)} == {"equivalent", "different", "unknown"}


def explained(outcomes: list[JobOutcome]) -> list[tuple[object, ...]]:
    """Each row's place, function, verdict, reason and assumptions."""
    return [
        (o.index, r.function, r.verdict, r.reason, tuple(r.assumptions))
        for o in outcomes
        for r in o.results
    ]


def test_a_killed_worker_is_its_patch_unknown(small_tree: Path, cache: ResultCache) -> None:
    jobs = callee_jobs(small_tree)
    config = RunConfig(limits=LIMITS, tree=small_tree)
    serial = run_jobs(jobs, config, Plan(workers=1))
    outcomes = run_jobs(
        jobs, config, Plan(workers=2), cache, execute=workers.killed_on_second
    )
    assert [o.index for o in outcomes] == [1, 2, 3, 4]
    doomed = outcomes[workers.DOOMED - 1]
    assert [r.function for r in doomed.results] == [
        r.function for r in serial[workers.DOOMED - 1].results
    ]
    for result in doomed.results:
        assert result.verdict == "unknown"
        assert "died (killed by SIGKILL)" in result.reason
    others = [v for v in verdicts(outcomes) if v[0] != workers.DOOMED]
    assert others == [v for v in verdicts(serial) if v[0] != workers.DOOMED]
    # the UNKNOWNs of a dead worker are not kept: the next run checks the patch again
    again = run_jobs(jobs, config, Plan(workers=2), cache)
    assert not again[workers.DOOMED - 1].cached
    assert again[0].cached
    assert verdicts(again) == verdicts(serial)


def test_a_hung_worker_is_stopped_at_its_deadline(
    small_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("equivcheck.limits.PATCH_SETUP_S", 3.0)
    jobs = callee_jobs(small_tree)
    config = RunConfig(limits=Limits(budget_s=0.5), tree=small_tree)
    outcomes = run_jobs(jobs, config, Plan(workers=2), execute=workers.hangs_on_second)
    assert_doomed_unknown(outcomes, "ran past its deadline")


def test_an_input_error_stops_the_run_after_the_others_ran(small_tree: Path) -> None:
    """A job stopped by bad input is raised as the input error (exit 3), as a serial
    run would, never turned into a verdict."""
    from equivcheck.errors import InputError

    jobs = callee_jobs(small_tree)
    config = RunConfig(limits=LIMITS, tree=small_tree / "gone")
    with pytest.raises(InputError):
        run_jobs(jobs[:2], config, Plan(workers=2))


def test_default_workers_is_the_cores() -> None:
    assert 1 <= execute.default_workers() <= 1024


def test_a_worker_of_another_build_is_not_believed(small_tree: Path) -> None:
    """A cluster's worker may run another equivcheck: its verdicts are not this tool's."""
    jobs = callee_jobs(small_tree)
    config = RunConfig(limits=LIMITS, tree=small_tree)
    outcomes = run_jobs(jobs, config, Plan(workers=2), execute=workers.another_build)
    assert_doomed_unknown(outcomes, "another build of equivcheck (0.0.1+another")
