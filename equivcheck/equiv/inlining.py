"""Unchanged functions of the translation unit inlined where two versions differ at
calls to them (tree mode).

A call to a function with no model is an opaque event, so ``trylock_page(page)`` against
``folio_trylock(page_folio(page))``, or a configuration stub that one version no longer
calls, look like different behaviour. In tree mode the unit holds the bodies of the
file's ``static`` functions and of every ``static inline`` one of the headers: inlining
them is the C semantics, not an assumption. Inlining everything would explode the paths
(and lose the models of the kernel's primitives), so only the functions that explain a
difference are chosen: the names the two versions call (through what is inlined) are
compared as sets, and a function is inlined in both versions when that makes the sets
closer, one at a time, the best first, until they agree or nothing helps.

A function with a model keeps it unless the model is ``pure`` (a value of its arguments,
no state it reads or writes in the table, so its body cannot disagree with another
model): ``folio_nr_pages()``'s body tests ``folio_test_large()``, which a version may
call directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from equivcheck.equiv.footprints import body_graph, unit_definition
from equivcheck.ir.model import Graph
from equivcheck.symex.spec import Model

MAX_INLINED = 8
"""How many of the unit's functions one comparison may inline."""
MAX_DEPTH = 3
"""How deep the names a function calls are followed through inlined bodies."""


@dataclass(frozen=True)
class UnitInline:
    """The unit's bodies chosen for inlining, per version, and their sources."""

    before: dict[str, Graph]
    after: dict[str, Graph]
    sources: dict[str, str]

    def describe(self) -> list[str]:
        """One entry per function, for the report's list of inlined helpers."""
        return [
            f"{name} (from the translation unit, {self.sources[name]})"
            for name in sorted(self.sources)
        ]


@dataclass(frozen=True)
class VersionCalls:
    """One version: the compared graph, the helpers it inlines anyway, and how to find
    an inlinable body of the unit by name."""

    graph: Graph
    helpers: Mapping[str, Graph]
    body: Callable[[str], Graph | None]

    def names(self, inlined: frozenset[str]) -> set[str]:
        """The names this version calls, through its helpers and the bodies of
        ``inlined``."""
        out: set[str] = set()
        todo = [(name, 0) for name in self.graph.called_names()]
        seen: set[str] = set()
        while todo:
            name, depth = todo.pop()
            body = self.helpers.get(name)
            if body is None and name in inlined and depth < MAX_DEPTH:
                body = self.body(name)
            if body is not None:
                if name not in seen:
                    seen.add(name)
                    todo.extend((inner, depth + 1) for inner in body.called_names())
                continue
            out.add(name)
        return out


def choose(before: VersionCalls, after: VersionCalls, exclude: frozenset[str]) -> list[str]:
    """The functions to inline, best first: each one makes the two versions' called
    names closer (their symmetric difference smaller)."""
    chosen: frozenset[str] = frozenset()
    order: list[str] = []
    while len(order) < MAX_INLINED:
        b, a = before.names(chosen), after.names(chosen)
        distance = len(b ^ a)
        if not distance:
            break
        best: tuple[int, str] | None = None
        for name in sorted((b | a) - chosen - exclude):
            if before.body(name) is None or after.body(name) is None:
                continue
            trial = chosen | {name}
            score = len(before.names(trial) ^ after.names(trial))
            if score < distance and (best is None or score < best[0]):
                best = (score, name)
        if best is None:
            break
        chosen |= {best[1]}
        order.append(best[1])
    return order


def seen_through(
    opaque: tuple[str, ...], sides: tuple[VersionCalls, VersionCalls], exclude: frozenset[str]
) -> list[str]:
    """The calls in ``opaque`` that both versions' units can inline, and, breadth
    first, the inlinable functions their bodies call: what decides whether the state
    such a call sees matters (a member written before ``list_del()`` that it reads)."""
    order: list[str] = []
    todo = [(name, 0) for name in opaque]
    while todo and len(order) < MAX_INLINED:
        name, depth = todo.pop(0)
        if name in exclude or name in order:
            continue
        bodies = [side.body(name) for side in sides]
        if any(body is None for body in bodies):
            continue
        order.append(name)
        if depth + 1 < MAX_DEPTH:
            todo += [(inner, depth + 1) for b in bodies if b for inner in b.called_names()]
    return order


def inlinable(unit: str, models: Mapping[str, Model]) -> Callable[[str], Graph | None]:
    """How to find, by name, a body of ``unit`` that may be inlined: a ``static``
    function the IR reads whole, with no model or a ``pure`` one."""
    cache: dict[str, Graph | None] = {}

    def find(name: str) -> Graph | None:
        if name not in cache:
            cache[name] = _inlinable(unit, name, models)
        return cache[name]

    return find


def _inlinable(unit: str, name: str, models: Mapping[str, Model]) -> Graph | None:
    model = models.get(name)
    if model is not None and (model.kind != "pure" or model.noreturn or model.result is not None):
        return None
    func = unit_definition(unit, name)
    if func is None or not _STATIC.search(func.text.split("(", 1)[0]):
        return None
    if _NOT_INLINED.search(func.text):
        return None
    graph = body_graph(unit, name)
    if not isinstance(graph, Graph) or graph.unsupported:
        return None
    return graph


def _straight(graph: Graph) -> bool:
    """Whether ``graph`` runs straight through: no branch, no switch."""
    return all(len(graph.successors(index)) <= 1 for index in graph.blocks)


_STATIC = re.compile(r"\bstatic\b")
_NOT_INLINED = re.compile(
    r"\b(?:noinline|__noinline__|__builtin_return_address|__builtin_frame_address|volatile)\b"
)
"""What keeps a body out: its own frame is part of what it does (``noinline``, the
return address), or it accesses memory as volatile (``READ_ONCE()`` expanded), which
the executor reads as plain memory outside the kept macros."""


def unit_inline(
    before: tuple[Graph, Mapping[str, Graph]],
    after: tuple[Graph, Mapping[str, Graph]],
    units: tuple[str, str],
    models: Mapping[str, Model],
    exclude: frozenset[str],
    values: frozenset[str] = frozenset(),
    opaque: tuple[str, ...] = (),
) -> UnitInline | None:
    """The unit functions to inline so that the versions' calls agree better, and the
    ``values`` (functions whose bodies write nothing) that run straight through: their
    result is then what the body computes (a configuration stub's ``false``), not any
    value (None: nothing to inline). ``before``/``after``: each version's graph and the
    helpers it inlines; ``units``: the before and after translation units; ``exclude``:
    names never to inline; ``opaque``: calls without a model a difference may rest on
    (the state they see differs), inlined with what they call in turn."""
    sides = (
        VersionCalls(*before, inlinable(units[0], models)),
        VersionCalls(*after, inlinable(units[1], models)),
    )
    names = choose(*sides, exclude)
    names += [n for n in seen_through(opaque, sides, exclude) if n not in names]
    del names[MAX_INLINED:]
    called = sides[0].names(frozenset(names)) | sides[1].names(frozenset(names))
    names += [
        name
        for name in sorted((values & called) - exclude - set(names))
        if all((body := side.body(name)) is not None and _straight(body) for side in sides)
    ]
    if not names:
        return None
    # (the executor inlines a chosen function at every call, at any depth)
    found = {name: (sides[0].body(name), sides[1].body(name)) for name in names}
    sources: dict[str, str] = {}
    for name in found:
        func = unit_definition(units[1], name)
        sources[name] = f"{func.file}:{func.start_line}" if func else "?"
    return UnitInline(
        {n: g for n, (g, _) in found.items() if g is not None},
        {n: g for n, (_, g) in found.items() if g is not None},
        sources,
    )
