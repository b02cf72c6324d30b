"""End-to-end: equivcheck check on the seed, a mutant, an undecidable change, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from .run import PATCHES, SEED, assert_input_error, run


def _check(path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = run("check", path, "--format", "json", *extra)
    assert result.err == "", result.err
    return result.status, json.loads(result.out)


def _function(doc: dict[str, object], name: str) -> dict[str, object]:
    functions = doc["functions"]
    assert isinstance(functions, list)
    return next(f for f in functions if f["function"] == name)


def test_seed_is_equivalent_with_label_map_helper_and_named_swap() -> None:
    status, doc = _check(SEED)
    assert status == 0
    assert doc["tool"] == "equivcheck" and doc["verdict"] == "equivalent"
    caller = _function(doc, "try_to_unmap_one")
    assert caller["status"] == "changed" and caller["verdict"] == "equivalent"
    assert caller["label_map"] == {"discard": "finish_unmap"}
    assert caller["inlined"] == ["ttu_lazyfree_folio"]
    [swap] = caller["reorderings"]  # type: ignore[misc]
    assert {swap["first"], swap["second"]} == {"set_ptes()", "folio_set_swapbacked()"}
    assert "disjoint" in swap["why"] and "ordering point" in swap["why"]
    assert caller["assumptions"]
    helper = _function(doc, "ttu_lazyfree_folio")
    assert helper["status"] == "added" and helper["verdict"] == "equivalent"
    assert "try_to_unmap_one" in str(helper["reason"])
    for key in (
        "file",
        "function",
        "status",
        "verdict",
        "reason",
        "label_map",
        "inlined",
        "reorderings",
        "assumptions",
        "counterexample",
        "time_s",
    ):
        assert key in caller


def test_seed_table_output() -> None:
    result = run("check", SEED)
    assert result.status == 0
    assert "EQUIVALENT" in result.out and "discard -> finish_unmap" in result.out
    assert "folio_set_swapbacked()" in result.out


def test_mutant_is_different_with_counterexample(tmp_path: Path) -> None:
    mutant = tmp_path / "mutant.patch"
    text = SEED.read_text()
    assert "+ if (ref_count != 1 + map_count) {" in text
    mutant.write_text(
        text.replace("+ if (ref_count != 1 + map_count) {", "+ if (ref_count > 1 + map_count) {")
    )
    status, doc = _check(mutant)
    assert status == 1 and doc["verdict"] == "different"
    caller = _function(doc, "try_to_unmap_one")
    assert caller["verdict"] == "different"
    example = caller["counterexample"]
    assert isinstance(example, dict) and example["inputs"] and example["before"] != example["after"]
    assert caller["before_location"] and caller["after_location"]
    table = run("check", mutant)
    assert table.status == 1 and "DIFFERENT" in table.out and "counterexample" in table.out


def test_changes_outside_functions_make_it_unknown() -> None:
    status, doc = _check(PATCHES / "macro-change.diff")
    assert status == 2 and doc["verdict"] == "unknown"
    assert doc["unattributed"]


def test_check_bad_input() -> None:
    assert_input_error(run("check", PATCHES / "not-a-patch.txt"), "no diff")


def test_two_files_with_a_changed_macro_are_not_equivalent(tmp_path: Path) -> None:
    before = tmp_path / "a.c"
    after = tmp_path / "b.c"
    before.write_text("#define LIMIT 2\nint f(int n)\n{\n\treturn n > LIMIT;\n}\n")
    after.write_text(before.read_text().replace("LIMIT 2", "LIMIT 3"))
    result = run(
        "check", "--before", before, "--after", after, "--function", "f", "--format", "json"
    )
    doc = json.loads(result.out)
    # The file compiles on its own: the compiler gives LIMIT in each version (2, 3),
    # so the changed macro is a counterexample, not only a change outside f.
    assert result.status == 1 and doc["verdict"] == "different"
    assert doc["functions"][0]["counterexample"]["inputs"] == {"n": 3}
    assert {u["text"] for u in doc["unattributed"]} == {"#define LIMIT 2", "#define LIMIT 3"}


def test_two_files_that_do_not_compile_with_a_changed_macro_are_unknown(tmp_path: Path) -> None:
    before = tmp_path / "a.c"
    after = tmp_path / "b.c"
    text = '#include "missing.h"\n#define LIMIT 2\nint f(int n)\n{\n\treturn n > LIMIT;\n}\n'
    before.write_text(text)
    after.write_text(text.replace("LIMIT 2", "LIMIT 3"))
    result = run(
        "check", "--before", before, "--after", after, "--function", "f", "--format", "json"
    )
    doc = json.loads(result.out)
    assert result.status == 2 and doc["verdict"] == "unknown"
    assert "outside every function" in doc["functions"][0]["reason"]
