"""The GNU C node classes generated from their specs (``gnuc/nodes.py``): each class
matches its spec, and the nodes of a parsed snippet that uses every extension print,
iterate and visit like pycparser's own nodes."""

from __future__ import annotations

import copy
import inspect
import io
import pickle
from collections import defaultdict
from typing import Any

import pytest
from pycparser import c_ast

from equivcheck.frontend.gnuc import nodes as gn
from equivcheck.frontend.gnuc import parse_translation_unit
from equivcheck.frontend.gnuc.nodes import Attribute, Kind, NodeSpec

NODE_NAMES = [
    "Typeof",
    "AutoType",
    "AsmOperand",
    "Asm",
    "CaseRange",
    "Elvis",
    "LocalLabel",
    "TypesCompatible",
    "RangeDesignator",
    "VaArg",
    "LabelAddress",
    "ComputedGoto",
]

SNIPPET = r"""asm(".globl x");
struct __attribute__((packed)) s { int a; } __attribute__((aligned(8)));
int reg asm("foo");
__attribute__((noinline)) int f(int x, ...) {
    __label__ lab;
    typeof(x) y = ({ int z = x; z + 1; });
    typeof(int) w = 0;
    __auto_type q = x ?: y;
    void *p = &&lab;
    int arr[4] = { [0 ... 2] = 1, [3] = 2 };
    __builtin_va_list ap;
    int v = __builtin_va_arg(ap, int);
    int tc = __builtin_types_compatible_p(typeof(x), int);
    switch (x) { case 1 ... 5: y++; __attribute__((__fallthrough__)); default: break; }
    asm goto("jmp %l[out]" : : [v] "r" (x) : "memory" : out);
    goto *p;
out: __attribute__((unused));
lab:
    return y + w + v + tc + arr[0] + q;
}
"""

# show(attrnames=True, nodenames=True) of the last node of each class in SNIPPET.
SHOWN = {
    "Typeof": """\
Typeof:
  ID <operand>: name=x
""",
    "AutoType": "AutoType:\n",
    "AsmOperand": """\
AsmOperand: name=v, constraint=r
  ID <expr>: name=x
""",
    "Asm": """\
Asm: qualifiers=['goto'], clobbers=['memory'], labels=['out']
  Constant <template>: type=string, value="jmp %l[out]"
  AsmOperand <inputs[0]>: name=v, constraint=r
    ID <expr>: name=x
""",
    "CaseRange": """\
CaseRange:
  Constant <low>: type=int, value=1
  Constant <high>: type=int, value=5
  UnaryOp <stmts[0]>: op=p++
    ID <expr>: name=y
  EmptyStatement <stmts[1]>:
""",
    "Elvis": """\
Elvis:
  ID <cond>: name=x
  ID <iffalse>: name=y
""",
    "LocalLabel": "LocalLabel: names=['lab']\n",
    "TypesCompatible": """\
TypesCompatible:
  Typename <type1>: name=None, quals=[], align=None
    TypeDecl <type>: declname=None, quals=[], align=None
      Typeof <type>:
        ID <operand>: name=x
  Typename <type2>: name=None, quals=[], align=None
    TypeDecl <type>: declname=None, quals=[], align=None
      IdentifierType <type>: names=['int']
""",
    "RangeDesignator": """\
RangeDesignator:
  Constant <low>: type=int, value=0
  Constant <high>: type=int, value=2
""",
    "VaArg": """\
VaArg:
  ID <expr>: name=ap
  Typename <type>: name=None, quals=[], align=None
    TypeDecl <type>: declname=None, quals=[], align=None
      IdentifierType <type>: names=['int']
""",
    "LabelAddress": "LabelAddress: name=lab\n",
    "ComputedGoto": """\
ComputedGoto:
  ID <expr>: name=p
""",
}


def walk(node: Any) -> list[Any]:
    """``node`` and every node under it, in ``children()`` order."""
    found = [node]
    for _, child in node.children():
        found += walk(child)
    return found


def by_class(root: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    for node in walk(root):
        found[type(node).__name__].append(node)
    return found


def shown(node: Any, **options: bool) -> str:
    """``node.show()`` output, without the space it leaves at the end of some lines."""
    buf = io.StringIO()
    node.show(buf, **options)
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


@pytest.fixture(scope="module")
def snippet() -> c_ast.FileAST:
    return parse_translation_unit(SNIPPET, "t.c")


# ---------------------------------------------------------------- each class and its spec


def test_the_spec_table_lists_every_node_class() -> None:
    assert list(gn.SPECS) == NODE_NAMES
    for name, spec in gn.SPECS.items():
        cls = getattr(gn, name)
        assert cls.__name__ == cls.__qualname__ == spec.name == name
        assert cls.__module__ == gn.__name__
        assert issubclass(cls, c_ast.Node) and cls.__bases__ == (c_ast.Node,)
        assert cls.__doc__ == spec.doc and spec.doc.strip()


@pytest.mark.parametrize("name", NODE_NAMES)
def test_class_layout_follows_its_spec(name: str) -> None:
    spec = gn.SPECS[name]
    cls = getattr(gn, name)
    # pycparser's Node.__repr__ prints every slot but the last two.
    assert cls.__slots__ == (*spec.names(), "coord", "__weakref__")
    assert cls.attr_names == spec.names(Kind.ATTR)
    assert list(inspect.signature(cls).parameters) == [*spec.names(), "coord"]
    assert inspect.signature(cls).parameters["coord"].default is None
    node = cls(*[None] * len(spec.names()))
    assert not hasattr(node, "__dict__")
    assert node.coord is None


def sample(spec: NodeSpec) -> tuple[list[Any], list[tuple[str, Any]]]:
    """Arguments for a node of ``spec`` (a Constant per child, two per list, a string
    per attribute) and the ``children()`` it must then give."""
    args: list[Any] = []
    expected: list[tuple[str, Any]] = []
    for name, kind in spec.fields:
        if kind is Kind.CHILD:
            args.append(c_ast.Constant("int", name))
            expected.append((name, args[-1]))
        elif kind is Kind.CHILDREN:
            args.append([c_ast.ID(f"{name}{i}") for i in range(2)])
            expected += [(f"{name}[{i}]", item) for i, item in enumerate(args[-1])]
        else:
            args.append(f"<{name}>")
    return args, expected


@pytest.mark.parametrize("name", NODE_NAMES)
def test_children_iteration_repr_and_show_follow_the_spec(name: str) -> None:
    spec = gn.SPECS[name]
    args, expected = sample(spec)
    node = getattr(gn, name)(*args, "t.c:1")
    assert node.coord == "t.c:1"
    assert [(n, id(c)) for n, c in node.children()] == [(n, id(c)) for n, c in expected]
    assert [id(c) for c in node] == [id(c) for _, c in expected]
    text = repr(node)
    assert text.startswith(f"{name}(")
    assert all(f"{field}=" in text for field in spec.names())
    assert "coord" not in text and "t.c:1" not in text
    lines = shown(node, attrnames=True, nodenames=True).splitlines()
    attrs = ", ".join(f"{a}=<{a}>" for a in spec.names(Kind.ATTR))
    assert lines[0] == f"{name}: {attrs}".rstrip()
    assert [line.split(" <")[1].split(">")[0] for line in lines[1:]] == [n for n, _ in expected]


@pytest.mark.parametrize("name", NODE_NAMES)
def test_keywords_and_missing_children(name: str) -> None:
    spec = gn.SPECS[name]
    args, _ = sample(spec)
    cls = getattr(gn, name)
    by_keyword = cls(**dict(zip(spec.names(), args, strict=True)), coord="c")
    assert [getattr(by_keyword, f) for f in spec.names()] == args
    assert by_keyword.coord == "c"
    # A missing single child is left out and a missing list is empty, as in pycparser.
    empty = cls(*[None] * len(spec.names()))
    assert empty.children() == () and list(empty) == []
    if spec.names():
        with pytest.raises(TypeError):
            cls()
    with pytest.raises(TypeError):
        cls(*args, None, "one too many")
    with pytest.raises(TypeError):
        cls(*args, nonsense=1)


def test_the_factory_wants_coord_last() -> None:
    class NoCoord(gn.NodeBase):
        """No coord field."""

        expr: gn.Child

    with pytest.raises(TypeError, match="coord"):
        gn.gnu_node(NoCoord)
    assert "NoCoord" not in gn.SPECS


def test_nodes_copy_and_pickle(snippet: c_ast.FileAST) -> None:
    asm = by_class(snippet)["Asm"][-1]
    for again in (copy.deepcopy(asm), pickle.loads(pickle.dumps(asm))):
        assert type(again) is gn.Asm
        assert shown(again, attrnames=True) == shown(asm, attrnames=True)
        assert str(again.coord) == str(asm.coord)


# ---------------------------------------------------------------- a parsed GNU C snippet


def test_snippet_has_every_node_shown_as_expected(snippet: c_ast.FileAST) -> None:
    found = by_class(snippet)
    assert set(NODE_NAMES) <= set(found)
    for name in NODE_NAMES:
        assert shown(found[name][-1], attrnames=True, nodenames=True) == SHOWN[name], name
    top = found["Asm"][0]
    assert shown(top, attrnames=True) == (
        'Asm: qualifiers=[], clobbers=[], labels=[]\n  Constant: type=string, value=".globl x"\n'
    )
    assert str(top.coord) == "t.c:1:1"


def test_snippet_nodes_keep_the_spec_and_iterate_their_children(
    snippet: c_ast.FileAST,
) -> None:
    for name, found in by_class(snippet).items():
        for node in found:
            assert list(node) == [child for _, child in node.children()]
            if name in gn.SPECS:
                spec = gn.SPECS[name]
                names = [n.split("[")[0] for n, _ in node.children()]
                assert set(names) <= set(spec.names(Kind.CHILD, Kind.CHILDREN))
                assert node.coord is not None and node.coord.file == "t.c"


def test_visitors_dispatch_on_the_generated_classes(snippet: c_ast.FileAST) -> None:
    seen: list[str] = []

    class Visitor(c_ast.NodeVisitor):
        def visit_Asm(self, node: gn.Asm) -> None:
            seen.append(f"Asm{node.qualifiers}")
            super().generic_visit(node)

        def visit_Typeof(self, node: gn.Typeof) -> None:
            seen.append(f"Typeof({type(node.operand).__name__})")

        def visit_CaseRange(self, node: gn.CaseRange) -> None:
            seen.append(f"CaseRange({node.low.value}..{node.high.value})")
            super().generic_visit(node)

        def generic_visit(self, node: Any) -> None:
            if type(node).__name__ in gn.SPECS:
                seen.append(type(node).__name__)
            super().generic_visit(node)

    Visitor().visit(snippet)
    assert seen == [
        "Asm[]",
        "LocalLabel",
        "Typeof(ID)",
        "Typeof(Typename)",
        "AutoType",
        "Elvis",
        "LabelAddress",
        "RangeDesignator",
        "VaArg",
        "TypesCompatible",
        "Typeof(ID)",
        "CaseRange(1..5)",
        "Asm['goto']",
        "AsmOperand",
        "ComputedGoto",
    ]


def test_repr_of_a_parsed_node_prints_its_fields_in_slot_order(
    snippet: c_ast.FileAST,
) -> None:
    asm = by_class(snippet)["Asm"][-1]
    text = repr(asm)
    positions = [text.index(f"{field}=") for field in gn.SPECS["Asm"].names()]
    assert positions == sorted(positions)
    assert "inputs=[AsmOperand(name='v'" in text
    assert "coord" not in text


# ---------------------------------------------------------------- attribute carriers


def test_attribute_carriers_keep_the_pycparser_shape(snippet: c_ast.FileAST) -> None:
    struct_decl, reg, func = snippet.ext[1], snippet.ext[2], snippet.ext[3]
    assert type(struct_decl.type) is gn.Struct
    assert struct_decl.type.attributes == [Attribute("packed"), Attribute("aligned", ("8",))]
    assert type(reg) is gn.Decl and reg.asm_label == "foo" and reg.attributes == []
    assert type(func) is gn.FuncDef and func.attributes == [Attribute("noinline")]
    found = by_class(snippet)
    label = next(lab for lab in found["Label"] if lab.name == "out")
    assert type(label) is gn.Label and label.attributes == [Attribute("unused")]
    fallthrough = found["EmptyStatement"][0]
    assert type(fallthrough) is gn.EmptyStatement
    assert fallthrough.attributes == [Attribute("fallthrough")]
    for carrier in (gn.Decl, gn.Typedef, gn.FuncDef, gn.Label, gn.EmptyStatement):
        base = carrier.__bases__[0]
        assert carrier.__name__ == base.__name__ and base.__module__ == c_ast.__name__
        assert carrier.__slots__ == base.__slots__ and carrier.attr_names == base.attr_names
    # A carrier prints and iterates exactly like the plain node it replaced.
    plain = c_ast.Decl(*(getattr(reg, s) for s in c_ast.Decl.__slots__[:-1]))
    assert shown(reg, attrnames=True) == shown(plain, attrnames=True)
    assert repr(reg) == repr(plain) and list(reg) == list(plain)


def test_with_attributes_copies_a_plain_node_once() -> None:
    plain = c_ast.Label("l", c_ast.EmptyStatement())
    carrier = gn.with_attributes(plain)
    assert type(carrier) is gn.Label and carrier is not plain
    assert (carrier.name, carrier.stmt, carrier.attributes) == ("l", plain.stmt, [])
    assert gn.with_attributes(carrier) is carrier
    decl = gn.with_attributes(c_ast.Typedef("t", [], ["typedef"], None))
    assert decl.asm_label is None and decl.attributes == []
    typeof = gn.Typeof(c_ast.ID("x"))
    assert gn.with_attributes(typeof) is typeof
