"""``typeof`` spelled as the type it names (ir/canon.py resolve_typeof): of a cast, and
of 64-bit unsigned arithmetic, as the kernel's ALIGN()/PAGE_ALIGN_DOWN() write them."""

from __future__ import annotations

import pytest

from equivcheck.ir.canon import resolve_typeof
from equivcheck.ir.model import Graph, Param


def _spelled(text: str, names: dict[str, str] | None = None) -> str:
    graph = Graph(
        "f",
        "function",
        "t.c",
        [Param(0, "const char *", "uaddr"), Param(1, "size_t", "size"), Param(2, "void *", "p")],
        "int",
        {},
        0,
        outer_names=["len"],
    )
    graph.return_type = text
    return resolve_typeof(graph, names).return_type


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("typeof((unsigned long) uaddr)", "unsigned long"),
        ("typeof((int) x)", "int"),
        ("typeof(((unsigned long) @{char *}) + size)", "unsigned long"),
        ("typeof(((unsigned long) @{char *}) + 4096)", "unsigned long"),
        ("typeof((int) x << 3)", "int"),
        ("typeof((@{unsigned long} + (1UL << 12)) - ((1UL << 12) - 1))", "unsigned long"),
        ("typeof(@{unsigned long} - @{const unsigned long})", "unsigned long"),
    ],
)
def test_the_type_of_a_cast_or_of_unsigned_long_arithmetic(text: str, spelled: str) -> None:
    assert _spelled(text) == spelled


@pytest.mark.parametrize(
    "text",
    [
        "typeof((unsigned long) x + p)",  # a pointer operand: a pointer
        "typeof((u32) x + size)",  # u32 + size_t is size_t
        "typeof((char) x << 2)",  # a char is promoted to int
        "typeof((int) x + 1)",  # int + int stays int, but only the cast is known
        "typeof(1 << @{unsigned long})",  # the left operand's type: int
        "typeof(@{int} + 1)",
        "typeof((struct range) r)",
        "typeof(((unsigned long) @{char *}) + len)",  # len: an outer name, type unknown
    ],
)
def test_anything_else_stays_as_written(text: str) -> None:
    assert _spelled(text) == text


def test_a_region_s_outer_variable_counts_with_its_declared_type() -> None:
    text = "typeof(((unsigned long) @{char *}) + len)"
    assert _spelled(text, {"len": "size_t"}) == "unsigned long"
    assert _spelled(text, {"len": "char *"}) == text
