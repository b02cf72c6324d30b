"""Helpers for engine tests: compare two C function texts directly."""

from __future__ import annotations

import dataclasses

from equivcheck.equiv.check import FunctionResult, Options, check_patches
from equivcheck.equiv.compare import Outcome, Side, compare
from equivcheck.equiv.induction import compare_with_induction
from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionChange, FunctionText
from equivcheck.frontend.unit.unions import union_members
from equivcheck.frontend.workset import FunctionWork, PatchWork
from equivcheck.ir.build import build_function
from equivcheck.ir.canon import canonicalize
from equivcheck.ir.model import Graph
from equivcheck.models.table import MODELS
from equivcheck.symex.execute import Config

PRELUDE_TYPES = frozenset({"bool", "pte_t", "spinlock_t", "u64"})


def graph(code: str, name: str | None = None) -> Graph:
    """Canonical IR of the function ``name`` (default: the last) defined in ``code``."""
    funcs = gnuc.cut_all_functions(code, "t.c")
    func = funcs[-1] if name is None else next(f for f in funcs if f.name == name)
    text = FunctionText(func.name, "t.c", func.start_line, func.text, PRELUDE_TYPES)
    return canonicalize(build_function(gnuc.parse_function(text)))


def verdict_of(
    before: str,
    after: str,
    *,
    helpers_before: dict[str, Graph] | None = None,
    helpers_after: dict[str, Graph] | None = None,
    unroll: int = 2,
    induction: bool = False,
) -> Outcome:
    """Compare two versions of a function (with the inductive loop rule when
    ``induction``)."""
    cfg_a = Config(MODELS, helpers_before or {}, loop_bound=unroll)
    cfg_b = Config(MODELS, helpers_after or {}, loop_bound=unroll)
    run = compare_with_induction if induction else compare
    return run(Side(graph(before), cfg_a), Side(graph(after), cfg_b))


def unit_verdict(prelude: str, before: str, after: str, types: frozenset[str]) -> str:
    """The pipeline's verdict on two texts of ``f`` in tree mode: the unit is
    ``prelude`` and the function, so gcc answers sizes and member facts (as --tree)."""
    return unit_result(prelude, before, after, types).verdict


def unit_result(
    prelude: str, before: str, after: str, types: frozenset[str] = frozenset()
) -> FunctionResult:
    """The pipeline's result on two texts of ``f`` in tree mode (:func:`unit_verdict`)."""
    sides = [
        FunctionText(
            "f",
            "t.c",
            prelude.count("\n") + 1,
            code,
            types,
            union_members=union_members(prelude + code),
            unit=prelude + code,
        )
        for code in (before + "\n", after + "\n")
    ]
    work = FunctionWork(FunctionChange("t.c", "f", "changed"), "tree", sides[0], sides[1])
    [result] = check_patches([PatchWork("p", None, [work])], Options(budget_s=10))
    return result


def unit_verdicts(before: str, after: str) -> dict[str, str]:
    """The tree-mode pipeline's verdict on every function whose text differs between two
    whole files (each its own unit, so gcc answers sizes and member facts as --tree)."""
    sides = []
    for code in (before, after):
        found = {
            f.name: dataclasses.replace(f, union_members=union_members(code), unit=code)
            for f in gnuc.cut_all_functions(code, "t.c")
        }
        sides.append(found)
    works = [
        FunctionWork(FunctionChange("t.c", name, "changed"), "tree", sides[0][name], sides[1][name])
        for name in sides[0]
        if name in sides[1] and sides[0][name].text != sides[1][name].text
    ]
    results = check_patches([PatchWork("p", None, works)], Options(budget_s=10))
    return {r.function: r.verdict for r in results}
