"""``sizeof`` and ``offsetof`` a comparison needs, from the compiler itself.

In tree mode the preprocessed translation unit holds every type a function can name.
gcc answers ``sizeof(struct anon_vma)`` exactly when asked in that unit: each type goes
into one probe line whose diagnostic spells the size (``char (*)[96]``), read back by
line number (a member's ``__builtin_offsetof`` the same way), with ``-fsyntax-only``
(no code generation, about 0.2 s for mm/rmap.c). A type the unit does not complete,
or that the probe cannot name, is left out: the engine then keeps its size a symbol
(docs/semantics.md, "Pointers and types").
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

_PROBE_FILE = "__equivcheck_sizes__"
# gcc: "__equivcheck_sizes__:3:25: error: initialization of 'char (*)[96]' from ..."
_ANSWER = re.compile(
    re.escape(_PROBE_FILE) + r":(\d+):\d+: error: initialization of .char \(\*\)\[(\d+)\]."
)
_ERROR = re.compile(re.escape(_PROBE_FILE) + r":(\d+):\d+: error: .*")
# The probe's own mismatch is an error, so that it is always printed (-w would hide it).
_FLAGS = ("-fsyntax-only", "-std=gnu11", "-m64", "-Werror=incompatible-pointer-types")
_NAMEABLE = re.compile(r"^(?:(?:struct|union|enum)\s+)?[A-Za-z_]\w*(?:\s*\*)*$")
TIMEOUT_S = 60


OFFSET_PREFIX = "offsetof:"
_MEMBER = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")


def _key(prefix: str, *parts: str) -> str:
    """How something is asked for: the prefix of its kind, then its parts joined by
    ``:`` (the one spelling of every key below)."""
    return prefix + ":".join(parts)


def offset_key(struct: str, member: str) -> str:
    """How a member's offset is asked for (and named by the engine when not known):
    ``offsetof:struct folio:mapping``."""
    return _key(OFFSET_PREFIX, struct, member)


MEMBER_FACTS = {
    # what the compiler says of a member: its size, __builtin_classify_type (integer 1,
    # enumeral 3, boolean 4, pointer 5, ...) and whether it is signed (1) or not (0).
    "size": "sizeof((({t} *)0)->{m})",
    "class": "__builtin_classify_type((({t} *)0)->{m})",
    "signed": "(__typeof__((({t} *)0)->{m}))-1 < 0",
    # classify_type sees a _Bool promoted to int: ask for _Bool itself
    "bool": "__builtin_types_compatible_p(__typeof__((({t} *)0)->{m}), _Bool)",
    # classify_type sees an array decayed: a pointer is its own &*, an array is not
    # (asked of every member; a member that is no pointer makes this line an error,
    # which leaves the answer out)
    "pointer": "__builtin_types_compatible_p(__typeof__((({t} *)0)->{m}),"
    " __typeof__(&*(({t} *)0)->{m}))",
}
MEMBER_PREFIX = "member-"
CONSTANT_PREFIX = "constant-"
# What the compiler says of a constant a function names in capitals (an enumerator, or
# in two-file mode a macro of the file or its headers): its value (or its negation,
# when negative), its size, class and sign. A value that is not an integer constant
# expression answers nothing.
CONSTANT_FACTS = {
    "value": "((({n}) < 0) ? -1 : ({n}))",
    "negated": "((({n}) < 0) ? -({n}) : -1)",
    "size": "sizeof({n})",
    "class": "__builtin_classify_type({n})",
    "signed": "((__typeof__({n}))-1 < 0)",
}


def constant_key(fact: str, name: str) -> str:
    """How a fact about a constant is asked for (``constant-value:HELPER_K``)."""
    return _key(CONSTANT_PREFIX, fact, name)


QUERY_PREFIX = "query-"
# Compile-time queries a function writes whole (no local or parameter in them), as the
# compiler answers them: by kind, the expression that asks it of the text.
QUERY_FORMS = {
    "offsetof": "__builtin_{t}",
    "_Alignof": "_Alignof({t})",
    "__alignof__": "__alignof__({t})",
    "__builtin_types_compatible_p": "{t}",
}


def query_key(kind: str, text: str) -> str:
    """How a compile-time query is asked for (``query-_Alignof:struct s``)."""
    return _key(QUERY_PREFIX, kind, text)


def constant_name(key: str) -> str:
    """The constant a key asks about ("" for a key about something else)."""
    if not key.startswith(CONSTANT_PREFIX):
        return ""
    return key.partition(":")[2]


# What the compiler says of a type named by a typedef: its class and sign (its size
# is asked by its name).
TYPE_FACTS = {
    "class": "__builtin_classify_type(({t})0)",
    "signed": "({t})-1 < 0",
    "bool": "__builtin_types_compatible_p({t}, _Bool)",
}
TYPE_PREFIX = "type-"
_TYPEDEF = re.compile(r"^[A-Za-z_]\w*$")
# C's spelling of an integer type of each (size, signedness).
_INTEGERS = {
    (1, True): "signed char",
    (1, False): "unsigned char",
    (2, True): "short",
    (2, False): "unsigned short",
    (4, True): "int",
    (4, False): "unsigned int",
    (8, True): "long",
    (8, False): "unsigned long",
}


def respell(typedefs: dict[str, str]) -> Callable[[str], str]:
    """A function that writes each typedef name in a type's text as its C type."""
    if not typedefs:
        return lambda text: text
    names = re.compile(r"\b(" + "|".join(map(re.escape, sorted(typedefs))) + r")\b")
    return lambda text: names.sub(lambda m: typedefs[m.group(1)], text)


def type_key(fact: str, name: str) -> str:
    """How a fact about a typedef name (``class``, ``signed``) is asked for."""
    return _key(TYPE_PREFIX, fact, name)


def integer_typedefs(answers: dict[str, int]) -> dict[str, str]:
    """The typedef names the answers show to be integer types, each with C's
    spelling of that type (``vm_fault_t`` -> ``unsigned int``; ``bool`` for boolean)."""
    out: dict[str, str] = {}
    for key, kind in answers.items():
        if not key.startswith(TYPE_PREFIX + "class:"):
            continue
        name = key.partition(":")[2]
        size, signed = answers.get(name), answers.get(type_key("signed", name))
        if answers.get(type_key("bool", name)) == 1:
            out[name] = "bool"
        elif kind in (1, 3) and signed is not None and (size, bool(signed)) in _INTEGERS:
            out[name] = _INTEGERS[(size, bool(signed))]  # type: ignore[index]
    return out


def member_key(fact: str, struct: str, member: str) -> str:
    """How a fact about a member (``size``, ``class``, ``signed``) is asked for."""
    return _key(MEMBER_PREFIX, fact, struct, member)


def run_gcc(
    text: str, flags: Sequence[str], include_dirs: tuple[str, ...] = ()
) -> tuple[subprocess.CompletedProcess[str] | None, str]:
    """gcc with ``flags`` on ``text`` in a scratch file (its quoted includes found in
    ``include_dirs``), in the C locale: the finished run (None: gcc could not run, or
    ran out of time) and the scratch file's path as gcc names it."""
    with tempfile.TemporaryDirectory(prefix="equivcheck-gcc-") as folder:
        source = Path(folder) / "unit.c"
        source.write_text(text)
        argv = ["gcc", *flags, *(f"-iquote{d}" for d in include_dirs), "-x", "c", str(source)]
        try:
            done = subprocess.run(
                argv,
                capture_output=True,
                env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None, str(source)
    return done, str(source)


def type_sizes(
    unit: str, keys: frozenset[str], include_dirs: tuple[str, ...] = ()
) -> dict[str, int]:
    """For each key the unit ``unit`` can answer, the value: a type spelling gives its
    size in bytes, an ``offset_key`` the member's offset. ``include_dirs``: where the
    unit's quoted includes are found (a file not preprocessed: two-file mode)."""
    wanted = tuple(sorted(k for k in keys if _probe(k)))
    if not unit or not wanted:
        return {}
    return dict(_ask(unit, wanted, include_dirs))


def _probe(key: str) -> str | None:
    """The constant expression that answers ``key``; None when it cannot be asked."""
    if key.startswith(MEMBER_PREFIX):
        fact, _, rest = key[len(MEMBER_PREFIX) :].partition(":")
        struct, _, member = rest.rpartition(":")
        nameable = _NAMEABLE.match(struct) and "*" not in struct and _MEMBER.match(member)
        known = fact in MEMBER_FACTS and nameable
        return MEMBER_FACTS[fact].format(t=struct, m=member) if known else None
    if key.startswith(TYPE_PREFIX):
        fact, _, name = key[len(TYPE_PREFIX) :].partition(":")
        known = fact in TYPE_FACTS and _TYPEDEF.match(name)
        return TYPE_FACTS[fact].format(t=name) if known else None
    if key.startswith(QUERY_PREFIX):
        kind, _, text = key[len(QUERY_PREFIX) :].partition(":")
        form = QUERY_FORMS.get(kind)
        if form is None or "%p" in text or "${" in text or "\n" in text:
            return None
        if kind == "offsetof" and not text.startswith("offsetof("):
            return None
        return form.format(t=text)
    if key.startswith(CONSTANT_PREFIX):
        fact, _, name = key[len(CONSTANT_PREFIX) :].partition(":")
        # (a negative size is an error, which leaves the answer out)
        known = fact in CONSTANT_FACTS and _TYPEDEF.match(name)
        return CONSTANT_FACTS[fact].format(n=name) if known else None
    if key.startswith(OFFSET_PREFIX):
        struct, _, member = key[len(OFFSET_PREFIX) :].rpartition(":")
        if _NAMEABLE.match(struct) and "*" not in struct and _MEMBER.match(member):
            return f"__builtin_offsetof({struct}, {member})"
        return None
    return f"sizeof({key})" if _NAMEABLE.match(key) else None


@functools.lru_cache(maxsize=8)
def _ask(
    unit: str, spellings: tuple[str, ...], include_dirs: tuple[str, ...] = ()
) -> tuple[tuple[str, int], ...]:
    probe = [f'#line 1 "{_PROBE_FILE}"']
    probe += [
        f"char (*__ec_size_{i})[{_probe(key)}] = (int (*)(void))0;"
        for i, key in enumerate(spellings)
    ]
    done, _ = run_gcc(unit + "\n" + "\n".join(probe) + "\n", _FLAGS, include_dirs)
    if done is None:
        return ()
    # A line with any other error (sizeof of a bit-field, say) answers nothing: gcc
    # recovers from it with a made-up value.
    troubled = {
        int(m.group(1)) for m in _ERROR.finditer(done.stderr) if not _ANSWER.match(m.group(0))
    }
    found = []
    for match in _ANSWER.finditer(done.stderr):
        line, size = int(match.group(1)), int(match.group(2))
        if 1 <= line <= len(spellings) and line not in troubled:  # lines count from 1
            found.append((spellings[line - 1], size))
    return tuple(found)
