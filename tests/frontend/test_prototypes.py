"""Declared parameter and return types read from a unit's file-scope declarations
(frontend/prototypes.py)."""

from __future__ import annotations

from equivcheck.frontend.prototypes import TYPEDEF, parameter_types, return_types

UNIT = """\
static inline void folio_put_refs(struct folio *folio, int refs)
{
\tif (refs) put(1);
}
extern int printk(const char *fmt, ...);
void plain(unsigned long, const int b, bool flag);
void mixed(struct range r, unsigned u, pgoff_t index, u8 v);
long none(void);
loff_t folio_pos(const struct folio *folio);
int table = lookup(3);
static void local_call(void) { int x = call_me(2); }
"""


def test_integer_parameters_are_read_with_or_without_names() -> None:
    found = parameter_types(UNIT, {"folio_put_refs", "plain", "mixed", "none"})
    assert found == {
        "folio_put_refs": (None, "int"),
        "plain": ("unsigned long", "int", "bool"),
        "mixed": (None, "unsigned int", None, "u8"),
        "none": (),
    }


def test_variadic_calls_and_expressions_are_not_prototypes() -> None:
    # printk's variable arguments are not converted; lookup(3) and call_me(2) are
    # calls, not declarations
    assert parameter_types(UNIT, {"printk", "lookup", "call_me"}) == {}


def test_declarations_that_disagree_give_nothing() -> None:
    unit = "void f(int a);\nvoid f(long a);\n"
    assert parameter_types(unit, {"f"}) == {}


def test_a_typedef_result_is_left_to_the_compiler() -> None:
    assert return_types(UNIT, {"folio_pos", "none"}) == {
        "folio_pos": f"{TYPEDEF}loff_t",
        "none": "long",
    }
