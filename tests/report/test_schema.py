"""The report's JSON Schema (equivcheck/report/schema.json) and its loader: what a
well-formed document looks like, and one line naming the file and the JSON path of the
first error for anything else."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from equivcheck.errors import InputError
from equivcheck.report.schema import MAX_REPORT_BYTES, load_report, problem, schema

FUNCTION: dict[str, Any] = {
    "file": "mm/rmap.c",
    "function": "try_to_unmap_one",
    "status": "changed",
    "verdict": "different",
    "reason": "the return value differs",
    "mode": "patch",
    "patch": "mm/rmap: a change",
    "patch_index": 1,
    "label_map": {"discard": "finish_unmap"},
    "inlined": ["helper"],
    "reorderings": [
        {
            "first": "a()",
            "second": "b()",
            "first_location": "mm/rmap.c:1",
            "second_location": "mm/rmap.c:2",
            "why": "disjoint",
        }
    ],
    "assumptions": ["A1: ..."],
    "counterexample": {
        "inputs": {"x": -1, "p->f": "#x00"},
        "call_results": {"f()#1": 0},
        "before": "return 1",
        "after": "return 0",
    },
    "before_location": "mm/rmap.c:10",
    "after_location": "mm/rmap.c:11",
    "time_s": 0.5,
    "before_line": 10,
    "after_line": 11,
    "before_path": [10, 12],
    "after_path": [11],
    "binary": {
        "opinion": "disagree",
        "reason": "r",
        "time_s": 1.0,
        "method": "m",
        "paths": {"before": 2, "after": 3},
        "limits": [],
        "assumptions": ["B1"],
        "before_trace": ["call f"],
        "after_trace": [],
        "inputs": {"rdi": "0x1"},
    },
}
DOC: dict[str, Any] = {
    "tool": "equivcheck",
    "version": "0.1.0",
    "verdict": "different",
    "functions": [FUNCTION],
    "unattributed": [{"patch_index": 1, "file": "a.c", "line": 3, "side": "after", "text": "x"}],
    "command": "equivcheck check p.patch",
}


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(schema())


def test_a_full_document_is_accepted_and_unknown_fields_too() -> None:
    assert problem(DOC) == ""
    newer = {**DOC, "something_new": {"any": [1]}}
    newer["functions"] = [{**FUNCTION, "binary": None, "later_field": 1}]
    assert problem(newer) == ""


def _broken(path: list[str | int], value: object) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (["verdict"], "maybe", "$.verdict should be one of"),
        (["functions"], {}, "$.functions should be array, not object"),
        (["functions", 0, "file"], 3, "$.functions[0].file should be string, not integer"),
        (["functions", 0, "reorderings", 0, "why"], None, "$.functions[0].reorderings[0].why"),
        (["functions", 0, "counterexample"], [], "$.functions[0].counterexample should be"),
        (["functions", 0, "counterexample", "inputs"], "x", "counterexample.inputs"),
        (["functions", 0, "time_s"], 1e300, "$.functions[0].time_s is out of range"),
        (["functions", 0, "patch_index"], -1, "$.functions[0].patch_index is out of range"),
        (["functions", 0, "before_path", 1], "12", "$.functions[0].before_path[1]"),
        (["functions", 0, "binary", "opinion"], "yes", "$.functions[0].binary"),
        (["functions", 0, "label_map"], {"a": 1}, "$.functions[0].label_map.a"),
        (["unattributed", 0, "line"], "3", "$.unattributed[0].line should be integer"),
        (["command"], ["equivcheck"], "$.command should be string, not array"),
    ],
)
def test_wrong_types_name_the_json_path(
    path: list[str | int], value: object, expected: str
) -> None:
    assert expected in problem(_broken(path, value))


def test_a_missing_field_is_named() -> None:
    doc = copy.deepcopy(DOC)
    del doc["functions"][0]["verdict"]
    assert problem(doc) == "$.functions[0] lacks 'verdict'"


def _load_error(tmp_path: Path, content: bytes | str) -> str:
    path = tmp_path / "report.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as caught:
        load_report(path)
    line = caught.value.one_line()
    assert "\n" not in line and str(path) in line
    return line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("not json at all", "is not JSON"),
        ("[1, 2]", "is a JSON array, not a report"),
        ('"a string"', "is a JSON string, not a report"),
        ('{"tool": "other"}', "not an equivcheck report"),
        (b"\xff\xfe{}", "not UTF-8"),
        ('{"tool": "equivcheck", "verdict": NaN, "functions": []}', "NaN is not a JSON number"),
        ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
        (
            '{"tool": "equivcheck", "verdict": "equivalent", "functions": [], "x": 1'
            + "0" * 5000
            + "}",
            "not usable JSON",
        ),
        ('{"tool": "equivcheck", "verdict": "equivalent", "functions": [1]}', "$.functions[0]"),
    ],
)
def test_what_is_not_a_report_is_one_line(tmp_path: Path, content: str, expected: str) -> None:
    assert expected in _load_error(tmp_path, content)


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_REPORT_BYTES + 10)
    with pytest.raises(InputError, match="larger than 50 MiB"):
        load_report(path)


def test_a_folder_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        load_report(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        load_report(tmp_path / "missing.json")


def test_a_fifo_without_a_writer_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is empty"):
        load_report(fifo)
