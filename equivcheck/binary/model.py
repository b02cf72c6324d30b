"""Data of the binary second opinion: what goes in, what comes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from equivcheck.binary.signatures import Signature, SignatureTable

OpinionKind = Literal["agree", "disagree", "inconclusive"]


@dataclass(frozen=True)
class CompiledFunction:
    """One version of a function: the object file that holds it and what the source says
    about it (the function's own signature and the text callees' prototypes come from).

    ``label`` names the version in reasons (``before``, ``after -O0``...).
    """

    object_path: Path
    function: str
    label: str = ""
    signature: Signature | None = None
    source: str = ""

    def signatures(self) -> SignatureTable:
        """Prototypes of the names ``source`` declares."""
        return SignatureTable(self.source)


@dataclass
class VersionStats:
    """What the exploration of one version did."""

    label: str = ""
    symbol: str = ""
    paths: int = 0
    returned: int = 0
    terminal: int = 0
    cut: int = 0
    steps: int = 0
    seconds: float = 0.0
    loop_heads: int = 0
    limits: list[str] = field(default_factory=list)


@dataclass
class OpinionDetails:
    """Everything behind an opinion: how it was reached, per-version statistics, the
    limits met and assumptions used, the reorderings of modelled calls an agreement
    accepted, and for a disagreement the two diverging traces."""

    method: str = ""
    before: VersionStats = field(default_factory=VersionStats)
    after: VersionStats = field(default_factory=VersionStats)
    pairs_checked: int = 0
    limits: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    before_trace: list[str] = field(default_factory=list)
    after_trace: list[str] = field(default_factory=list)
    reorderings: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    compile_s: float = 0.0
    explore_s: float = 0.0
    compare_s: float = 0.0


@dataclass
class Opinion:
    """The binary second opinion on one function.

    ``opinion`` is ``agree`` (the compiled versions behave the same on every path), ``disagree``
    (a concrete input on which they part: ``details.before_trace``/``after_trace``) or
    ``inconclusive`` (``reason`` says why: budget, loops, unsupported code...).
    """

    opinion: OpinionKind
    reason: str
    time_s: float
    details: OpinionDetails = field(default_factory=OpinionDetails)

    def to_json(self) -> dict[str, object]:
        """The report's ``binary`` object: opinion, reason, time and the main details."""
        d = self.details
        out: dict[str, object] = {
            "opinion": self.opinion,
            "reason": self.reason,
            "time_s": round(self.time_s, 3),
            "method": d.method,
            "paths": {"before": d.before.paths, "after": d.after.paths},
            "limits": list(d.limits),
            "assumptions": list(d.assumptions),
        }
        if d.reorderings:
            out["reordered"] = list(d.reorderings)
        if self.opinion == "disagree":
            out["before_trace"] = list(d.before_trace)
            out["after_trace"] = list(d.after_trace)
            out["inputs"] = dict(d.inputs)
        return out
