"""Both whole texts known: only the changed part is compared, from an arbitrary state
that both versions share (issue 11). Names the part uses keep the meaning they have in
the whole function: a global stays a global (calls and other CPUs may change it)."""

from __future__ import annotations

import pytest

from equivcheck.equiv.check import FunctionResult, Options, check_patches
from equivcheck.frontend.model import FunctionChange, FunctionText
from equivcheck.frontend.workset import FunctionWork, PatchWork
from tests.equiv.engine import unit_verdict

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


def test_a_write_to_a_union_member_stays_undecided() -> None:
    before = "void f(struct v *q)\n{\n\tq->vm_flags = 1;\n\tuse(q->raw_flags);\n}"
    after = "void f(struct v *q)\n{\n\tuse(q->raw_flags);\n\tq->vm_flags = 1;\n}"
    assert unit_verdict(UNIONS, before, after, frozenset()) != "equivalent"


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
