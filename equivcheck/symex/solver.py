"""The one place z3 solvers are set up and their answers read.

Two questions, with the two ways an undecided ("unknown", a timeout) answer must be
read, named so that no caller has to remember which:

- :func:`possible` — can this hold? Undecided counts as *yes*: a path, a pairing or a
  difference the solver cannot rule out is kept (dropping it could hide a difference).
- :func:`satisfying` — a model of this, or None when it cannot hold. Undecided raises
  :class:`SolverTimeout`: a counterexample or a proof cannot rest on it, and the verdict
  becomes UNKNOWN naming the timeout.

:func:`possible_model` also gives the model it found, and :func:`holds_in` answers
*yes* without a solver when a model already at hand satisfies the formula (path
exploration reuses a state's model for the branch it agrees with).

:class:`Incremental` asks :func:`possible` of many formulas that share a part, keeping
what the solver learnt about the shared part.

**Reproducible answers.** A query's limit is counted in z3's resource units
(``rlimit``), not on the clock: the same query gets the same answer on a loaded
machine and an idle one (:data:`UNITS_PER_MS` converts ``--timeout``). The clock
remains as a net, :data:`WALL_BACKSTOP` times the limit, for a query that spends its
time where z3 counts little. z3's effort on a query also depends on what its context
has seen before (the same formula, asked again in one context, took from 0.8 to 3.2
million units): :func:`own_context` gives each comparison a context of its own, so a
function's verdict does not depend on which functions were compared before it in the
process (``--function``, a worker, a test run).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import z3

UNITS_PER_MS = 8000
"""z3 resource units a millisecond of ``--timeout`` buys. On the reference machine (a
slow 2-core box) queries of 50 ms or more ran at 2,500 to 6,600 units per millisecond
(10th to 90th percentile), 5,000 the median (``bench/solver_units.py``): a second of
``--timeout`` is about 1.6 s of solving there, a little more than the clock gave, so
that no answer the clock allowed before is lost."""

WALL_BACKSTOP = 4
"""A query is also stopped after this many times its limit on the clock: a net, not the
limit (its answer then depends on the machine's load)."""


class SolverTimeout(Exception):
    """The solver gave no answer within the timeout (``--timeout``)."""


def new_solver(timeout_ms: int) -> z3.Solver:
    """A solver that gives up after ``timeout_ms`` worth of resource units (or, as a
    net, :data:`WALL_BACKSTOP` times that on the clock). A limit above about nine
    minutes is on the clock alone."""
    solver = z3.Solver()
    limit_ms = max(1, timeout_ms)
    units = limit_ms * UNITS_PER_MS
    if units <= _Z3_UNSIGNED:
        solver.set("rlimit", units)
        solver.set("timeout", min(limit_ms * WALL_BACKSTOP, _Z3_UNSIGNED))
    else:
        # (past what z3's 32-bit parameter holds, which it would wrap to a small
        # limit: the clock alone, at the limit itself)
        solver.set("timeout", min(limit_ms, _Z3_UNSIGNED))
    return solver


_Z3_UNSIGNED = 2**32 - 1
"""The largest value z3's ``rlimit`` and ``timeout`` parameters hold (larger ones wrap)."""


@contextmanager
def own_context() -> Iterator[None]:
    """Run the body with a fresh z3 context as the default one, then put the previous
    one back. Terms made inside belong to it: nothing z3 may leave the body (results
    are plain data), and nothing z3 made before may enter it."""
    saved = z3.main_ctx()
    # z3's Python API keeps its default context in this module global; every term made
    # without an explicit ``ctx`` reads it.
    z3.z3._main_ctx = z3.Context()
    # z3 gives a new term the number of one freed before, and the numbers order its
    # search: Python's cycle collector, running when allocations elsewhere in the
    # process (a progress display) happen to trigger it, would free terms at other
    # moments in two runs. Paused, terms are freed when their last reference goes.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        z3.z3._main_ctx = saved
        if collecting:
            gc.enable()


def _checked(conds: list[z3.BoolRef], timeout_ms: int) -> tuple[object, z3.Solver]:
    """The solver's answer on ``conds`` (None when a timeout's cancel outlived its check,
    "canceled": undecided), and the solver."""
    solver = new_solver(timeout_ms)
    try:
        solver.add(*conds)
        return solver.check(), solver
    except z3.Z3Exception:
        return None, solver


def possible(conds: list[z3.BoolRef] | z3.BoolRef, timeout_ms: int) -> bool:
    """Whether ``conds`` (all of them) may hold: False only when proved impossible."""
    result, _ = _checked(conds if isinstance(conds, list) else [conds], timeout_ms)
    return bool(result != z3.unsat)


def possible_model(conds: list[z3.BoolRef], timeout_ms: int) -> tuple[bool, z3.ModelRef | None]:
    """:func:`possible`, with a model of ``conds`` when the solver found one (None when
    they cannot hold, or when the solver could not decide: then they count as
    possible)."""
    result, solver = _checked(conds, timeout_ms)
    if result != z3.sat:
        return bool(result != z3.unsat), None
    try:
        return True, solver.model()
    except z3.Z3Exception:
        return True, None  # (z3 found no model after all: the path stays possible)


def holds_in(model: z3.ModelRef, conds: list[z3.BoolRef]) -> bool:
    """Whether ``model`` (completed with any values for what it does not fix) makes
    every one of ``conds`` true: then they may hold together, and no solver is asked.
    False says nothing (the solver must decide)."""
    try:
        return all(z3.is_true(model.eval(c, model_completion=True)) for c in conds)
    except z3.Z3Exception:
        return False


def answer(solver: z3.Solver) -> bool:
    """The solver's verdict on what it holds: True satisfiable, False not; undecided
    raises :class:`SolverTimeout`."""
    try:
        result = solver.check()
    except z3.Z3Exception as err:  # canceled: undecided
        raise SolverTimeout(str(err)) from err
    if result == z3.unknown:
        raise SolverTimeout(str(solver.reason_unknown()))
    return bool(result == z3.sat)


def satisfying(cond: z3.BoolRef, timeout_ms: int) -> tuple[z3.Solver, z3.ModelRef] | None:
    """The solver holding ``cond`` and a model of it, or None when ``cond`` cannot
    hold; undecided raises :class:`SolverTimeout`."""
    solver = new_solver(timeout_ms)
    solver.add(cond)
    return (solver, solver.model()) if answer(solver) else None


INCREMENTAL_MS = 300
"""How long the incremental solver may take on one question before a fresh solver is
asked (with the whole timeout)."""


class Incremental:
    """:func:`possible` for ``base`` together with each of many other formulas."""

    def __init__(self, base: z3.BoolRef, timeout_ms: int) -> None:
        self._base, self._timeout_ms = base, timeout_ms
        self._solver = self._fresh()

    def _fresh(self) -> z3.Solver:
        solver = new_solver(min(self._timeout_ms, INCREMENTAL_MS))
        solver.add(self._base)
        return solver

    def possible_with(self, extra: z3.BoolRef) -> bool:
        """Whether ``base`` and ``extra`` may hold together (undecided: yes). The
        incremental solver is asked first, briefly; what it cannot decide goes to a
        fresh solver, whose preprocessing (bit-blasting the whole formula) decides in
        a fraction of a second what the incremental one may not in the whole timeout
        (measured: 0.3 s against more than 20 s on fault_in_readable's paths)."""
        try:
            self._solver.push()
            self._solver.add(extra)
            result = self._solver.check()
            self._solver.pop()
        except z3.Z3Exception:
            # A timeout's cancel that outlived its check leaves the solver refusing
            # to push ("push canceled"): start again, and ask once without it.
            self._solver = self._fresh()
            return possible([self._base, extra], self._timeout_ms)
        if result == z3.unknown:
            return possible([self._base, extra], self._timeout_ms)
        return bool(result != z3.unsat)
