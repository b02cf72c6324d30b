"""Find function definitions in raw (not preprocessed) C source.

A token scan over the text with comments, literals and ``#`` lines blanked: every
``{`` at file scope whose header (the text since the previous ``;``/``}``) looks like
``type name(params) annotations`` opens a function body; brace matching finds its end.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from equivcheck.frontend.patch.clex import mask
from equivcheck.frontend.vocabulary import ATTRIBUTE_MACROS, INLINE_WORDS, NOT_FUNCTION_NAMES

_TOKEN = re.compile(r"[A-Za-z_]\w*|[{}();=\[\]]")
_STRUCTURE = re.compile(r"[{};]")
_SYSCALL = re.compile(r"^(COMPAT_)?SYSCALL_DEFINE\d$")


@dataclass(frozen=True)
class CFunction:
    """A function definition; lines are 1-based and inclusive."""

    name: str
    start_line: int
    end_line: int
    body_start_line: int
    is_static: bool
    is_inline: bool
    header_text: str


@dataclass(frozen=True)
class _Tok:
    text: str
    pos: int


def find_functions(text: str) -> list[CFunction]:
    """Every function definition in ``text``, in order."""
    code = mask(text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        return bisect.bisect_right(line_starts, pos)

    functions: list[CFunction] = []
    depth = 0
    header_from = 0
    body: tuple[int, str, int, bool, bool] | None = None  # open pos, name, start, ...
    for match in _STRUCTURE.finditer(code):
        char, pos = match.group(0), match.start()
        if char == "{":
            if depth == 0:
                found = _header(code, header_from, pos)
                if found is not None:
                    name, start, is_static, is_inline = found
                    body = (pos, name, start, is_static, is_inline)
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
            if depth == 0:
                if body is not None:
                    open_pos, name, start, is_static, is_inline = body
                    header = text[start:open_pos].rstrip()
                    functions.append(
                        CFunction(
                            name,
                            line_of(start),
                            line_of(pos),
                            line_of(open_pos),
                            is_static,
                            is_inline,
                            header,
                        )
                    )
                    body = None
                header_from = pos + 1
        elif depth == 0:
            header_from = pos + 1
    return functions


def _header(code: str, begin: int, end: int) -> tuple[str, int, bool, bool] | None:
    """If ``code[begin:end]`` is a function header: name, start offset, static, inline."""
    tokens = [_Tok(m.group(0), begin + m.start()) for m in _TOKEN.finditer(code[begin:end])]
    if not tokens or (tokens[-1].text != ")" and not _ends_in_annotation(tokens)):
        return None
    words = {t.text for t in tokens}
    if "=" in words:
        return None
    name = name_from_tokens([t.text for t in tokens])
    if name is None:
        return None
    return name, tokens[0].pos, "static" in words, bool(words & INLINE_WORDS)


def _ends_in_annotation(tokens: list[_Tok]) -> bool:
    """``foo(void) __acquires(x) __must_check`` style tails (bare word after ``)``)."""
    return len(tokens) >= 2 and tokens[-2].text == ")" and tokens[-1].text.startswith("__")


def name_from_tokens(tokens: Sequence[str]) -> str | None:
    """The defined function's name from header tokens (identifiers and punctuation).

    ``SYSCALL_DEFINEn(foo, ...)`` becomes ``sys_foo`` (``compat_sys_foo``); other
    upper-case macros that open a header name the function by their first argument.
    """
    depth = 0
    for i, tok in enumerate(tokens):
        if tok == "(":
            if depth == 0 and i > 0:
                ident = tokens[i - 1]
                if _usable_name(ident):
                    return _macro_name(tokens, i) if i == 1 and ident.isupper() else ident
            depth += 1
        elif tok == ")":
            depth -= 1
            if depth < 0:
                return None
    return None


def _usable_name(ident: str) -> bool:
    return (
        (ident[0].isalpha() or ident[0] == "_")
        and ident not in ATTRIBUTE_MACROS
        and ident not in NOT_FUNCTION_NAMES
    )


def _macro_name(tokens: Sequence[str], paren: int) -> str | None:
    """Name for a definition opened by a macro, e.g. ``SYSCALL_DEFINE3(mmap, ...)``."""
    macro = tokens[paren - 1]
    arg = tokens[paren + 1] if paren + 1 < len(tokens) else ""
    if not (arg[:1].isalpha() or arg[:1] == "_"):
        return macro
    syscall = _SYSCALL.match(macro)
    if syscall:
        return ("compat_sys_" if syscall.group(1) else "sys_") + arg
    return arg


def function_at(functions: Sequence[CFunction], line: int) -> CFunction | None:
    """The function whose definition spans ``line`` (header and body included)."""
    for func in functions:
        if func.start_line <= line <= func.end_line:
            return func
    return None
