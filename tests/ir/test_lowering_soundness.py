"""Soundness of lowering and printing: semantically different C must not give the
same canonical IR, no effect may be dropped, and the documented left-to-right
evaluation rule holds. Each test pins a bug found in review (statement-expression
values, cleanup attributes, static locals, volatile reads, asm operand names, region
labels, name collisions, ambiguous printing, evaluation order, address-taken marking)."""

from __future__ import annotations

from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionText
from equivcheck.ir.build import build_function
from equivcheck.ir.canon import canonicalize
from equivcheck.ir.model import Assign, Call, Const, Field, Global, Graph, Return, Stmt
from equivcheck.ir.text import canonical_text

from .helpers import ir_of, region_of, same_shape


def gnu_ir(text: str, typedefs: frozenset[str] = frozenset()) -> Graph:
    """Canonical IR of one function parsed with the GNU C layer."""
    func = FunctionText("f", "x.c", 1, text, typedefs)
    return canonicalize(build_function(gnuc.parse_function(func)))


def gnu_same(a: str, b: str) -> bool:
    return canonical_text(gnu_ir(a)) == canonical_text(gnu_ir(b))


def stmts_in_order(g: Graph) -> list[Stmt]:
    return [s for i in sorted(g.blocks) for s in g.blocks[i].stmts]


# ------------------------------------------------------------ statement expressions


def test_nested_statement_expression_value_is_kept() -> None:
    a = "int f(int c) { return ({ g(); ({ c + 1; }); }); }"
    b = "int f(int c) { return ({ g(); ({ c + 2; }); }); }"
    assert not gnu_same(a, b)
    ret = gnu_ir(a).blocks[0].terminator
    assert isinstance(ret, Return) and ret.value != Const("0")


def test_labelled_last_statement_expression_value_is_kept() -> None:
    a = "int f(int c, int x) { return ({ if (c) goto out; x = 2; out: x; }); }"
    b = "int f(int c, int x) { return ({ if (c) goto out; x = 2; out: 0; }); }"
    assert not gnu_same(a, b)


# ------------------------------------------------------------ dropped declarations


def test_cleanup_attribute_is_not_dropped() -> None:
    with_cleanup = "void f(void) { int *p __attribute__((cleanup(kfree_p))) = g(); h(p); }"
    other_cleanup = "void f(void) { int *p __attribute__((cleanup(put_p))) = g(); h(p); }"
    without = "void f(void) { int *p = g(); h(p); }"
    assert not gnu_same(with_cleanup, without)
    assert not gnu_same(with_cleanup, other_cleanup)


def test_static_local_initializer_and_type_matter() -> None:
    one = "int f(void) { static int x = 1; return x++; }"
    two = "int f(void) { static int x = 2; return x++; }"
    char = "int f(void) { static char x = 1; return x++; }"
    assert not same_shape(one, two)
    assert not same_shape(one, char)


# ------------------------------------------------------------ volatile accesses


def test_volatile_reads_are_not_dropped() -> None:
    empty = "int f(int *p) { return 0; }"
    stmt = "int f(int *p) { *(volatile int *)p; return 0; }"
    cond = "int f(int *p) { if (*(volatile int *)p) ; return 0; }"
    assert not same_shape(stmt, empty)
    assert not same_shape(stmt.replace("*(volatile int *)p;", "(void)*(volatile int *)p;"), empty)
    body = [line for line in canonical_text(ir_of(cond)).splitlines()[1:]]
    assert any("*" in line for line in body), "the volatile read in the condition vanished"


# ------------------------------------------------------------ asm


def test_asm_operand_names_matter() -> None:
    a = 'void f(int x, int y) { asm volatile("%[a] %[b]" : : [a] "r"(x), [b] "r"(y)); }'
    b = 'void f(int x, int y) { asm volatile("%[a] %[b]" : : [b] "r"(x), [a] "r"(y)); }'
    assert not gnu_same(a, b)


# ------------------------------------------------------------ canonical text


def test_region_entry_labels_are_distinguished() -> None:
    a = region_of("x = 0; err: x = 1; out: x = 2;")
    b = region_of("x = 0; out: x = 1; err: x = 2;")
    assert canonical_text(a) != canonical_text(b)


def test_global_names_cannot_collide_with_canonical_names() -> None:
    glob = "int v0; int f(void) { int x = 0; return v0; }"
    local = "int v0; int f(void) { int x = 0; return x; }"
    assert not same_shape(glob, local)
    assert not same_shape(
        "int p0; int f(int a) { return p0; }", "int p0; int f(int a) { return a; }"
    )


def test_addr_of_index_printing_is_unambiguous() -> None:
    assert not same_shape(
        "int x[4]; int *f(void) { return (&x)[1]; }", "int x[4]; int *f(void) { return &x[1]; }"
    )


# ------------------------------------------------------------ evaluation order


def test_global_read_left_of_a_call_is_stable() -> None:
    for g in (
        ir_of("int g; int f(void) { return g - h(); }"),
        region_of("x = v - h(&v);"),
    ):
        stmts = stmts_in_order(g)
        first = stmts[0]
        assert isinstance(first, Assign) and isinstance(first.value, Global), canonical_text(g)


def test_compound_assignment_reads_target_before_call() -> None:
    g = ir_of("int f(struct s *p) { p->a += h(); return 0; }")
    stmts = stmts_in_order(g)
    call_at = next(i for i, s in enumerate(stmts) if isinstance(s, Call))
    reads = [s for s in stmts[:call_at] if isinstance(s, Assign) and isinstance(s.value, Field)]
    assert reads, canonical_text(g)


def test_callee_expression_read_before_argument_calls() -> None:
    g = ir_of("int f(struct s *p) { return p->ops->fn(h()); }")
    stmts = stmts_in_order(g)
    first = stmts[0]
    assert isinstance(first, Assign), canonical_text(g)


# ------------------------------------------------------------ address taken


def test_address_taken_through_index_field_and_decay() -> None:
    for code in (
        "int f(void) { int a[2]; a[0] = 1; g(&a[0]); return a[0]; }",
        "int f(void) { struct s st; st.x = 1; g(&st.x); return st.x; }",
        "int f(void) { int a[2]; a[0] = 1; g(a); return a[0]; }",
    ):
        g = ir_of(code)
        assert all(local.address_taken for local in g.locals if local.name), code
