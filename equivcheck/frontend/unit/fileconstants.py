"""Which names in capitals of a two-file input stand for one constant where a function
uses them.

Two-file mode asks the compiler for the value of a constant with a probe at the end of
the file (frontend/unit/typesizes.py). That answer is the name's value inside the function
only when the name means the same there as at the end of the file, and when the value
can stand in for the name's text. ``gcc -E -dD`` shows every definition and ``#undef``
after the conditionals are decided; a macro is trusted when:

- it is defined once, without arguments, never undefined, before the function;
- no conditional of a file of the input (not a system header) encloses its definition
  (another configuration may define it otherwise);
- its body is closed (one token, or one parenthesised expression: ``2 + 3`` used as
  ``K * 2`` is 8, not 10), and every name in it is a keyword or a trusted constant
  that the function does not bind (``(N + 1)`` inside ``f(int N)``).

A name without a macro is trusted as an enumerator when the function binds no name of
that spelling and declares no enumeration, ``extern`` or type of its own. Names that
begin with ``__`` (``__LINE__``) are the compiler's own: never.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from equivcheck.frontend.gnuc.scan import closing_paren, matching_brace
from equivcheck.frontend.unit.typesizes import run_gcc
from equivcheck.frontend.vocabulary import C_KEYWORDS

_MARKER = re.compile(r'^#\s+(\d+)\s+"([^"]*)"')
_DEFINE = re.compile(r"^#define\s+([A-Za-z_]\w*)(\()?\s*(.*)$")
_UNDEF = re.compile(r"^#undef\s+([A-Za-z_]\w*)")
_WORD = re.compile(r"[A-Za-z_]\w*")
_CONDITIONAL = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b")
_OWN_TYPES = re.compile(
    r"\btypedef\b|\b(?:struct|union|enum)\s+\w*\s*\{"
    r"|\bextern\b[^;{}]*\b[A-Z][A-Z0-9_]*\s*[;,=\[]"
)


def declares_own_types(body: str) -> bool:
    """Whether a function's text declares types or constants of its own (a struct,
    union or enumeration with a body, a typedef, an ``extern`` of a name in capitals):
    what the compiler answers at file scope may then not be what its names mean
    inside."""
    return bool(_OWN_TYPES.search(body))


@dataclass(frozen=True)
class _Definition:
    body: str
    function_like: bool
    file: str
    line: int
    offset: int


@dataclass(frozen=True)
class Preprocessed:
    """A file as ``gcc -E -dD`` gives it: its text, and each macro's definitions and
    where ``#undef`` meets it."""

    text: str
    definitions: dict[str, list[_Definition]]
    undefined: frozenset[str]
    own: str
    """The file's own text (its definitions' ``file`` is "")."""


def trusted_constants(
    text: str,
    include_dirs: tuple[str, ...],
    function: str,
    bound: frozenset[str],
    names: frozenset[str],
) -> frozenset[str] | None:
    """Of ``names``, those whose compiler answers stand for them inside ``function`` of
    the file ``text`` (``bound``: the names the function declares); None when the file
    does not preprocess on its own or the function is not in it (an inactive
    conditional)."""
    pre = _preprocess(text, include_dirs)
    found = _function_body(pre, function) if pre is not None else None
    if pre is None or found is None:
        return None
    start, body = found
    own_types = declares_own_types(body)
    return frozenset(n for n in names if _trusted(pre, n, start, bound, own_types, set()))


def defines_types(text: str, include_dirs: tuple[str, ...], function: str) -> bool:
    """Whether ``function`` declares types of its own (:func:`declares_own_types`),
    which the compiler's answers at file scope do not see; True when that cannot be
    told."""
    pre = _preprocess(text, include_dirs)
    found = _function_body(pre, function) if pre is not None else None
    return found is None or declares_own_types(found[1])


def _function_body(pre: Preprocessed, function: str) -> tuple[int, str] | None:
    """Where ``function``'s definition begins in the preprocessed text, and its text
    (None: it is not there)."""
    start = _function_start(pre.text, function)
    if start is None:
        return None
    return start, pre.text[start : matching_brace(pre.text, pre.text.index("{", start))]


def _trusted(
    pre: Preprocessed,
    name: str,
    before: int,
    bound: frozenset[str],
    own_types: bool,
    seen: set[str],
) -> bool:
    if name.startswith("__") or name in bound or name in seen or name in C_KEYWORDS:
        return False
    found = pre.definitions.get(name)
    if not found:
        # (an enumerator, at file scope)
        return name not in pre.undefined and not own_types
    if len(found) != 1 or name in pre.undefined:
        return False
    definition = found[0]
    if definition.function_like or definition.offset > before or not _closed(definition.body):
        return False
    if _conditional(pre.own if not definition.file else definition.file, definition.line):
        return False
    inner = seen | {name}
    return all(
        word in C_KEYWORDS or _trusted(pre, word, before, bound, own_types, inner)
        for word in _WORD.findall(_without_literals(definition.body))
    )


def _without_literals(body: str) -> str:
    """A macro body without its number suffixes' letters (``0x100UL``, ``1e3``)."""
    return re.sub(r"\b\d\w*", "0", body)


def _closed(body: str) -> bool:
    """One token, or one parenthesised expression spanning the whole body."""
    body = body.strip()
    if not body:
        return False
    if re.fullmatch(r"[\w.]+|'(?:\\.|[^'\\])+'", body):
        return True
    return body.startswith("(") and closing_paren(body, 0) == len(body)


@functools.lru_cache(maxsize=64)
def _conditional(file: str, line: int) -> bool:
    """Whether a conditional of a file of the input encloses ``line`` of ``file`` (a
    path, or the file's own text when it holds a newline; a system header's
    conditionals are the compiler's own: not counted; a file that cannot be read
    counts)."""
    if "\n" in file:
        lines = file.splitlines()
    elif file.startswith(("/usr/", "<")):
        return False
    else:
        try:
            lines = Path(file).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return True
    depth = 0
    for text in lines[: max(line - 1, 0)]:
        match = _CONDITIONAL.match(text)
        if match is None:
            continue
        word = match.group(1)
        if word.startswith("if"):
            depth += 1
        elif word == "endif":
            depth -= 1
    return depth > 0


def _function_start(text: str, function: str) -> int | None:
    """Where ``function``'s definition begins in preprocessed text (None: not there)."""
    pattern = re.compile(
        r"\b" + re.escape(function) + r"\s*\([^;{}]*\)\s*(?:__attribute__\s*\(\([^;{}]*\)\)\s*)*\{"
    )
    match = pattern.search(text)
    return match.start() if match else None


@functools.lru_cache(maxsize=8)
def _preprocess(text: str, include_dirs: tuple[str, ...]) -> Preprocessed | None:
    done, source = run_gcc(text, ("-E", "-dD"), include_dirs)
    if done is None or done.returncode != 0:
        return None
    definitions: dict[str, list[_Definition]] = {}
    undefined: set[str] = set()
    file, line, offset = "", 1, 0
    for raw in done.stdout.splitlines(keepends=True):
        marker = _MARKER.match(raw)
        if marker:
            line, file = int(marker.group(1)), marker.group(2)
            file = "" if file == source else file
            offset += len(raw)
            continue
        defined = _DEFINE.match(raw)
        if defined:
            definitions.setdefault(defined.group(1), []).append(
                _Definition(defined.group(3), bool(defined.group(2)), file, line, offset)
            )
        elif (undone := _UNDEF.match(raw)) is not None:
            undefined.add(undone.group(1))
        line += 1
        offset += len(raw)
    return Preprocessed(done.stdout, definitions, frozenset(undefined), text)
