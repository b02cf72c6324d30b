"""Keep the identity of selected kernel macros through preprocessing.

After preprocessing, ``smp_rmb()`` and ``barrier()`` are the same asm on x86_64, and
``READ_ONCE(x)`` is a volatile cast: later stages could no longer tell them apart. Right
before a function definition we save each macro (``#pragma push_macro``), redefine it as
a call of ``__ec_NAME`` with the same arguments, and restore it after the function
(``#pragma pop_macro``). The rest of the file expands the macros as usual. ``#line``
directives (added by :func:`equivcheck.frontend.kbuild.insert_blocks`) keep line numbers.

The ``__ec_`` names are undeclared: that is fine for preprocessing, not for compiling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from equivcheck.errors import InputError
from equivcheck.frontend.cfuncs import find_functions

PREFIX = "__ec_"


@dataclass(frozen=True)
class KeptMacro:
    """One function-like macro to keep: its name, named parameters, and whether it also
    takes ``...`` (forwarded with GNU ``##__VA_ARGS__`` so an empty tail is fine)."""

    name: str
    params: tuple[str, ...] = ()
    variadic: bool = False

    @property
    def call_name(self) -> str:
        """The identifier the macro's uses become (``__ec_NAME``)."""
        return PREFIX + self.name

    def define(self) -> str:
        """The ``#define`` that turns a use into a ``__ec_NAME(...)`` call."""
        formals = list(self.params) + (["..."] if self.variadic else [])
        actuals = list(self.params)
        if self.variadic:
            actuals.append("##__VA_ARGS__" if self.params else "__VA_ARGS__")
        return f"#define {self.name}({', '.join(formals)}) {self.call_name}({', '.join(actuals)})"


def _m(name: str, *params: str, variadic: bool = False) -> KeptMacro:
    return KeptMacro(name, tuple(params), variadic)


# Function-like macros in Linux 6.12 (x86_64) whose identity later stages model.
# spin_lock, spin_unlock, spin_lock_irq, spin_unlock_irq(restore) and rcu_read_lock are
# inline functions in 6.12, so their names survive preprocessing without help.
KEPT_MACROS: tuple[KeptMacro, ...] = (
    # memory barriers
    _m("smp_mb"),
    _m("smp_rmb"),
    _m("smp_wmb"),
    _m("mb"),
    _m("rmb"),
    _m("wmb"),
    _m("barrier"),
    _m("smp_mb__before_atomic"),
    _m("smp_mb__after_atomic"),
    _m("smp_load_acquire", "p"),
    _m("smp_store_release", "p", "v"),
    # marked accesses
    _m("READ_ONCE", "x"),
    _m("WRITE_ONCE", "x", "val"),
    _m("data_race", "expr"),
    # page tables
    _m("set_pte_at", "mm", "addr", "ptep", "pte"),
    # branch hints
    _m("likely", "x"),
    _m("unlikely", "x"),
    # warnings and assertions
    _m("WARN_ON", "condition"),
    _m("WARN_ON_ONCE", "condition"),
    _m("WARN", "condition", variadic=True),
    _m("WARN_ONCE", "condition", variadic=True),
    _m("BUG"),
    _m("BUG_ON", "condition"),
    _m("VM_BUG_ON", "cond"),
    _m("VM_BUG_ON_FOLIO", "cond", "folio"),
    _m("VM_BUG_ON_PAGE", "cond", "page"),
    _m("VM_BUG_ON_VMA", "cond", "vma"),
    _m("VM_BUG_ON_MM", "cond", "mm"),
    _m("VM_WARN_ON", "cond"),
    _m("VM_WARN_ON_ONCE", "cond"),
    _m("VM_WARN_ONCE", "cond", variadic=True),
    _m("VM_WARN_ON_FOLIO", "cond", "folio"),
    _m("VM_WARN_ON_ONCE_FOLIO", "cond", "folio"),
    # locking
    _m("lockdep_assert_held", "l"),
    _m("lockdep_assert_held_write", "l"),
    _m("lockdep_assert_held_read", "l"),
    _m("spin_lock_irqsave", "lock", "flags"),
    # scheduling
    _m("cond_resched"),
)

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
