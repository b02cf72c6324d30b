"""The memory model of symbolic execution: where an lvalue lives and how it is read and
written (docs/semantics.md, "Pointers and types").

A value lives in a frame slot (a local or parameter, a member of a struct variable), in
a global, in a field array (``field:NAME``, keyed by the struct's address), in union
storage (``LAYOUT``: a member that may share storage, in bytes at the struct's address
plus its offset) or in plain byte memory (``MEM``, keyed by address, as wide as its
type). This module locates
lvalues (:class:`Loc`), reads and writes them, scales pointer arithmetic by the sizes
of what pointers point to, keeps a region's address-taken outer locals in memory, and
notes the accesses it does not model (``unsupported``) so a proof cannot rest on them.
It also names what the compiler is asked about types (:func:`layout_keys`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import z3

from equivcheck.frontend.unit.typesizes import (
    CONSTANT_FACTS,
    MEMBER_FACTS,
    QUERY_FORMS,
    TYPE_FACTS,
    constant_key,
    member_key,
    offset_key,
    query_key,
    type_key,
)
from equivcheck.ir.canon import graph_nodes
from equivcheck.ir.ctype import is_aggregate, pointed_types, spelled
from equivcheck.ir.model import (
    AddrOf,
    Binary,
    Cast,
    Deref,
    Expr,
    Field,
    Global,
    Graph,
    Index,
    Local,
    Param,
    TypeQuery,
    Unary,
)
from equivcheck.ir.text import expr_text
from equivcheck.kernel import CONSTANTS
from equivcheck.symex import values as V
from equivcheck.symex.ctypes import (
    DEFAULT,
    POINTER,
    IntType,
    scalar_size,
    scalar_type,
    unknown,
)
from equivcheck.symex.state import (
    BYTE_ARRAYS,
    LAYOUT,
    MEM,
    Frame,
    Key,
    Note,
    PathState,
    Place,
    SparedObject,
    is_constant_name,
    select,
    store,
)
from equivcheck.symex.values import SymVal

Evaluate = Callable[[PathState, Expr], SymVal]
"""How the explorer evaluates an expression on a path (addresses and indexes are
expressions)."""

SIZE_PREFIX = "sizeof:"
SCALE_PREFIX = "scale:"
SIGN_PREFIX = "signed:"
WIDTH_PREFIX = "bits:"
BOOL_PREFIX = "bool:"
# __builtin_classify_type: integer, enumeral (a _Bool is promoted: asked apart); pointer.
_INTEGER_CLASSES = (1, 3)
_POINTER_CLASS = 5
_BOOL_CLASS = 4
MAX_SPARED_LAYOUT = 128
"""The largest struct local (bytes) whose union storage a havoc spares when the call
is not given its address (a larger one changes there, which costs precision only: the
state a call sees is compared)."""
GLOBAL_ADDRESS = "addr:global:"
"""The prefix of a global's address (``&g``), one symbol for both versions."""
# The markers of a path's accesses to members that may share storage: by layout, or
# in a field array (their layout not known): a path with both is not modelled.
_BY_LAYOUT = "#layout"
_BY_NAME = "#shared-by-name"

SIZE_T = IntType(64, False)
# The type of an __auto_type local, until its first value gives it one.
_AUTO = unknown("__auto_type")


@dataclass(frozen=True)
class Loc:
    """Where a value lives: a frame slot, a global, or an array at a key."""

    kind: Literal["local", "param", "global", "array"]
    name: str
    key: Key = ()
    slot: tuple[int, str] = (0, "")
    ty: IntType = DEFAULT
    frame: int = -1
    describe: str = ""
    width: int | z3.BitVecRef = 8  # bytes, for plain memory
    spelling: str = ""  # the object's spelled type, when known


def when(st: PathState, text: str) -> str:
    """``text``, marked with the ordering point it follows (values after one come
    from the state another CPU may have changed)."""
    if st.world == 0:
        return text
    last = next((e for e in reversed(st.trace) if e.ordering or not e.modelled), None)
    after = f"{last.name}()" if last is not None else f"world change {st.world}"
    return f"{text} after {after}"


class Memory:
    """Locating, reading and writing lvalues on a path, for one version (what the
    compiler told about type sizes and members, and the region's outer objects)."""

    def __init__(
        self,
        evaluate: Evaluate,
        *,
        version: str,
        type_sizes: Mapping[str, int],
        outer_objects: Mapping[str, str],
        plain_members: Mapping[str, frozenset[str]],
        union_members: frozenset[str],
        confined: Callable[[Graph], frozenset[int]] = lambda graph: frozenset(),
        confined_outer: frozenset[str] = frozenset(),
    ) -> None:
        self.evaluate = evaluate
        self.version = version
        self.type_sizes = type_sizes
        self.outer_objects = outer_objects
        self.plain_members = plain_members
        self.union_members = union_members
        self.confined = confined
        self.confined_outer = confined_outer

    def spared(self, st: PathState, given: tuple[z3.ExprRef, ...]) -> tuple[SparedObject, ...]:
        """The objects a havoc leaves alone (ir/escape.py, assumption A9): the confined
        locals of every frame that the path has placed in memory, and the region's
        confined outer objects, unless one of the terms ``given`` (what the call at
        hand receives) names its address. Each with its width in plain memory (0 for a
        struct, whose members live in field arrays)."""
        candidates: list[tuple[str, str]] = []  # (address name, declared type)
        for depth, frame in enumerate(st.frames, start=1):
            confined = self.confined(frame.graph)
            for index in sorted(frame.escaped):
                if index in confined:
                    name = object_address(frame, depth, index)
                    candidates.append((name, frame.graph.locals[index].ctype))
        for outer in sorted(self.confined_outer & set(self.outer_objects)):
            candidates.append((f"addr:outer:{outer}", self.outer_objects[outer]))
        if not candidates:
            return ()  # (the arguments need not be walked)
        named = constant_names(given, st.inner)
        out = tuple(
            SparedObject(z3.BitVec(name, 64), self._width(ctype), self._layout_width(ctype))
            for name, ctype in candidates
            if name not in named
        )
        assumed = ["confined"] if out else []
        if len(out) > 1:
            assumed.append("escaped")  # (kept objects are read apart: A3, distinct objects)
        for key in assumed:
            if Note("assumed", key) not in st.notes:
                st.notes.append(Note("assumed", key))
        return out

    def _width(self, ctype: str) -> int:
        """How many bytes of plain memory a local of type ``ctype`` fills (0: a struct,
        whose members live in field arrays, or a size not known)."""
        if is_aggregate(ctype):
            return 0
        size = self._size(declared(ctype) or "?")
        return size if isinstance(size, int) and 0 < size <= 8 else 0

    def _layout_width(self, ctype: str) -> int:
        """How many bytes of union storage a local of type ``ctype`` may fill: a
        struct's or union's size (0 for anything else, or a size not known)."""
        if not is_aggregate(ctype):
            return 0
        size = self._size(declared(ctype) or "?")
        return size if isinstance(size, int) and size <= MAX_SPARED_LAYOUT else 0

    def _constant(self, name: str) -> SymVal | None:
        """A constant named in capitals, as the compiler gives it (an enumerator of
        the unit, or a macro of a two-file input's headers): an integer of its type;
        None when not known."""
        if not is_constant_name(name):
            return None
        known = self.type_sizes
        size = known.get(constant_key("size", name))
        signed = known.get(constant_key("signed", name))
        kind = known.get(constant_key("class", name))
        value = known.get(constant_key("value", name))
        negated = known.get(constant_key("negated", name))
        if value is None and negated is not None:
            value = -negated
        if value is None or signed is None or size not in (1, 2, 4, 8):
            return None
        if kind not in (*_INTEGER_CLASSES, _BOOL_CLASS):
            return None
        return V.const(value, IntType(8 * size, bool(signed)))

    def _local_address(self, st: PathState, index: int) -> SymVal:
        """Where an address-taken local lives: a memory object of its own, numbered in
        the order the path first touches such locals (named by its key where the
        inductive rule paired it between the versions)."""
        frame = st.frames[-1]
        if index not in frame.escaped:
            st.escapes += 1
            frame.escaped[index] = st.escapes
        return V.symbol(object_address(frame, len(st.frames), index), POINTER)

    def address(self, st: PathState, lv: Expr) -> SymVal:
        """``&lv``: a pointer typed by what ``lv`` is (``?origin`` when not known)."""
        frame = st.frames[-1]
        match lv:
            case Local(index=i, ctype=t):
                address = self._local_address(st, i)
                return _pointing(address, declared(t) or f"?local:{frame.name}:{i}")
            case Deref(addr=a):
                return self.evaluate(st, a)
            case Field(base=Deref(addr=a), name=n):
                raw = self.evaluate(st, a)
                return self._field_address(st, lv, raw, n)
            case Field(base=b, name=n):
                return self._field_address(st, lv, self.address(st, b), n)
            case Index(base=b, index=i):
                return self._indexed(st, b, i)
            case Global(name=n) if n in self.outer_objects:
                return _pointing(_outer_address(n), self._outer_spelling(n))
            case Global(name=n):
                return V.symbol(f"{GLOBAL_ADDRESS}{n}", IntType(64, False, pointee=f"?global:{n}"))
            case Param(index=i, ctype=t, name=n):
                # A parameter is a value here, not an object in memory: what is written
                # through its address would not reach it.
                st.notes.append(Note("unsupported", f"the address of parameter {n or i} is taken"))
                address = V.symbol(f"addr:param{i}", POINTER)
                return _pointing(address, declared(t) or f"?param:{frame.name}:{i}")
        return V.symbol(f"addr:{expr_text(lv)}", POINTER)

    def _indexed(self, st: PathState, b: Expr, i: Expr) -> SymVal:
        """``&b[i]``, typed by the element (``i[p]`` is ``p[i]``)."""
        base, index = self.evaluate(st, b), self.evaluate(st, i)
        if base.ty.pointee is None and index.ty.pointee is not None:
            base, index = index, base
        if base.ty.pointee is None:
            # Indexed, so a pointer (or an array) whose element is not known here.
            base = _pointing(base, _pointee(base.ty))
        moved = V.additive("+", base, index, self.stride(base.ty), self.stride(index.ty))
        return SymVal(moved.term, base.ty)

    def stride(self, ty: IntType) -> V.Stride:
        """How a value of type ``ty`` scales in ``+`` and ``-`` (docs/semantics.md,
        "Pointers and types"): a pointer by the size of what it points to, an integer not at all,
        a value of unknown type by a symbol shared by both versions (0: an integer)."""
        if ty.pointee is not None:
            return (True, self._size(ty.pointee))
        if ty.origin is not None:
            return (None, scale_symbol(ty.origin))
        return V.INTEGER

    def _size(self, spelling: str) -> int | z3.BitVecRef:
        """``sizeof`` a type: known scalars here, others from the compiler (tree mode),
        else a symbol both versions share. What a value of unknown type points to
        (``?origin``) is as large as that value's scale."""
        if spelling.startswith("?"):
            return scale_symbol(spelling[1:])
        text = spelled(spelling)
        known = scalar_size(text)
        if known is None:
            known = self.type_sizes.get(text)
        return known if known is not None else _size_symbol(text)

    def size_value(self, spelling: str) -> SymVal:
        size = self._size(spelling)
        term = z3.BitVecVal(size, 64) if isinstance(size, int) else size
        return SymVal(term, SIZE_T)

    def _element(self, spelling: str) -> IntType:
        """The type of a value of type ``spelling`` read from memory."""
        if spelling.startswith("?"):
            return unknown(f"elem:{spelling[1:]}")
        return scalar_type(spelling)

    def _member(self, struct: str, path: str) -> tuple[str, IntType]:
        """A member's spelled type (``?origin`` when not known) and its value's type:
        from the compiler in tree mode, else a value of unknown type named after the
        struct type and the member."""
        origin = f"field:{struct}.{path}"
        known = self.type_sizes
        size = known.get(member_key("size", struct, path))
        kind = known.get(member_key("class", struct, path))
        signed = known.get(member_key("signed", struct, path))
        if known.get(member_key("bool", struct, path)) == 1:
            return f"?{origin}", V.BOOL
        if size in (1, 2, 4, 8) and kind in _INTEGER_CLASSES and signed is not None:
            return f"?{origin}", IntType(size * 8, bool(signed))
        if size == 8 and kind == _POINTER_CLASS:
            return f"?{origin}", IntType(64, False, pointee=f"?{origin}*")
        return f"?{origin}", unknown(origin)

    def _check_array_member(self, st: PathState, base: Expr) -> None:
        """``s.arr[i]`` for a struct variable ``s`` (not in memory): its array members
        have no addresses of their own here."""
        inner = without_casts(base)
        if isinstance(inner, Field):
            _, root = _field_path(inner)
            frame = st.frames[-1]
            in_memory = isinstance(root, Local) and address_taken(frame.graph, root.index)
            if isinstance(root, Local | Param | Global) and not in_memory:
                st.notes.append(Note("unsupported", f"indexing member {expr_text(inner)}"))

    def _field_address(self, st: PathState, lv: Field, base: SymVal, name: str) -> SymVal:
        """The address of a field: the struct's address plus the member's offset (from
        the compiler in tree mode, else a symbol per struct type and member, shared by
        both versions); remembered, so that a dereference of exactly this pointer later
        on the path reaches the field itself (not plain memory)."""
        struct = _pointee(base.ty)
        key = offset_key(spelled(struct) if not struct.startswith("?") else "?", name)
        known = self.type_sizes.get(key)
        offset = SymVal(z3.BitVecVal(known, 64) if known is not None else z3.BitVec(key, 64))
        address = V.binary("+", V.convert(base, POINTER), V.convert(offset, POINTER))
        where = self.locate(st, lv)
        st.aliases[address.term.get_id()] = where
        spelling = where.spelling or f"?field:{struct}.{name}"
        return _pointing(address, spelling)

    def locate(self, st: PathState, lv: Expr) -> Loc:
        frame = st.frames[-1]
        depth = len(st.frames) - 1
        match lv:
            case Local(index=i, ctype=t) if address_taken(frame.graph, i):
                # Its address is taken: it lives in memory, where pointers reach it.
                if is_aggregate(t):
                    # Its members live under their own names; the whole value is not
                    # kept in step with them.
                    st.notes.append(
                        Note(
                            "unsupported",
                            "whole value of an address-taken "
                            f"struct local {frame.graph.locals[i].name}",
                        )
                    )
                address = self._local_address(st, i)
                spelling = declared(t) or f"?local:{frame.name}:{i}"
                return self._memory(st, address, spelling)
            case Local(index=i, ctype=t):
                return Loc(
                    "local",
                    f"local{i}",
                    slot=(i, ""),
                    ty=_AUTO if spelled(t) == "__auto_type" else scalar_type(t),
                    frame=depth,
                    spelling=declared(t),
                )
            case Param(index=i, ctype=t):
                return Loc(
                    "param",
                    f"param{i}",
                    slot=(i, ""),
                    ty=scalar_type(t),
                    frame=depth,
                    spelling=declared(t),
                )
            case Global(name=n) if n in self.outer_objects:
                return self._outer_object(st, n, "")
            case Global(name=n):
                return Loc("global", n)
            case Field(base=base, name=n):
                path, root = _field_path(lv)
                if isinstance(root, Global) and root.name in self.outer_objects:
                    return self._outer_object(st, root.name, path)
                if isinstance(root, Local) and address_taken(frame.graph, root.index):
                    address = self._local_address(st, root.index)
                    struct = declared(root.ctype) or f"?local:{frame.name}:{root.index}"
                    return self._field(st, address.term, struct, path)
                if isinstance(root, Local | Param):
                    kind: Literal["local", "param"] = (
                        "local" if isinstance(root, Local) else "param"
                    )
                    struct = declared(root.ctype) or f"?{kind}:{frame.name}:{root.index}"
                    spelling, ty = self._member(struct, path)
                    return Loc(
                        kind,
                        f"{kind}{root.index}",
                        slot=(root.index, path),
                        frame=depth,
                        ty=ty,
                        spelling=spelling,
                    )
                if isinstance(root, Global):
                    return Loc("global", f"{root.name}.{path}")
                if isinstance(root, Deref):
                    raw = self.evaluate(st, root.addr)
                    pointer = V.convert(raw, POINTER)
                    return self._field(st, pointer.term, _pointee(raw.ty), path, describe_expr(lv))
                address = self.address(st, base)
                return self._field(st, address.term, _pointee(address.ty), n, touch=False)
            case Deref(addr=a):
                raw = self.evaluate(st, a)
                pointer = V.convert(raw, POINTER)
                inner = without_casts(a)
                if isinstance(inner, AddrOf):
                    target = self.locate(st, inner.lvalue)
                    return self._view(st, target, raw, a is not inner)
                named = st.aliases.get(pointer.term.get_id())
                if isinstance(named, Loc):
                    # A pointer this path made from a field's address: the field itself.
                    return self._view(st, named, raw, True)
                self._check_into_struct(st, pointer, describe_expr(lv))
                return self._memory(st, pointer, _pointee(raw.ty), describe_expr(lv))
            case Index(base=b, index=i):
                self._check_array_member(st, b)
                element = self._indexed(st, b, i)
                address = V.convert(element, POINTER)
                self._check_into_struct(st, address, expr_text(lv))
                return self._memory(st, address, _pointee(element.ty))
        raise TypeError(f"not an lvalue: {lv!r}")

    def _plain_member(self, where: Loc) -> bool:
        """Whether a field location is a member its struct type declares directly (so
        a union elsewhere with a member of the same name does not concern it)."""
        origin = where.spelling.removeprefix("?field:")
        struct, _, path = origin.partition(".")
        if origin == where.spelling or not path or "." in path:
            return False
        return path in self.plain_members.get(struct, frozenset())

    def _outer_spelling(self, name: str) -> str:
        return declared(self.outer_objects[name]) or f"?outer:{name}"

    def _outer_object(self, st: PathState, name: str, path: str) -> Loc:
        """A region's address-taken outer local (``path``: the member, or "" for the
        whole): in memory, as the function keeps it (an address-taken local there)."""
        address = _outer_address(name)
        spelling = self._outer_spelling(name)
        if not path:
            if is_aggregate(self.outer_objects[name]):
                st.notes.append(
                    Note("unsupported", f"whole value of an address-taken struct local {name}")
                )
            return self._memory(st, address, spelling)
        return self._field(st, address.term, spelling, path)

    def _field(
        self,
        st: PathState,
        base: z3.BitVecRef,
        struct: str,
        path: str,
        describe: str = "",
        *,
        touch: bool = True,
    ) -> Loc:
        """Member ``path`` of the ``struct`` at ``base``: in union storage, by its
        layout, when it may share storage with another member and the compiler told
        where it lies and what it is; otherwise in the array of its name."""
        if touch:
            self._touch_field(st, path)
        spelling, ty = self._member(struct, path)
        placed = self._laid_out(struct, path)
        if placed is not None:
            offset, width = placed
            return Loc(
                "array",
                LAYOUT,
                key=(base + offset,),
                describe=describe,
                ty=ty,
                width=width,
                spelling=spelling,
            )
        return Loc(
            "array", f"field:{path}", key=(base,), describe=describe, ty=ty, spelling=spelling
        )

    def _laid_out(self, struct: str, path: str) -> tuple[int, int] | None:
        """Where member ``path`` of ``struct`` lies (offset, width) when its storage is
        to be modelled by layout: it is a union's, or of a struct held in one (its own
        name is among the unit's union members: a member reached by two paths, through
        the outer struct or a pointer to the inner one, is placed the same way); and
        the compiler answered its offset, and that it is an integer or a pointer."""
        if path.rpartition(".")[2] not in self.union_members or struct.startswith("?"):
            return None
        known = self.type_sizes
        struct = spelled(struct)
        offset = known.get(offset_key(struct, path))
        size = known.get(member_key("size", struct, path))
        kind = known.get(member_key("class", struct, path))
        if offset is None or size not in (1, 2, 4, 8):
            return None
        if kind in _INTEGER_CLASSES or known.get(member_key("bool", struct, path)) == 1:
            return offset, size
        if kind == _POINTER_CLASS and size == 8 and known.get(member_key("pointer", struct, path)):
            return offset, size
        return None

    def _shares_storage(self, where: Loc) -> bool:
        """Whether a member kept in the array of its name may share storage with
        another (a name on its path is a union member's), unless its struct type
        declares it directly."""
        path = where.name.removeprefix("field:")
        if path == where.name or self._plain_member(where):
            return False
        return any(part in self.union_members for part in path.split("."))

    def _mark_shared(self, st: PathState, where: Loc) -> None:
        """Note how a path reaches members that may share storage; reached both by
        layout and by name, they are not modelled (the two are kept apart)."""
        if where.name == LAYOUT:
            mark, other = _BY_LAYOUT, _BY_NAME
            member = where.spelling.removeprefix("?field:")
            # (a temporary's name says nothing: the struct type and member do)
            named = where.describe and not re.search(r"\btmp\d+\b", where.describe)
            struct, _, path = member.partition(".")
            text = where.describe if named else f"({struct})->{path}"
            place = Place(text, where.key[0], where.width if isinstance(where.width, int) else 8)
            if not any(p.text == place.text and p.address.eq(place.address) for p in st.places):
                st.places.append(place)
        elif self._shares_storage(where):
            mark, other = _BY_NAME, _BY_LAYOUT
        else:
            return
        st.fields.add(mark)
        if other in st.fields:
            member = where.spelling.removeprefix("?field:")
            st.notes.append(
                Note(
                    "unsupported",
                    f"union storage reached both by layout and by name ({member}: its "
                    "offset or type not known)",
                )
            )

    def _check_into_struct(self, st: PathState, address: SymVal, describe: str) -> None:
        """Plain memory reached from a pointer to a struct or union (``*(char *)s``,
        whatever gave ``s``): the bytes of its fields, which assumption A2 keeps apart
        from plain memory, so the access is not modelled."""
        stack, seen = [address.term], set()
        while stack:
            node = stack.pop()
            if node.get_id() in seen:
                continue
            seen.add(node.get_id())
            pointee = st.struct_terms.get(node.get_id())
            if pointee is not None:
                st.notes.append(
                    Note(
                        "unsupported", f"{describe} reaches into the {pointee} a pointer points to"
                    )
                )
                return
            stack.extend(node.children())

    def _view(self, st: PathState, target: Loc, pointer: SymVal, cast: bool) -> Loc:
        """``*q`` where ``q`` points to a named object: that object, when ``q``'s type
        says it is read as what it is; in memory, read as ``q`` says; otherwise the
        access is one this engine does not model (``*(char *)&p->f``)."""
        view = _pointee(pointer.ty)
        if target.name == MEM:
            return self._memory(st, V.convert(pointer, POINTER), view)
        if target.name == LAYOUT and cast and view != target.spelling:
            # (union storage read as the pointer says: as many bytes as its type, within
            # the member's; wider, it would reach members kept elsewhere)
            width = self._size(view)
            whole = target.width if isinstance(target.width, int) else 0
            if isinstance(width, int) and 0 < width <= whole:
                return Loc(
                    "array",
                    LAYOUT,
                    key=target.key,
                    describe=target.describe,
                    ty=self._element(view),
                    width=width,
                    spelling=view,
                )
        if not cast or view == target.spelling:
            return target
        mine = self._element(view)
        theirs = target.ty
        if (
            target.spelling
            and not V.is_pointerish(mine)
            and mine == theirs.integer
            and (not V.is_pointerish(theirs))
        ):
            return target
        st.notes.append(Note("unsupported", f"{target.describe or target.name} accessed as {view}"))
        return target

    def _memory(self, st: PathState, address: SymVal, spelling: str, describe: str = "") -> Loc:
        """An object of plain memory: its address, type and width in bytes. A whole
        object wider than 8 bytes (a struct copy) is not modelled; one of a width this
        comparison does not know may be, which a proof must rule out."""
        width = self._size(spelling)
        if isinstance(width, int) and width > 8:
            st.notes.append(Note("unsupported", f"a {width}-byte {spelling} in memory as a whole"))
        elif not isinstance(width, int):
            if not spelling.startswith("?"):
                st.notes.append(Note("unsupported", f"a whole {spelling} in memory"))
            else:
                st.wide.append(z3.And(*st.pc, z3.UGT(width, 8)) if st.pc else z3.UGT(width, 8))
        return Loc(
            "array",
            MEM,
            key=(address.term,),
            ty=self._element(spelling),
            describe=describe,
            width=width,
            spelling=spelling,
        )

    def _touch_field(self, st: PathState, path: str) -> None:
        """A field and one of its own members accessed through pointers are kept in
        separate arrays: when a path uses both, the verdict cannot rest on them."""
        for other in st.fields:
            if other != path and (other.startswith(path + ".") or path.startswith(other + ".")):
                st.notes.append(Note("unsupported", f"->{path} and ->{other} overlap"))
                break
        st.fields.add(path)

    def _check_slot_union(self, st: PathState, where: Loc, writing: bool) -> None:
        """Members of a struct or union variable kept in slots (a parameter, a local
        whose address is not taken, a global) are apart: where they may share storage
        (a union member's name on the path), a path that writes one and reads another
        of the same variable, or writes such a member of a global, is not modelled."""
        if where.kind == "global":
            root, _, path = where.name.partition(".")
        else:
            root, path = f"{where.kind}{where.frame}:{where.slot[0]}", where.slot[1]
        if not path or not any(part in self.union_members for part in path.split(".")):
            return
        if writing and where.kind == "global":
            st.notes.append(Note("unsupported", f"write to union member {where.name}"))
            return
        written = f"#slot:{root}:"
        if any(f.startswith(written) and f != written + path for f in st.fields):
            st.notes.append(
                Note("unsupported", f"members of {root} that may share storage ({path})")
            )
        if writing:
            st.fields.add(written + path)

    def read(self, st: PathState, where: Loc) -> SymVal:
        frame = st.frames[where.frame] if where.kind in {"local", "param"} else st.frames[-1]
        if where.kind in {"local", "param", "global"}:
            self._check_whole_and_members(st, frame, where)
            self._check_slot_union(st, where, writing=False)
        if where.kind == "local":
            value = frame.locals.get(where.slot)
            if value is not None:
                return value
            index, path = where.slot
            initial = frame.initial_local(where.slot, top=where.frame == 0)
            if initial is not None:
                if index not in frame.zeroed:
                    frame.locals[where.slot] = initial
                return initial
            local = local_of(frame.graph, index)
            name = local.name if local is not None and local.name else f"local {index}"
            st.notes.append(Note("uninitialised", f"{name}{'.' + path if path else ''}"))
            return V.symbol(f"{self.version}:uninit:{frame.name}:{index}:{path}")
        if where.kind == "param":
            value = frame.params.get(where.slot)
            if value is None:
                index, path = where.slot
                value = frame.initial_param(where.slot)
                frame.params[where.slot] = value
                param = frame.graph.params[index] if index < len(frame.graph.params) else None
                if len(st.frames) == 1:
                    label = param.name if param is not None and param.name else f"arg{index}"
                    st.inputs.append((label + (f".{path}" if path else ""), value.term))
            return value
        if (
            where.kind == "global"
            and where.name in CONSTANTS
            and not st.shared.is_outer(where.name)
        ):
            return V.const(CONSTANTS[where.name], V.INT)
        if where.kind == "global" and st.shared.is_outer(where.name):
            if where.name not in st.shared.globals:
                st.inputs.append((where.name, st.shared.global_value(where.name).term))
            return st.shared.global_value(where.name)
        known = self._constant(where.name) if where.kind == "global" else None
        if known is not None:
            return known
        if where.kind == "global":
            fresh = where.name not in st.shared.globals
            value = st.shared.global_value(where.name)
            if fresh and (st.shared.epoch == "init" or is_constant_name(where.name)):
                st.inputs.append((where.name, value.term))
            return value
        self._mark_shared(st, where)
        array = st.shared.array(where.name, len(where.key))
        if where.name in BYTE_ARRAYS:
            value = _load(array, where.key[0], where.width, where.ty)
            if where.name == LAYOUT and where.ty.pointee is not None:
                # (a pointer member: its bytes name the object read, as a field's read)
                for byte in byte_selects(array, where.key[0], 8):
                    st.inner[byte.get_id()] = where.key[0]
        else:
            # (Of a type not known, a value read is not cut to a width: the same object
            # reached through a typed and an untyped pointer would read differently.)
            raw = select(array, where.key)
            value = V.convert(SymVal(raw), where.ty)
            if where.name.startswith("field:") and (
                where.ty.pointee is not None or where.ty.origin
            ):
                # (a pointer member, or an array member decaying to its address: gcc
                # classifies both as pointers)
                st.inner[raw.get_id()] = where.key[0]
        if where.name not in st.outer_written and where.describe:
            st.inputs.append((when(st, where.describe), value.term))
        return value

    def _check_whole_and_members(self, st: PathState, frame: Frame, where: Loc) -> None:
        """A struct variable's whole value and its members are kept as separate slots,
        not in step with each other: reading one after the other was set (a member
        after a whole assignment, the whole after a member was set) is not modelled."""
        if where.kind == "global":
            root, _, path = where.name.partition(".")
            names = st.shared.globals
            if path and root in names and where.name not in names and root in st.outer_written:
                st.notes.append(
                    Note(
                        "unsupported",
                        f"member {where.name} of {root} after {root} was assigned whole",
                    )
                )
            elif not path and any(n.startswith(root + ".") for n in st.outer_written):
                st.notes.append(
                    Note("unsupported", f"whole value of {root} after a member was set")
                )
            return
        index, path = where.slot
        slots = frame.locals if where.kind == "local" else frame.params
        variables = frame.graph.locals if where.kind == "local" else frame.graph.params
        variable = variables[index] if index < len(variables) else None
        name = variable.name if variable is not None and variable.name else f"#{index}"
        if path and (index, "") in slots and where.slot not in slots:
            st.notes.append(
                Note("unsupported", f"member {name}.{path} after {name} was assigned whole")
            )
        elif not path and variable is not None and is_aggregate(variable.ctype):
            members = any(k[0] == index and k[1] for k in slots)
            if members or (where.kind == "local" and index in frame.zeroed):
                st.notes.append(
                    Note("unsupported", f"whole value of struct {name} after its members were set")
                )

    def write(self, st: PathState, where: Loc, value: SymVal) -> None:
        if where.kind in {"local", "param", "global"}:
            self._check_slot_union(st, where, writing=True)
        if where.kind in {"local", "param"}:
            frame = st.frames[where.frame]
            slots = frame.locals if where.kind == "local" else frame.params
            if where.slot[1] == "" and where.kind == "local":
                local = local_of(frame.graph, where.slot[0])
                if local is not None and is_aggregate(local.ctype):
                    # A whole struct assigned: its fields come from the value.
                    for key in [k for k in slots if k[0] == where.slot[0]]:
                        del slots[key]
                    frame.zeroed.discard(where.slot[0])
            if where.ty is _AUTO and not where.slot[1]:
                # __auto_type: the type of its first value, kept from then on.
                auto = (where.frame, where.slot[0])
                if auto not in st.auto_types:
                    known = value.ty.origin != "?"
                    st.auto_types[auto] = value.ty if known else unknown(f"auto:{auto}")
                slots[where.slot] = stored(value, st.auto_types[auto])
            elif where.ty is DEFAULT and not where.slot[1]:
                # A local of no written type (a temporary) holds the value as it is.
                slots[where.slot] = value
            else:
                slots[where.slot] = stored(value, where.ty)
            return
        if where.kind == "global":
            for name in [n for n in st.shared.globals if n.startswith(where.name + ".")]:
                del st.shared.globals[name]  # members of a variable assigned whole
            if where.name in st.shared.outer_types:
                value = V.convert(value, st.shared.outer_types[where.name])
            elif st.shared.is_outer(where.name):
                value = stored(value, unknown(f"outer:{where.name}"))
            else:
                value = stored(value, unknown(f"global:{where.name}"))
            st.shared.globals[where.name] = value
            st.outer_written.add(where.name)
            return
        self._mark_shared(st, where)
        if self._shares_storage(where):
            # A member that may share storage, whose layout is not known: a write to it
            # may change another member, which is not modelled.
            member = where.spelling.removeprefix("?field:") or where.name
            st.notes.append(Note("unsupported", f"write to union member {member}"))
        if where.name != MEM:
            value = stored(value, where.ty)
        array = st.shared.array(where.name, len(where.key))
        if where.name in BYTE_ARRAYS:
            st.shared.arrays[where.name] = _save(array, where.key[0], where.width, value.term)
        else:
            st.shared.arrays[where.name] = store(array, where.key, value.term)
        st.outer_written.add(where.name)


def _field_path(lv: Expr) -> tuple[str, Expr]:
    """``a.b.c`` and the root of a chain of field accesses (stopping at a Deref)."""
    names: list[str] = []
    node: Expr = lv
    while isinstance(node, Field):
        names.append(node.name)
        node = node.base
        if isinstance(node, Deref):
            break
    return ".".join(reversed(names)), node


def _size_symbol(spelling: str) -> z3.BitVecRef:
    """The unknown size of a type, one symbol per spelling in both versions."""
    return z3.BitVec(f"{SIZE_PREFIX}{spelling}", 64)


def scale_symbol(origin: str) -> z3.BitVecRef:
    """How a value of unknown type from ``origin`` scales (0: it is an integer)."""
    return z3.BitVec(f"{SCALE_PREFIX}{origin}", 64)


def _pointing(address: SymVal, spelling: str) -> SymVal:
    """``address`` as a pointer to ``spelling``."""
    return SymVal(address.term, IntType(64, False, pointee=spelling))


def _pointee(ty: IntType) -> str:
    """What a value of type ``ty`` points to: ``?origin`` when that is not known."""
    if ty.pointee is not None:
        return ty.pointee
    return f"?{ty.origin or '?'}"


def declared(ctype: str) -> str:
    """A declared type's spelling, or ``""`` when it does not say (``typeof``)."""
    return spelled(ctype) if ctype and "typeof" not in ctype and ctype != "?" else ""


def byte_selects(memory: z3.ArrayRef, address: z3.BitVecRef, width: int) -> list[z3.ExprRef]:
    """The reads of ``width`` bytes of byte memory at ``address``, lowest first."""
    return [z3.Select(memory, address + k) for k in range(width)]


def bytes_at(memory: z3.ArrayRef, address: z3.BitVecRef, width: int) -> z3.BitVecRef:
    """``width`` bytes of byte memory at ``address`` as one value, little-endian."""
    data = byte_selects(memory, address, width)
    return z3.Concat(*reversed(data)) if width > 1 else data[0]


def _load(
    memory: z3.ArrayRef, address: z3.BitVecRef, width: int | z3.BitVecRef, ty: IntType
) -> SymVal:
    """A value of ``width`` bytes read little-endian from byte memory, extended to 64
    bits as its type says (sign unknown for a type not known: a symbol per type). Of
    an object wider than 8 bytes, the first 8 are the value."""
    if isinstance(width, int) and width in _EXTENDED:
        low = bytes_at(memory, address, width)
        return V.convert(SymVal(_extend(low, ty.signed)), ty)
    full = bytes_at(memory, address, 8)
    if isinstance(width, int):
        return SymVal(full, ty)
    known = not V.is_pointerish(ty)
    signed = z3.BoolVal(ty.signed) if known else z3.Bool(f"{SIGN_PREFIX}{V.type_key(ty)}")
    value = full
    for size in sorted(_EXTENDED, reverse=True):
        low = bytes_at(memory, address, size)
        extended = z3.If(signed, z3.SignExt(64 - 8 * size, low), z3.ZeroExt(64 - 8 * size, low))
        value = z3.If(width == size, extended, value)
    return SymVal(value, ty)


def _save(
    memory: z3.ArrayRef, address: z3.BitVecRef, width: int | z3.BitVecRef, value: z3.BitVecRef
) -> z3.ArrayRef:
    """``value``'s low ``width`` bytes stored little-endian (at most 8: a wider object
    keeps its value in its first 8 bytes)."""
    for k in range(8):
        byte = z3.Extract(8 * k + 7, 8 * k, value)
        if isinstance(width, int):
            if k >= width:
                break
            memory = z3.Store(memory, address + k, byte)
        else:
            old = z3.Select(memory, address + k)
            memory = z3.Store(memory, address + k, z3.If(z3.UGT(width, k), byte, old))
    return memory


def stored(value: SymVal, ty: IntType) -> SymVal:
    """``value`` as an object of type ``ty`` holds it after an assignment (C converts
    to the object's type). For a type not known (a field, a global), what it holds is
    ``value`` cut to an unknown number of bits (a bit-field too), sign- or
    zero-extended, or tested against zero for a ``bool``: symbols per origin that a
    proof holds for whatever their values (docs/semantics.md, "Pointers and types")."""
    if ty.origin is None:
        return V.convert(value, ty)
    key = V.type_key(ty)
    bits = z3.BitVec(f"{WIDTH_PREFIX}{key}", 64)
    signed = z3.Bool(f"{SIGN_PREFIX}{key}")
    is_bool = z3.Bool(f"{BOOL_PREFIX}{key}")
    shift = z3.BitVecVal(64, 64) - bits
    up = value.term << shift
    cut = z3.If(signed, up >> shift, z3.LShR(up, shift))
    one, zero = z3.BitVecVal(1, 64), z3.BitVecVal(0, 64)
    return SymVal(z3.If(is_bool, z3.If(value.term != 0, one, zero), cut), ty)


def _extend(low: z3.BitVecRef, signed: bool) -> z3.BitVecRef:
    extra = 64 - low.size()
    if extra == 0:
        return low
    return z3.SignExt(extra, low) if signed else z3.ZeroExt(extra, low)


_EXTENDED = (1, 2, 4)


def sized_types(graph: Graph) -> set[str]:
    """The types whose sizes pointer arithmetic in ``graph`` may scale by: what its
    pointer locals, parameters and casts point to, and the types ``sizeof`` names."""
    found: set[str] = set()
    written = [v.ctype for v in graph.locals] + [p.ctype for p in graph.params]
    for node in graph_nodes(graph):
        if isinstance(node, Cast):
            written.append(node.ctype)
        elif isinstance(node, TypeQuery) and node.kind == "sizeof" and not node.refs:
            found.add(spelled(node.text))
        elif isinstance(node, Field) and isinstance(node.base, Deref):
            found.update(_members(node.base.addr, node.name))
    for ctype in written:
        found.update(pointed_types(ctype))
        found.add(spelled(ctype))
    # A bare name may be a typedef of an integer type: ask its class and sign too.
    names = {t for t in found if t.isidentifier() and scalar_size(t) is None}
    found.update(type_key(fact, name) for name in names for fact in TYPE_FACTS)
    return found


def layout_keys(graphs: list[Graph], pointers: list[str]) -> set[str]:
    """What the compiler is asked for ``graphs``: the sizes :func:`sized_types` names,
    and the offset and facts of every member the graphs name in every struct or union
    they point to (``pointers`` adds pointer types known otherwise, such as calls'
    declared results)."""
    keys: set[str] = set().union(*map(sized_types, graphs))
    members: set[str] = set()
    for graph in graphs:
        for node in graph_nodes(graph):
            if isinstance(node, Global) and is_constant_name(node.name):
                keys.update(constant_key(fact, node.name) for fact in CONSTANT_FACTS)
            if isinstance(node, TypeQuery) and node.kind in QUERY_FORMS and not node.refs:
                keys.add(query_key(node.kind, node.text))
            if isinstance(node, Field):
                members.add(node.name)
                path, _ = _field_path(node)
                members.add(path)  # (a.b: where a union member nested in a struct lies)
    structs = {
        t
        for t in keys.union(*(pointed_types(p) for p in pointers))
        if t.startswith(("struct ", "union ")) and "*" not in t
    }
    for struct in structs:
        for member in members:
            keys.add(offset_key(struct, member))
            keys.update(member_key(fact, struct, member) for fact in MEMBER_FACTS)
    return keys


def _members(address: Expr, member: str) -> list[str]:
    """The offset key of ``address->member`` when the address's type is written."""
    if isinstance(address, Local | Param | Cast) and address.ctype:
        pointed = pointed_types(address.ctype)
        if pointed:
            facts = [member_key(fact, pointed[0], member) for fact in MEMBER_FACTS]
            return [offset_key(pointed[0], member), *facts]
    return []


def without_casts(e: Expr) -> Expr:
    while isinstance(e, Cast):
        e = e.operand
    return e


def _outer_address(name: str) -> SymVal:
    """The address of a region's address-taken outer local: one symbol for both
    versions (the object is the same one, whatever the function did before)."""
    return V.symbol(f"addr:outer:{name}", POINTER)


def object_address(frame: Frame, depth: int, index: int) -> str:
    """The name of the address of address-taken local ``index`` of ``frame`` (at
    ``depth``, 1 for the bottom frame), once the path has placed it in memory."""
    key = frame.graph.object_keys.get(index) if depth == 1 else None
    if key is not None:
        return f"addr:local:{key}"
    return f"addr:escaped{frame.escaped[index]}:{depth}"


def constant_names(
    terms: tuple[z3.ExprRef, ...], inner: Mapping[int, z3.ExprRef], limit: int = 4000
) -> frozenset[str]:
    """The names of the constants in ``terms``, outside reads from arrays (what a read
    returns is contents, not an address: the address of a confined local is stored
    nowhere) except reads of a pointer or array member (``inner``: by term id, the
    address of the object read, whose names count); every name when they are larger
    than ``limit`` nodes (the caller must then assume any)."""
    names: set[str] = set()
    seen: set[int] = set()
    stack = list(terms)
    while stack:
        node = stack.pop()
        if node.get_id() in seen:
            continue
        seen.add(node.get_id())
        if len(seen) > limit:
            return _EVERY_NAME
        if z3.is_const(node) and node.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            names.add(node.decl().name())
        elif not z3.is_select(node):
            stack.extend(node.children())
        elif node.get_id() in inner:
            stack.append(inner[node.get_id()])
    return frozenset(names)


class _Every(frozenset[str]):
    """Every name (``in`` always holds)."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY_NAME = _Every()


def address_taken(graph: Graph, index: int) -> bool:
    local = graph.locals[index] if index < len(graph.locals) else None
    return local is not None and local.address_taken


def local_of(graph: Graph, index: int) -> Local | None:
    return graph.locals[index] if index < len(graph.locals) else None


def describe_expr(e: Expr) -> str:
    """An expression with source names, for counterexamples."""
    match e:
        case Local(name=n, index=i):
            return n or f"tmp{i}"
        case Param(name=n, index=i):
            return n or f"arg{i}"
        case Global(name=n):
            return n
        case Field(base=Deref(addr=a), name=n):
            return f"{describe_expr(a)}->{n}"
        case Field(base=b, name=n):
            return f"{describe_expr(b)}.{n}"
        case Deref(addr=a):
            return f"*{describe_expr(a)}"
        case AddrOf(lvalue=lv):
            return f"&{describe_expr(lv)}"
        case Unary(op=op, operand=x):
            return f"{op}{describe_expr(x)}"
        case Binary(op=op, left=a, right=b):
            return f"{describe_expr(a)} {op} {describe_expr(b)}"
    return expr_text(e)
