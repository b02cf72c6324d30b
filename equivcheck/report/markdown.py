"""The check report as GitHub-flavoured Markdown (a pull-request comment or a job summary).

A headline verdict, a summary table (one row per function), then a collapsible
``<details>`` block per function: the reason, label map, inlined helpers, accepted
reorderings, assumptions and, for DIFFERENT, the counterexample as a table and where
the versions part; then the changes outside every function.

Every text taken from the report (names, titles, reasons, values, file names) goes
through one of two escapers: ``_md`` for Markdown context (every character with a
Markdown or HTML meaning is backslash-escaped, and so are the ``://`` and ``www.`` that
would make an autolink; line breaks and control characters become spaces; ``@user`` and
``#123`` are broken with a zero-width space so that GitHub links nobody) and
``_html`` for the raw-HTML ``<summary>`` line. The output stays under GitHub's comment
size: details are dropped (EQUIVALENT ones first) with a note when it would not fit.
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from equivcheck.report.opinions import conflict, opinion_text
from equivcheck.verdict import Verdict

COMMENT_LIMIT = 65_536
"""GitHub's limit on a comment body, in characters."""
BUDGET = 60_000
"""What the rendering aims for: headroom for line ends turned into CRLF on the way."""
FIELD_CHARS = 2_000
"""The longest single text shown; longer ones are cut with an ellipsis."""
ROWS = 50
"""The most rows shown of one counterexample."""
LISTED = 20
"""The most patch titles or changes outside functions listed."""
SHORT_CHARS = 200
"""The longest patch title or changed line shown."""

_ESCAPED = frozenset("\\`*_[]<>#|~!$&")
_ZWSP = "\u200b"


def render_markdown(doc: Mapping[str, Any]) -> str:
    """The report document as Markdown, at most ``BUDGET`` characters."""
    functions = [f for f in _seq(doc.get("functions")) if isinstance(f, Mapping)]
    head = _headline(doc, functions)
    tail = _unattributed(doc) + _footer(doc)
    room = BUDGET - len(head) - len(tail)
    table = _summary_table(functions, room // 2)
    details = _fitted_details(functions, room - len(table))
    return _cut(head + table + details + tail)


def _cut(text: str) -> str:
    """A last resort for headers and lists that alone pass the budget: cut at a blank
    line, with a note."""
    if len(text) <= BUDGET:
        return text
    note = "The report is cut here to stay within GitHub's comment size.\n"
    end = text.rfind("\n\n", 0, BUDGET - len(note))
    return text[: end + 2] + note


# ---------------------------------------------------------------------- escaping


def _clean(value: object, limit: int = FIELD_CHARS) -> str:
    """One line of text: line breaks and control or format characters replaced."""
    text = value if isinstance(value, str) else _scalar(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    out: list[str] = []
    for ch in text:
        if ch in "\t\n\r\v\f":
            out.append(" ")
        elif unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}:
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def _scalar(value: object) -> str:
    """A JSON value as text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _md(value: object) -> str:
    """Text safe in Markdown inline context, table cells included."""
    text = _clean(value)
    out: list[str] = []
    for i, ch in enumerate(text):
        link = (ch == ":" and text[i + 1 : i + 3] == "//") or (
            ch == "." and text[max(0, i - 3) : i].lower() == "www"
        )
        out.append("\\" + ch if ch in _ESCAPED or link else ch)
        if _mention(text, i):
            out.append(_ZWSP)
    return "".join(out)


def _mention(text: str, i: int) -> bool:
    """Would GitHub link ``text[i]`` and what follows (``@user``, ``#123``)?"""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if text[i] == "@":
        return nxt.isalnum() or nxt in "-_"
    return text[i] == "#" and nxt.isdigit()


def _mono(value: object) -> str:
    """Escaped text in monospace (``<code>``, whose content is still escaped Markdown)."""
    return f"<code>{_md(value)}</code>"


def _html(value: object) -> str:
    """Text safe inside a raw HTML block (the ``<summary>`` line)."""
    text = html.escape(_clean(value), quote=True)
    out: list[str] = []
    for i, ch in enumerate(text):
        out.append(ch)
        if _mention(text, i):
            out.append(_ZWSP)
    return "".join(out)


def _emoji(value: object) -> str:
    """A verdict's mark ("" for a text that names none)."""
    known = Verdict.parse(_clean(value))
    return known.emoji if known is not None else ""


def _rank(value: object) -> int:
    """A verdict's rank (an unknown's for a text that names none)."""
    known = Verdict.parse(_clean(value))
    return (known or Verdict.UNKNOWN).rank


def _verdict(value: object) -> str:
    """A verdict in bold with its emoji."""
    text = _clean(value).lower()
    return f"{_emoji(text)} **{_md(text.upper())}**".strip()


# ---------------------------------------------------------------------- reading


def _seq(value: object) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else ()


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _time(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.2f} s"
    return "?"


def _patch_titles(functions: list[Mapping[str, Any]]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for f in functions:
        titles.setdefault(_clean(f.get("patch_index", "")), _clean(f.get("patch", "")))
    return titles


# ---------------------------------------------------------------------- sections


def _headline(doc: Mapping[str, Any], functions: list[Mapping[str, Any]]) -> str:
    lines = [f"## equivcheck: {_verdict(doc.get('verdict', 'unknown'))}", ""]
    counts: dict[str, int] = {}
    for f in functions:
        key = _clean(f.get("verdict", "unknown")).lower()
        counts[key] = counts.get(key, 0) + 1
    if functions:
        parts = [f"{n} {_md(v.upper())}" for v, n in sorted(counts.items())]
        noun = "function" if len(functions) == 1 else "functions"
        lines += [f"{len(functions)} {noun} checked: {', '.join(parts)}.", ""]
    else:
        lines += ["No function checked.", ""]
    titles = _patch_titles(functions)
    if len(titles) == 1:
        lines += [f"Patch: {_md(_clean(next(iter(titles.values())), SHORT_CHARS))}", ""]
    elif titles:
        lines += ["Patches:", ""]
        shown = list(titles.items())[:LISTED]
        lines += [f"- {_md(index)}. {_md(_clean(title, SHORT_CHARS))}" for index, title in shown]
        if len(titles) > LISTED:
            lines.append(f"- … and {len(titles) - LISTED} more")
        lines.append("")
    return "\n".join(lines) + "\n"


def _summary_table(functions: list[Mapping[str, Any]], room: int) -> str:
    if not functions:
        return ""
    several = len(_patch_titles(functions)) > 1
    columns = (["#"] if several else []) + ["file", "function", "change", "verdict", "time"]
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    used = sum(len(line) + 1 for line in lines)
    shown = 0
    for f in functions:
        cells = [
            _mono(f.get("file", "")),
            _mono(f.get("function", "")),
            _md(f.get("status", "")),
            _verdict(f.get("verdict", "unknown")),
            _time(f.get("time_s")),
        ]
        if several:
            cells.insert(0, _md(f.get("patch_index", "")))
        row = "| " + " | ".join(cells) + " |"
        if used + len(row) + 1 > room:
            break
        lines.append(row)
        used += len(row) + 1
        shown += 1
    text = "\n".join(lines) + "\n\n"
    if shown < len(functions):
        text += f"{len(functions) - shown} more functions not shown (comment size limit).\n\n"
    return text


def _fitted_details(functions: list[Mapping[str, Any]], room: int) -> str:
    """The details blocks that fit, the most severe verdicts first, in report order."""
    blocks = [_details(f) for f in functions]
    order = sorted(
        range(len(functions)),
        key=lambda i: (-_rank(functions[i].get("verdict", "")), i),
    )
    note_room = 200
    kept: set[int] = set()
    used = 0
    for i in order:
        if used + len(blocks[i]) <= room - note_room:
            kept.add(i)
            used += len(blocks[i])
    text = "".join(blocks[i] for i in range(len(blocks)) if i in kept)
    left = len(blocks) - len(kept)
    if left:
        noun = "function" if left == 1 else "functions"
        text += (
            f"Details of {left} {noun} left out to stay within GitHub's comment size; "
            "the JSON report (`--format json`) has them all.\n\n"
        )
    return text


def _details(f: Mapping[str, Any]) -> str:
    summary = (
        f"<code>{_html(f.get('function', ''))}</code> ({_html(f.get('file', ''))}): "
        f"{_emoji(f.get('verdict', ''))} "
        f"<b>{_html(_clean(f.get('verdict', 'unknown')).upper())}</b>"
    )
    body = [f"**Reason:** {_md(f.get('reason', ''))}"]
    binary = _map(f.get("binary"))
    if binary:
        problem = conflict(f.get("verdict"), binary, f.get("reorderings") or ())
        if problem:
            body.append(f"**⚠️ Conflict:** {_md(problem)}")
        body.append(f"**Compiled code (angr):** {_md(opinion_text(binary))}")
    title = _clean(f.get("patch", ""))
    if title:
        body.append(
            f"**Patch:** {_md(title)} (mode: {_md(f.get('mode', ''))}, "
            f"change: {_md(f.get('status', ''))})"
        )
    labels = _map(f.get("label_map"))
    if labels:
        pairs = ", ".join(f"{_mono(a)} → {_mono(b)}" for a, b in labels.items())
        body.append(f"**Label map:** {pairs}")
    inlined = _seq(f.get("inlined"))
    if inlined:
        body.append("**Inlined helpers:** " + ", ".join(_mono(name) for name in inlined))
    swaps = [_map(s) for s in _seq(f.get("reorderings"))]
    if swaps:
        body.append("**Accepted reorderings:**\n\n" + "\n".join(_swap(s) for s in swaps))
    counterexample = _map(f.get("counterexample"))
    if counterexample:
        body.append("**Counterexample:**\n\n" + _counterexample(counterexample))
    before, after = _clean(f.get("before_location", "")), _clean(f.get("after_location", ""))
    if before or after:
        body.append(
            f"**Where they part:** before {_mono(before or '?')}, after {_mono(after or '?')}"
        )
    assumptions = _seq(f.get("assumptions"))
    if assumptions:
        body.append("**Assumptions:**\n\n" + "\n".join(f"- {_md(a)}" for a in assumptions))
    return (
        "<details>\n<summary>"
        + summary
        + "</summary>\n\n"
        + "\n\n".join(body)
        + ("\n\n</details>\n\n")
    )


def _swap(s: Mapping[str, Any]) -> str:
    return (
        f"- {_mono(s.get('first', ''))} ({_mono(s.get('first_location', ''))}) and "
        f"{_mono(s.get('second', ''))} ({_mono(s.get('second_location', ''))}): "
        f"{_md(s.get('why', ''))}"
    )


def _counterexample(cx: Mapping[str, Any]) -> str:
    rows: list[str] = []
    for kind, group in (("input", "inputs"), ("call result", "call_results")):
        for name, value in _map(cx.get(group)).items():
            rows.append(f"| {kind} | {_mono(name)} | {_mono(value)} |")
    if len(rows) > ROWS:
        rows = [*rows[:ROWS], f"| … | {len(rows) - ROWS} more | |"]
    for side in ("before", "after"):
        if side in cx:
            rows.append(f"| **{side}** | what it does | {_md(cx[side])} |")
    return "| | name | value |\n| --- | --- | --- |\n" + "\n".join(rows)


def _unattributed(doc: Mapping[str, Any]) -> str:
    changes = [_map(u) for u in _seq(doc.get("unattributed"))]
    if not changes:
        return ""
    lines = ["**Changes outside every function** (the verdict cannot be EQUIVALENT):", ""]
    for u in changes[:LISTED]:
        where = f"{_clean(u.get('file', ''), SHORT_CHARS)}:{_clean(u.get('line', ''), 20)}"
        lines.append(
            f"- {_mono(where)} ({_md(u.get('side', ''))}, patch {_md(u.get('patch_index', ''))}):"
            f" {_mono(_clean(u.get('text', ''), SHORT_CHARS))}"
        )
    if len(changes) > LISTED:
        lines.append(f"- … and {len(changes) - LISTED} more")
    return "\n".join(lines) + "\n\n"


def _footer(doc: Mapping[str, Any]) -> str:
    lines = []
    command = _clean(doc.get("command", ""))
    if command:
        lines.append(f"Reproduce: {_mono(command)}")
        lines.append("")
    name = f"{_clean(doc.get('tool', 'equivcheck'))} {_clean(doc.get('version', ''))}"
    lines.append(f"<sub>{_md(name.strip())}</sub>")
    return "\n".join(lines) + "\n"
