"""The small language kernel models are written in (the table lives in
``equivcheck/models``; the engine interprets it here).

A model says which **parts** of state a call reads and writes (its footprint), what it
returns and how it changes state, with a handful of value and update forms. A part is a
component of the modelled kernel state (``flag:dirty``, ``refcount``, ``pte``...) at a
key made of some of the call's arguments (the folio, the page-table entry pointer...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# ---------------------------------------------------------------------- values


@dataclass(frozen=True)
class Arg:
    """The call's argument number ``index`` (0-based)."""

    index: int


@dataclass(frozen=True)
class Num:
    """A constant."""

    value: int


@dataclass(frozen=True)
class Get:
    """The current value of a part."""

    part: Part


@dataclass(frozen=True)
class Neg:
    """``-value``."""

    value: ValueSpec


@dataclass(frozen=True)
class Sum:
    """``left + right``."""

    left: ValueSpec
    right: ValueSpec


@dataclass(frozen=True)
class Apply:
    """A pure, uninterpreted function ``name`` of the given values (e.g. the entry
    ``set_ptes`` stores, as a function of the pte value and the count)."""

    name: str
    values: tuple[ValueSpec, ...]


@dataclass(frozen=True)
class Fresh:
    """A value nobody can predict (say, what a concurrent reader sees), the same in both
    versions for the same call in the same place of the effect sequence."""

    name: str


ValueSpec = Arg | Num | Get | Neg | Sum | Apply | Fresh


# ---------------------------------------------------------------------- state


@dataclass(frozen=True)
class Part:
    """A component of modelled state at a key formed by some arguments."""

    component: str
    key: tuple[int, ...]

    def __str__(self) -> str:
        args = ", ".join(f"arg{i}" for i in self.key)
        return f"{self.component}[{args}]"


@dataclass(frozen=True)
class Put:
    """Set a part to a value."""

    part: Part
    value: ValueSpec


Update = Put

Kind = Literal[
    "read",
    "effect",
    "ordering",
    "pure",
    "identity",
    "volatile_read",
    "volatile_write",
    "everything",
    "inferred",
]


THROUGH_POINTER = "through-pointer"
"""The key of ``Model.extra`` that marks a volatile access of ``*arg0`` (a pointer, as
``smp_load_acquire(p)`` takes), not of the lvalue ``arg0`` (as ``READ_ONCE(x)``)."""

VALUE = "value"
"""The key of ``Model.extra`` that marks an inferred footprint as a value: the body
writes nothing, has no loop and no call that does not return, so a call of it is a
value of its arguments and of what it reads, not an event (docs/semantics.md: the
number of times a pure value is computed is not observable)."""


@dataclass(frozen=True)
class Model:
    """What one function or kept macro does, in terms of state parts.

    ``kind``: ``pure`` (value of its arguments only: no event), ``identity`` (returns its
    first argument: ``likely``), ``read``/``effect`` (an event with the given footprint),
    ``ordering`` (an ordering point: nothing moves across it; the state is observed and
    then may change), ``volatile_read``/``volatile_write`` (``READ_ONCE``/``WRITE_ONCE`` of
    the lvalue argument), ``everything`` (an event whose footprint is all state, like an
    unmodelled call, but with a known name and no result), ``inferred`` (a footprint
    read from the function's body in tree mode: its parts name whole arrays, ``field:x``,
    ``mem``, ``comp:...`` or ``global:g``; its result and new contents are unknown
    functions of its arguments and of what it reads).
    """

    name: str
    kind: Kind
    reads: tuple[Part, ...] = ()
    writes: tuple[Part, ...] = ()
    updates: tuple[Update, ...] = ()
    result: ValueSpec | None = None
    result_type: str = ""
    doc: str = ""
    noreturn: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False)


def passes_arguments(model: Model) -> bool:
    """Whether a call under ``model`` may return or store one of its arguments (a
    pointer it is passed then outlives the call: ``ir/escape.py``)."""
    if model.kind in ("identity", "inferred", "volatile_write", "everything"):
        return True
    if model.kind == "ordering" and model.result is not None:
        return True  # an atomic exchange stores its argument (xchg, cmpxchg)
    specs = [model.result, *(update.value for update in model.updates)]
    return any(_mentions_arg(spec) for spec in specs if spec is not None)


def _mentions_arg(spec: ValueSpec) -> bool:
    match spec:
        case Arg():
            return True
        case Neg(value=inner):
            return _mentions_arg(inner)
        case Sum(left=left, right=right):
            return _mentions_arg(left) or _mentions_arg(right)
        case Apply(values=values):
            return any(_mentions_arg(v) for v in values)
        case _:
            return False
