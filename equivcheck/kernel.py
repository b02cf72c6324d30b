"""Kernel names every stage must agree on, declared once: the function-like macros
kept as calls through preprocessing (the front end keeps them; the models give them
their footprints), the functions that never return (the IR ends a path at them; the
compiled-code engine too), and the constants that are not in capitals.

A kept name's footprint is in ``equivcheck/models/table.py`` (a test joins the two
tables: every kept name has a model, every model that does not return is here).
"""

from __future__ import annotations

from dataclasses import dataclass

CALL_PREFIX = "__ec_"


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
        return CALL_PREFIX + self.name

    def define(self) -> str:
        """The ``#define`` that turns a use into a ``__ec_NAME(...)`` call."""
        formals = list(self.params) + (["..."] if self.variadic else [])
        actuals = list(self.params)
        if self.variadic:
            actuals.append("##__VA_ARGS__" if self.params else "__VA_ARGS__")
        return f"#define {self.name}({', '.join(formals)}) {self.call_name}({', '.join(actuals)})"


def _kept(name: str, *params: str, variadic: bool = False) -> KeptMacro:
    return KeptMacro(name, tuple(params), variadic)


# Function-like macros in Linux 6.12 (x86_64) whose identity later stages model.
# spin_lock, spin_unlock, spin_lock_irq, spin_unlock_irq(restore) and rcu_read_lock are
# inline functions in 6.12, so their names survive preprocessing without help.
KEPT_MACROS: tuple[KeptMacro, ...] = (
    # memory barriers
    _kept("smp_mb"),
    _kept("smp_rmb"),
    _kept("smp_wmb"),
    _kept("mb"),
    _kept("rmb"),
    _kept("wmb"),
    _kept("barrier"),
    _kept("smp_mb__before_atomic"),
    _kept("smp_mb__after_atomic"),
    _kept("smp_load_acquire", "p"),
    _kept("smp_store_release", "p", "v"),
    # marked accesses
    _kept("READ_ONCE", "x"),
    _kept("WRITE_ONCE", "x", "val"),
    _kept("data_race", "expr"),
    # page tables
    _kept("set_pte_at", "mm", "addr", "ptep", "pte"),
    # branch hints
    _kept("likely", "x"),
    _kept("unlikely", "x"),
    # warnings and assertions
    _kept("WARN_ON", "condition"),
    _kept("WARN_ON_ONCE", "condition"),
    _kept("WARN", "condition", variadic=True),
    _kept("WARN_ONCE", "condition", variadic=True),
    _kept("BUG"),
    _kept("BUG_ON", "condition"),
    _kept("VM_BUG_ON", "cond"),
    _kept("VM_BUG_ON_FOLIO", "cond", "folio"),
    _kept("VM_BUG_ON_PAGE", "cond", "page"),
    _kept("VM_BUG_ON_VMA", "cond", "vma"),
    _kept("VM_BUG_ON_MM", "cond", "mm"),
    _kept("VM_WARN_ON", "cond"),
    _kept("VM_WARN_ON_ONCE", "cond"),
    _kept("VM_WARN_ONCE", "cond", variadic=True),
    _kept("VM_WARN_ON_FOLIO", "cond", "folio"),
    _kept("VM_WARN_ON_ONCE_FOLIO", "cond", "folio"),
    # locking
    _kept("lockdep_assert_held", "l"),
    _kept("lockdep_assert_held_write", "l"),
    _kept("lockdep_assert_held_read", "l"),
    _kept("spin_lock_irqsave", "lock", "flags"),
    # scheduling
    _kept("cond_resched"),
)

NORETURN = frozenset(
    {
        "__builtin_unreachable",
        "__builtin_trap",
        "BUG",
        "panic",
        "do_exit",
        "make_task_dead",
        "__stack_chk_fail",
        "__fortify_panic",
        "usercopy_abort",
        "abort",
        "exit",
        "__ubsan_handle_builtin_unreachable",
    }
)
"""Functions (and kept macros) that never return, whatever their prototypes say."""

CONSTANTS = {"false": 0, "true": 1, "NULL": 0}
"""The kernel's own constants that are not in capitals (include/linux/stddef.h), and
``NULL``, whose expansion is no integer constant to the compiler's probe."""
