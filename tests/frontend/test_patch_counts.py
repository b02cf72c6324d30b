"""Hunk header counts against the hunk's lines: never a dropped line; recounted when
the hunk's end is certain, refused otherwise (docs/frontend.md, "Hunk counts")."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from equivcheck.errors import InputError
from equivcheck.frontend.model import HunkLine, Patch
from equivcheck.frontend.patch.read import read_patches

HEAD = "diff --git a/mm/util.c b/mm/util.c\nindex 1111111..2222222 100644\n"
FILES = "--- a/mm/util.c\n+++ b/mm/util.c\n"
BODY = (
    " \tif (!s)\n"
    " \t\treturn NULL;\n"
    " \n"
    "-\tlen = strlen(s) + 1;\n"
    "+\tlen = strlen(s);\n"
    " \tbuf = kmalloc_track_caller(len, gfp);\n"
)
SECTION = " char *kstrdup(const char *s, gfp_t gfp)"
SIGNATURE = "-- \n2.43.0\n\n"
HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def _one(text: str, name: str = "x.patch") -> Patch:
    [patch] = read_patches(text.encode(), name)
    return patch


def _kinds(patch: Patch) -> list[str]:
    return [ln.kind for ln in patch.files[0].hunks[0].lines]


def test_right_counts_read_without_a_note() -> None:
    patch = _one(HEAD + FILES + f"@@ -60,5 +60,5 @@{SECTION}\n" + BODY + SIGNATURE)
    assert patch.notes == []
    assert _kinds(patch) == [" ", " ", " ", "-", "+", " "]
    assert not patch.damaged


def test_lines_past_small_counts_are_recounted_not_dropped() -> None:
    """The hostile case: the header covers only the context; the change came after it
    and used to vanish (an empty, EQUIVALENT report)."""
    patch = _one(HEAD + FILES + f"@@ -60,3 +60,3 @@{SECTION}\n" + BODY + SIGNATURE)
    hunk = patch.files[0].hunks[0]
    assert (hunk.old_len, hunk.new_len) == (5, 5)
    assert HunkLine("+", "\tlen = strlen(s);") in hunk.lines
    assert hunk.section == SECTION.strip()
    [note] = patch.notes
    assert "hunk 1 of mm/util.c (@@ -60,3 +60,3 @@) recounted to @@ -60,5 +60,5 @@" in note
    assert note.startswith("x.patch: ")


def test_counts_larger_than_the_hunk_are_recounted_at_the_next_hunk() -> None:
    second = "@@ -90,2 +90,2 @@\n-\tint a;\n+\tint b;\n \treturn 0;\n"
    text = HEAD + FILES + "@@ -60,9 +60,9 @@\n" + BODY + second
    patch = _one(text)
    first, hunk2 = patch.files[0].hunks
    assert (first.old_len, first.new_len) == (5, 5)
    assert (hunk2.old_len, hunk2.new_len) == (2, 2)  # hunk 2 was right
    assert [ln.kind for ln in hunk2.lines] == ["-", "+", " "]
    [note] = patch.notes
    assert "hunk 1 of mm/util.c" in note and "ends before its header's counts" in note


def test_counts_that_swallow_the_signature_stop_at_it() -> None:
    patch = _one(HEAD + FILES + "@@ -60,7 +60,6 @@\n" + BODY + SIGNATURE)
    assert (patch.files[0].hunks[0].old_len, patch.files[0].hunks[0].new_len) == (5, 5)
    assert len(patch.notes) == 1


def test_stray_lines_without_a_certain_end_are_refused() -> None:
    text = HEAD + FILES + "@@ -60,3 +60,3 @@\n" + BODY + "Some words\n+\tmore();\n"
    with pytest.raises(InputError) as err:
        _one(text, "p.patch")
    line = err.value.one_line()
    assert line.startswith("p.patch: hunk 1 of mm/util.c (@@ -60,3 +60,3 @@)")
    assert "cannot be recounted" in line and "'-\tlen = strlen(s) + 1;'" in line
    assert "\n" not in line


def test_a_changed_line_before_the_first_hunk_is_refused() -> None:
    text = HEAD + FILES + "+\tsneaky();\n" + "@@ -60,5 +60,5 @@\n" + BODY
    with pytest.raises(InputError, match="belongs to no hunk"):
        _one(text)


def test_a_changed_line_after_the_signature_is_refused() -> None:
    text = HEAD + FILES + "@@ -60,5 +60,5 @@\n" + BODY + "-- \n+\tsneaky();\n"
    with pytest.raises(InputError, match="belongs to no hunk"):
        _one(text)


def test_blank_lines_after_a_hunk_are_no_context_line() -> None:
    """unidiff appends a blank line after a hunk to it; the hunk must keep its count."""
    patch = _one(HEAD + FILES + "@@ -60,5 +60,5 @@\n" + BODY + "\n\n")
    assert len(patch.files[0].hunks[0].lines) == 6
    assert patch.notes == []


def test_prose_after_an_exact_hunk_is_not_diff_text() -> None:
    text = FILES + "@@ -60,5 +60,5 @@\n" + BODY + "Only in b/mm: new.c\n"
    patch = _one(text)
    assert patch.notes == [] and len(patch.files[0].hunks[0].lines) == 6


def test_a_mbox_message_is_recounted_too(fixtures_dir: Path) -> None:
    raw = (fixtures_dir / "patches" / "format-patch.patch").read_text()
    head, rest = raw.split("@@ ", 1)
    counts, tail = rest.split(" @@", 1)
    old, new = counts.split(" ")
    smaller = f"{old.split(',')[0]},1 {new.split(',')[0]},1"
    [patch] = read_patches(f"{head}@@ {smaller} @@{tail}".encode(), "mail.patch")
    [clean] = read_patches(raw.encode(), "mail.patch")
    assert patch.files[0].hunks[0].lines == clean.files[0].hunks[0].lines
    assert len(patch.notes) == 1 and "recounted" in patch.notes[0]


# ------------------------------------------------------------------ damaged copies

DAMAGED = "\n".join(ln.lstrip(" \t") for ln in BODY.split("\n"))


def test_damaged_copy_with_right_counts_reads_as_before() -> None:
    patch = _one(FILES + "@@ -60,5 +60,5 @@\n" + DAMAGED + "--\n")
    assert patch.damaged and patch.notes == []
    assert _kinds(patch) == [" ", " ", " ", "-", "+", " "]


def test_damaged_copy_with_lines_past_its_counts_is_refused() -> None:
    with pytest.raises(InputError) as err:
        _one(FILES + "@@ -60,3 +60,3 @@\n" + DAMAGED, "web.txt")
    line = err.value.one_line()
    assert line.startswith("web.txt: hunk 1 of mm/util.c (@@ -60,3 +60,3 @@)")
    assert "cannot be recounted" in line


def test_damaged_copy_whose_counts_overflow_is_refused() -> None:
    """An added line read as context because the header's new count ran out."""
    body = "if (!s)\nreturn NULL;\n-len = strlen(s) + 1;\n+len = strlen(s);\n+extra();\n}\n"
    with pytest.raises(InputError, match="header says 4 and 4"):
        _one(FILES + "@@ -60,4 +60,4 @@\n" + body)


def test_damaged_copy_that_ends_early_by_context_lines_is_noted() -> None:
    patch = _one(FILES + "@@ -60,6 +60,6 @@\n" + DAMAGED.rstrip("\n"))
    assert patch.damaged
    [note] = patch.notes
    assert "ends 1 context line(s) early" in note


def test_the_seed_needs_no_repair(fixtures_dir: Path) -> None:
    [patch] = read_patches((fixtures_dir / "seed" / "000_7b8ea4c1cd114cf9.txt").read_bytes(), "s")
    assert patch.damaged and patch.notes == []


def test_a_hunk_without_lines_is_refused() -> None:
    text = FILES + "@@ -10,3 +10,3 @@\n@@ -60,5 +60,5 @@\n" + BODY
    with pytest.raises(InputError, match=r"hunk 1 of mm/util.c \(@@ -10,3 \+10,3 @@\) has no"):
        _one(text)


# ------------------------------------------------------------------ any miscount

_LINES = st.lists(st.sampled_from(["int a;", "", "}", "f(x);", "\treturn 0;", "{"]), max_size=12)


@settings(max_examples=150, deadline=None)
@given(_LINES, _LINES, st.integers(0, 3), st.integers(0, 20), st.integers(0, 20))
def test_a_miscounted_header_never_loses_a_change(
    old: list[str], new: list[str], context: int, old_len: int, new_len: int
) -> None:
    """Whatever counts the first header claims, every changed line is read (recounted,
    with a note) or the input is refused: never a silently shorter hunk."""
    diff = list(
        difflib.unified_diff(
            [f"{t}\n" for t in old], [f"{t}\n" for t in new], "a/f.c", "b/f.c", n=context
        )
    )
    assume(any(ln.startswith("@@") for ln in diff))
    text = "".join(diff) + SIGNATURE
    [clean] = read_patches(text.encode(), "clean.patch")
    assert clean.notes == []
    first = next(i for i, ln in enumerate(diff) if ln.startswith("@@"))
    header = HUNK.match(diff[first])
    assert header is not None
    diff[first] = f"@@ -{header.group(1)},{old_len} +{header.group(2)},{new_len} @@\n"
    try:
        [patch] = read_patches(("".join(diff) + SIGNATURE).encode(), "bad.patch")
    except InputError as err:
        assert "bad.patch" in err.one_line() and "\n" not in err.one_line()
        return

    def changes(p: Patch) -> list[list[HunkLine]]:
        return [[ln for ln in h.lines if ln.kind != " "] for f in p.files for h in f.hunks]

    assert changes(patch) == changes(clean)


@pytest.mark.parametrize("header", ["@@ -90,2 +90,2@@", "@@@ -90,2 +90,2 @@@", "@ -90,2 +90,2 @@"])
def test_changes_under_a_malformed_hunk_header_are_refused(header: str) -> None:
    """unidiff took such a header and its lines for text between files: dropped."""
    text = HEAD + FILES + "@@ -60,5 +60,5 @@\n" + BODY + f"{header}\n-\tint a;\n+\tint b;\n"
    with pytest.raises(InputError, match="'-\tint a;'"):
        _one(text)
