"""read_patches: format-patch, plain diffs, mbox series, damaged copies, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equivcheck.errors import InputError
from equivcheck.frontend.model import HunkLine, Patch
from equivcheck.frontend.patch.read import read_patches


def _read(fixtures_dir: Path, name: str) -> list[Patch]:
    path = fixtures_dir / "patches" / name
    return read_patches(path.read_bytes(), str(path))


def test_format_patch(fixtures_dir: Path) -> None:
    [patch] = _read(fixtures_dir, "format-patch.patch")
    assert patch.subject == "ringbuf: add ring_full() helper"
    assert patch.author == "Ada Fixture <ada@example.org>"
    assert patch.date == "Mon, 5 Jan 2026 10:00:00 +0000"
    assert patch.message == "Name the full-ring test; no functional change."
    assert not patch.damaged
    [fp] = patch.files
    assert (fp.old_path, fp.new_path) == ("src/ringbuf.c", "src/ringbuf.c")
    [hunk] = fp.hunks
    assert (hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len) == (31, 12, 31, 17)
    assert hunk.section == "static inline unsigned int ring_count(const struct ring *r)"
    assert hunk.lines[0] == HunkLine(" ", "\treturn r->head - r->tail;")
    assert HunkLine("-", "\tif (r->head - r->tail >= RING_SIZE) {") in hunk.lines
    assert HunkLine("+", "\tif (ring_full(r)) {") in hunk.lines
    assert hunk.lines[-1] == HunkLine(" ", "\t}")


def test_plain_diff_u(fixtures_dir: Path) -> None:
    [patch] = _read(fixtures_dir, "plain.diff")
    assert patch.subject == "plain.diff"
    assert patch.author == ""
    [fp] = patch.files
    # diff -u names a backup copy on the old side: that is no rename
    assert (fp.old_path, fp.new_path) == ("src/ringbuf.c", "src/ringbuf.c")
    assert [ln for ln in fp.hunks[0].lines if ln.kind != " "] == [
        HunkLine("-", "\t\tgoto out_unlock;"),
        HunkLine("+", "\t\tgoto out;"),
        HunkLine("-", "out_unlock:"),
        HunkLine("+", "out:"),
    ]


def test_git_diff(fixtures_dir: Path) -> None:
    [patch] = _read(fixtures_dir, "git-diff.diff")
    [hunk] = patch.files[0].hunks
    assert [ln for ln in hunk.lines if ln.kind != " "] == [
        HunkLine("-", "\tr->tail = 0;"),
        HunkLine("+", "\tr->tail=0;"),
    ]


def test_mbox_series_in_numbered_order(fixtures_dir: Path) -> None:
    patches = _read(fixtures_dir, "series.mbox")  # stored as cover, 3/3, 1/3, 2/3
    assert [p.index for p in patches] == [1, 2, 3]
    assert [p.subject for p in patches] == [
        "ringbuf: add ring_full() helper",
        "ringbuf: rename the exit label of ring_pop",
        "ringbuf: squeeze an assignment in ring_reset",
    ]
    assert patches[2].message == "Whitespace only."
    assert all(p.author == "Ada Fixture <ada@example.org>" for p in patches)


def test_damaged_copy_like_the_seed(fixtures_dir: Path) -> None:
    [patch] = _read(fixtures_dir, "damaged.txt")
    assert patch.damaged
    assert patch.subject == "ringbuf: add ring_full() helper"
    assert patch.author == "Ada Fixture"
    assert patch.date == "Mon Jan 05 2026 - 10:00:00 EST"
    assert patch.message == "Name the full-ring test; no functional change."
    [hunk] = patch.files[0].hunks
    assert (hunk.old_len, hunk.new_len) == (12, 17)
    assert hunk.lines[0] == HunkLine(" ", "return r->head - r->tail;")
    assert hunk.lines[-1] == HunkLine(" ", "}")  # the "-- " signature is not a removal
    assert HunkLine("+", "return ring_count(r) >= RING_SIZE;") in hunk.lines


def test_seed(fixtures_dir: Path) -> None:
    path = fixtures_dir / "seed" / "000_7b8ea4c1cd114cf9.txt"
    [patch] = read_patches(path.read_bytes(), str(path))
    assert patch.damaged
    assert patch.subject == "mm/rmap: refactor some code around lazyfree folio unmapping"
    assert patch.author == "Dev Jain"
    assert patch.date == "Tue May 26 2026 - 02:37:35 EST"
    assert patch.message.startswith("For lazyfree folio unmapping, after clearing")
    assert patch.message.endswith("Signed-off-by: Dev Jain <dev.jain@xxxxxxx>")
    [fp] = patch.files
    assert fp.path == "mm/rmap.c"
    spans = [(h.old_start, h.old_len, h.new_start, h.new_len) for h in fp.hunks]
    assert spans == [(2093, 6, 2093, 52), (2279, 47, 2325, 13), (2382, 7, 2394, 7)]
    last = fp.hunks[2]
    assert [ln.kind for ln in last.lines].count("-") == 1
    assert last.lines[-1] == HunkLine(" ", "mlock_drain_local();")
    assert fp.hunks[1].lines[3] == HunkLine("-", "int ref_count, map_count;")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("not-a-patch.txt", "no diff found"),
        ("latin1.patch", "not UTF-8 text (bad byte 0xeb at offset 79)"),
        ("empty.mbox", "the input is empty"),
        ("cover-only.mbox", "the mbox holds 1 message(s) but no diff"),
    ],
)
def test_bad_inputs(fixtures_dir: Path, name: str, problem: str) -> None:
    with pytest.raises(InputError) as err:
        _read(fixtures_dir, name)
    assert err.value.subject.endswith(name)
    assert err.value.problem.startswith(problem)
    assert err.value.hint


def test_whitespace_only_input_is_empty() -> None:
    with pytest.raises(InputError, match="empty"):
        read_patches(b"\n  \n", "blank.patch")


def test_created_and_deleted_files() -> None:
    text = (
        "diff --git a/new.c b/new.c\nnew file mode 100644\nindex 0000000..1111111\n"
        "--- /dev/null\n+++ b/new.c\n@@ -0,0 +1,2 @@\n+int a;\n+int b;\n"
        "diff --git a/old.c b/old.c\ndeleted file mode 100644\nindex 1111111..0000000\n"
        "--- a/old.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-int c;\n"
    )
    [patch] = read_patches(text.encode(), "cd.patch")
    assert [(f.old_path, f.new_path) for f in patch.files] == [(None, "new.c"), ("old.c", None)]


@given(
    st.lists(st.sampled_from(["int x;", "", "}", "foo(a, b);", "/* c */"]), min_size=1, max_size=8)
)
def test_stripping_indentation_keeps_the_structure(body: list[str]) -> None:
    """A diff and its copy without leading whitespace give the same line kinds."""
    old = [f"\t{t}" if t else "" for t in body]
    lines = [f" {t}" for t in old[:1]] + [f"-{t}" for t in old[1:]] + ["+\tnew();"]
    header = f"@@ -1,{len(old)} +1,2 @@ void f(void)\n"
    diff = "--- a/f.c\n+++ b/f.c\n" + header + "\n".join(lines) + "\n"
    damaged = "\n".join(ln.lstrip(" \t") for ln in diff.split("\n"))
    [clean] = read_patches(diff.encode(), "clean")
    [broken] = read_patches(damaged.encode(), "broken")
    kinds = [ln.kind for ln in clean.files[0].hunks[0].lines]
    assert [ln.kind for ln in broken.files[0].hunks[0].lines] == kinds
    texts = [ln.text.strip() for ln in clean.files[0].hunks[0].lines]
    assert [ln.text.strip() for ln in broken.files[0].hunks[0].lines] == texts


def test_git_show_output() -> None:
    text = (
        "commit 0123456789abcdef0123456789abcdef01234567\n"
        "Author: Ada Fixture <ada@example.org>\n"
        "Date:   Mon Jan 5 10:00:00 2026 +0000\n\n"
        "    ringbuf: tidy\n\n    Body line.\n\n"
        "diff --git a/f.c b/f.c\nindex 1..2 100644\n--- a/f.c\n+++ b/f.c\n"
        "@@ -1 +1 @@\n-int a;\n+int b;\n"
    )
    [patch] = read_patches(text.encode(), "show.txt")
    assert patch.author == "Ada Fixture <ada@example.org>"
    assert patch.date == "Mon Jan 5 10:00:00 2026 +0000"
    assert patch.subject == "ringbuf: tidy"
    assert patch.files[0].hunks[0].lines == [HunkLine("-", "int a;"), HunkLine("+", "int b;")]


def test_mail_without_mbox_line(fixtures_dir: Path) -> None:
    raw = (fixtures_dir / "patches" / "format-patch.patch").read_bytes()
    [patch] = read_patches(raw.split(b"\n", 1)[1], "mail.eml")
    assert patch.subject == "ringbuf: add ring_full() helper"
    assert patch.author == "Ada Fixture <ada@example.org>"
    assert not patch.damaged
