"""The output formats, one registry: each format's name and its renderer, every
renderer taking the same JSON document (report/document.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from equivcheck.frontend.workset import PatchWork
from equivcheck.report.document import results_of
from equivcheck.report.email import render_email
from equivcheck.report.markdown import render_markdown
from equivcheck.report.sarif import render_sarif
from equivcheck.report.terminal import render


@dataclass(frozen=True)
class RenderContext:
    """What a run has beside its document: the works (the terminal shows their source
    lines side by side), whether to print the summary only, and the terminal to print
    to (the table is then printed, not returned)."""

    works: list[PatchWork] | None = None
    quiet: bool = False
    console: Console | None = None


Renderer = Callable[[Mapping[str, Any], RenderContext], str | None]


def _table(doc: Mapping[str, Any], context: RenderContext) -> str | None:
    rows = results_of(doc)
    # A saved report: its changes outside every function, since there are no works.
    outside = doc.get("unattributed", []) if context.works is None else []
    verdict = str(doc["verdict"])
    works = context.works or []
    if context.console is not None:
        render(context.console, rows, works, quiet=context.quiet, verdict=verdict, outside=outside)
        return None
    buffer = io.StringIO()
    plain = Console(file=buffer, width=120, no_color=True, highlight=False, soft_wrap=True)
    render(plain, rows, works, quiet=context.quiet, verdict=verdict, outside=outside)
    return buffer.getvalue()


RENDERERS: dict[str, Renderer] = {
    "table": _table,
    "json": lambda doc, _: json.dumps(doc) + "\n",
    "markdown": lambda doc, _: render_markdown(doc),
    "sarif": lambda doc, _: json.dumps(render_sarif(doc), indent=2) + "\n",
    "email": lambda doc, _: render_email(doc),
}
"""Each output format by name: what ``--format`` offers, in this order."""


def render_report(doc: Mapping[str, Any], fmt: str, context: RenderContext) -> str | None:
    """The report in format ``fmt`` (None: printed to ``context.console``)."""
    return RENDERERS[fmt](doc, context)
