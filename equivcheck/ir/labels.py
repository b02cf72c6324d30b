"""Label maps between the before and after versions of a function's regions.

Labels inside a region are internal and vanish; the labels a region defines (entry
points) or jumps to (exits) are its interface with the rest of the function. A patch
that renames a label shows it on both sides: paired regions define their labels in the
same order. That order gives the map, which must be one-to-one; a label whose pairing
is contradicted anywhere is left unmapped (so its regions compare as different).
"""

from __future__ import annotations

from collections.abc import Iterable

from equivcheck.ir.model import Graph


def infer_label_map(pairs: Iterable[tuple[Graph, Graph]]) -> dict[str, str]:
    """before-label -> after-label, from regions that define labels in the same order."""
    candidates: dict[str, set[str]] = {}
    for before, after in pairs:
        old, new = list(before.labels), list(after.labels)
        if len(old) != len(new):
            continue
        for a, b in zip(old, new, strict=True):
            candidates.setdefault(a, set()).add(b)
    mapping = {a: next(iter(bs)) for a, bs in candidates.items() if len(bs) == 1}
    targets = list(mapping.values())
    return {a: b for a, b in mapping.items() if targets.count(b) == 1}
