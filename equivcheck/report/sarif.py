"""The check report as SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).

One run whose tool driver is equivcheck with three rules: ``EC001`` (DIFFERENT, level
``error``), ``EC002`` (UNKNOWN, ``warning``) and ``EC003`` (a change outside every
function, ``warning``). One result per DIFFERENT or UNKNOWN function, located at the
function in the after version (else the before version; else line 1 of the file), with
the places where the versions part as related locations; one result per line changed
outside every function. EQUIVALENT functions produce no result. Fingerprints hash the
file, the function and the verdict, so they stay put when lines move.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "equivcheckFunction/v1"
CX_ENTRIES = 8
"""Counterexample values quoted in a result's message; the rest are in its properties."""


@dataclass(frozen=True)
class Rule:
    """One kind of finding."""

    id: str
    name: str
    level: str
    short: str
    full: str
    help: str

    def descriptor(self) -> dict[str, Any]:
        """The SARIF ``reportingDescriptor``."""
        return {
            "id": self.id,
            "name": self.name,
            "shortDescription": {"text": self.short},
            "fullDescription": {"text": self.full},
            "help": {"text": self.help},
            "defaultConfiguration": {"level": self.level},
        }


RULES: tuple[Rule, ...] = (
    Rule(
        "EC001",
        "FunctionalChange",
        "error",
        "The patch changes what this function does.",
        "equivcheck found a concrete input on which the versions of the function before "
        "and after the patch behave differently: a different exit, return value, effect, "
        "effect order or final state.",
        "The result's message gives the counterexample: the inputs, the results of the "
        "calls, what each version does and where they part. If the change of behaviour is "
        "intended, the patch is not a pure refactoring and its description should say "
        "so; otherwise fix the patch.",
    ),
    Rule(
        "EC002",
        "EquivalenceNotShown",
        "warning",
        "equivcheck could not decide whether the patch changes this function.",
        "Neither a proof of equivalence nor a counterexample was found: an unsupported "
        "construct, a reordering involving a call without a model, a loop bound, a path "
        "or time limit, or context the patch alone does not show.",
        "The result's message gives the reason. Checking against a kernel tree "
        "(--tree) compares whole functions; raising --budget, --timeout, --max-paths or "
        "--unroll helps with limits; a reordering with an unmodelled call needs a model "
        "of that call.",
    ),
    Rule(
        "EC003",
        "ChangeOutsideFunctions",
        "warning",
        "The patch changes code outside every function.",
        "A change outside every function (a macro, a declaration, an initializer) can "
        "change behaviour without changing any function's text, so the patch as a whole "
        "cannot be shown equivalent.",
        "Review the change by hand, or split it from the refactoring so the rest of the "
        "patch can be checked on its own.",
    ),
)
_BY_VERDICT = {"different": 0, "unknown": 1}


def render_sarif(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The report document as a SARIF 2.1.0 log (a JSON-ready dict)."""
    results = [
        _function_result(f)
        for f in _seq(doc.get("functions"))
        if isinstance(f, Mapping) and _text(f.get("verdict")).lower() in _BY_VERDICT
    ]
    results += _unattributed_results(doc)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "equivcheck",
                "version": _text(doc.get("version", "")) or "unknown",
                "rules": [rule.descriptor() for rule in RULES],
            }
        },
        "results": results,
        "properties": {"verdict": _text(doc.get("verdict", "unknown"))},
    }
    command = _text(doc.get("command", ""))
    if command:
        run["invocations"] = [{"commandLine": command, "executionSuccessful": True}]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


# ---------------------------------------------------------------------- reading


def _seq(value: object) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else ()


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _line(value: object) -> int:
    """A positive line number, or 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return max(value, 0)


def _split_location(location: str) -> tuple[str, int] | None:
    """``file:line`` as its parts; None when it is not one."""
    file, _, line = location.rpartition(":")
    if not file or not line.isdigit() or int(line) < 1:
        return None
    return file, int(line)


# ---------------------------------------------------------------------- building


def _artifact(file: str) -> dict[str, Any]:
    """An artifact location: relative to the source root unless the path is absolute."""
    path = PurePosixPath(file)
    if path.is_absolute():
        return {"uri": "file://" + quote(str(path), safe="/")}
    return {"uri": quote(file, safe="/"), "uriBaseId": SRCROOT}


def _physical(file: str, line: int) -> dict[str, Any]:
    return {"artifactLocation": _artifact(file), "region": {"startLine": max(line, 1)}}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _function_result(f: Mapping[str, Any]) -> dict[str, Any]:
    verdict = _text(f.get("verdict")).lower()
    index = _BY_VERDICT[verdict]
    rule = RULES[index]
    file, name = _text(f.get("file", "")), _text(f.get("function", ""))
    line = _line(f.get("after_line")) or _line(f.get("before_line")) or 1
    location: dict[str, Any] = {
        "physicalLocation": _physical(file, line),
        "logicalLocations": [{"name": name, "kind": "function"}],
    }
    result: dict[str, Any] = {
        "ruleId": rule.id,
        "ruleIndex": index,
        "level": rule.level,
        "message": {"text": _message(f, verdict)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: _fingerprint(file, name, verdict)},
        "properties": _properties(f),
    }
    related = _related(f)
    if related:
        result["relatedLocations"] = related
    return result


def _message(f: Mapping[str, Any], verdict: str) -> str:
    name = _text(f.get("function", ""))
    text = f"{name}(): {verdict.upper()}: {_text(f.get('reason', ''))}"
    cx = _map(f.get("counterexample"))
    if cx:
        text += "\nCounterexample: " + _counterexample(cx)
    return text


def _counterexample(cx: Mapping[str, Any]) -> str:
    """The counterexample in one short paragraph."""
    values = [f"{k} = {_text(v)}" for k, v in _map(cx.get("inputs")).items()]
    values += [f"{k} returns {_text(v)}" for k, v in _map(cx.get("call_results")).items()]
    shown = values[:CX_ENTRIES]
    if len(values) > CX_ENTRIES:
        shown.append(f"... ({len(values) - CX_ENTRIES} more)")
    parts = ["; ".join(shown)] if shown else []
    for side in ("before", "after"):
        if side in cx:
            parts.append(f"{side}: {_text(cx[side])}")
    return ". ".join(parts)


def _related(f: Mapping[str, Any]) -> list[dict[str, Any]]:
    related: list[dict[str, Any]] = []
    for side in ("before", "after"):
        place = _split_location(_text(f.get(f"{side}_location", "")))
        if place is None:
            continue
        related.append(
            {
                "id": len(related) + 1,
                "physicalLocation": _physical(*place),
                "message": {"text": f"where the versions part ({side} the patch)"},
            }
        )
    return related


def _properties(f: Mapping[str, Any]) -> dict[str, Any]:
    """What a viewer does not show but a script may want: the report's own fields."""
    keys = ("status", "mode", "patch", "patch_index", "label_map", "inlined")
    props: dict[str, Any] = {k: f[k] for k in keys if k in f}
    for key in ("reorderings", "assumptions", "counterexample", "binary"):
        if f.get(key):
            props[key] = f[key]
    return props


def _unattributed_results(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One result per line changed outside every function (its before and after text)."""
    rule = RULES[2]
    groups: dict[tuple[str, str, int], list[Mapping[str, Any]]] = {}
    for entry in _seq(doc.get("unattributed")):
        u = _map(entry)
        key = (_text(u.get("patch_index", "")), _text(u.get("file", "")), _line(u.get("line")))
        groups.setdefault(key, []).append(u)
    results: list[dict[str, Any]] = []
    for (_patch, file, line), changes in groups.items():
        texts = "; ".join(
            f"{_text(c.get('side', ''))}: {_text(c.get('text', '')).strip()}" for c in changes
        )
        results.append(
            {
                "ruleId": rule.id,
                "ruleIndex": 2,
                "level": rule.level,
                "message": {"text": f"change outside every function: {texts}"},
                "locations": [{"physicalLocation": _physical(file, line)}],
                "partialFingerprints": {FINGERPRINT: _fingerprint(file, texts, "unattributed")},
                "properties": {"patch_index": changes[0].get("patch_index")},
            }
        )
    return results
