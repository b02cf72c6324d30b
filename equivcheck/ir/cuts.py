"""Cut a graph at its loop heads, for the inductive loop rule (docs/semantics.md).

Every edge into a loop head is redirected to a block that leaves the graph by an
``Exit("cut", label)``, and the head becomes an entry point under that label
(``@loop1``, ``@loop2``, ... in depth-first order from the entry points). What is left
between cuts has no cycles, so each stretch can be executed completely: from the start
or from a loop head to the next loop head or to an exit. The locals live at a loop head
are added to the graph's exported locals (values carried in at that head, compared where
a stretch reaches it); address-taken locals live in memory and are not among them.
"""

from __future__ import annotations

import dataclasses

from equivcheck.ir.canon import block_order, find_loops, graph_nodes, retarget
from equivcheck.ir.ctype import is_aggregate
from equivcheck.ir.liveness import live_in
from equivcheck.ir.model import AddrOf, Block, Exit, Field, Graph, Param

CUT = "@loop"


def cut_label(number: int) -> str:
    """The entry name of the head of loop ``number`` (1-based, in block order)."""
    return f"{CUT}{number}"


def cut_loops(graph: Graph) -> Graph | str:
    """``graph`` cut at its loop heads, or why it cannot be (no loops, or a construct
    the rule cannot carry across a loop head)."""
    loops = find_loops(graph)
    if not loops:
        return "no loops"
    problem = _refuse(graph)
    if problem:
        return problem
    order = block_order(graph)
    heads = sorted({loop.header for loop in loops}, key=order.index)
    # (an address-taken local lives in memory, compared with the rest of memory)
    live = {
        block: frozenset(i for i in found if not graph.locals[i].address_taken)
        for block, found in live_in(graph).items()
    }
    for head in heads:
        for index in live[head]:
            local = graph.locals[index]
            if is_aggregate(local.ctype):
                return f"struct local {local.name or index} is live at a loop head"
    next_block = max(graph.blocks) + 1
    head_cut: dict[int, int] = {}
    labels = dict(graph.labels)
    blocks: dict[int, Block] = {}
    cut_live: dict[str, frozenset[int]] = {}
    for number, head in enumerate(heads, start=1):
        label = cut_label(number)
        head_cut[head] = next_block
        loc = getattr(graph.blocks[head].terminator, "loc", None)
        blocks[next_block] = Block(next_block, [], Exit("cut", label=label, loc=loc))
        labels[label] = head
        cut_live[label] = live[head]
        next_block += 1
    for index, block in graph.blocks.items():
        term = retarget(block.terminator, lambda t: head_cut.get(t, t))
        blocks[index] = Block(index, list(block.stmts), term)
    exported = list(graph.exported)
    keys = list(graph.export_keys)
    used = list(graph.export_used)
    declared = list(graph.export_declared) or [""] * len(exported)
    every_live = sorted(set().union(*cut_live.values()))
    for position, index in enumerate(exported):
        if index in every_live:
            used[position] = True  # compared wherever a stretch reaches a loop head
    for index in every_live:
        if index not in exported:
            exported.append(index)
            keys.append(f"cut:{index}")
            used.append(True)
            declared.append(CUT)
    return dataclasses.replace(
        graph,
        blocks=blocks,
        labels=labels,
        loops=[],
        exported=exported,
        export_keys=keys,
        export_used=used,
        export_declared=declared,
        cut_live=cut_live,
    )


def _refuse(graph: Graph) -> str:
    """Constructs whose state the rule cannot carry across a loop head: a parameter's
    memory object is named per stretch, so equal memory at a head would not mean equal
    objects. (Address-taken locals are named by the pairing instead: ``object_keys``.)"""
    for node in graph_nodes(graph):
        if isinstance(node, AddrOf) and _root_is_param(node.lvalue):
            return "the address of a parameter is taken"
    return ""


def _root_is_param(node: object) -> bool:
    """Whether ``node`` is a parameter or a member of one (a struct passed by value)."""
    while isinstance(node, Field):
        node = node.base
    return isinstance(node, Param)
