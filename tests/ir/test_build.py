"""The IR builder: lowering of statements and expressions."""

from __future__ import annotations

import pytest

from equivcheck.errors import UnsupportedConstruct
from equivcheck.ir.model import (
    Assign,
    Binary,
    Branch,
    Call,
    Deref,
    Exit,
    Field,
    Jump,
    Local,
    Param,
    Return,
    Switch,
    Unreachable,
)
from equivcheck.ir.text import format_graph

from .helpers import ir_of, region_of


def test_calls_keep_order_and_targets() -> None:
    g = ir_of(
        "int f(struct folio *folio) { int r; smp_mb(); r = folio_ref_count(folio); return r; }"
    )
    [block] = g.blocks.values()
    first, second = block.stmts
    assert isinstance(first, Call) and first.callee == "smp_mb" and first.target is None
    assert isinstance(second, Call) and second.callee == "folio_ref_count"
    assert second.args == (Param(0),)
    assert block.terminator == Return(Local(0))


def test_arrow_is_field_of_deref() -> None:
    g = ir_of("int f(struct vm_area_struct *vma) { return vma->vm_flags & 4; }")
    ret = g.blocks[0].terminator
    assert isinstance(ret, Return) and isinstance(ret.value, Binary)
    assert ret.value.left == Field(Deref(Param(0)), "vm_flags")


def test_short_circuit_with_call_on_right_becomes_branches() -> None:
    g = ir_of("int f(int a) { if (a && g()) return 1; return 0; }")
    assert isinstance(g.blocks[0].terminator, Branch)
    # g() is called only on the path where a is true.
    calls = [(i, s) for i, b in g.blocks.items() for s in b.stmts if isinstance(s, Call)]
    assert len(calls) == 1
    assert calls[0][0] != 0


def test_pure_short_circuit_stays_an_expression() -> None:
    g = ir_of("int f(int a, int b) { if (a && b) return 1; return 0; }")
    term = g.blocks[0].terminator
    assert isinstance(term, Branch) and isinstance(term.cond, Binary)
    assert term.cond.op == "&&"


def test_read_before_call_is_kept_stable() -> None:
    g = ir_of("int f(int *p) { return *p + g(p); }")
    stmts = g.blocks[0].stmts
    assert isinstance(stmts[0], Assign) and stmts[0].value == Deref(Param(0))
    assert isinstance(stmts[1], Call)


def test_post_increment_value_is_the_old_one() -> None:
    g = ir_of("int f(int x) { int y = x++; return y + x; }")
    text = format_graph(g, locations=False, names=False)
    # The old value is read once; the parameter is written from it; y gets the old value.
    assert "%v0 = %p0\n  %v1 = %v0 + 1\n  %p0 = %v1\n  %v2 = %v0\n" in text


def test_goto_resolves_to_edges_and_labels_vanish() -> None:
    g = ir_of("int f(int a) { if (a) goto out; a = 2; out: return a; }")
    text = format_graph(g)
    assert "out" not in text
    assert sum(isinstance(b.terminator, Return) for b in g.blocks.values()) == 1


def test_switch_with_fallthrough_and_default() -> None:
    g = ir_of(
        "int f(int a) { int r = 0; switch (a) { case 1: r = 1; case 2: r += 2; break;"
        " default: r = 9; } return r; }"
    )
    switches = [b.terminator for b in g.blocks.values() if isinstance(b.terminator, Switch)]
    assert len(switches) == 1
    assert len(switches[0].cases) == 2


def test_loops_are_recognised() -> None:
    g = ir_of("int f(int n) { int i, s = 0; for (i = 0; i < n; i++) s += i; return s; }")
    [loop] = g.loops
    assert loop.header in loop.body and loop.latches and loop.exits


def test_goto_loop_is_recognised() -> None:
    g = ir_of("int f(int n) { again: n = n - 1; if (n > 0) goto again; return n; }")
    assert len(g.loops) == 1


def test_statement_expression_value() -> None:
    g = ir_of("int f(int a) { int x = ({ int t = a * 2; t + 1; }); return x; }")
    text = format_graph(g, locations=False, names=False)
    assert "p0 * 2" in text and "return" in text


def test_noreturn_call_ends_the_path() -> None:
    g = ir_of("int f(int a) { if (a) __builtin_unreachable(); return a; }")
    assert any(isinstance(b.terminator, Unreachable) for b in g.blocks.values())


def test_region_exits() -> None:
    g = region_of(
        "if (!ok) { set_ptes(mm, address, pte, pteval, nr); goto walk_abort; }"
        " add_mm_counter(mm, 1, -nr); goto discard;"
    )
    exits = sorted(b.terminator.label for b in g.blocks.values() if isinstance(b.terminator, Exit))
    assert exits == ["discard", "walk_abort"]
    assert g.kind == "region"
    assert {"ok", "mm", "address", "nr"} <= set(g.outer_names)


def test_region_break_and_fallthrough() -> None:
    g = region_of("if (x) break; y = 1;")
    kinds = sorted(b.terminator.kind for b in g.blocks.values() if isinstance(b.terminator, Exit))
    assert kinds == ["break", "fallthrough"]


def test_locations_are_kept() -> None:
    g = ir_of("int f(int a)\n{\n  a = g(a);\n  return a;\n}\n")
    call = g.blocks[0].stmts[0]
    assert isinstance(call, Call) and call.loc is not None and call.loc.line == 4
    assert isinstance(g.blocks[0].terminator, Return)


def test_empty_infinite_loop_survives() -> None:
    g = ir_of("void f(void) { for (;;) ; }")
    assert any(isinstance(b.terminator, Jump) for b in g.blocks.values())
    assert len(g.loops) == 1


def test_region_labels_are_entry_points() -> None:
    g = region_of("x = 1; discard: folio_remove_rmap_ptes(folio); if (y) goto discard;")
    assert list(g.labels) == ["discard"]
    target = g.labels["discard"]
    assert target != g.entry
    assert isinstance(g.blocks[target].stmts[0], Call)
    # The entry block runs x = 1 and then falls into the labelled block.
    assert g.blocks[g.entry].terminator == Jump(target)


def test_renamed_region_label_keeps_the_shape_through_the_label_map() -> None:
    from equivcheck.ir.labels import infer_label_map
    from equivcheck.ir.text import canonical_text

    a = region_of("discard: f(folio); goto out;")
    b = region_of("finish_unmap: f(folio); goto out;")
    assert canonical_text(a) != canonical_text(b)  # interface labels are printed
    assert infer_label_map([(a, b)]) == {"discard": "finish_unmap"}
    assert canonical_text(a, {"discard": "finish_unmap"}) == canonical_text(b)
    assert list(a.labels) == ["discard"] and list(b.labels) == ["finish_unmap"]


def _gnu_ir(code: str) -> str:
    from equivcheck.frontend import gnuc
    from equivcheck.frontend.model import FunctionText
    from equivcheck.ir.build import build_function
    from equivcheck.ir.canon import canonicalize

    func = FunctionText("f", "g.c", 1, code, frozenset())
    return format_graph(canonicalize(build_function(gnuc.parse_function(func))), names=False)


def test_generic_selection_by_declared_type() -> None:
    text = _gnu_ir(
        "struct page; struct folio;\n"
        "struct folio *f(struct page *p) { return _Generic(p, const struct page *: "
        "(const struct folio *)head(p), struct page *: (struct folio *)head(p)); }"
    )
    assert "opaque" not in text and "(struct folio *)" in text and "const struct folio" not in text


def test_generic_selection_default_for_int_constant() -> None:
    text = _gnu_ir(
        "int f(void) { return _Generic(0, struct a *: one, void *: two, default: three)(); }"
    )
    assert "call (three)()" in text or "call three()" in text
    assert "opaque" not in text


def test_generic_selection_unknown_type_stays_opaque() -> None:
    text = _gnu_ir("int f(int *q) { return _Generic(*q, long: 1, default: 2); }")
    assert "opaque<_Generic>" in text and "unsupported _Generic" in text


def test_a_duplicate_case_value_is_refused() -> None:
    # C forbids it (gcc: "duplicate case value"); read as the first label it would let a
    # mutant that no compiler accepts be EQUIVALENT
    with pytest.raises(UnsupportedConstruct, match="duplicate case value 1"):
        ir_of("int f(int x) { switch (x) { case 0x1: return 1; case 1UL: return 2; } return 0; }")
    ir_of("int f(int x) { switch (x) { case 0: return 1; case 1: return 2; } return 0; }")
