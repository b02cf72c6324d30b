"""Hostile review of the changed-part rule with whole texts (two-file mode, tree mode):
globals of the function, label-ended regions, address-taken locals as outer objects,
growth to enclosing blocks, whole loop bodies (``continue`` as the end), union members
by struct type. Each pair below is semantically DIFFERENT unless its name says it is a
refactor; a pair the engine gets wrong is ``xfail(strict=True)`` asserting the right
answer, with the cause in its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.run import run
from tests.equiv.engine import unit_verdict


def two_file(tmp_path: Path, before: str, after: str) -> tuple[str, str]:
    """Verdict and reason for ``f`` from ``equivcheck check --before B --after A``."""
    (tmp_path / "b.c").write_text(before)
    (tmp_path / "a.c").write_text(after)
    result = run(
        "check", "--before", tmp_path / "b.c", "--after", tmp_path / "a.c", "--format", "json"
    )
    assert result.err == "", result.err
    [func] = [f for f in json.loads(result.out)["functions"] if f["function"] == "f"]
    return func["verdict"], func["reason"]


def filled(template: str, before_part: str, after_part: str) -> tuple[str, str]:
    return template.replace("@@", before_part), template.replace("@@", after_part)


# ---------------------------------------------------------------- whole loop bodies

# The line above the if's block starts with ``while`` and ends with ``{``, but the
# ``{`` opens the if's block, and use(i) follows the if inside the for body.
MISREAD_LOOP = """void use(int v);
int c(int i);
void f(int *p, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		while (p[i] > 0) p[i]--; if (c(i)) {
@@
		}
		use(i);
	}
}
"""


def test_a_block_after_a_one_line_loop_is_not_a_loop_body(tmp_path: Path) -> None:
    before, after = filled(MISREAD_LOOP, "\t\t\tuse(1);\n\t\t\tcontinue;", "\t\t\tuse(2 - 1);")
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


FOR_COMMA = """void use(int v);
int c(int i);
void f(int n)
{
	int i, j;

	for (i = 0, j = n; i < n; i++, j--) {
@@
	}
	use(j);
}
"""


def test_continue_as_the_loop_body_end_is_proved(tmp_path: Path) -> None:
    # a true refactor: the continue at the end of a whole loop body, written as an else
    before, after = filled(
        FOR_COMMA,
        "\t\tif (c(i)) {\n\t\t\tuse(i);\n\t\t\tcontinue;\n\t\t}\n\t\tuse(j);",
        "\t\tif (c(i)) {\n\t\t\tuse(i + 0);\n\t\t} else {\n\t\t\tuse(j);\n\t\t}",
    )
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict == "equivalent", reason
    assert "changed part" in reason


@pytest.mark.parametrize(
    ("template", "before_part", "after_part"),
    [
        # a dropped continue inside a whole for body (comma expressions in its head)
        (
            FOR_COMMA,
            "\t\tif (c(i)) {\n\t\t\tuse(i);\n\t\t\tcontinue;\n\t\t}\n\t\tuse(j);",
            "\t\tif (c(i))\n\t\t\tuse(i);\n\t\tuse(j);",
        ),
        # continue inside a switch that is not the end of the loop body
        (
            FOR_COMMA,
            "\t\tswitch (c(i)) {\n\t\tcase 1:\n\t\t\tuse(1);\n\t\t\tcontinue;\n\t\t}\n\t\tuse(2);",
            "\t\tswitch (c(i)) {\n\t\tcase 1:\n\t\t\tuse(1);\n\t\t\tbreak;\n\t\t}\n\t\tuse(2);",
        ),
    ],
)
def test_continue_in_a_loop_body_that_is_not_its_end(
    tmp_path: Path, template: str, before_part: str, after_part: str
) -> None:
    verdict, reason = two_file(tmp_path, *filled(template, before_part, after_part))
    assert verdict != "equivalent", reason


def test_continue_in_part_of_a_do_while_body(tmp_path: Path) -> None:
    template = """void use(int v);
int c(int i);
void f(int n)
{
	int i = 0;

	do {
		use(i);
		if (c(i)) {
@@
		}
		use(-i);
	} while (++i < n);
}
"""
    before, after = filled(template, "\t\t\tuse(1);\n\t\t\tcontinue;", "\t\t\tuse(2 - 1);")
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


def test_continue_from_the_switch_body_of_a_while(tmp_path: Path) -> None:
    # the region is the switch's body; continue skips i++ (the loop never ends)
    template = """void use(int v);
int c(int i);
void f(int n)
{
	int i = 0;

	while (i < n) {
		switch (c(i)) {
@@
		}
		use(-i);
		i++;
	}
}
"""
    before, after = filled(
        template,
        "\t\tcase 1:\n\t\t\tuse(1);\n\t\t\tcontinue;\n\t\tdefault:\n\t\t\tuse(2);",
        "\t\tcase 1:\n\t\t\tuse(2 - 1);\n\t\t\tbreak;\n\t\tdefault:\n\t\t\tuse(2);",
    )
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


# --------------------------------------------------------------------------- growth

TOGGLE_BEFORE = """void use(int v);
void f(int n, int x)
{
	while (n--) {
		if (n > 1) {
			x = ~x;
		}
		if (n > 2) {
			use(1);
		}
		use(3);
		use(x);
	}
}
"""


def test_a_span_that_swallows_two_grown_spans(tmp_path: Path) -> None:
    after = (
        TOGGLE_BEFORE.replace("\t\t\tx = ~x;\n", "")
        .replace("use(1);", "use(2 - 1);")
        .replace("use(3);", "use(4 - 1);")
    )
    verdict, reason = two_file(tmp_path, TOGGLE_BEFORE, after)
    assert verdict != "equivalent", reason


def test_two_grown_spans_that_merge(tmp_path: Path) -> None:
    # the same without the third change: two spans, merged properly
    before = TOGGLE_BEFORE.replace("\t\tuse(3);\n", "")
    after = before.replace("\t\t\tx = ~x;\n", "").replace("use(1);", "use(2 - 1);")
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict == "different", reason


def test_growth_over_a_goto_target(tmp_path: Path) -> None:
    template = """void use(int v);
int c(int i);
void f(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (c(i)) {
			use(i);
			if (c(-i))
				goto skip;
@@
		}
		use(n);
skip:
		use(-n);
	}
}
"""
    before, after = filled(template, "\t\t\tuse(1);", "\t\t\tuse(1);\n\t\t\tgoto skip;")
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


@pytest.mark.parametrize(
    "template",
    [
        "void use(int v);\nvoid f(int a)\n{\n\tint x;\n\n\tx = ({\n\t\tint t = a;\n"
        "\t\tt + @@;\n\t});\n\tuse(x);\n}\n",
        "void use(int v);\nvoid f(int a)\n{\n\tint x;\n\n\tif (a) {\n\t\tx = ({\n"
        "\t\t\tint t = a;\n\t\t\tuse(t);\n\t\t\tt + @@;\n\t\t});\n\t\tuse(x);\n\t}\n}\n",
    ],
)
def test_the_value_of_a_statement_expression(tmp_path: Path, template: str) -> None:
    # a region inside ({ ... }) must not lose the value of its last statement
    verdict, reason = two_file(tmp_path, *filled(template, "1", "2"))
    assert verdict != "equivalent", reason


def test_a_case_changed_in_a_switch_body(tmp_path: Path) -> None:
    # grown to the inside of the switch, the region is entered at ``case 2`` too
    template = """void use(int v);
void f(int n)
{
	if (n > 0) {
		switch (n) {
		case 1: {
			use(1);
			break;
		}
		case 2: {
			use(n);
			use(@@);
			break;
		}
		}
	}
}
"""
    verdict, reason = two_file(tmp_path, *filled(template, "2", "3"))
    assert verdict != "equivalent", reason


# Equal in every run (a == b, p == &x), but the part alone starts from any state: the
# difference is reported from a part although the start it needs is unreachable.
UNREACHABLE_START = """void use(int v);
void f(int n, int m)
{
	int a = n;
	int b = n;
	int x = 0;
	int *p = &x;

	if (m) {
@@
	}
}
"""


def test_a_difference_that_needs_an_unreachable_start(tmp_path: Path) -> None:
    verdict, reason = two_file(tmp_path, *filled(UNREACHABLE_START, "\t\tuse(a);", "\t\tuse(b);"))
    assert verdict != "different", reason


def test_a_write_through_the_pointer_to_an_outer_object(tmp_path: Path) -> None:
    verdict, reason = two_file(
        tmp_path,
        *filled(UNREACHABLE_START, "\t\t*p = 3;\n\t\tuse(x);", "\t\tx = 3;\n\t\tuse(x);"),
    )
    assert verdict != "different", reason


# ------------------------------------------------------------------- labels


def test_two_labels_swapped(tmp_path: Path) -> None:
    body = """void use(int v);
void f(int n)
{
	if (n == 1)
		goto a;
	if (n == 2)
		goto b;
	use(0);
%s:
	use(1);
%s:
	use(2);
}
"""
    verdict, reason = two_file(tmp_path, body % ("a", "b"), body % ("b", "a"))
    assert verdict != "equivalent", reason


@pytest.mark.parametrize(
    ("before_part", "after_part"),
    [
        # the label moves below the statement it labelled: a goto now skips it
        ("\tuse(0);\na:\n\tuse(1);\n", "\tuse(0);\n\tuse(1);\na:\n"),
        # the label moves above an assignment: a goto now runs it
        ("\tuse(0);\n\tx = 1;\na:\n\tuse(x);\n", "\tuse(0);\na:\n\tx = 1;\n\tuse(x);\n"),
    ],
)
def test_a_label_that_moves(tmp_path: Path, before_part: str, after_part: str) -> None:
    template = """void use(int v);
void f(int n, int x)
{
	if (n)
		goto a;
@@	if (n == 3)
		use(x);
}
"""
    verdict, reason = two_file(tmp_path, *filled(template, before_part, after_part))
    assert verdict != "equivalent", reason


def test_a_label_renamed_while_a_goto_is_retargeted(tmp_path: Path) -> None:
    template = """void use(int v);
void f(int n)
{
	if (n > 3)
		goto @@;
	use(0);
%s:
	use(1);
err:
	use(2);
	if (n > 7)
		goto err;
}
"""
    before, after = filled(template, "out", "err")
    verdict, reason = two_file(tmp_path, before % "out", after % "done")
    assert verdict != "equivalent", reason


def test_a_ternary_line_that_looks_like_a_label(tmp_path: Path) -> None:
    # ``a : b;`` matches the label pattern of fragments.py; it must not end a region as one
    template = """void use(int v);
void f(int n, int a, int b)
{
	int x = 0;

	if (a > b) {
		x = n ?
			@@;
	}
	use(x);
}
"""
    verdict, reason = two_file(tmp_path, *filled(template, "a : b", "b : a"))
    assert verdict != "equivalent", reason


def test_a_label_moved_in_a_loop_body(tmp_path: Path) -> None:
    template = """void lock(int v);
void unlock(int v);
int allow(int v);
void f(int n, int locked)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!allow(i))
			goto next_entry;

@@		if (locked)
			lock(i);
		else
			unlock(i);

@@		i += 1;
	}
}
"""
    parts = template.split("@@")
    before = parts[0] + parts[1] + "next_entry:\n" + parts[2]
    after = parts[0] + "next_entry:\n" + parts[1] + parts[2]
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


MLOCK_LABEL = "\n".join(
    [
        "--- a/mm/mlock.c",
        "+++ b/mm/mlock.c",
        "@@ -393,12 +393,12 @@ static int mlock_pte_range(pmd_t *pmd, unsigned long addr,",
        " \t\tif (!allow_mlock_munlock(folio, vma, start, end, step))",
        " \t\t\tgoto next_entry;",
        " ",
        "+next_entry:",
        " \t\tif (vma->vm_flags & VM_LOCKED)",
        " \t\t\tmlock_folio(folio);",
        " \t\telse",
        " \t\t\tmunlock_folio(folio);",
        " ",
        "-next_entry:",
        " \t\tpte += step - 1;",
        " \t\taddr += (step - 1) << PAGE_SHIFT;",
        " \t}",
        "",
    ]
)


def test_a_label_moved_in_6_12_mlock_pte_range(kernel_tree: Path, tmp_path: Path) -> None:
    # tree mode; the function's header has a blank line before its brace (9fd7d4a)
    patch = tmp_path / "mlock-label.patch"
    patch.write_text(MLOCK_LABEL)
    result = run("check", "--tree", kernel_tree, patch, "--format", "json")
    assert result.err == "", result.err
    [func] = json.loads(result.out)["functions"]
    assert func["function"] == "mlock_pte_range"
    assert func["verdict"] != "equivalent", func["reason"]


# ------------------------------------------------------------------ globals, statics

LOOP_PART = """void g(void);
void keep(int *p);
void use(int v);
int counter;
void f(int n, int m)
{
%s	int i;

%s	for (i = 0; i < m; i++) {
		if (i > 2) {
@@
		}
		use(i);
	}
}
"""

READ_AROUND_A_CALL = ("\t\t\tint a = @;\n\t\t\tg();\n\t\t\tuse(a);", "\t\t\tg();\n\t\t\tuse(@);")


def around_a_call(name: str, declare: str = "", first: str = "") -> tuple[str, str]:
    """``f`` reading ``name`` before a call (before) or after it (after)."""
    template = LOOP_PART % (declare, first)
    return filled(template, *(part.replace("@", name) for part in READ_AROUND_A_CALL))


@pytest.mark.parametrize(
    ("name", "declare", "first"),
    [
        ("counter", "\textern int counter;\n", ""),  # a block-scope extern is the global
        ("w", "\tint w = 0;\n\tint *p = &w;\n", "\tkeep(p);\n"),  # its address in a pointer
        # its address stored (in a pointer the function keeps), then only its copy passed
        ("v", "\tint v = 0;\n\tint *q;\n", "\tq = &v;\n\tkeep(q);\n"),
        ("u", "\tint u = 0;\n", "\tkeep(1 ? &u : 0);\n"),  # chosen by a ternary
    ],
)
def test_a_value_a_call_may_change(tmp_path: Path, name: str, declare: str, first: str) -> None:
    verdict, reason = two_file(tmp_path, *around_a_call(name, declare, first))
    assert verdict != "equivalent", reason


def test_a_confined_local_read_around_a_call_not_passed_it(tmp_path: Path) -> None:
    # x's address goes only to keep(), which does not keep it (assumption A9): g(),
    # which is not passed it, cannot change x -- in tree mode, where every macro is
    # expanded; without the tree keep() might be a macro doing anything with x.
    before, after = around_a_call("x", "\tint x = 0;\n", "\tkeep(&x);\n")
    prelude = before[: before.index("void f(")]
    body_b, body_a = before[len(prelude) :], after[len(prelude) :]
    assert unit_verdict(prelude, body_b, body_a, frozenset()) == "equivalent"
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


def test_a_confined_local_read_around_a_call_passed_it(tmp_path: Path) -> None:
    # the call between the two reads is passed x's address: it may change x
    template = LOOP_PART.replace("void g(void);", "void g(int *p);") % (
        "\tint x = 0;\n",
        "\tkeep(&x);\n",
    )
    parts = ("\t\t\tint a = x;\n\t\t\tg(&x);\n\t\t\tuse(a);", "\t\t\tg(&x);\n\t\t\tuse(x);")
    verdict, reason = two_file(tmp_path, *filled(template, *parts))
    assert verdict != "equivalent", reason


def test_an_address_taken_parameter_read_around_a_call(tmp_path: Path) -> None:
    before, after = around_a_call("m", first="\tkeep(&m);\n")
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


def test_a_parameter_that_shadows_a_global_is_proved(tmp_path: Path) -> None:
    # a true refactor: the parameter ``counter`` hides the global, no call reaches it
    before, after = around_a_call("counter")
    before = before.replace("int n, int m", "int counter, int m")
    after = after.replace("int n, int m", "int counter, int m")
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict == "equivalent", reason
    assert "changed part" in reason


def test_a_local_that_shadows_the_global_elsewhere(tmp_path: Path) -> None:
    before, after = around_a_call("counter", first="\t{ int counter = n; use(counter); }\n")
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


@pytest.mark.parametrize(
    ("before_part", "after_part"),
    [
        # the global written through a pointer to it
        (
            "\t\t\tuse(counter);\n\t\t\t*p = 1;\n\t\t\tuse(counter);",
            "\t\t\tint t = counter;\n\t\t\tuse(t);\n\t\t\t*p = 1;\n\t\t\tuse(t);",
        ),
        (
            "\t\t\tint t = counter;\n\t\t\t*p = 1;\n\t\t\tuse(t - counter);",
            "\t\t\t*p = 1;\n\t\t\tuse(0);",
        ),
    ],
)
def test_a_global_written_through_a_pointer(
    tmp_path: Path, before_part: str, after_part: str
) -> None:
    template = LOOP_PART % ("\tint *p = &counter;\n", "")
    verdict, reason = two_file(tmp_path, *filled(template, before_part, after_part))
    assert verdict != "equivalent", reason


# ---------------------------------------------------------- address-taken locals

OBJECTS = """struct walk { int pte; int ok; };
struct holder { int *ptr; struct walk *wp; };
void g(void);
void use(int v);
void f(struct holder *q, int n)
{
	struct walk w;
	struct walk *pw = &w;
	int x = 0;
	int *p = &x;
	int i;

	q->ptr = &x;
	q->wp = &w;
	for (i = 0; i < n; i++) {
		if (i > 2) {
@@
		}
		use(i);
	}
}
"""


@pytest.mark.parametrize(
    ("before_part", "after_part"),
    [
        # its address stored in a struct field before the part: any call may change it
        ("\t\t\tint a = x;\n\t\t\tg();\n\t\t\tuse(a);", "\t\t\tg();\n\t\t\tuse(x);"),
        # written through a pointer to it made before the part
        (
            "\t\t\tuse(w.pte);\n\t\t\tpw->pte = 1;\n\t\t\tuse(w.pte);",
            "\t\t\tint t = w.pte;\n\t\t\tuse(t);\n\t\t\tpw->pte = 1;\n\t\t\tuse(t);",
        ),
        (
            "\t\t\tuse(x);\n\t\t\t*p = 1;\n\t\t\tuse(x);",
            "\t\t\tint t = x;\n\t\t\tuse(t);\n\t\t\t*p = 1;\n\t\t\tuse(t);",
        ),
        # through the pointer the struct field holds
        (
            "\t\t\tuse(x);\n\t\t\t*q->ptr = 1;\n\t\t\tuse(x);",
            "\t\t\tint t = x;\n\t\t\tuse(t);\n\t\t\t*q->ptr = 1;\n\t\t\tuse(t);",
        ),
        (
            "\t\t\tuse(w.ok);\n\t\t\tq->wp->ok = 1;\n\t\t\tuse(w.ok);",
            "\t\t\tint t = w.ok;\n\t\t\tuse(t);\n\t\t\tq->wp->ok = 1;\n\t\t\tuse(t);",
        ),
        # read through the pointer after the part writes it
        ("\t\t\tx = 1;\n\t\t\tuse(*p);", "\t\t\tx = 2;\n\t\t\tuse(*p);"),
    ],
)
def test_an_outer_object_reached_another_way(
    tmp_path: Path, before_part: str, after_part: str
) -> None:
    verdict, reason = two_file(tmp_path, *filled(OBJECTS, before_part, after_part))
    assert verdict != "equivalent", reason


def test_an_array_local_given_away(tmp_path: Path) -> None:
    verdict, reason = two_file(
        tmp_path, *around_a_call("buf[0]", "\tint buf[4];\n", "\tkeep(buf);\n")
    )
    assert verdict != "equivalent", reason


def test_a_static_local_read_around_a_recursive_call(tmp_path: Path) -> None:
    # the call is f itself, which changes the static local
    before, after = around_a_call("s", "\tstatic int s;\n")
    before, after = (text.replace("g();", "f(n, m - 1);") for text in (before, after))
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


# ----------------------------------------------------- union members by struct type

INNER = "long f(struct outer *o, struct inner *p)\n{\n%s}"
ALIASED = (
    INNER % "\tlong r = o->raw;\n\tp->a = 1;\n\treturn r - o->raw;\n",
    INNER % "\tlong r = o->raw;\n\tp->a = 1;\n\treturn 0;\n",
)


def test_a_struct_defined_inside_a_union() -> None:
    prelude = "struct outer { union { struct inner { int a; int b; } in; long raw; }; };\n"
    assert unit_verdict(prelude, *ALIASED, frozenset()) != "equivalent"


def test_a_struct_placed_in_a_union() -> None:
    prelude = (
        "struct inner { int a; int b; };\nstruct outer { union { struct inner in; long raw; }; };\n"
    )
    assert unit_verdict(prelude, *ALIASED, frozenset()) != "equivalent"


# ----------------------------------------------------------------- volatile globals

VOLATILE_READS = (
    "\tuse(1);\n\t{type} a = {name};\n\t{type} b = {name};\n\tuse(b - a);\n",
    "\tuse(1);\n\tuse(0);\n",
)


def test_a_volatile_global_read_twice(tmp_path: Path) -> None:
    before, after = (
        "volatile int counter;\nvoid use(int v);\nvoid f(void)\n{\n"
        + part.replace("{type}", "int").replace("{name}", "counter")
        + "}\n"
        for part in VOLATILE_READS
    )
    verdict, reason = two_file(tmp_path, before, after)
    assert verdict != "equivalent", reason


def test_jiffies_read_twice() -> None:
    prelude = "extern unsigned long volatile jiffies;\nvoid use(unsigned long v);\n"
    before, after = (
        "void f(void)\n{\n"
        + part.replace("{type}", "unsigned long").replace("{name}", "jiffies")
        + "}"
        for part in VOLATILE_READS
    )
    assert unit_verdict(prelude, before, after, frozenset()) != "equivalent"
