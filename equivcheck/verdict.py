"""The three verdicts and what every stage says of them, in one table: how they rank
(the worst of a run is its verdict), the exit status they give, and how reports show
them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

VerdictName = Literal["equivalent", "different", "unknown"]
"""A verdict as results and JSON documents hold it (a :class:`Verdict`'s value)."""


class Verdict(StrEnum):
    """EQUIVALENT (proved, under stated assumptions), DIFFERENT (a counterexample) or
    UNKNOWN (with the reason)."""

    EQUIVALENT = "equivalent"
    DIFFERENT = "different"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """How bad it is: a run's verdict is the worst of its functions'."""
        return _FACTS[self].rank

    @property
    def exit_status(self) -> int:
        """The exit status of a run with this verdict."""
        return _FACTS[self].exit_status

    @property
    def colour(self) -> str:
        """The terminal's colour for it (rich)."""
        return _FACTS[self].colour

    @property
    def emoji(self) -> str:
        """Markdown's mark for it."""
        return _FACTS[self].emoji

    @property
    def name_text(self) -> VerdictName:
        """Its value, typed as results hold it."""
        return self.value

    @classmethod
    def parse(cls, text: object) -> Verdict | None:
        """The verdict ``text`` names (any case, spaces around), None for anything else
        (a report read back may hold anything)."""
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            return None

    @classmethod
    def worst(cls, verdicts: Iterable[str]) -> VerdictName:
        """The worst of ``verdicts`` (different > unknown > equivalent); equivalent when
        there are none."""
        return max(
            (cls(v) for v in verdicts), key=lambda v: v.rank, default=cls.EQUIVALENT
        ).name_text


@dataclass(frozen=True)
class _Facts:
    rank: int
    exit_status: int
    colour: str
    emoji: str


_FACTS = {
    Verdict.EQUIVALENT: _Facts(rank=0, exit_status=0, colour="green", emoji="✅"),
    Verdict.UNKNOWN: _Facts(rank=1, exit_status=2, colour="yellow", emoji="❓"),
    Verdict.DIFFERENT: _Facts(rank=2, exit_status=1, colour="red", emoji="❌"),
}
