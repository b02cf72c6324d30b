"""Light mode: raw (not preprocessed) C function text made ready for the parser.

Without a configured tree, a function is parsed as written: macros stay calls or
identifiers. Comments become spaces (line numbers are kept), a ``# N "file"`` marker
gives the parser the real file and line. Preprocessor conditionals and definitions
inside a function cannot be resolved without the tree's configuration, so they are an
error naming the line (the user can give ``--tree``): choosing an arm ourselves could
hide a change.
"""

from __future__ import annotations

import re

from equivcheck.errors import UnsupportedConstruct
from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.patch.clex import identifiers

_TOKENS = re.compile(
    r"""(?P<keep>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
      | (?P<drop>//[^\n]*|/\*.*?\*/)""",
    re.DOTALL | re.VERBOSE,
)
_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(\w+)", re.MULTILINE)


def strip_comments(text: str) -> str:
    """``text`` with every comment replaced by spaces (newlines kept); string and
    character literals are left alone."""

    def replace(match: re.Match[str]) -> str:
        if match.group("keep") is not None:
            return match.group(0)
        return re.sub(r"[^\n]", " ", match.group(0))

    return _TOKENS.sub(replace, text)


def light_code(text: str, file: str, first_line: int) -> str:
    """Raw code without comments, checked for directives light mode cannot honour
    (an UnsupportedConstruct naming the directive and its line)."""
    code = strip_comments(text)
    for match in _DIRECTIVE.finditer(code):
        if match.group(1) == "line" or match.group(1).isdigit():
            continue
        line = first_line + code.count("\n", 0, match.start())
        raise UnsupportedConstruct(
            f"#{match.group(1)} inside a function",
            f"{file}:{line}",
            "light mode cannot choose a configuration",
            "give --tree with a configured tree",
        )
    return code


def light_source(func: FunctionText) -> FunctionText:
    """A raw function text made ready for the parser (see :func:`light_code`)."""
    code = light_code(func.text, func.file, func.start_line)
    return FunctionText(func.name, func.file, func.start_line, code, func.typedefs)


_MACRO_HEAD = re.compile(r"^\s*([A-Za-z_]\w*)\s*\(.*\)\s*\{?\s*$")


def explain_failure(err: UnsupportedConstruct, code: str, first_line: int) -> UnsupportedConstruct:
    """A light-mode parse failure, with a better hint when the failing line looks like
    a macro used as a statement head (``list_for_each_entry(pos, head, m) {``):
    without the tree's macros it cannot be parsed."""
    match = re.search(r":(\d+)$", err.location)
    if match is None:
        return err
    index = int(match.group(1)) - first_line
    lines = code.split("\n")
    if not 0 <= index < len(lines):
        return err
    head = _MACRO_HEAD.match(lines[index])
    if head is None or head.group(1) in {"if", "for", "while", "switch"}:
        return err
    return UnsupportedConstruct(
        f"macro {head.group(1)}(...) used as a statement head",
        err.location,
        "light mode does not expand macros",
        "give --tree with a configured tree",
    )


_DEFINE = re.compile(
    r"^[ \t]*#[ \t]*define[ \t]+(\w+)((?:[^\n\\]|\\.)*(?:\\\n(?:[^\n\\]|\\.)*)*)",
    re.MULTILINE,
)
"""A ``#define``: its name, then the rest (parameters and body, continuation lines
included)."""


def macros_reaching(source: str, names: frozenset[str]) -> frozenset[str]:
    """The macros ``source`` defines whose expansion may name one of ``names``,
    directly or through another such macro: in light mode a use of one of them is a
    call the parser does not see."""
    bodies: dict[str, str] = {}
    for match in _DEFINE.finditer(strip_comments(source)):
        bodies[match.group(1)] = bodies.get(match.group(1), "") + " " + match.group(2)
    reaching: set[str] = set()
    grew = True
    while grew:
        grew = False
        wanted = identifiers(names | reaching)
        for macro, body in bodies.items():
            if macro not in reaching and wanted is not None and wanted.search(body):
                reaching.add(macro)
                grew = True
    return frozenset(reaching)
