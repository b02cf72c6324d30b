"""AST-level mutations (behaviour-changing) and laws (behaviour-keeping rewrites) of
generated programs, on pycparser's AST. Each operator lists its sites in a fixed walk
order; the sweep picks one site with its seeded generator, so a mutant is reproducible
from (program seed, operator, site)."""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pycparser import c_ast, c_generator, c_parser

ARITH = {"+": "-", "-": "+", "*": "+", "&": "|", "|": "&", "^": "|", "<<": ">>", ">>": "<<"}
COMPARE = ("<", "<=", ">", ">=", "==", "!=")
ASSIGN = {"+=": "-=", "-=": "+=", "^=": "|=", "|=": "^=", "=": "+="}
TYPES = ("int", "unsigned int", "long", "unsigned long", "char", "short", "unsigned char")
ORDERING = (
    "barrier",
    "smp_mb",
    "spin_lock",
    "spin_unlock",
    "atomic_inc_return",
    "atomic_dec_return",
)


@dataclass
class Site:
    """One place an operator can change, and how."""

    what: str
    apply: Callable[[], None]


def parse(text: str) -> c_ast.FileAST:
    """The AST of a translation unit."""
    return c_parser.CParser().parse(text)


def unparse(ast: c_ast.FileAST) -> str:
    """C text of an AST (pycparser's generator)."""
    return str(c_generator.CGenerator().visit(ast))


def _walk(
    node: c_ast.Node, parent: c_ast.Node | None = None, slot: str = ""
) -> Iterator[tuple[c_ast.Node, c_ast.Node | None, str]]:
    yield node, parent, slot
    for name, child in node.children():
        yield from _walk(child, node, name)


def _set(parent: c_ast.Node, slot: str, new: c_ast.Node) -> None:
    m = re.fullmatch(r"(\w+)\[(\d+)\]", slot)
    if m:
        getattr(parent, m.group(1))[int(m.group(2))] = new
    else:
        setattr(parent, slot, new)


def _func(ast: c_ast.FileAST, name: str = "f") -> c_ast.FuncDef:
    return next(e for e in ast.ext if isinstance(e, c_ast.FuncDef) and e.decl.name == name)


def _typename(spelling: str) -> c_ast.Typename:
    return c_ast.Typename(
        None, [], None, c_ast.TypeDecl(None, [], None, c_ast.IdentifierType(spelling.split()))
    )


def _is_cast_to(node: c_ast.Node, spelling: str) -> bool:
    if not isinstance(node, c_ast.Cast):
        return False
    t = node.to_type.type
    return isinstance(t, c_ast.TypeDecl) and " ".join(getattr(t.type, "names", [])) == spelling


def _stmt_lists(func: c_ast.FuncDef) -> Iterator[list[c_ast.Node]]:
    for node, _, _ in _walk(func.body):
        if isinstance(node, c_ast.Compound) and node.block_items:
            yield node.block_items
        elif isinstance(node, (c_ast.Case, c_ast.Default)) and node.stmts:
            yield node.stmts


def _names(node: c_ast.Node) -> set[str]:
    found = set()
    for n, parent, slot in _walk(node):
        if isinstance(n, c_ast.ID) and not (
            isinstance(parent, c_ast.StructRef) and slot == "field"
        ):
            found.add(n.name)
    return found


def _has(node: c_ast.Node, kinds: tuple[type, ...]) -> bool:
    return any(isinstance(n, kinds) for n, _, _ in _walk(node))


def _is_ordering(stmt: c_ast.Node) -> bool:
    return any(
        isinstance(n, c_ast.FuncCall) and isinstance(n.name, c_ast.ID) and n.name.name in ORDERING
        for n, _, _ in _walk(stmt)
    )


# ---------------------------------------------------------------------- mutations


def _binop(
    f: c_ast.FuncDef, kinds: dict[str, str] | tuple[str, ...], rng: random.Random
) -> list[Site]:
    sites = []
    for node, _, _ in _walk(f.body):
        if isinstance(node, c_ast.BinaryOp) and node.op in kinds:
            if isinstance(kinds, dict):
                new = kinds[node.op]
            else:
                new = rng.choice([k for k in kinds if k != node.op])

            def go(node: c_ast.BinaryOp = node, new: str = new) -> None:
                node.op = new

            sites.append(Site(f"{node.op} -> {new}", go))
    return sites


def m_arith(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    return _binop(f, ARITH, rng)


def m_compare(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    return _binop(f, COMPARE, rng)


def m_logic(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    return _binop(f, {"&&": "||", "||": "&&"}, rng)


def m_assign_op(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    sites = []
    for node, _, _ in _walk(f.body):
        pointer = isinstance(node, c_ast.Assignment) and _text(node.lvalue) == "pp"
        if isinstance(node, c_ast.Assignment) and node.op in ASSIGN and not pointer:
            new = ASSIGN[node.op]

            def go(node: c_ast.Assignment = node, new: str = new) -> None:
                node.op = new

            sites.append(Site(f"{node.op} -> {new}", go))
    return sites


def m_const(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    sites = []
    for node, _, _ in _walk(f.body):
        if isinstance(node, c_ast.Constant) and node.type.endswith("int"):
            m = re.fullmatch(r"(\d+)(u?)", node.value)
            if not m:
                continue
            value = int(m.group(1))
            delta = rng.choice([1, -1]) if value > 0 else 1
            new = f"{value + delta}{m.group(2)}"

            def go(node: c_ast.Constant = node, new: str = new) -> None:
                node.value = new

            sites.append(Site(f"{node.value} -> {new}", go))
    return sites


def m_pointer(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    """(long)(p + k) -> (long)p + k; (long)(a - b) -> (long)a - (long)b;
    *(int *)((char *)p + c) -> p[c]; p[c] -> *(int *)((char *)p + c)."""
    sites = []
    for node, parent, slot in _walk(f.body):
        if parent is None:
            continue
        if _is_cast_to(node, "long") and isinstance(node.expr, c_ast.BinaryOp):
            inner = node.expr
            if (
                inner.op in "+-"
                and isinstance(inner.left, c_ast.ID)
                and inner.left.name in {"p", "q", "pp"}
            ):

                def go(
                    node: c_ast.Cast = node, parent: c_ast.Node = parent, slot: str = slot
                ) -> None:
                    inner = node.expr
                    if isinstance(inner.right, c_ast.ID) and inner.right.name in {"p", "q", "pp"}:
                        right = c_ast.Cast(_typename("long"), inner.right)
                    else:
                        right = inner.right
                    new = c_ast.BinaryOp(inner.op, c_ast.Cast(_typename("long"), inner.left), right)
                    _set(parent, slot, new)

                sites.append(Site("(long)(ptr op e) -> (long)ptr op e", go))
        if (
            isinstance(node, c_ast.UnaryOp)
            and node.op == "*"
            and isinstance(node.expr, c_ast.Cast)
            and isinstance(node.expr.expr, c_ast.BinaryOp)
            and isinstance(node.expr.expr.right, c_ast.Constant)
        ):

            def go2(
                node: c_ast.UnaryOp = node, parent: c_ast.Node = parent, slot: str = slot
            ) -> None:
                _set(parent, slot, c_ast.ArrayRef(c_ast.ID("p"), node.expr.expr.right))

            sites.append(Site("*(int *)((char *)p + c) -> p[c]", go2))
        if (
            isinstance(node, c_ast.ArrayRef)
            and isinstance(node.name, c_ast.ID)
            and node.name.name == "p"
            and isinstance(node.subscript, c_ast.Constant)
        ):

            def go3(
                node: c_ast.ArrayRef = node, parent: c_ast.Node = parent, slot: str = slot
            ) -> None:
                text = f"*(int *)((char *)p + {node.subscript.value})"
                _set(parent, slot, _expr(text))

            sites.append(Site("p[c] -> *(int *)((char *)p + c)", go3))
    return sites


def _expr(text: str) -> c_ast.Node:
    ast = parse(f"int *p, *pp; char *q; int i, j, n, x0, x1, x2, x3, r; long e_ = {text};")
    return ast.ext[-1].init


def m_cast(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    sites = []
    for node, _, _ in _walk(f.body):
        if isinstance(node, c_ast.Cast) and isinstance(node.to_type.type, c_ast.TypeDecl):
            old = " ".join(getattr(node.to_type.type.type, "names", []))
            if old not in TYPES:
                continue
            new = rng.choice([t for t in TYPES if t != old])

            def go(node: c_ast.Cast = node, new: str = new) -> None:
                node.to_type = _typename(new)

            sites.append(Site(f"({old}) -> ({new})", go))
    return sites


def m_local_type(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    sites = []
    for node, _, _ in _walk(f.body):
        if isinstance(node, c_ast.Decl) and isinstance(node.type, c_ast.TypeDecl):
            old = " ".join(getattr(node.type.type, "names", []))
            if old not in TYPES:
                continue
            new = rng.choice([t for t in TYPES if t != old])

            def go(node: c_ast.Decl = node, new: str = new) -> None:
                node.type.type = c_ast.IdentifierType(new.split())

            sites.append(Site(f"{old} {node.name} -> {new}", go))
    return sites


def _plain(stmt: c_ast.Node) -> bool:
    return not isinstance(stmt, (c_ast.Decl, c_ast.Return, c_ast.Label, c_ast.Case, c_ast.Default))


def m_drop(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    sites = []
    for items in _stmt_lists(f):
        for k, stmt in enumerate(items):
            if _plain(stmt) and not isinstance(stmt, c_ast.Break):

                def go(items: list[c_ast.Node] = items, k: int = k) -> None:
                    del items[k]

                sites.append(Site(f"drop {type(stmt).__name__}", go))
    return sites


def m_duplicate(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    sites = []
    for items in _stmt_lists(f):
        for k, stmt in enumerate(items):
            if _plain(stmt) and not _has(stmt, (c_ast.Goto, c_ast.Break, c_ast.Continue)):

                def go(items: list[c_ast.Node] = items, k: int = k) -> None:
                    items.insert(k, copy.deepcopy(items[k]))

                sites.append(Site(f"duplicate {type(stmt).__name__}", go))
    return sites


def _swaps(f: c_ast.FuncDef, ordering: bool) -> list[Site]:
    sites = []
    for items in _stmt_lists(f):
        for k in range(len(items) - 1):
            a, b = items[k], items[k + 1]
            if not (_plain(a) and _plain(b)):
                continue
            if ordering != (_is_ordering(a) or _is_ordering(b)):
                continue

            def go(items: list[c_ast.Node] = items, k: int = k) -> None:
                items[k], items[k + 1] = items[k + 1], items[k]

            sites.append(Site("swap adjacent statements", go))
    return sites


def m_swap(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    return _swaps(f, ordering=False)


def m_swap_ordering(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    return _swaps(f, ordering=True)


def m_drop_jump(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    sites = []
    for node, parent, slot in _walk(f.body):
        if isinstance(node, (c_ast.Break, c_ast.Continue)) and parent is not None:

            def go(parent: c_ast.Node = parent, slot: str = slot) -> None:
                m = re.fullmatch(r"(\w+)\[(\d+)\]", slot)
                if m:
                    del getattr(parent, m.group(1))[int(m.group(2))]
                else:
                    setattr(parent, slot, c_ast.EmptyStatement())

            sites.append(Site(f"drop {type(node).__name__.lower()}", go))
    return sites


def m_goto(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    gotos = [n for n, _, _ in _walk(f.body) if isinstance(n, c_ast.Goto)]
    labels = sorted({n.name for n, _, _ in _walk(f.body) if isinstance(n, c_ast.Label)})
    sites = []
    for a in gotos:
        for b in gotos:
            if a is not b and a.name < b.name:

                def go(a: c_ast.Goto = a, b: c_ast.Goto = b) -> None:
                    a.name, b.name = b.name, a.name

                sites.append(Site(f"swap goto {a.name} / goto {b.name}", go))
        if not sites:
            for label in labels:
                if label != a.name:

                    def go2(a: c_ast.Goto = a, label: str = label) -> None:
                        a.name = label

                    sites.append(Site(f"goto {a.name} -> goto {label}", go2))
    return sites


def m_args(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    sites = []
    for node, _, _ in _walk(f.body):
        if (
            isinstance(node, c_ast.FuncCall)
            and node.args is not None
            and isinstance(node.name, c_ast.ID)
            and node.name.name == "ext_b"
        ):

            def go(node: c_ast.FuncCall = node) -> None:
                e = node.args.exprs
                e[0], e[1] = e[1], e[0]

            sites.append(Site("swap ext_b arguments", go))
        if (
            isinstance(node, c_ast.BinaryOp)
            and node.op in {"-", "<<", ">>", "<", "<="}
            and not isinstance(node.right, c_ast.Constant)
        ):

            def go2(node: c_ast.BinaryOp = node) -> None:
                node.left, node.right = node.right, node.left

            sites.append(Site(f"swap operands of {node.op}", go2))
    return sites


def _memory_lvalue(node: c_ast.Node) -> bool:
    if isinstance(node, (c_ast.ArrayRef, c_ast.StructRef)):
        return True
    if isinstance(node, c_ast.UnaryOp) and node.op == "*":
        return True
    return isinstance(node, c_ast.ID) and node.name == "g0"


def _text(node: c_ast.Node) -> str:
    return str(c_generator.CGenerator().visit(node))


def m_store_forward(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    """``M = e; ... M ...`` -> ``M = e; ... (e) ...`` in the next statement: the read of
    a memory location just stored replaced by the stored expression (the same only
    when M's type holds every value of e)."""
    sites = []
    for items in _stmt_lists(f):
        for k, a in enumerate(items):
            if not (
                isinstance(a, c_ast.Assignment)
                and a.op == "="
                and _memory_lvalue(a.lvalue)
                and not _has(a.rvalue, (c_ast.FuncCall,))
            ):
                continue
            target = _text(a.lvalue)
            if target in _text(a.rvalue):
                continue
            for b in items[k + 1 : k + 4]:
                if not isinstance(b, c_ast.Assignment) or _has(b, (c_ast.FuncCall,)):
                    break
                for node, parent, slot in _walk(b):
                    if parent is None or _text(node) != target:
                        continue
                    if isinstance(parent, c_ast.Assignment) and slot == "lvalue":
                        continue

                    def go(
                        parent: c_ast.Node = parent, slot: str = slot, a: c_ast.Node = a
                    ) -> None:
                        _set(parent, slot, copy.deepcopy(a.rvalue))

                    sites.append(Site(f"read of {target} -> the value stored", go))
                if _memory_lvalue(b.lvalue) or _text(b.lvalue) in _text(a):
                    break
    return sites


def m_access_width(f: c_ast.FuncDef, rng: random.Random) -> list[Site]:
    """``p[c]`` -> ``*(char *)(p + c)`` and ``q[c]`` -> ``*(int *)(q + c)``: the same
    address read or written with another width."""
    sites = []
    for node, parent, slot in _walk(f.body):
        if parent is None or not isinstance(node, c_ast.ArrayRef):
            continue
        if not (isinstance(node.name, c_ast.ID) and node.name.name in {"p", "q", "pp"}):
            continue
        width = "int" if node.name.name == "q" else "char"

        def go(
            node: c_ast.ArrayRef = node,
            parent: c_ast.Node = parent,
            slot: str = slot,
            width: str = width,
        ) -> None:
            text = f"*({width} *)({node.name.name} + ({_text(node.subscript)}))"
            _set(parent, slot, _expr(text))

        sites.append(Site(f"{node.name.name}[...] read/written as {width}", go))
    return sites


MUTATIONS: dict[str, Callable[[c_ast.FuncDef, random.Random], list[Site]]] = {
    "arith": m_arith,
    "compare": m_compare,
    "logic": m_logic,
    "assign_op": m_assign_op,
    "const": m_const,
    "pointer": m_pointer,
    "cast": m_cast,
    "local_type": m_local_type,
    "drop_stmt": m_drop,
    "dup_stmt": m_duplicate,
    "swap_stmt": m_swap,
    "swap_ordering": m_swap_ordering,
    "drop_break_continue": m_drop_jump,
    "goto_swap": m_goto,
    "arg_swap": m_args,
    "store_forward": m_store_forward,
    "access_width": m_access_width,
}
"""Behaviour-changing operators (one table; the figures are printed per name)."""


# ---------------------------------------------------------------------- laws


def _locals(f: c_ast.FuncDef) -> list[str]:
    return [n.name for n, _, _ in _walk(f.body) if isinstance(n, c_ast.Decl) and n.name]


def l_rename_locals(ast: c_ast.FileAST, rng: random.Random) -> bool:
    f = _func(ast)
    names = set(_locals(f))
    if not names:
        return False
    for node, parent, slot in _walk(f.body):
        if isinstance(node, c_ast.Decl) and node.name and node.name in names:
            node.name = "v_" + node.name
            inner = node.type
            while not isinstance(inner, c_ast.TypeDecl):
                inner = inner.type
            inner.declname = node.name
        elif (
            isinstance(node, c_ast.ID)
            and node.name in names
            and not (isinstance(parent, c_ast.StructRef) and slot == "field")
        ):
            node.name = "v_" + node.name
    return True


def l_rename_labels(ast: c_ast.FileAST, rng: random.Random) -> bool:
    f = _func(ast)
    changed = False
    for node, _, _ in _walk(f.body):
        if isinstance(node, (c_ast.Label, c_ast.Goto)):
            node.name = "L_" + node.name
            changed = True
    return changed


def l_if_invert(ast: c_ast.FileAST, rng: random.Random) -> bool:
    ifs = [n for n, _, _ in _walk(_func(ast).body) if isinstance(n, c_ast.If)]
    if not ifs:
        return False
    node = rng.choice(ifs)
    node.cond = c_ast.UnaryOp("!", node.cond)
    node.iftrue, node.iffalse = node.iffalse or c_ast.Compound([]), node.iftrue
    return True


def l_de_morgan(ast: c_ast.FileAST, rng: random.Random) -> bool:
    sites = [
        (n, p, s)
        for n, p, s in _walk(_func(ast).body)
        if isinstance(n, c_ast.BinaryOp) and n.op in {"&&", "||"} and p is not None
    ]
    if not sites:
        return False
    node, parent, slot = rng.choice(sites)
    other = "||" if node.op == "&&" else "&&"
    new = c_ast.UnaryOp(
        "!", c_ast.BinaryOp(other, c_ast.UnaryOp("!", node.left), c_ast.UnaryOp("!", node.right))
    )
    _set(parent, slot, new)
    return True


def l_for_to_while(ast: c_ast.FileAST, rng: random.Random) -> bool:
    for items in _stmt_lists(_func(ast)):
        for k, stmt in enumerate(items):
            if isinstance(stmt, c_ast.For) and not _has(stmt.stmt, (c_ast.Continue,)):
                body = (
                    stmt.stmt
                    if isinstance(stmt.stmt, c_ast.Compound)
                    else c_ast.Compound([stmt.stmt])
                )
                loop = c_ast.While(
                    stmt.cond, c_ast.Compound([*(body.block_items or []), stmt.next])
                )
                items[k : k + 1] = [stmt.init, loop]
                return True
    return False


def l_extract_helper(ast: c_ast.FileAST, rng: random.Random) -> bool:
    f = _func(ast)
    local = set(_locals(f))
    candidates = [
        (items, k)
        for items in _stmt_lists(f)
        for k, stmt in enumerate(items)
        if _plain(stmt)
        and not (_names(stmt) & local)
        and not _has(stmt, (c_ast.Goto, c_ast.Break, c_ast.Continue, c_ast.Return, c_ast.Label))
    ]
    if not candidates:
        return False
    items, k = rng.choice(candidates)
    helper_text = (
        "static void f_helper(int *p, char *q, struct S *s, int n, unsigned int u, long l)\n{\n}\n"
    )
    helper = parse("struct S;\n" + helper_text).ext[-1]
    helper.body.block_items = [items[k]]
    items[k] = parse("void g_(void) { f_helper(p, q, s, n, u, l); }").ext[0].body.block_items[0]
    ast.ext.insert(ast.ext.index(f), helper)
    return True


def l_swap_independent(ast: c_ast.FileAST, rng: random.Random) -> bool:
    f = _func(ast)
    local = set(_locals(f))
    sites = []
    for items in _stmt_lists(f):
        for k in range(len(items) - 1):
            a, b = items[k], items[k + 1]
            if not all(
                isinstance(x, c_ast.Assignment)
                and isinstance(x.lvalue, c_ast.ID)
                and x.lvalue.name in local
                and not _has(x.rvalue, (c_ast.FuncCall,))
                for x in (a, b)
            ):
                continue
            if a.lvalue.name == b.lvalue.name:
                continue
            if a.lvalue.name in _names(b.rvalue) or b.lvalue.name in _names(a.rvalue):
                continue
            sites.append((items, k))
    if not sites:
        return False
    items, k = rng.choice(sites)
    items[k], items[k + 1] = items[k + 1], items[k]
    return True


LAWS: dict[str, Callable[[c_ast.FileAST, random.Random], bool]] = {
    "rename_locals": l_rename_locals,
    "rename_labels": l_rename_labels,
    "if_invert": l_if_invert,
    "de_morgan": l_de_morgan,
    "for_to_while": l_for_to_while,
    "extract_helper": l_extract_helper,
    "swap_independent": l_swap_independent,
}
"""Behaviour-keeping rewrites: any DIFFERENT on one is a false DIFFERENT."""


def mutate(text: str, operator: str, rng: random.Random) -> tuple[str, str, str] | None:
    """(before, after, what) for one site of ``operator`` in the program ``text``, both
    printed by the same generator; None when the operator has no site."""
    ast = parse(text)
    before = unparse(ast)
    sites = MUTATIONS[operator](_func(ast), rng)
    if not sites:
        return None
    site = rng.choice(sites)
    site.apply()
    after = unparse(ast)
    if after == before:
        return None
    return before, after, site.what


def apply_law(text: str, law: str, rng: random.Random) -> tuple[str, str] | None:
    """(before, after) for the law applied once, or None when it does not apply."""
    ast = parse(text)
    before = unparse(ast)
    if not LAWS[law](ast, rng):
        return None
    after = unparse(ast)
    return (before, after) if after != before else None
