"""The inductive loop rule (docs/semantics.md, "Loops").

Unrolling a loop to a bound can find a difference but never prove equivalence. The
inductive rule can: cut both versions at their loop heads (``ir.cuts``), pair the loop
heads in order and the locals live there, and compare every stretch between cuts
starting from the *same arbitrary state*. If every stretch from the start or from a loop
head reaches the same loop head or exit in both versions, with the same effects, equal
paired locals, parameters and shared state, then by induction on the number of loop
heads an execution passes, the whole executions agree, however many iterations run.

A stretch that does not agree proves nothing (its starting state may be unreachable):
the rule then gives up and the unrolled comparison's verdict stands.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from equivcheck.equiv.compare import Outcome, Side, compare
from equivcheck.ir.cuts import CUT, cut_loops
from equivcheck.ir.model import Graph
from equivcheck.limits import DEFAULT_LIMITS

Pairing = str  # "name" or "position"


def compare_with_induction(
    before: Side,
    after: Side,
    label_map: Mapping[str, str] | None = None,
    timeout_ms: int = DEFAULT_LIMITS.timeout_ms,
) -> Outcome:
    """``compare``, then, when the verdict is UNKNOWN and the versions have loops, the
    inductive rule: EQUIVALENT if it proves them so, else the first verdict with the
    reason the rule failed."""
    outcome = compare(before, after, label_map, timeout_ms)
    if outcome.verdict != "unknown":
        return outcome
    proof = prove_by_induction(before, after, label_map, timeout_ms)
    if isinstance(proof, Outcome):
        return proof
    if proof:
        outcome.reason = f"{outcome.reason}; the inductive loop rule failed: {proof}"
    return outcome


def prove_by_induction(
    before: Side,
    after: Side,
    label_map: Mapping[str, str] | None = None,
    timeout_ms: int = DEFAULT_LIMITS.timeout_ms,
) -> Outcome | str:
    """An EQUIVALENT outcome proved by the inductive rule, or why it does not apply or
    failed ("" when neither version has a loop)."""
    cut_a, cut_b = cut_loops(before.graph), cut_loops(after.graph)
    if cut_a == "no loops" and cut_b == "no loops":
        return ""
    if isinstance(cut_a, str):
        return f"the before version: {cut_a}"
    if isinstance(cut_b, str):
        return f"the after version: {cut_b}"
    heads_a, heads_b = _heads(cut_a), _heads(cut_b)
    if len(heads_a) != len(heads_b):
        return f"the versions have {len(heads_a)} and {len(heads_b)} loops"
    failures: list[str] = []
    tried: list[tuple[list[str], list[str]]] = []
    for pairing in ("name", "position"):
        graph_a, graph_b, pairs = _pair_live_locals(cut_a, cut_b, pairing)
        if (graph_a.export_keys, graph_b.export_keys) in tried:
            continue  # the same pairing as before
        tried.append((graph_a.export_keys, graph_b.export_keys))
        outcome = compare(
            Side(graph_a, before.config), Side(graph_b, after.config), label_map, timeout_ms
        )
        if outcome.verdict == "equivalent":
            locals_text = (
                f", the locals live at the loop heads paired by {pairing} ({', '.join(pairs)})"
                if pairs
                else ""
            )
            outcome.reason = (
                f"proved by the inductive loop rule: the {len(heads_a)} loop(s) of each "
                f"version paired in order{locals_text}; from equal state at the start "
                f"and at each loop head, {outcome.reason}"
            )
            return outcome
        failures.append(f"pairing locals by {pairing}: {outcome.reason}")
    return "; ".join(failures)


def _heads(graph: Graph) -> list[str]:
    return [label for label in graph.labels if label.startswith(CUT)]


def _pair_live_locals(a: Graph, b: Graph, pairing: Pairing) -> tuple[Graph, Graph, list[str]]:
    """Copies of the cut graphs whose loop-live locals are keyed so that paired locals
    share a key (their values at a loop head are the same symbol, and are compared
    where a stretch reaches one). Unpaired locals get keys of their own and are not
    compared: their value at a loop head is arbitrary."""
    live_a, live_b = _cut_locals(a), _cut_locals(b)
    pairs = _pair(a, b, live_a, live_b, pairing)
    partners = {other: index for index, other in pairs.items()}
    graph_a = _rekey(a, live_a, lambda i: f"cut:{i}" if i in pairs else None, "before")
    graph_b = _rekey(b, live_b, lambda i: f"cut:{partners[i]}" if i in partners else None, "after")
    described = [_pair_text(a.locals[i].name, b.locals[j].name) for i, j in sorted(pairs.items())]
    # (address-taken locals, in memory: a pair lives at one address in both versions;
    # an unpaired one at its own, so memory it holds differs unless neither writes it)
    objects = _pair(a, b, _objects(a), _objects(b), pairing)
    graph_a = dataclasses.replace(
        graph_a,
        object_keys={i: f"{i}" if i in objects else f"before:{i}" for i in _objects(a)},
    )
    graph_b = dataclasses.replace(
        graph_b,
        object_keys={j: f"{i}" for i, j in objects.items()}
        | {j: f"after:{j}" for j in _objects(b) if j not in objects.values()},
    )
    described += [
        f"&{_pair_text(a.locals[i].name, b.locals[j].name)}" for i, j in sorted(objects.items())
    ]
    return graph_a, graph_b, described


def _objects(graph: Graph) -> list[int]:
    """The address-taken locals of ``graph``, in canonical order."""
    return [i for i, local in enumerate(graph.locals) if local.address_taken]


def _pair(
    a: Graph, b: Graph, found_a: list[int], found_b: list[int], pairing: Pairing
) -> dict[int, int]:
    """Locals of ``a`` paired with locals of ``b`` (of the same type): by unique name,
    or by order."""
    pairs: dict[int, int] = {}
    if pairing == "name":
        names_b = _unique_names(b, found_b)
        for name, index in _unique_names(a, found_a).items():
            other = names_b.get(name)
            if other is not None and a.locals[index].ctype == b.locals[other].ctype:
                pairs[index] = other
    else:
        for index, other in zip(found_a, found_b, strict=False):
            if a.locals[index].ctype == b.locals[other].ctype:
                pairs[index] = other
    return pairs


def _pair_text(x: str, y: str) -> str:
    return x if x == y else f"{x}~{y}"


def _cut_locals(graph: Graph) -> list[int]:
    """The locals only the loop cut exports, in canonical order."""
    return sorted(
        index
        for index, where in zip(graph.exported, graph.export_declared, strict=True)
        if where == CUT
    )


def _unique_names(graph: Graph, indices: list[int]) -> dict[str, int]:
    counts: dict[str, list[int]] = {}
    for index in indices:
        name = graph.locals[index].name
        if name:
            counts.setdefault(name, []).append(index)
    return {name: found[0] for name, found in counts.items() if len(found) == 1}


def _rekey(
    graph: Graph, live: list[int], key_of: Callable[[int], str | None], version: str
) -> Graph:
    keys = list(graph.export_keys)
    used = list(graph.export_used)
    for position, index in enumerate(graph.exported):
        if index not in live:
            continue
        key = key_of(index)
        keys[position] = key if key is not None else f"cut:{version}:{index}"
        used[position] = key is not None
    return dataclasses.replace(graph, export_keys=keys, export_used=used)
