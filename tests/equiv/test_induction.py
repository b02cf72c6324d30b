"""The inductive loop rule: loops the canonical IR cannot match are proved EQUIVALENT
when every stretch between loop heads agrees from equal state; a loop that differs, or
whose proof would rest on something the rule cannot carry across a loop head, is never
EQUIVALENT."""

from __future__ import annotations

import pytest

from equivcheck.frontend.unit.prototypes import return_types
from equivcheck.ir.cuts import cut_label, cut_loops
from equivcheck.ir.liveness import live_in
from equivcheck.ir.model import Exit
from equivcheck.ir.text import canonical_text
from tests.equiv.engine import graph, verdict_of
from tests.equiv.test_review_soundness import tree_verdict

SUM_FOR = """int f(int *a, int n)
{
	int i, s = 0;
	for (i = 0; i < n; i++)
		s += a[i];
	return s;
}
"""

SUM_WHILE_SPLIT = """int f(int *a, int n)
{
	int i = 0, s = 0;
	while (i < n) {
		int v = a[i];
		s = s + v;
		i++;
	}
	return s;
}
"""

SKIP_CONTINUE = """void f(struct page **pages, int nr)
{
	int i, done = 0;
	for (i = 0; i < nr; i++) {
		if (!pages[i])
			continue;
		put_page(pages[i]);
		done++;
	}
	record(done);
}
"""

SKIP_NESTED = """void f(struct page **pages, int nr)
{
	int k, count = 0;
	for (k = 0; k < nr; k++) {
		if (pages[k]) {
			count++;
			put_page(pages[k]);
		}
	}
	record(count);
}
"""


def test_liveness_sees_loop_carried_locals() -> None:
    g = graph(SUM_FOR)
    [loop] = g.loops
    live = live_in(g)[loop.header]
    names = {g.locals[i].name for i in live}
    assert names == {"i", "s"}


def test_cut_graph_has_an_entry_and_exits_per_loop_head() -> None:
    g = graph(SUM_FOR)
    cut = cut_loops(g)
    assert not isinstance(cut, str)
    label = cut_label(1)
    assert label in cut.labels
    exits = [b for b in cut.blocks.values() if isinstance(b.terminator, Exit)]
    assert [b.terminator.label for b in exits] == [label]  # type: ignore[union-attr]
    assert {cut.locals[i].name for i in cut.cut_live[label]} == {"i", "s"}
    # every edge into the old head now leaves by the cut
    head = cut.labels[label]
    assert all(head not in cut.successors(b) for b in cut.blocks)


def test_loops_the_canonical_ir_cannot_match_are_proved_by_induction() -> None:
    assert canonical_text(graph(SUM_FOR)) != canonical_text(graph(SUM_WHILE_SPLIT))
    plain = verdict_of(SUM_FOR, SUM_WHILE_SPLIT)
    assert plain.verdict == "unknown" and "bound" in plain.reason
    proved = verdict_of(SUM_FOR, SUM_WHILE_SPLIT, induction=True)
    assert proved.verdict == "equivalent", proved.reason
    assert "inductive loop rule" in proved.reason


def test_continue_against_nested_if_with_renamed_locals() -> None:
    outcome = verdict_of(SKIP_CONTINUE, SKIP_NESTED, induction=True)
    assert outcome.verdict == "equivalent", outcome.reason
    assert "i~k" in outcome.reason and "done~count" in outcome.reason


MUTANTS = {
    "off by one": SUM_FOR.replace("i < n", "i <= n"),
    "skips the first": SUM_FOR.replace("i = 0;", "i = 1;"),
    "step of two": SUM_FOR.replace("i++", "i += 2"),
    "accumulates differently": SUM_FOR.replace("s += a[i]", "s ^= a[i]"),
    "reads uninitialised": SUM_FOR.replace("s = 0", "s"),
    "calls in the other order": SKIP_NESTED.replace(
        "count++;\n\t\t\tput_page(pages[k]);", "put_page(pages[k]);\n\t\t\tput_page(pages[k]);"
    ),
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_a_changed_loop_is_never_equivalent(name: str) -> None:
    base = SKIP_CONTINUE if "calls" in name else SUM_FOR
    outcome = verdict_of(base, MUTANTS[name], induction=True)
    assert outcome.verdict != "equivalent", outcome.reason


def test_both_versions_reading_an_uninitialised_local_in_a_loop_is_not_equivalent() -> None:
    before = SUM_FOR.replace("s = 0", "s")
    after = SUM_WHILE_SPLIT.replace("s = 0", "s")
    outcome = verdict_of(before, after, induction=True)
    assert outcome.verdict == "unknown"
    assert "uninitialised" in outcome.reason


def test_a_parameter_changed_differently_in_the_loop_is_not_equivalent() -> None:
    before = """int f(int *p, int n)
{
	int s = 0;
	while (n--)
		s += *p++;
	return s;
}
"""
    after = """int f(int *p, int n)
{
	int s = 0;
	for (; n > 0; n--) {
		s += *p;
		p++;
	}
	return s;
}
"""
    outcome = verdict_of(before, after, induction=True)
    assert outcome.verdict != "equivalent", outcome.reason


def test_same_parameter_updates_in_other_loop_forms_are_equivalent() -> None:
    before = """int f(int *p, unsigned int n)
{
	int s = 0;
	while (n) {
		s += *p;
		p++;
		n--;
	}
	return s;
}
"""
    after = """int f(int *p, unsigned int n)
{
	int s = 0;
	for (; n; n--, p++)
		s += *p;
	return s;
}
"""
    outcome = verdict_of(before, after, induction=True)
    assert outcome.verdict == "equivalent", outcome.reason


ADDRESS_TAKEN_LOOP = """int f(int *p, unsigned int n)
{
	int s = 0;
	while (n) {
		bump(&s);
		s += *p;
		p++;
		n--;
	}
	return s;
}
"""


def test_address_taken_local_paired_across_loop_heads() -> None:
    # s lives in memory (bump() is passed its address): paired by name between the
    # versions, it has one address in both, so equal memory at the loop head is an
    # equal s.
    after = """int f(int *p, unsigned int n)
{
	int s = 0;
	for (; n; n--, p++) {
		bump(&s);
		s += *p;
	}
	return s;
}
"""
    outcome = verdict_of(ADDRESS_TAKEN_LOOP, after, induction=True)
    assert outcome.verdict == "equivalent", outcome.reason
    assert "inductive loop rule" in outcome.reason and "&s" in outcome.reason


@pytest.mark.parametrize(
    "change",
    [
        ("s += *p;", "s += *p + 1;"),  # a different sum
        ("bump(&s);", "bump(&s);\n\t\ts++;"),  # written after the call
        ("int s = 0;", "int s = 0, t = 0;"),  # t takes the call instead of s:
    ],
)
def test_address_taken_local_in_a_loop_changed_is_not_equivalent(
    change: tuple[str, str],
) -> None:
    after = ADDRESS_TAKEN_LOOP.replace(*change)
    if change[0] == "int s = 0;":
        after = after.replace("bump(&s);", "bump(&t);")
    outcome = verdict_of(ADDRESS_TAKEN_LOOP, after, induction=True)
    assert outcome.verdict != "equivalent", outcome.reason


def test_loops_paired_in_order_must_match() -> None:
    before = """void f(int n)
{
	int i;
	for (i = 0; i < n; i++)
		a(i);
	for (i = 0; i < n; i++)
		b(i);
}
"""
    after = """void f(int n)
{
	int i;
	for (i = 0; i < n; i++)
		b(i);
	for (i = 0; i < n; i++)
		a(i);
}
"""
    outcome = verdict_of(before, after, induction=True)
    assert outcome.verdict != "equivalent"


DO_WHILE_BEFORE = """int f(struct page *page, int nr_pages)
{
	int first = 0;
	do {
		first += atomic_inc_and_test(&page->_mapcount);
	} while (page++, --nr_pages > 0);
	return first;
}
"""

DO_WHILE_AFTER = """int f(struct page *page, int nr_pages)
{
	int first = 0;
	do {
		if (atomic_inc_and_test(&page->_mapcount))
			first++;
		page++;
	} while (--nr_pages > 0);
	return first;
}
"""

PROTOTYPE = """# 1 "./include/linux/atomic/atomic-instrumented.h"
static inline __attribute__((__always_inline__)) bool
atomic_inc_and_test(atomic_t *v);
"""


def test_declared_bool_result_makes_the_rewrite_equivalent() -> None:
    """With the prototype at hand the call returns 0 or 1 and the rule proves the loops
    (the changed part is a region whose loop variables are outer variables: their
    declared types must also hold in the state compared at each call)."""
    assert tree_verdict(DO_WHILE_BEFORE, DO_WHILE_AFTER, unit=PROTOTYPE) == "equivalent"


def test_without_the_prototype_a_wider_result_tells_the_versions_apart() -> None:
    assert tree_verdict(DO_WHILE_BEFORE, DO_WHILE_AFTER) == "different"


def test_return_types_reads_integer_declarations_only() -> None:
    unit = PROTOTYPE + (
        "extern unsigned int count_it(int a);\n"
        "int *ptr_ret(void);\n"
        "void user(void) { int x = count_it(1); if (atomic_inc_and_test(0)) x++; }\n"
    )
    names = {"atomic_inc_and_test", "count_it", "ptr_ret", "user"}
    assert return_types(unit, names) == {"atomic_inc_and_test": "bool", "count_it": "unsigned int"}
