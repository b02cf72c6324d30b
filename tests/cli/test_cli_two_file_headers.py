"""Two-file mode reads the files' headers (issue 13): the seed-like pair in
fixtures/two-file/seed-like/, copied to a temporary folder with its ``common.h``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.run import REPO, Result, assert_input_error, run

PAIR = REPO / "fixtures" / "two-file" / "seed-like"


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    for name in ("common.h", "before.c", "after.c"):
        shutil.copy(PAIR / name, tmp_path / name)
    return tmp_path


def _check(folder: Path, after: str = "after.c", *extra: str) -> tuple[Result, dict[str, dict]]:
    result = run(
        "check",
        "--before",
        folder / "before.c",
        "--after",
        folder / after,
        "--format",
        "json",
        *extra,
    )
    assert "Traceback" not in result.err
    funcs = {f["function"]: f for f in json.loads(result.out)["functions"]}
    return result, funcs


def _variant(folder: Path, old: str, new: str, name: str = "variant.c") -> str:
    text = (folder / "after.c").read_text()
    assert old in text
    (folder / name).write_text(text.replace(old, new))
    return name


@pytest.mark.parametrize("scope", [(), ("--function", "unmap_one")])
def test_the_seed_like_pair_is_equivalent(pair: Path, scope: tuple[str, ...]) -> None:
    result, funcs = _check(pair, "after.c", *scope)
    assert result.status == 0, result
    assert funcs["unmap_one"]["verdict"] == "equivalent"
    assert {(r["first"], r["second"]) for r in funcs["unmap_one"]["reorderings"]} == {
        ("folio_set_swapbacked()", "set_ptes()")
    }


def test_a_macro_of_the_header_is_its_value(pair: Path) -> None:
    same = _variant(pair, "-nr_pages * HELPER_K", "-nr_pages * 2")
    result, funcs = _check(pair, same)
    assert (result.status, funcs["unmap_one"]["verdict"]) == (0, "equivalent"), result
    other = _variant(pair, "-nr_pages * HELPER_K", "-nr_pages * 3", "other.c")
    result, funcs = _check(pair, other)
    assert (result.status, funcs["unmap_one"]["verdict"]) == (1, "different"), result


def test_a_constant_not_known_makes_no_counterexample(pair: Path) -> None:
    # without the header, HELPER_K may be 2: no value of it is a counterexample
    (pair / "common.h").unlink()
    same = _variant(pair, "-nr_pages * HELPER_K", "-nr_pages * 2")
    result, funcs = _check(pair, same)
    func = funcs["unmap_one"]
    assert (result.status, func["verdict"]) == (2, "unknown"), result
    assert "the value of HELPER_K" in func["reason"]
    assert "-I DIR" in func["reason"]


def test_headers_from_another_folder_with_dash_i(
    pair: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    headers = tmp_path_factory.mktemp("headers")
    shutil.move(pair / "common.h", headers / "common.h")
    same = _variant(pair, "-nr_pages * HELPER_K", "-nr_pages * 2")
    result, funcs = _check(pair, same, "-I", str(headers))
    assert (result.status, funcs["unmap_one"]["verdict"]) == (0, "equivalent"), result
    assert f"-I {headers}" in json.loads(result.out)["command"]


def test_the_before_location_names_the_before_file(pair: Path) -> None:
    flipped = _variant(pair, "ref_count != 1 + map_count", "ref_count > 1 + map_count")
    result, funcs = _check(pair, flipped)
    func = funcs["unmap_one"]
    assert (result.status, func["verdict"]) == (1, "different"), result
    assert func["before_location"].startswith(str(pair / "before.c") + ":")
    assert func["after_location"].startswith(str(pair / flipped) + ":")


def test_header_directories_are_checked(pair: Path) -> None:
    assert_input_error(
        run(
            "check", "--before", pair / "before.c", "--after", pair / "after.c", "-I", pair / "nope"
        ),
        "not a directory",
    )
    assert_input_error(run("check", "some.patch", "-I", pair), "-I")


# ------------------------------------------------- the compiled code's opinion (--binary)


def _binary(func: dict) -> dict:
    opinion = func["binary"]
    assert isinstance(opinion, dict), func
    return opinion


@pytest.mark.parametrize("scope", [(), ("--function", "unmap_one")])
def test_the_compiled_code_agrees_naming_the_reordering(pair: Path, scope: tuple[str, ...]) -> None:
    pytest.importorskip("angr", reason="angr is not installed")
    result, funcs = _check(pair, "after.c", "--binary", *scope)
    assert result.status == 0, result
    func = funcs["unmap_one"]
    assert func["verdict"] == "equivalent"
    opinion = _binary(func)
    assert opinion["opinion"] == "agree", opinion
    assert "reordered: folio_set_swapbacked() and set_ptes()" in opinion["reason"]


def test_a_flipped_reference_count_test_is_different_and_disagrees(pair: Path) -> None:
    pytest.importorskip("angr", reason="angr is not installed")
    flipped = _variant(pair, "ref_count != 1 + map_count", "ref_count > 1 + map_count")
    result, funcs = _check(pair, flipped, "--binary")
    func = funcs["unmap_one"]
    assert (result.status, func["verdict"]) == (1, "different"), result
    assert _binary(func)["opinion"] == "disagree"


def test_a_modelled_call_moved_across_smp_mb_disagrees(pair: Path) -> None:
    pytest.importorskip("angr", reason="angr is not installed")
    flush = "\tflush_tlb_range(vma, address, address + nr_pages * PAGE_SIZE);\n"
    put = "\tfolio_put(folio);"
    for name, order in (
        ("before.c", "\tsmp_mb();\n" + flush + put),
        ("after.c", put + "\n\tsmp_mb();\n" + flush.rstrip("\n")),
    ):
        text = (pair / name).read_text()
        assert flush + put in text
        (pair / name).write_text(text.replace(flush + put, order))
    _, funcs = _check(pair, "after.c", "--binary")
    func = funcs["unmap_one"]
    assert func["verdict"] != "equivalent", func
    assert _binary(func)["opinion"] == "disagree", func["binary"]
