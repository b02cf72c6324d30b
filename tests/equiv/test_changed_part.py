"""Both whole texts known: only the changed part is compared, from an arbitrary state
that both versions share (issue 11). Names the part uses keep the meaning they have in
the whole function: a global stays a global (calls and other CPUs may change it)."""

from __future__ import annotations

import pytest

from equivcheck.equiv.check import FunctionResult, Options, check_patches
from equivcheck.frontend.model import FunctionChange, FunctionText
from equivcheck.frontend.workset import FunctionWork, PatchWork
from tests.equiv.engine import unit_result, unit_verdict

PRELUDE = """int counter;
void g(void);
void use(int v);

void f(int n)
{
	int i;

	for (i = 0; i < n; i++)
		use(i);
	{
%s
	}
	for (i = 0; i < n; i++)
		use(i + 1);
}
"""


def two_texts(before: str, after: str, first_line: int = 1) -> FunctionResult:
    """The verdict on two whole texts of ``f`` (light mode, as two files give)."""
    sides = [FunctionText("f", "t.c", first_line, text, frozenset()) for text in (before, after)]
    work = FunctionWork(FunctionChange("t.c", "f", "changed"), "light", sides[0], sides[1])
    [result] = check_patches([PatchWork("p", None, [work])], Options(budget_s=20))
    return result


def whole(before_part: str, after_part: str) -> FunctionResult:
    """The verdict on ``f`` whose middle block is ``before_part`` / ``after_part``."""
    body = PRELUDE.split("\n\n", 1)[1]
    return two_texts(body % before_part, body % after_part, 5)


def test_a_global_read_around_a_call_is_not_a_local() -> None:
    # As an outer local, counter would hold one value across g(): a - counter == 0.
    result = whole("\t\tint a = counter;\n\t\tg();\n\t\tuse(a - counter);", "\t\tg();\n\t\tuse(0);")
    assert result.verdict == "different", result.reason


def test_a_global_read_alike_is_proved_in_the_changed_part() -> None:
    result = whole(
        "\t\tint a = counter;\n\t\tg();\n\t\tuse(a - counter);",
        "\t\tint b = counter;\n\t\tg();\n\t\tuse(b - counter + 0);",
    )
    assert result.verdict == "equivalent", result.reason
    assert "changed part" in result.reason


def test_a_global_written_differently_is_not_equivalent() -> None:
    # (DIFFERENT needs the global's type: as a _Bool, 1 and 2 are the same)
    result = whole("\t\tcounter = 1;\n\t\tg();", "\t\tcounter = 2;\n\t\tg();")
    assert result.verdict != "equivalent", result.reason


def test_a_name_both_local_and_global_is_not_guessed() -> None:
    # ``counter`` is a local in the first loop's block and the global in the part.
    before = PRELUDE.split("\n\n", 1)[1] % "\t\tuse(counter);\n\t\tg();\n\t\tuse(counter);"
    before = before.replace("\t\tuse(i);", "\t{ int counter = i; use(counter); }", 1)
    after = before.replace("\t\tg();\n\t\tuse(counter);", "\t\tg();\n\t\tuse(counter + 0);")
    result = two_texts(before, after, 5)
    assert result.verdict == "equivalent", result.reason  # the whole function decides
    assert "changed part" not in result.reason


# ------------------------------------------------------------ address-taken locals

WALK = """void f(struct walk *q, int n)
{
	struct walk w;
	int i;

	start(&w);
	while (step(&w)) {
		for (i = 0; i < n; i++)
			use(i);
		{
%s
		}
		for (i = 0; i < n; i++)
			use(i + 1);
	}
}
"""


def walk(before_part: str, after_part: str) -> FunctionResult:
    """The verdict on ``f``, whose local ``w`` is passed to calls by address, with the
    block in its loop written ``before_part`` / ``after_part``."""
    return two_texts(WALK % before_part, WALK % after_part)


def test_an_address_taken_local_passed_to_a_call_is_proved_in_the_changed_part() -> None:
    result = walk(
        "\t\t\tif (w.pte && w.ok) {\n\t\t\t\tdone(&w);\n\t\t\t\treturn;\n\t\t\t}",
        "\t\t\tif (w.pte) {\n\t\t\t\tif (w.ok) {\n\t\t\t\t\tdone(&w);\n\t\t\t\t\treturn;\n"
        "\t\t\t\t}\n\t\t\t}",
    )
    assert result.verdict == "equivalent", result.reason
    assert "changed part" in result.reason


@pytest.mark.parametrize(
    ("before_part", "after_part"),
    [
        # any call may change it (its address was given away before the part)
        ("\t\t\tint a = w.pte;\n\t\t\tg();\n\t\t\tuse(a - w.pte);", "\t\t\tg();\n\t\t\tuse(0);"),
        # a pointer may point to it
        ("\t\t\tq->pte = 1;\n\t\t\tuse(w.pte);", "\t\t\tuse(w.pte);\n\t\t\tq->pte = 1;"),
        # the call it is passed to sees what the part wrote
        ("\t\t\tw.pte = 1;\n\t\t\tdone(&w);", "\t\t\tdone(&w);\n\t\t\tw.pte = 1;"),
        # what the part leaves in it is read later (step(&w))
        ("\t\t\tw.pte = 1;", "\t\t\tw.pte = 2;"),
        # through its address taken in the part
        (
            "\t\t\tint *p = &w.pte;\n\t\t\tuse(w.pte);\n\t\t\t*p = 5;\n\t\t\tuse(w.pte);",
            "\t\t\tint *p = &w.pte;\n\t\t\tint v = w.pte;\n\t\t\tuse(v);\n\t\t\t*p = 5;\n"
            "\t\t\tuse(v);",
        ),
    ],
)
def test_an_address_taken_local_is_memory_in_the_changed_part(
    before_part: str, after_part: str
) -> None:
    assert walk(before_part, after_part).verdict != "equivalent"


# ------------------------------------------------------- union members by struct type

UNIONS = """struct s { int mapcount; unsigned long vm_flags; };
struct v { union { unsigned long vm_flags; unsigned long raw_flags; }; int other; };
void use(unsigned long x);
"""


def test_a_member_its_struct_declares_directly_is_not_a_union_member() -> None:
    # vm_flags is a union member of struct v, a plain member of struct s
    before = "void f(struct s *p)\n{\n\tp->vm_flags = 1;\n\tp->mapcount = 2;\n}"
    after = "void f(struct s *p)\n{\n\tp->mapcount = 2;\n\tp->vm_flags = 1;\n}"
    assert unit_verdict(UNIONS, before, after, frozenset()) == "equivalent"


def test_a_write_to_a_union_member_moved_across_a_call_reading_another() -> None:
    before = "void f(struct v *q)\n{\n\tq->vm_flags = 1;\n\tuse(q->raw_flags);\n}"
    after = "void f(struct v *q)\n{\n\tuse(q->raw_flags);\n\tq->vm_flags = 1;\n}"
    assert unit_verdict(UNIONS, before, after, frozenset()) != "equivalent"


# --------------------------------------------------- union storage by layout (tree mode)

LAID_OUT = """struct list { struct list *next, *prev; };
struct item {
	unsigned long flags;
	union {
		struct list lru;
		struct { void *filler; unsigned int count; };
	};
	union { unsigned long whole; unsigned int half; unsigned char bytes[8]; } u;
	int other;
};
"""


def _returns(expression: str, before_first: str, after_first: str) -> tuple[str, str]:
    body = "unsigned long f(struct item *p, unsigned int n)\n{\n\t%s\n\treturn %s;\n}"
    return body % (before_first, expression), body % (after_first, expression)


def test_a_member_written_clobbers_the_one_sharing_its_bytes() -> None:
    # count lies over the low half of lru.prev: reading prev before or after differs
    before = (
        "unsigned long f(struct item *p, unsigned int n)\n{\n"
        "\tunsigned long prev = (unsigned long)p->lru.prev;\n"
        "\tp->count = n;\n\treturn prev;\n}"
    )
    after = (
        "unsigned long f(struct item *p, unsigned int n)\n{\n"
        "\tp->count = n;\n\treturn (unsigned long)p->lru.prev;\n}"
    )
    assert unit_verdict(LAID_OUT, before, after, frozenset()) == "different"


def test_the_clobbered_value_is_named_by_both_members() -> None:
    before = "void f(struct item *p, unsigned int n)\n{\n\tp->count = n;\n}"
    after = "void f(struct item *p, unsigned int n)\n{\n\tp->lru.prev = 0;\n\tp->count = n;\n}"
    result = unit_result(LAID_OUT, before, after)
    assert result.verdict == "different"
    assert "union storage at p->lru.prev" in result.reason, result.reason
    assert "shared with p->count" in result.reason, result.reason


def test_a_named_union_member_reached_by_its_path() -> None:
    # p->u.half is the low half of p->u.whole (false EQUIVALENT before layout)
    before, after = (
        "unsigned int f(struct item *p)\n{\n\tunsigned int x = p->u.half;\n"
        "\tp->u.whole = 1;\n\treturn x;\n}",
        "unsigned int f(struct item *p)\n{\n\tp->u.whole = 1;\n\treturn p->u.half;\n}",
    )
    assert unit_verdict(LAID_OUT, before, after, frozenset()) == "different"


def test_members_of_a_union_in_bytes_apart_are_apart() -> None:
    # flags and lru.next, count and other: writes to members that do not overlap commute
    before, after = _returns(
        "p->lru.next == 0",
        "p->count = n; p->flags = 1; p->other = 2;",
        "p->other = 2; p->flags = 1; p->count = n;",
    )
    assert unit_verdict(LAID_OUT, before, after, frozenset()) == "equivalent"


def test_a_member_reached_through_a_pointer_to_the_inner_struct() -> None:
    # &p->lru then ->prev is the bytes of p->lru.prev, which count overlaps
    before, after = _returns(
        "(unsigned long)l->prev",
        "struct list *l = &p->lru; p->count = n;",
        "struct list *l = &p->lru; p->count = n + 1;",
    )
    assert unit_verdict(LAID_OUT, before, after, frozenset()) == "different"
    same_before, same_after = _returns(
        "(unsigned long)l->prev + p->count",
        "struct list *l = &p->lru; p->count = n;",
        "p->count = n; struct list *l = &p->lru;",
    )
    assert unit_verdict(LAID_OUT, same_before, same_after, frozenset()) == "equivalent"


def test_an_array_member_of_a_union_is_not_laid_out_and_stays_undecided() -> None:
    # bytes[0] is the low byte of whole: a write through the array is not modelled
    before, after = _returns(
        "p->u.whole", "p->u.bytes[0] = 1; p->u.whole = 2;", "p->u.whole = 2; p->u.bytes[0] = 1;"
    )
    assert unit_verdict(LAID_OUT, before, after, frozenset()) != "equivalent"


def test_a_raw_value_read_as_a_named_enumerator() -> None:
    # an enumerator takes the compiler's value: 3 == LEVEL_C, whatever the engine's guess
    prelude = "enum level { LEVEL_A, LEVEL_B = 2, LEVEL_C };\n"
    before = "int f(int x)\n{\n\treturn x == LEVEL_C;\n}"
    after = "int f(int x)\n{\n\treturn x == 3;\n}"
    assert unit_verdict(prelude, before, after, frozenset()) == "equivalent"
    wrong = "int f(int x)\n{\n\treturn x == 2;\n}"
    assert unit_verdict(prelude, before, wrong, frozenset()) == "different"


def test_write_once_to_a_value_is_unknown_not_a_crash() -> None:
    # an argument swap the soundness sweep made of mm/swapfile.c: not C, never a traceback
    before = (
        "void f(struct s *si, int n)\n{\n\tWRITE_ONCE(si->inuse_pages, si->inuse_pages + n);\n}\n"
    )
    after = (
        "void f(struct s *si, int n)\n{\n\tWRITE_ONCE(si->inuse_pages + n, si->inuse_pages);\n}\n"
    )
    result = two_texts(before, after)
    assert result.verdict == "unknown" and "WRITE_ONCE" in result.reason


@pytest.mark.parametrize(
    ("query", "file_scope_answer"),
    [
        ("__builtin_offsetof(struct s, b)", "4"),
        ("sizeof(struct s)", "8"),
        ("_Alignof(struct s)", "4"),
    ],
)
def test_a_block_scope_struct_is_not_the_file_scope_one(query: str, file_scope_answer: str) -> None:
    # the compiler answers at file scope (struct s of ints); inside f struct s is longs
    code = (
        "unsigned long f(void)\n{\n\tstruct s { long a; long b; } v;\n\t(void)v;\n\treturn %s;\n}"
    )
    prelude = "struct s { int a; int b; };\n"
    verdict = unit_verdict(prelude, code % query, code % file_scope_answer, frozenset())
    assert verdict != "equivalent"
