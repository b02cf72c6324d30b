"""Give lines that lost their indentation (a damaged patch's added lines) a readable
one, from the indentation of known neighbour lines and the brace depth between them.
The C meaning never depends on it; readers of the after text do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from equivcheck.frontend.patch.clex import LineLexer

_LABEL = re.compile(r"^[A-Za-z_]\w*:(?!:)\s*(/\*.*)?$")
_CASE = re.compile(r"^(case\b.*|default\s*):")
_OPERATORS = ("&&", "||", "+", "-", "=", "?", "|", "&", "*", "/", "<", ">")
_BRACELESS = re.compile(r"^(\}\s*)?(if|for|while|else\s+if|else|\w*for_each\w*)\b")


def indent_unit(text: str) -> str:
    """The file's indentation step: a tab (kernel style) unless spaces dominate."""
    tabs = spaces = 0
    for line in text.split("\n"):
        if line.startswith("\t"):
            tabs += 1
        elif line.startswith("    "):
            spaces += 1
    return "    " if spaces > tabs else "\t"


def _width(prefix: str) -> int:
    col = 0
    for ch in prefix:
        col = (col // 8 + 1) * 8 if ch == "\t" else col + 1
    return col


@dataclass
class Reindenter:
    """Walks lines in order; known lines set the level, bare lines get one computed."""

    unit: str = "\t"
    level: int = 0
    lexer: LineLexer = field(default_factory=LineLexer)
    comment_indent: str | None = None
    paren_col: int | None = None
    braceless: bool = False
    paren_stack: list[int] = field(default_factory=list)
    _prefix: str = ""
    _stmt_head: str = ""
    _stmt_base: int = 0
    _stmt_delta: int = 0

    def known(self, line: str) -> None:
        """Account for a line whose indentation is right (from the file)."""
        stripped = line.lstrip()
        self._prefix = line[: len(line) - len(stripped)]
        level = _width(self._prefix) // _width(self.unit)
        if self.lexer.in_comment:
            self.lexer.code(stripped)
            return
        self._advance(stripped, level, _width(self._prefix), self.paren_col is not None)

    def place(self, bare: str) -> str:
        """``bare`` (no leading whitespace) with the indentation it should have."""
        stripped = bare.strip()
        if not stripped:
            self.lexer.code("")
            return ""
        if self.comment_indent is not None and self.lexer.in_comment:
            prefix = self.comment_indent + (" " if stripped.startswith("*") else "")
            self.lexer.code(stripped)
            return prefix + stripped
        if self.paren_col is not None:
            prefix = self._to_col(self.paren_col)
            self._advance(stripped, self.level, self.paren_col, continuation=True)
            return prefix + stripped
        level = self.level
        bump = 0
        if stripped.startswith("}"):
            level -= 1
        elif self.braceless and not stripped.startswith("{"):
            bump = 1
        if stripped.startswith("#") or (_LABEL.match(stripped) and not _CASE.match(stripped)):
            prefix = ""
        else:
            shift = -1 if _CASE.match(stripped) else bump
            prefix = self.unit * max(level + shift, 0)
        self._advance(stripped, max(level, 0), _width(prefix))
        return prefix + stripped

    def _to_col(self, col: int) -> str:
        unit = _width(self.unit)
        if self.unit == "\t":
            return "\t" * (col // 8) + " " * (col % 8)
        return " " * (col // unit * unit + col % unit)

    def _advance(self, stripped: str, level: int, col: int, continuation: bool = False) -> None:
        was_comment = self.lexer.in_comment
        code = self.lexer.code(stripped)
        if self.lexer.in_comment and not was_comment:
            self.comment_indent = self._to_col(col) if continuation else self.unit * level
        body = code.strip()
        if not body:
            return
        if not continuation:
            self._stmt_head = body
            self._stmt_base = level + (1 if body.startswith("}") else 0)
            self._stmt_delta = 0
        self._stmt_delta += code.count("{") - code.count("}")
        for i, ch in enumerate(code):
            if ch == "(":
                self.paren_stack.append(col + i + 1)
            elif ch == ")" and self.paren_stack:
                self.paren_stack.pop()
        self.paren_col = self.paren_stack[-1] if self.paren_stack else None
        if self.paren_col is not None:
            return
        head = _BRACELESS.match(self._stmt_head)
        if head is None:
            self.braceless = False
        elif head.group(2) == "else":
            self.braceless = body.endswith("else")
        else:
            self.braceless = body.endswith(")")
        self.level = max(self._stmt_base + self._stmt_delta, 0)
        if body.endswith(_OPERATORS) and not _LABEL.match(body) and not _CASE.match(body):
            self.paren_col = _width(self.unit) * (self.level + 2)
            self.paren_stack = []


def reindent(lines: list[tuple[str, bool]], unit: str = "\t", level: int = 0) -> list[str]:
    """Lines as (text, is_known) pairs; unknown ones get an indentation, known stay."""
    walker = Reindenter(unit=unit, level=level)
    out: list[str] = []
    for text, is_known in lines:
        if is_known:
            walker.known(text)
            out.append(text)
        else:
            out.append(walker.place(text))
    return out
