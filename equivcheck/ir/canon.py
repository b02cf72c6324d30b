"""Canonical form of an IR graph: layout, label and local names stop mattering.

``canonicalize`` threads jumps through empty blocks, drops unreachable blocks, merges
straight-line chains, puts ``if (!c) A else B`` as ``if (c) B else A``, numbers blocks
in depth-first preorder from the entry (successors in their fixed order) and locals in
order of first use along that walk, and finds the natural loops. Two functions that
differ only in label names, local names or block order have equal canonical forms.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from equivcheck.ir.build import reads_memory
from equivcheck.ir.ctype import array_shape, pointed_type, spelled
from equivcheck.ir.model import (
    AsmGoto,
    Block,
    Branch,
    Cast,
    Graph,
    Jump,
    Local,
    Loop,
    Param,
    Switch,
    SwitchCase,
    Terminator,
    Unary,
    successors,
)


def canonicalize(graph: Graph) -> Graph:
    """The canonical form of ``graph`` (a new graph; the input is not changed)."""
    blocks = {i: Block(i, list(b.stmts), b.terminator) for i, b in graph.blocks.items()}
    # Entry points: the entry, and in a region the labels code outside may jump to.
    roots = [graph.entry, *graph.labels.values()]
    blocks, roots = _thread_jumps(blocks, roots)
    blocks = _reachable(blocks, roots)
    blocks = _merge_chains(blocks, roots)
    for block in blocks.values():
        block.terminator = _normalise_branch(block.terminator)
    blocks, new_index = _renumber_blocks(blocks, roots)
    blocks, locals_, exported = _renumber_locals(blocks, graph.locals, graph.exported)
    labels = {name: new_index[root] for name, root in zip(graph.labels, roots[1:], strict=True)}
    result = dataclasses.replace(
        graph,
        blocks=blocks,
        entry=new_index[roots[0]],
        locals=locals_,
        labels=labels,
        exported=exported,
    )
    result = resolve_typeof(result)
    result.loops = find_loops(result)
    return result


# ---------------------------------------------------------------------- simplification


def retarget(term: Terminator, mapping: Callable[[int], int]) -> Terminator:
    match term:
        case Jump(target=t):
            return dataclasses.replace(term, target=mapping(t))
        case Branch(then=a, other=b):
            return dataclasses.replace(term, then=mapping(a), other=mapping(b))
        case Switch(cases=cases, default=d):
            new_cases = tuple(SwitchCase(c.low, c.high, mapping(c.target)) for c in cases)
            return dataclasses.replace(term, cases=new_cases, default=mapping(d))
        case AsmGoto(targets=ts, fallthrough=f):
            return dataclasses.replace(
                term, targets=tuple(mapping(t) for t in ts), fallthrough=mapping(f)
            )
        case _:
            return term


def _thread_jumps(blocks: dict[int, Block], roots: list[int]) -> tuple[dict[int, Block], list[int]]:
    """Send every edge past blocks that hold nothing but a jump."""

    def final(index: int) -> int:
        seen = {index}
        while True:
            block = blocks[index]
            if block.stmts or not isinstance(block.terminator, Jump):
                return index
            nxt = block.terminator.target
            if nxt in seen:
                return index  # an empty infinite loop stays
            seen.add(nxt)
            index = nxt

    for block in blocks.values():
        block.terminator = retarget(block.terminator, final)
    return blocks, [final(root) for root in roots]


def _reachable(blocks: dict[int, Block], roots: list[int]) -> dict[int, Block]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        index = stack.pop()
        if index in seen:
            continue
        seen.add(index)
        stack.extend(successors(blocks[index].terminator))
    return {i: b for i, b in blocks.items() if i in seen}


def _predecessor_counts(blocks: dict[int, Block], roots: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(blocks, 0)
    for root in roots:
        counts[root] += 1  # entry points are reached from outside
    for block in blocks.values():
        for target in successors(block.terminator):
            counts[target] += 1
    return counts


def _merge_chains(blocks: dict[int, Block], roots: list[int]) -> dict[int, Block]:
    """Append B to A where A jumps to B and nothing else reaches B."""
    counts = _predecessor_counts(blocks, roots)
    changed = True
    while changed:
        changed = False
        for index in list(blocks):
            block = blocks.get(index)
            if block is None or not isinstance(block.terminator, Jump):
                continue
            target = block.terminator.target
            if target == index or counts.get(target) != 1:
                continue
            nxt = blocks.pop(target)
            block.stmts.extend(nxt.stmts)
            block.terminator = nxt.terminator
            changed = True
    return blocks


def _normalise_branch(term: Terminator) -> Terminator:
    while isinstance(term, Branch) and isinstance(term.cond, Unary) and term.cond.op == "!":
        term = Branch(term.cond.operand, term.other, term.then, loc=term.loc)
    if isinstance(term, Branch) and term.then == term.other and not reads_memory(term.cond):
        return Jump(term.then, loc=term.loc)  # a pure test whose arms meet at once
    return term


# ---------------------------------------------------------------------- numbering


def _preorder(blocks: dict[int, Block], roots: list[int]) -> list[int]:
    """Depth-first preorder from each root in turn (successors in their fixed order)."""
    order: list[int] = []
    seen: set[int] = set()
    for root in roots:
        stack = [root]
        while stack:
            index = stack.pop()
            if index in seen:
                continue
            seen.add(index)
            order.append(index)
            stack.extend(reversed(successors(blocks[index].terminator)))
    return order


def block_order(graph: Graph) -> list[int]:
    """The reachable blocks of ``graph`` in depth-first preorder from its entry points
    (the entry, then its labels)."""
    return _preorder(graph.blocks, [graph.entry, *graph.labels.values()])


def _renumber_blocks(
    blocks: dict[int, Block], roots: list[int]
) -> tuple[dict[int, Block], dict[int, int]]:
    order = _preorder(blocks, roots)
    new_index = {old: new for new, old in enumerate(order)}
    renumbered: dict[int, Block] = {}
    for old in order:
        block = blocks[old]
        term = retarget(block.terminator, new_index.__getitem__)
        renumbered[new_index[old]] = Block(new_index[old], block.stmts, term)
    return renumbered, new_index


def _renumber_locals(
    blocks: dict[int, Block], locals_: list[Local], exported: list[int]
) -> tuple[dict[int, Block], list[Local], list[int]]:
    """Number a region's exported locals first (in declaration order), then the others
    by first use in block order; unused locals that are not exported disappear."""
    mapping: dict[int, Local] = {}
    by_index = {local.index: local for local in locals_}

    def visit(local: Local) -> Local:
        if local.index not in mapping:
            src = by_index.get(local.index, local)
            mapping[local.index] = dataclasses.replace(src, index=len(mapping))
        return mapping[local.index]

    for index in exported:
        visit(by_index[index])

    result: dict[int, Block] = {}
    for index in sorted(blocks):
        block = blocks[index]
        stmts = [map_locals(stmt, visit) for stmt in block.stmts]
        term = map_locals(block.terminator, visit)
        result[index] = Block(index, stmts, term)
    ordered = sorted(mapping.values(), key=lambda local: local.index)
    return result, ordered, [mapping[index].index for index in exported]


def map_locals(node: Any, fn: Callable[[Local], Local]) -> Any:
    """Rebuild an IR statement, terminator or expression with every ``Local`` replaced
    by ``fn(local)``."""
    return map_nodes(node, Local, fn)


# typeof(%p0), typeof(*%p0), __typeof__(@{T}), typeof(*@{T}): a parameter's or a
# local's declared type (locals are written @{their type} by the builder).
_TYPEOF = re.compile(r"\b(?:typeof|__typeof__|__typeof)\s*\(\s*(\*?)\s*(%p\d+|@\{[^{}]*\})\s*\)")


# typeof((unsigned long) x) and typeof(((unsigned long) x) + size), as the kernel's
# ALIGN() and PAGE_ALIGN() write them: the type of a cast, alone or as the left operand
# of integer arithmetic.
_OPERAND = r"(?:%p\d+|@\{[^{}]*\}|\w+)"
_TYPEOF_CAST = re.compile(
    r"\b(?:typeof|__typeof__|__typeof)\s*\(\s*(\(\s*)?\(\s*([A-Za-z_][\w ]*?)\s*\)\s*"
    rf"({_OPERAND})\s*(\)\s*)?(?:([-+*/%&|^]|<<|>>)\s*({_OPERAND})\s*)?\)"
)
_WIDEST_UNSIGNED = frozenset({"unsigned long", "unsigned long long", "long unsigned int", "u64"})
_INTEGER_WORDS = frozenset({"char", "short", "int", "long", "unsigned", "signed", "_Bool", "bool"})


def _cast_type(found: re.Match[str], graph: Graph, names: Mapping[str, str]) -> str:
    """The type ``typeof`` names when its operand is a cast to an integer type, alone
    or (parenthesised) the left operand of arithmetic with an integer: a 64-bit
    unsigned type absorbs any integer operand; a shift keeps the left type. Anything
    else stays as written."""
    opened, ctype, closed, op, right = (found.group(i) for i in (1, 2, 4, 5, 6))
    ctype = spelled(ctype)
    if bool(opened) != bool(closed) or not _is_integer(ctype):
        return found.group(0)
    if op is None:
        return ctype
    integer = _operand_is_integer(right, graph, names)
    if op in ("<<", ">>") and not _NARROW.search(ctype) and integer:
        return ctype  # (a narrower left operand would be promoted to int)
    if ctype in _WIDEST_UNSIGNED and integer:
        return ctype
    return found.group(0)


# typeof((@{unsigned long} + (1UL << 12)) - ((1UL << 12) - 1)): arithmetic on 64-bit
# unsigned variables and integer constants (PAGE_ALIGN_DOWN of a variable).
_TYPEOF_SUM = re.compile(
    r"\b(?:typeof|__typeof__|__typeof)\s*\(((?:[\s()+\-*&|^~]|<<|>>|\d+[uUlL]*|@\{[^{}]*\})+)\)"
)


def _sum_type(found: re.Match[str]) -> str:
    """``unsigned long`` for arithmetic whose variables are all 64-bit unsigned and
    whose other operands are integer constants (a 64-bit unsigned operand makes the
    result one; a variable as a shift count, which leaves the left type, does not
    count)."""
    text = found.group(1)
    variables = re.findall(r"@\{([^{}]*)\}", text)
    if not variables or any(spelled(v) not in _WIDEST_UNSIGNED for v in variables):
        return found.group(0)
    # A shift has its left operand's type: only shifts of constants by constants
    # (1UL << 12) are read; a unary & or * makes a pointer or reads one.
    rest = _CONSTANT_SHIFT.sub("1", text)
    if "<<" in rest or ">>" in rest or _UNARY_POINTER.search(rest):
        return found.group(0)
    return "unsigned long"


_CONSTANT_SHIFT = re.compile(r"\d+[uUlL]*\s*(?:<<|>>)\s*\d+[uUlL]*")
_UNARY_POINTER = re.compile(r"(?:^|[(+\-*/%&|^~<>]|<<|>>)\s*[&*]")


def _is_integer(ctype: str) -> bool:
    words = spelled(ctype).split()
    if len(words) == 1 and words[0] in _FIXED_INTEGERS:
        return True
    return bool(words) and all(w in _INTEGER_WORDS for w in words)


_NARROW = re.compile(r"\b(?:char|short|_Bool|bool|u8|u16|s8|s16)\b")
_FIXED_INTEGERS = frozenset({"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "size_t"})


def _operand_is_integer(text: str, graph: Graph, names: Mapping[str, str]) -> bool:
    """Whether an operand of a ``typeof`` text is an integer: a literal, or a
    parameter or local whose declared type is one (``names``: the declared types of a
    region's outer variables)."""
    if text.isdigit():
        return True
    if text.startswith("%p"):
        number = int(text[2:])
        return number < len(graph.params) and _is_integer(graph.params[number].ctype)
    if text.startswith("@{"):
        return _is_integer(text[2:-1])
    named = [p.ctype for p in graph.params if p.name == text]
    if not named and text in graph.outer_names and text in names:
        named = [names[text]]
    return len(named) == 1 and _is_integer(named[0])


def resolve_typeof(graph: Graph, names: Mapping[str, str] | None = None) -> Graph:
    """``graph`` with ``typeof`` of a variable, or of what it points to, spelled as
    that type (``typeof(u) x`` is an ``unsigned int``: its values are converted), and
    ``typeof`` of a cast as :func:`_cast_type` says (``names``: the declared types of a
    region's outer variables)."""
    known = names or {}

    def spell(text: str) -> str:
        def one(found: re.Match[str]) -> str:
            star, name = found.group(1), found.group(2)
            if name.startswith("%p"):
                number = int(name[2:])
                ctype = graph.params[number].ctype if number < len(graph.params) else ""
                if "[" in ctype:
                    # (a parameter declared as an array is a pointer to its element;
                    # one with more dimensions, a pointer to an array, is not spelled)
                    shape = array_shape(ctype) if ctype.count("[") == 1 else None
                    ctype = f"{shape[0]} *" if shape is not None else ""
            else:
                ctype = name[2:-1]
            ctype = spell(ctype)
            if not ctype or "typeof" in ctype:
                return found.group(0)
            if star:
                pointee = pointed_type(ctype)
                return pointee if pointee else found.group(0)
            return ctype

        for _ in range(8):  # typeof(@{typeof(@{char})}): innermost first
            if "typeof" not in text:
                break
            text, before = _TYPEOF.sub(one, text), text
            text = _TYPEOF_CAST.sub(lambda found: _cast_type(found, graph, known), text)
            text = _TYPEOF_SUM.sub(_sum_type, text)
            if text == before:
                break
        return text

    return retype(graph, spell)


_TYPEOF_CALL = re.compile(r"\b(?:typeof|__typeof__|__typeof)\s*\(\s*([A-Za-z_]\w*)\s*\(")


def typeof_calls(results: Mapping[str, str]) -> Callable[[str], str]:
    """A function that writes ``typeof(f(...))`` in a type's text as ``f``'s declared
    result type, for the functions ``results`` types (what C's ``typeof`` of a call
    is: the kernel's ``alloc_hooks()`` declares its result variable so)."""

    def spell(text: str) -> str:
        out, at = [], 0
        for found in _TYPEOF_CALL.finditer(text):
            if found.start() < at or found.group(1) not in results:
                continue
            depth, end = 1, found.end()
            while end < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            rest = text[end:]
            close = len(rest) - len(rest.lstrip())
            if depth or not rest[close:].startswith(")"):
                continue
            out += [text[at : found.start()], results[found.group(1)]]
            at = end + close + 1
        return "".join(out) + text[at:] if out else text

    return spell


def retype(graph: Graph, spell: Callable[[str], str]) -> Graph:
    """``graph`` with every written type (of locals, parameters, casts, the result)
    spelled anew by ``spell``: typedef names the compiler resolved, say."""

    def node(item: Any) -> Any:
        if isinstance(item, tuple):
            return tuple(node(x) for x in item)
        if isinstance(item, list):
            return [node(x) for x in item]
        if not dataclasses.is_dataclass(item) or isinstance(item, type):
            return item
        changes = {
            f.name: node(getattr(item, f.name)) for f in dataclasses.fields(item) if f.name != "loc"
        }
        if isinstance(item, Local | Param | Cast):
            changes["ctype"] = spell(item.ctype)
        return dataclasses.replace(item, **changes)

    return dataclasses.replace(
        graph,
        params=node(graph.params),
        locals=node(graph.locals),
        return_type=spell(graph.return_type),
        blocks={index: node(block) for index, block in graph.blocks.items()},
    )


def iter_nodes(node: Any) -> Iterator[Any]:
    """Every IR node inside ``node`` (itself included), depth first."""
    if isinstance(node, tuple):
        for item in node:
            yield from iter_nodes(item)
        return
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        yield node
        for f in dataclasses.fields(node):
            if f.name != "loc":
                yield from iter_nodes(getattr(node, f.name))


def graph_nodes(graph: Graph) -> Iterator[Any]:
    """Every IR node of ``graph``: of each block's statements and terminator."""
    for block in graph.blocks.values():
        for stmt in [*block.stmts, block.terminator]:
            yield from iter_nodes(stmt)


def map_nodes(node: Any, kind: type[Any], fn: Callable[[Any], Any]) -> Any:
    """Rebuild an IR statement, terminator or expression with every node of class
    ``kind`` replaced by ``fn(node)``."""
    if isinstance(node, kind):
        return fn(node)
    if isinstance(node, tuple):
        return tuple(map_nodes(item, kind, fn) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            if f.name == "loc":
                continue
            value = getattr(node, f.name)
            new_value = map_nodes(value, kind, fn)
            if new_value is not value:
                changes[f.name] = new_value
        return dataclasses.replace(node, **changes) if changes else node
    return node


# ---------------------------------------------------------------------- loops


def dominators(graph: Graph) -> dict[int, set[int]]:
    """For each block, the blocks that dominate it (itself included)."""
    order = _preorder(graph.blocks, [graph.entry, *graph.labels.values()])
    preds: dict[int, list[int]] = {i: [] for i in order}
    for i in order:
        for s in graph.successors(i):
            preds[s].append(i)
    everything = set(order)
    roots = {graph.entry, *graph.labels.values()}
    dom = {i: set(everything) for i in order}
    for root in roots:
        dom[root] = {root}  # entry points hang off one virtual entry
    changed = True
    while changed:
        changed = False
        for i in order:
            if i in roots:
                continue
            incoming = [dom[p] for p in preds[i]]
            new = set.intersection(*incoming) if incoming else set()
            new = new | {i}
            if new != dom[i]:
                dom[i] = new
                changed = True
    return dom


def find_loops(graph: Graph) -> list[Loop]:
    """The natural loops of ``graph``: one per header, merging its back edges."""
    dom = dominators(graph)
    latches: dict[int, list[int]] = {}
    for index in dom:
        for succ in graph.successors(index):
            if succ in dom[index]:
                latches.setdefault(succ, []).append(index)
    preds: dict[int, list[int]] = {i: [] for i in dom}
    for i in dom:
        for s in graph.successors(i):
            preds[s].append(i)
    loops: list[Loop] = []
    for header in sorted(latches):
        body = {header}
        stack = [latch for latch in latches[header] if latch != header]
        while stack:
            node = stack.pop()
            if node in body:
                continue
            body.add(node)
            stack.extend(preds[node])
        exits = sorted({s for b in body for s in graph.successors(b) if s not in body})
        loops.append(Loop(header, tuple(sorted(latches[header])), frozenset(body), tuple(exits)))
    return loops
