# pycparser ships no type stubs: its classes are Any to mypy (subclassing them is "misc").
# mypy: disable-error-code="misc"
"""pycparser's recursive-descent parser extended for the kernel's preprocessed GNU C.

The lexer (:mod:`.lexer`) has already normalised keyword spellings and folded
``__attribute__`` groups onto the following token. This module adds the grammar:
asm statements and labels, ``typeof``/``__auto_type``, statement expressions in any
operand position, ``?:``, case ranges, range designators, ``__label__``,
``__builtin_types_compatible_p``, ``__builtin_va_arg``, ``__alignof__(expr)``,
``&&label`` and ``goto *p``. It also decides which node owns each attribute: every
construct claims the unclaimed attributes found in its own token span, innermost first.
"""

from __future__ import annotations

import bisect
from typing import Any, cast

from pycparser import c_ast
from pycparser.c_lexer import Token
from pycparser.c_parser import Coord, CParser, ParseError

from equivcheck.frontend.gnuc import nodes
from equivcheck.frontend.gnuc.lexer import AttrToken, GnuLexer
from equivcheck.frontend.gnuc.nodes import Attribute

_CASE_LIKE = (c_ast.Case, c_ast.Default, nodes.CaseRange)
_GNU_EXPR_START = frozenset({"TYPES_COMPATIBLE", "VA_ARG"})
_GNU_STMT_START = frozenset({"ASM", "LOCAL_LABEL"})
_ASM_QUALIFIERS = frozenset({"VOLATILE", "INLINE", "GOTO"})


class TokenStream:
    """Buffered token access with marks, recording which positions carry attributes."""

    def __init__(self, lexer: GnuLexer) -> None:
        self._lexer = lexer
        self.buffer: list[Token | None] = []
        self.index = 0
        self.attr_positions: list[int] = []

    def peek(self, k: int = 1) -> Token | None:
        """The k-th next token (1-based), or None past the end."""
        if k <= 0:
            return None
        self._fill(k)
        return self.buffer[self.index + k - 1]

    def next(self) -> Token | None:
        """Consume one token."""
        self._fill(1)
        tok = self.buffer[self.index]
        self.index += 1
        return tok

    def mark(self) -> int:
        """The current position, for :meth:`reset`."""
        return self.index

    def reset(self, mark: int) -> None:
        """Go back to a position from :meth:`mark`."""
        self.index = mark

    def fill_to(self, end: int) -> None:
        """Make sure tokens up to position ``end`` (exclusive) have been read."""
        if end > self.index:
            self._fill(end - self.index)

    def _fill(self, n: int) -> None:
        while len(self.buffer) < self.index + n:
            if self.buffer and self.buffer[-1] is None:
                self.buffer.append(None)
                continue
            tok = self._lexer.token()
            if isinstance(tok, AttrToken):
                self.attr_positions.append(len(self.buffer))
            self.buffer.append(tok)


class GnuCParser(CParser):
    """A ``CParser`` for GNU C; see the module docstring."""

    def __init__(self) -> None:
        super().__init__(lexer=GnuLexer)
        self._stream = TokenStream(cast(GnuLexer, self.clex))
        self._claimed: set[int] = set()
        self._asm_labels: dict[int, str] = {}
        self._compound_starts: dict[int, int] = {}

    # ------------------------------------------------------------------ entry points
    def _start(self, text: str, filename: str, typedefs: frozenset[str] | set[str]) -> None:
        self._scope_stack = [dict.fromkeys(typedefs, True)]
        self.clex.input(text, filename)
        self._stream = TokenStream(cast(GnuLexer, self.clex))
        self._tokens = cast(Any, self._stream)
        self._claimed = set()
        self._asm_labels = {}
        self._compound_starts = {}

    def parse(
        self,
        text: str,
        filename: str = "",
        debug: bool = False,
        typedefs: frozenset[str] = frozenset(),
    ) -> c_ast.FileAST:
        """Parse a translation unit; ``typedefs`` are names known to be types."""
        self._start(text, filename, typedefs)
        ast = self._parse_translation_unit_or_empty()
        self._expect_end()
        return ast

    def parse_block_items(
        self, text: str, filename: str, typedefs: frozenset[str]
    ) -> c_ast.Compound:
        """Parse a brace-less sequence of block items (declarations and statements)."""
        self._start(text, filename, typedefs)
        self._push_scope()
        first = self._peek()
        items = self._parse_block_item_list() if first is not None else []
        self._expect_end()
        coord = self._tok_coord(first) if first is not None else self._coord(1)
        return c_ast.Compound(block_items=items, coord=coord)

    def _expect_end(self) -> None:
        tok = self._peek()
        if tok is not None:
            self._parse_error(f"before: {tok.value}", self._tok_coord(tok))

    def current_coord(self) -> Coord:
        """Where the parser stands (the next token, else the last one read)."""
        tokens = [t for t in self._stream.buffer[: self._stream.index + 1] if t is not None]
        if not tokens:
            return self._coord(1)
        return self._tok_coord(tokens[-1])

    def current_token(self) -> str | None:
        """The text of the next token, if any."""
        tok = (
            self._stream.buffer[self._stream.index]
            if self._stream.index < len(self._stream.buffer)
            else None
        )
        return tok.value if tok is not None else None

    # ------------------------------------------------------------------ attributes
    def _claim(self, start: int, end: int) -> list[Attribute]:
        """Unclaimed attributes riding on tokens in ``[start, end)``; claims them."""
        self._stream.fill_to(end)
        positions = self._stream.attr_positions
        out: list[Attribute] = []
        i = bisect.bisect_left(positions, start)
        while i < len(positions) and positions[i] < end:
            pos = positions[i]
            if pos not in self._claimed:
                self._claimed.add(pos)
                tok = self._stream.buffer[pos]
                assert isinstance(tok, AttrToken)
                out.extend(tok.attributes)
            i += 1
        return out

    def _finish_decls(
        self, items: list[c_ast.Node], start: int, terminator: bool = False
    ) -> list[c_ast.Node]:
        """Upgrade declarations to attribute-carrying nodes and give them the span's
        attributes (shared by all declarators of one declaration). ``terminator``: the
        span's closing ``;``/``,``/``)`` is not consumed yet; attributes before it count."""
        attrs = self._claim(start, self._mark() + (1 if terminator else 0))
        out: list[c_ast.Node] = []
        for item in items:
            if isinstance(item, (c_ast.Decl, c_ast.Typedef)):
                item = nodes.with_attributes(item)
                cast(Any, item).attributes = cast(Any, item).attributes + attrs
            out.append(item)
        return out

    # ------------------------------------------------------------------ declarations
    def _parse_external_declaration(self) -> list[c_ast.Node]:
        if self._peek_type() == "ASM":
            asm = self._parse_asm()
            self._expect("SEMI")
            return [asm]
        start = self._mark()
        items = super()._parse_external_declaration()
        out: list[c_ast.Node] = []
        for item in items:
            if isinstance(item, c_ast.FuncDef):
                body_start = self._compound_starts.get(id(item.body), self._mark())
                func = nodes.with_attributes(item)
                func.attributes = self._claim(start, body_start)
                func.decl = nodes.with_attributes(func.decl)
                func.decl.attributes = func.decl.attributes + func.attributes
                out.append(func)
            else:
                out.extend(self._finish_decls([item], start))
        return out

    def _parse_decl_body(self) -> list[c_ast.Node]:
        start = self._mark()
        return self._finish_decls(super()._parse_decl_body(), start, terminator=True)

    def _parse_struct_declaration(self) -> list[c_ast.Node] | None:
        start = self._mark()
        items = super()._parse_struct_declaration()
        return None if items is None else self._finish_decls(items, start)

    def _parse_parameter_declaration(self) -> c_ast.Node:
        start = self._mark()
        decl = super()._parse_parameter_declaration()
        return self._finish_decls([decl], start, terminator=True)[0]

    def _build_declarations(
        self, spec: Any, decls: list[Any], typedef_namespace: bool = False
    ) -> list[c_ast.Node]:
        built = super()._build_declarations(spec, decls, typedef_namespace)
        out: list[c_ast.Node] = []
        for info, node in zip(decls, built, strict=True):
            node = nodes.with_attributes(node)
            if isinstance(node, (nodes.Decl, nodes.Typedef)):
                base = _innermost_typedecl(info.get("decl"))
                if base is not None:
                    node.asm_label = self._asm_labels.pop(id(base), None)
            out.append(node)
        return out

    def _build_function_definition(
        self, spec: Any, decl: c_ast.Node, param_decls: Any, body: c_ast.Node
    ) -> c_ast.Node:
        return cast(c_ast.Node, super()._build_function_definition(spec, decl, param_decls, body))

    def _parse_decl_suffixes(self, decl: c_ast.Node) -> c_ast.Node:
        decl = super()._parse_decl_suffixes(decl)
        if self._peek_type() == "ASM" and self._peek_type(2) == "LPAREN":
            self._advance()
            self._expect("LPAREN")
            label = _string_text(self._parse_unified_string_literal())
            self._expect("RPAREN")
            base = _innermost_typedecl(decl)
            if base is not None:
                self._asm_labels[id(base)] = label
        return decl

    def _parse_atomic_specifier(self) -> c_ast.Node:
        tok = self._peek()
        if tok is None or tok.value not in ("typeof", "typeof_unqual"):
            return cast(c_ast.Node, super()._parse_atomic_specifier())
        self._advance()
        self._expect("LPAREN")
        operand = (
            self._parse_type_name() if self._starts_declaration() else self._parse_expression()
        )
        self._expect("RPAREN")
        return nodes.Typeof(operand, self._tok_coord(tok))

    def _fix_decl_name_type(self, decl: Any, typename: list[Any]) -> Any:
        typename = [
            nodes.AutoType(t.coord)
            if isinstance(t, c_ast.IdentifierType) and t.names == ["__auto_type"]
            else t
            for t in typename
        ]
        return super()._fix_decl_name_type(decl, typename)

    def _select_struct_union_class(self, token: str) -> type:
        return nodes.Struct if token == "struct" else nodes.Union

    def _parse_struct_or_union_specifier(self) -> c_ast.Node:
        start = self._mark()
        node = super()._parse_struct_or_union_specifier()
        end = self._mark()
        if getattr(node, "decls", None) is not None:
            end += 1  # attributes after the closing brace belong to the type
        cast(Any, node).attributes = self._claim(start, end)
        return cast(c_ast.Node, node)

    # ------------------------------------------------------------------ statements
    def _starts_expression(self, tok: Token | None = None) -> bool:
        tok = tok or self._peek()
        if tok is not None and tok.type in _GNU_EXPR_START:
            return True
        return cast(bool, super()._starts_expression(tok))

    def _starts_statement(self) -> bool:
        return self._peek_type() in _GNU_STMT_START or cast(bool, super()._starts_statement())

    def _parse_compound_statement(self) -> c_ast.Node:
        start = self._mark()
        node = super()._parse_compound_statement()
        self._compound_starts[id(node)] = start
        return cast(c_ast.Node, node)

    def _parse_statement(self) -> c_ast.Node:
        tok_type = self._peek_type()
        if tok_type == "ASM":
            asm = self._parse_asm()
            self._expect("SEMI")
            return asm
        if tok_type == "LOCAL_LABEL":
            return self._parse_local_label()
        if tok_type == "GOTO" and self._peek_type(2) == "TIMES":
            tok = self._advance()
            self._advance()
            expr = self._parse_expression()
            self._expect("SEMI")
            return nodes.ComputedGoto(expr, self._tok_coord(tok))
        start = self._mark()
        node = super()._parse_statement()
        if type(node) is c_ast.EmptyStatement:
            attrs = self._claim(start, start + 1)
            if attrs:
                node = nodes.with_attributes(node)
                node.attributes = attrs
        return cast(c_ast.Node, node)

    def _parse_local_label(self) -> c_ast.Node:
        tok = self._advance()
        names = [self._parse_identifier_or_typeid().name]
        while self._accept("COMMA"):
            names.append(self._parse_identifier_or_typeid().name)
        self._expect("SEMI")
        return nodes.LocalLabel(names, self._tok_coord(tok))

    def _label_body(self, tok: Token) -> c_ast.Node:
        """The statement after ``label:``/``case x:``; a following declaration is left
        to be the next block item."""
        if self._starts_statement():
            return cast(c_ast.Node, self._parse_pragmacomp_or_statement())
        return c_ast.EmptyStatement(self._tok_coord(tok))

    def _parse_labeled_statement(self) -> c_ast.Node:
        tok = self._peek()
        assert tok is not None
        if tok.type == "ID":
            self._advance()
            self._expect("COLON")
            here = self._mark()
            attrs = self._claim(here, here + 1)
            label = nodes.with_attributes(
                c_ast.Label(tok.value, self._label_body(tok), self._tok_coord(tok))
            )
            label.attributes = attrs
            return cast(c_ast.Node, label)
        if tok.type == "CASE":
            self._advance()
            low = self._parse_constant_expression()
            high = None
            if self._accept("ELLIPSIS"):
                high = self._parse_constant_expression()
            self._expect("COLON")
            body = self._label_body(tok)
            if high is not None:
                return nodes.CaseRange(low, high, [body], self._tok_coord(tok))
            return c_ast.Case(low, [body], self._tok_coord(tok))
        return cast(c_ast.Node, super()._parse_labeled_statement())

    def _parse_selection_statement(self) -> c_ast.Node:
        if self._peek_type() != "SWITCH":
            return cast(c_ast.Node, super()._parse_selection_statement())
        tok = self._advance()
        self._expect("LPAREN")
        expr = self._parse_expression()
        self._expect("RPAREN")
        stmt = self._parse_pragmacomp_or_statement()
        return _group_switch_cases(c_ast.Switch(expr, stmt, self._tok_coord(tok)))

    # ------------------------------------------------------------------ asm
    def _parse_asm(self) -> nodes.Asm:
        tok = self._expect("ASM")
        qualifiers: list[str] = []
        while self._peek_type() in _ASM_QUALIFIERS:
            qualifiers.append(self._advance().value)
        self._expect("LPAREN")
        template = self._parse_unified_string_literal()
        sections: list[list[Any]] = [[], [], [], []]
        section = 0
        while self._accept("COLON"):
            if section >= 4:
                self._parse_error("too many ':' in asm", self._tok_coord(tok))
            sections[section] = self._parse_asm_section(section)
            section += 1
        self._expect("RPAREN")
        return nodes.Asm(
            template,
            qualifiers,
            sections[0],
            sections[1],
            sections[2],
            sections[3],
            self._tok_coord(tok),
        )

    def _parse_asm_section(self, section: int) -> list[Any]:
        items: list[Any] = []
        if self._peek_type() in ("COLON", "RPAREN"):
            return items
        while True:
            if section < 2:
                items.append(self._parse_asm_operand())
            elif section == 2:
                items.append(_string_text(self._parse_unified_string_literal()))
            else:
                items.append(self._parse_identifier_or_typeid().name)
            if not self._accept("COMMA"):
                return items

    def _parse_asm_operand(self) -> nodes.AsmOperand:
        first = self._peek()
        assert first is not None
        name = None
        if self._accept("LBRACKET"):
            name = self._parse_identifier_or_typeid().name
            self._expect("RBRACKET")
        constraint = _string_text(self._parse_unified_string_literal())
        self._expect("LPAREN")
        expr = self._parse_expression()
        self._expect("RPAREN")
        return nodes.AsmOperand(name, constraint, expr, self._tok_coord(first))

    # ------------------------------------------------------------------ expressions
    def _parse_assignment_expression(self) -> c_ast.Node:
        # Statement expressions are primaries here, so ``({...}) == x`` parses whole.
        lhs = self._parse_conditional_expression()
        if not self._is_assignment_op():
            return lhs
        op = self._advance().value
        rhs = self._parse_assignment_expression()
        return c_ast.Assignment(op, lhs, rhs, lhs.coord)

    def _parse_conditional_expression(self) -> c_ast.Node:
        expr = self._parse_binary_expression()
        if self._peek_type() == "CONDOP" and self._peek_type(2) == "COLON":
            self._advance()
            self._advance()
            iffalse = self._parse_conditional_expression()
            return nodes.Elvis(expr, iffalse, expr.coord)
        if self._accept("CONDOP"):
            iftrue = self._parse_expression()
            self._expect("COLON")
            iffalse = self._parse_conditional_expression()
            return c_ast.TernaryOp(expr, iftrue, iffalse, expr.coord)
        return cast(c_ast.Node, expr)

    def _parse_unary_expression(self) -> c_ast.Node:
        tok = self._peek()
        if tok is not None and tok.type == "_ALIGNOF":
            self._advance()
            found = self._try_parse_paren_type_name()
            operand = found[0] if found is not None else self._parse_unary_expression()
            return c_ast.UnaryOp("_Alignof", operand, self._tok_coord(tok))
        if tok is not None and tok.type == "LAND" and self._peek_type(2) == "ID":
            self._advance()
            name = self._advance()
            return nodes.LabelAddress(name.value, self._tok_coord(tok))
        return cast(c_ast.Node, super()._parse_unary_expression())

    def _parse_primary_expression(self) -> c_ast.Node:
        tok = self._peek()
        if tok is None:
            return cast(c_ast.Node, super()._parse_primary_expression())
        if tok.type == "LPAREN" and self._peek_type(2) == "LBRACE":
            self._advance()
            comp = self._parse_compound_statement()
            self._expect("RPAREN")
            return comp
        if tok.type in ("TYPES_COMPATIBLE", "VA_ARG"):  # builtin(type or expr, type)
            compatible = tok.type == "TYPES_COMPATIBLE"
            self._advance()
            self._expect("LPAREN")
            first = self._parse_type_name() if compatible else self._parse_assignment_expression()
            self._expect("COMMA")
            second = self._parse_type_name()
            self._expect("RPAREN")
            node = nodes.TypesCompatible if compatible else nodes.VaArg
            return node(first, second, self._tok_coord(tok))
        return cast(c_ast.Node, super()._parse_primary_expression())

    def _parse_designator(self) -> c_ast.Node:
        tok = self._peek()
        if tok is not None and tok.type == "LBRACKET":
            self._advance()
            low = self._parse_constant_expression()
            if self._accept("ELLIPSIS"):
                high = self._parse_constant_expression()
                self._expect("RBRACKET")
                return nodes.RangeDesignator(low, high, self._tok_coord(tok))
            self._expect("RBRACKET")
            return low
        return cast(c_ast.Node, super()._parse_designator())


def _innermost_typedecl(decl: Any) -> c_ast.TypeDecl | None:
    """The TypeDecl at the bottom of a declarator chain, if it has one."""
    node = decl
    while node is not None and not isinstance(node, c_ast.TypeDecl):
        node = getattr(node, "type", None)
    return node


def _string_text(const: c_ast.Constant) -> str:
    """The characters of a (possibly concatenated) string literal, without quotes."""
    value: str = const.value
    body = value[value.index('"') + 1 : -1]
    return body.replace('" "', "")


def _group_switch_cases(switch: c_ast.Switch) -> c_ast.Switch:
    """Give each case label of a switch body the statements up to the next label, and
    un-nest consecutive labels (``case 1: case 2: x;``)."""
    body = switch.stmt
    if not isinstance(body, c_ast.Compound):
        return switch
    grouped: list[c_ast.Node] = []
    current: Any = None
    for item in body.block_items or []:
        if not isinstance(item, _CASE_LIKE):
            if current is None:
                grouped.append(item)
            else:
                current.stmts.append(item)
            continue
        current = item
        grouped.append(current)
        while current.stmts and isinstance(current.stmts[0], _CASE_LIKE):
            inner = current.stmts.pop(0)
            grouped.append(inner)
            current = inner
    switch.stmt = c_ast.Compound(grouped, body.coord)
    return switch


__all__ = ["GnuCParser", "ParseError"]
