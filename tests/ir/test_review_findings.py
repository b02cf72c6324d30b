"""Review findings on the IR (build/canon/text): each test shows a lowering or printing
bug that makes semantically different C produce the same canonical IR, drops an effect,
or breaks the documented left-to-right evaluation rule. They fail today; each is marked
``xfail(strict=True)`` with the expected behaviour in ``reason``. Remove the marker when
the bug is fixed."""

from __future__ import annotations

import pytest

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


@pytest.mark.xfail(
    strict=True,
    reason="A statement expression whose last item is a nested statement expression "
    "(`({ a; ({ b; }); })`, e.g. per_cpu_ptr -> SHIFT_PERCPU_PTR -> RELOC_HIDE) gets "
    "value Const 0: _expr_Compound only takes the value of a last item in "
    "_EXPRESSION_NODES and the parser gives the inner ({...}) as a bare Compound. "
    "Expected: the value of the inner statement expression.",
)
def test_nested_statement_expression_value_is_kept() -> None:
    a = "int f(int c) { return ({ g(); ({ c + 1; }); }); }"
    b = "int f(int c) { return ({ g(); ({ c + 2; }); }); }"
    assert not gnu_same(a, b)
    ret = gnu_ir(a).blocks[0].terminator
    assert isinstance(ret, Return) and ret.value != Const("0")


@pytest.mark.xfail(
    strict=True,
    reason="A statement expression ending in a labelled expression statement "
    "(`({ ...; out: x; })`) gets value Const 0 (the Label is not an expression node). "
    "Expected: the value of the labelled expression.",
)
def test_labelled_last_statement_expression_value_is_kept() -> None:
    a = "int f(int c, int x) { return ({ if (c) goto out; x = 2; out: x; }); }"
    b = "int f(int c, int x) { return ({ if (c) goto out; x = 2; out: 0; }); }"
    assert not gnu_same(a, b)


# ------------------------------------------------------------ dropped declarations


@pytest.mark.xfail(
    strict=True,
    reason="__attribute__((cleanup(fn))) on a local (the kernel's __free()/guard()) "
    "is ignored: the call to fn(&var) at scope exit vanishes, so code with and "
    "without the cleanup (or with a different cleanup function) has the same IR. "
    "Expected: a Call fn(&local) on every edge leaving the scope, or the function "
    "marked unsupported.",
)
def test_cleanup_attribute_is_not_dropped() -> None:
    with_cleanup = "void f(void) { int *p __attribute__((cleanup(kfree_p))) = g(); h(p); }"
    other_cleanup = "void f(void) { int *p __attribute__((cleanup(put_p))) = g(); h(p); }"
    without = "void f(void) { int *p = g(); h(p); }"
    assert not gnu_same(with_cleanup, without)
    assert not gnu_same(with_cleanup, other_cleanup)


@pytest.mark.xfail(
    strict=True,
    reason="A static local's initializer and type are dropped (it becomes "
    "Global('f::static#N') and nothing else), so `static int x = 1` and "
    "`static int x = 2` (or `static char x`) give the same IR. Expected: the static's "
    "type and initializer are part of the graph and its canonical text.",
)
def test_static_local_initializer_and_type_matter() -> None:
    one = "int f(void) { static int x = 1; return x++; }"
    two = "int f(void) { static int x = 2; return x++; }"
    char = "int f(void) { static char x = 1; return x++; }"
    assert not same_shape(one, two)
    assert not same_shape(one, char)


# ------------------------------------------------------------ volatile accesses


@pytest.mark.xfail(
    strict=True,
    reason="A volatile read is an observable access, but expression statements with "
    "no call/assignment are discarded (`*(volatile int *)p;`, READ_ONCE(x); as a "
    "statement) and Branch(c, a, a) -> Jump drops a volatile read in c. Expected: "
    "volatile reads are kept (e.g. as an Assign to a temporary).",
)
def test_volatile_reads_are_not_dropped() -> None:
    empty = "int f(int *p) { return 0; }"
    stmt = "int f(int *p) { *(volatile int *)p; return 0; }"
    cond = "int f(int *p) { if (*(volatile int *)p) ; return 0; }"
    assert not same_shape(stmt, empty)
    assert not same_shape(stmt.replace("*(volatile int *)p;", "(void)*(volatile int *)p;"), empty)
    body = [line for line in canonical_text(ir_of(cond)).splitlines()[1:]]
    assert any("*" in line for line in body), "the volatile read in the condition vanished"


# ------------------------------------------------------------ asm


@pytest.mark.xfail(
    strict=True,
    reason='asm operand symbolic names ([a] "r"(x)) are dropped from AsmOperandIR, '
    "but the template refers to operands by them: swapping the names swaps the "
    "operands. Expected: the name is kept (and printed) in each operand.",
)
def test_asm_operand_names_matter() -> None:
    a = 'void f(int x, int y) { asm volatile("%[a] %[b]" : : [a] "r"(x), [b] "r"(y)); }'
    b = 'void f(int x, int y) { asm volatile("%[a] %[b]" : : [b] "r"(x), [a] "r"(y)); }'
    assert not gnu_same(a, b)


# ------------------------------------------------------------ canonical text


@pytest.mark.xfail(
    strict=True,
    reason="canonical_text prints region entries as `entry ?: bbN` without the label, "
    "so two regions whose labels sit on different blocks print the same when they "
    "define two or more labels (code outside jumping to `out` reaches different "
    "code). Expected: entries keep the label (as `exit goto L` does), to be matched "
    "through the label map.",
)
def test_region_entry_labels_are_distinguished() -> None:
    a = region_of("x = 0; err: x = 1; out: x = 2;")
    b = region_of("x = 0; out: x = 1; err: x = 2;")
    assert canonical_text(a) != canonical_text(b)


@pytest.mark.xfail(
    strict=True,
    reason="Globals print by source name and locals/params as vN/pN, so a global "
    "named v0 or p0 is indistinguishable from a local or parameter. Expected: a "
    "namespace that cannot collide (e.g. globals quoted or prefixed).",
)
def test_global_names_cannot_collide_with_canonical_names() -> None:
    glob = "int v0; int f(void) { int x = 0; return v0; }"
    local = "int v0; int f(void) { int x = 0; return x; }"
    assert not same_shape(glob, local)
    assert not same_shape(
        "int p0; int f(int a) { return p0; }", "int p0; int f(int a) { return a; }"
    )


@pytest.mark.xfail(
    strict=True,
    reason="expr_text prints Index(AddrOf(x), 1) and AddrOf(Index(x, 1)) both as "
    "`&x[1]` (_atom does not parenthesize AddrOf/Deref), so `(&x)[1]` (x + 4 ints "
    "for int x[4]) and `&x[1]` (x + 1) have the same canonical text. Expected: "
    "unambiguous printing.",
)
def test_addr_of_index_printing_is_unambiguous() -> None:
    assert not same_shape(
        "int x[4]; int *f(void) { return (&x)[1]; }", "int x[4]; int *f(void) { return &x[1]; }"
    )


# ------------------------------------------------------------ evaluation order


@pytest.mark.xfail(
    strict=True,
    reason="_stable() treats a Global like a constant, so `g - h()` reads g after the "
    "call, contrary to the documented left-to-right rule; in a region every outer "
    "local is a Global, so `v - h(&v)` reads v after h in region mode but before h "
    "in function mode. Expected: globals copied into a temporary before a later "
    "side effect (only enum constants/function names could be exempt).",
)
def test_global_read_left_of_a_call_is_stable() -> None:
    for g in (
        ir_of("int g; int f(void) { return g - h(); }"),
        region_of("x = v - h(&v);"),
    ):
        stmts = stmts_in_order(g)
        first = stmts[0]
        assert isinstance(first, Assign) and isinstance(first.value, Global), canonical_text(g)


@pytest.mark.xfail(
    strict=True,
    reason="`p->a += f()` reads p->a after f (Binary(op, target, value) is built after "
    "the call), while `p->a = p->a + f()` reads it before: the documented "
    "left-to-right rule says before in both. Expected: the compound target's old "
    "value is copied into a temporary before a right side with side effects.",
)
def test_compound_assignment_reads_target_before_call() -> None:
    g = ir_of("int f(struct s *p) { p->a += h(); return 0; }")
    stmts = stmts_in_order(g)
    call_at = next(i for i, s in enumerate(stmts) if isinstance(s, Call))
    reads = [s for s in stmts[:call_at] if isinstance(s, Assign) and isinstance(s.value, Field)]
    assert reads, canonical_text(g)


@pytest.mark.xfail(
    strict=True,
    reason="A callee expression (`p->ops->fn(h())`) is read after the arguments' side "
    "effects (_call does not stabilise it), contrary to left-to-right; h() may change "
    "p->ops. Expected: the callee is copied into a temporary when an argument has "
    "side effects.",
)
def test_callee_expression_read_before_argument_calls() -> None:
    g = ir_of("int f(struct s *p) { return p->ops->fn(h()); }")
    stmts = stmts_in_order(g)
    first = stmts[0]
    assert isinstance(first, Assign), canonical_text(g)


# ------------------------------------------------------------ address taken


@pytest.mark.xfail(
    strict=True,
    reason="_mark_address_taken only marks `&local`; `&a[0]`, `&s.f` and an array "
    "passed by decay (`g(a)`) leave the local unmarked although a call can now "
    "write it. Expected: the base local of the lvalue (and any array-typed local "
    "used as a value) is marked address-taken.",
)
def test_address_taken_through_index_field_and_decay() -> None:
    for code in (
        "int f(void) { int a[2]; a[0] = 1; g(&a[0]); return a[0]; }",
        "int f(void) { struct s st; st.x = 1; g(&st.x); return st.x; }",
        "int f(void) { int a[2]; a[0] = 1; g(a); return a[0]; }",
    ):
        g = ir_of(code)
        assert all(local.address_taken for local in g.locals if local.name), code
