"""The engine's fixture corpus (fixtures/engine): every manifest entry, in both modes.

Each entry names a patch, the function whose verdict matters and the verdict expected:

- ``equivalent``: the named function and every other function of the patch are
  EQUIVALENT;
- ``different``: the named function is DIFFERENT, with a counterexample;
- ``not-equivalent``: DIFFERENT or UNKNOWN, never EQUIVALENT.

Entries with a ``base`` file are also checked in two-file mode: the base is the before
version, the base with the patch applied (in memory) the after version. Cases where the
engine is known to be wrong carry ``known_bug`` (and ``known_bug_in``: the modes it
affects); they are strict xfails, so fixing the engine turns them into failures that say
"remove the known_bug mark".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from equivcheck.equiv.check import FunctionResult, check_patches
from equivcheck.frontend.patch.apply import apply_patch
from equivcheck.frontend.workset import from_files, from_patch_file, load_patches

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "engine"
SEED = ROOT / "fixtures" / "seed" / "000_7b8ea4c1cd114cf9.txt"
MODES = ("patch-alone", "two-file")


def _manifest() -> list[dict[str, Any]]:
    return json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def _cases() -> list[Any]:
    cases = []
    for entry in _manifest():
        for mode in MODES:
            if mode == "two-file" and entry.get("base") is None:
                continue
            marks = []
            if entry.get("known_bug") and mode in entry.get("known_bug_in", MODES):
                marks.append(pytest.mark.xfail(strict=True, reason=entry["known_bug"]))
            cases.append(pytest.param(entry, mode, marks=marks, id=f"{entry['patch']}[{mode}]"))
    return cases


def _after_text(entry: dict[str, Any]) -> str:
    """The base file with the entry's patch applied."""
    base = (CORPUS / entry["base"]).read_text(encoding="utf-8")
    (patch,) = load_patches(CORPUS / entry["patch"])
    (fp,) = patch.files
    assert fp.old_path is not None and fp.new_path is not None
    after = apply_patch({fp.old_path: base}, patch)[fp.new_path]
    assert after is not None
    return after


def _results(entry: dict[str, Any], mode: str, tmp_path: Path) -> list[FunctionResult]:
    if mode == "patch-alone":
        return check_patches(from_patch_file(CORPUS / entry["patch"], None))
    before = tmp_path / "before.c"
    after = tmp_path / "after.c"
    before.write_text((CORPUS / entry["base"]).read_text(encoding="utf-8"), encoding="utf-8")
    after.write_text(_after_text(entry), encoding="utf-8")
    return check_patches(from_files(before, after, None))


def _describe(results: list[FunctionResult]) -> str:
    return "; ".join(f"{r.function}: {r.verdict} ({r.reason})" for r in results)


@pytest.mark.parametrize(("entry", "mode"), _cases())
def test_corpus_entry(entry: dict[str, Any], mode: str, tmp_path: Path) -> None:
    results = _results(entry, mode, tmp_path)
    named = [r for r in results if r.function == entry["function"]]
    assert named, f"no result for {entry['function']}: {_describe(results)}"
    result = named[0]
    expect = entry["expect"]
    if expect == "equivalent":
        assert all(r.verdict == "equivalent" for r in results), _describe(results)
    elif expect == "different":
        assert result.verdict == "different", _describe(results)
        assert result.counterexample, f"DIFFERENT without a counterexample: {result.reason}"
    else:
        assert expect == "not-equivalent", f"bad expect {expect!r}"
        assert result.verdict in {"different", "unknown"}, _describe(results)


def test_manifest_is_complete() -> None:
    """Every patch file is listed once, every entry is well formed and its base applies."""
    entries = _manifest()
    listed = [e["patch"] for e in entries]
    assert len(listed) == len(set(listed))
    on_disk = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*.patch"))
    assert sorted(listed) == on_disk
    for entry in entries:
        assert entry["expect"] in {"equivalent", "different", "not-equivalent"}, entry
        assert entry["why"], entry
        assert set(entry.get("known_bug_in", [])) <= set(MODES), entry
        if entry.get("base") is not None:
            assert (CORPUS / entry["base"]).is_file(), entry
            _after_text(entry)
    mutants = [e for e in entries if e["patch"].startswith("mutants/")]
    refactors = [e for e in entries if e["patch"].startswith("refactors/")]
    assert len(mutants) >= 22 and all(e["expect"] != "equivalent" for e in mutants)
    assert len(refactors) >= 22 and all(
        e["expect"] == "equivalent" and e.get("base") for e in refactors
    )


# ---------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed_results() -> dict[str, FunctionResult]:
    return {r.function: r for r in check_patches(from_patch_file(SEED, None))}


def test_seed_try_to_unmap_one(seed_results: dict[str, FunctionResult]) -> None:
    result = seed_results["try_to_unmap_one"]
    assert result.verdict == "equivalent", result.reason
    assert result.label_map == {"discard": "finish_unmap"}
    assert "ttu_lazyfree_folio" in result.inlined
    assert len(result.reorderings) == 1
    swap = result.reorderings[0]
    named = f"{swap['first']} {swap['second']}"
    assert "set_ptes" in named and "folio_set_swapbacked" in named


def test_seed_helper_through_callers(seed_results: dict[str, FunctionResult]) -> None:
    result = seed_results["ttu_lazyfree_folio"]
    assert result.status == "added"
    assert result.verdict == "equivalent", result.reason
    assert "try_to_unmap_one" in result.reason
