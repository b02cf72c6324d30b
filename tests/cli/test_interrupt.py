"""The worker that runs a command: its result or its exception come back to the main
thread, and SIGINT stops it (a z3 query included) or, past the grace time, abandons it."""

from __future__ import annotations

import signal
import threading
import time

import pytest
import z3

from equivcheck.cli import interrupt


def _sigint_in(seconds: float) -> None:
    threading.Timer(seconds, signal.raise_signal, (signal.SIGINT,)).start()


def test_the_result_and_the_exception_come_back() -> None:
    assert interrupt.interruptible(lambda: 42) == 42

    def fails() -> None:
        raise ValueError("from the worker")

    with pytest.raises(ValueError, match="from the worker"):
        interrupt.interruptible(fails)


def test_sigint_unwinds_a_python_worker_through_its_finally_blocks() -> None:
    cleaned = threading.Event()

    def busy() -> None:
        try:
            while True:
                sum(range(1000))
        finally:
            cleaned.set()

    _sigint_in(0.3)
    with pytest.raises(interrupt.Interrupted):
        interrupt.interruptible(busy)
    assert cleaned.is_set()


def test_sigint_stops_a_z3_query_that_would_run_for_minutes() -> None:
    def hard() -> z3.CheckSatResult:
        x, y = z3.BitVecs("x y", 128)
        solver = z3.Solver()
        solver.add(x * y == 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF61, x > 1, y > 1, z3.ULT(x, y))
        return solver.check()

    _sigint_in(1.0)
    started = time.monotonic()
    with pytest.raises(interrupt.Interrupted) as caught:
        interrupt.interruptible(hard)
    assert not isinstance(caught.value, interrupt.Abandoned)
    assert time.monotonic() - started < 1.0 + interrupt.GRACE_S


def test_a_worker_stuck_outside_python_is_abandoned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interrupt, "GRACE_S", 0.3)
    _sigint_in(0.2)
    with pytest.raises(interrupt.Abandoned):
        interrupt.interruptible(lambda: threading.Event().wait(3))
