"""The compiled code's second opinion next to the source verdict: its one-line text,
and the conflicts every format must show prominently."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def conflict(verdict: object, binary: object, reorderings: object = ()) -> str:
    """Why the source verdict and the compiled code's opinion contradict each other,
    or "" when they do not."""
    opinion = binary.get("opinion") if isinstance(binary, Mapping) else None
    if verdict == "equivalent" and opinion == "disagree":
        if reorderings:
            return (
                "the source engine proved the versions equivalent, accepting reordered "
                "effects the compiled-code check cannot judge (it has no footprints): "
                "look at whether its disagreement is one of those reorderings"
            )
        return (
            "the source engine proved the versions equivalent but the compiled code "
            "behaves differently: look at this function"
        )
    if verdict == "different" and opinion == "agree":
        return (
            "the source engine found a difference the compiled code does not show: "
            "check the counterexample by hand"
        )
    return ""


def opinion_text(binary: Mapping[str, Any]) -> str:
    """``agree (1.2 s): reason`` for a report line."""
    opinion = str(binary.get("opinion", "inconclusive"))
    seconds = binary.get("time_s", 0)
    return f"{opinion} ({seconds} s): {binary.get('reason', '')}"
