"""Which function each line of a hunk belongs to, from the patch text alone.

A hunk starts inside the function its ``@@ ... @@ section`` names (if it names one);
a function header met inside the hunk switches to that function, whose end is found by
brace matching. Where the section's function ends inside the hunk is found by a ``}``
in column 0 (kernel style), or — in a damaged patch without indentation — by the
lowest brace depth being reached before the next header or the end of the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from equivcheck.frontend.gnuc.scan import function_name
from equivcheck.frontend.model import Hunk
from equivcheck.frontend.patch.clex import LineLexer
from equivcheck.frontend.vocabulary import STATEMENT_KEYWORDS

Side = Literal["old", "new"]
_TOKEN = re.compile(r"[A-Za-z_]\w*|\S")
_LABEL = re.compile(r"^[A-Za-z_]\w*\s*:(?!:)")


@dataclass(frozen=True)
class SideLine:
    """A hunk line as seen from one side: its index in ``hunk.lines`` and file line."""

    index: int
    text: str
    code: str
    lineno: int


@dataclass
class Span:
    """A function as far as one side of a hunk shows it (hunk line indices)."""

    name: str
    first: int | None  # header's first line; None when it starts before the hunk
    last: int | None  # closing brace; None when it ends after the hunk
    is_static: bool = False
    brace: int | None = None  # line of the opening brace


@dataclass
class SideWalk:
    """The owner of every line of one side, and the functions seen."""

    lines: list[SideLine]
    owner: dict[int, str | None] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)


def side_lines(hunk: Hunk, side: Side) -> list[SideLine]:
    """The lines of ``side`` with their code part (comments/literals blanked)."""
    skip = "+" if side == "old" else "-"
    lineno = hunk.old_start if side == "old" else hunk.new_start
    chosen = [
        (i, ln.old_text if side == "old" and ln.old_text is not None else ln.text)
        for i, ln in enumerate(hunk.lines)
        if ln.kind != skip
    ]
    lexer = LineLexer(in_comment=starts_in_comment([t for _, t in chosen]))
    out: list[SideLine] = []
    for offset, (i, text) in enumerate(chosen):
        out.append(SideLine(i, text, lexer.code(text), lineno + offset))
    return out


def starts_in_comment(texts: list[str]) -> bool:
    """True when ``*/`` shows up before any ``/*`` (the hunk opens inside a comment)."""
    for text in texts:
        close, opening = text.find("*/"), text.find("/*")
        if close >= 0 and (opening < 0 or close < opening):
            return True
        if opening >= 0:
            return False
    return False


def section_function(section: str) -> tuple[str | None, bool]:
    """The function a hunk's section header names, and whether it is static."""
    tokens = _TOKEN.findall(section)
    if "(" not in tokens or "=" in tokens or (tokens and tokens[0] in STATEMENT_KEYWORDS):
        return None, False
    return function_name(tokens), "static" in tokens


def walk(hunk: Hunk, side: Side, damaged: bool) -> SideWalk:
    """Attribute each line of one side of ``hunk`` to a function (or None)."""
    lines = side_lines(hunk, side)
    result = SideWalk(lines)
    name, is_static = section_function(hunk.section)
    headers = _headers(lines, damaged)
    pos = 0
    if name is not None:
        first_header = min(headers) if headers else len(lines)
        end = _section_end(lines, first_header, damaged)
        stop = first_header if end is None else end + 1
        for ln in lines[:stop]:
            result.owner[ln.index] = name
        result.spans.append(Span(name, None, None if end is None else lines[end].index, is_static))
        pos = stop
    while pos < len(lines):
        if pos in headers:
            fname, brace, fstatic = headers[pos]
            close = _matching_close(lines, brace)
            last = len(lines) - 1 if close is None else close
            for ln in lines[pos : last + 1]:
                result.owner[ln.index] = fname
            result.spans.append(
                Span(
                    fname,
                    lines[pos].index,
                    None if close is None else lines[close].index,
                    fstatic,
                    lines[brace].index,
                )
            )
            pos = last + 1
            continue
        result.owner[lines[pos].index] = None
        pos += 1
    return result


def _section_end(lines: list[SideLine], limit: int, damaged: bool) -> int | None:
    """Index of the ``}`` closing the section's function before ``limit``, if seen."""
    if not damaged:
        for i, ln in enumerate(lines[:limit]):
            if ln.text.startswith("}") and not ln.code[1:].strip().startswith(("else", "while")):
                return i
        return None
    depth, lowest, at = 0, 0, None
    for i, ln in enumerate(lines[:limit]):
        depth += ln.code.count("{") - ln.code.count("}")
        if depth < lowest and ln.code.strip().startswith("}"):
            lowest, at = depth, i
    if at is None:
        return None
    rest = [ln for ln in lines[at + 1 : limit] if ln.code.strip()]
    if limit < len(lines) or not rest:
        return at
    return None


def _matching_close(lines: list[SideLine], brace: int) -> int | None:
    depth = 0
    for i in range(brace, len(lines)):
        depth += lines[i].code.count("{") - lines[i].code.count("}")
        if depth <= 0 and "}" in lines[i].code:
            return i
    return None


def _headers(lines: list[SideLine], damaged: bool) -> dict[int, tuple[str, int, bool]]:
    """Function headers on this side: start index -> (name, brace index, static)."""
    found: dict[int, tuple[str, int, bool]] = {}
    for i, ln in enumerate(lines):
        code = ln.code
        if not code.strip() or not (code[0].isalpha() or code[0] == "_"):
            continue  # kernel headers start in column 0 (damaged text: every line does)
        if _LABEL.match(code.strip()) or "(" not in code:
            continue
        header = _header_at(lines, i)
        if header is not None:
            found[i] = header
    return found


def _header_at(lines: list[SideLine], i: int) -> tuple[str, int, bool] | None:
    """The header starting at line ``i``: name, index of its ``{`` line, static."""
    parts: list[str] = []
    depth = 0
    brace: int | None = None
    for j in range(i, min(i + 8, len(lines))):
        code = lines[j].code.strip()
        if ";" in code or "=" in code.replace("==", "").replace("!=", ""):
            return None
        depth += code.count("(") - code.count(")")
        if depth == 0 and code.endswith("{"):
            parts.append(code[:-1])
            brace = j
            break
        parts.append(code)
        if depth == 0:
            # the body's brace, maybe after blank lines (mm/mlock.c has one)
            k = j + 1
            while k < len(lines) and k < j + 3 and not lines[k].code.strip():
                k += 1
            following = lines[k].code.strip() if k < len(lines) else ""
            if following == "{":
                brace = k
                break
            if not following.startswith("__"):
                return None
    if brace is None:
        return None
    tokens = _TOKEN.findall(" ".join(parts))
    if not tokens or tokens[0] in STATEMENT_KEYWORDS or "(" not in tokens:
        return None
    name = function_name(tokens)
    if name is None or (tokens.index("(") < 2 and not tokens[0].isupper()):
        return None
    return name, brace, "static" in tokens
