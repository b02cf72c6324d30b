"""GitHub Actions annotations for a check report (pure: text in, text out).

A DIFFERENT function becomes an ``::error``, an UNKNOWN one (and changes outside every
function) a ``::warning``, placed at the function's first line in the after version.
GitHub shows at most 10 errors and 10 warnings per step and drops the rest silently,
so :func:`limit` keeps the first 10 of each kind and counts the rest in one
``::notice`` per kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from equivcheck.frontend.patch.input import printable

Level = Literal["error", "warning", "notice"]

#: GitHub's limit of error (and of warning) annotations shown per step.
PER_STEP = 10

#: Counterexample inputs named in one annotation before "and N more".
_MAX_INPUTS = 8

_LEVEL_OF_VERDICT: dict[str, Level] = {"different": "error", "unknown": "warning"}


@dataclass(frozen=True)
class Annotation:
    """One workflow command: ``::LEVEL file=F,line=L,title=T::MESSAGE``."""

    level: Level
    title: str
    message: str
    file: str = ""
    line: int = 0


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it (control
    characters out: the log viewer would read escape sequences)."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)


def escape_property(text: str) -> str:
    """A workflow command's property value (``file``, ``title``), escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(annotation: Annotation) -> str:
    """The line to print for ``annotation``."""
    props = []
    if annotation.file:
        props.append(f"file={escape_property(annotation.file)}")
        if annotation.line > 0:
            props.append(f"line={annotation.line}")
    if annotation.title:
        props.append(f"title={escape_property(annotation.title)}")
    head = f"::{annotation.level}"
    if props:
        head += " " + ",".join(props)
    return f"{head}::{escape_data(annotation.message)}"


def collect_annotations(doc: Mapping[str, Any], path_prefix: str = "") -> list[Annotation]:
    """Every annotation the report calls for, errors and warnings in report order.

    ``path_prefix`` is prepended to the report's file names (the tree's folder inside
    the repository, when the tree is not the repository's top folder)."""
    found: list[Annotation] = []
    for func in _list(doc.get("functions")):
        level = _LEVEL_OF_VERDICT.get(str(func.get("verdict", "")))
        if level is not None:
            found.append(_function_annotation(func, level, path_prefix))
    found.extend(_unattributed_annotations(_list(doc.get("unattributed")), path_prefix))
    return found


def limit(found: Sequence[Annotation], per_kind: int = PER_STEP) -> list[Annotation]:
    """At most ``per_kind`` errors and ``per_kind`` warnings, then one notice per kind
    naming what was left out (notices have a limit of their own)."""
    kept: list[Annotation] = []
    left_out: dict[Level, list[Annotation]] = {"error": [], "warning": []}
    shown: dict[Level, int] = {"error": 0, "warning": 0}
    for annotation in found:
        level = annotation.level
        if level in shown and shown[level] >= per_kind:
            left_out[level].append(annotation)
            continue
        kept.append(annotation)
        if level in shown:
            shown[level] += 1
    for level, rest in left_out.items():
        if rest:
            kept.append(_overflow_notice(level, rest))
    return kept


def render_annotations(doc: Mapping[str, Any], path_prefix: str = "") -> list[str]:
    """The workflow-command lines for ``doc``, within GitHub's per-step limits."""
    return [workflow_command(a) for a in limit(collect_annotations(doc, path_prefix))]


# ---------------------------------------------------------------------- one function


def _function_annotation(func: Mapping[str, Any], level: Level, prefix: str) -> Annotation:
    name = str(func.get("function", "?"))
    file = str(func.get("file", ""))
    verdict = str(func.get("verdict", "")).upper()
    lines = [f"{name}() is {verdict}: {func.get('reason', '') or 'no reason given'}"]
    patch = str(func.get("patch", ""))
    if patch:
        lines.append(f"commit: {patch}")
    lines.extend(_counterexample_lines(func.get("counterexample")))
    parts = [
        f"{side} {where}"
        for side, where in (
            ("before", func.get("before_location")),
            ("after", func.get("after_location")),
        )
        if where
    ]
    if parts:
        lines.append("the versions part at: " + ", ".join(parts))
    return Annotation(
        level=level,
        title=f"equivcheck: {name}() {verdict}",
        message="\n".join(lines),
        file=_join(prefix, file) if file else "",
        line=_after_line(func, file),
    )


def _after_line(func: Mapping[str, Any], file: str) -> int:
    """The function's first line in the after version; else the after location when it
    is in the same file; else 0 (the annotation then names the file only)."""
    line = _int(func.get("after_line"))
    if line > 0:
        return line
    where = str(func.get("after_location") or "")
    path, _, number = where.rpartition(":")
    if path == file and number.isdigit():
        return int(number)
    return 0


def _counterexample_lines(example: object) -> list[str]:
    if not isinstance(example, Mapping) or not example:
        return []
    lines = []
    values: list[str] = []
    for key in ("inputs", "call_results"):
        group = example.get(key)
        if isinstance(group, Mapping):
            values.extend(f"{name} = {value}" for name, value in group.items())
    if values:
        shown = values[:_MAX_INPUTS]
        more = len(values) - len(shown)
        lines.append("counterexample: " + "; ".join(shown) + (f"; and {more} more" if more else ""))
    for side in ("before", "after"):
        if example.get(side):
            lines.append(f"{side}: {example[side]}")
    return lines


# ---------------------------------------------------------------------- outside functions


def _unattributed_annotations(items: list[Mapping[str, Any]], prefix: str) -> Iterable[Annotation]:
    """One warning per patch and file for changes outside every function."""
    grouped: dict[tuple[int, str], list[Mapping[str, Any]]] = {}
    for item in items:
        key = (_int(item.get("patch_index")), str(item.get("file", "")))
        grouped.setdefault(key, []).append(item)
    for (_, file), group in grouped.items():
        after = sorted(_int(i.get("line")) for i in group if i.get("side") == "after")
        before = sorted(_int(i.get("line")) for i in group if i.get("side") != "after")
        where = []
        if after:
            where.append("after version lines " + _ranges(after))
        if before:
            where.append("before version lines " + _ranges(before))
        yield Annotation(
            level="warning",
            title="equivcheck: change outside every function",
            message=(
                f"{file} changes code outside every function ({'; '.join(where)}): "
                "the verdict is UNKNOWN until a reviewer checks it"
            ),
            file=_join(prefix, file) if file else "",
            line=after[0] if after else 0,
        )


def _ranges(numbers: list[int]) -> str:
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], n)
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


# ---------------------------------------------------------------------- helpers


def _overflow_notice(level: Level, rest: list[Annotation]) -> Annotation:
    kind = "DIFFERENT functions" if level == "error" else "further warnings"
    names = [r.title.removeprefix("equivcheck: ") for r in rest]
    shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
    return Annotation(
        level="notice",
        title=f"equivcheck: {len(rest)} more {kind}",
        message=(
            f"GitHub shows {PER_STEP} {level}s per step; {len(rest)} more are in the job "
            f"summary and the report: {shown}"
        ),
    )


def _join(prefix: str, file: str) -> str:
    prefix = prefix.strip("/")
    if not prefix or prefix == ".":
        return file
    return f"{prefix}/{file}"


def _list(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def _int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return 0
