"""End-to-end: every input form through the command line, and bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .run import PATCHES, SEED, assert_input_error, run


def _functions(*args: str | Path) -> list[dict[str, object]]:
    result = run("functions", *args, "--format", "json")
    assert result.status == 0, result
    doc = json.loads(result.out)
    assert doc["tool"] == "equivcheck"
    rows: list[dict[str, object]] = doc["functions"]
    return rows


def _pairs(rows: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(r["function"], r["status"]) for r in rows]


def test_seed_patch_alone_lists_added_helper_and_changed_caller() -> None:
    rows = _functions(SEED)
    assert _pairs(rows) == [("ttu_lazyfree_folio", "added"), ("try_to_unmap_one", "changed")]
    assert {r["file"] for r in rows} == {"mm/rmap.c"}
    assert {r["mode"] for r in rows} == {"patch"}


def test_seed_table_output() -> None:
    result = run("functions", SEED)
    assert result.status == 0
    assert "ttu_lazyfree_folio" in result.out and "try_to_unmap_one" in result.out
    assert "lazyfree folio unmapping" in result.out


def test_format_patch() -> None:
    rows = _functions(PATCHES / "format-patch.patch")
    assert ("ring_full", "added") in _pairs(rows)
    assert ("ring_push", "changed") in _pairs(rows)


def test_plain_diff() -> None:
    assert _pairs(_functions(PATCHES / "plain.diff")) == [("ring_pop", "changed")]


def test_mbox_series_in_order() -> None:
    rows = _functions(PATCHES / "series.mbox")
    assert [r["patch_index"] for r in rows] == sorted(r["patch_index"] for r in rows)  # type: ignore[type-var]
    assert {r["patch_index"] for r in rows} == {1, 2, 3}
    assert all(str(r["patch"]).startswith(f"[{r['patch_index']}/3]") for r in rows)


def test_damaged_copy_matches_the_clean_patch() -> None:
    assert _pairs(_functions(PATCHES / "damaged.txt")) == _pairs(
        _functions(PATCHES / "format-patch.patch")
    )


def test_two_files() -> None:
    src = PATCHES / "src"
    rows = _functions("--before", src / "ringbuf.c", "--after", src / "ringbuf.v1.c")
    assert ("ring_full", "added") in _pairs(rows)
    assert ("ring_push", "changed") in _pairs(rows)


def test_two_files_one_function_ir_diff() -> None:
    src = PATCHES / "src"
    result = run(
        "ir-diff",
        "--before",
        src / "ringbuf.c",
        "--after",
        src / "ringbuf.v1.c",
        "--function",
        "ring_push",
    )
    assert result.status in (0, 1), result
    assert "ring_push" in result.out


def test_seed_ir_sides_show_region_exits() -> None:
    before = run("ir", SEED, "try_to_unmap_one", "--side", "before")
    after = run("ir", SEED, "try_to_unmap_one", "--side", "after")
    assert before.status == 0 and after.status == 0, (before, after)
    assert "exit goto discard" in before.out and "exit goto walk_abort" in before.out
    assert "exit goto finish_unmap" in after.out
    assert "call ttu_lazyfree_folio(vma, folio)" in after.out
    assert "call smp_rmb()" in before.out
    # Labels name no block; a region only lists those it defines as entry points.
    assert not any(line.startswith("discard") for line in before.out.splitlines())
    assert "entry discard: bb0" in before.out and "entry finish_unmap: bb0" in after.out
    assert "# mm/rmap.c:2" in before.out  # every line points at its source


def test_seed_helper_ir_and_dot(tmp_path: Path) -> None:
    dot = tmp_path / "helper.dot"
    result = run("ir", SEED, "ttu_lazyfree_folio", "--side", "after", "--dot", dot)
    assert result.status == 0, result
    assert "function ttu_lazyfree_folio(" in result.out
    assert "return false" in result.out and "return true" in result.out
    text = dot.read_text()
    assert text.startswith('digraph "ttu_lazyfree_folio"') and "->" in text


def test_added_function_has_no_before_side() -> None:
    result = run("ir", SEED, "ttu_lazyfree_folio", "--side", "before")
    assert_input_error(result, "ttu_lazyfree_folio", "no before version", "--side")


def test_rev_range_in_a_git_tree(tmp_path: Path) -> None:
    tree = tmp_path / "linux"
    (tree / "mm").mkdir(parents=True)
    (tree / "include" / "linux").mkdir(parents=True)
    (tree / "Makefile").write_text("# toy\n")
    src = (PATCHES / "src" / "ringbuf.c").read_text()
    (tree / "mm" / "ring.c").write_text(src)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
            cwd=tree,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    (tree / "mm" / "ring.c").write_text((PATCHES / "src" / "ringbuf.v1.c").read_text())
    git("commit", "-qam", "ring: add ring_full")
    rows = _functions("--tree", tree, "--rev", "HEAD~1..HEAD")
    assert ("ring_full", "added") in _pairs(rows)
    assert all(r["mode"] == "light" for r in rows)
    assert all(str(r["patch"]).endswith("ring: add ring_full") for r in rows)


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("name", "needles"),
    [
        ("not-a-patch.txt", ["not-a-patch.txt", "no diff"]),
        ("latin1.patch", ["latin1.patch", "UTF-8"]),
        ("empty.mbox", ["empty.mbox", "empty"]),
        ("cover-only.mbox", ["cover-only.mbox", "no diff"]),
    ],
)
def test_bad_patch_files(name: str, needles: list[str]) -> None:
    assert_input_error(run("functions", PATCHES / name), *needles)


def test_missing_file() -> None:
    assert_input_error(run("functions", "/no/such.patch"), "/no/such.patch", "no such file")


def test_missing_tree() -> None:
    assert_input_error(run("functions", SEED, "--tree", "/no/such/tree"), "/no/such/tree")


def test_unknown_function_in_patch() -> None:
    assert_input_error(
        run("ir", SEED, "no_such_fn", "--side", "after"), "no_such_fn", "try_to_unmap_one"
    )


def test_unknown_function_in_file() -> None:
    assert_input_error(
        run("ir", PATCHES / "src" / "ringbuf.c", "no_such_fn"), "no_such_fn", "ringbuf.c"
    )


def test_unparsable_code_names_construct_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.c"
    bad.write_text("int f(int a)\n{\n\treturn a +* ;\n}\n")
    result = run("ir", bad, "f")
    assert_input_error(result, "bad.c:3")


def test_non_utf8_c_file(tmp_path: Path) -> None:
    bad = tmp_path / "latin.c"
    bad.write_bytes(b"int f(void) { return '\xe9'; }\n")
    assert_input_error(run("ir", bad, "f"), "latin.c", "UTF-8")


def test_dot_into_missing_folder_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "g.dot"
    result = run("ir", SEED, "ttu_lazyfree_folio", "--side", "after", "--dot", target)
    assert_input_error(result, "g.dot")
    assert not target.exists()


def test_conflicting_inputs() -> None:
    assert_input_error(run("functions", SEED, "--before", SEED, "--after", SEED), "exactly one")


def test_usage_error_is_one_line() -> None:
    assert_input_error(run("functions", "--bogus"), "--bogus")


def test_changes_outside_functions_are_reported() -> None:
    result = run("functions", PATCHES / "macro-change.diff", "--format", "json")
    assert result.status == 0, result
    doc = json.loads(result.out)
    assert doc["functions"] == []
    assert [(u["line"], u["side"], u["text"]) for u in doc["unattributed"]] == [
        (10, "before", "#define RING_SIZE 64"),
        (10, "after", "#define RING_SIZE 128"),
    ]
    table = run("functions", PATCHES / "macro-change.diff")
    assert "change outside any function at src/ringbuf.c:10" in table.out


def test_statement_macro_in_light_mode_says_to_use_a_tree(tmp_path: Path) -> None:
    src = tmp_path / "iter.c"
    src.write_text(
        "int f(struct list_head *head)\n{\n\tstruct item *pos;\n\n"
        "\tlist_for_each_entry(pos, head, node) {\n\t\tg(pos);\n\t}\n\treturn 0;\n}\n"
    )
    assert_input_error(
        run("ir", src, "f"),
        "iter.c:5",
        "list_for_each_entry(...) used as a statement head",
        "--tree",
    )


def test_region_exits_point_at_their_goto() -> None:
    result = run("ir", SEED, "try_to_unmap_one", "--side", "before")
    assert "exit goto discard  # mm/rmap.c:2322" in result.out


def test_prepare_tree_on_something_that_is_not_a_kernel(tmp_path: Path) -> None:
    assert_input_error(run("prepare-tree", tmp_path), str(tmp_path))
    assert_input_error(run("prepare-tree", tmp_path / "missing"), "missing")


def test_prepare_tree_runs_the_kernel_make_targets(tmp_path: Path) -> None:
    tree = tmp_path / "linux"
    for sub in ("mm", "include/linux"):
        (tree / sub).mkdir(parents=True)
    log = tmp_path / "make.log"
    (tree / "Makefile").write_text(
        f"x86_64_defconfig olddefconfig prepare:\n\t@echo $@ >> {log}\n\t@touch .config\n"
    )
    result = run("prepare-tree", tree)
    assert result.status == 0, result
    assert log.read_text().split() == ["x86_64_defconfig", "prepare"]
    again = run("prepare-tree", tree)
    assert again.status == 0, again
    assert log.read_text().split()[-2:] == ["olddefconfig", "prepare"]
