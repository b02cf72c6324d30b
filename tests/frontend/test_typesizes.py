"""Type sizes from the compiler (tree mode)."""

from __future__ import annotations

from equivcheck.frontend.unit.typesizes import offset_key, type_sizes

UNIT = """
struct small { char c; };
struct pair { long a; int b; };
typedef struct { unsigned long pte; } pte_t;
struct incomplete;
"""


def test_sizes_come_from_gcc() -> None:
    wanted = frozenset({"struct small", "struct pair", "pte_t", "int", "struct incomplete"})
    assert type_sizes(UNIT, wanted) == {
        "struct small": 1,
        "struct pair": 16,
        "pte_t": 8,
        "int": 4,
    }


def test_what_the_probe_cannot_name_is_left_out() -> None:
    assert type_sizes(UNIT, frozenset({"struct pair)[1]; int x[(1", "typeof(x)"})) == {}
    assert type_sizes("", frozenset({"struct pair"})) == {}


def test_a_unit_that_does_not_compile_gives_what_it_can() -> None:
    assert type_sizes(UNIT + "int broken(", frozenset({"struct pair"})) in ({}, {"struct pair": 16})


def test_member_offsets_come_from_gcc() -> None:
    wanted = frozenset({offset_key("struct pair", "b"), offset_key("struct pair", "a")})
    assert type_sizes(UNIT, wanted) == {
        offset_key("struct pair", "a"): 0,
        offset_key("struct pair", "b"): 8,
    }
    assert type_sizes(UNIT, frozenset({offset_key("struct pair", "nosuch")})) == {}
