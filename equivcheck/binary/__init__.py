"""A second opinion from the compiled code (issue 6).

Both versions of a function are compiled (kbuild's own command in tree mode, gcc with
kernel-like or plain flags otherwise), loaded with angr and executed symbolically; the
two sets of paths are compared with z3. ``docs/binary.md`` says what is compared and
assumed. angr is an optional extra: nothing here imports it until an opinion is asked
for (``equivcheck.binary.opinion``).
"""

from __future__ import annotations

from equivcheck.binary.model import CompiledFunction, Opinion, OpinionKind
from equivcheck.binary.opinion import (
    angr_available,
    binary_opinion,
    opinion_from_files,
    opinion_from_texts,
    opinion_from_tree,
)

__all__ = [
    "CompiledFunction",
    "Opinion",
    "OpinionKind",
    "angr_available",
    "binary_opinion",
    "opinion_from_files",
    "opinion_from_texts",
    "opinion_from_tree",
]
