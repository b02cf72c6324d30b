"""One graph for all the regions of a version of a function (patch-alone mode).

The regions a patch shows are disjoint stretches of the same function. Joined into one
graph, a ``goto`` out of one region to a label another region defines continues there
(``goto out_abort`` into the shown ``out_abort:`` block), instead of ending at an exit
whose meaning is unknown. Each region's start is an entry point named ``@regionN``;
its remaining exits (to labels the patch does not show, falling off its end, ``break``
and ``continue``) carry the region's name, since each continues at a different place.
"""

from __future__ import annotations

import dataclasses

from equivcheck.ir.canon import map_locals, retarget
from equivcheck.ir.model import Block, Exit, Graph, Jump, Local

REGION = "@region"


def region_label(number: int) -> str:
    """The entry name of region ``number`` (1-based)."""
    return f"{REGION}{number}"


def combine_regions(graphs: list[Graph], *, name: str, file: str) -> Graph:
    """The regions of one version as one graph with an entry per region and label."""
    blocks: dict[int, Block] = {}
    labels: dict[str, int] = {}
    locals_: list[Local] = []
    unsupported = []
    outer: set[str] = set()
    ends: dict[int, str] = {}
    block_offset = 0
    for number, graph in enumerate(graphs, start=1):
        local_offset = len(locals_)

        def shift(local: Local, offset: int = local_offset) -> Local:
            return dataclasses.replace(local, index=local.index + offset)

        for local in graph.locals:
            locals_.append(shift(local))
        moved = {old: old + block_offset for old in graph.blocks}
        for old, block in graph.blocks.items():
            stmts = [map_locals(s, shift) for s in block.stmts]
            term = retarget(map_locals(block.terminator, shift), moved.__getitem__)
            blocks[moved[old]] = Block(moved[old], stmts, term)
            ends[moved[old]] = region_label(number)
        labels[region_label(number)] = moved[graph.entry]
        for label, target in graph.labels.items():
            labels[label] = moved[target]
        unsupported.extend(graph.unsupported)
        outer.update(graph.outer_names)
        block_offset += max(graph.blocks, default=-1) + 1
    for index, block in blocks.items():
        term = block.terminator
        if not isinstance(term, Exit):
            continue
        if term.kind == "goto" and term.label in labels:
            block.terminator = Jump(labels[term.label], loc=term.loc)
        elif term.kind != "goto":
            block.terminator = Exit(term.kind, label=ends[index], loc=term.loc)
    first = graphs[0] if graphs else None
    return Graph(
        name=name,
        kind="region",
        file=file,
        params=[],
        return_type=first.return_type if first else "",
        blocks=blocks,
        entry=labels.get(region_label(1), 0),
        locals=locals_,
        unsupported=unsupported,
        outer_names=sorted(outer),
        labels=labels,
    )
