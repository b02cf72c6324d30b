"""Which locals are live at the start of each block: read on some path from there
before being assigned as a whole.

The analysis errs towards *live*: any mention of a local counts as a read except a
whole-value assignment to it (``x = ...``, ``x = f(...)``); a field write, an asm output
or an address taken keeps it live. Callers use it to decide what must be equal at a
loop head, so an extra live local costs precision, never soundness.
"""

from __future__ import annotations

from equivcheck.ir.canon import iter_nodes
from equivcheck.ir.model import Assign, Call, Graph, Local, Stmt


def live_in(graph: Graph) -> dict[int, frozenset[int]]:
    """For each block of ``graph``, the indices of the locals live at its start."""
    uses: dict[int, frozenset[int]] = {}
    kills: dict[int, frozenset[int]] = {}
    for index, block in graph.blocks.items():
        live: set[int] = set(_mentioned(block.terminator))
        killed: set[int] = set()
        for stmt in reversed(block.stmts):
            target = _whole_target(stmt)
            if target is not None:
                live.discard(target)
                killed.add(target)
            live |= _read(stmt, target)
        uses[index] = frozenset(live)
        kills[index] = frozenset(killed - live)
    result: dict[int, frozenset[int]] = {i: frozenset() for i in graph.blocks}
    changed = True
    while changed:
        changed = False
        for index in sorted(graph.blocks, reverse=True):
            out: set[int] = set()
            for succ in graph.successors(index):
                out |= result.get(succ, frozenset())
            new = uses[index] | (frozenset(out) - kills[index])
            if new != result[index]:
                result[index] = new
                changed = True
    return result


def _whole_target(stmt: Stmt) -> int | None:
    """The local a statement assigns as a whole, if any."""
    target = getattr(stmt, "target", None) if isinstance(stmt, Assign | Call) else None
    return target.index if isinstance(target, Local) else None


def _read(stmt: Stmt, target: int | None) -> set[int]:
    """Locals a statement mentions, but for the whole-value target of an assignment."""
    if target is None:
        return _mentioned(stmt)
    assert isinstance(stmt, Assign | Call)
    parts: list[object] = [stmt.value] if isinstance(stmt, Assign) else [stmt.callee, stmt.args]
    found: set[int] = set()
    for part in parts:
        found |= _mentioned(part)
    return found


def _mentioned(node: object) -> set[int]:
    return {n.index for n in iter_nodes(node) if isinstance(n, Local)}
