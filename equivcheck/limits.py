"""The engine's limits, defined once: the source engine, the compiled-code opinion and
the command line's options all read them from here."""

from __future__ import annotations

from dataclasses import dataclass

# A patch's deadline in a worker (Limits.patch_deadline_s): seconds for reading and
# preprocessing it, and function budgets allowed per function.
PATCH_SETUP_S = 120.0
PER_FUNCTION_BUDGETS = 4


@dataclass(frozen=True)
class Limits:
    """How much a comparison may spend (CLI: ``--timeout``, ``--max-paths``,
    ``--unroll``, ``--budget``): seconds per solver query, paths per version, loop
    iterations explored before the inductive rule is tried, seconds per function."""

    timeout_s: float = 10.0
    max_paths: int = 400
    unroll: int = 2
    budget_s: float = 60.0

    def patch_deadline_s(self, functions: int, binary: bool = False) -> float:
        """How long a worker may spend on one patch before it is stopped and the
        patch's functions are UNKNOWN: preprocessing, then each function's budget
        several times over (a function can be compared, searched for a difference and
        looked at again through a caller), twice that with the compiled code's opinion.
        A net for a hang, not a budget: the budgets above stop a function first."""
        per_function = self.budget_s * (PER_FUNCTION_BUDGETS * (2 if binary else 1))
        return PATCH_SETUP_S + per_function * max(1, functions)

    @property
    def timeout_ms(self) -> int:
        """Milliseconds per solver query (what z3 is given)."""
        return int(self.timeout_s * 1000)


DEFAULT_LIMITS = Limits()
