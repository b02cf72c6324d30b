"""A changed part reads ``name(...)`` as a call of the function ``name``; where the
function declares a parameter or local so named (a function pointer), the call is
through it, and neither the file's function's declared result type nor ``typeof`` of
a call of it says anything about the pointer's. Both gave a false EQUIVALENT before
(the declared type was wider than the pointer's result)."""

from __future__ import annotations

import pytest

from tests.equiv.test_review_soundness import tree_verdict

POINTER_PARAM = """int f({decl}, int n)
{{
	int r = 0;
	if (n > 3) {{
		BODY
	}}
	return r;
}}
"""
POINTER_LOCAL = """int f(int n)
{{
	{decl} = 0;
	int r = 0;
	if (n > 3) {{
		BODY
	}}
	return r;
}}
"""


def _verdict(shape: str, decl: str, unit: str, before: str, after: str) -> str:
    code = shape.format(decl=decl)
    a, b = code.replace("BODY", before), code.replace("BODY", after)
    return tree_verdict(a, b, unit=unit + a)


@pytest.mark.parametrize("shape", [POINTER_PARAM, POINTER_LOCAL], ids=["param", "local"])
def test_a_call_through_a_pointer_is_not_typed_by_the_function_of_that_name(shape: str) -> None:
    # count() of the file returns unsigned char; the pointer returns int: & 0xff
    # changes what r gets
    verdict = _verdict(
        shape,
        "int (*count)(int)",
        "unsigned char count(int a);\n",
        "r = count(n);",
        "r = count(n) & 0xff;",
    )
    assert verdict == "different"


@pytest.mark.parametrize("shape", [POINTER_PARAM, POINTER_LOCAL], ids=["param", "local"])
def test_typeof_a_call_through_a_pointer_is_not_the_function_s_result(shape: str) -> None:
    # typeof(count(1)) is unsigned char (the pointer's), not long: x holds 44, not 300
    verdict = _verdict(
        shape,
        "unsigned char (*count)(int)",
        "long count(int a);\n",
        "typeof(count(1)) x = 300;\n\t\tr = x + count(n);",
        "r = 300 + count(n);",
    )
    assert verdict != "equivalent"
