"""Where a run's jobs go: this process (one worker), a pool of local worker processes
(``--jobs N``, pebble), or a Dask cluster (``--scheduler``). Kept verdicts are taken
first; what is left runs; outcomes come back in input order whatever order they
finished in. A worker that dies or overruns its patch's deadline is that patch's
failure alone: its functions are UNKNOWN with the reason, and the run goes on.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from pebble import ProcessExpired, ProcessPool

from equivcheck.equiv.check import Progress
from equivcheck.errors import InputError
from equivcheck.fingerprint import tool_fingerprint
from equivcheck.frontend.workset import PatchJob
from equivcheck.scale.cache import ResultCache
from equivcheck.scale.jobs import JobOutcome, RunConfig, failed, run_job

Execute = Callable[..., JobOutcome]
"""How a job is run: ``execute(job, index, config)`` (``run_job``, or a stand-in)."""
Done = Callable[[JobOutcome], None]

_POLL_S = 0.2

LOCAL = "local"
"""``--scheduler local``: a Dask cluster of this machine, started for the run."""


def default_workers() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Plan:
    """How many workers, and where: ``scheduler`` None runs on this machine (in this
    process with one worker), ``local`` on a Dask cluster started here, anything else is
    the address of a Dask scheduler."""

    workers: int = 1
    scheduler: str | None = None


@dataclass(frozen=True)
class _Pending:
    index: int
    job: PatchJob
    key: str | None
    deadline_s: float


@dataclass
class _Run:
    """A run's outcomes so far, and those to keep in the cache once the workers are
    gone: no thread of this process may be inside sqlite while the pool forks a worker
    (the child would inherit its lock held, and hang at its first use of the cache)."""

    config: RunConfig
    cache: ResultCache
    on_done: Done | None
    outcomes: dict[int, JobOutcome]
    to_keep: list[tuple[_Pending, JobOutcome]] = field(default_factory=list)

    def finish(self, item: _Pending, outcome: JobOutcome, *, keep: bool = True) -> None:
        if outcome.tool != tool_fingerprint():
            # (a cluster's worker with another build: its verdicts are not this tool's)
            self.fail(
                item,
                f"the worker that checked this patch runs another build of equivcheck "
                f"({outcome.tool}; this one is {tool_fingerprint()}); not compared",
            )
            return
        if keep:
            self.to_keep.append((item, outcome))
        self.outcomes[item.index] = outcome
        if self.on_done is not None:
            self.on_done(outcome)

    def fail(self, item: _Pending, reason: str) -> None:
        """The job did not finish: its functions UNKNOWN, and nothing kept."""
        self.finish(item, failed(item.job, item.index, self.config, reason), keep=False)

    def keep(self) -> None:
        """Write what is to be kept to the cache."""
        for item, outcome in self.to_keep:
            self.cache.put(item.key, item.job, outcome, self.config)
        self.to_keep.clear()


def run_jobs(
    jobs: Sequence[PatchJob],
    config: RunConfig,
    plan: Plan = Plan(),
    cache: ResultCache | None = None,
    *,
    on_done: Done | None = None,
    progress: Progress | None = None,
    execute: Execute = run_job,
) -> list[JobOutcome]:
    """Every job's outcome, in input order. ``on_done`` is told of each outcome as it
    comes (kept ones first); ``progress`` of each function, when jobs run in this
    process. The first input error (in input order) is raised once all have run."""
    cache = cache or ResultCache(None)
    run = _Run(config, cache, on_done, {})
    pending: list[_Pending] = []
    for index, job in enumerate(jobs, start=1):
        key = cache.key(job, config)
        kept = cache.get(key, job, index, config)
        if kept is not None:
            run.outcomes[index] = kept
            if on_done is not None:
                on_done(kept)
            continue
        deadline = config.limits.patch_deadline_s(len(job.changes), config.binary)
        pending.append(_Pending(index, job, key, deadline))
    if plan.scheduler is not None:
        _on_dask(pending, run, plan, execute)
    elif len(pending) > 1:
        _in_pool(pending, run, plan.workers, execute)
    else:
        for item in pending:
            outcome = execute(item.job, item.index, config, progress)
            outcome.raise_error()
            run.finish(item, outcome)
    run.keep()
    ordered = [run.outcomes[i] for i in sorted(run.outcomes)]
    for outcome in ordered:
        outcome.raise_error()
    return ordered


def _died(err: ProcessExpired) -> str:
    code = err.exitcode
    if code is not None and code < 0:
        try:
            how = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"killed by signal {-code}"
    else:
        how = f"exit status {code}"
    return f"the worker checking this patch died ({how}); not compared"


def _in_pool(pending: list[_Pending], run: _Run, workers: int, execute: Execute) -> None:
    """Run ``pending`` on ``workers`` local processes, each job in a process of its
    own forked from this one (one worker too: a serial run of many jobs).

    Why a fresh fork per job: the solver's choices (which counterexample it finds)
    depend on what the process asked it before. A job forked from this process, which
    has asked nothing, finds what it finds run alone here; so the report is the same
    with any number of workers, in any order, and the same as a one-patch run."""
    context = multiprocessing.get_context("fork")
    size = max(1, min(workers, len(pending)))
    # The patches touching most functions go first, so that no long one is left to run
    # alone at the end (the outcomes are put back in input order).
    largest_first = sorted(pending, key=lambda item: -item.deadline_s)
    pool: Any = ProcessPool(max_workers=size, max_tasks=1, context=context)  # (untyped)
    try:
        futures: dict[Future[Any], _Pending] = {
            pool.schedule(
                execute, args=(item.job, item.index, run.config), timeout=item.deadline_s
            ): item
            for item in largest_first
        }
        waiting = set(futures)
        while waiting:
            # (in short waits: Ctrl-C reaches this thread between them, cli/interrupt.py)
            done, waiting = wait(waiting, timeout=_POLL_S, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: futures[f].index):
                _collect(future, futures[future], run)
    except BaseException:
        pool.stop()
        pool.join()
        raise
    pool.close()
    pool.join()


def _collect(future: Future[Any], item: _Pending, run: _Run) -> None:
    """Record a finished job's outcome, or its failure."""
    try:
        outcome = future.result()
    except FutureTimeout:
        run.fail(
            item,
            f"the worker checking this patch ran past its deadline "
            f"({item.deadline_s:.0f} s) and was stopped; not compared",
        )
        return
    except ProcessExpired as err:
        run.fail(item, _died(err))
        return
    except Exception as err:  # an error the worker could not return as a result
        run.fail(item, _failed_with(err))
        return
    run.finish(item, outcome)


def _failed_with(err: BaseException) -> str:
    """Why a patch has no verdicts when its worker raised ``err``."""
    return f"the worker checking this patch failed ({type(err).__name__}: {err}); not compared"


def _collect_dask(future: Any, item: _Pending, run: _Run) -> None:
    """Record a finished task's outcome, or its failure (a worker that died past the
    cluster's retries is ``KilledWorker``)."""
    if future.status == "finished":
        run.finish(item, future.result())
        return
    if future.status != "error":  # (cancelled, or lost with its scheduler)
        run.fail(item, f"the cluster gave no result for this patch ({future.status}); not compared")
        return
    problem = future.exception()
    if type(problem).__name__ == "KilledWorker":
        run.fail(item, "the worker checking this patch died; not compared")
    else:
        run.fail(item, _failed_with(problem))


def _on_dask(pending: list[_Pending], run: _Run, plan: Plan, execute: Execute) -> None:
    """Run ``pending`` on a Dask cluster: one started here (``local``, ``plan.workers``
    single-threaded worker processes) or the scheduler at ``plan.scheduler``."""
    try:
        import distributed
    except ImportError:
        raise InputError(
            "--scheduler", "Dask is not installed", "pip install 'equivcheck[scale]'"
        ) from None
    # (distributed is typed in part only: its objects are Any here)
    dask: Any = distributed
    address = plan.scheduler
    cluster: Any = None
    client: Any
    try:
        if address == LOCAL:
            cluster = dask.LocalCluster(
                n_workers=max(1, plan.workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = dask.Client(cluster)
        else:
            client = dask.Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as err:
        if cluster is not None:
            cluster.close()
        raise InputError(
            f"--scheduler {address}",
            f"cannot reach the Dask scheduler ({err})",
            "start one with 'dask scheduler' and workers with 'dask worker ADDRESS', "
            "or give --scheduler local",
        ) from None
    try:
        if not pending:
            return
        futures = {
            client.submit(execute, item.job, item.index, run.config, pure=False): item
            for item in pending
        }
        # The cluster has no per-task deadline: the run has one, every patch's deadline
        # spread over the workers the cluster has now.
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        total = sum(item.deadline_s for item in pending) / workers
        ends = time.monotonic() + total
        waiting = set(futures)
        while waiting and time.monotonic() < ends:
            # (in short waits: Ctrl-C reaches this thread between them)
            try:
                done, waiting = dask.wait(
                    waiting, timeout=_POLL_S, return_when="FIRST_COMPLETED"
                )
            except TimeoutError:
                continue
            for future in sorted(done, key=lambda f: futures[f].index):
                _collect_dask(future, futures[future], run)
        for future in waiting:
            future.cancel()
            run.fail(
                futures[future],
                f"the cluster did not finish this patch within the run's deadline "
                f"({total:.0f} s); not compared",
            )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
