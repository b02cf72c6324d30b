"""A pool of worker processes with a hard timeout per task: a task that overruns is
killed with its worker (which is replaced), so one hang cannot stop the sweep.

Workers are forked after the parent imported the engine, so they start at once."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

Task = dict[str, Any]
Result = dict[str, Any]


def _serve(conn: Connection, handler: Callable[[Task], Result]) -> None:
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            result = handler(task)
        except Exception as exc:  # a crash in one task is a result, not the end
            result = {**task, "verdict": "crash", "reason": f"{type(exc).__name__}: {exc}"[:500]}
        conn.send(result)


@dataclass
class _Worker:
    proc: mp.process.BaseProcess
    conn: Connection
    task: Task | None = None
    started: float = 0.0


def run_pool(
    tasks: Iterable[Task],
    handler: Callable[[Task], Result],
    jobs: int,
    hard_timeout: Callable[[Task], float],
    deadline: float | None = None,
) -> Generator[Result, None, None]:
    """Results of ``handler`` over ``tasks`` (in completion order), ``jobs`` at a time.
    A task past ``hard_timeout(task)`` seconds yields ``verdict: "hard-timeout"``. No
    new task starts after ``deadline`` (a ``time.monotonic()`` value)."""
    ctx = mp.get_context("fork")
    pending = iter(tasks)
    workers: list[_Worker] = []

    def spawn() -> _Worker:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child, handler), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def feed(w: _Worker) -> bool:
        if deadline is not None and time.monotonic() > deadline:
            return False
        task = next(pending, None)
        if task is None:
            return False
        w.task, w.started = task, time.monotonic()
        w.conn.send(task)
        return True

    try:
        for _ in range(jobs):
            w = spawn()
            workers.append(w)
            feed(w)
        while any(w.task is not None for w in workers):
            busy = [w for w in workers if w.task is not None]
            ready = wait([w.conn for w in busy], timeout=0.5)
            now = time.monotonic()
            for w in busy:
                if w.conn in ready:
                    try:
                        result = w.conn.recv()
                    except EOFError:
                        result = {**(w.task or {}), "verdict": "crash", "reason": "worker died"}
                        _replace(workers, w, spawn)
                        w = workers[-1]
                    else:
                        w.task = None
                    yield result
                    w.task = None
                    feed(w)
                elif w.task is not None and now - w.started > hard_timeout(w.task):
                    result = {
                        **w.task,
                        "verdict": "hard-timeout",
                        "reason": f"killed after {now - w.started:.0f} s",
                    }
                    _replace(workers, w, spawn)
                    yield result
                    feed(workers[-1])
    finally:
        for w in workers:
            if w.proc.is_alive():
                with contextlib.suppress(BrokenPipeError, OSError):
                    w.conn.send(None)
                w.proc.join(timeout=2)
                if w.proc.is_alive():
                    w.proc.kill()


def _replace(workers: list[_Worker], old: _Worker, spawn: Callable[[], _Worker]) -> None:
    old.proc.kill()
    old.proc.join(timeout=5)
    workers.remove(old)
    workers.append(spawn())
