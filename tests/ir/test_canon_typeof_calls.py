"""``typeof`` of a call is the callee's declared result type (ir/canon.typeof_calls):
the kernel's ``alloc_hooks()`` declares its result variable as ``typeof(f(...))``."""

from __future__ import annotations

import pytest

from equivcheck.ir.canon import typeof_calls

RESULTS = {"filemap_alloc_folio_noprof": "struct folio *", "count": "unsigned int"}


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        (
            "typeof(filemap_alloc_folio_noprof(mapping_gfp_mask(%p1), @{unsigned int}))",
            "struct folio *",
        ),
        ("__typeof__(count((1), f(2)))", "unsigned int"),
        ("const typeof(count(1)) *", "const unsigned int *"),
        ("typeof(count(1)) a; typeof(count(2))", "unsigned int a; unsigned int"),
    ],
)
def test_a_typed_call_is_spelled_as_its_result(text: str, spelled: str) -> None:
    assert typeof_calls(RESULTS)(text) == spelled


@pytest.mark.parametrize(
    "text",
    [
        "typeof(unknown_fn(1))",  # (no declared result: left as written)
        "typeof(count(1) + 1)",  # (an expression over the call: its type is C's to say)
        "typeof(count(1)",  # (unbalanced)
        "typeof(%p1)",
    ],
)
def test_anything_else_is_left_alone(text: str) -> None:
    assert typeof_calls(RESULTS)(text) == text
