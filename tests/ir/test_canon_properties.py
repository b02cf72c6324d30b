"""Laws of the canonical form, checked on generated kernel-style functions.

Renaming labels or locals, reordering the labelled blocks and inverting if/else never
change the canonical IR; flipping an operator in an assignment that always runs does.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from equivcheck.ir.text import canonical_text

from .helpers import ir_of

CALLS = ["folio_test_dirty", "folio_ref_count", "folio_mapcount", "folio_test_anon"]
EFFECTS = ["folio_set_swapbacked", "folio_put", "mlock_drain_local_for"]
OPS = ["+", "-", "&", "|", "<", ">", "==", "!="]
FLIP = {"+": "-", "-": "+", "&": "|", "|": "&", "<": "<=", ">": ">=", "==": "!=", "!=": "=="}


@dataclass
class Chunk:
    """One labelled stretch: simple statements, then a goto or a return."""

    stmts: list[tuple[str, ...]]
    end: tuple[str, ...]


@dataclass
class Func:
    nlocals: int
    chunks: list[Chunk]


def _operand(nlocals: int) -> st.SearchStrategy[str]:
    names = [f"@L{i}" for i in range(nlocals)] + ["a", "b", "3"]
    return st.sampled_from(names)


@st.composite
def functions(draw: st.DrawFn) -> Func:
    nlocals = draw(st.integers(1, 4))
    nchunks = draw(st.integers(1, 5))
    chunks = []
    for index in range(nchunks):
        stmts: list[tuple[str, ...]] = []
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["assign", "call", "effect", "if"]))
            dst = f"@L{draw(st.integers(0, nlocals - 1))}"
            x, y = draw(_operand(nlocals)), draw(_operand(nlocals))
            op = draw(st.sampled_from(OPS))
            if kind == "assign":
                stmts.append(("assign", dst, x, op, y))
            elif kind == "call":
                stmts.append(("call", dst, draw(st.sampled_from(CALLS))))
            elif kind == "effect":
                stmts.append(("effect", draw(st.sampled_from(EFFECTS))))
            elif nchunks > 1:
                target = draw(st.integers(1, nchunks - 1))
                stmts.append(("if", x, op, y, f"@C{target}"))
        if index < nchunks - 1 and draw(st.booleans()):
            end: tuple[str, ...] = ("goto", f"@C{draw(st.integers(1, nchunks - 1))}")
        else:
            end = ("return", draw(_operand(nlocals)))
        chunks.append(Chunk(stmts, end))
    return Func(nlocals, chunks)


def render(
    func: Func,
    local_names: list[str],
    label_names: list[str],
    order: list[int],
    invert: bool = False,
    flip_first: bool = False,
) -> str:
    """C text of ``func`` with the given names, chunk order and variations."""

    def name(token: str) -> str:
        if token.startswith("@L"):
            return local_names[int(token[2:])]
        if token.startswith("@C"):
            return label_names[int(token[2:])]
        return token

    lines = ["int f(struct folio *folio, int a, int b)", "{"]
    lines += [f"\tint {n} = 0;" for n in local_names]
    flipped = False
    for position, index in enumerate([0, *order]):
        chunk = func.chunks[index]
        if position > 0:
            lines.append(f"{label_names[index]}:")
        for stmt in chunk.stmts:
            kind = stmt[0]
            if kind == "assign":
                _, dst, x, op, y = stmt
                if flip_first and index == 0 and not flipped:
                    op, flipped = FLIP[op], True
                lines.append(f"\t{name(dst)} = {name(x)} {op} {name(y)};")
            elif kind == "call":
                lines.append(f"\t{name(stmt[1])} = {stmt[2]}(folio);")
            elif kind == "effect":
                lines.append(f"\t{stmt[1]}(folio);")
            else:
                _, x, op, y, target = stmt
                cond = f"{name(x)} {op} {name(y)}"
                if invert:
                    lines.append(f"\tif (!({cond})) {{ }} else {{ goto {name(target)}; }}")
                else:
                    lines.append(f"\tif ({cond}) goto {name(target)};")
        if chunk.end[0] == "goto":
            lines.append(f"\tgoto {name(chunk.end[1])};")
        else:
            lines.append(f"\treturn {name(chunk.end[1])};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _names(prefix: str, n: int, salt: int) -> list[str]:
    return [f"{prefix}{salt}_{i}" for i in range(n)]


@given(functions(), st.integers(1, 10**6), st.randoms())
@settings(max_examples=150, deadline=None)
def test_renaming_and_reordering_keep_the_canonical_form(
    func: Func, salt: int, rnd: object
) -> None:
    import random

    assert isinstance(rnd, random.Random)
    n = len(func.chunks)
    base = render(func, _names("x", func.nlocals, 0), _names("l", n, 0), list(range(1, n)))
    local_names = _names("loc", func.nlocals, salt)
    rnd.shuffle(local_names)
    order = list(range(1, n))
    rnd.shuffle(order)
    label_names = _names("lab", n, salt)
    rnd.shuffle(label_names)
    other = render(func, local_names, label_names, order, invert=rnd.random() < 0.5)
    assert canonical_text(ir_of(base)) == canonical_text(ir_of(other)), (base, other)


@given(functions())
@settings(max_examples=150, deadline=None)
def test_an_operator_flip_on_running_code_changes_the_canonical_form(func: Func) -> None:
    # Flips go into assignments of the entry chunk: a flipped branch condition whose
    # arms meet at once is a real no-op and folds away.
    has_op = any(s[0] == "assign" for s in func.chunks[0].stmts)
    n = len(func.chunks)
    names, labels = _names("x", func.nlocals, 0), _names("l", n, 0)
    base = render(func, names, labels, list(range(1, n)))
    flipped = render(func, names, labels, list(range(1, n)), flip_first=True)
    if has_op:
        assert canonical_text(ir_of(base)) != canonical_text(ir_of(flipped)), flipped
    else:
        assert base == flipped
