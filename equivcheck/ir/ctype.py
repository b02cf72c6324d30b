"""Reading a declared C type's spelling: qualifiers and storage words aside, is it a
struct or union held by value? (The IR keeps types as text; the engine and the loop
cuts both ask.)"""

from __future__ import annotations

import re

QUALIFIERS = re.compile(r"\b(const|volatile|restrict|static|register|extern|inline)\b")


def spelled(ctype: str) -> str:
    """``ctype`` without qualifiers and storage words, spaces normalised."""
    return " ".join(QUALIFIERS.sub(" ", ctype).split())


def is_aggregate(ctype: str) -> bool:
    """Whether a declared type is a struct or union value (not a pointer to one)."""
    text = spelled(ctype)
    return text.startswith(("struct ", "union ")) and not text.endswith("*")


def pointed_type(ctype: str) -> str | None:
    """What a pointer or array type points to (an array's element: ``int [2][3]``
    points to ``int [3]``, ``int (*)[3]`` to ``int [3]``); None for other types and for
    pointers to functions."""
    text = spelled(ctype)
    if text.endswith("*") and "(*" not in text:
        return text[:-1].strip()
    inner = re.fullmatch(r"(.*?)\s*\(\s*\*\s*\)\s*(\[.*\])", text)
    if inner:
        return f"{inner.group(1)} {inner.group(2)}"
    if text.endswith("]") and "[" in text and "(" not in text:
        first = text.index("[")
        rest = text[text.index("]", first) + 1 :].strip()
        return f"{text[:first].strip()} {rest}".strip()
    return None


def pointed_types(ctype: str) -> list[str]:
    """What a pointer (or array) type points to, level by level: ``struct page **``
    gives ``struct page *`` and ``struct page``; a non-pointer gives nothing."""
    out: list[str] = []
    text: str | None = spelled(ctype)
    while text is not None and (text := pointed_type(text)) is not None:
        out.append(text)
    return out


def array_shape(ctype: str) -> tuple[str, int] | None:
    """``T [N]`` as (``T``, N); None for other types and unsized arrays."""
    found = re.fullmatch(r"(.*?)\s*\[\s*(\d+)\s*\]", spelled(ctype))
    return (found.group(1), int(found.group(2))) if found else None
