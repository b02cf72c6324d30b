"""Typedef names without a full parse: declared ones in preprocessed text, guessed ones
in unpreprocessed code (light mode)."""

from __future__ import annotations

import re

from equivcheck.frontend.gnuc.scan import FileScope, Tok, group_end, tokens
from equivcheck.frontend.vocabulary import (
    ATTRIBUTE_MACROS,
    BUILTIN_TYPEDEFS,
    C_KEYWORDS,
    GROUP_WORDS,
    TAGS,
    TYPE_KEYWORDS,
    TYPEGROUP_WORDS,
)

# Words followed by a parenthesised group that declares no name.
_GROUP_WORDS = GROUP_WORDS | ATTRIBUTE_MACROS


def typedef_declarators(toks: list[Tok], known: set[str] | frozenset[str]) -> list[str]:
    """The names a ``typedef`` declaration declares; ``toks`` follow the keyword.

    A name not yet ``known`` (a raw header's ``u64``) is taken for the type when a
    declarator follows it (``u64 (*fn)(u64)``); annotation macros and their arguments
    (``__aligned(8)``, ``__printf(1, 2)``) are skipped; ``typedef MACRO(name, ...);``
    declares the macro's first argument (``DECLARE_BITMAP(mce_banks_t, 64)``)."""
    texts = [t.text for t in toks]
    names: list[str] = []
    saw_type = False
    candidate: str | None = None
    depth = 0
    i = 0
    while i < len(toks):
        text = texts[i]
        if depth == 0 and text in (";", ","):
            if candidate is not None:
                names.append(candidate)
            candidate = None
            if text == ";":
                break
            i += 1
            continue
        if text in _GROUP_WORDS:
            saw_type = saw_type or text in TYPEGROUP_WORDS
            i += 1
            if i < len(toks) and texts[i] == "(":
                i = group_end(texts, i)
            continue
        if text in TAGS:
            saw_type = True
            i += 1
            while i < len(toks) and texts[i] in ("__attribute__", "__attribute"):
                i = group_end(texts, i + 1)
            if i < len(toks) and toks[i].kind == "id":
                i += 1
            continue
        if text in ("{", "["):
            i = group_end(texts, i)
            continue
        if text == "(" and candidate is not None:
            end = group_end(texts, i)
            if texts[i + 1 : i + 2] == ["*"]:  # the type was the candidate: (*name)
                candidate = None
            elif i == 1 and candidate.isupper() and texts[end : end + 1] in ([";"], [","]):
                candidate = next((t.text for t in toks[i:end] if t.kind == "id"), candidate)
                i = end
                continue
            else:  # a parameter list after the declared name
                i = end
                continue
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif toks[i].kind == "id":
            if text in TYPE_KEYWORDS:
                saw_type = True
            elif text in C_KEYWORDS:
                pass
            elif not saw_type and text in known:
                saw_type = True
            elif depth == 0 or candidate is None:
                candidate = text
                saw_type = True
        i += 1
    return names


def typedef_names(text: str) -> frozenset[str]:
    """Typedef names declared at file scope of preprocessed C text (token scan), and
    the compiler's own (``__builtin_va_list``)."""
    return BUILTIN_TYPEDEFS | declared_typedef_names(text)


def declared_typedef_names(code: str, *, file_scope: bool = True) -> frozenset[str]:
    """The names the ``typedef`` declarations of C code without comments declare: the
    one discovery of typedef names, for a preprocessed unit (:func:`typedef_names`)
    and for a raw header (``tree.typedef_names_in``). With ``file_scope`` (a unit),
    those inside braces are left out; a raw header's braces do not tell (``extern
    "C" {``, an ``#ifdef`` that opens a brace twice), so it passes False."""
    known: set[str] = set(BUILTIN_TYPEDEFS)
    declared: set[str] = set()
    scope = FileScope(code) if file_scope else None
    for m in re.finditer(r"\btypedef\b", code):
        pos = m.start()
        if (scope is not None and pos not in scope) or _inside_literal_or_directive(code, pos):
            continue
        names = typedef_declarators(_statement_tokens(code, m.end()), known)
        known.update(names)
        declared.update(names)
    return frozenset(declared)


def _inside_literal_or_directive(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    prefix = text[line_start:pos]
    return prefix.lstrip().startswith("#") or prefix.count('"') % 2 == 1


def _statement_tokens(text: str, start: int) -> list[Tok]:
    """Tokens from ``start`` to the ``;`` that ends the declaration."""
    out: list[Tok] = []
    depth = 0
    for tok in tokens(text, start):
        out.append(tok)
        if tok.text in ("{", "(", "["):
            depth += 1
        elif tok.text in ("}", ")", "]"):
            depth -= 1
        elif tok.text == ";" and depth <= 0:
            break
    return out


_SIZED = re.compile(r"__[sul]?(?:le|be|u|s)?\d+")
_DECL_FOLLOW = frozenset({";", "=", ",", ")", "[", "(", ":"})
_STMT_START = frozenset({";", "{", "}"})
_CASTABLE_NEXT = frozenset({"id", "num", "str", "chr"})


def _plausible(name: str) -> bool:
    if name in C_KEYWORDS:
        return False
    # Kernel annotation macros (__init, __rcu...) sit next to identifiers too.
    return not name.startswith("__") or name.endswith("_t") or bool(_SIZED.fullmatch(name))


def guess_typedef_names(code: str) -> frozenset[str]:
    """Guess which identifiers of unpreprocessed code are typedef names, from usage:
    ``*_t`` names, ``NAME ident`` adjacency, casts ``(NAME *)``, ``const NAME``, and
    ``NAME *ident;`` at statement start. ``struct``/``union``/``enum`` tags excluded."""
    toks = list(tokens(code))
    found: set[str] = set()
    for i, tok in enumerate(toks):
        if tok.kind != "id" or not _plausible(tok.text):
            continue
        prev = toks[i - 1].text if i > 0 else ";"
        if prev in TAGS or prev in (".", "->", "goto"):
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.text.endswith("_t") and (nxt is None or nxt.text != "("):
            found.add(tok.text)
            continue
        if nxt is None:
            continue
        after = toks[i + 2] if i + 2 < len(toks) else None
        if (
            nxt.kind == "id"
            and nxt.text not in C_KEYWORDS
            and after is not None
            and after.text in _DECL_FOLLOW
        ):
            found.add(tok.text)
            continue
        if prev in ("const", "volatile") and (nxt.kind == "id" or nxt.text in ("*", ")")):
            found.add(tok.text)
            continue
        before_paren = toks[i - 2].text if i > 1 else ";"
        if prev == "(" and before_paren not in ("if", "while", "switch"):
            # (NAME) after if/while/switch is a condition, not a cast.
            j = i + 1
            while j < len(toks) and toks[j].text == "*":
                j += 1
            if j < len(toks) and toks[j].text == ")":
                closes_cast = j > i + 1 or (
                    j + 1 < len(toks) and toks[j + 1].kind in _CASTABLE_NEXT
                )
                if closes_cast:
                    found.add(tok.text)
                    continue
        if prev in _STMT_START and nxt.text == "*":
            j = i + 1
            while j < len(toks) and toks[j].text == "*":
                j += 1
            if (
                j + 1 < len(toks)
                and toks[j].kind == "id"
                and toks[j + 1].text in (";", "=", ",", "[")
            ):
                found.add(tok.text)
    return frozenset(found)
