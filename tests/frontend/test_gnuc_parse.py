"""The GNU C layer: one test per construct, asserting the AST shape."""

from __future__ import annotations

from typing import Any

import pytest
from pycparser import c_ast, c_generator

from equivcheck.errors import UnsupportedConstruct
from equivcheck.frontend.gnuc import nodes as gn
from equivcheck.frontend.gnuc import (
    parse_function,
    parse_statements,
    parse_translation_unit,
)
from equivcheck.frontend.gnuc.nodes import Attribute
from equivcheck.frontend.model import FunctionText


def body(code: str, prelude: str = "") -> list[Any]:
    """The block items of ``void f(void) { code }``."""
    ast = parse_translation_unit(prelude + "void f(void) {\n" + code + "\n}\n", "t.c")
    func = ast.ext[-1]
    assert isinstance(func, c_ast.FuncDef)
    return list(func.body.block_items or [])


def only(code: str, prelude: str = "") -> Any:
    items = body(code, prelude)
    assert len(items) == 1, items
    return items[0]


# ---------------------------------------------------------------- attributes


def test_attribute_on_function_definition() -> None:
    ast = parse_translation_unit(
        '__attribute__((noinline, section(".text.x"))) static int g(void) { return 0; }'
    )
    func = ast.ext[0]
    assert isinstance(func, c_ast.FuncDef)
    expected = [Attribute("noinline"), Attribute("section", ('".text.x"',))]
    assert func.attributes == expected
    assert func.decl.attributes == expected


def test_attribute_names_lose_underscores_and_keep_args() -> None:
    ast = parse_translation_unit("int x __attribute__((__aligned__(8), __unused__));")
    assert ast.ext[0].attributes == [Attribute("aligned", ("8",)), Attribute("unused")]


def test_attribute_on_parameter_and_local_stays_there() -> None:
    ast = parse_translation_unit(
        "int g(int a __attribute__((unused))) { int x __attribute__((unused)) = 1; return x; }"
    )
    func = ast.ext[0]
    assert func.attributes == []
    assert func.decl.type.args.params[0].attributes == [Attribute("unused")]
    assert func.body.block_items[0].attributes == [Attribute("unused")]


def test_attribute_on_struct_type_and_field() -> None:
    ast = parse_translation_unit(
        "struct __attribute__((aligned(8))) s { int a __attribute__((x)); }"
        " __attribute__((packed)) v;"
    )
    decl = ast.ext[0]
    struct = decl.type.type
    assert isinstance(struct, c_ast.Struct)
    assert struct.attributes == [Attribute("aligned", ("8",)), Attribute("packed")]
    assert struct.decls[0].attributes == [Attribute("x")]
    assert decl.attributes == []


def test_attribute_on_label() -> None:
    label = body("out: __attribute__((unused));")[0]
    assert isinstance(label, c_ast.Label)
    assert label.name == "out"
    assert label.attributes == [Attribute("unused")]
    assert isinstance(label.stmt, c_ast.EmptyStatement)


def test_fallthrough_statement_attribute() -> None:
    switch = only("switch (1) { case 1: f(); __attribute__((__fallthrough__)); case 2: break; }")
    first = switch.stmt.block_items[0]
    empty = first.stmts[-1]
    assert isinstance(empty, c_ast.EmptyStatement)
    assert empty.attributes == [Attribute("fallthrough")]


def test_attributes_in_odd_places_do_not_break_parsing() -> None:
    items = body("void * __attribute__((x)) p = (int __attribute__((y)) *)0; return;")
    assert isinstance(items[0], c_ast.Decl) and items[0].name == "p"


# ---------------------------------------------------------------- asm


def test_asm_statement_operands_clobbers() -> None:
    asm = only('asm volatile("mov %1, %0" : [res] "=r" (b) : "r" (a), "i" (4) : "memory", "cc");')
    assert isinstance(asm, gn.Asm)
    assert asm.qualifiers == ["volatile"]
    assert asm.template.value == '"mov %1, %0"'
    assert [(o.name, o.constraint, o.expr.name) for o in asm.outputs] == [("res", "=r", "b")]
    assert [o.constraint for o in asm.inputs] == ["r", "i"]
    assert asm.clobbers == ["memory", "cc"]
    assert asm.labels == []


def test_asm_spellings_and_empty_sections() -> None:
    asm = only('__asm__ __volatile__("" ::: "memory");')
    assert asm.qualifiers == ["volatile"]
    assert asm.outputs == [] and asm.inputs == [] and asm.clobbers == ["memory"]


def test_asm_inline() -> None:
    asm = only('asm inline ("nop");')
    assert asm.qualifiers == ["inline"]


def test_asm_goto_labels() -> None:
    items = body('asm goto("jmp %l[out]" : : "r" (1) : : out, again); again: out: return;')
    asm = items[0]
    assert "goto" in asm.qualifiers
    assert asm.labels == ["out", "again"]


def test_top_level_asm() -> None:
    ast = parse_translation_unit('asm(".globl x"); int y;')
    assert isinstance(ast.ext[0], gn.Asm)
    assert ast.ext[0].template.value == '".globl x"'


def test_asm_register_variable() -> None:
    decl = only('register unsigned long sp asm("rsp");')
    assert decl.name == "sp" and decl.asm_label == "rsp"
    assert decl.storage == ["register"]


def test_asm_label_on_function_declaration() -> None:
    ast = parse_translation_unit('int f(void) asm("real_name"); int g;')
    assert ast.ext[0].asm_label == "real_name"
    assert ast.ext[1].asm_label is None


# ---------------------------------------------------------------- keywords


def test_seg_gs_and_extension_dropped() -> None:
    decl = only("extern __seg_gs int v; ")
    assert decl.type.type.names == ["int"]
    stmt = only("__extension__ (1);")
    assert isinstance(stmt, c_ast.Constant)


def test_keyword_spellings_mapped() -> None:
    decl = only("__signed__ char * __restrict __volatile__ __const p;")
    assert decl.type.quals == ["restrict", "volatile", "const"]
    assert decl.type.type.type.names == ["signed", "char"]


def test_int128_bool_va_list() -> None:
    items = body("unsigned __int128 a; _Bool b; __builtin_va_list ap;")
    assert items[0].type.type.names == ["unsigned", "__int128"]
    assert items[1].type.type.names == ["_Bool"]
    assert items[2].type.type.names == ["__builtin_va_list"]


# ---------------------------------------------------------------- types


def test_typeof_expression_in_declaration() -> None:
    decl = body("int a; typeof(a) b;")[1]
    typ = decl.type.type
    assert isinstance(typ, gn.Typeof)
    assert isinstance(typ.operand, c_ast.ID) and typ.operand.name == "a"


def test_typeof_type_and_nested_pointer() -> None:
    items = body("__typeof__(int *) p; typeof(*(p)) *q;")
    assert isinstance(items[0].type.type, gn.Typeof)
    assert isinstance(items[0].type.type.operand, c_ast.Typename)
    assert isinstance(items[1].type, c_ast.PtrDecl)
    inner = items[1].type.type.type
    assert isinstance(inner, gn.Typeof) and isinstance(inner.operand, c_ast.UnaryOp)


def test_typeof_in_cast_and_sizeof() -> None:
    stmt = only("x = (typeof(y))sizeof(const volatile typeof(z));")
    cast = stmt.rvalue
    assert isinstance(cast, c_ast.Cast)
    assert isinstance(cast.to_type.type.type, gn.Typeof)
    size = cast.expr
    assert size.op == "sizeof"
    assert isinstance(size.expr.type.type, gn.Typeof)
    assert size.expr.quals == ["const", "volatile"]


def test_auto_type() -> None:
    decl = only("__auto_type x = 1;")
    assert isinstance(decl.type.type, gn.AutoType)
    assert decl.init.value == "1"


def test_types_compatible() -> None:
    stmt = only("x = __builtin_types_compatible_p(typeof(a), int);")
    node = stmt.rvalue
    assert isinstance(node, gn.TypesCompatible)
    assert isinstance(node.type1.type.type, gn.Typeof)
    assert node.type2.type.type.names == ["int"]


def test_builtin_offsetof() -> None:
    call = only("x = __builtin_offsetof(struct foo, a.b[2]);").rvalue
    assert isinstance(call, c_ast.FuncCall) and call.name.name == "offsetof"
    member = call.args.exprs[1]
    assert isinstance(member, c_ast.ArrayRef)
    assert isinstance(member.name, c_ast.StructRef) and member.name.field.name == "b"


def test_alignof_expression_and_type() -> None:
    expr = only("x = __alignof__(y) + __alignof__(struct foo);").rvalue
    assert expr.left.op == "_Alignof" and isinstance(expr.left.expr, c_ast.ID)
    assert isinstance(expr.right.expr, c_ast.Typename)


def test_va_arg() -> None:
    node = only("x = __builtin_va_arg(ap, unsigned long);").rvalue
    assert isinstance(node, gn.VaArg)
    assert node.expr.name == "ap"
    assert node.type.type.type.names == ["unsigned", "long"]


def test_choose_expr_is_a_call() -> None:
    node = only("x = __builtin_choose_expr(1, a, b);").rvalue
    assert isinstance(node, c_ast.FuncCall)
    assert len(node.args.exprs) == 3


def test_parenthesised_typedef_name() -> None:
    ast = parse_translation_unit(
        "typedef void *(mempool_alloc_t)(int gfp_mask, void *pool_data);\nmempool_alloc_t *fn;"
    )
    td = ast.ext[0]
    assert isinstance(td, c_ast.Typedef) and td.name == "mempool_alloc_t"
    assert isinstance(td.type, c_ast.FuncDecl)
    assert ast.ext[1].type.type.type.names == ["mempool_alloc_t"]


# ---------------------------------------------------------------- expressions, statements


def test_elvis() -> None:
    node = only("x = a ?: b;").rvalue
    assert isinstance(node, gn.Elvis)
    assert node.cond.name == "a" and node.iffalse.name == "b"


def test_statement_expression_as_operand() -> None:
    node = only("x = ({ int z = 1; z; }) == 1;").rvalue
    assert isinstance(node, c_ast.BinaryOp) and node.op == "=="
    assert isinstance(node.left, c_ast.Compound)
    assert isinstance(node.left.block_items[0], c_ast.Decl)


def test_local_label() -> None:
    items = body("__label__ a, b; a: b: return;")
    assert isinstance(items[0], gn.LocalLabel)
    assert items[0].names == ["a", "b"]


def test_case_range() -> None:
    switch = only("switch (x) { case 1 ... 5: y++; break; case 6: default: ; }")
    cases = switch.stmt.block_items
    assert isinstance(cases[0], gn.CaseRange)
    assert (cases[0].low.value, cases[0].high.value) == ("1", "5")
    assert len(cases[0].stmts) == 2
    assert isinstance(cases[1], c_ast.Case) and isinstance(cases[2], c_ast.Default)


def test_range_designator() -> None:
    init = only("int a[4] = { [0 ... 2] = 1, [3] = 2 };").init
    first = init.exprs[0]
    assert isinstance(first, c_ast.NamedInitializer)
    assert isinstance(first.name[0], gn.RangeDesignator)
    assert (first.name[0].low.value, first.name[0].high.value) == ("0", "2")
    assert init.exprs[1].name[0].value == "3"


def test_label_address_and_computed_goto() -> None:
    items = body("void *p = &&out; goto *p; out: return;")
    assert isinstance(items[0].init, gn.LabelAddress) and items[0].init.name == "out"
    assert isinstance(items[1], gn.ComputedGoto)


# ---------------------------------------------------------------- visitors, API


def test_new_nodes_work_with_visitors_and_show() -> None:
    ast = parse_translation_unit('void f(void) { __auto_type x = a ?: b; asm("" : "=r" (x)); }')
    seen: list[str] = []

    class Visitor(c_ast.NodeVisitor):
        def generic_visit(self, node: Any) -> None:
            seen.append(type(node).__name__)
            super().generic_visit(node)

    Visitor().visit(ast)
    assert {"AutoType", "Elvis", "Asm", "AsmOperand"} <= set(seen)
    assert "Elvis" in repr(ast)
    # The attribute-carrying subclasses still dispatch as the pycparser node.
    decl = ast.ext[0].decl
    assert type(decl).__name__ == "Decl"
    assert c_generator.CGenerator().visit(decl).startswith("void f(void)")


def test_parse_function_coords_and_typedefs() -> None:
    func = FunctionText(
        name="g",
        file="mm/x.c",
        start_line=100,
        text="static pte_t g(pte_t *p)\n{\n\treturn *p;\n}\n",
        typedefs=frozenset({"pte_t"}),
    )
    fd = parse_function(func)
    assert isinstance(fd, c_ast.FuncDef)
    assert fd.decl.name == "g"
    assert (fd.coord.file, fd.coord.line) == ("mm/x.c", 100)
    ret = fd.body.block_items[0]
    assert (ret.coord.file, ret.coord.line) == ("mm/x.c", 102)


def test_parse_function_keeps_inner_line_markers() -> None:
    text = 'int g(void)\n{\n# 50 "include/h.h"\n return 1;\n}\n'
    fd = parse_function(FunctionText("g", "mm/x.c", 10, text))
    ret = fd.body.block_items[0]
    assert (ret.coord.file, ret.coord.line) == ("include/h.h", 50)


def test_parse_function_failure_names_construct_and_location() -> None:
    func = FunctionText("g", "mm/x.c", 7, "int g(void)\n{\n return 1 +;\n}\n")
    with pytest.raises(UnsupportedConstruct) as info:
        parse_function(func)
    assert info.value.location == "mm/x.c:9"
    assert info.value.construct == "';'"


def test_parse_statements_hunk_region() -> None:
    comp = parse_statements(
        "if (!p)\n\tgoto out;\nspin_lock(ptl);\nbreak;\nout:\ncontinue;\n",
        typedefs=["spinlock_t"],
        filename="mm/rmap.c",
        first_line=40,
    )
    assert isinstance(comp, c_ast.Compound)
    kinds = [type(n).__name__ for n in comp.block_items]
    assert kinds == ["If", "FuncCall", "Break", "Label"]
    assert comp.block_items[0].coord.line == 40
    assert comp.block_items[3].coord.line == 44


def test_parse_statements_declarations_use_typedefs() -> None:
    comp = parse_statements(
        "spinlock_t *ptl = x;\nptl = 0;", typedefs={"spinlock_t"}, filename="a.c", first_line=1
    )
    assert comp.block_items[0].type.type.type.names == ["spinlock_t"]


def test_parse_statements_error_is_unsupported_construct() -> None:
    with pytest.raises(UnsupportedConstruct):
        parse_statements("x = ;", typedefs=(), filename="a.c", first_line=3)
