"""A fast, approximate token scanner for C text, the one brace matcher, the one finder
of function definitions, and line-marker bookkeeping.

Used where a full parse would be too slow or is not possible: finding function
definitions in raw C and in a whole ``.i`` file, typedef names, guessing typedef names
in unpreprocessed code. Tokens are identifiers, numbers, string and char literals and
punctuation; preprocessor lines are skipped; other characters are ignored.

:func:`function_definitions` is the one way to find a function in a text: raw source
(``source/cfuncs.py`` adds line numbers) and preprocessed text (``gnuc/cut.py`` cuts
the definitions out) both use it. It walks the file scope of the text with comments,
literals and ``#`` lines blanked: a ``{`` whose declaration (the tokens since the last
``;`` outside parentheses, earlier brace groups kept as one ``{}`` token) has no
initializer and names a function by :func:`function_name` opens a body; the matching
``}`` ends it. Any other brace group (struct, union, enum, initializer) is skipped.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from equivcheck.frontend.patch.clex import mask
from equivcheck.frontend.vocabulary import (
    ATTRIBUTE_MACROS,
    C_KEYWORDS,
    NOT_FUNCTION_NAMES,
    TYPEGROUP_WORDS,
)

_STRING = r'"(?:\\.|[^"\\\n])*"'
_CHAR = r"'(?:\\.|[^'\\\n])*'"
_DIRECTIVE = r"^[ \t]*\#[^\n]*"
_ID = r"[A-Za-z_$][\w$]*"
_NUM = r"\.?\d(?:[eEpP][+-]|[\w.])*"
_PUNCT = r"\.\.\.|->|\+\+|--|<<=?|>>=?|[<>=!&|^+\-*/%]=|&&|\|\||[{}()\[\];,=*:.?<>&|^+\-/%!~]"
TOKEN_RE = re.compile(
    rf"(?P<pp>{_DIRECTIVE})|(?P<str>{_STRING})|(?P<chr>{_CHAR})"
    rf"|(?P<id>{_ID})|(?P<num>{_NUM})|(?P<punct>{_PUNCT})",
    re.MULTILINE,
)
# The tokens of masked text (no literals or directives left), as plain strings.
_CODE_RE = re.compile(f"{_ID}|{_NUM}|{_PUNCT}")

_BRACE_RE = re.compile(rf"(?P<q>{_STRING}|{_CHAR}|{_DIRECTIVE})|(?P<b>[{{}}])", re.MULTILINE)
_MASKED_BRACE_RE = re.compile(r"[{}]")
_PAREN_RE = re.compile(r"[()]")

_MARKER_RE = re.compile(r'^#(?:line)?[ \t]+(\d+)[ \t]+"((?:\\.|[^"\\])*)"[^\n]*$', re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Tok:
    """One scanned token: its kind (``id``, ``num``, ``str``, ``chr``, ``punct``),
    text and offset."""

    kind: str
    text: str
    pos: int


def tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[Tok]:
    """The tokens of ``text[start:end]``, preprocessor lines skipped."""
    stop = len(text) if end is None else end
    for m in TOKEN_RE.finditer(text, start, stop):
        kind = m.lastgroup
        assert kind is not None
        if kind != "pp":
            yield Tok(kind, m.group(), m.start())


def _closing(pattern: re.Pattern[str], text: str, open_pos: int) -> int | None:
    """Offset just past the bracket that closes the one at ``open_pos``, counting the
    brackets ``pattern`` finds (anything else it finds is passed over)."""
    depth = 0
    for m in pattern.finditer(text, open_pos):
        found = m.group()
        if found in ("{", "("):
            depth += 1
        elif found in ("}", ")"):
            depth -= 1
            if depth == 0:
                return m.end()
    return None


def closing_brace(text: str, open_pos: int, *, masked: bool = False) -> int | None:
    """Offset just past the ``}`` matching the ``{`` at ``open_pos`` (braces in
    literals and directives ignored), or None when the text ends first. ``masked``
    text has no literals or directives left (see ``patch.clex.mask``)."""
    return _closing(_MASKED_BRACE_RE if masked else _BRACE_RE, text, open_pos)


def matching_brace(text: str, open_pos: int) -> int:
    """Offset just past the ``}`` matching the ``{`` at ``open_pos`` (or len(text))."""
    end = closing_brace(text, open_pos)
    return len(text) if end is None else end


def closing_paren(text: str, open_pos: int) -> int | None:
    """Offset just past the ``)`` matching the ``(`` at ``open_pos`` (every
    parenthesis counts: give masked text where literals may hold one), or None when
    the text ends first."""
    return _closing(_PAREN_RE, text, open_pos)


def matching_paren(text: str, open_pos: int) -> int:
    """Offset just past the ``)`` matching the ``(`` at ``open_pos`` (or len(text))."""
    end = closing_paren(text, open_pos)
    return len(text) if end is None else end


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """``text`` split at each ``sep`` outside parentheses, brackets and braces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


class FileScope:
    """Where a text is at file scope: outside braces, literals and directives (a
    stray ``}`` is passed over)."""

    def __init__(self, text: str) -> None:
        self._starts = [0]  # where each run of file-scope text starts
        self._ends: list[int] = []  # and where it ends (the last may run to the end)
        depth = 0
        for m in _BRACE_RE.finditer(text):
            brace = m.group("b")
            if brace == "{":
                if depth == 0:
                    self._ends.append(m.start())
                depth += 1
            elif brace == "}":
                if depth == 1:
                    self._starts.append(m.end())
                depth = max(depth - 1, 0)
            elif depth == 0:  # a literal or a directive at file scope
                self._ends.append(m.start())
                self._starts.append(m.end())

    def __contains__(self, offset: int) -> bool:
        run = bisect.bisect_right(self._starts, offset) - 1
        return run >= len(self._ends) or offset < self._ends[run]


_FILE_SCOPE = re.compile(r"[{}();]")
_SYSCALL = re.compile(r"^(COMPAT_)?SYSCALL_DEFINE\d$")
# Words written like calls in a declaration that name no function.
_GROUP_NAMES = ATTRIBUTE_MACROS | NOT_FUNCTION_NAMES | TYPEGROUP_WORDS
_NOT_NAMES = C_KEYWORDS | _GROUP_NAMES


@dataclass(frozen=True, slots=True)
class Definition:
    """A function definition found by :func:`function_definitions`: offsets of its
    declaration's first token, of its body's ``{`` and just past its ``}`` (the end
    of the text when ``closed`` is false), and the words of its header."""

    name: str
    start: int
    open: int
    end: int
    closed: bool
    words: frozenset[str]


def function_definitions(text: str) -> list[Definition]:
    """Every function definition at the file scope of C ``text`` (raw or
    preprocessed), in order; one left open at the end of the text comes last."""
    code = mask(text)
    found: list[Definition] = []
    pieces: list[tuple[int, int]] = []  # the declaration so far, between brace groups
    begin = parens = 0
    pos, n = 0, len(code)
    while pos < n:
        m = _FILE_SCOPE.search(code, pos)
        if m is None:
            break
        char, at, pos = m.group(), m.start(), m.end()
        if char == "(":
            parens += 1
        elif char == ")" and parens:
            parens -= 1
        elif (char in ";)" and parens == 0) or char == "}":  # a ")" or "}" is stray: resync
            pieces, begin, parens = [], pos, 0
        elif char == "{":
            pieces.append((begin, at))
            end = closing_brace(code, at, masked=True)
            pos = n if end is None else end
            head = None if parens else _header(code, pieces)
            name = None if head is None else _definition_name(head)
            if head is not None and name is not None:
                first = _declaration_start(head, name)
                start = _token_offset(code, pieces, first)
                words = frozenset(t for t in head[first:] if t[0].isalpha() or t[0] == "_")
                found.append(Definition(name, start, at, pos, end is not None, words))
                pieces, parens = [], 0
            begin = pos
    return found


def _header(code: str, pieces: list[tuple[int, int]]) -> list[str] | None:
    """The tokens of a declaration that may head a function body, earlier brace groups
    as one ``{}`` token; None for one that cannot (no ``)`` since the last group)."""
    last_from, last_to = pieces[-1]
    if code.rfind(")", last_from, last_to) < 0:
        return None
    head: list[str] = []
    for i, (start, stop) in enumerate(pieces):
        if i:
            head.append("{}")
        head += _CODE_RE.findall(code, start, stop)
    return head


def _token_offset(code: str, pieces: list[tuple[int, int]], index: int) -> int:
    """The offset of ``_header(code, pieces)[index]``."""
    if index == 0 and (first := _CODE_RE.search(code, *pieces[0])) is not None:
        return first.start()
    for i, (start, stop) in enumerate(pieces):
        if i:
            if index == 0:
                return pieces[i - 1][1]  # a brace group
            index -= 1
        for m in _CODE_RE.finditer(code, start, stop):
            if index == 0:
                return m.start()
            index -= 1
    return pieces[-1][1]


def _declaration_start(head: list[str], name: str) -> int:
    """Where the declaration of ``name`` starts in ``head``: past every macro call
    written without a semicolon before it (``DEFINE_LOCK_GUARD_0(...)`` on the lines
    above ``static inline int signal_pending(...)``), so that those lines belong to no
    function; annotations (``__printf(2, 3)``) stay part of it."""
    first = depth = 0
    for i, tok in enumerate(head):
        if tok == "(" and depth == 0 and i > 0:
            word = head[i - 1]
            end = group_end(head, i)
            after = head[end : end + 1]
            if (
                _usable_name(word)
                and word[:2] != "__"
                and after
                and (after[0][0].isalpha() or after[0][0] == "_")  # a word: static, int...
                and name in head[end:]
            ):
                first = end
        depth += (tok == "(") - (tok == ")")
    return first


def _definition_name(head: list[str]) -> str | None:
    """The function ``head`` (the tokens before a ``{``) defines, if any: it ends in
    its parameters (or in a bare ``__annotation`` after them) and has no initializer."""
    if head[-1] != ")" and not (head[-2:-1] == [")"] and head[-1][:2] == "__"):
        return None
    depth = 0
    for text in head:
        depth += (text == "(") - (text == ")")
        if text == "=" and depth == 0:
            return None
    return function_name(head)


def function_name(tokens: Sequence[str]) -> str | None:
    """The function a header names, from its tokens (identifiers and punctuation).

    A whole header (one that ends in its parameters, maybe followed by annotations such
    as ``__acquires(x)``) names the word before its last parenthesised group, or the
    name inside a declarator group (``void (*pick(int how))(int)``), or the macro that
    makes the name (``BTREE_FN(init)(...)``); a partial one
    (the section line of a hunk) names the word before its first group that is no
    keyword or annotation. ``SYSCALL_DEFINEn(foo, ...)`` opening a header becomes
    ``sys_foo`` (``compat_sys_foo``); other upper-case macros that open a header name
    the function by their first argument."""
    end = len(tokens)
    while end >= 2 and tokens[end - 2] == ")" and tokens[end - 1][:2] == "__":
        end -= 1  # a bare annotation: foo(void) __must_check
    while end and tokens[end - 1] == ")":
        open_at = _matching_open(tokens, end - 1)
        if open_at <= 0:
            return None
        before = tokens[open_at - 1]
        if before in _GROUP_NAMES and open_at > 1:  # foo(void) __acquires(x)
            end = open_at - 1
        elif before == ")":  # (*pick(int how))(int), or a macro: BTREE_FN(init)(...)
            inner = _matching_open(tokens, open_at - 1)
            if inner > 0 and _usable_name(tokens[inner - 1]):
                return tokens[inner - 1]
            return _inner_name(tokens, inner)
        elif not _usable_name(before):
            return None
        elif open_at == 1 and before.isupper():
            return _macro_name(tokens, open_at)
        else:
            return before
    return _first_name(tokens)


def _first_name(tokens: Sequence[str]) -> str | None:
    """The name of a partial header: the word before its first group at the top level
    that is no keyword or annotation (or the name inside a ``(*name(`` group)."""
    depth = 0
    for i, tok in enumerate(tokens):
        if tok == "(":
            if depth == 0 and i > 0:
                if tokens[i + 1 : i + 2] == ["*"] and (inner := _inner_name(tokens, i)):
                    return inner
                ident = tokens[i - 1]
                if _usable_name(ident):
                    return _macro_name(tokens, i) if i == 1 and ident.isupper() else ident
            depth += 1
        elif tok == ")":
            depth -= 1
            if depth < 0:
                return None
    return None


_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def group_end(tokens: Sequence[str], open_at: int) -> int:
    """Index just past the bracket group (``()``, ``[]`` or ``{}``) opening at
    ``tokens[open_at]`` (``len(tokens)`` when it does not close)."""
    opener = tokens[open_at]
    closer = _CLOSERS[opener]
    depth = 0
    for i in range(open_at, len(tokens)):
        depth += (tokens[i] == opener) - (tokens[i] == closer)
        if depth == 0:
            return i + 1
    return len(tokens)


def _matching_open(tokens: Sequence[str], close_at: int) -> int:
    """Index of the ``(`` matching the ``)`` at ``tokens[close_at]`` (-1 if none)."""
    depth = 0
    for i in range(close_at, -1, -1):
        depth += (tokens[i] == ")") - (tokens[i] == "(")
        if depth == 0:
            return i
    return -1


def _usable_name(ident: str) -> bool:
    return (ident[0].isalpha() or ident[0] == "_") and ident not in _NOT_NAMES


def _inner_name(tokens: Sequence[str], open_at: int) -> str | None:
    """The first name called inside the group opening at ``tokens[open_at]``."""
    depth = 0
    for i in range(max(open_at, 0), len(tokens) - 1):
        depth += (tokens[i] == "(") - (tokens[i] == ")")
        if depth == 0:
            break
        if tokens[i + 1] == "(" and _usable_name(tokens[i]):
            return tokens[i]
    return None


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


class LineIndex:
    """Maps offsets in preprocessed text to ``(file, line)`` using its line markers."""

    def __init__(self, text: str, filename: str = "<input>") -> None:
        self._text = text
        self._filename = filename
        self._starts: list[int] = []  # offset of the line after each marker
        self._marks: list[tuple[str, int]] = []
        for m in _MARKER_RE.finditer(text):
            self._starts.append(m.end() + 1)
            self._marks.append((m.group(2), int(m.group(1))))

    def locate(self, offset: int) -> tuple[str, int]:
        """The file and 1-based line of ``offset``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return self._filename, self._text.count("\n", 0, offset) + 1
        file, line = self._marks[i]
        return file, line + self._text.count("\n", self._starts[i], offset)
