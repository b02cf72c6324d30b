"""Stand-ins for ``run_job`` that misbehave in a worker (module level: a worker process
imports them by name)."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from equivcheck.scale.jobs import JobOutcome, run_job

DOOMED = 2
"""The job number the stand-ins misbehave on."""


def killed_on_second(job: Any, index: int, config: Any, progress: Any = None) -> JobOutcome:
    """Job 2's worker is killed (as the OOM killer would); the others run."""
    if index == DOOMED:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_job(job, index, config, progress)


def hangs_on_second(job: Any, index: int, config: Any, progress: Any = None) -> JobOutcome:
    """Job 2 never finishes; the others run."""
    if index == DOOMED:
        time.sleep(3600)
    return run_job(job, index, config, progress)


def another_build(job: Any, index: int, config: Any, progress: Any = None) -> JobOutcome:
    """Job 2 comes back from a worker that runs another build of the tool."""
    outcome = run_job(job, index, config, progress)
    if index == DOOMED:
        outcome.tool = "0.0.1+another"
    return outcome
