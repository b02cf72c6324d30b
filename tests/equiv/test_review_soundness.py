"""Soundness, second review: pairs of semantically different versions the engine once
called EQUIVALENT (and one wrong "never ends"): writes through pointers to locals,
exported locals' types, locals named in capitals, the state an unmodelled call sees,
inferred footprints, volatile accesses as ordering points, counters read by the
high-water mark, a field and its own member."""

from __future__ import annotations

from pathlib import Path

import pytest

from equivcheck.equiv.check import Options, check_patches
from equivcheck.equiv.compare import Side, compare
from equivcheck.equiv.footprints import infer
from equivcheck.frontend.model import FunctionChange, FunctionText
from equivcheck.frontend.unit.prototypes import return_types
from equivcheck.frontend.workset import FunctionWork, PatchWork, from_patch_file
from equivcheck.models.table import MODELS
from equivcheck.symex.execute import Config
from tests.equiv.engine import graph, verdict_of


def tree_verdict(code_a: str, code_b: str, unit: str = "") -> str:
    """The full pipeline's verdict on two whole texts of ``f`` (tree mode)."""
    before = FunctionText("f", "t.c", 1, code_a, frozenset({"bool"}), unit=unit)
    after = FunctionText("f", "t.c", 1, code_b, frozenset({"bool"}), unit=unit)
    work = FunctionWork(FunctionChange("t.c", "f", "changed"), "tree", before, after)
    [result] = check_patches([PatchWork("p", None, [work])], Options(budget_s=10))
    return result.verdict


# ---------------------------------------------------------------- 1. aliasing of locals


def test_write_through_pointer_to_local_is_seen_by_direct_read() -> None:
    before = "int f(int a) { int x = 1; int *p = &x; *p = 2; return x; }"
    after = "int f(int a) { int x = 1; int *p = &x; *p = 2; return 1; }"
    assert verdict_of(before, after).verdict == "different"
    assert tree_verdict(before, after) != "equivalent"


def test_region_with_address_taken_local_written_through_pointer() -> None:
    before = """int f(int a)
{
	int x = 0;
	int *p = &x;
	int y;
	*p = 2;
	y = x;
	return y;
}
"""
    after = """int f(int a)
{
	int x = 0;
	int *p = &x;
	int y;
	y = x;
	*p = 2;
	return y;
}
"""
    assert tree_verdict(before, after) != "equivalent"


# ---------------------------------------------------------------- 2. the changed part


def test_exported_local_with_changed_type() -> None:
    before = """int f(int a)
{
	int r = 0;
	unsigned int x = 5;
	if (x > -1)
		r = 1;
	return r;
}
"""
    after = before.replace("unsigned int x = 5;", "int x = 5;")
    assert verdict_of(before, after).verdict == "different"  # the engine itself knows
    assert tree_verdict(before, after) == "different"


def test_region_writes_local_named_in_capitals() -> None:
    before = """int f(int a)
{
	int N = 0;
	if (a)
		N = 1;
	return N;
}
"""
    after = before.replace("N = 1;", "N = 2;")
    assert verdict_of(before, after).verdict == "different"  # the engine itself knows
    assert tree_verdict(before, after) == "different"


# ---------------------------------------------------------------- 3. unmodelled calls


def test_state_before_an_unmodelled_call_matters() -> None:
    before = """int f(struct s *p)
{
	int r;
	p->b = 1;
	r = g(p);
	p->b = 0;
	return r;
}
"""
    after = before.replace("p->b = 1;", "p->b = 2;")
    assert verdict_of(before, after).verdict != "equivalent"
    assert tree_verdict(before, after) != "equivalent"


def test_inferred_write_depends_on_what_the_callee_reads() -> None:
    unit = """struct s { int a; int b; };
static inline void cp(struct s *p) { p->a = p->b; }
"""
    inferred, failed = infer({"cp"}, unit)
    assert not failed
    models = {**MODELS, "cp": inferred["cp"].model}
    before = """void f(struct s *p)
{
	p->b = 1;
	cp(p);
	p->b = 0;
}
"""
    after = before.replace("p->b = 1;", "p->b = 2;")
    outcome = compare(Side(graph(before), Config(models)), Side(graph(after), Config(models)))
    assert outcome.verdict != "equivalent"


def test_inferred_footprint_of_field_of_indexed_element() -> None:
    unit = """struct s { int x; };
static inline void set(struct s *p) { p[0].x = 1; }
static inline int get(struct s *p) { return p->x; }
"""
    inferred, failed = infer({"set", "get"}, unit)
    assert not failed
    models = {**MODELS, **{n: i.model for n, i in inferred.items()}}
    before = "int f(struct s *p) { int r; set(p); r = get(p); return r; }"
    after = "int f(struct s *p) { int r; r = get(p); set(p); return r; }"
    outcome = compare(Side(graph(before), Config(models)), Side(graph(after), Config(models)))
    assert outcome.verdict != "equivalent"


# ---------------------------------------------------------------- 4. ordering points


def test_two_read_once_may_differ() -> None:
    before = """int f(int *p)
{
	int a, b;
	a = READ_ONCE(*p);
	b = READ_ONCE(*p);
	return a - b;
}
"""
    after = before.replace("return a - b;", "return 0;")
    assert verdict_of(before, after).verdict == "different"


def test_spin_on_read_once_is_not_a_hang() -> None:
    before = """int f(int *p)
{
	while (!READ_ONCE(*p))
		;
	return 1;
}
"""
    after = "int f(int *p)\n{\n\treturn 1;\n}\n"
    outcome = verdict_of(before, after)
    # Another CPU may set *p: the spin is no proven hang. (Dropping the volatile read
    # is a real difference, found as such.)
    assert "never ends" not in outcome.reason


# ---------------------------------------------------------------- 5. footprints


def test_hiwater_does_not_commute_with_counter_update() -> None:
    before = """void f(struct mm_struct *mm)
{
	add_mm_counter(mm, MM_ANONPAGES, 1);
	update_hiwater_rss(mm);
}
"""
    after = """void f(struct mm_struct *mm)
{
	update_hiwater_rss(mm);
	add_mm_counter(mm, MM_ANONPAGES, 1);
}
"""
    assert verdict_of(before, after).verdict != "equivalent"


def test_nested_field_aliases_its_container() -> None:
    before = """void f(struct out *p, struct in v)
{
	p->a = v;
	p->a.b = 1;
}
"""
    after = """void f(struct out *p, struct in v)
{
	p->a.b = 1;
	p->a = v;
}
"""
    assert verdict_of(before, after).verdict != "equivalent"


def test_a_parameter_written_on_one_branch_survives_merging() -> None:
    # Merging once dropped a slot written on one side only; a later read then gave the
    # parameter's initial value on both branches, hiding n = 1 against n = 2.
    head = "int f(int a, int n)\n"
    before = head + "{\n\tif (a)\n\t\tn = 1;\n\tg(a);\n\treturn n;\n}\n"
    after = before.replace("n = 1", "n = 2")
    assert verdict_of(before, after).verdict == "different"


def test_initializer_of_an_address_taken_struct_local_is_kept() -> None:
    head = "int f(int a)\n"
    before = head + "{\n\tstruct s x = { .a = 1 };\n\tg(&x);\n\treturn x.a;\n}\n"
    after = before.replace(".a = 1", ".a = 2")
    assert verdict_of(before, after).verdict != "equivalent"


def test_whole_copy_into_an_address_taken_struct_local_is_not_trusted() -> None:
    head = "int f(struct s *p, struct s *q)\n"
    before = head + "{\n\tstruct s x;\n\tx = *p;\n\tg(&x);\n\treturn x.a;\n}\n"
    after = before.replace("x = *p", "x = *q")
    assert verdict_of(before, after).verdict != "equivalent"


def test_region_local_read_before_any_assignment_is_uninitialised(tmp_path: Path) -> None:
    """A local the shown region declares has no value at the region's start: reading
    it there is reading an uninitialised local, not a value both versions share."""
    patch = tmp_path / "u.patch"
    patch.write_text(
        "--- a/mm/t.c\n+++ b/mm/t.c\n@@ -10,7 +10,7 @@ static void f(int p)\n {\n"
        "-\tint x;\n-\tint z = 2;\n-\n-\tfoo(x + z);\n"
        "+\tint x;\n+\tint z = 1 + 1;\n+\n+\tfoo(x + z);\n \tbar(p);\n"
    )
    [result] = check_patches(from_patch_file(patch, None), Options(budget_s=10))
    assert result.verdict == "unknown"
    assert "uninitialised local: x" in result.reason


def test_a_field_written_through_a_pointer_to_it_is_the_field() -> None:
    """``*(int *)&p->x`` and ``*q`` with ``q = &p->x`` are ``p->x``: plain memory
    must not hide the write from a read of the field (assumption A2 does not cover a
    pointer the function made from the field's own address)."""
    cast = "int f(struct s *p) { *(int *)&p->x = 1; return p->x; }"
    cast_old = "int f(struct s *p) { int old = p->x; *(int *)&p->x = 1; return old; }"
    through = "int f(struct s *p) { int *q = &p->x; *q = 1; return p->x; }"
    one = "int f(struct s *p) { int *q = &p->x; *q = 1; return 1; }"
    # In tree mode the compiler says x is an int: the int access is the field itself.
    unit = "struct s { int x; long y; };\n"
    assert tree_verdict(cast, cast_old, unit=unit) == "different"
    assert tree_verdict(through, one, unit=unit) == "equivalent"
    assert tree_verdict(through, cast_old, unit=unit) == "different"
    # Without the struct's layout an int access to a field of unknown type is not
    # taken for the field (a long field would keep its upper half): never EQUIVALENT.
    assert verdict_of(cast, cast_old).verdict != "equivalent"
    assert verdict_of(through, one).verdict != "equivalent"
    wide = "struct s { long x; };\n"
    assert tree_verdict(through, one, unit=wide) != "equivalent"


# ---------------------------------------------------------------- third review


def test_loop_rule_refuses_a_struct_local_live_at_the_loop_head() -> None:
    before = """int f(struct s *p, int n)
{
	struct s st = { 0 };
	int i, sum = 0;
	for (i = 0; i < n; i++) {
		sum += st.a;
		st = *p;
		sum += st.a;
	}
	return sum;
}
"""
    after = before.replace(
        "sum += st.a;\n\t\tst = *p;\n\t\tsum += st.a;",
        "sum += st.a;\n\t\tsum += st.a;\n\t\tst = *p;",
    )
    assert verdict_of(before, after, induction=True).verdict != "equivalent"


def test_plain_char_results_are_unsigned_as_the_kernel_builds() -> None:
    unit = "char get_flag(void);\n"
    before = "int f(void) { int c = get_flag(); if (c > 127) return -1; return 0; }"
    after = "int f(void) { int c = get_flag(); return 0; }"
    assert tree_verdict(before, after, unit=unit) != "equivalent"


def test_a_declaration_that_cannot_be_read_leaves_the_result_untyped() -> None:
    unit = (
        "loff_t big_len(void);\n"
        'void g(void) { pr_warn("x; unsigned big_len(void) is deprecated\\n"); }\n'
    )
    before = "int f(void) { long r = big_len(); if ((unsigned long)r >> 32) return -1; return 0; }"
    after = "int f(void) { long r = big_len(); return 0; }"
    assert tree_verdict(before, after, unit=unit) != "equivalent"
    # (the text in the string is not a declaration; the typedef name is left to the
    # compiler, which this unit gives no definition of it)
    assert return_types(unit, {"big_len"}) == {"big_len": "typedef:loff_t"}


def test_a_return_type_the_patch_changes_is_not_assumed() -> None:
    a = "int f(void)\n{\n\tlong r = foo();\n\n\tif (r >> 32)\n\t\treturn -1;\n\treturn 0;\n}\n"
    b = "int f(void)\n{\n\tlong r = foo();\n\n\treturn 0;\n}\n"
    before = FunctionText("f", "t.c", 1, a, frozenset({"bool"}), unit="long foo(void);\n")
    after = FunctionText("f", "t.c", 1, b, frozenset({"bool"}), unit="unsigned int foo(void);\n")
    work = FunctionWork(FunctionChange("t.c", "f", "changed"), "tree", before, after)
    [result] = check_patches([PatchWork("p", None, [work])], Options(budget_s=10))
    assert result.verdict != "equivalent"


STRUCT_PAIRS = {
    "member read after a whole assignment": (
        (
            "int f(struct s *p)\n"
            "{\n"
            "\tstruct s st = { 0 };\n"
            "\tint r;\n"
            "\n"
            "\tst = *p;\n"
            "\tr = st.a;\n"
            "\treturn r;\n"
            "}\n"
        ),
        (
            "int f(struct s *p)\n"
            "{\n"
            "\tstruct s st = { 0 };\n"
            "\tint r;\n"
            "\n"
            "\tr = st.a;\n"
            "\tst = *p;\n"
            "\treturn r;\n"
            "}\n"
        ),
    ),
    "whole read after a member write": (
        ("void f(struct s *q, int x)\n{\n\tstruct s st = { 0 };\n\n\tst.a = x;\n\t*q = st;\n}\n"),
        ("void f(struct s *q, int x)\n{\n\tstruct s st = { 0 };\n\n\t*q = st;\n\tst.a = x;\n}\n"),
    ),
    "parameter member after a whole assignment": (
        ("int f(struct s v, struct s *p)\n{\n\tv = *p;\n\treturn v.a;\n}\n"),
        ("int f(struct s v, struct s *p)\n{\n\tint r = v.a;\n\tv = *p;\n\treturn r;\n}\n"),
    ),
    "array members of two struct locals": (
        (
            "int f(int v)\n"
            "{\n"
            "\tstruct s x = { 0 }, y = { 0 };\n"
            "\n"
            "\tx.arr[0] = 1;\n"
            "\ty.arr[0] = 2;\n"
            "\treturn x.arr[0];\n"
            "}\n"
        ),
        (
            "int f(int v)\n"
            "{\n"
            "\tstruct s x = { 0 }, y = { 0 };\n"
            "\n"
            "\tx.arr[0] = 1;\n"
            "\ty.arr[0] = 2;\n"
            "\treturn 2;\n"
            "}\n"
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(STRUCT_PAIRS))
def test_struct_whole_values_and_members_are_never_mixed_silently(name: str) -> None:
    before, after = STRUCT_PAIRS[name]
    assert verdict_of(before, after).verdict != "equivalent"
    assert tree_verdict(before, after) != "equivalent"


def test_scalar_brace_initialiser_holds_the_value() -> None:
    before = "int f(int a)\n{\n\tint x = { a };\n\treturn x;\n}\n"
    after = "int f(int a)\n{\n\tint x = { a };\n\treturn 0;\n}\n"
    assert verdict_of(before, after).verdict == "different"
    assert verdict_of(before, "int f(int a)\n{\n\treturn a;\n}\n").verdict == "equivalent"


def test_a_name_in_capitals_that_is_written_is_compared() -> None:
    before = "void f(int a)\n{\n\tMAXV = a;\n}\n"
    after = "void f(int a)\n{\n\tMAXV = a + 1;\n}\n"
    assert verdict_of(before, after).verdict == "different"


def test_untyped_outer_values_do_not_make_a_counterexample() -> None:
    """Patch alone, ``ref_count`` and ``map_count`` have no visible type (64-bit): the
    extracted helper's ``int`` parameters cut them to 32 bits. A difference that needs
    values no ``int`` can hold is not a counterexample (it was a false DIFFERENT)."""
    patch = Path(__file__).parents[2] / "fixtures/patches/kernel/rmap-extract-helper.patch"
    results = check_patches(from_patch_file(patch, None), Options(budget_s=10))
    verdicts = {r.function: r for r in results}
    assert verdicts["try_to_unmap_one"].verdict == "unknown"
    assert "do not fit in an int" in verdicts["try_to_unmap_one"].reason
