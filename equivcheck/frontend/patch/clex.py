"""Blank out what is not code in raw C text: comments, strings, char literals, and
preprocessor lines. The result keeps every offset and newline, so braces and
identifiers found in it point at the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NOISE = re.compile(
    r"""//[^\n]*
      | /\*.*?(?:\*/|\Z)
      | "(?:\\.|[^"\\\n])*"
      | '(?:\\.|[^'\\\n])*'
    """,
    re.DOTALL | re.VERBOSE,
)
_BLANK = re.compile(r"[^\n]")


def _spaces(match: re.Match[str]) -> str:
    return _BLANK.sub(" ", match.group(0))


def mask(text: str, keep_preprocessor: bool = False) -> str:
    """``text`` with comments, literals and (unless kept) ``#`` lines made spaces."""
    masked = _NOISE.sub(_spaces, text)
    if keep_preprocessor:
        return masked
    lines = masked.split("\n")
    continued = False
    for i, line in enumerate(lines):
        if continued or line.lstrip().startswith("#"):
            continued = line.rstrip().endswith("\\")
            lines[i] = " " * len(line)
    return "\n".join(lines)


def identifiers(
    names: frozenset[str] | set[str], *, members: bool = True
) -> re.Pattern[str] | None:
    """A pattern finding any of ``names`` as a whole identifier (None for no names);
    with ``members=False``, not where it names a member (``.name``, ``->name``)."""
    if not names:
        return None
    alternatives = "|".join(map(re.escape, sorted(names)))
    before = "" if members else r"(?<!\.)(?<!->)"
    return re.compile(rf"{before}\b(?:{alternatives})\b")


@dataclass
class LineLexer:
    """Masks code line by line, carrying block-comment state across lines."""

    in_comment: bool = False

    def code(self, line: str) -> str:
        """The code part of ``line``: comments and literals removed, no ``#`` lines."""
        out: list[str] = []
        i = 0
        if self.in_comment:
            end = line.find("*/")
            if end < 0:
                return ""
            self.in_comment = False
            i = end + 2
        rest = line[i:]
        if rest.lstrip().startswith("#"):
            return ""
        while True:
            opening = rest.find("/*")
            line_comment = rest.find("//")
            if line_comment >= 0 and (opening < 0 or line_comment < opening):
                out.append(rest[:line_comment])
                break
            if opening < 0:
                out.append(rest)
                break
            out.append(rest[:opening])
            end = rest.find("*/", opening + 2)
            if end < 0:
                self.in_comment = True
                break
            out.append(" ")
            rest = rest[end + 2 :]
        return mask("".join(out), keep_preprocessor=True)
