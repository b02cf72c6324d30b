"""A fast, approximate token scanner for C text, and line-marker bookkeeping.

Used where a full parse would be too slow or is not possible: finding function
definitions and typedef names in a whole ``.i`` file, guessing typedef names in
unpreprocessed code. Tokens are identifiers, numbers, string and char literals and
punctuation; preprocessor lines are skipped; other characters are ignored.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

TOKEN_RE = re.compile(
    r"""
     (?P<pp>^[ \t]*\#[^\n]*)
    |(?P<str>"(?:\\.|[^"\\\n])*")
    |(?P<chr>'(?:\\.|[^'\\\n])*')
    |(?P<id>[A-Za-z_$][\w$]*)
    |(?P<num>\.?\d(?:[eEpP][+-]|[\w.])*)
    |(?P<punct>\.\.\.|->|\+\+|--|<<=?|>>=?|[<>=!&|^+\-*/%]=|&&|\|\||[{}()\[\];,=*:.?<>&|^+\-/%!~])
    """,
    re.MULTILINE | re.VERBOSE,
)

_BRACE_RE = re.compile(
    r"""(?P<q>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|^[ \t]*\#[^\n]*)|(?P<b>[{}])""",
    re.MULTILINE,
)

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


def matching_brace(text: str, open_pos: int) -> int:
    """Offset just past the ``}`` matching the ``{`` at ``open_pos`` (or len(text))."""
    depth = 0
    for m in _BRACE_RE.finditer(text, open_pos):
        brace = m.group("b")
        if brace == "{":
            depth += 1
        elif brace == "}":
            depth -= 1
            if depth == 0:
                return m.end()
    return len(text)


def matching_paren(text: str, open_pos: int) -> int:
    """Offset just past the ``)`` matching the ``(`` at ``open_pos`` (or len(text))."""
    depth = 0
    for i in range(open_pos, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


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


def file_scope_braces(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, brace)`` of every brace outside literals and directives."""
    for m in _BRACE_RE.finditer(text):
        brace = m.group("b")
        if brace is not None:
            yield m.start(), brace


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
