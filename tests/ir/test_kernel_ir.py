"""The IR on real Linux 6.12 code (mm/rmap.c, preprocessed as kbuild does).

Every function defined in mm/rmap.c reaches IR; renaming its labels and locals and
inverting its if/else statements (at the AST level, so the text stays real kernel C)
never changes the canonical form.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycparser import c_ast

from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.tree import open_tree
from equivcheck.ir.build import build_function
from equivcheck.ir.canon import canonicalize
from equivcheck.ir.text import canonical_text

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def rmap_functions(kernel_tree: Path) -> list[FunctionText]:
    pre = open_tree(kernel_tree).preprocess("mm/rmap.c")
    funcs = [f for f in gnuc.cut_all_functions(pre.text, "mm/rmap.c") if f.file == "mm/rmap.c"]
    assert len(funcs) > 50
    return funcs


def test_every_rmap_function_reaches_ir(rmap_functions: list[FunctionText]) -> None:
    names = set()
    for func in rmap_functions:
        graph = canonicalize(build_function(gnuc.parse_function(func)))
        assert graph.blocks and graph.name == func.name
        names.add(func.name)
    assert {"try_to_unmap_one", "folio_referenced_one", "page_vma_mkclean_one"} <= names


class _Renamer(c_ast.NodeVisitor):  # type: ignore[misc]
    """Renames labels and locals of one function in place; inverts if/else."""

    def __init__(self, locals_: dict[str, str], labels: dict[str, str], rnd: random.Random):
        self.locals = locals_
        self.labels = labels
        self.rnd = rnd

    def visit_StructRef(self, node: Any) -> None:
        self.visit(node.name)  # .field is a member name, not a variable

    def visit_NamedInitializer(self, node: Any) -> None:
        self.visit(node.expr)

    def visit_ID(self, node: Any) -> None:
        node.name = self.locals.get(node.name, node.name)

    def visit_Decl(self, node: Any) -> None:
        if node.name in self.locals:
            node.name = self.locals[node.name]
            inner = node.type
            while not isinstance(inner, c_ast.TypeDecl) and hasattr(inner, "type"):
                inner = inner.type
            if isinstance(inner, c_ast.TypeDecl):
                inner.declname = node.name
        self.generic_visit(node)

    def visit_Label(self, node: Any) -> None:
        node.name = self.labels.get(node.name, node.name)
        self.generic_visit(node)

    def visit_Goto(self, node: Any) -> None:
        if isinstance(node.name, str):
            node.name = self.labels.get(node.name, node.name)

    def visit_Asm(self, node: Any) -> None:
        if getattr(node, "labels", None):
            node.labels = [self.labels.get(x, x) for x in node.labels]
        self.generic_visit(node)

    def visit_If(self, node: Any) -> None:
        self.generic_visit(node)
        if node.iffalse is not None and self.rnd.random() < 0.5:
            node.cond = c_ast.UnaryOp("!", node.cond, node.cond.coord)
            node.iftrue, node.iffalse = node.iffalse, node.iftrue


def _names_in(body: Any) -> tuple[set[str], set[str]]:
    locals_: set[str] = set()
    labels: set[str] = set()

    class Collect(c_ast.NodeVisitor):  # type: ignore[misc]
        def visit_Decl(self, node: Any) -> None:
            storage = node.storage or []
            is_object = not isinstance(node.type, c_ast.FuncDecl)
            if node.name and is_object and not {"extern", "typedef"} & set(storage):
                locals_.add(node.name)
            self.generic_visit(node)

        def visit_Label(self, node: Any) -> None:
            labels.add(node.name)
            self.generic_visit(node)

    Collect().visit(body)
    return locals_, labels


@given(st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_renaming_and_inversion_keep_real_functions_isomorphic(
    rmap_functions: list[FunctionText], data: st.DataObject
) -> None:
    func = rmap_functions[data.draw(st.integers(0, len(rmap_functions) - 1), label="index")]
    seed = data.draw(st.integers(0, 2**32 - 1))
    rnd = random.Random(seed)
    ast = gnuc.parse_function(func)
    original = canonical_text(canonicalize(build_function(ast)))
    mutated = copy.deepcopy(ast)
    locals_, labels = _names_in(mutated.body)
    local_map = {n: f"ec_local_{rnd.randrange(10**6)}_{i}" for i, n in enumerate(sorted(locals_))}
    label_map = {n: f"ec_label_{rnd.randrange(10**6)}_{i}" for i, n in enumerate(sorted(labels))}
    _Renamer(local_map, label_map, rnd).visit(mutated.body)
    assert canonical_text(canonicalize(build_function(mutated))) == original, func.name
