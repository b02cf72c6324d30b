"""The check report as one JSON-ready document (``--format json``).

``{"tool": "equivcheck", "version", "verdict", "functions": [...], "unattributed": [...]}``:
the top-level verdict is the worst over the functions (and UNKNOWN when the patch
changes code outside every function). Field names are stable; new ones may be added.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from equivcheck import __version__
from equivcheck.equiv.check import FunctionResult
from equivcheck.errors import InputError
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


def results_of(doc: Mapping[str, Any]) -> list[FunctionResult]:
    """The function results of a report checked against the schema (fields this
    version does not know are ignored, missing ones take their defaults: an empty
    text, patch 0)."""
    fields = dataclasses.fields(FunctionResult)
    names = {f.name for f in fields}
    blank: dict[str, object] = {
        f.name: 0 if f.name == "patch_index" else ""
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    rows = []
    for item in doc["functions"]:
        if not isinstance(item, dict):
            raise InputError("report", "has a function entry that is not an object", "run again")
        given = {k: v for k, v in item.items() if k in names}
        rows.append(FunctionResult(**{**blank, **given}))
    return rows
