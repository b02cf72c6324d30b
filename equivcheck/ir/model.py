"""The control-flow IR: basic blocks of simple statements over pure expressions.

Meaning lives in the structure only: blocks are reached by edges (no labels), locals are
numbered in a canonical order (their source names are kept for reports but never
compared), and every statement keeps its source location for reports (never compared).

Expressions are pure: calls, assignments, increments and statement expressions are
lowered into statements before the expression that uses their value. Reading an lvalue
other than a local or parameter is a memory read, performed where the expression is
evaluated; the builder hoists such reads into temporaries when a later side effect in
the same full expression could change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from equivcheck.frontend.model import SourceLocation

# ---------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Local:
    """A local variable or a temporary. ``index`` is canonical after canonicalisation;
    ``name`` is the source name (or ``""`` for a temporary), kept for reports only."""

    index: int
    ctype: str = field(default="", compare=False)
    name: str = field(default="", compare=False)
    temp: bool = field(default=False, compare=False)
    address_taken: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Param:
    """A parameter, by position; its source name is kept for reports only."""

    index: int
    ctype: str = field(default="", compare=False)
    name: str = field(default="", compare=False)


@dataclass(frozen=True)
class Global:
    """Any identifier not declared in the function: a global, an enum constant, a
    function designator or (in light mode) a macro constant."""

    name: str


Var = Local | Param | Global


@dataclass(frozen=True)
class Const:
    """A literal, as written (``0x1``, ``'a'``, ``"str"``), with its C literal kind."""

    text: str
    kind: str = "int"


@dataclass(frozen=True)
class Deref:
    """``*addr``: the memory object ``addr`` points to (an lvalue)."""

    addr: Expr


@dataclass(frozen=True)
class Field:
    """``base.name``; ``p->name`` is ``Field(Deref(p), name)`` (an lvalue)."""

    base: Expr
    name: str


@dataclass(frozen=True)
class Index:
    """``base[index]`` (an lvalue)."""

    base: Expr
    index: Expr


@dataclass(frozen=True)
class AddrOf:
    """``&lvalue``."""

    lvalue: Expr


@dataclass(frozen=True)
class Unary:
    """A pure unary operator: ``-``, ``~``, ``!``, ``+``."""

    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary:
    """A pure binary operator. ``&&``/``||`` appear only when their right side has no
    side effects (otherwise they are lowered to branches)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Ternary:
    """``cond ? a : b`` with pure arms (arms with side effects become branches)."""

    cond: Expr
    then: Expr
    other: Expr


@dataclass(frozen=True)
class Cast:
    """``(ctype) operand``."""

    ctype: str
    operand: Expr


@dataclass(frozen=True)
class TypeQuery:
    """A compile-time query on types or unevaluated operands: ``sizeof``,
    ``_Alignof``, ``offsetof``, ``__builtin_types_compatible_p``,
    ``__builtin_constant_p``, or a type name. ``text`` is C text in which ``${k}``
    stands for ``refs[k]`` (the locals it mentions, so canonical numbering reaches
    them); parameters appear as ``%pN``."""

    kind: str
    text: str
    refs: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class InitList:
    """A brace initializer: ``(designator, value)`` pairs; designator ``""`` is
    positional."""

    items: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class Opaque:
    """A construct the IR does not model (e.g. ``_Generic`` in light mode). Later stages
    must treat a function containing one as UNKNOWN, naming ``construct``."""

    construct: str
    text: str


Expr = (
    Local
    | Param
    | Global
    | Const
    | Deref
    | Field
    | Index
    | AddrOf
    | Unary
    | Binary
    | Ternary
    | Cast
    | TypeQuery
    | InitList
    | Opaque
)
LValue = Local | Param | Global | Deref | Field | Index

# ------------------------------------------------------------------------ statements


@dataclass(frozen=True)
class Assign:
    """``target = value``."""

    target: LValue
    value: Expr
    loc: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Call:
    """A call; ``target`` receives the result (None when discarded). ``callee`` is a
    name for direct calls, an expression for calls through pointers."""

    target: LValue | None
    callee: str | Expr
    args: tuple[Expr, ...]
    loc: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AsmOperandIR:
    """One asm operand: its constraint, the expression (lvalue for outputs) and its
    symbolic name (``[name]``, which the template may use instead of a number)."""

    constraint: str
    expr: Expr
    name: str = ""


@dataclass(frozen=True)
class AsmStmt:
    """An asm statement as an opaque event with its operands and clobbers."""

    template: str
    volatile: bool
    outputs: tuple[AsmOperandIR, ...]
    inputs: tuple[AsmOperandIR, ...]
    clobbers: tuple[str, ...]
    loc: SourceLocation | None = field(default=None, compare=False)


Stmt = Assign | Call | AsmStmt

# ----------------------------------------------------------------------- terminators


@dataclass(frozen=True)
class Jump:
    """Unconditional edge."""

    target: int
    loc: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Branch:
    """Two-way branch on ``cond`` (nonzero goes to ``then``)."""

    cond: Expr
    then: int
    other: int
    loc: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SwitchCase:
    """``case low ... high:`` (``high`` is ``low`` for a plain case)."""

    low: Expr
    high: Expr
    target: int


@dataclass(frozen=True)
class Switch:
    """Multi-way branch; ``default`` is the target when no case matches."""

    value: Expr
    cases: tuple[SwitchCase, ...]
    default: int
    loc: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AsmGoto:
    """``asm goto``: the asm event, then the fall-through or one of ``targets``."""

    asm: AsmStmt
    targets: tuple[int, ...]
    fallthrough: int
    loc: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Return:
    """Return from the function (with a value or not)."""

    value: Expr | None
    loc: SourceLocation | None = field(default=None, compare=False)


ExitKind = Literal["goto", "break", "continue", "fallthrough", "cut"]


@dataclass(frozen=True)
class Exit:
    """Leave a region (a statement sequence cut out of a function): a goto to a label
    outside it (``label`` is kept: external labels are matched through the patch's
    label map), a break/continue of an enclosing loop, or falling off its end."""

    kind: ExitKind
    label: str = ""
    loc: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Unreachable:
    """Control cannot reach here (``__builtin_unreachable()``, a noreturn call)."""

    loc: SourceLocation | None = field(default=None, compare=False)


Terminator = Jump | Branch | Switch | AsmGoto | Return | Exit | Unreachable

# ---------------------------------------------------------------------------- graphs


@dataclass
class Block:
    """A basic block: straight-line statements, then one terminator."""

    index: int
    stmts: list[Stmt]
    terminator: Terminator


@dataclass(frozen=True)
class Loop:
    """A natural loop: its header, the blocks with back edges to it, its body (header
    included) and the blocks outside it that its body branches to."""

    header: int
    latches: tuple[int, ...]
    body: frozenset[int]
    exits: tuple[int, ...]


@dataclass(frozen=True)
class StaticLocal:
    """A ``static`` local: one object for all calls, named ``function::static#N`` by
    declaration order, with its type and initializer (part of the function's meaning)."""

    name: str
    ctype: str
    init: Expr | None


@dataclass
class Graph:
    """A function or a region as a control-flow graph.

    ``kind`` is ``"function"`` for a whole definition and ``"region"`` for a statement
    sequence cut out of one (patch-alone mode); a region's free variables are
    ``Global`` or ``Local`` objects listed in ``outer_locals`` when the source declares
    them outside the region. ``unsupported`` names constructs kept as ``Opaque``.
    ``labels`` (regions only) maps each label the region defines to its block: code
    outside the region may jump there, so these blocks are entry points too.
    ``exported`` (regions only) lists the locals declared at the region's outermost
    scope, in declaration order: code after the region may still use them.
    ``export_declared`` says, per exported local, which entry's code declares it (its
    value is not carried in there): a region label, or ``CUT`` for locals a loop cut
    exports (carried in only at loop heads). ``cut_live`` (cut graphs only) lists, per
    loop-head label, the locals live there.
    """

    name: str
    kind: Literal["function", "region"]
    file: str
    params: list[Param]
    return_type: str
    blocks: dict[int, Block]
    entry: int
    locals: list[Local] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    unsupported: list[tuple[str, SourceLocation | None]] = field(default_factory=list)
    outer_names: list[str] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    statics: list[StaticLocal] = field(default_factory=list)
    exported: list[int] = field(default_factory=list)
    export_keys: list[str] = field(default_factory=list)
    export_used: list[bool] = field(default_factory=list)
    export_declared: list[str] = field(default_factory=list)
    cut_live: dict[str, frozenset[int]] = field(default_factory=dict)
    object_keys: dict[int, str] = field(default_factory=dict)
    """(cut graphs under the inductive rule) Per address-taken local, the name of its
    address: paired locals of the two versions share one, so equal memory at a loop
    head means equal contents."""

    def successors(self, index: int) -> list[int]:
        """The blocks ``index`` can branch to, in a fixed order."""
        return successors(self.blocks[index].terminator)

    def called_names(self) -> list[str]:
        """The functions the graph calls by name, once per call statement."""
        return [
            stmt.callee
            for block in self.blocks.values()
            for stmt in block.stmts
            if isinstance(stmt, Call) and isinstance(stmt.callee, str)
        ]


def successors(term: Terminator) -> list[int]:
    """The targets of a terminator, in a fixed order (then before else, cases in order,
    default last)."""
    match term:
        case Jump(target=t):
            return [t]
        case Branch(then=a, other=b):
            return [a, b]
        case Switch(cases=cases, default=d):
            return [c.target for c in cases] + [d]
        case AsmGoto(targets=ts, fallthrough=f):
            return [f, *ts]
        case _:
            return []
