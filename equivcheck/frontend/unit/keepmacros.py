"""Keep the identity of selected kernel macros through preprocessing.

After preprocessing, ``smp_rmb()`` and ``barrier()`` are the same asm on x86_64, and
``READ_ONCE(x)`` is a volatile cast: later stages could no longer tell them apart. Right
before a function definition we save each macro (``#pragma push_macro``), redefine it as
a call of ``__ec_NAME`` with the same arguments, and restore it after the function
(``#pragma pop_macro``). The rest of the file expands the macros as usual. ``#line``
directives (added by :func:`equivcheck.frontend.unit.kbuild.insert_blocks`) keep line numbers.

The ``__ec_`` names are undeclared: that is fine for preprocessing, not for compiling.
The macros kept are declared in ``equivcheck/kernel.py`` (``KEPT_MACROS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from equivcheck.errors import InputError
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.kernel import CALL_PREFIX, KEPT_MACROS, KeptMacro

PREFIX = CALL_PREFIX

_BY_NAME = {m.name: m for m in KEPT_MACROS}


def kept_macros(names: Iterable[str] | None = None) -> list[KeptMacro]:
    """The table entries for ``names`` (all of them when None); unknown names raise."""
    if names is None:
        return list(KEPT_MACROS)
    chosen = []
    for name in names:
        if name not in _BY_NAME:
            raise KeyError(f"no kept-macro entry for {name!r}")
        chosen.append(_BY_NAME[name])
    return chosen


def macro_block(names: Iterable[str] | None = None) -> str:
    """Directives that save each macro and redefine it as a ``__ec_NAME`` call."""
    lines = []
    for macro in kept_macros(names):
        lines += [f'#pragma push_macro("{macro.name}")', f"#undef {macro.name}", macro.define()]
    return "\n".join(lines) + "\n"


def restore_block(names: Iterable[str] | None = None) -> str:
    """Directives that give each macro back the definition saved by :func:`macro_block`."""
    return "".join(f'#pragma pop_macro("{m.name}")\n' for m in kept_macros(names))


@dataclass(frozen=True)
class FunctionSpan:
    """Where a function definition lies in a source text (1-based, inclusive)."""

    name: str
    start_line: int
    end_line: int


def function_spans(text: str) -> list[FunctionSpan]:
    """Function definitions in ``text`` (via :func:`cfuncs.find_functions`)."""
    return [FunctionSpan(f.name, f.start_line, f.end_line) for f in find_functions(text)]


def keep_blocks(
    text: str, functions: Iterable[str], file: str, names: Iterable[str] | None = None
) -> dict[int, str]:
    """Directive blocks to insert, keyed by the 1-based line they go before: a
    :func:`macro_block` before each definition of ``functions`` and a
    :func:`restore_block` after it. InputError if a function is not defined in ``text``."""
    wanted = list(dict.fromkeys(functions))
    spans = [s for s in function_spans(text) if s.name in wanted]
    missing = [name for name in wanted if all(s.name != name for s in spans)]
    if missing:
        raise InputError(file, f"no definition of {', '.join(missing)}", "check the name")
    chosen = list(names) if names is not None else None
    opening, closing = macro_block(chosen), restore_block(chosen)
    restores: dict[int, str] = {}
    saves: dict[int, str] = {}
    for span in spans:
        saves[span.start_line] = opening
        restores[span.end_line + 1] = closing
    return {
        line: restores.get(line, "") + saves.get(line, "")
        for line in sorted(set(saves) | set(restores))
    }
