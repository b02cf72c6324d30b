"""What the exploration of one compiled function records, path by path.

Values are claripy expressions (angr's solver language) over inputs that both versions
share by name: ``arg0``..``arg5`` and ``init.REG`` (registers at entry), ``gs``,
``r:NAME@N:DIGEST`` (what a call returned), ``m.EPOCH.DIGEST.SIZE`` (memory read before
the function changed it in that epoch), ``key:NAME`` (a static key), ``stk...`` (stack
bytes nobody wrote). Addresses are canonical (:mod:`equivcheck.binary.layout`). This
module holds plain data only; the expressions are typed ``Any`` (angr has them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Expr = Any  # a claripy BV or Bool
EndKind = Literal["return", "bug", "noreturn", "head", "cut"]


@dataclass(frozen=True)
class Write:
    """A store to non-stack memory: ``size`` bytes of ``value`` (little-endian) at
    ``addr``."""

    addr: Expr
    value: Expr
    size: int


@dataclass(frozen=True)
class Read:
    """A load whose value ``symbol`` is defined by memory: ``size`` bytes at ``addr`` in
    epoch ``epoch`` after its first ``nwrites`` writes."""

    symbol: Expr
    addr: Expr
    size: int
    epoch: int
    nwrites: int


@dataclass
class Epoch:
    """Memory between two side-effecting events: a base everyone may have changed
    (named ``key``, the same in both versions at the same place of the trace) and the
    function's own writes on top."""

    key: str
    writes: list[Write] = field(default_factory=list)
    digest: str = ""


@dataclass(frozen=True)
class Arg:
    """One argument of an event, cut to its prototype width; ``certain`` is False when
    the prototype was not known (then the register is compared whole)."""

    value: Expr
    certain: bool = True


@dataclass(frozen=True)
class Event:
    """An observable event: a call to an external function, an ordering point, a WARN,
    or the end of the path (``return``, ``bug``, ``noreturn``, ``head``).

    ``epoch``/``nwrites`` say which memory the event sees; ``stack`` the stack bytes a
    callee may see (escaped locals, 8-byte chunks); ``constraints``/``nreads`` how much
    of the path condition and of the read definitions existed when it happened.
    """

    kind: str
    name: str
    args: tuple[Arg, ...]
    epoch: int
    nwrites: int
    stack: tuple[tuple[int, Expr], ...]
    constraints: tuple[Expr, ...]
    nreads: int
    where: int
    result: Expr | None = None
    side_effect: bool = True
    regs: tuple[tuple[str, Expr], ...] = ()


@dataclass
class PathRecord:
    """One finished path: its events (the last one ends it), the memory it wrote and
    read, and how it ended (``cut`` with ``reason`` when exploration stopped it)."""

    events: list[Event]
    epochs: list[Epoch]
    reads: list[Read]
    end: EndKind
    reason: str = ""
    start: str = "entry"
    head: int = -1
    head_state: dict[str, Any] | None = None
    facts: frozenset[int] = frozenset()
    negated: frozenset[int] = frozenset()
    fingerprint: tuple[object, ...] = ()

    def excludes(self, other: PathRecord) -> bool:
        """True when one path assumes a condition the other assumes false (their
        conditions cannot hold together)."""
        return bool(self.facts & other.negated) or bool(self.negated & other.facts)


@dataclass
class Exploration:
    """All paths of one version from one start (the entry or a loop head)."""

    paths: list[PathRecord] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    out_of_budget: str = ""
    symbol: str = ""
