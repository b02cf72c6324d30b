"""Lines that name a function the input changes are part of the changed part, though
their text is the same (issue 11's regions; a caller's call means something else when
the callee changed), and light mode finds the macros that reach such a function."""

from __future__ import annotations

from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.source.light import macros_reaching
from equivcheck.frontend.source.textdiff import mentions, whole_function_regions

BEFORE = """int f(int a)
{
	int r = helper(a);

	/* helper( is named in a comment only */
	g(r);
	k(a);
	return r;
}
"""


def _sides(after: str) -> list[FunctionText]:
    return [FunctionText("f", "t.c", 1, text, frozenset()) for text in (BEFORE, after)]


def test_a_line_naming_a_changed_function_is_a_region() -> None:
    after = BEFORE.replace("k(a);", "k(a + 0);")
    sides = _sides(after)
    alone = whole_function_regions(sides[0], sides[1])
    assert alone is not None and [b.text.strip() for b, _ in alone] == ["k(a);"]
    touched = whole_function_regions(sides[0], sides[1], touched=frozenset({"helper"}))
    assert touched is not None
    shown = "\n".join(b.text for b, _ in touched)
    # (the two changes are close: one region may hold both)
    assert "int r = helper(a);" in shown and "k(a);" in shown


def test_a_comment_naming_a_changed_function_is_not_a_change() -> None:
    sides = _sides(BEFORE.replace("int r = helper(a);", "int r = 0;"))
    pairs = whole_function_regions(sides[0], sides[1], touched=frozenset({"helper"}))
    assert pairs is not None and [a.text.strip() for _, a in pairs] == ["int r = 0;"]


def test_unchanged_text_with_a_changed_callee_has_regions() -> None:
    sides = _sides(BEFORE)
    pairs = whole_function_regions(sides[0], sides[1], touched=frozenset({"helper"}))
    assert pairs is not None and [a.text.strip() for _, a in pairs] == ["int r = helper(a);"]


def test_mentions_count_code_only() -> None:
    assert mentions(BEFORE, frozenset({"helper"})) == 1
    assert mentions(BEFORE, frozenset({"help"})) == 0
    assert mentions(BEFORE, frozenset()) == 0


def test_macros_reaching_follow_macros_through_continuations() -> None:
    source = (
        "#define OUTER(x) \\\n\tINNER(x)\n"
        "#define INNER(y) helper(y)\n"
        "#define OTHER(z) g(z) /* helper */\n"
        "#define ALIAS helper\n"
    )
    assert macros_reaching(source, frozenset({"helper"})) == {"OUTER", "INNER", "ALIAS"}
    assert macros_reaching(source, frozenset({"nothing"})) == frozenset()
