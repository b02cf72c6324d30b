"""Turning any failure inside the parser into an UnsupportedConstruct."""

from __future__ import annotations

import re
from collections.abc import Callable

from pycparser.c_parser import ParseError

from equivcheck.errors import UnsupportedConstruct
from equivcheck.frontend.gnuc.parser import GnuCParser

_MESSAGE = re.compile(r"^(?P<file>.*?):(?P<line>\d+)(?::\d+)?: (?P<msg>.*)$", re.DOTALL)

# Tokens whose presence at a failure names a GNU construct better than the token.
_CONSTRUCTS = {
    "asm": "asm",
    "goto": "asm goto",
    "typeof": "typeof",
    "typeof_unqual": "typeof_unqual",
    "__label__": "__label__",
    "__builtin_va_arg": "__builtin_va_arg",
    "__builtin_types_compatible_p": "__builtin_types_compatible_p",
    "_Alignof": "__alignof__",
}


def run_parser[T](parser: GnuCParser, action: Callable[[], T], where: str) -> T:
    """Run ``action``; re-raise any exception as UnsupportedConstruct with a location."""
    try:
        return action()
    except UnsupportedConstruct:
        raise
    except ParseError as exc:
        message = str(exc)
        m = _MESSAGE.match(message)
        location = f"{m['file']}:{m['line']}" if m else _location(parser, where)
        detail = m["msg"] if m else message
        raise UnsupportedConstruct(_construct(parser, detail), location, detail) from exc
    except Exception as exc:  # pycparser raises assorted errors on bad input
        detail = f"{type(exc).__name__}: {exc}"
        raise UnsupportedConstruct(
            _construct(parser, detail), _location(parser, where), detail
        ) from exc


def _location(parser: GnuCParser, where: str) -> str:
    try:
        coord = parser.current_coord()
    except Exception:
        return where
    return f"{coord.file}:{coord.line}" if coord.file else where


def _construct(parser: GnuCParser, detail: str) -> str:
    m = re.search(r"before: (\S+)", detail)
    token = m.group(1) if m else None
    if token is None:
        try:
            token = parser.current_token()
        except Exception:
            token = None
    if token is None:
        return "syntax"
    return _CONSTRUCTS.get(token, repr(token))
