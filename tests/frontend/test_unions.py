"""frontend/unit/unions.py: which structs a union may hold by value, whatever the typedef or
``typeof`` that names them (review stop 21b)."""

from __future__ import annotations

import pytest

from equivcheck.frontend.unit.unions import declared_names, plain_members, union_members

STRUCT_A = "struct A { unsigned int lo; unsigned int hi; };\n"


@pytest.mark.parametrize(
    ("declarations", "held"),
    [
        ("typedef struct A A_t, *A_p;\n", "A_t"),  # a declarator list
        ("typedef struct A A_arr[1];\n", "A_arr"),  # an array typedef
        ("typedef const struct A A_c;\n", "A_c"),  # qualified
        ("typedef struct A A_t;\ntypedef A_t B_t, C_t[2];\n", "C_t"),  # of a typedef, a list
        ("typedef __typeof__(struct A) T_t;\n", "T_t"),  # typeof in a typedef
        ("", "__typeof__(struct A)"),  # typeof in the union itself
        ("", "_Atomic(struct A)"),
        ("", "typeof(x)"),  # an expression's type: any struct
    ],
)
def test_a_struct_held_in_a_union_shares_its_members(declarations: str, held: str) -> None:
    unit = STRUCT_A + declarations + f"union u {{ {held} b; unsigned long raw; }};\n"
    assert {"lo", "hi"} <= union_members(unit)
    assert "struct A" not in plain_members(unit)


@pytest.mark.parametrize(
    ("declarations", "held"),
    [
        ("typedef struct A A_t, *A_p;\n", "A_p"),  # a pointer holds no struct
        ("", "struct A *"),
        ("", "typeof(unsigned long)"),
    ],
)
def test_a_pointer_or_scalar_in_a_union_does_not(declarations: str, held: str) -> None:
    unit = STRUCT_A + declarations + f"union u {{ {held} b; unsigned long raw; }};\n"
    assert not {"lo", "hi"} & union_members(unit)
    assert plain_members(unit)["struct A"] == {"lo", "hi"}


def test_an_anonymous_struct_typedef_list() -> None:
    unit = "typedef struct { int z; } anon_t, *anon_p;\nunion u { anon_t a; long r; };\n"
    assert "z" in union_members(unit)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (" A_t, *A_p, A_arr[N];", ["A_t", "A_arr"]),
        (" const B_t;", ["B_t"]),
        (" (*fn)(int, long), g_t __attribute__((aligned(8)));", ["g_t"]),
        (" long ul;", []),  # (a word of C's own is no name)
    ],
)
def test_declared_names(text: str, names: list[str]) -> None:
    assert declared_names(text, 0) == names
