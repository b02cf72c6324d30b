"""The binary opinion uses the source engine's model table: a call of a modelled
function carries the model's footprint, and two adjacent calls commute under the same
rule (disjoint footprints, neither an ordering point, none between) - issue 13."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from equivcheck.binary.model import Opinion
from equivcheck.binary.opinion import opinion_from_texts
from equivcheck.limits import Limits

pytest.importorskip(
    "angr", reason="angr is not installed (pip install 'equivcheck[binary]')", exc_type=ImportError
)
if shutil.which("gcc") is None:
    pytest.skip("gcc is not installed", allow_module_level=True)

# The seed-like pair, self-contained (its header's declarations pasted in).
HEADER = """\
#include <stdbool.h>
#include <stddef.h>

typedef unsigned long pte_t;
#define VM_DROPPABLE 0x100UL
#define MM_ANONPAGES 1
#define PAGE_SIZE 4096UL
#define HELPER_K 2

struct folio { unsigned long flags; int _refcount; int _mapcount; };
struct mm_struct;
struct vm_area_struct { unsigned long vm_flags; struct mm_struct *vm_mm; };

extern int folio_test_dirty(struct folio *folio);
extern void folio_set_swapbacked(struct folio *folio);
extern void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte,
\t\t     unsigned int nr);
extern void add_mm_counter(struct mm_struct *mm, int member, long value);
extern void flush_tlb_range(struct vm_area_struct *vma, unsigned long start,
\t\t\t    unsigned long end);
extern void folio_put(struct folio *folio);
extern void smp_mb(void);
"""

BEFORE = (
    HEADER
    + """
bool unmap_one(struct folio *folio, struct vm_area_struct *vma,
\t       unsigned long address, pte_t *ptep, pte_t pteval, long nr_pages)
{
\tstruct mm_struct *mm = vma->vm_mm;
\tint ref_count, map_count;

\tif (ptep == NULL)
\t\treturn false;
\tref_count = folio->_refcount;
\tmap_count = folio->_mapcount;

\tif (folio_test_dirty(folio) && !(vma->vm_flags & VM_DROPPABLE)) {
\t\tset_ptes(mm, address, ptep, pteval, nr_pages);
\t\tfolio_set_swapbacked(folio);
\t\tgoto out_abort;
\t}

\tif (ref_count != 1 + map_count) {
\t\tset_ptes(mm, address, ptep, pteval, nr_pages);
\t\tgoto out_abort;
\t}

\tadd_mm_counter(mm, MM_ANONPAGES, -nr_pages * HELPER_K);
\tgoto discard;

out_abort:
\treturn false;

discard:
\tflush_tlb_range(vma, address, address + nr_pages * PAGE_SIZE);
\tfolio_put(folio);
\treturn true;
}
"""
)

AFTER = (
    HEADER
    + """
static inline bool ttu_lazyfree_folio(struct folio *folio, struct vm_area_struct *vma,
\t\t\t\t      unsigned long address, pte_t *ptep, pte_t pteval,
\t\t\t\t      long nr_pages)
{
\tstruct mm_struct *mm = vma->vm_mm;
\tint ref_count = folio->_refcount;
\tint map_count = folio->_mapcount;

\tif (folio_test_dirty(folio) && !(vma->vm_flags & VM_DROPPABLE)) {
\t\tfolio_set_swapbacked(folio);
\t\tset_ptes(mm, address, ptep, pteval, nr_pages);
\t\treturn false;
\t}

\tif (ref_count != 1 + map_count) {
\t\tset_ptes(mm, address, ptep, pteval, nr_pages);
\t\treturn false;
\t}

\tadd_mm_counter(mm, MM_ANONPAGES, -nr_pages * HELPER_K);
\treturn true;
}

bool unmap_one(struct folio *folio, struct vm_area_struct *vma,
\t       unsigned long address, pte_t *ptep, pte_t pteval, long nr_pages)
{
\tif (ptep == NULL)
\t\treturn false;
\tif (!ttu_lazyfree_folio(folio, vma, address, ptep, pteval, nr_pages))
\t\tgoto out_abort;
\tgoto finish_unmap;

out_abort:
\treturn false;

finish_unmap:
\tflush_tlb_range(vma, address, address + nr_pages * PAGE_SIZE);
\tfolio_put(folio);
\treturn true;
}
"""
)

DIRTY_BRANCH = """\
\t\tset_ptes(mm, address, ptep, pteval, nr_pages);
\t\tfolio_set_swapbacked(folio);
\t\tgoto out_abort;"""


def _opinion(tmp_path: Path, before: str, after: str) -> Opinion:
    """Write the pair to ``tmp_path`` (as a user has it) and ask for the opinion of the
    symbolic engine (the identical-code shortcut off)."""
    (tmp_path / "before.c").write_text(before)
    (tmp_path / "after.c").write_text(after)
    return opinion_from_texts(
        (tmp_path / "before.c").read_text(),
        (tmp_path / "after.c").read_text(),
        "unmap_one",
        limits=Limits(budget_s=60.0),
        shortcut=False,
    )


def test_the_seed_like_pair_agrees_and_names_the_accepted_reordering(tmp_path: Path) -> None:
    result = _opinion(tmp_path, BEFORE, AFTER)
    assert result.opinion == "agree", result.reason
    reason = result.reason
    assert "reordered: folio_set_swapbacked() and set_ptes(): footprints are disjoint" in reason
    assert "writes pte[arg2]" in reason and "writes flag:swapbacked[arg0]" in reason
    details = result.details
    assert details.reorderings and "set_ptes()" in details.reorderings[0]
    assert result.to_json()["reordered"] == details.reorderings


def test_a_flipped_reference_count_comparison_disagrees(tmp_path: Path) -> None:
    mutant = AFTER.replace("if (ref_count != 1 + map_count)", "if (ref_count == 1 + map_count)")
    assert mutant != AFTER
    result = _opinion(tmp_path, BEFORE, mutant)
    assert result.opinion == "disagree", result.reason
    assert result.reason.startswith("the compiled versions differ")


def test_moving_a_modelled_call_across_smp_mb_disagrees(tmp_path: Path) -> None:
    assert DIRTY_BRANCH in BEFORE
    fenced = BEFORE.replace(
        DIRTY_BRANCH, DIRTY_BRANCH.replace("\t\tgoto", "\t\tsmp_mb();\n\t\tgoto")
    )
    moved = BEFORE.replace(
        DIRTY_BRANCH,
        DIRTY_BRANCH.replace(
            "\t\tfolio_set_swapbacked(folio);\n",
            "\t\tsmp_mb();\n\t\tfolio_set_swapbacked(folio);\n",
        ),
    )
    assert fenced.count("smp_mb();") == moved.count("smp_mb();") == 1
    result = _opinion(tmp_path, fenced, moved)
    assert result.opinion == "disagree", result.reason
    reason = result.reason
    assert "folio_set_swapbacked() and smp_mb() run in the other order" in reason
    assert "an ordering point cannot move" in reason


SMALL = """\
struct folio;
extern int folio_test_swapbacked(struct folio *folio);
extern void folio_set_swapbacked(struct folio *folio);
extern void note_a(struct folio *folio);
extern void note_b(struct folio *folio);
"""


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            "int f(struct folio *p) { folio_set_swapbacked(p); return folio_test_swapbacked(p); }",
            "int f(struct folio *p) { int t = folio_test_swapbacked(p);"
            " folio_set_swapbacked(p); return t; }",
            "run in the other order (both touch flag:swapbacked)",
        ),
        (
            "void f(struct folio *p) { note_a(p); note_b(p); }",
            "void f(struct folio *p) { note_b(p); note_a(p); }",
            "before calls note_a(), after calls note_b()",
        ),
    ],
    ids=["same-footprint", "unmodelled"],
)
def test_calls_that_do_not_commute_stay_in_order(before: str, after: str, expected: str) -> None:
    result = opinion_from_texts(SMALL + before, SMALL + after, "f", shortcut=False)
    assert result.opinion == "disagree", result.reason
    assert expected in result.reason
