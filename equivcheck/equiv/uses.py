"""How a function uses the functions the input changes, where a comparison could miss
it (docs/semantics.md, "The changed part"): a use other than a direct call (a pointer,
a macro argument, an initializer), a call hidden in a macro or in an unchanged function
of the file (light mode, macros not expanded), a construct the IR only notes. Each check
returns why the function cannot be compared as planned, or an empty string."""

from __future__ import annotations

import re

from equivcheck.frontend.patch.clex import identifiers, mask
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.frontend.source.light import macros_reaching
from equivcheck.ir.canon import graph_nodes
from equivcheck.ir.model import Call, Global, Graph


def direct_calls(graph: Graph, names: frozenset[str]) -> int:
    """How many calls ``graph`` makes, by name, to one of ``names``."""
    return sum(1 for node in graph_nodes(graph) if isinstance(node, Call) and node.callee in names)


def address_uses(function: str, graphs: list[Graph], changed: frozenset[str]) -> str:
    """A changed function that ``function`` uses as a value, not in a direct call: its
    address (in a pointer, a macro's argument, an initializer) reaches the changed body
    by a way the comparison does not follow (it takes the address as one value in both
    versions)."""
    others = changed - {function}
    for graph in graphs:
        for node in graph_nodes(graph):
            if isinstance(node, Global) and node.name in others:
                return (
                    f"{function} uses {node.name}, which the input changes, as a value (a "
                    "pointer to it, a macro's argument, an initializer), not in a direct "
                    "call: the comparison does not follow it to the changed body"
                )
    return ""


def reaching(source: str, changed: frozenset[str], inlined: frozenset[str]) -> frozenset[str]:
    """The names of ``source`` (a whole file, macros not expanded) whose use may run a
    changed function out of the comparison's sight: macros whose expansion may call
    one (a macro that pastes tokens, ``##``, may make any name), and functions not
    inlined whose body uses a changed function or such a name, transitively."""
    if not changed:
        return frozenset()
    spliced = source.replace("\\\n", "")
    found = set(macros_reaching(spliced, changed))
    found |= {m.group(1) for m in _PASTING.finditer(spliced)}
    code = mask(spliced).split("\n")
    bodies = {
        f.name: "\n".join(code[f.start_line - 1 : f.end_line])
        for f in find_functions(spliced)
        if f.name not in changed and f.name not in inlined
    }
    grew = True
    while grew:
        grew = False
        targets = identifiers(changed | found, members=False)
        assert targets is not None  # (changed is not empty)
        for name, body in bodies.items():
            if name not in found and targets.search(body):
                found.add(name)
                grew = True
        for macro in macros_reaching(spliced, frozenset(found | changed)) - found:
            found.add(macro)
            grew = True
    return frozenset(found)


_PASTING = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[^\n]*##", re.MULTILINE)
"""A ``#define`` whose body pastes tokens (line splices already joined)."""


def hidden_calls(function: str, texts: list[str], hidden: frozenset[str]) -> str:
    """A name of ``hidden`` (see :func:`reaching`) that one of ``texts`` (the function
    and the helpers inlined into it) uses."""
    pattern = identifiers(hidden, members=False)
    for text in texts:
        found = sorted(set(pattern.findall(mask(text)))) if pattern is not None else []
        if found:
            name = found[0]
            return (
                f"{function} uses {name}, which may run a function the input changes "
                "out of sight (a macro, or a function of the file not compared, that "
                "reaches it); without --tree macros are not expanded"
            )
    return ""


def unsupported(function: str, graphs: list[Graph]) -> str:
    """A construct the IR could only note (a ``cleanup()`` local, whose function runs
    at the end of its scope; an asm register variable): not on any path, so no
    comparison would see it."""
    for graph in graphs:
        for construct, loc in graph.unsupported:
            if construct.startswith(NOTED_ONLY):
                where = f" at {loc}" if loc else ""
                return f"unsupported construct in {function}: {construct}{where}"
    return ""


NOTED_ONLY = ("cleanup(", "asm register variable")
"""The constructs ``ir/build.py`` notes in ``Graph.unsupported`` at a declaration, with
nothing on a path (an unsupported expression is an ``Opaque`` node, met on the path)."""
