"""Footprints inferred from bodies in a translation unit."""

from __future__ import annotations

from equivcheck.equiv.footprints import infer

UNIT = """
struct mm_struct { long hiwater; long counter; };
struct page { unsigned long flags; };
int limit;
static inline void touch_hiwater(struct mm_struct *mm)
{
\tmm->hiwater = mm->counter;
}
static inline void nested(struct mm_struct *mm, struct page *p)
{
\ttouch_hiwater(mm);
\tfolio_set_dirty(p);
}
static inline int reads_global(void)
{
\treturn limit;
}
static inline void barrier_inside(void)
{
\tsmp_mb();
}
static inline void calls_extern(struct page *p)
{
\tsomething_external(p);
}
static inline void writes_memory(int *p)
{
\t*p = 1;
}
"""


def test_fields_and_nested_calls() -> None:
    inferred, failed = infer({"touch_hiwater", "nested", "reads_global"}, UNIT)
    assert failed == {}
    hi = inferred["touch_hiwater"].model
    assert [p.component for p in hi.reads] == ["field:counter"]
    assert [p.component for p in hi.writes] == ["field:hiwater"]
    nested = inferred["nested"].model
    assert {p.component for p in nested.writes} == {"field:hiwater", "comp:flag:dirty"}
    assert [p.component for p in inferred["reads_global"].model.reads] == ["global:limit"]
    assert "inferred from its body" in inferred["nested"].describe()


def test_what_cannot_be_inferred() -> None:
    inferred, failed = infer({"barrier_inside", "calls_extern", "missing", "writes_memory"}, UNIT)
    assert set(failed) == {"barrier_inside", "calls_extern", "missing"}
    assert "ordering point" in failed["barrier_inside"]
    assert "something_external" in failed["calls_extern"]
    assert [p.component for p in inferred["writes_memory"].model.writes] == ["mem"]
