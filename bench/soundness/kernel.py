"""Kernel mutants and laws: one function of a built mm/*.c file of the 6.12 tree,
changed at token or line positions found on the masked text (comments, literals and
``#`` lines blanked, ``equivcheck.frontend.patch.clex.mask``), as a unified diff the
engine checks in tree mode (the tree is only read). A mutant the engine cannot read is
counted as not generated."""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from equivcheck.errors import InputError
from equivcheck.frontend.patch.clex import mask
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.frontend.unit.kbuild import compile_command

TREE = Path.home() / ".cache" / "equivcheck" / "linux-source-6.12"
TOKEN = re.compile(
    r"0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!="
    r"|&&|\|\||[-+*/%&|^]=|\S"
)
COMPARE = ("<", "<=", ">", ">=", "==", "!=")
ORDERING = re.compile(
    r"\b(barrier|smp_[rw]?mb|smp_mb__\w+|[rw]?mb|spin_(un)?lock\w*|(raw_)?spin_\w*lock\w*|"
    r"\w*mutex_(un)?lock\w*|(down|up)_(read|write)\w*|atomic\w*_return\w*|atomic\w*_fetch\w*|"
    r"READ_ONCE|WRITE_ONCE|rcu_read_(un)?lock)\s*\("
)
DECL = re.compile(
    r"^\s*(const\s+|static\s+|struct\s+\w+|union\s+\w+|enum\s+\w+|unsigned|signed|int|long|"
    r"short|char|bool|void|[us](8|16|32|64)\b|\w+_t\b|[A-Z_]+\()"
)
LOCAL_DECL = re.compile(
    r"^(\s*)(int|unsigned int|unsigned long|long|unsigned|short|u8|u16|u32|u64|s32|s64|bool)"
    r"(\s+)(\w+)(\s*(=[^;]*)?;)\s*$"
)
WIDTHS = ("int", "unsigned int", "long", "unsigned long", "short", "u8", "u32", "u64", "s64")
CAST = re.compile(r"\((int|long|unsigned int|unsigned long|unsigned|u8|u16|u32|u64|s32|s64)\)")
SKIP_FILES = frozenset({"huge_memory.c"})


@dataclass
class KFunction:
    """One function of a tree file: its text span in the file."""

    rel: str
    name: str
    start: int  # offset of the first character of the function's first line
    end: int  # offset just past its last line


def built_files(tree: Path = TREE) -> list[str]:
    """mm/*.c files x86_64_defconfig builds (kbuild's command exists)."""
    found = []
    for path in sorted((tree / "mm").glob("*.c")):
        if path.name in SKIP_FILES:
            continue
        try:
            compile_command(tree, path)
        except InputError:
            continue
        found.append(f"mm/{path.name}")
    return found


def functions_of(tree: Path, rel: str, min_lines: int = 4, max_lines: int = 120) -> list[KFunction]:
    """Function definitions of ``rel`` of a reasonable size."""
    text = (tree / rel).read_text()
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out = []
    for f in find_functions(text):
        if not min_lines <= f.end_line - f.start_line + 1 <= max_lines:
            continue
        end = starts[f.end_line] if f.end_line < len(starts) else len(text)
        out.append(KFunction(rel, f.name, starts[f.start_line - 1], end))
    return out


# ---------------------------------------------------------------------- token mutations

Edit = tuple[int, int, str]  # replace text[a:b] with the string


def _tokens(body: str) -> list[tuple[int, int, str]]:
    masked = mask(body)
    return [(m.start(), m.end(), m.group(0)) for m in TOKEN.finditer(masked)]


def _binary_context(toks: list[tuple[int, int, str]], k: int) -> bool:
    if k == 0:
        return False
    prev = toks[k - 1][2]
    return bool(re.fullmatch(r"\w+|\)|\]", prev)) and prev not in {"return", "case", "sizeof"}


def _body_from(body: str) -> int:
    return body.index("{") if "{" in body else 0


def k_compare(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    toks = _tokens(body)
    start = _body_from(mask(body))
    return [
        (f"{t} -> {new}", [(a, b, new)])
        for a, b, t in toks
        if t in COMPARE and a > start
        for new in [rng.choice([c for c in COMPARE if c != t])]
    ]


def k_logic(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    swap = {"&&": "||", "||": "&&"}
    return [(f"{t} -> {swap[t]}", [(a, b, swap[t])]) for a, b, t in _tokens(body) if t in swap]


def k_arith(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    swap = {"+": "-", "-": "+", "|": "&", "^": "|", "<<": ">>", ">>": "<<", "&": "|"}
    toks = _tokens(body)
    start = _body_from(mask(body))
    return [
        (f"{t} -> {swap[t]}", [(a, b, swap[t])])
        for k, (a, b, t) in enumerate(toks)
        if t in swap and a > start and _binary_context(toks, k)
    ]


def k_assign_op(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    swap = {"+=": "-=", "-=": "+=", "|=": "&=", "&=": "|=", "++": "--", "--": "++"}
    return [(f"{t} -> {swap[t]}", [(a, b, swap[t])]) for a, b, t in _tokens(body) if t in swap]


def k_const(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    start = _body_from(mask(body))
    out = []
    for a, b, t in _tokens(body):
        m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)", t)
        if not m or a <= start:
            continue
        digits = m.group(1)
        octal = len(digits) > 1 and digits.startswith("0") and digits.isdigit()
        if octal and not set(digits) <= set("01234567"):
            continue  # (not a C constant)
        value = int(digits, 8 if octal else 0)
        new_value = value + (rng.choice([1, -1]) if value > 0 else 1)
        if digits.lower().startswith("0x"):
            spelled = hex(new_value)
        elif octal:
            spelled = "0" + format(new_value, "o")  # (a C octal constant keeps its 0)
        else:
            spelled = str(new_value)
        new = spelled + m.group(2)
        out.append((f"{t} -> {new}", [(a, b, new)]))
    return out


def k_cast(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    masked = mask(body)
    out = []
    for m in CAST.finditer(masked):
        new = rng.choice([w for w in WIDTHS if w != m.group(1)])
        out.append((f"({m.group(1)}) -> ({new})", [(m.start(1), m.end(1), new)]))
    return out


def _lines(body: str) -> list[tuple[int, int, str]]:
    """(start, end, masked line) of each line of the body (end includes the newline)."""
    masked = mask(body)
    out, pos = [], 0
    for line in masked.splitlines(keepends=True):
        out.append((pos, pos + len(line), line))
        pos += len(line)
    return out


def _simple_statement(lines: list[tuple[int, int, str]], k: int) -> bool:
    line = lines[k][2].strip()
    if not line.endswith(";") or line.count("(") != line.count(")") or DECL.match(line):
        return False
    if line.startswith(("}", "case ", "default", "return", "else")) or re.match(r"^\w+:", line):
        return False
    j = k - 1
    while j >= 0 and not lines[j][2].strip():
        j -= 1
    return j >= 0 and lines[j][2].strip()[-1:] in {";", "{", "}", ":"}


def k_drop(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    lines = _lines(body)
    return [
        (f"drop line {k + 1}", [(a, b, "")])
        for k, (a, b, _) in enumerate(lines)
        if _simple_statement(lines, k) and lines[k][2].strip() not in {"break;", "continue;"}
    ]


def k_duplicate(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    lines = _lines(body)
    return [
        (f"duplicate line {k + 1}", [(a, a, body[a:b])])
        for k, (a, b, line) in enumerate(lines)
        if _simple_statement(lines, k) and not re.search(r"\b(goto|break|continue)\b", line)
    ]


def _swap_sites(body: str, ordering: bool) -> list[tuple[str, list[Edit]]]:
    lines = _lines(body)
    out = []
    for k in range(len(lines) - 1):
        if not (_simple_statement(lines, k) and _simple_statement(lines, k + 1)):
            continue
        la, lb = lines[k][2], lines[k + 1][2]
        if len(la) - len(la.lstrip()) != len(lb) - len(lb.lstrip()):
            continue
        if re.search(r"\b(goto|break|continue)\b", la + lb):
            continue
        if ordering != bool(ORDERING.search(la + lb)):
            continue
        a, mid, b = lines[k][0], lines[k][1], lines[k + 1][1]
        out.append((f"swap lines {k + 1}/{k + 2}", [(a, b, body[mid:b] + body[a:mid])]))
    return out


def k_swap(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    return _swap_sites(body, ordering=False)


def k_swap_ordering(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    return _swap_sites(body, ordering=True)


def k_drop_jump(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    masked = mask(body)
    return [
        (f"drop {m.group(1)}", [(m.start(), m.end(), "")])
        for m in re.finditer(r"\b(break|continue)\s*;", masked)
    ]


def k_goto(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    masked = mask(body)
    gotos = [(m.start(1), m.end(1), m.group(1)) for m in re.finditer(r"\bgoto\s+(\w+)\s*;", masked)]
    out = []
    for i, (a1, b1, n1) in enumerate(gotos):
        for a2, b2, n2 in gotos[i + 1 :]:
            if n1 != n2:
                out.append((f"swap goto {n1} / goto {n2}", [(a1, b1, n2), (a2, b2, n1)]))
    return out


def k_args(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    masked = mask(body)
    start = _body_from(masked)
    out = []
    for m in re.finditer(r"\b(\w+)\s*\(", masked):
        if m.start() < start or m.group(1) in {"if", "while", "for", "switch", "sizeof", "return"}:
            continue
        depth, pos, commas = 1, m.end(), []
        while pos < len(masked) and depth:
            c = masked[pos]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            elif c == "," and depth == 1:
                commas.append(pos)
            pos += 1
        if depth or not commas:
            continue
        bounds = [m.end(), *[c + 1 for c in commas]]
        ends = [*commas, pos - 1]
        k = rng.randrange(len(commas))
        a1, b1, a2, b2 = bounds[k], ends[k], bounds[k + 1], ends[k + 1]
        x, y = body[a1:b1].strip(), body[a2:b2].strip()
        if x == y or "\n" in x + y:
            continue
        out.append(
            (
                f"swap arguments {k + 1}/{k + 2} of {m.group(1)}()",
                [(a1, b1, " " * (k > 0) + y), (a2, b2, " " + x)],
            )
        )
    return out


def k_local_type(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    out = []
    for a, _, line in _lines(body):
        m = LOCAL_DECL.match(line)
        if m:
            new = rng.choice([w for w in WIDTHS if w != m.group(2)])
            out.append(
                (f"{m.group(2)} {m.group(4)} -> {new}", [(a + m.start(2), a + m.end(2), new)])
            )
    return out


STORE = re.compile(r"^\s*([A-Za-z_][\w>.\-\[\]]*(->|\.)\w+)\s*=\s*([^;=]+);\s*$")


def k_store_forward(body: str, rng: random.Random) -> list[tuple[str, list[Edit]]]:
    """``x->f = e;`` then, on the next simple statement lines, a read of ``x->f``
    replaced by ``(e)`` (the same only when the field holds every value of e)."""
    lines = _lines(body)
    out = []
    for k, (_, _, line) in enumerate(lines):
        m = STORE.match(line)
        if not m or not _simple_statement(lines, k) or "(" in m.group(3):
            continue
        target, value = m.group(1), m.group(3).strip()
        for j in range(k + 1, min(k + 3, len(lines))):
            a, nxt = lines[j][0], lines[j][2]
            if not _simple_statement(lines, j) or "(" in nxt:
                break
            for hit in re.finditer(re.escape(target) + r"(?![\w\[])", nxt):
                rest = nxt[hit.end() :].lstrip()
                written = re.match(r"(=(?!=)|[-+*/%&|^]=|<<=|>>=|\+\+|--)", rest)
                if written or nxt[: hit.start()].rstrip().endswith(("++", "--", "&")):
                    continue
                edit = (a + hit.start(), a + hit.end(), f"({value})")
                out.append((f"read of {target} -> ({value})", [edit]))
            if target in nxt.split("=")[0]:
                break
    return out


MUTATIONS: dict[str, Callable[[str, random.Random], list[tuple[str, list[Edit]]]]] = {
    "arith": k_arith,
    "compare": k_compare,
    "logic": k_logic,
    "assign_op": k_assign_op,
    "const": k_const,
    "cast": k_cast,
    "local_type": k_local_type,
    "drop_stmt": k_drop,
    "dup_stmt": k_duplicate,
    "swap_stmt": k_swap,
    "swap_ordering": k_swap_ordering,
    "drop_break_continue": k_drop_jump,
    "goto_swap": k_goto,
    "arg_swap": k_args,
    "store_forward": k_store_forward,
}
"""Kernel operators, named like the generated programs' ones where they mean the same."""


def _labels(body: str) -> list[str]:
    masked = mask(body)
    return sorted({m.group(1) for m in re.finditer(r"^\s*(\w+):(?!:)", masked, re.M)} - {"default"})


def law_rename_labels(body: str) -> str | None:
    labels = _labels(body)
    if not labels:
        return None
    masked = mask(body)
    edits = []
    for m in re.finditer(r"\b(\w+)\b", masked):
        if m.group(1) in labels:
            after = masked[m.end() :].lstrip()
            before = masked[: m.start()].rstrip()
            if (after.startswith(":") and not after.startswith("::")) or before.endswith("goto"):
                edits.append((m.start(), m.end(), "lbl_" + m.group(1)))
    return _apply(body, edits)


STRINGIFIES = re.compile(r"\b(\w+_init|init_\w+|__init_\w+)\s*\(")
"""Initialisers like init_rwsem(&x->sem) stringify their argument (the lock's name):
renaming a local there changes a string the function passes on."""


def law_rename_locals(body: str) -> str | None:
    masked = mask(body)
    if STRINGIFIES.search(masked):
        return None
    found = (LOCAL_DECL.match(line) for _, _, line in _lines(body))
    names = {m.group(4) for m in found if m}
    for m in re.finditer(r"^\s+struct\s+\w+\s+\*\s*(\w+)\s*(=[^;]*)?;", masked, re.M):
        names.add(m.group(1))
    if not names:
        return None
    start = _body_from(masked)
    edits = []
    for m in re.finditer(r"\b([A-Za-z_]\w*)\b", masked):
        if m.start() < start or m.group(1) not in names:
            continue
        before = masked[: m.start()].rstrip()
        if before.endswith((".", "->")) or re.search(r"\b(struct|union|enum)$", before):
            continue
        edits.append((m.start(), m.end(), m.group(1) + "_r"))
    return _apply(body, edits)


LAWS: dict[str, Callable[[str], str | None]] = {
    "rename_labels": law_rename_labels,
    "rename_locals": law_rename_locals,
}


def _apply(text: str, edits: list[Edit]) -> str:
    for a, b, new in sorted(edits, reverse=True):
        text = text[:a] + new + text[b:]
    return text


def mutant(
    tree: Path, func: KFunction, operator: str, rng: random.Random
) -> tuple[str, str] | None:
    """(new function text, what) for one site of ``operator``, or None."""
    text = (tree / func.rel).read_text()
    body = text[func.start : func.end]
    sites = MUTATIONS[operator](body, rng)
    if not sites:
        return None
    what, edits = rng.choice(sites)
    new = _apply(body, edits)
    return (new, what) if new != body else None


def diff(tree: Path, func: KFunction, new_body: str) -> tuple[str, str, str]:
    """(patch, before file text, after file text) replacing the function's text."""
    text = (tree / func.rel).read_text()
    after = text[: func.start] + new_body + text[func.end :]
    patch = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{func.rel}",
            f"b/{func.rel}",
        )
    )
    return patch, text, after
