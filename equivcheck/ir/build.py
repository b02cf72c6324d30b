"""Lower a pycparser AST (with our GNU C nodes) into the control-flow IR.

``build_function`` takes a ``FuncDef``; ``build_region`` takes a statement sequence
(a ``Compound``) cut out of a function, whose gotos to labels it does not define,
breaks and continues outside any loop, and end become ``Exit`` terminators.

Evaluation order: C leaves the order of operands and arguments unspecified; we evaluate
left to right, the same way for both versions. Reads of memory (and of locals) to the
left of a side effect in the same full expression are copied into temporaries first, so
a later call cannot change a value already read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pycparser import c_ast

from equivcheck.errors import UnsupportedConstruct
from equivcheck.frontend.model import SourceLocation
from equivcheck.ir.ctext import decl_type_text, node_text, strip_declname
from equivcheck.ir.model import (
    AddrOf,
    AsmGoto,
    AsmOperandIR,
    AsmStmt,
    Assign,
    Binary,
    Block,
    Branch,
    Call,
    Cast,
    Const,
    Deref,
    Exit,
    Expr,
    Field,
    Global,
    Graph,
    Index,
    InitList,
    Jump,
    Local,
    LValue,
    Opaque,
    Param,
    Return,
    StaticLocal,
    Stmt,
    Switch,
    SwitchCase,
    Terminator,
    Ternary,
    TypeQuery,
    Unary,
    Unreachable,
)
from equivcheck.kernel import NORETURN

# Macros whose identity later stages need are kept as calls named ``__ec_<macro>`` by
# the tree-mode preprocessor; in the IR they carry the macro's own name, as in light mode.
KEPT_MACRO_PREFIX = "__ec_"
_COMPOUND_OPS = {"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}


def build_function(func: c_ast.FuncDef) -> Graph:
    """The IR of a function definition (not yet canonical: see ``canon.canonicalize``)."""
    builder = _Builder(kind="function")
    return builder.function(func)


def build_region(body: c_ast.Compound, *, name: str, file: str) -> Graph:
    """The IR of a statement sequence cut out of function ``name``."""
    builder = _Builder(kind="region")
    return builder.region(body, name=name, file=file)


@dataclass
class _Pending:
    """A block under construction."""

    index: int
    stmts: list[Stmt] = field(default_factory=list)
    terminator: Terminator | None = None


def _literal_value(e: Expr) -> int | None:
    """The value of an integer literal (``0x10``, ``4UL``, ``'a'`` not read), else None."""
    if not isinstance(e, Const):
        return None
    try:
        return int(e.text.rstrip("uUlL"), 0)
    except ValueError:
        return None


@dataclass
class _SwitchContext:
    cases: list[SwitchCase] = field(default_factory=list)
    default: int | None = None


class _Builder:
    """Holds the blocks, scopes and jump targets while one function is lowered."""

    def __init__(self, kind: Literal["function", "region"]) -> None:
        self.kind: Literal["function", "region"] = kind
        self.blocks: dict[int, _Pending] = {}
        self.current: _Pending = self._new_block()
        self.scopes: list[dict[str, Local | Param | Global]] = [{}]
        self.label_scopes: list[dict[str, int]] = [{}]
        self.defined_labels: set[int] = set()
        self.label_names: dict[int, str] = {}
        self.loop_targets: list[tuple[int | None, int | None]] = []
        self.switches: list[_SwitchContext] = []
        self.locals: list[Local] = []
        self.params: list[Param] = []
        self.unsupported: list[tuple[str, SourceLocation | None]] = []
        self.outer_names: list[str] = []
        self.statics: list[StaticLocal] = []
        self.goto_locs: dict[str, SourceLocation | None] = {}
        self.exported: list[int] = []
        self.func_name = ""
        self.file = ""
        # Typedefs declared inside the function, by scope and name: their types are
        # spelled out wherever they are used (a changed block-scope typedef changes
        # the IR); an inner one hides an outer one of the same name.
        self.typedef_scopes: list[dict[str, str]] = [{}]
        # Enumerators of enums declared inside the function: their values, by scope.
        self.enum_scopes: list[dict[str, Expr]] = [{}]

    # ------------------------------------------------------------------ entry points

    def function(self, func: c_ast.FuncDef) -> Graph:
        decl = func.decl
        self.func_name = decl.name
        self.file = _loc_file(func.coord)
        fdecl = decl.type
        while not isinstance(fdecl, c_ast.FuncDecl):
            fdecl = fdecl.type
        if func.param_decls:
            raise UnsupportedConstruct("K&R parameter list", _where(func.coord))
        for pdecl in fdecl.args.params if fdecl.args else []:
            if isinstance(pdecl, c_ast.EllipsisParam):
                continue
            if isinstance(pdecl, c_ast.Typename):
                continue  # (void) or an unnamed parameter
            ctype = decl_type_text(pdecl.type)
            param = Param(len(self.params), ctype=ctype, name=pdecl.name or "")
            self.params.append(param)
            if pdecl.name:
                self.scopes[-1][pdecl.name] = param
        return_type = decl_type_text(fdecl.type)
        entry = self.current.index
        self.stmt(func.body)
        self._terminate(Return(None, loc=self._loc(func.body.coord)))
        self._close_labels()
        return self._graph("function", entry, return_type)

    def region(self, body: c_ast.Compound, *, name: str, file: str) -> Graph:
        self.func_name = name
        self.file = file
        entry = self.current.index
        items = body.block_items or []
        for item in items:
            self.stmt(item)
        end = self._loc(getattr(items[-1], "coord", None)) if items else None
        self._terminate(Exit("fallthrough", loc=end))
        self._close_labels()
        return self._graph("region", entry, "")

    def _graph(self, kind: Literal["function", "region"], entry: int, ret: str) -> Graph:
        blocks: dict[int, Block] = {}
        for pending in self.blocks.values():
            term = pending.terminator
            assert term is not None
            blocks[pending.index] = Block(pending.index, pending.stmts, term)
        return Graph(
            name=self.func_name,
            kind=kind,
            file=self.file,
            params=self.params,
            return_type=ret,
            blocks=blocks,
            entry=entry,
            locals=self.locals,
            unsupported=self.unsupported,
            outer_names=sorted(set(self.outer_names)),
            labels=self._region_labels() if kind == "region" else {},
            statics=self.statics,
            exported=self.exported,
        )

    def _region_labels(self) -> dict[str, int]:
        """Labels a region defines at its outermost label scope, in source order."""
        return {
            name: index
            for name, index in self.label_scopes[0].items()
            if index in self.defined_labels
        }

    # ------------------------------------------------------------------ block helpers

    def _new_block(self) -> _Pending:
        block = _Pending(len(self.blocks))
        self.blocks[block.index] = block
        return block

    def _terminate(self, term: Terminator) -> None:
        """End the current block (if still open) and continue in a fresh, unreachable one."""
        if self.current.terminator is None:
            self.current.terminator = term
        self.current = self._new_block()

    def _jump_to(self, target: int, loc: SourceLocation | None = None) -> None:
        if self.current.terminator is None:
            self.current.terminator = Jump(target, loc=loc)
        self.current = self.blocks[target]

    def _emit(self, stmt: Stmt) -> None:
        self.current.stmts.append(stmt)

    def _loc(self, coord: Any) -> SourceLocation | None:
        if coord is None or not getattr(coord, "line", None):
            return None
        return SourceLocation(_loc_file(coord) or self.file, int(coord.line))

    def _new_temp(self, ctype: str = "") -> Local:
        temp = Local(len(self.locals), ctype=ctype, name="", temp=True)
        self.locals.append(temp)
        return temp

    def _unsupported(self, construct: str, node: Any) -> Opaque:
        self.unsupported.append((construct, self._loc(getattr(node, "coord", None))))
        return Opaque(construct, self._type_text(node))

    # ------------------------------------------------------------------ labels

    def _label_block(self, name: str) -> int:
        for scope in reversed(self.label_scopes):
            if name in scope:
                return scope[name]
        index = self._new_block().index
        self.label_scopes[0][name] = index
        self.label_names[index] = name
        return index

    def _close_labels(self) -> None:
        """Gotos to labels never defined: region exits, or an error in a function."""
        for index, name in self.label_names.items():
            if index in self.defined_labels:
                continue
            if self.kind == "function":
                raise UnsupportedConstruct(
                    "goto to an undefined label", f"{self.file}: {self.func_name}", name
                )
            block = self.blocks[index]
            block.terminator = Exit("goto", label=name, loc=self.goto_locs.get(name))
        for block in self.blocks.values():
            if block.terminator is None:
                block.terminator = Unreachable()

    # ------------------------------------------------------------------ scopes

    def _find(self, name: str) -> Local | Param | Global | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def _lookup(self, name: str) -> Local | Param | Global:
        found = self._find(name)
        if found is not None:
            return found
        if self.kind == "region":
            self.outer_names.append(name)
        return Global(name)

    def _query(self, kind: str, node: Any) -> TypeQuery:
        """A compile-time query on ``node``'s text; locals it names become refs."""
        refs: list[Expr] = []

        def rename(name: str) -> str:
            match self._find(name):
                case Local() as local:
                    if local not in refs:
                        refs.append(local)
                    return f"${{{refs.index(local)}}}"
                case Param(index=i):
                    return f"%p{i}"
                case _:
                    return name

        return TypeQuery(kind, node_text(node, rename), tuple(refs))

    def _type_text(self, node: Any) -> str:
        """C text of a type name; a local inside (``typeof(x)``) is shown by its type,
        so the text does not depend on local names."""

        def rename(name: str) -> str:
            match self._find(name):
                case Local(ctype=t):
                    return f"@{{{t}}}"
                case Param(index=i):
                    return f"%p{i}"
                case _:
                    return name

        text = node_text(node, rename)
        visible = {name: t for scope in self.typedef_scopes for name, t in scope.items()}
        for name, spelled_out in visible.items():
            text = re.sub(rf"\b{re.escape(name)}\b", spelled_out.replace("\\", r"\\"), text)
        return text

    def _decl_type_text(self, type_node: Any) -> str:
        """A declaration's type without its name (locals inside shown by type)."""
        return self._type_text(c_ast.Typename(None, [], None, strip_declname(type_node)))

    def _declare_local(self, name: str, ctype: str) -> Local:
        local = Local(len(self.locals), ctype=ctype, name=name)
        self.locals.append(local)
        self.scopes[-1][name] = local
        if self.kind == "region" and len(self.scopes) == 1:
            self.exported.append(local.index)  # visible to code after the region
        return local

    def _mark_address_taken(self, lv: Expr) -> None:
        """Note that a local's storage is reachable through a pointer: ``&x``,
        ``&x.f``, ``&x[i]``, or an array local used as a value (it decays)."""
        while isinstance(lv, Field | Index) and not isinstance(lv.base, Deref):
            lv = lv.base
        if isinstance(lv, Local) and not self.locals[lv.index].address_taken:
            marked = dataclasses.replace(self.locals[lv.index], address_taken=True)
            self.locals[lv.index] = marked
            for scope in self.scopes:
                for key, value in scope.items():
                    if isinstance(value, Local) and value.index == lv.index:
                        scope[key] = marked

    # ------------------------------------------------------------------ statements

    def stmt(self, node: Any) -> None:
        name = type(node).__name__
        method = getattr(self, f"_stmt_{name}", None)
        if method is not None:
            method(node)
            return
        if _is_expression(node):
            value = self.expr(node, discard=True)
            if reads_memory(value):
                # A read with no use may still be a volatile access: keep it.
                self._emit(Assign(self._new_temp(), value, loc=self._loc(node.coord)))
            return
        raise UnsupportedConstruct(f"statement {name}", _where(getattr(node, "coord", None)))

    def _stmt_Compound(self, node: c_ast.Compound) -> None:
        self.scopes.append({})
        self.typedef_scopes.append({})
        self.enum_scopes.append({})
        self.label_scopes.append({})
        for item in node.block_items or []:
            self.stmt(item)
        self.label_scopes.pop()
        self.scopes.pop()
        self.typedef_scopes.pop()
        self.enum_scopes.pop()

    def _stmt_LocalLabel(self, node: Any) -> None:
        for label in node.names:
            index = self._new_block().index
            self.label_scopes[-1][label] = index
            self.label_names[index] = label

    def _stmt_DeclList(self, node: c_ast.DeclList) -> None:
        for decl in node.decls:
            self._stmt_Decl(decl)

    def _stmt_Decl(self, node: c_ast.Decl) -> None:
        self._local_tags(node.type)
        if node.name is None or isinstance(node.type, c_ast.FuncDecl):
            return  # a struct/enum declaration or a local prototype: no code
        if "typedef" in (node.storage or []):
            return
        if "extern" in (node.storage or []):
            self.scopes[-1][node.name] = Global(node.name)
            return
        if "static" in (node.storage or []):
            # Static storage: one object shared by all calls, initialised once; named
            # by its function and declaration order, not by its source name.
            # Its type and initialiser are part of the name: a changed one is another
            # object (what it holds at the first call differs).
            written = self._decl_type_text(node.type) + " = " + node_text(node.init)
            digest = hashlib.sha256(" ".join(written.split()).encode()).hexdigest()[:12]
            name = f"{self.func_name}::static#{len(self.statics) + 1}@{digest}"
            init = self._initializer(node.init) if node.init is not None else None
            self.statics.append(StaticLocal(name, self._decl_type_text(node.type), init))
            self.scopes[-1][node.name] = Global(name)
            return
        ctype = self._decl_type_text(node.type)
        if getattr(node, "asm_label", None):
            self._unsupported("asm register variable", node)
        for attribute in getattr(node, "attributes", None) or []:
            if getattr(attribute, "name", "") == "cleanup":
                # Runs a function at every exit from the scope (guard(), __free()).
                runs = ", ".join(getattr(attribute, "args", ()))
                self._unsupported(f"cleanup({runs}) on local {node.name}", node)
        local = self._declare_local(node.name, ctype)
        if node.init is not None:
            value = self._initializer(node.init)
            self._emit(Assign(local, value, loc=self._loc(node.coord)))

    def _local_tags(self, type_node: Any) -> None:
        """A struct or union defined inside the function is not the file's type of
        that name: it is spelled with a digest of its members (so a changed definition
        changes the IR, and the compiler is not asked about the file's one)."""
        for item in _walk(type_node):
            if isinstance(item, c_ast.Enum) and item.values is not None:
                self._local_enumerators(item)
            if isinstance(item, c_ast.Struct | c_ast.Union) and item.name and item.decls:
                kind = "struct" if isinstance(item, c_ast.Struct) else "union"
                body = " ".join(node_text(item).split())
                digest = hashlib.sha256(body.encode()).hexdigest()[:12]
                self.typedef_scopes[-1][f"{kind} {item.name}"] = f"{kind} {item.name}@{digest}"

    def _local_enumerators(self, enum: c_ast.Enum) -> None:
        """The values of an enum's enumerators (each the previous one plus one unless
        written), visible in the current scope."""
        value: Expr = Const("-1")
        for item in enum.values.enumerators:
            value = (
                self.expr(item.value) if item.value is not None else Binary("+", value, Const("1"))
            )
            self.enum_scopes[-1][item.name] = value

    def _stmt_Typedef(self, node: Any) -> None:
        self._local_tags(node.type)
        self.typedef_scopes[-1][node.name] = self._decl_type_text(node.type)

    def _stmt_StaticAssert(self, node: Any) -> None:
        return

    def _stmt_Pragma(self, node: Any) -> None:
        return

    def _stmt_EmptyStatement(self, node: Any) -> None:
        return

    def _stmt_Struct(self, node: Any) -> None:
        return

    def _stmt_Union(self, node: Any) -> None:
        return

    def _stmt_Enum(self, node: Any) -> None:
        return

    def _stmt_If(self, node: c_ast.If) -> None:
        cond = self.expr(node.cond)
        then_block = self._new_block()
        join = self._new_block()
        else_block = self._new_block() if node.iffalse is not None else join
        self.current.terminator = Branch(
            cond, then_block.index, else_block.index, loc=self._loc(node.coord)
        )
        self.current = then_block
        self.stmt(node.iftrue)
        self._jump_to(join.index)
        if node.iffalse is not None:
            self.current = else_block
            self.stmt(node.iffalse)
            self._jump_to(join.index)
        self.current = join

    def _loop(
        self,
        cond: Any,
        body: Any,
        step: Any,
        coord: Any,
        test_first: bool,
    ) -> None:
        head = self._new_block()
        body_block = self._new_block()
        step_block = self._new_block()
        after = self._new_block()
        self._jump_to(head.index if test_first else body_block.index)
        self.current = head
        if cond is None:
            self.current.terminator = Jump(body_block.index, loc=self._loc(coord))
        else:
            value = self.expr(cond)
            self.current.terminator = Branch(
                value, body_block.index, after.index, loc=self._loc(coord)
            )
        self.current = body_block
        self.loop_targets.append((after.index, step_block.index))
        self.stmt(body)
        self.loop_targets.pop()
        self._jump_to(step_block.index)
        if step is not None:
            self.expr(step, discard=True)
        self._jump_to(head.index)
        self.current = after

    def _stmt_While(self, node: c_ast.While) -> None:
        self._loop(node.cond, node.stmt, None, node.coord, test_first=True)

    def _stmt_DoWhile(self, node: c_ast.DoWhile) -> None:
        self._loop(node.cond, node.stmt, None, node.coord, test_first=False)

    def _stmt_For(self, node: c_ast.For) -> None:
        self.scopes.append({})
        self.typedef_scopes.append({})
        self.enum_scopes.append({})
        if node.init is not None:
            self.stmt(node.init)
        self._loop(node.cond, node.stmt, node.next, node.coord, test_first=True)
        self.scopes.pop()
        self.typedef_scopes.pop()
        self.enum_scopes.pop()

    def _stmt_Switch(self, node: c_ast.Switch) -> None:
        value = self.expr(node.cond)
        dispatch = self.current
        after = self._new_block()
        context = _SwitchContext()
        self.switches.append(context)
        # A case label anywhere in the body starts a block; code before the first case
        # label is unreachable.
        self.current = self._new_block()
        self.loop_targets.append((after.index, None))
        self.stmt(node.stmt)
        self.loop_targets.pop()
        self.switches.pop()
        self._jump_to(after.index)
        default = context.default if context.default is not None else after.index
        dispatch.terminator = Switch(
            value, tuple(context.cases), default, loc=self._loc(node.coord)
        )
        self.current = after

    def _case_block(self, coord: Any) -> int:
        if not self.switches:
            raise UnsupportedConstruct("case label outside switch", _where(coord))
        block = self._new_block()
        self._jump_to(block.index)
        return block.index

    def _stmt_Case(self, node: c_ast.Case) -> None:
        target = self._case_block(node.coord)
        value = self.expr(node.expr)
        number = _literal_value(value)
        if number is not None and any(
            _literal_value(case.low) == number for case in self.switches[-1].cases
        ):
            # (C forbids it; the compiler refuses what the engine would read as the
            # first label)
            raise UnsupportedConstruct(f"duplicate case value {number}", _where(node.coord))
        self.switches[-1].cases.append(SwitchCase(value, value, target))
        for item in node.stmts or []:
            self.stmt(item)

    def _stmt_CaseRange(self, node: Any) -> None:
        target = self._case_block(node.coord)
        low, high = self.expr(node.low), self.expr(node.high)
        self.switches[-1].cases.append(SwitchCase(low, high, target))
        for item in node.stmts or []:
            self.stmt(item)

    def _stmt_Default(self, node: c_ast.Default) -> None:
        target = self._case_block(node.coord)
        self.switches[-1].default = target
        for item in node.stmts or []:
            self.stmt(item)

    def _stmt_Label(self, node: c_ast.Label) -> None:
        index = self._label_block(node.name)
        self.defined_labels.add(index)
        self._jump_to(index)
        if node.stmt is not None:
            self.stmt(node.stmt)

    def _stmt_Goto(self, node: c_ast.Goto) -> None:
        if not isinstance(node.name, str):
            raise UnsupportedConstruct("computed goto", _where(node.coord))
        target = self._label_block(node.name)
        self.goto_locs.setdefault(node.name, self._loc(node.coord))
        self._terminate(Jump(target, loc=self._loc(node.coord)))

    def _break_or_continue(self, node: Any, which: int, kind: Literal["break", "continue"]) -> None:
        loc = self._loc(node.coord)
        for targets in reversed(self.loop_targets):
            target = targets[which]
            if target is not None:
                self._terminate(Jump(target, loc=loc))
                return
        if self.kind == "region":
            self._terminate(Exit(kind, loc=loc))
            return
        raise UnsupportedConstruct(f"{kind} outside a loop", _where(node.coord))

    def _stmt_Break(self, node: c_ast.Break) -> None:
        self._break_or_continue(node, 0, "break")

    def _stmt_Continue(self, node: c_ast.Continue) -> None:
        self._break_or_continue(node, 1, "continue")

    def _stmt_Return(self, node: c_ast.Return) -> None:
        value = self.expr(node.expr) if node.expr is not None else None
        self._terminate(Return(value, loc=self._loc(node.coord)))

    def _stmt_ComputedGoto(self, node: Any) -> None:
        raise UnsupportedConstruct("computed goto (goto *p)", _where(node.coord))

    def _stmt_Asm(self, node: Any) -> None:
        asm = self._asm(node)
        labels = list(getattr(node, "labels", None) or [])
        if not labels:
            self._emit(asm)
            return
        targets = tuple(self._label_block(label) for label in labels)
        after = self._new_block()
        self.current.terminator = AsmGoto(asm, targets, after.index, loc=asm.loc)
        self.current = after

    def _asm(self, node: Any) -> AsmStmt:
        template = node.template
        text = template.value if isinstance(template, c_ast.Constant) else str(template)
        quals = [str(q) for q in (getattr(node, "qualifiers", None) or [])]
        outputs = tuple(
            AsmOperandIR(str(op.constraint), self.lvalue(op.expr), op.name or "")
            for op in (node.outputs or [])
        )
        inputs = tuple(
            AsmOperandIR(str(op.constraint), self.expr(op.expr), op.name or "")
            for op in (node.inputs or [])
        )
        clobbers = tuple(str(c).strip('"') for c in (node.clobbers or []))
        return AsmStmt(
            template=text,
            volatile="volatile" in quals or not outputs,
            outputs=outputs,
            inputs=inputs,
            clobbers=clobbers,
            loc=self._loc(node.coord),
        )

    # ------------------------------------------------------------------ expressions

    def expr(self, node: Any, discard: bool = False) -> Expr:
        """Lower an expression: side effects go into the current block, the pure value
        is returned."""
        name = type(node).__name__
        method = getattr(self, f"_expr_{name}", None)
        if method is None:
            return self._unsupported(name, node)
        result: Expr = method(node, discard) if name in _DISCARD_AWARE else method(node)
        return result

    def lvalue(self, node: Any) -> LValue:
        """Lower an expression that designates an object."""
        if isinstance(node, c_ast.CompoundLiteral):
            # An unnamed object: a fresh local holding the literal's value.
            obj = self._new_temp(self._type_text(node.type))
            self._emit(Assign(obj, self._initializer(node.init), loc=self._loc(node.coord)))
            return obj
        value = self.expr(node)
        if isinstance(value, Local | Param | Global | Deref | Field | Index):
            return value
        if isinstance(value, Cast) and isinstance(
            value.operand, Local | Param | Global | Deref | Field | Index
        ):
            return value.operand  # GNU cast-as-lvalue; the cast is a no-op on storage
        raise UnsupportedConstruct(
            "assignment to a non-lvalue", _where(getattr(node, "coord", None))
        )

    def _stable(self, value: Expr) -> Expr:
        """``value`` copied into a temporary unless it is a constant, so later side
        effects in the same expression cannot change it."""
        if isinstance(value, Const | TypeQuery) or (isinstance(value, Local) and value.temp):
            return value
        temp = self._new_temp()
        self._emit(Assign(temp, value))
        return temp

    def _exprs_in_order(self, nodes: list[Any]) -> list[Expr]:
        """Operands evaluated left to right, earlier ones kept stable when a later one
        has side effects."""
        values: list[Expr] = []
        for i, operand in enumerate(nodes):
            value = self.expr(operand)
            if any(has_side_effects(later) for later in nodes[i + 1 :]):
                value = self._stable(value)
            values.append(value)
        return values

    def _expr_ID(self, node: c_ast.ID) -> Expr:
        for scope, enums in zip(reversed(self.scopes), reversed(self.enum_scopes), strict=True):
            if node.name in scope:
                break
            if node.name in enums:
                return enums[node.name]  # a block-scope enumerator: its value
        var = self._lookup(node.name)
        if isinstance(var, Local) and "[" in var.ctype:
            self._mark_address_taken(var)  # an array used as a value decays to a pointer
        return var

    def _expr_Constant(self, node: c_ast.Constant) -> Expr:
        return Const(str(node.value), str(node.type))

    def _expr_Typename(self, node: Any) -> Expr:
        return TypeQuery("type", self._type_text(node))

    def _expr_Cast(self, node: c_ast.Cast) -> Expr:
        ctype = self._type_text(node.to_type)
        return Cast(ctype, self.expr(node.expr))

    def _expr_StructRef(self, node: c_ast.StructRef) -> Expr:
        base = self.expr(node.name)
        if node.type == "->":
            base = Deref(base)
        return Field(base, node.field.name)

    def _expr_ArrayRef(self, node: c_ast.ArrayRef) -> Expr:
        base, index = self._exprs_in_order([node.name, node.subscript])
        return Index(base, index)

    def _expr_UnaryOp(self, node: c_ast.UnaryOp, discard: bool = False) -> Expr:
        op = node.op
        if op in {"sizeof", "_Alignof", "__alignof__"}:
            return self._query(op, node.expr)
        if op == "&":
            target = self.lvalue(node.expr)
            self._mark_address_taken(target)
            return AddrOf(target)
        if op == "*":
            return Deref(self.expr(node.expr))
        if op in {"++", "--", "p++", "p--"}:
            target = self.lvalue(node.expr)
            arith = "+" if "+" in op else "-"
            loc = self._loc(node.coord)
            if discard:
                self._emit(Assign(target, Binary(arith, target, Const("1")), loc=loc))
                return Const("0")
            # The object is read once: the old value, then the new one is computed
            # from it (no second read of memory after the write).
            old = self._new_temp()
            self._emit(Assign(old, target, loc=loc))
            new = self._new_temp()
            self._emit(Assign(new, Binary(arith, old, Const("1")), loc=loc))
            self._emit(Assign(target, new, loc=loc))
            # ``++x`` is x's new value as x holds it (converted to x's type).
            return old if op.startswith("p") else target
        return Unary(op, self.expr(node.expr))

    def _expr_BinaryOp(self, node: c_ast.BinaryOp) -> Expr:
        if node.op in {"&&", "||"} and has_side_effects(node.right):
            return self._short_circuit(node)
        left, right = self._exprs_in_order([node.left, node.right])
        return Binary(node.op, left, right)

    def _short_circuit(self, node: c_ast.BinaryOp) -> Expr:
        """``a && b`` / ``a || b`` whose right side has side effects, as branches."""
        loc = self._loc(node.coord)
        result = self._new_temp("int")
        left = self.expr(node.left)
        rhs_block, short_block, join = self._new_block(), self._new_block(), self._new_block()
        if node.op == "&&":
            self.current.terminator = Branch(left, rhs_block.index, short_block.index, loc=loc)
            short_value = Const("0")
        else:
            self.current.terminator = Branch(left, short_block.index, rhs_block.index, loc=loc)
            short_value = Const("1")
        self.current = short_block
        self._emit(Assign(result, short_value, loc=loc))
        self._jump_to(join.index)
        self.current = rhs_block
        right = self.expr(node.right)
        self._emit(Assign(result, Binary("!=", right, Const("0")), loc=loc))
        self._jump_to(join.index)
        return result

    def _expr_TernaryOp(self, node: c_ast.TernaryOp) -> Expr:
        cond = self.expr(node.cond)
        if not has_side_effects(node.iftrue) and not has_side_effects(node.iffalse):
            return Ternary(cond, self.expr(node.iftrue), self.expr(node.iffalse))
        return self._branchy_choice(cond, node.iftrue, node.iffalse, node.coord)

    def _expr_Elvis(self, node: Any) -> Expr:
        cond = self._stable(self.expr(node.cond))
        if not has_side_effects(node.iffalse):
            return Ternary(cond, cond, self.expr(node.iffalse))
        return self._branchy_choice(cond, None, node.iffalse, node.coord)

    def _branchy_choice(self, cond: Expr, then: Any, other: Any, coord: Any) -> Expr:
        loc = self._loc(coord)
        result = self._new_temp()
        then_block, else_block, join = self._new_block(), self._new_block(), self._new_block()
        self.current.terminator = Branch(cond, then_block.index, else_block.index, loc=loc)
        self.current = then_block
        self._emit(Assign(result, cond if then is None else self.expr(then), loc=loc))
        self._jump_to(join.index)
        self.current = else_block
        self._emit(Assign(result, self.expr(other), loc=loc))
        self._jump_to(join.index)
        return result

    def _expr_Assignment(self, node: c_ast.Assignment, discard: bool = False) -> Expr:
        loc = self._loc(node.coord)
        if node.op != "=" and node.op not in _COMPOUND_OPS:
            raise UnsupportedConstruct(f"assignment operator {node.op}", _where(node.coord))
        target = self.lvalue(node.lvalue)
        direct = isinstance(target, Local | Param | Global)
        if node.op == "=" and isinstance(node.rvalue, c_ast.FuncCall) and (direct or discard):
            # The call stores its result straight into the target (address fixed first).
            self._call(node.rvalue, target=target if direct else self._stable_lvalue(target))
            return Const("0") if discard else target
        side_effects = has_side_effects(node.rvalue)
        if side_effects and not isinstance(target, Local | Param | Global):
            target = self._stable_lvalue(target)
        old: Expr = target
        if node.op in _COMPOUND_OPS and side_effects:
            old = self._stable(target)  # read before the right side runs
        value = self.expr(node.rvalue)
        if node.op in _COMPOUND_OPS:
            value = Binary(node.op[:-1], old, value)
        self._emit(Assign(target, value, loc=loc))
        # The expression's value is the object's value after the assignment: what was
        # stored, converted to the object's type (read back; no other CPU can change
        # it in between). A discarded value is not read back.
        return Const("0") if discard else target

    def _stable_lvalue(self, target: LValue) -> LValue:
        """An lvalue whose address parts are fixed before a side effect runs."""
        match target:
            case Deref(addr=a):
                return Deref(self._stable(a))
            case Field(base=Deref(addr=a), name=n):
                return Field(Deref(self._stable(a)), n)
            case Index(base=b, index=i):
                return Index(self._stable(b), self._stable(i))
            case _:
                return target

    def _expr_FuncCall(self, node: c_ast.FuncCall, discard: bool = False) -> Expr:
        if isinstance(node.name, c_ast.ID) and node.name.name == "offsetof":
            return self._query("offsetof", node)
        if (
            isinstance(node.name, c_ast.ID)
            and node.name.name == "__builtin_choose_expr"
            and node.args is not None
            and len(node.args.exprs) == 3
        ):
            # A compile-time choice: only one arm is evaluated.
            cond, then, other = node.args.exprs
            return self._expr_TernaryOp(c_ast.TernaryOp(cond, then, other, node.coord))
        if isinstance(node.name, c_ast.ID) and node.name.name == "__builtin_constant_p":
            return self._query("__builtin_constant_p", node)
        if discard:
            self._call(node, target=None)
            return Const("0")
        result = self._new_temp()
        self._call(node, target=result)
        return result

    def _call(self, node: c_ast.FuncCall, target: LValue | None) -> None:
        loc = self._loc(node.coord)
        callee: str | Expr
        if isinstance(node.name, c_ast.ID) and self._find(node.name.name) is None:
            callee = node.name.name.removeprefix(KEPT_MACRO_PREFIX)
        else:
            callee = self.expr(node.name)
            if node.args is not None and any(has_side_effects(a) for a in node.args.exprs):
                callee = self._stable(callee)  # the pointer is read before the arguments
        arg_nodes = list(node.args.exprs) if node.args is not None else []
        args = tuple(self._exprs_in_order(arg_nodes))
        self._emit(Call(target, callee, args, loc=loc))
        if isinstance(callee, str) and callee in NORETURN:
            self._terminate(Unreachable(loc=loc))

    def _expr_ExprList(self, node: c_ast.ExprList) -> Expr:
        value: Expr = Const("0")
        for i, item in enumerate(node.exprs):
            value = self.expr(item, discard=i < len(node.exprs) - 1)
        return value

    def _expr_Compound(self, node: c_ast.Compound) -> Expr:
        """A GNU statement expression: its value is that of its last statement."""
        items = list(node.block_items or [])
        self.scopes.append({})
        self.typedef_scopes.append({})
        self.enum_scopes.append({})
        self.label_scopes.append({})
        value: Expr = Const("0")
        for i, item in enumerate(items):
            if i == len(items) - 1:
                value = self._last_value(item)
            else:
                self.stmt(item)
        self.label_scopes.pop()
        self.scopes.pop()
        self.typedef_scopes.pop()
        self.enum_scopes.pop()
        return value

    def _last_value(self, item: Any) -> Expr:
        """The value of the last item of a statement expression: an expression, a
        labelled one, or a nested statement expression (the parser gives ``({...})``
        in statement position as a block)."""
        if isinstance(item, c_ast.Label):
            index = self._label_block(item.name)
            self.defined_labels.add(index)
            self._jump_to(index)
            return self._last_value(item.stmt) if item.stmt is not None else Const("0")
        if isinstance(item, c_ast.Compound):
            return self._expr_Compound(item)
        if _is_expression(item):
            return self._stable(self.expr(item))
        self.stmt(item)
        return Const("0")

    def _expr_InitList(self, node: c_ast.InitList) -> Expr:
        return self._initializer(node)

    def _initializer(self, node: Any) -> Expr:
        if isinstance(node, c_ast.InitList):
            items: list[tuple[str, Expr]] = []
            for item in node.exprs:
                if isinstance(item, c_ast.NamedInitializer):
                    designator = "".join(_designator_text(d) for d in item.name)
                    items.append((designator, self._initializer(item.expr)))
                else:
                    items.append(("", self._initializer(item)))
            return InitList(tuple(items))
        return self.expr(node)

    def _expr_CompoundLiteral(self, node: c_ast.CompoundLiteral) -> Expr:
        ctype = self._type_text(node.type)
        return Cast(ctype, self._initializer(node.init))

    def _expr_TypesCompatible(self, node: Any) -> Expr:
        return self._query("__builtin_types_compatible_p", node)

    def _expr_VaArg(self, node: Any) -> Expr:
        result = self._new_temp()
        ap = self.expr(node.expr)
        ctype = self._type_text(node.type)
        self._emit(
            Call(result, "__builtin_va_arg", (ap, TypeQuery("type", ctype)), self._loc(node.coord))
        )
        return result

    def _expr_GenericSelection(self, node: Any) -> Expr:
        """``_Generic``: lowered to the selected association when the controlling
        type is known (a local, parameter, cast or integer constant) and the choice is
        certain; otherwise opaque."""
        chosen = self._generic_choice(node)
        if chosen is None:
            return self._unsupported("_Generic", node)
        return self.expr(chosen)

    def _generic_choice(self, node: Any) -> Any:
        control = _generic_control_type(node.expr, self._find)
        if control is None:
            return None
        default = None
        others: list[str] = []
        for assoc in node.associations or []:
            if assoc.type is None:
                default = assoc.expr
                continue
            spelled = _normal_type(self._type_text(assoc.type))
            if spelled == control:
                return assoc.expr
            others.append(spelled)
        # No exact match: the default is certain only for an int against pointer and
        # struct/union types (a typedef or another spelling might still be compatible).
        if control == "int" and all(_plainly_not_int(t) for t in others):
            return default
        return None


_DISCARD_AWARE = {"UnaryOp", "Assignment", "FuncCall"}
_EXPRESSION_NODES = {
    "ID",
    "Constant",
    "Cast",
    "StructRef",
    "ArrayRef",
    "UnaryOp",
    "BinaryOp",
    "TernaryOp",
    "Elvis",
    "Assignment",
    "FuncCall",
    "ExprList",
    "CompoundLiteral",
    "TypesCompatible",
    "VaArg",
    "GenericSelection",
    "InitList",
    "Typename",
}


def _is_expression(node: Any) -> bool:
    return type(node).__name__ in _EXPRESSION_NODES


def reads_memory(e: Expr) -> bool:
    """Whether evaluating IR expression ``e`` reads memory (a ``Deref``, an ``Index``
    or a ``Field`` of either); a ``Field`` of a local struct reads that local."""
    match e:
        case Deref() | Index():
            return True
        case Field(base=b):
            return reads_memory(b)
        case AddrOf(lvalue=lv):
            return _address_reads(lv)
        case Unary(operand=x) | Cast(operand=x):
            return reads_memory(x)
        case Binary(left=a, right=b):
            return reads_memory(a) or reads_memory(b)
        case Ternary(cond=c, then=a, other=b):
            return reads_memory(c) or reads_memory(a) or reads_memory(b)
        case InitList(items=items):
            return any(reads_memory(v) for _, v in items)
        case _:
            return False


def _address_reads(lv: Expr) -> bool:
    """Whether computing the address of ``lv`` reads memory."""
    match lv:
        case Deref(addr=a):
            return reads_memory(a)
        case Field(base=b):
            return _address_reads(b)
        case Index(base=b, index=i):
            return reads_memory(b) or reads_memory(i)
        case _:
            return False


def has_side_effects(node: Any) -> bool:
    """Whether evaluating ``node`` may do more than read: calls, assignments,
    increments, statement expressions, asm."""
    if node is None:
        return False
    name = type(node).__name__
    if name in {"FuncCall", "Assignment", "Compound", "Asm", "VaArg"}:
        if name == "FuncCall" and isinstance(node.name, c_ast.ID):
            return node.name.name not in {"offsetof", "__builtin_constant_p"}
        return True
    if name == "UnaryOp":
        if node.op in {"++", "--", "p++", "p--"}:
            return True
        if node.op in {"sizeof", "_Alignof", "__alignof__"}:
            return False
    if name in {"Typename", "TypesCompatible"}:
        return False
    return any(has_side_effects(child) for _, child in node.children())


def _walk(node: Any) -> list[Any]:
    """``node`` and every pycparser node below it."""
    out = [node]
    for _, child in getattr(node, "children", lambda: [])():
        out.extend(_walk(child))
    return out


def _normal_type(text: str) -> str:
    """A type's text with whitespace normalised and top-level qualifiers dropped (the
    controlling expression of ``_Generic`` undergoes lvalue conversion)."""
    text = " ".join(text.replace("*", " * ").split())
    for qualifier in (" const", " volatile", " restrict"):
        while text.endswith(qualifier):
            text = text[: -len(qualifier)]
    return text


def _plainly_not_int(spelled: str) -> bool:
    return spelled.endswith("*") or spelled.startswith(("struct ", "union "))


def _generic_control_type(expr: Any, find: Any) -> str | None:
    """The type of a ``_Generic`` controlling expression when it is plain to see."""
    if isinstance(expr, c_ast.Constant) and expr.type == "int":
        if expr.value.rstrip("uUlL") == expr.value:
            return "int"
        return None
    if isinstance(expr, c_ast.Cast):
        return _normal_type(node_text(expr.to_type))
    if isinstance(expr, c_ast.ID):
        var = find(expr.name)
        if isinstance(var, Local | Param) and var.ctype and "typeof" not in var.ctype:
            return _normal_type(var.ctype)
    return None


def _designator_text(node: Any) -> str:
    if isinstance(node, c_ast.ID):
        return f".{node.name}"
    if type(node).__name__ == "RangeDesignator":
        return f"[{node_text(node.low)} ... {node_text(node.high)}]"
    return f"[{node_text(node)}]"


def _loc_file(coord: Any) -> str:
    return str(getattr(coord, "file", "") or "")


def _where(coord: Any) -> str:
    if coord is None:
        return "<unknown>"
    return f"{_loc_file(coord) or '<input>'}:{getattr(coord, 'line', '?')}"
