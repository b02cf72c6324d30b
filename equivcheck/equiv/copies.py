"""What the code above a changed part sets equal: locals that copy a field at the
function's start and are never written again.

A changed part is compared from an arbitrary state, so its difference may need a start
the function never reaches: ``filp`` and ``iocb->ki_filp`` apart, where the function
begins with ``struct file *filp = iocb->ki_filp;``. Such a copy is a fact at the part's
start unless something between changed the field (a call the engine does not model, a
write the code makes to a field of that name): a difference that holds only when the
copy and its source are apart needs that change, and is no counterexample from the
function's start (a benign run starts with them: symex/execute.py; docs/semantics.md, "The changed
part").

Only a copy made in the function's first block (run before anything else), identical
in both versions, of a chain of ``->`` reads from a parameter or from another such
copy, into a local whose address is never taken and which nothing else writes, where
no statement writes a field of any name on the chain, counts. The copies serve only to
take a DIFFERENT back to UNKNOWN, never to prove.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from equivcheck.ir.canon import graph_nodes
from equivcheck.ir.escape import lvalue_root
from equivcheck.ir.model import (
    AddrOf,
    AsmStmt,
    Assign,
    Call,
    Deref,
    Expr,
    Field,
    Global,
    Graph,
    Local,
    Param,
)


def entry_copies(before: Graph, after: Graph) -> dict[str, Expr]:
    """Local name -> the field chain it copies, rooted at parameters and written as a
    changed part names its outer variables (``Global`` nodes: ``iocb->ki_filp`` for
    ``filp``, ``iocb->ki_filp->f_mapping`` for ``mapping = filp->f_mapping``), for the
    copies both whole versions make alike (empty: none)."""
    a, b = _copies(before), _copies(after)
    return {name: path for name, path in a.items() if b.get(name) == path}


def _copies(graph: Graph) -> dict[str, Expr]:
    written, fields, addressed = _writes(graph)
    taken = {local.index for local in graph.locals if local.address_taken}
    found: dict[str, Expr] = {}
    known: dict[int, Expr] = {}
    for stmt in graph.blocks[graph.entry].stmts:
        if not isinstance(stmt, Assign) or not isinstance(stmt.target, Local):
            continue
        local = stmt.target
        if not local.name or local.temp or local.index in taken or written[local.index] != 1:
            continue
        path = _chain(stmt.value, known, _Writes(fields, addressed, written))
        if path is not None:
            found[local.name] = known[local.index] = path
    return found


@dataclass(frozen=True)
class _Writes:
    fields: set[str]
    addressed: set[int]
    written: Counter[int]


def _chain(e: Expr, known: dict[int, Expr], writes: _Writes) -> Expr | None:
    """``e`` as a chain of ``->`` reads from parameters (copies replaced by what they
    copy), or None when it is not one: from a parameter nothing writes nor takes the
    address of, through fields nothing writes by name."""
    match e:
        case Field(base=Deref(addr=inner), name=name) if name not in writes.fields:
            base = _chain(inner, known, writes)
            return None if base is None else Field(Deref(base), name)
        case Param(index=index, name=name) if name:
            if index in writes.addressed or writes.written[-1 - index]:
                return None
            return Global(name)
        case Local(index=index):
            return known.get(index)
    return None


def _writes(graph: Graph) -> tuple[Counter[int], set[str], set[int]]:
    """How often each local is written (a parameter ``k`` counted as ``-1 - k``), the
    field names written anywhere, and the parameters whose address is taken."""
    written: Counter[int] = Counter()
    fields: set[str] = set()
    addressed: set[int] = set()
    for node in graph_nodes(graph):
        for target in _targets(node):
            root = lvalue_root(target)
            if isinstance(root, Local):
                written[root.index] += 1
            elif isinstance(root, Param):
                written[-1 - root.index] += 1
            if isinstance(target, Field):
                fields.add(target.name)
        if isinstance(node, AddrOf) and isinstance(root := lvalue_root(node.lvalue), Param):
            addressed.add(root.index)
    return written, fields, addressed


def _targets(node: object) -> list[Expr]:
    """The lvalues a statement writes (an ``asm goto``'s outputs are its ``asm``'s)."""
    if isinstance(node, Assign):
        return [node.target]
    if isinstance(node, Call):
        return [node.target] if node.target is not None else []
    if isinstance(node, AsmStmt):
        return [op.expr for op in node.outputs]
    return []
