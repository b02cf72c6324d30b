"""Laws of the engine on generated kernel-style functions.

Random label and local renaming, reordering of labelled blocks and if/else inversion
are EQUIVALENT (proved); flipping the operator of an expression whose value is always
observed (an argument of the first call) is never EQUIVALENT.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ir.test_canon_properties import CALLS, EFFECTS, FLIP, OPS, Chunk, Func, render

from .engine import verdict_of

FLIPPABLE = [op for op in OPS if op not in {"&", "|"}] + ["&"]


@st.composite
def acyclic_functions(draw: st.DrawFn) -> Func:
    """Like the IR generator, but gotos only go forward (no loops to bound)."""
    nlocals = draw(st.integers(1, 3))
    nchunks = draw(st.integers(1, 4))
    names = [f"@L{i}" for i in range(nlocals)] + ["a", "b", "3"]
    chunks = []
    for index in range(nchunks):
        stmts: list[tuple[str, ...]] = []
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["assign", "call", "effect", "if"]))
            dst = f"@L{draw(st.integers(0, nlocals - 1))}"
            x, y = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            op = draw(st.sampled_from(OPS))
            if kind == "assign":
                stmts.append(("assign", dst, x, op, y))
            elif kind == "call":
                stmts.append(("call", dst, draw(st.sampled_from(CALLS))))
            elif kind == "effect":
                stmts.append(("effect", draw(st.sampled_from(EFFECTS))))
            elif index < nchunks - 1:
                target = draw(st.integers(index + 1, nchunks - 1))
                stmts.append(("if", x, op, y, f"@C{target}"))
        if index < nchunks - 1 and draw(st.booleans()):
            end: tuple[str, ...] = ("goto", f"@C{draw(st.integers(index + 1, nchunks - 1))}")
        else:
            end = ("return", draw(st.sampled_from(names)))
        chunks.append(Chunk(stmts, end))
    return Func(nlocals, chunks)


def _names(prefix: str, n: int, salt: int) -> list[str]:
    return [f"{prefix}{salt}_{i}" for i in range(n)]


@given(acyclic_functions(), st.integers(1, 10**6), st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_renaming_reordering_and_inversion_are_equivalent(
    func: Func, salt: int, rnd: random.Random
) -> None:
    n = len(func.chunks)
    base = render(func, _names("x", func.nlocals, 0), _names("l", n, 0), list(range(1, n)))
    local_names = _names("v", func.nlocals, salt)
    rnd.shuffle(local_names)
    order = list(range(1, n))
    rnd.shuffle(order)
    labels = _names("out", n, salt)
    rnd.shuffle(labels)
    other = render(func, local_names, labels, order, invert=rnd.random() < 0.5)
    outcome = verdict_of(base, other)
    assert outcome.verdict == "equivalent", (outcome.reason, base, other)


@given(acyclic_functions(), st.sampled_from(FLIPPABLE))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_an_observed_operator_flip_is_never_equivalent(func: Func, op: str) -> None:
    n = len(func.chunks)
    names, labels = _names("x", func.nlocals, 0), _names("l", n, 0)
    body = render(func, names, labels, list(range(1, n)))
    head, rest = body.split("{\n", 1)
    base = f"{head}{{\n\trecord_value(folio, a {op} b);\n{rest}"
    flipped = f"{head}{{\n\trecord_value(folio, a {FLIP[op]} b);\n{rest}"
    outcome = verdict_of(base, flipped)
    assert outcome.verdict == "different", (outcome.reason, flipped)
