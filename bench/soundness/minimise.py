"""Shrink a refuted pair (engine EQUIVALENT, harness different) of generated programs:
statements are deleted at the same place in both versions (only where their texts are
equal there, so the mutation itself stays), unused locals are dropped, conditions and
expressions are replaced by constants, and a deletion is kept while the pair is still
refuted."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator

from pycparser import c_ast

from .harness import judge
from .mutate import _func, _walk, parse, unparse
from .tasks import engine_on_program

Still = Callable[[str, str], bool]


def refuted(before: str, after: str) -> bool:
    """Is the pair still a refuted EQUIVALENT?"""
    try:
        verdict, _ = engine_on_program(before, after)
    except Exception:
        return False
    return verdict == "equivalent" and judge(before, after, 300, 1).status == "different"


def _resolve(root: c_ast.Node, path: list[str]) -> tuple[c_ast.Node, str] | None:
    node = root
    for slot in path[:-1]:
        node = _child(node, slot)
        if node is None:
            return None
    return (node, path[-1]) if _child(node, path[-1]) is not None else None


def _child(node: c_ast.Node, slot: str) -> c_ast.Node | None:
    for name, child in node.children():
        if name == slot:
            return child
    return None


def _paths(node: c_ast.Node, path: list[str]) -> Iterator[tuple[list[str], c_ast.Node]]:
    for name, child in node.children():
        yield [*path, name], child
        yield from _paths(child, [*path, name])


def _delete(parent: c_ast.Node, slot: str) -> None:
    m = re.fullmatch(r"(\w+)\[(\d+)\]", slot)
    if m:
        del getattr(parent, m.group(1))[int(m.group(2))]
    else:
        setattr(parent, slot, c_ast.EmptyStatement() if slot in {"iftrue", "stmt"} else None)


def _replace(parent: c_ast.Node, slot: str, new: c_ast.Node) -> None:
    m = re.fullmatch(r"(\w+)\[(\d+)\]", slot)
    if m:
        getattr(parent, m.group(1))[int(m.group(2))] = new
    else:
        setattr(parent, slot, new)


def _candidates(before: str, after: str) -> Iterator[tuple[str, str]]:
    a0, b0 = parse(before), parse(after)
    fa = _func(a0)
    items = list(_paths(fa.body, ["body"]))  # the body only: the signature stays
    # Larger pieces first: statements in lists, then whole expressions.
    for path, node in items:
        if not re.fullmatch(r"(block_items|stmts)\[\d+\]", path[-1]):
            continue
        for action in ("delete", "zero"):
            if action == "zero" and not isinstance(node, (c_ast.If, c_ast.For, c_ast.Switch)):
                continue
            a, b = copy.deepcopy(a0), copy.deepcopy(b0)
            ra, rb = _resolve(_func(a), path), _resolve(_func(b), path)
            if ra is None or rb is None:
                continue
            na, nb = _child(*ra), _child(*rb)
            if unparse_node(na) != unparse_node(nb):
                continue
            if action == "delete":
                _delete(*ra)
                _delete(*rb)
            yield unparse(a), unparse(b)
    for path, node in items:
        if not isinstance(
            node,
            (
                c_ast.BinaryOp,
                c_ast.TernaryOp,
                c_ast.FuncCall,
                c_ast.Cast,
                c_ast.UnaryOp,
                c_ast.ArrayRef,
                c_ast.StructRef,
            ),
        ):
            continue
        for const in ("0", "1"):
            a, b = copy.deepcopy(a0), copy.deepcopy(b0)
            ra, rb = _resolve(_func(a), path), _resolve(_func(b), path)
            if ra is None or rb is None:
                continue
            if unparse_node(_child(*ra)) != unparse_node(_child(*rb)):
                continue
            if ra[1] in {"lvalue", "name", "field"}:
                continue
            _replace(*ra, c_ast.Constant("int", const))
            _replace(*rb, c_ast.Constant("int", const))
            yield unparse(a), unparse(b)
    # Unused locals.
    for path, node in items:
        if isinstance(node, c_ast.Decl):
            a, b = copy.deepcopy(a0), copy.deepcopy(b0)
            used = {n.name for n, _, _ in _walk(_func(a).body) if isinstance(n, c_ast.ID)}
            used |= {n.name for n, _, _ in _walk(_func(b).body) if isinstance(n, c_ast.ID)}
            if node.name in used:
                continue
            ra, rb = _resolve(_func(a), path), _resolve(_func(b), path)
            if ra is None or rb is None:
                continue
            _delete(*ra)
            _delete(*rb)
            yield unparse(a), unparse(b)


def unparse_node(node: c_ast.Node | None) -> str:
    """C text of one node."""
    from pycparser import c_generator

    return "" if node is None else str(c_generator.CGenerator().visit(node))


def minimise(before: str, after: str, still: Still = refuted, rounds: int = 40) -> tuple[str, str]:
    """The smallest pair found that ``still`` holds for."""
    for _ in range(rounds):
        for cand in _candidates(before, after):
            if len(cand[0]) + len(cand[1]) >= len(before) + len(after):
                continue
            if cand[0] != cand[1] and still(*cand):
                before, after = cand
                break
        else:
            return before, after
    return before, after
