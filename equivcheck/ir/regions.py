"""One graph for all the regions of a version of a function (patch-alone mode).

Locals a region declares at its outermost scope may stay live after it: they are the
graph's ``exported`` locals, each with a key pairing it with its counterpart in the
other version (``pos:rR:K``, the K-th declaration of region R, until
``pair_exports`` finds the same name in both) and whether another region uses it
(another region's use of the same name refers to it).

The regions a patch shows are disjoint stretches of the same function. Joined into one
graph, a ``goto`` out of one region to a label another region defines continues there
(``goto out_abort`` into the shown ``out_abort:`` block), instead of ending at an exit
whose meaning is unknown. Each region's start is an entry point named ``@regionN``;
its remaining exits (to labels the patch does not show, falling off its end, ``break``
and ``continue``) carry the region's name, since each continues at a different place.
"""

from __future__ import annotations

import dataclasses

from equivcheck.ir.canon import map_locals, map_nodes, retarget
from equivcheck.ir.model import Block, Exit, Global, Graph, Jump, Local

REGION = "@region"


def region_label(number: int) -> str:
    """The entry name of region ``number`` (1-based)."""
    return f"{REGION}{number}"


def combine_regions(
    graphs: list[Graph],
    *,
    name: str,
    file: str,
    entered: list[bool] | None = None,
    loop_bodies: list[bool] | None = None,
) -> Graph:
    """The regions of one version as one graph with an entry per region start that
    control can fall into (``entered``, default all) and per label. In a region that is
    a whole loop body (``loop_bodies``), ``continue`` leaves as its end does."""
    blocks: dict[int, Block] = {}
    labels: dict[str, int] = {}
    locals_: list[Local] = []
    unsupported = []
    outer: set[str] = set()
    ends: dict[int, str] = {}
    exported: list[int] = []
    keys: list[str] = []
    declared: list[str] = []
    block_offset = 0
    for number, graph in enumerate(graphs, start=1):
        local_offset = len(locals_)

        def shift(local: Local, offset: int = local_offset) -> Local:
            return dataclasses.replace(local, index=local.index + offset)

        for local in graph.locals:
            locals_.append(shift(local))
        for position, index in enumerate(graph.exported):
            exported.append(index + local_offset)
            keys.append(f"pos:r{number}:{position}")
            declared.append(region_label(number))
        moved = {old: old + block_offset for old in graph.blocks}
        for old, block in graph.blocks.items():
            stmts = [map_locals(s, shift) for s in block.stmts]
            term = retarget(map_locals(block.terminator, shift), moved.__getitem__)
            blocks[moved[old]] = Block(moved[old], stmts, term)
            ends[moved[old]] = region_label(number)
        if entered is None or entered[number - 1]:
            labels[region_label(number)] = moved[graph.entry]
        for label, target in graph.labels.items():
            labels[label] = moved[target]
        unsupported.extend(graph.unsupported)
        outer.update(graph.outer_names)
        block_offset += max(graph.blocks, default=-1) + 1
    used = _bind_exported_names(blocks, locals_, exported)
    for index, block in blocks.items():
        term = block.terminator
        if not isinstance(term, Exit):
            continue
        if term.kind == "goto" and term.label in labels:
            block.terminator = Jump(labels[term.label], loc=term.loc)
        elif term.kind != "goto":
            kind = term.kind
            if kind == "continue" and loop_bodies and loop_bodies[_number(ends[index]) - 1]:
                kind = "fallthrough"
            block.terminator = Exit(kind, label=ends[index], loc=term.loc)
    first = graphs[0] if graphs else None
    return Graph(
        name=name,
        kind="region",
        file=file,
        params=[],
        return_type=first.return_type if first else "",
        blocks=blocks,
        entry=moved_entry(labels, blocks),
        locals=locals_,
        unsupported=unsupported,
        outer_names=sorted(outer - {locals_[i].name for i in exported}),
        labels=labels,
        exported=exported,
        export_keys=keys,
        export_used=[index in used for index in exported],
        export_declared=declared,
    )


def _number(label: str) -> int:
    """The region number of an entry name made by :func:`region_label`."""
    return int(label.removeprefix(REGION))


def moved_entry(labels: dict[str, int], blocks: dict[int, Block]) -> int:
    """The graph's nominal entry: the first region start or label there is."""
    for label, block in labels.items():
        if label.startswith(REGION):
            return block
    return next(iter(labels.values()), min(blocks, default=0))


def pair_exports(before: Graph, after: Graph) -> None:
    """Key the exported locals both versions declare under the same name by that name
    (in place), so they pair even when their positions differ."""
    names_b = {before.locals[i].name for i in before.exported}
    names_a = {after.locals[i].name for i in after.exported}
    for graph in (before, after):
        for position, index in enumerate(graph.exported):
            name = graph.locals[index].name
            if name in names_b and name in names_a:
                graph.export_keys[position] = f"name:{name}"


def _bind_exported_names(
    blocks: dict[int, Block], locals_: list[Local], exported: list[int]
) -> set[int]:
    """A region's use of a name another region declares (once) at its outermost scope
    means that local, not an outer variable. Returns the locals so used."""
    names: dict[str, list[int]] = {}
    for index in exported:
        names.setdefault(locals_[index].name, []).append(index)
    unique = {name: locals_[found[0]] for name, found in names.items() if len(found) == 1}

    used: set[int] = set()

    def bind(node: Global) -> Global | Local:
        local = unique.get(node.name)
        if local is None:
            return node
        used.add(local.index)
        return local

    for index, block in blocks.items():
        stmts = [map_nodes(s, Global, bind) for s in block.stmts]
        blocks[index] = Block(index, stmts, map_nodes(block.terminator, Global, bind))
    return used
