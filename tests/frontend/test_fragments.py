"""function_fragments / added_functions, from the patch alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.model import Patch
from equivcheck.frontend.patch.read import read_patches
from equivcheck.frontend.source.fragments import added_functions, function_fragments


def _seed(fixtures_dir: Path) -> Patch:
    seed = fixtures_dir / "seed" / "000_7b8ea4c1cd114cf9.txt"
    return read_patches(seed.read_bytes(), str(seed))[0]


def test_seed_regions(fixtures_dir: Path) -> None:
    pair = function_fragments(_seed(fixtures_dir), "try_to_unmap_one")
    assert pair.before.side == "before" and pair.after.side == "after"
    assert pair.before.file == "mm/rmap.c"
    assert len(pair.pairs) == 2
    (b1, a1), (b2, a2) = pair.pairs
    # hunk 2: the statements inside `if (!folio_test_swapbacked(folio)) {`
    before_lines = b1.text.split("\n")
    assert before_lines[0] == "\tint ref_count, map_count;"
    assert before_lines[-2:] == [
        "\tadd_mm_counter(mm, MM_ANONPAGES, -nr_pages);",
        "\tgoto discard;",
    ]
    assert "\t} else if (ref_count != 1 + map_count) {" in before_lines
    assert b1.first_line == 2282 and b1.lines == list(range(2282, 2282 + len(before_lines)))
    assert b1.labels == [] and b1.gotos_out == ["walk_abort", "discard"]
    assert a1.text == (
        "\tif (!ttu_lazyfree_folio(vma, folio)) {\n"
        "\t\tset_ptes(mm, address, pvmw.pte, pteval, nr_pages);\n"
        "\t\tgoto walk_abort;\n"
        "\t}\n"
        "\n"
        "\tadd_mm_counter(mm, MM_ANONPAGES, -nr_pages);\n"
        "\tgoto finish_unmap;"
    )
    assert a1.first_line == 2328 and a1.lines == list(range(2328, 2335))
    assert a1.gotos_out == ["walk_abort", "finish_unmap"]
    # hunk 3: the renamed label alone (``L: S`` is ``L: ; S``; S is the same in both)
    assert b2.text == "discard:\n;"
    assert a2.text == "finish_unmap:\n;"
    assert (b2.first_line, b2.lines, b2.labels) == (2385, [2385], ["discard"])
    assert (a2.first_line, a2.lines, a2.labels) == (2397, [2397], ["finish_unmap"])
    assert pair.before.regions == [b1, b2] and pair.after.regions == [a1, a2]


def test_seed_added_helper(fixtures_dir: Path) -> None:
    [helper] = added_functions(_seed(fixtures_dir))
    assert helper.name == "ttu_lazyfree_folio"
    assert helper.file == "mm/rmap.c"
    assert helper.start_line == 2096
    lines = helper.text.split("\n")
    assert lines[0] == "static inline bool ttu_lazyfree_folio(struct vm_area_struct *vma,"
    assert lines[2:4] == ["{", "\tint ref_count, map_count;"]
    assert "\t\tfolio_set_swapbacked(folio);" in lines
    assert lines[-3:] == ["\treturn true;", "}", ""]
    assert len(lines) == 46


def test_label_rename_in_clean_patch(fixtures_dir: Path) -> None:
    path = fixtures_dir / "patches" / "plain.diff"
    [patch] = read_patches(path.read_bytes(), str(path))
    pair = function_fragments(patch, "ring_pop")
    [(before, after)] = pair.pairs
    assert before.text == (
        "\tif (RING_EMPTY(r)) {\n\t\tret = -ENOENT;\n\t\tgoto out_unlock;\n\t}\n"
        "\t*value = r->slots[RING_MASK(r->tail)];\n\tr->tail++;\nout_unlock:\n;"
    )  # (``return ret;`` after the label is the same in both: it follows the region)
    assert before.first_line == 60 and after.first_line == 60
    assert before.labels == ["out_unlock"] and before.gotos_out == []
    assert after.labels == ["out"] and after.gotos_out == []


def test_region_widens_to_the_enclosing_statement(fixtures_dir: Path) -> None:
    path = fixtures_dir / "patches" / "format-patch.patch"
    [patch] = read_patches(path.read_bytes(), str(path))
    [(before, after)] = function_fragments(patch, "ring_push").pairs
    assert before.text == (
        "\tif (r->head - r->tail >= RING_SIZE) {\n\t\tret = -ENOSPC;\n\t\tgoto out_unlock;\n\t}"
    )
    assert after.text == "\tif (ring_full(r)) {\n\t\tret = -ENOSPC;\n\t\tgoto out_unlock;\n\t}"
    assert (before.first_line, after.first_line) == (39, 44)
    assert before.gotos_out == after.gotos_out == ["out_unlock"]
    assert [f.name for f in added_functions(patch)] == ["ring_full"]


def test_missing_context_is_an_input_error() -> None:
    diff = (
        "--- a/f.c\n+++ b/f.c\n@@ -3,2 +3,2 @@ int f(int a)\n \tx = 0;\n"
        "-\tif (a) {\n+\tif (!a) {\n \t\ta = 1;\n"
    )
    [patch] = read_patches(diff.encode(), "short.diff")
    with pytest.raises(InputError) as err:
        function_fragments(patch, "f")
    assert "lacks context" in err.value.problem
    assert "-U" in err.value.hint and "--tree" in err.value.hint


def test_unknown_or_added_function(fixtures_dir: Path) -> None:
    patch = _seed(fixtures_dir)
    with pytest.raises(InputError, match="no hunk changes a function named nope"):
        function_fragments(patch, "nope")
    with pytest.raises(InputError, match="adds ttu_lazyfree_folio whole"):
        function_fragments(patch, "ttu_lazyfree_folio")
