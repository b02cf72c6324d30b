"""Member names of the unions a translation unit defines (tree mode).

Union members share storage, which the engine does not model yet: it needs to know
which field names belong to a union so that a write to one makes the verdict UNKNOWN
instead of assuming the fields are apart. The scan is lexical and over-approximates:
every name declared anywhere inside a ``union { ... }`` body counts.
"""

from __future__ import annotations

import re

_UNION = re.compile(r"\bunion\s+(?:\w+\s*)?\{")
_MEMBER = re.compile(r"\b([A-Za-z_]\w*)\s*(?:;|\[|:(?!:)|\)\s*\()")


def union_members(text: str) -> frozenset[str]:
    """Names declared inside union bodies of a preprocessed translation unit."""
    found: set[str] = set()
    for match in _UNION.finditer(text):
        depth, i = 1, match.end()
        while i < len(text) and depth:
            ch = text[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            i += 1
        body = text[match.end() : i - 1]
        found.update(m.group(1) for m in _MEMBER.finditer(body))
    return frozenset(found)
