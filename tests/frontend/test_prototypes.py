"""Declared parameter and return types read from a unit's file-scope declarations
(frontend/unit/prototypes.py)."""

from __future__ import annotations

from equivcheck.frontend.unit.prototypes import (
    TYPEDEF,
    Declaration,
    declarations,
    parameter_types,
    return_types,
)

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


def test_declarations_are_read_as_written() -> None:
    unit = (
        "#define X 1\n"
        "static inline bool __attribute__((always_inline))\n"
        "folio_ok(const struct folio *folio, int nr)\n{\n\treturn use(folio, nr);\n}\n"
        "extern void _printk(const char *fmt, ...);\n"
        "void __attribute__((__noreturn__)) panic_now(const char *why);\n"
        "void later(void) __attribute__((noreturn));\n"
        "long none(void);\n"
    )
    [ok] = declarations(unit, "folio_ok")
    assert ok == Declaration("static inline bool", ("const struct folio *folio", "int nr"))
    [printk] = declarations(unit, "_printk")
    assert printk.variadic and printk.params == ("const char *fmt",)
    assert declarations(unit, "panic_now")[0].noreturn
    assert declarations(unit, "later")[0].noreturn
    assert declarations(unit, "none") == (Declaration("long", ()),)
    # a call in a body, and a name never declared, give nothing
    assert declarations(unit, "use") == ()
    assert declarations(unit, "missing") == ()


def test_only_file_scope_declarations_count() -> None:
    unit = "int f(void)\n{\n\tlong g(int a);\n\treturn g(1);\n}\nint g(int a);\n"
    assert declarations(unit, "g") == (Declaration("int", ("int a",)),)
