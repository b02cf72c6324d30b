"""Labels a patch shows: defined and jumped to on each side, and gotos it leaves alone.

Patch-alone mode sees only the hunks. A label rename is trustworthy when the old name is
gone from the after side, the new name is new, and no unchanged line still jumps to the
old name; anything else could change where code outside the patch jumps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from equivcheck.frontend.model import Patch
from equivcheck.frontend.source.light import strip_comments

_LABEL = re.compile(r"^\s*([A-Za-z_]\w*)\s*:(?!:)")
_GOTO = re.compile(r"\bgoto\s+([A-Za-z_]\w*)\s*;")
_NOT_LABELS = {"default", "case", "public", "private"}


@dataclass
class VisibleLabels:
    """Labels seen in a file's hunks, per side, and gotos on unchanged lines."""

    defined_before: set[str] = field(default_factory=set)
    defined_after: set[str] = field(default_factory=set)
    context_gotos: dict[str, int] = field(default_factory=dict)


def visible_labels(patch: Patch, path: str) -> VisibleLabels:
    """What the hunks of ``path`` show about labels."""
    seen = VisibleLabels()
    for fp in patch.files:
        if fp.path != path:
            continue
        for hunk in fp.hunks:
            new_line = hunk.new_start
            for line in hunk.lines:
                code = strip_comments(line.text)
                label = _LABEL.match(code)
                if label and label.group(1) not in _NOT_LABELS and "?" not in code:
                    if line.kind != "+":
                        seen.defined_before.add(label.group(1))
                    if line.kind != "-":
                        seen.defined_after.add(label.group(1))
                if line.kind == " ":
                    for goto in _GOTO.finditer(code):
                        seen.context_gotos.setdefault(goto.group(1), new_line)
                if line.kind != "-":
                    new_line += 1
    return seen


def rename_problems(renames: dict[str, str], seen: VisibleLabels, path: str) -> list[str]:
    """Why a label map cannot be trusted from the patch alone (empty when it can)."""
    problems = []
    for old, new in renames.items():
        if old == new:
            continue
        if new in seen.defined_before:
            problems.append(
                f"label {new} already exists before the patch (labels swap "
                "names); gotos outside the patch may now jump elsewhere"
            )
        if old in seen.defined_after:
            problems.append(
                f"label {old} still exists after the patch while {old} -> {new}"
                " is inferred; gotos outside the patch may now jump elsewhere"
            )
        if old in seen.context_gotos:
            problems.append(
                f"the unchanged goto {old} at {path}:{seen.context_gotos[old]} "
                f"still names the label renamed to {new}"
            )
    return problems
