"""The check report as one JSON-ready document (``--format json``).

``{"tool": "equivcheck", "version", "verdict", "functions": [...], "unattributed": [...]}``:
the top-level verdict is the worst over the functions (and UNKNOWN when the patch
changes code outside every function). Field names are stable; new ones may be added.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from equivcheck import __version__
from equivcheck.equiv.check import FunctionResult
from equivcheck.frontend.workset import PatchWork
from equivcheck.verdict import Verdict, VerdictName


def overall(results: list[FunctionResult], works: list[PatchWork]) -> VerdictName:
    """The verdict on the whole input."""
    verdict = Verdict.worst(r.verdict for r in results)
    if verdict == "equivalent" and any(w.unattributed for w in works):
        return "unknown"
    if not results and not any(w.unattributed for w in works):
        return "equivalent"
    return verdict


def document(results: list[FunctionResult], works: list[PatchWork]) -> dict[str, Any]:
    """The JSON document for a check run."""
    return {
        "tool": "equivcheck",
        "version": __version__,
        "verdict": overall(results, works),
        "functions": [asdict(r) for r in results],
        "unattributed": [
            {"patch_index": index, "file": u.file, "line": u.line, "side": u.side, "text": u.text}
            for index, work in enumerate(works, start=1)
            for u in work.unattributed
        ],
    }
