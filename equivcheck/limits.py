"""The engine's limits, defined once: the source engine, the compiled-code opinion and
the command line's options all read them from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """How much a comparison may spend (CLI: ``--timeout``, ``--max-paths``,
    ``--unroll``, ``--budget``): seconds per solver query, paths per version, loop
    iterations explored before the inductive rule is tried, seconds per function."""

    timeout_s: float = 10.0
    max_paths: int = 400
    unroll: int = 2
    budget_s: float = 60.0

    @property
    def timeout_ms(self) -> int:
        """Milliseconds per solver query (what z3 is given)."""
        return int(self.timeout_s * 1000)


DEFAULT_LIMITS = Limits()
