"""Ctrl-C that stops a run.

z3 catches SIGINT itself while it solves: it cancels that one query (which the engine
reads as a solver timeout) and the run goes on to write its report. So the command runs
in a worker thread with z3's own Ctrl-C handling off, and the main thread only waits:
Python delivers SIGINT to the main thread, which then interrupts z3 (``Z3_interrupt``
is meant to be called from another thread) and raises :class:`Interrupted` inside the
worker, so it unwinds through its ``finally`` blocks (an output file being written is
removed, temporary folders too). A worker stuck outside Python (a compiler it waits
for) is abandoned after ``GRACE_S``."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from collections.abc import Callable

import z3

GRACE_S = 5.0
"""How long an interrupted worker may take to unwind before the process just exits."""

_POLL_S = 0.1


class Interrupted(BaseException):
    """The user pressed Ctrl-C (SIGINT): stop, write nothing more, exit 130.

    A BaseException, so ``except Exception`` in the stages does not swallow it."""


def interruptible[T](work: Callable[[], T]) -> T:
    """``work()`` in a worker thread; its result, or its exception re-raised here.
    Raises :class:`Interrupted` on SIGINT once the worker has stopped, or
    :class:`Abandoned` (an Interrupted) when it did not stop within ``GRACE_S``."""
    z3.set_param("ctrl_c", False)
    box: dict[str, object] = {}
    # An Event, not Thread.join: a join that SIGINT interrupted may report the thread
    # as finished while it still runs.
    done = threading.Event()

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # handed over to the main thread
            box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=run, name="equivcheck", daemon=True)
    worker.start()
    try:
        while not done.wait(_POLL_S):
            pass
    except KeyboardInterrupt:
        _stop(worker, done)
        raise Interrupted() from None
    error = box.get("error")
    if isinstance(error, BaseException):
        raise error
    return box["result"]  # type: ignore[return-value]


class Abandoned(Interrupted):
    """Interrupted, and the worker did not stop in time: exit without cleaning up."""


def _stop(worker: threading.Thread, done: threading.Event) -> None:
    """Interrupt z3 and raise Interrupted in ``worker``; wait ``GRACE_S`` for it."""
    try:
        _raise_in(worker)
        z3.main_ctx().interrupt()
        done.wait(GRACE_S)
    except KeyboardInterrupt:  # a second Ctrl-C: do not wait
        pass
    if not done.is_set():
        raise Abandoned() from None


def _raise_in(worker: threading.Thread) -> None:
    ident = worker.ident
    if ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(ident), ctypes.py_object(Interrupted)
        )


def flush_and_leave(status: int) -> None:
    """Exit at once (a worker is still running): flush what was printed first."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
