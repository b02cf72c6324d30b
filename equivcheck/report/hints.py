"""What would resolve an UNKNOWN verdict, from the reason the engine gave."""

from __future__ import annotations

# (text in the reason, what to do): the first match wins.
_HINTS: tuple[tuple[str, str], ...] = (
    ("time budget exceeded", "raise --budget (seconds per function)"),
    ("too many paths", "raise --max-paths (paths per version)"),
    ("solver timeout", "raise --timeout (solver seconds per query)"),
    ("uninitialised", "the code reads a local before setting it: initialise it"),
    ("union member", "writes to union members are not modelled: review this ordering by hand"),
    (
        "outside every function",
        "a macro or declaration changed: review it by hand, or check the functions that use it",
    ),
    (
        "model of",
        "add a model of the named call (docs/models.md), or run with --tree so its footprint "
        "can be inferred from its body",
    ),
    (
        "within the bound",
        "raise --unroll to search deeper for a difference; a proof needs loops that the "
        "inductive rule can pair (the reason says why it failed)",
    ),
    ("unsupported construct", "the named construct is not modelled: review it by hand"),
    ("cannot build the IR", "run with --tree on a configured kernel tree"),
)

_PATCH_ALONE = "run with --tree on a configured kernel tree to compare whole functions"


def resolution(reason: str, mode: str = "") -> str:
    """One sentence saying what would turn this UNKNOWN into a decided verdict."""
    for needle, hint in _HINTS:
        if needle in reason:
            return hint
    if mode == "patch":
        return _PATCH_ALONE
    return "review the change by hand; the reason names what the engine could not decide"
