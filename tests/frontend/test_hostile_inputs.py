"""Hostile inputs to the front end: files that never end, paths that leave the tree,
mail headers in unknown charsets, control characters, hunks with an empty side."""

from __future__ import annotations

import base64
import io
import os
import threading
from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.applied import read_series_files
from equivcheck.frontend.patch.input import MAX_INPUT_BYTES, printable, read_file, read_stream
from equivcheck.frontend.patch.read import read_patches
from equivcheck.frontend.source.unattributed import unattributed_changes
from equivcheck.frontend.tree import open_tree
from equivcheck.frontend.workset import from_patch_file

from .test_tree import fake_tree

# ---------------------------------------------------------------------- reading


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "p.patch"
    os.mkfifo(fifo)
    outcome: list[BaseException | bytes] = []
    worker = threading.Thread(target=lambda: _catch(outcome, fifo), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "reading a FIFO blocked"
    [err] = outcome
    assert isinstance(err, InputError) and "not a regular file" in err.problem


def _catch(outcome: list[BaseException | bytes], path: Path) -> None:
    try:
        outcome.append(read_file(path))
    except InputError as err:
        outcome.append(err)


def test_a_device_is_refused() -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_file(Path("/dev/zero"))


def test_a_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.patch"
    with big.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)
    with pytest.raises(InputError) as err:
        read_file(big)
    assert err.value.problem == "larger than 64 MiB"


def test_a_stream_is_read_up_to_the_cap() -> None:
    assert read_stream(io.BytesIO(b"x" * 10), "-") == b"x" * 10
    with pytest.raises(InputError, match="larger than"):
        read_stream(io.BytesIO(b"x" * (MAX_INPUT_BYTES + 1)), "<stdin>")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_file(tmp_path / "nope")
    with pytest.raises(InputError, match="is a folder"):
        read_file(tmp_path)
    (tmp_path / "ok.patch").write_bytes(b"data")
    assert read_file(tmp_path / "ok.patch") == b"data"


# ---------------------------------------------------------------------- tree paths


def _escape_patch(path: str) -> str:
    return (
        f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-root:x:0:0::/root:/bin/bash\n"
        "+root:x:0:0::/root:/bin/sh\n"
    )


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "mm/../../x.c"])
def test_patch_paths_outside_the_tree_are_refused(tmp_path: Path, path: str) -> None:
    tree = open_tree(fake_tree(tmp_path / "t"))
    patch_file = tmp_path / "escape.patch"
    patch_file.write_text(_escape_patch(path))
    with pytest.raises(InputError) as err:
        from_patch_file(patch_file, tree)
    assert err.value.subject == path
    assert "outside the kernel tree" in err.value.problem
    with pytest.raises(InputError, match="outside the kernel tree"):
        read_series_files(tree, read_patches(patch_file.read_bytes(), "escape.patch"))


def test_a_symlink_the_tree_holds_is_followed(tmp_path: Path) -> None:
    """The tree's own symlinks are its content (a tree may be a view of symlinked
    folders); only the patch's own path is checked: relative, no '..'."""
    tree = open_tree(fake_tree(tmp_path / "t"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "util.c").write_text("int f(void) { return 1; }\n")
    (tree.root / "mm" / "link").symlink_to(outside)
    assert tree.read("mm/link/util.c").startswith("int f")
    with pytest.raises(InputError, match="outside the kernel tree"):
        tree.read("mm/link/../../../elsewhere/util.c")


def test_a_new_file_outside_the_tree_is_refused(tmp_path: Path) -> None:
    """A created file is written to a scratch overlay at its path: ../ must not leave it."""
    tree = open_tree(fake_tree(tmp_path / "t"))
    patch_file = tmp_path / "new.patch"
    patch_file.write_text("--- /dev/null\n+++ b/../evil.c\n@@ -0,0 +1 @@\n+int evil;\n")
    with pytest.raises(InputError, match="outside the kernel tree"):
        from_patch_file(patch_file, tree)


# ---------------------------------------------------------------------- mail headers

MBOX_DIFF = (
    "\nmsg\n---\ndiff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n"
    "@@ -1,3 +1,3 @@\n int f(void)\n {\n-\treturn 1;\n+\treturn 2;\n"
)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("[PATCH 1/2] =?x-unknown?Q?caf=E9?= fix", "caf\ufffd fix"),
        ("[PATCH 1/2] =?utf-8?B?!!!broken*base64?= fix", "fix"),
        ("[PATCH 1/2] =?utf-8?Q?caf=C3?= fix", "caf\ufffd fix"),
        ("[PATCH 1/2] =?utf-8?B?G1szMW1yZWQ=?= fix", "?[31mred fix"),
    ],
)
def test_mbox_headers_in_unknown_charsets_or_broken_encodings(subject: str, expected: str) -> None:
    mbox = (
        "From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n"
        "From: =?x-unknown?Q?J=F6rg?= <j@example.org>\n"
        "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
        f"Subject: {subject}\n" + MBOX_DIFF
    )
    [patch] = read_patches(mbox.encode(), "bad.mbox")
    assert patch.subject.endswith(expected)
    assert patch.author.endswith("<j@example.org>")
    assert [ln.kind for ln in patch.files[0].hunks[0].lines] == [" ", " ", "-", "+"]


@pytest.mark.parametrize(
    "charset",
    ["punycode", "utf-7", "idna", "rot13", "utf-8\x00", "x-unknown", "iso-2022-jp", "latin1"],
)
def test_a_declared_charset_cannot_make_diff_lines_vanish(charset: str) -> None:
    """Decoding a body as punycode kept the header and dropped the -/+ lines after the
    last '-' (read as EQUIVALENT); utf-8\\x00 and idna raised. A charset that does not
    leave ASCII as it is gives way to UTF-8, and every charset is read line by line."""
    body = "msg\n---\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-int a;\n+int b;\n"
    mbox = (
        "From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n"
        f"From: =?{charset}?B?w6k=?= <a@b>\nSubject: [PATCH] =?{charset}?Q?caf=E9-x?=\n"
        f'Content-Type: text/plain; charset="{charset}"\n'
        "Content-Transfer-Encoding: base64\n\n" + base64.b64encode(body.encode()).decode() + "\n"
    )
    for text in (mbox, mbox.split("\n", 1)[1]):  # an mbox, and the same mail alone
        [patch] = read_patches(text.encode(), "cs.mbox")
        lines = patch.files[0].hunks[0].lines
        assert [(ln.kind, ln.text) for ln in lines] == [("-", "int a;"), ("+", "int b;")]


def test_a_single_mail_with_a_bad_header_is_read() -> None:
    mail = "From: =?x-bad?B?!!!?= <a@b>\nSubject: [PATCH] =?x-unknown?Q?J=F6rg?= x\n" + MBOX_DIFF
    [patch] = read_patches(mail.encode(), "m.eml")
    assert patch.subject.endswith("x") and "\x1b" not in patch.subject


# ---------------------------------------------------------------------- control characters


def test_printable_drops_terminal_controls_but_keeps_tab_and_newline() -> None:
    assert printable("a\x1b[2Jb\tc\nd\x07e\x9bf\u202eg\x7f") == "a?[2Jb\tc\nd?e?f?g?"
    assert printable("mm/rmap.c") == "mm/rmap.c"


def test_paths_and_subjects_lose_control_characters() -> None:
    text = (
        "Subject: [PATCH] \x1b]0;pwned\x07title\n\n"
        "--- a/mm/\x1b[2Jx.c\n+++ b/mm/\x1b[2Jx.c\n@@ -1 +1 @@\n-int a;\n+int b;\n"
    )
    [patch] = read_patches(text.encode(), "ctl.patch")
    assert patch.files[0].path == "mm/?[2Jx.c"
    assert patch.subject == "?]0;pwned?title"


def test_a_recount_note_names_the_path_without_controls() -> None:
    text = "--- a/\x1bx.c\n+++ b/\x1bx.c\n@@ -1,1 +1,1 @@\n-int a;\n+int b;\n+int c;\n"
    [patch] = read_patches(text.encode(), "n.patch")
    assert patch.notes and "\x1b" not in patch.notes[0] and "?x.c" in patch.notes[0]


# ---------------------------------------------------------------------- empty hunk sides


NEW_FILE = (
    "diff --git a/lib/x.c b/lib/x.c\nnew file mode 100644\nindex 0000000..1111111\n"
    "--- /dev/null\n+++ b/lib/x.c\n@@ -0,0 +1,5 @@\n+#include <linux/string.h>\n"
    "+int f(const char *s)\n+{\n+\treturn strlen(s) + 1;\n+}\n"
)
DELETED_FILE = (
    "diff --git a/lib/x.c b/lib/x.c\ndeleted file mode 100644\nindex 1111111..0000000\n"
    "--- a/lib/x.c\n+++ /dev/null\n@@ -1,5 +0,0 @@\n-#include <linux/string.h>\n"
    "-int f(const char *s)\n-{\n-\treturn strlen(s) + 1;\n-}\n"
)
ZERO_CONTEXT = (
    "--- a/lib/x.c\n+++ b/lib/x.c\n@@ -10,0 +11,2 @@\n+\tif (!s)\n+\t\treturn 0;\n"
    "@@ -20,2 +21,0 @@\n-\tif (!s)\n-\t\treturn 0;\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NEW_FILE, [(1, "after", "#include <linux/string.h>")]),
        (DELETED_FILE, [(1, "before", "#include <linux/string.h>")]),
        (
            ZERO_CONTEXT,
            [
                (11, "after", "if (!s)"),
                (12, "after", "return 0;"),
                (20, "before", "if (!s)"),
                (21, "before", "return 0;"),
            ],
        ),
    ],
)
def test_hunks_with_an_empty_side_are_scanned(
    text: str, expected: list[tuple[int, str, str]]
) -> None:
    """A side with no lines crashed the outside-function scan (zip of unequal lists)."""
    [patch] = read_patches(text.encode(), "p.patch")
    found = unattributed_changes(patch)
    assert sorted((u.line, u.side, u.text) for u in found) == sorted(expected)
