"""The Markdown report: structure on real reports, escaping under GitHub's own parser
(cmark-gfm with raw HTML allowed, so injected HTML would show), the size limit."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from equivcheck.equiv.check import check_patches
from equivcheck.frontend.workset import from_patch_file
from equivcheck.report.document import document
from equivcheck.report.markdown import BUDGET, COMMENT_LIMIT, render_markdown
from tests.cli.run import REPO, SEED, run

MUTANT = REPO / "fixtures" / "engine" / "mutants" / "01-drop-rmb.patch"
ZWSP = "\u200b"
HOSTILE = (
    "<script>alert(1)</script> | `tick` ``two`` @torvalds [x](https://evil.example) "
    "#123 </details> <img src=x onerror=alert(1)> www.evil.example &amp; $x$ me@evil.example "
    "ftp://evil.example\n\n# heading\n"
    "| a | b |\n- item\r\n> quote \\| back\\"
)
ALLOWED_TAGS = {
    "h2",
    "p",
    "strong",
    "b",
    "code",
    "sub",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "details",
    "summary",
}


@cache
def _doc(path: Path) -> dict[str, Any]:
    works = from_patch_file(path, None)
    return document(check_patches(works), works)


def _cmark() -> Any:
    try:
        import cmarkgfm
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("cmarkgfm is missing: pip install cmarkgfm (a dev dependency)")
        pytest.skip("cmarkgfm is missing: pip install cmarkgfm")
    return cmarkgfm


class _Html(HTMLParser):
    """The tags, the text and the table rows (cells per row) of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.ends: list[str] = []
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        self.ends.append(tag)
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _html(markdown: str) -> _Html:
    cmark = _cmark()
    rendered = cmark.github_flavored_markdown_to_html(
        markdown, options=cmark.Options.CMARK_OPT_UNSAFE
    )
    parser = _Html()
    parser.feed(rendered)
    return parser


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _hostile_doc() -> dict[str, Any]:
    function = {
        "file": f"mm/{HOSTILE}.c",
        "function": HOSTILE,
        "status": "changed",
        "verdict": "different",
        "reason": HOSTILE,
        "mode": "patch",
        "patch": HOSTILE,
        "patch_index": 1,
        "label_map": {HOSTILE: HOSTILE},
        "inlined": [HOSTILE],
        "reorderings": [
            {
                "first": HOSTILE,
                "second": "b()",
                "first_location": HOSTILE,
                "second_location": "mm/x.c:2",
                "why": HOSTILE,
            }
        ],
        "assumptions": [HOSTILE],
        "counterexample": {
            "inputs": {HOSTILE: HOSTILE, "p|q": "a\\|b"},
            "call_results": {f"{HOSTILE}()": 7},
            "before": HOSTILE,
            "after": "returns 0",
        },
        "before_location": f"{HOSTILE}:3",
        "after_location": "",
        "time_s": 0.25,
        "before_line": 1,
        "after_line": 1,
    }
    return {
        "tool": "equivcheck",
        "version": HOSTILE,
        "verdict": "different",
        "functions": [function],
        "unattributed": [
            {"patch_index": 1, "file": HOSTILE, "line": 4, "side": "after", "text": HOSTILE}
        ],
        "command": HOSTILE,
    }


def test_seed_headline_table_and_details() -> None:
    doc = _doc(SEED)
    text = render_markdown(doc)
    assert text.startswith("## equivcheck: ✅ **EQUIVALENT**\n")
    page = _html(text)
    assert set(page.tags) <= ALLOWED_TAGS
    [header, *rows] = [row for row in page.rows if len(row) == 5]
    assert header == ["file", "function", "change", "verdict", "time"]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (f["function"], f["status"], "✅ EQUIVALENT") for f in doc["functions"]
    ]
    assert page.tags.count("details") == page.ends.count("details") == len(doc["functions"])
    visible = _one_line("".join(page.text))
    assert "Label map: discard → finish_unmap" in visible
    assert "Inlined helpers: ttu_lazyfree_folio" in visible
    assert "folio_set_swapbacked() (mm/rmap.c:2122) and set_ptes() (mm/rmap.c:2329)" in visible
    caller = next(f for f in doc["functions"] if f["function"] == "try_to_unmap_one")
    for assumption in caller["assumptions"]:
        assert assumption in visible
    assert "Counterexample" not in visible


def test_mutant_counterexample_table_and_locations() -> None:
    doc = _doc(MUTANT)
    text = render_markdown(doc)
    assert text.startswith("## equivcheck: ❌ **DIFFERENT**\n")
    page = _html(text)
    caller = next(f for f in doc["functions"] if f["function"] == "try_to_unmap_one")
    cx = caller["counterexample"]
    table = [row for row in page.rows if len(row) == 3]
    expected = [
        *(["input", name, str(value)] for name, value in cx["inputs"].items()),
        *(["call result", name, str(value)] for name, value in cx["call_results"].items()),
        ["before", "what it does", cx["before"]],
        ["after", "what it does", cx["after"]],
    ]
    assert table == [["", "name", "value"], *expected]
    visible = _one_line("".join(page.text))
    assert (
        f"Where they part: before {caller['before_location']}, "
        f"after {caller['after_location']}" in visible
    )
    assert caller["reason"] in visible


def test_cli_document_renders_the_command_to_reproduce() -> None:
    result = run("check", SEED, "--format", "json")
    doc = json.loads(result.out)
    visible = _one_line("".join(_html(render_markdown(doc)).text))
    if "command" in doc:
        assert f"Reproduce: {doc['command']}" in visible
    doc["command"] = "equivcheck check fix.patch --tree ~/linux"
    visible = _one_line("".join(_html(render_markdown(doc)).text))
    assert "Reproduce: equivcheck check fix.patch --tree ~/linux" in visible


def test_hostile_text_cannot_inject_markdown_or_html() -> None:
    doc = _hostile_doc()
    text = render_markdown(doc)
    page = _html(text)
    # Only the tags the renderer writes: no script, img, link, heading, quote, extra list.
    assert set(page.tags) <= ALLOWED_TAGS
    assert "a" not in page.tags and "script" not in page.tags and "img" not in page.tags
    assert page.tags.count("details") == page.ends.count("details") == 1
    assert page.tags.count("summary") == 1
    # Every table keeps its shape: | and newlines in cells split nothing.
    summary_rows = [
        row for row in page.rows if row and row[0].replace(ZWSP, "") in {"file", f"mm/{_flat()}.c"}
    ]
    assert [len(row) for row in summary_rows] == [5, 5]
    assert all(len(row) == 3 for row in page.rows if row not in summary_rows)
    # The text survives, shown as text: one line, mentions and references broken.
    visible = "".join(page.text)
    assert _flat() in visible.replace(ZWSP, "")
    assert "@torvalds" not in visible and "#123" not in visible
    assert "p|q" in visible and "a\\|b" in visible


def _flat() -> str:
    return HOSTILE.replace("\r", " ").replace("\n", " ")


def _unescaped(line: str, chars: str) -> list[str]:
    """The characters of ``chars`` in ``line`` that no backslash escapes."""
    found: list[str] = []
    escaped = False
    for ch in line:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in chars:
            found.append(ch)
    return found


def test_every_report_field_is_escaped_in_the_source() -> None:
    text = render_markdown(_hostile_doc())
    own_tags = re.compile(r"</?(code|details|summary|b|sub)>")
    own_bold = re.compile(r"\*\*([A-Z][A-Za-z ]*:?|before|after)\*\*")
    for line in text.splitlines():
        bare = own_bold.sub("", own_tags.sub("", line))
        if line.startswith("<summary>"):
            # Raw HTML: entities, not backslashes.
            assert "<" not in bare and ">" not in bare, line
            continue
        assert _unescaped(bare, "<>[]`*_&$") == [], line
        if line.startswith("| "):
            assert len(_unescaped(line, "|")) in {4, 6}, line
        else:
            assert _unescaped(line, "|") == [], line
    assert text.count("<details>") == text.count("</details>") == 1
    # No report text starts a line: every line is the renderer's own.
    own = ("## ", "<details>", "<summary>", "</details>", "| ", "- ", "**", "<sub>", "Reproduce")
    for line in text.splitlines():
        assert line == "" or line.startswith((*own, "1 function", "Patch: ")), line


def test_long_report_stays_within_comment_size() -> None:
    reason = "x" * 1500 + " | <b> "
    functions = [
        {
            "file": "mm/big.c",
            "function": f"f{i}",
            "status": "changed",
            "verdict": "different" if i % 50 == 7 else "equivalent",
            "reason": reason,
            "mode": "patch",
            "patch": "big",
            "patch_index": 1,
            "assumptions": [reason] * 3,
            "time_s": 0.01,
        }
        for i in range(400)
    ]
    doc = {"tool": "equivcheck", "version": "0", "verdict": "different", "functions": functions}
    text = render_markdown(doc)
    assert len(text) <= BUDGET < COMMENT_LIMIT
    assert "left out to stay within GitHub's comment size" in text
    page = _html(text)
    assert page.tags.count("details") == page.ends.count("details")
    shown = [line for line in text.splitlines() if line.startswith("<summary>")]
    different = [f["function"] for f in functions if f["verdict"] == "different"]
    kept = {
        f["function"]
        for f in functions
        if any(f"<code>{f['function']}</code>" in line for line in shown)
    }
    # The DIFFERENT functions keep their details first.
    assert kept and len(kept) < len(functions)
    assert set(different) <= kept or kept <= set(different)


def test_very_many_functions_cut_the_table_with_a_note() -> None:
    functions = [
        {"file": "a.c", "function": f"g{i}", "status": "changed", "verdict": "equivalent"}
        for i in range(3000)
    ]
    text = render_markdown({"verdict": "equivalent", "functions": functions})
    assert len(text) <= BUDGET
    assert "more functions not shown" in text
    assert text.count("<details>") == text.count("</details>")


def test_malformed_document_does_not_crash() -> None:
    text = render_markdown({"functions": [{"counterexample": {"inputs": [1]}}, 3], "x": None})
    assert text.startswith("## equivcheck: ❓ **UNKNOWN**")


def test_huge_lists_outside_the_details_are_cut_too() -> None:
    changes = [
        {"patch_index": i, "file": "f" * 5000, "line": i, "side": "after", "text": "#" * 5000}
        for i in range(1000)
    ]
    functions = [
        {
            "file": "a.c",
            "function": "f",
            "verdict": "unknown",
            "patch": "<t>" * 3000,
            "patch_index": i,
        }
        for i in range(300)
    ]
    doc = {
        "verdict": "unknown",
        "functions": functions,
        "unattributed": changes,
        "command": "x" * 10**5,
    }
    text = render_markdown(doc)
    assert len(text) <= BUDGET
    assert text.count("<details>") == text.count("</details>")
