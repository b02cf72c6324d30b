"""ir/escape.py: which address-taken locals keep their address to themselves."""

from __future__ import annotations

import functools

import pytest

from equivcheck.frontend.unit.unions import holds_array
from equivcheck.ir.escape import Callees, confined_locals
from equivcheck.ir.model import Graph
from tests.equiv.engine import graph as gnu_graph

from .helpers import ir_of

DECLS = """struct walk { unsigned long address; int *pte; struct walk *next; };
int walk_next(struct walk *w);
void use(unsigned long v);
void stash(struct walk *w);
struct walk *saved;
"""


def confined_names(
    code: str, helpers: dict[str, Graph] | None = None, passing: str = ""
) -> set[str]:
    graph = ir_of(DECLS + code, "f")
    callees = Callees(
        helpers or {},
        frozenset(passing.split()) if passing else frozenset(),
        holds_array=functools.partial(holds_array, DECLS),
    )
    return {graph.locals[i].name for i in confined_locals(graph, callees)}


def helper(code: str, name: str) -> dict[str, Graph]:
    return {name: ir_of(DECLS + code, name)}


def test_address_only_passed_to_calls_is_confined() -> None:
    code = (
        "void f(void) { struct walk w; unsigned long a;"
        " while (walk_next(&w)) { a = w.address; use(a); } }"
    )
    assert confined_names(code) == {"w"}


def test_a_member_address_passed_is_confined() -> None:
    code = "void f(void) { struct walk w; walk_next((struct walk *)&w.address); }"
    assert confined_names(code) == {"w"}


@pytest.mark.parametrize(
    "body",
    [
        "struct walk *p = &w; walk_next(p);",  # copied into a pointer
        "saved = &w;",  # stored in a global
        "walk_next(1 ? &w : 0);",  # chosen by a ternary
        "walk_next(&w + 1);",  # arithmetic on it
        "w.next = &w; walk_next(&w);",  # stored in itself
    ],
)
def test_address_stored_or_computed_is_not_confined(body: str) -> None:
    assert confined_names(f"void f(void) {{ struct walk w; {body} }}") == set()


def test_returned_address_is_not_confined() -> None:
    assert (
        confined_names("struct walk *f(void) { static int n; struct walk w; return &w; }") == set()
    )


def test_a_call_that_may_return_its_argument_does_not_confine() -> None:
    code = "void f(void) { struct walk w; walk_next(&w); }"
    assert confined_names(code, passing="walk_next") == set()


def test_array_local_is_not_confined() -> None:
    assert (
        confined_names(
            "void f(void) { int buf[4]; use(buf[0]); walk_next((struct walk *)&buf[1]); }"
        )
        == set()
    )


def test_helper_that_only_dereferences_confines() -> None:
    helpers = helper(
        "static void done(struct walk *p) { if (p->pte) use(p->address); walk_next(p); }", "done"
    )
    assert confined_names("void f(void) { struct walk w; done(&w); }", helpers) == {"w"}


@pytest.mark.parametrize(
    "body",
    [
        "saved = p;",  # stores its parameter
        "p->next = p;",  # stores it in the object itself
        "stash(p + 0);",  # arithmetic before passing it on
        "p = p->next; use(p->address);",  # reassigns the parameter
    ],
)
def test_helper_that_keeps_its_parameter_does_not_confine(body: str) -> None:
    helpers = helper(f"static void keep(struct walk *p) {{ {body} }}", "keep")
    assert confined_names("void f(void) { struct walk w; keep(&w); }", helpers) == set()


def test_helper_passing_on_to_a_keeping_helper_does_not_confine() -> None:
    helpers = {
        **helper("static void inner(struct walk *p) { saved = p; }", "inner"),
        **helper(
            "static void inner(struct walk *p);\nstatic void outer(struct walk *p) { inner(p); }",
            "outer",
        ),
    }
    assert confined_names("void f(void) { struct walk w; outer(&w); }", helpers) == set()


def test_recursive_helper_is_judged_by_its_uses() -> None:
    helpers = helper(
        "static void rec(struct walk *p) { if (p->pte) rec(p); use(p->address); }", "rec"
    )
    assert confined_names("void f(void) { struct walk w; rec(&w); }", helpers) == {"w"}


def test_a_struct_holding_an_array_is_not_confined() -> None:
    # x.arr decays to a pointer into x without any &: wherever it goes, x may follow
    code = (
        "struct box { int arr[2]; int a; };\n"
        "void f(void) { struct box x; walk_next((struct walk *)&x); }"
    )
    assert confined_names(code) == set()


def test_a_helper_taking_the_address_of_its_parameter_does_not_confine() -> None:
    helpers = helper(
        "void show(struct walk **pp);\nstatic void hand(struct walk *p) { show(&p); }", "hand"
    )
    assert confined_names("void f(void) { struct walk w; hand(&w); }", helpers) == set()


def test_a_call_through_a_pointer_does_not_confine() -> None:
    code = "void f(void (*fn)(struct walk *)) { struct walk w; fn(&w); }"
    assert confined_names(code) == set()


def test_a_function_returning_its_argument_does_not_confine() -> None:
    code = (
        "void *memset(void *s, int c, unsigned long n);\n"
        "void f(void) { struct walk w; memset(&w, 0, 8); }"
    )
    assert confined_names(code) == set()


def test_a_construct_kept_as_text_confines_nothing() -> None:
    # an asm register variable is a construct the IR does not model: what it does with
    # addresses is not seen
    code = 'void f(void) { register long r asm("rdi") = 0; struct walk w; walk_next(&w); use(r); }'
    g = gnu_graph(DECLS + code, "f")
    assert g.unsupported
    callees = Callees({}, holds_array=functools.partial(holds_array, DECLS))
    assert confined_locals(g, callees) == frozenset()
    plain = gnu_graph(DECLS + code.replace('register long r asm("rdi") = 0;', "long r = 0;"), "f")
    assert {plain.locals[i].name for i in confined_locals(plain, callees)} == {"w"}
