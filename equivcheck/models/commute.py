"""The reordering rule (docs/semantics.md), shared by both engines: two adjacent events
may run in either order when their footprints are disjoint, neither is an ordering
point, and (the caller walks adjacent events) no ordering point lies between them.

A footprint's parts are components at keys (z3 terms: the call's arguments the model
names); two parts overlap when they are the same component at keys that may be equal.
The source engine (``equiv/compare.py``) and the binary engine (``binary/compare.py``)
build :class:`Footprint` values from their own events and ask :func:`may_swap`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from equivcheck.symex.state import FootPart

OK = "ok"
OPAQUE = "opaque"
ORDERING = "an ordering point cannot move"

Possible = Callable[[z3.BoolRef], bool]
"""Whether a condition may hold (with the caller's path condition): False only when
proved impossible."""


@dataclass(frozen=True)
class Footprint:
    """What one event reads and writes (None: everything, no model), whether it is an
    ordering point, and the components it only adds to (two additions commute)."""

    reads: tuple[FootPart, ...] | None
    writes: tuple[FootPart, ...] | None
    ordering: bool = False
    additive: frozenset[str] = frozenset()
    modelled: bool = True


def may_swap(x: Footprint, y: Footprint, possible: Possible) -> str:
    """Whether ``x`` and ``y`` may run in either order: :data:`OK`, :data:`OPAQUE` (one
    has no model) or the reason they may not."""
    if not x.modelled or not y.modelled:
        return OPAQUE
    if x.ordering or y.ordering:
        return ORDERING
    if x.reads is None or x.writes is None or y.reads is None or y.writes is None:
        return OPAQUE
    for first, second in ((x.writes, y.reads + y.writes), (y.writes, x.reads)):
        for p in first:
            for q in second:
                if p.component in x.additive and p.component in y.additive:
                    continue  # two additions to the same counter commute
                if overlap(p, q, possible):
                    return f"both touch {p.component}"
    return OK


def overlap(p: FootPart, q: FootPart, possible: Possible) -> bool:
    """Whether two parts may be the same state: the same component at keys that may be
    equal (keys of another shape or width count as equal)."""
    if p.component != q.component:
        return False
    if len(p.key) != len(q.key) or not p.key:
        return True
    if any(a.sort() != b.sort() for a, b in zip(p.key, q.key, strict=True)):
        return True
    return possible(z3.And(*[a == b for a, b in zip(p.key, q.key, strict=True)]))


def disjoint_reason(first: str, first_footprint: str, second: str, second_footprint: str) -> str:
    """Why an accepted swap is allowed, for reports."""
    return (
        f"footprints are disjoint ({first}: {first_footprint}; {second}: {second_footprint}), "
        "neither is an ordering point and no ordering point lies between them"
    )
