"""The IR as text and as Graphviz.

``format_graph`` is what ``equivcheck ir`` prints: blocks ``bbN``, locals ``vN``,
parameters ``pN``, each line followed by its source location and, for locals, the
source name. ``canonical_text`` is the same without names and locations: two graphs
are structurally equal exactly when their canonical texts are equal.
"""

from __future__ import annotations

from collections.abc import Mapping

from equivcheck.frontend.model import SourceLocation
from equivcheck.ir.model import (
    AddrOf,
    AsmGoto,
    AsmOperandIR,
    AsmStmt,
    Assign,
    Binary,
    Branch,
    Call,
    Cast,
    Const,
    Deref,
    Exit,
    Expr,
    Field,
    Global,
    Graph,
    Index,
    InitList,
    Jump,
    Local,
    Opaque,
    Param,
    Return,
    Stmt,
    Switch,
    Terminator,
    Ternary,
    TypeQuery,
    Unary,
    Unreachable,
)


def expr_text(e: Expr) -> str:
    """C-like text of an IR expression."""
    match e:
        case Local(index=i):
            return f"%v{i}"
        case Param(index=i):
            return f"%p{i}"
        case Global(name=n):
            return n
        case Const(text=t):
            return t
        case Deref(addr=Field() | Index() as pointer):
            return f"*({expr_text(pointer)})"
        case Deref(addr=a):
            return f"*{_atom(a)}"
        case Field(base=Deref(addr=a), name=n):
            return f"{_atom(a)}->{n}"
        case Field(base=b, name=n):
            return f"{_atom(b)}.{n}"
        case Index(base=b, index=i):
            return f"{_atom(b)}[{expr_text(i)}]"
        case AddrOf(lvalue=lv):
            return f"&{_atom(lv)}"
        case Unary(op=op, operand=x):
            return f"{op}{_atom(x)}"
        case Binary(op=op, left=a, right=b):
            return f"{_atom(a)} {op} {_atom(b)}"
        case Ternary(cond=c, then=a, other=b):
            return f"{_atom(c)} ? {_atom(a)} : {_atom(b)}"
        case Cast(ctype=t, operand=x):
            return f"({t}){_atom(x)}"
        case TypeQuery(kind=k, text=t, refs=refs):
            for number, ref in enumerate(refs):
                t = t.replace(f"${{{number}}}", expr_text(ref))
            return t if k == "type" or t.startswith(k) else f"{k}({t})"
        case InitList(items=items):
            listed = ", ".join(f"{d} = {expr_text(v)}" if d else expr_text(v) for d, v in items)
            return "{" + listed + "}"
        case Opaque(construct=c, text=t):
            return f"opaque<{c}>({t})"
    raise TypeError(f"not an IR expression: {e!r}")


def _atom(e: Expr) -> str:
    text = expr_text(e)
    if isinstance(e, Binary | Ternary | Cast | Unary | AddrOf | Deref):
        return f"({text})"
    return text


def stmt_text(s: Stmt) -> str:
    """One statement as text."""
    match s:
        case Assign(target=t, value=v):
            return f"{expr_text(t)} = {expr_text(v)}"
        case Call(target=t, callee=c, args=args):
            name = c if isinstance(c, str) else f"({expr_text(c)})"
            call = f"call {name}({', '.join(expr_text(a) for a in args)})"
            return f"{expr_text(t)} = {call}" if t is not None else call
        case AsmStmt():
            return _asm_text(s)
    raise TypeError(f"not an IR statement: {s!r}")


def _operand_text(o: AsmOperandIR) -> str:
    name = f"[{o.name}] " if o.name else ""
    return f"{name}{o.constraint}({expr_text(o.expr)})"


def _asm_text(s: AsmStmt) -> str:
    outs = ", ".join(_operand_text(o) for o in s.outputs)
    ins = ", ".join(_operand_text(o) for o in s.inputs)
    volatile = " volatile" if s.volatile else ""
    return f"asm{volatile} {s.template!s} : {outs} : {ins} : {', '.join(s.clobbers)}"


def term_text(t: Terminator, label_map: Mapping[str, str] | None = None) -> str:
    """A terminator as text (exit labels renamed through ``label_map``)."""
    match t:
        case Jump(target=x):
            return f"goto bb{x}"
        case Branch(cond=c, then=a, other=b):
            return f"if ({expr_text(c)}) goto bb{a} else bb{b}"
        case Switch(value=v, cases=cases, default=d):
            parts = []
            for case in cases:
                label = expr_text(case.low)
                if case.high != case.low:
                    label += f" ... {expr_text(case.high)}"
                parts.append(f"{label}: bb{case.target}")
            parts.append(f"default: bb{d}")
            return f"switch ({expr_text(v)}) {{ {'; '.join(parts)} }}"
        case AsmGoto(asm=a, targets=ts, fallthrough=f):
            labels = ", ".join(f"bb{x}" for x in ts)
            return f"{_asm_text(a)} goto [{labels}] else bb{f}"
        case Return(value=v):
            return "return" if v is None else f"return {expr_text(v)}"
        case Exit(kind="goto", label=label):
            return f"exit goto {(label_map or {}).get(label, label)}"
        case Exit(kind=k):
            return f"exit {k}"
        case Unreachable():
            return "unreachable"
    raise TypeError(f"not an IR terminator: {t!r}")


def _loc_text(loc: SourceLocation | None) -> str:
    return f"  # {loc}" if loc is not None else ""


def format_graph(
    graph: Graph,
    *,
    locations: bool = True,
    names: bool = True,
    label_map: Mapping[str, str] | None = None,
) -> str:
    """The graph as text; without names and locations it is the canonical text.
    Labels a region defines or leaves to are interface names (code outside jumps to
    them): they are printed, renamed through ``label_map`` when one is given."""
    rename = label_map or {}
    lines: list[str] = []
    params = ", ".join(
        f"%p{p.index}: {p.ctype}" + (f" /* {p.name} */" if names and p.name else "")
        for p in graph.params
    )
    if graph.kind == "function":
        head = f"function {graph.name if names else ''}({params}) -> {graph.return_type}"
    else:
        head = f"region of {graph.name if names else ''}"
        if graph.outer_names:
            head += f" (outer: {', '.join(graph.outer_names)})"
    lines.append(head.replace("  ", " "))
    for label, target in graph.labels.items():
        lines.append(f"  entry {rename.get(label, label)}: bb{target}")
    for static in graph.statics:
        init = "" if static.init is None else f" = {expr_text(static.init)}"
        lines.append(f"  static {static.name}: {static.ctype}{init}")
    for local in graph.locals:
        desc = f"  %v{local.index}: {local.ctype or '?'}"
        if local.address_taken:
            desc += " [address taken]"
        if names:
            desc += f"  /* {local.name or 'temp'} */"
        lines.append(desc)
    for loop in graph.loops:
        body = ", ".join(f"bb{b}" for b in sorted(loop.body))
        latches = ", ".join(f"bb{b}" for b in loop.latches)
        exits = ", ".join(f"bb{b}" for b in loop.exits) or "none"
        lines.append(f"  loop header bb{loop.header} latch {latches} body {{{body}}} exits {exits}")
    for construct, loc in graph.unsupported:
        lines.append(f"  unsupported {construct}" + (_loc_text(loc) if locations else ""))
    for index in sorted(graph.blocks):
        block = graph.blocks[index]
        lines.append(f"bb{index}:")
        for stmt in block.stmts:
            lines.append(f"  {stmt_text(stmt)}" + (_loc_text(stmt.loc) if locations else ""))
        term = block.terminator
        lines.append(f"  {term_text(term, rename)}" + (_loc_text(term.loc) if locations else ""))
    return "\n".join(lines) + "\n"


def canonical_text(graph: Graph, label_map: Mapping[str, str] | None = None) -> str:
    """The text that decides structural equality (no source names, no locations);
    ``label_map`` renames region labels (e.g. the before version's to the after's)."""
    return format_graph(graph, locations=False, names=False, label_map=label_map)


def format_dot(graph: Graph) -> str:
    """The graph in Graphviz dot syntax."""
    lines = [f'digraph "{graph.name}" {{', "  node [shape=box, fontname=monospace];"]
    for index in sorted(graph.blocks):
        block = graph.blocks[index]
        body = [f"bb{index}:"] + [stmt_text(s) for s in block.stmts]
        body.append(term_text(block.terminator))
        label = "\\l".join(_dot_escape(line) for line in body) + "\\l"
        lines.append(f'  bb{index} [label="{label}"];')
        term = block.terminator
        if isinstance(term, Branch):
            lines.append(f'  bb{index} -> bb{term.then} [label="true"];')
            lines.append(f'  bb{index} -> bb{term.other} [label="false"];')
        else:
            for target in graph.successors(index):
                lines.append(f"  bb{index} -> bb{target};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("{", "\\{").replace("}", "\\}")
