"""The check report as plain text for a reply to the patch on a mailing list.

What was checked, the verdict per function (the reason; for DIFFERENT the
counterexample and where the versions part), the assumptions in short, and one command
that reproduces the run. Every line is at most 72 columns (a single token longer than
that stands alone on its line), with no Markdown, no control characters and no trailing
whitespace.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from equivcheck.report.opinions import conflict, opinion_text

WIDTH = 72
CX_ENTRIES = 30
"""Counterexample values listed; the JSON report has them all."""
MODES = {
    "patch": "from the patch alone",
    "tree": "with whole functions from a kernel tree",
    "light": "with whole functions (light mode)",
}
GENERIC_COMMAND = "equivcheck check <patch> --tree <linux>"
_PARENS = re.compile(r"\s*\([^()]*\)")


def render_email(doc: Mapping[str, Any]) -> str:
    """The report document as a plain-text mail body ending with a newline."""
    functions = [f for f in _seq(doc.get("functions")) if isinstance(f, Mapping)]
    blocks = [_heading(doc, functions)]
    blocks += [_function(f) for f in functions]
    blocks.append(_unattributed(doc))
    blocks.append(_assumptions(functions))
    blocks.append(_reproduce(doc))
    text = "\n\n".join("\n".join(line.rstrip() for line in b) for b in blocks if b)
    return text + "\n"


# ---------------------------------------------------------------------- text


def _clean(value: object) -> str:
    """One line: line breaks, tabs and control or format characters (ANSI escapes,
    bidirectional overrides) replaced."""
    text = value if isinstance(value, str) else _scalar(value)
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch.isspace():
            out.append(" ")
        elif category in {"Cc", "Cf", "Cs", "Co"}:
            out.append("?")
        else:
            out.append(ch)
    return "".join(out).strip()


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _width(text: str) -> int:
    """Columns on a terminal: wide characters count two, combining marks none."""
    return sum(
        0
        if unicodedata.combining(ch)
        else 2
        if unicodedata.east_asian_width(ch) in {"W", "F"}
        else 1
        for ch in text
    )


def _wrap(text: object, first: str = "", rest: str | None = None) -> list[str]:
    """``text`` filled to ``WIDTH`` columns after the prefix ``first`` (then ``rest``).
    A word never breaks; one that does not fit after the prefix gets a shorter one."""
    rest = first if rest is None else rest
    lines: list[str] = []
    prefix, current = first, ""
    for word in _clean(text).split():
        if current and _width(prefix + current + " " + word) <= WIDTH:
            current += " " + word
            continue
        if current:
            lines.append(prefix + current)
            prefix = rest
        if _width(prefix + word) <= WIDTH:
            current = word
        else:
            lines.append(prefix[: max(0, WIDTH - _width(word))] + word)
            prefix, current = rest, ""
    if current:
        lines.append(prefix + current)
    if not lines and first.strip():
        return [first.rstrip()]
    return lines


# ---------------------------------------------------------------------- reading


def _seq(value: object) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else ()


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _verdict(value: object) -> str:
    return _clean(value).upper() or "UNKNOWN"


# ---------------------------------------------------------------------- sections


def _heading(doc: Mapping[str, Any], functions: list[Mapping[str, Any]]) -> list[str]:
    tool = f"{_clean(doc.get('tool', 'equivcheck'))} {_clean(doc.get('version', ''))}".strip()
    lines = _wrap(f"{tool}: {_verdict(doc.get('verdict'))}")
    titles: dict[str, str] = {}
    for f in functions:
        titles.setdefault(_clean(f.get("patch_index", "")), _clean(f.get("patch", "")))
    modes = sorted(
        {MODES.get(_clean(f.get("mode", "")), _clean(f.get("mode", ""))) for f in functions}
    )
    if titles:
        how = f" {' and '.join(m for m in modes if m)}" if modes else ""
        lines += ["", *_wrap(f"Checked{how}:")]
        several = len(titles) > 1
        for index, title in titles.items():
            lines += _wrap(f"{index}. {title}" if several else title, "  ", "    ")
    counts: dict[str, int] = {}
    for f in functions:
        counts[_verdict(f.get("verdict"))] = counts.get(_verdict(f.get("verdict")), 0) + 1
    if functions:
        summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
        noun = "function" if len(functions) == 1 else "functions"
        lines += ["", *_wrap(f"{len(functions)} {noun}: {summary}.")]
    else:
        lines += ["", "No function checked."]
    return lines


def _function(f: Mapping[str, Any]) -> list[str]:
    name = _clean(f.get("function", ""))
    head = f"{_clean(f.get('file', ''))}: {name}() ({_clean(f.get('status', ''))}): "
    lines = _wrap(head + _verdict(f.get("verdict")), "", "  ")
    lines += _wrap(f.get("reason", ""), "  ")
    binary = _map(f.get("binary"))
    if binary:
        problem = conflict(f.get("verdict"), binary, f.get("reorderings") or ())
        if problem:
            lines += _wrap(f"CONFLICT: {problem}", "  ", "    ")
        lines += _wrap(f"compiled code (angr): {_clean(opinion_text(binary))}", "  ", "    ")
    labels = _map(f.get("label_map"))
    if labels:
        pairs = ", ".join(f"{_clean(a)} -> {_clean(b)}" for a, b in labels.items())
        lines += _wrap(f"label map: {pairs}", "  ", "    ")
    inlined = [f"{_clean(n)}()" for n in _seq(f.get("inlined"))]
    if inlined:
        lines += _wrap(f"inlined: {', '.join(inlined)}", "  ", "    ")
    for swap in (_map(s) for s in _seq(f.get("reorderings"))):
        text = (
            f"reordered: {_clean(swap.get('first', ''))} "
            f"({_clean(swap.get('first_location', ''))}) and {_clean(swap.get('second', ''))} "
            f"({_clean(swap.get('second_location', ''))}): {_clean(swap.get('why', ''))}"
        )
        lines += _wrap(text, "  ", "    ")
    cx = _map(f.get("counterexample"))
    if cx:
        lines += _counterexample(cx, f)
    elif f.get("before_location") or f.get("after_location"):
        where = (
            f"where: before {_clean(f.get('before_location', '')) or '?'}, "
            f"after {_clean(f.get('after_location', '')) or '?'}"
        )
        lines += _wrap(where, "  ", "    ")
    return lines


def _counterexample(cx: Mapping[str, Any], f: Mapping[str, Any]) -> list[str]:
    values = [f"{_clean(k)} = {_clean(v)}" for k, v in _map(cx.get("inputs")).items()]
    values += [f"{_clean(k)} returns {_clean(v)}" for k, v in _map(cx.get("call_results")).items()]
    lines = ["  counterexample:"]
    for value in values[:CX_ENTRIES]:
        lines += _wrap(value, "    ", "      ")
    if len(values) > CX_ENTRIES:
        lines.append(f"    ... {len(values) - CX_ENTRIES} more in the JSON report")
    for side in ("before", "after"):
        text = _clean(cx.get(side, "")) or "?"
        where = _clean(f.get(f"{side}_location", ""))
        if where:
            text += f" ({where})"
        lines += _wrap(text, f"  {side}:".ljust(10), " " * 10)
    return lines


def _unattributed(doc: Mapping[str, Any]) -> list[str]:
    changes = [_map(u) for u in _seq(doc.get("unattributed"))]
    if not changes:
        return []
    lines = _wrap("Changed outside every function (so not shown equivalent):")
    for u in changes:
        where = f"{_clean(u.get('file', ''))}:{_clean(u.get('line', ''))}"
        text = f"{where} ({_clean(u.get('side', ''))}): {_clean(u.get('text', ''))}"
        lines += _wrap(text, "  ", "    ")
    return lines


def _short(assumption: str) -> str:
    """An assumption without its parenthesised asides and its elaboration after a
    colon: ``A6: variables ... are locals of the enclosing function``."""
    text = assumption
    while True:
        shorter = _PARENS.sub("", text)
        if shorter == text:
            break
        text = shorter
    label, sep, body = text.partition(": ")
    if not (sep and re.fullmatch(r"A\d+", label)):
        label, sep, body = "", "", text
    body = body.split(": ", 1)[0].split("; ", 1)[0]
    return f"{label}{sep}{body}".strip()


def _assumptions(functions: list[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for f in functions:
        for assumption in _seq(f.get("assumptions")):
            seen.setdefault(_short(_clean(assumption)), None)
    if not seen:
        return []
    lines = ["Assuming (in short; the JSON report has them in full):"]
    for assumption in seen:
        lines += _wrap(assumption, "  ", "    ")
    return lines


def _reproduce(doc: Mapping[str, Any]) -> list[str]:
    """The command, continued with backslashes where it needs more than one line."""
    words = _shell_words(_clean(doc.get("command", "")) or GENERIC_COMMAND)
    lines: list[str] = []
    prefix, current = "  ", ""
    for word in words:
        if current and _width(f"{prefix}{current} {word} \\") <= WIDTH:
            current += " " + word
            continue
        if current:
            lines.append(f"{prefix}{current} \\")
            prefix = "    "
        current = word
        if _width(f"{prefix}{word} \\") > WIDTH:
            prefix = prefix[: max(0, WIDTH - _width(word) - 2)]
    lines.append(prefix + current)
    return ["To reproduce:", *lines]


def _shell_words(command: str) -> list[str]:
    """The words of a shell command as written (quotes kept): it may be split only at
    the spaces between them."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    escaped = False
    for ch in command:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quote != "'":
            current.append(ch)
            escaped = True
        elif quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            current.append(ch)
            quote = ch
        elif ch == " ":
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words or [GENERIC_COMMAND]
