"""Member names of the unions a translation unit defines (tree mode).

Union members share storage: the engine keeps a member so named in union storage, by
the compiler's layout (symex/memory.py), instead of assuming the fields are apart. The
scan is lexical and over-approximates: every name declared anywhere inside a
``union { ... }`` body counts, and every member of a struct held by value in one (a
tagged struct, or one a typedef names without a tag, as ``atomic_t``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from equivcheck.frontend.gnuc.scan import matching_brace, matching_paren, split_top_level
from equivcheck.frontend.patch.clex import mask
from equivcheck.frontend.vocabulary import C_KEYWORDS

_UNION = re.compile(r"\bunion\b")
_WORD = re.compile(r"[A-Za-z_]\w*")


@functools.lru_cache(maxsize=4)
def union_members(text: str) -> frozenset[str]:
    """Names declared inside union bodies of a preprocessed translation unit, and the
    members of every struct whose objects may live inside a union (``struct page`` in
    ``struct folio``): their storage is shared with the union's other members. Every
    word of such a body that is no keyword counts (type names and attributes too: more
    names only keep more members by layout), so that no declarator form is missed
    (``unsigned int lo, hi;``, a member with ``__attribute__((...))``)."""
    masked = _masked(text)
    found: set[str] = set()
    for body in union_bodies(masked):
        found.update(_names(body))
    bodies, shared = _structs(text)
    for tag in shared:
        for body in bodies.get(tag, []):
            found.update(_names(body))
    return frozenset(found)


def _names(body: str) -> set[str]:
    return set(_WORD.findall(body)) - C_KEYWORDS


def union_bodies(masked: str) -> list[str]:
    """The bodies of the union definitions in ``masked`` (comments and literals masked):
    ``union [TAG] {``, attributes allowed before and after the tag."""
    out: list[str] = []
    for match in _UNION.finditer(masked):
        i, word = match.end(), ""
        while i < len(masked):
            ch = masked[i]
            if ch.isalnum() or ch == "_":
                start = i
                while i < len(masked) and (masked[i].isalnum() or masked[i] == "_"):
                    i += 1
                word = masked[start:i]
            elif ch.isspace():
                i += 1
            elif ch == "(" and word.startswith("__"):  # (__attribute__((aligned(8))))
                i = matching_paren(masked, i)
            else:
                break
        if i < len(masked) and masked[i] == "{":
            out.append(masked[i + 1 : matching_brace(masked, i) - 1])
    return out


@functools.lru_cache(maxsize=4)
def _masked(text: str) -> str:
    """``text`` with comments and literals masked (once per unit)."""
    return mask(text)


@functools.lru_cache(maxsize=4)
def _structs(text: str) -> tuple[dict[str, list[str]], frozenset[str]]:
    """The struct bodies of a unit by tag, and the tags held by value in a union."""
    masked = _masked(text)
    bodies = _struct_bodies(masked)
    return bodies, frozenset(_in_unions(masked, bodies))


def _struct_bodies(masked: str) -> dict[str, list[str]]:
    """The body of each definition of each struct tag, and of each struct a typedef
    names without a tag (``typedef struct { int counter; } atomic_t;``), under the tag
    ``<atomic_t>``."""
    bodies: dict[str, list[str]] = {}
    for match in _STRUCT.finditer(masked):
        end = matching_brace(masked, match.end() - 1)
        bodies.setdefault(match.group(1), []).append(masked[match.end() : end - 1])
    for match in _ANONYMOUS_TYPEDEF.finditer(masked):
        if match.group(1) != "struct":
            continue
        end = matching_brace(masked, match.end() - 1)
        names = declared_names(masked, end)
        if names:
            bodies.setdefault(f"<{names[0]}>", []).append(masked[match.end() : end - 1])
    return bodies


def _aliases(masked: str) -> dict[str, str]:
    """Typedef names of structs, each with its tag (``<NAME>`` for a struct without
    one): every name of the declarator list that is no pointer (``typedef struct A A_t,
    *A_p;``, an array ``typedef struct A A_arr[1];``), qualified or not, through
    typedefs of typedefs (``typedef A_t B_t;``) and ``typeof`` (``typedef
    __typeof__(struct A) B_t;``)."""
    aliases: dict[str, str] = {}
    for match in _TYPEDEF.finditer(masked):
        for name in declared_names(masked, match.end()):
            aliases[name] = match.group(1)
    for match in _TYPEDEF_BODY.finditer(masked):
        end = matching_brace(masked, match.end() - 1)
        for name in declared_names(masked, end):
            aliases[name] = match.group(1)
    for match in _ANONYMOUS_TYPEDEF.finditer(masked):
        end = matching_brace(masked, match.end() - 1)
        names = declared_names(masked, end)
        if names and match.group(1) == "struct":
            for name in names:
                aliases[name] = f"<{names[0]}>"
    renamed = _renamed(masked)
    grew = True
    while grew:
        grew = False
        for old, new in renamed:
            tag = aliases.get(old) or (old[7:] if old.startswith("struct ") else None)
            if tag is not None and new not in aliases:
                aliases[new] = tag
                grew = True
    return aliases


def _renamed(masked: str) -> list[tuple[str, str]]:
    """``(old, new)`` for each typedef of a typedef name (``typedef A_t B_t, C_t[2];``,
    qualifiers allowed) and for each name a ``typeof`` typedef takes from a struct or a
    typedef name (``typedef __typeof__(struct A) B_t;``: old is ``struct A`` as a tag)."""
    out: list[tuple[str, str]] = []
    for match in _TYPEDEF_NAME.finditer(masked):
        out += [(match.group(1), new) for new in declared_names(masked, match.end())]
    for match in _TYPEDEF_TYPEOF.finditer(masked):
        close = matching_paren(masked, match.end() - 1)
        operand = masked[match.end() : close - 1]
        tags = _BY_VALUE.findall(operand)
        words = [w for w in _WORD.findall(operand) if w not in C_KEYWORDS]
        for new in declared_names(masked, close):
            out += [(f"struct {tag}", new) for tag in tags] + [(w, new) for w in words]
    return out


def declared_names(masked: str, start: int) -> list[str]:
    """The names a declarator list declares from ``start`` up to its ``;`` (``A_t, *A_p,
    A_arr[1]``), leaving out pointers and function pointers (which hold no object of the
    type): over-approximates, as a word inside an array bound may count too."""
    end = masked.find(";", start)
    text = _ATTRIBUTE.sub(" ", masked[start : end if end >= 0 else len(masked)])
    if "{" in text or "}" in text:
        return []
    out: list[str] = []
    for part in split_top_level(text):
        part = _QUALIFIER.sub(" ", part).strip()
        if part.startswith(("*", "(")):
            continue  # a pointer or function pointer
        word = _WORD.match(part)
        if word and word.group(0) not in C_KEYWORDS:
            out.append(word.group(0))
    return out


_ATTRIBUTE = re.compile(r"\b__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)")
_TYPEDEF_TYPEOF = re.compile(
    r"\btypedef\s+(?:(?:const|volatile)\s+)*(?:__typeof__|__typeof|typeof|__typeof_unqual__)\s*\("
)


_STRUCT = re.compile(r"\bstruct\s+([A-Za-z_]\w*)\s*\{")
_DECLARATOR = re.compile(r"([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*(?::[^,]*)?$")


@functools.lru_cache(maxsize=4)  # a function's two units come in turns, then the next's
def plain_members(text: str) -> dict[str, frozenset[str]]:
    """For each ``struct TAG`` a preprocessed translation unit defines, the members it
    declares directly as plain objects: not inside a nested union or struct body and not
    of a union type. A write to one of them changes no other member, whatever
    :func:`union_members` found under the same name in another type. A tag defined
    twice keeps the names both definitions agree on."""
    bodies, shared = _structs(text)
    found: dict[str, frozenset[str]] = {}
    for tag, texts in bodies.items():
        if tag in shared or tag.startswith("<"):
            continue  # its storage may be a union's: any member may overlap another
        names = [frozenset(_direct_members(body)) for body in texts]
        found[f"struct {tag}"] = frozenset.intersection(*names)
    return found


# (a struct by value, not through a pointer: a declaration, a body, ``typeof(struct A)``)
_BY_VALUE = re.compile(r"\bstruct\s+([A-Za-z_]\w*)\b(?!\s*\*)")
_TYPEDEF = re.compile(
    r"\btypedef\s+(?:(?:const|volatile)\s+)*struct\s+([A-Za-z_]\w*)\b(?=\s*[^\s{])"
)
_TYPEDEF_BODY = re.compile(r"\btypedef\s+struct\s+([A-Za-z_]\w*)\s*\{")


def _in_unions(masked: str, bodies: dict[str, list[str]]) -> set[str]:
    """Struct tags whose objects may live inside a union: held by value in a union body
    (directly, through a typedef name, ``typeof(struct A)``, or in a struct itself held
    so); every tag when a union holds the type of an expression (``typeof(x)``), which
    this lexical scan cannot tell."""
    aliases = _aliases(masked)
    shared: set[str] = set()
    todo: list[str] = []

    def held(body: str) -> list[str]:
        if any(_unknown_type(operand, aliases) for operand in _typeof_operands(body)):
            return list(bodies)
        return _BY_VALUE.findall(body) + [aliases[w] for w in _WORD.findall(body) if w in aliases]

    for body in union_bodies(masked):
        todo += held(body)
    while todo:
        tag = todo.pop()
        if tag in shared:
            continue
        shared.add(tag)
        for body in bodies.get(tag, []):
            todo += held(body)
    return shared


_TYPEOF = re.compile(r"\b(?:__typeof__|__typeof|typeof|__typeof_unqual__)\s*\(")


def _typeof_operands(body: str) -> list[str]:
    """The operands of the ``typeof`` groups in ``body``."""
    out: list[str] = []
    for match in _TYPEOF.finditer(body):
        close = matching_paren(body, match.end() - 1)
        out.append(body[match.end() : close - 1])
    return out


def _unknown_type(operand: str, aliases: dict[str, str]) -> bool:
    """Whether a ``typeof`` operand may be a struct this scan does not see: anything but
    ``struct TAG``, a struct's typedef name or C's own type words (an expression, or a
    typedef name of another type, is taken to be any struct)."""
    if _BY_VALUE.search(operand):
        return False
    words = [w for w in _WORD.findall(operand) if w not in C_KEYWORDS]
    return any(w not in aliases for w in words)


def _direct_members(body: str) -> list[str]:
    """Names of the depth-0 declarations of a struct body with no braces of their own
    and no ``union`` in their type."""
    out: list[str] = []
    for decl in split_top_level(body, ";")[:-1]:  # what follows the last ";" is none
        if "{" in decl or "}" in decl or re.search(r"\bunion\b", decl) or "(" in decl:
            continue
        for part in decl.split(","):
            m = _DECLARATOR.search(part.strip())
            if m:
                out.append(m.group(1))
    return out


_ARRAY_TYPEDEF = re.compile(r"\btypedef\b[^;{}]*?\b([A-Za-z_]\w*)\s*\[[^;]*;")
_ANONYMOUS_TYPEDEF = re.compile(r"\btypedef\s+(struct|union)\s*\{")


@functools.lru_cache(maxsize=4)
def holding_arrays(text: str) -> frozenset[str]:
    """Types of a preprocessed unit (``struct TAG``, and typedef names) whose objects may
    hold an array, anywhere inside: a member that decays to a pointer into the object
    without ``&``. Over-approximates: a union, a nested body, a member whose type is a
    struct that does, an array typedef; an unknown typedef name held by value is taken
    to be a scalar."""
    masked = _masked(text)
    bodies = {tag: list(texts) for tag, texts in _structs(text)[0].items()}
    aliases = _aliases(masked)
    arrays = {m.group(1) for m in _ARRAY_TYPEDEF.finditer(masked)}
    for match in _ANONYMOUS_TYPEDEF.finditer(masked):
        # (typedef union { ... } name;: a union, so it holds what overlaps)
        end = matching_brace(masked, match.end() - 1)
        name = re.match(r"\s*([A-Za-z_]\w*)\s*;", masked[end:])
        if name and match.group(1) == "union":
            tag = f"<{name.group(1)}>"
            bodies.setdefault(tag, []).append(masked[match.end() : end - 1] + " union")
            aliases[name.group(1)] = tag
    holding: dict[str, bool] = {}

    def holds(tag: str) -> bool:
        if tag not in holding:
            holding[tag] = True  # (a cycle by value is impossible; assume the worst)
            holding[tag] = any(
                _body_holds(body, holds, aliases, arrays) for body in bodies.get(tag, [])
            )
        return holding[tag]

    found = {f"struct {tag}" for tag in bodies if holds(tag) and not tag.startswith("<")}
    found |= {name for name, tag in aliases.items() if holds(tag)}
    found |= arrays
    renamed = _renamed(masked)
    grew = True
    while grew:  # (typedef foo_t bar_t;)
        grew = False
        for old, new in renamed:
            if old in found and new not in found:
                found.add(new)
                grew = True
    return frozenset(found)


_TYPEDEF_NAME = re.compile(r"\btypedef\s+(?:(?:const|volatile)\s+)*([A-Za-z_]\w*)\b")


@functools.lru_cache(maxsize=4)
def defined_structs(text: str) -> frozenset[str]:
    """The struct types (``struct TAG``) a preprocessed unit defines."""
    return frozenset(f"struct {tag}" for tag in _structs(text)[0] if not tag.startswith("<"))


def _body_holds(
    body: str,
    holds: Callable[[str], bool],
    aliases: dict[str, str],
    arrays: set[str],
) -> bool:
    """Whether a struct body declares an array, a nested body or union, or a member
    held by value whose type may hold one."""
    if "[" in body or "{" in body or re.search(r"\bunion\b", body):
        return True
    for decl in body.split(";"):
        if "*" in decl or "(" in decl:
            continue  # pointers (and function pointers) point elsewhere
        words = re.findall(r"[A-Za-z_]\w*", decl)
        if "struct" in words:
            after = words[words.index("struct") + 1 :]
            if not after or holds(after[0]):
                return True
            continue
        for word in words[:-1]:
            if word in arrays or (word in aliases and holds(aliases[word])):
                return True
    return False


_QUALIFIER = re.compile(r"\b(?:const|volatile|restrict|__restrict|static|register|extern)\b")


def holds_array(text: str, ctype: str) -> bool:
    """Whether an object of declared type ``ctype`` may hold an array in the unit
    ``text`` (:func:`holding_arrays`): a union, a struct the unit does not define, or
    one that does; a pointer never; a scalar or another typedef name not."""
    holding, defined = holding_arrays(text), defined_structs(text)
    bare = " ".join(_QUALIFIER.sub(" ", ctype).split())
    if bare.endswith("*"):
        return False
    if "[" in bare or bare.startswith("union ") or bare in holding:
        return True
    return bare.startswith("struct ") and bare not in defined
