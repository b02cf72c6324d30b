# pycparser ships no type stubs: its classes are Any to mypy (subclassing them is "misc").
# mypy: disable-error-code="misc"
"""Token-level GNU C filtering on top of pycparser's lexer.

Alternate keyword spellings are mapped to the standard ones (``__volatile__`` to
``volatile``...), ``__extension__`` and the ``__seg_gs``/``__seg_fs`` address spaces are
dropped, and GNU keywords get token types of their own. ``__attribute__((...))`` groups
are removed from the stream: their contents ride on the next real token as
:class:`AttrToken.attributes`, where the parser claims them for the node they belong to.

``typeof`` is given pycparser's ``_ATOMIC`` token type (value ``typeof``): the stock
specifier loops then hand it to ``_parse_atomic_specifier``, which the GNU parser
overrides. ``__auto_type`` and ``__builtin_va_list`` become typedef names (TYPEID).
"""

from __future__ import annotations

from dataclasses import dataclass

from pycparser.c_lexer import CLexer, Token

from equivcheck.frontend.gnuc.nodes import Attribute

# Spelling -> (token type, value). Values are what pycparser's nodes then record.
_RENAMES: dict[str, tuple[str, str]] = {
    "__signed__": ("SIGNED", "signed"),
    "__signed": ("SIGNED", "signed"),
    "__inline": ("INLINE", "inline"),
    "__inline__": ("INLINE", "inline"),
    "__volatile": ("VOLATILE", "volatile"),
    "__volatile__": ("VOLATILE", "volatile"),
    "__const": ("CONST", "const"),
    "__const__": ("CONST", "const"),
    "__restrict": ("RESTRICT", "restrict"),
    "__restrict__": ("RESTRICT", "restrict"),
    "asm": ("ASM", "asm"),
    "__asm": ("ASM", "asm"),
    "__asm__": ("ASM", "asm"),
    "typeof": ("_ATOMIC", "typeof"),
    "__typeof": ("_ATOMIC", "typeof"),
    "__typeof__": ("_ATOMIC", "typeof"),
    "__typeof_unqual__": ("_ATOMIC", "typeof_unqual"),
    "__alignof__": ("_ALIGNOF", "_Alignof"),
    "__alignof": ("_ALIGNOF", "_Alignof"),
    "__builtin_offsetof": ("OFFSETOF", "offsetof"),
    "__label__": ("LOCAL_LABEL", "__label__"),
    "__builtin_types_compatible_p": ("TYPES_COMPATIBLE", "__builtin_types_compatible_p"),
    "__builtin_va_arg": ("VA_ARG", "__builtin_va_arg"),
    "__auto_type": ("TYPEID", "__auto_type"),
    "__builtin_va_list": ("TYPEID", "__builtin_va_list"),
}

_DROPPED = frozenset({"__extension__", "__seg_gs", "__seg_fs"})
_ATTRIBUTE_WORDS = frozenset({"__attribute__", "__attribute"})


@dataclass(slots=True)
class AttrToken(Token):
    """A token preceded by ``__attribute__`` groups, which it carries."""

    attributes: tuple[Attribute, ...] = ()


def attribute_name(word: str) -> str:
    """GCC treats ``__name__`` and ``name`` alike; keep the plain spelling."""
    if len(word) > 4 and word.startswith("__") and word.endswith("__"):
        return word[2:-2]
    return word


class GnuLexer(CLexer):
    """pycparser's lexer with the GNU keyword filter described in the module doc."""

    def token(self) -> Token | None:
        pending: list[Attribute] = []
        while True:
            tok = super().token()
            if tok is None:
                return None
            if tok.type in ("ID", "TYPEID"):
                word = tok.value
                if word in _DROPPED:
                    continue
                if word in _ATTRIBUTE_WORDS:
                    pending.extend(self._read_attribute(tok))
                    continue
                renamed = _RENAMES.get(word)
                if renamed is not None:
                    tok.type, tok.value = renamed
            if pending:
                return AttrToken(tok.type, tok.value, tok.lineno, tok.column, tuple(pending))
            return tok

    def _raw(self) -> Token:
        tok = super().token()
        if tok is None:
            self.error_func("unterminated __attribute__", self._lineno, 1)
            raise EOFError("unterminated __attribute__")
        return tok

    def _read_attribute(self, start: Token) -> list[Attribute]:
        """Consume ``((a, b(x, y), ...))`` after ``__attribute__``."""
        for _ in range(2):
            if self._raw().type != "LPAREN":
                self.error_func("malformed __attribute__", start.lineno, start.column)
        out: list[Attribute] = []
        while True:
            tok = self._raw()
            if tok.type == "RPAREN":
                break
            if tok.type == "COMMA":
                continue
            name = attribute_name(tok.value)
            args: list[str] = []
            nxt = self._raw()
            if nxt.type == "LPAREN":
                args = self._read_args()
                nxt = self._raw()
            out.append(Attribute(name, tuple(args)))
            if nxt.type == "RPAREN":
                break
            if nxt.type != "COMMA":
                self.error_func("malformed __attribute__", nxt.lineno, nxt.column)
        if self._raw().type != "RPAREN":
            self.error_func("malformed __attribute__", start.lineno, start.column)
        return out

    def _read_args(self) -> list[str]:
        """Arguments of one attribute, each as its tokens joined by spaces."""
        args: list[str] = []
        current: list[str] = []
        depth = 0
        while True:
            tok = self._raw()
            if tok.type == "RPAREN" and depth == 0:
                break
            if tok.type == "COMMA" and depth == 0:
                args.append(" ".join(current))
                current = []
                continue
            if tok.type == "LPAREN":
                depth += 1
            elif tok.type == "RPAREN":
                depth -= 1
            current.append(tok.value)
        if current or args:
            args.append(" ".join(current))
        return args
