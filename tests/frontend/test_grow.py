"""Growing the changed part of a function (issue 11): each step goes to the inside of
the block around it, then to that block's whole statement (with its ``else``
branches), until the function's own body, which is the whole function."""

from __future__ import annotations

from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.source.textdiff import whole_function_regions
from equivcheck.frontend.unit.unions import plain_members

BEFORE = """int f(int a, int n)
{
	int i, s = 0;

	for (i = 0; i < n; i++) {
		if (a > i) {
			s += 1;
		} else if (a == i) {
			s += 2;
			continue;
		} else {
			s += 3;
		}
		s++;
	}
	return s;
}
"""


def _regions(after: str, grow: int) -> list[str] | None:
    sides = [FunctionText("f", "t.c", 1, text, frozenset()) for text in (BEFORE, after)]
    pairs = whole_function_regions(sides[0], sides[1], grow)
    return None if pairs is None else [b.text.strip() for b, _ in pairs]


def test_steps_go_to_the_block_inside_then_the_statement_then_the_function() -> None:
    after = BEFORE.replace("\t\t\ts += 2;", "\t\t\ts += 1 + 1;")
    assert _regions(after, 0) == ["s += 2;"]
    assert _regions(after, 1) == ["s += 2;\n\t\t\tcontinue;"]
    grown = _regions(after, 2)
    assert grown is not None and len(grown) == 1
    assert grown[0].startswith("if (a > i) {") and grown[0].endswith("s += 3;\n\t\t}")
    body = _regions(after, 3)
    assert body is not None and body[0].startswith("if (a > i)") and body[0].endswith("s++;")
    assert _regions(after, 4) is not None  # the for statement
    assert _regions(after, 5) is None  # the function's body


def test_a_whole_loop_body_is_marked() -> None:
    after = BEFORE.replace("\t\t\ts += 2;", "\t\t\ts += 1 + 1;")
    sides = [FunctionText("f", "t.c", 1, text, frozenset()) for text in (BEFORE, after)]
    marks = []
    for grow in range(5):
        pairs = whole_function_regions(sides[0], sides[1], grow)
        assert pairs is not None
        marks.append([b.loop_body and a.loop_body for b, a in pairs])
    assert marks == [[False], [False], [False], [True], [False]]


def test_plain_members_leave_out_union_and_nested_members() -> None:
    unit = (
        "struct s { int x; union { long y; int z; }; struct { int q; } in; union u uu;\n"
        "\tint arr[3], b : 2; void (*fn)(int); const unsigned long *p; };\n"
        "struct t { int x; int y; };\nstruct t { int x; long w; };\n"
    )
    found = plain_members(unit)
    assert found["struct s"] == {"x", "arr", "b", "p"}
    assert found["struct t"] == {"x"}  # two definitions: the names both declare


def test_a_blank_line_between_header_and_brace_still_heads_the_function() -> None:
    # mm/mlock.c and mm/madvise.c write their walk callbacks so
    before = "static int g(int a,\n\t     int b)\n\n{\n\tint s = a;\n\n\ts += b;\n\treturn s;\n}\n"
    after = before.replace("\ts += b;", "\ts = s + b;")
    sides = [FunctionText("g", "t.c", 1, text, frozenset()) for text in (before, after)]
    pairs = whole_function_regions(sides[0], sides[1])
    assert pairs is not None
    assert [(b.text.strip(), a.text.strip()) for b, a in pairs] == [("s += b;", "s = s + b;")]
