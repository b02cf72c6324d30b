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


def pointed_types(ctype: str) -> list[str]:
    """What a pointer (or array) type points to, level by level: ``struct page **``
    gives ``struct page *`` and ``struct page``; a non-pointer gives nothing."""
    out: list[str] = []
    text = spelled(ctype)
    while True:
        if text.endswith("*") and "(*" not in text:
            text = text[:-1].strip()
        elif text.endswith("]") and "[" in text:
            text = text[: text.index("[")].strip()
        else:
            return out
        out.append(text)
