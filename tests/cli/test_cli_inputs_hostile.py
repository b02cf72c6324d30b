"""Hostile input through the command line, in every mode it applies to: hunk counts
that disagree with their lines, hunks with an empty side, broken mail headers, inputs
that never end, revisions that read as options, patch paths that leave the tree,
terminal control characters. Each gives a sound verdict or one exit-3 line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .run import REPO, SEED, Result, assert_input_error, run

# kstrdup in linux 6.12 mm/util.c; the change drops the terminating NUL's byte.
KSTRDUP_BODY = (
    " \tif (!s)\n"
    " \t\treturn NULL;\n"
    " \n"
    "-\tlen = strlen(s) + 1;\n"
    "+\tlen = strlen(s);\n"
    " \tbuf = kmalloc_track_caller(len, gfp);\n"
)
UTIL = "diff --git a/mm/util.c b/mm/util.c\n--- a/mm/util.c\n+++ b/mm/util.c\n"
SECTION = " char *kstrdup(const char *s, gfp_t gfp)\n"
# The header covers the three context lines only: the change lies past its counts.
SHORT_COUNTS = UTIL + "@@ -60,3 +60,3 @@" + SECTION + KSTRDUP_BODY + "-- \n2.43.0\n"
# The same, with prose after the stray lines: the hunk's end is not certain.
UNCLEAR_END = UTIL + "@@ -60,3 +60,3 @@" + SECTION + KSTRDUP_BODY + "Thanks!\n"


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _json(result: Result) -> dict[str, object]:
    assert "Traceback" not in result.err, result.err
    doc: dict[str, object] = json.loads(result.out)
    return doc


def _functions(doc: dict[str, object]) -> list[tuple[object, object, object]]:
    rows = doc["functions"]
    assert isinstance(rows, list)
    return [(r["function"], r["status"], r["verdict"]) for r in rows]


def _notes(result: Result) -> list[str]:
    return [ln for ln in result.err.splitlines() if ln.startswith("equivcheck: note: ")]


def _b4(patch: str, cwd: Path, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "equivcheck", "b4-check", *args],
        input=patch.encode(),
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=600,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


# ---------------------------------------------------------------------- 1. hunk counts


def test_seed_stays_equivalent_without_a_note() -> None:
    result = run("check", SEED, "--format", "json")
    assert result.status == 0 and _json(result)["verdict"] == "equivalent"
    assert _notes(result) == []


def test_lines_past_the_counts_patch_alone(tmp_path: Path) -> None:
    """Was EQUIVALENT with an empty table: the change was dropped with the lines."""
    patch = _write(tmp_path, "short.patch", SHORT_COUNTS)
    result = run("check", patch, "--format", "json")
    doc = _json(result)
    assert result.status == 2 and doc["verdict"] == "unknown"
    assert [f[:2] for f in _functions(doc)] == [("kstrdup", "changed")]
    [note] = _notes(result)
    assert "short.patch: hunk 1 of mm/util.c (@@ -60,3 +60,3 @@) recounted" in note


def test_lines_past_the_counts_unclear_end_patch_alone(tmp_path: Path) -> None:
    patch = _write(tmp_path, "unclear.patch", UNCLEAR_END)
    result = run("check", patch)
    assert_input_error(result, "unclear.patch: hunk 1 of mm/util.c (@@ -60,3 +60,3 @@)")


def test_b4_check_is_not_silent_on_lines_past_the_counts(tmp_path: Path) -> None:
    status, out, _ = _b4(SHORT_COUNTS, tmp_path)
    assert status == 2 and "kstrdup" in out
    status, out, _ = _b4(SHORT_COUNTS, tmp_path, "-v")
    assert status == 2 and "b4-check: <stdin>: hunk 1 of mm/util.c" in out and "recounted" in out


def test_b4_check_reads_at_most_64_mib_of_stdin(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run(
            [sys.executable, "-m", "equivcheck", "b4-check"],
            stdin=zero,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.startswith("equivcheck: <stdin>: larger than 64 MiB; ")
    assert len(proc.stderr.splitlines()) == 1


@pytest.mark.kernel
def test_lines_past_the_counts_tree_mode(tmp_path: Path, kernel_tree: Path) -> None:
    patch = _write(tmp_path, "short.patch", SHORT_COUNTS)
    result = run("check", patch, "--tree", kernel_tree, "--format", "json")
    doc = _json(result)
    assert result.status == 1 and doc["verdict"] == "different"
    assert ("kstrdup", "changed", "different") in _functions(doc)
    assert len(_notes(result)) == 1
    unclear = _write(tmp_path, "unclear.patch", UNCLEAR_END)
    assert_input_error(run("check", unclear, "--tree", kernel_tree), "hunk 1 of mm/util.c")


@pytest.mark.kernel
def test_b4_check_in_the_tree_reports_lines_past_the_counts(kernel_tree: Path) -> None:
    status, out, err = _b4(SHORT_COUNTS, kernel_tree)
    assert (status, err) == (1, "")
    assert out.startswith("ERROR: kstrdup() changes behaviour")


# ---------------------------------------------------------------------- 2. empty hunk sides

NEW_FILE = (
    "diff --git a/lib/x.c b/lib/x.c\nnew file mode 100644\nindex 0000000..1111111\n"
    "--- /dev/null\n+++ b/lib/x.c\n@@ -0,0 +1,4 @@\n"
    "+int f(const char *s)\n+{\n+\treturn strlen(s) + 1;\n+}\n"
)
DELETED_FILE = NEW_FILE.replace("new file", "deleted file").replace(
    "--- /dev/null\n+++ b/lib/x.c\n@@ -0,0 +1,4 @@\n+int f(const char *s)\n+{\n+\treturn "
    "strlen(s) + 1;\n+}\n",
    "--- a/lib/x.c\n+++ /dev/null\n@@ -1,4 +0,0 @@\n-int f(const char *s)\n-{\n-\treturn "
    "strlen(s) + 1;\n-}\n",
)
# diff -U0: a pure addition and a pure removal, with no context at all.
ZERO_CONTEXT = (
    UTIL + "@@ -63,0 +64,1 @@" + SECTION + "+\tlen = 0;\n"
    "@@ -60,2 +60,0 @@" + SECTION + "-\tif (!s)\n-\t\treturn NULL;\n"
)


@pytest.mark.parametrize(
    ("text", "status"),
    [(NEW_FILE, "added"), (DELETED_FILE, "removed"), (ZERO_CONTEXT, "changed")],
)
def test_empty_hunk_sides_patch_alone(tmp_path: Path, text: str, status: str) -> None:
    """Each crashed in unattributed.py (a zip over lists of different lengths)."""
    patch = _write(tmp_path, "p.patch", text)
    result = run("check", patch, "--format", "json")
    doc = _json(result)
    assert result.status == 2 and doc["verdict"] == "unknown"
    assert {f[1] for f in _functions(doc)} == {status}


def test_deleted_file_lists_the_removed_function(tmp_path: Path) -> None:
    patch = _write(tmp_path, "del.patch", DELETED_FILE)
    result = run("functions", patch, "--format", "json")
    assert result.status == 0, result
    rows = json.loads(result.out)["functions"]
    assert [(r["function"], r["status"]) for r in rows] == [("f", "removed")]


@pytest.mark.kernel
@pytest.mark.parametrize(
    "text",
    [
        UTIL + "@@ -63,0 +64,1 @@" + SECTION + "+\tlen = 0;\n",
        UTIL + "@@ -60,2 +59,0 @@" + SECTION + "-\tif (!s)\n-\t\treturn NULL;\n",
    ],
)
def test_zero_context_hunks_tree_mode(tmp_path: Path, kernel_tree: Path, text: str) -> None:
    patch = _write(tmp_path, "u0.patch", text)
    result = run("check", patch, "--tree", kernel_tree, "--format", "json")
    assert result.status == 1 and _json(result)["verdict"] == "different"


@pytest.mark.kernel
def test_new_file_tree_mode_is_one_line(tmp_path: Path, kernel_tree: Path) -> None:
    patch = _write(tmp_path, "new.patch", NEW_FILE.replace("lib/x.c", "mm/ec_new.c"))
    result = run("check", patch, "--tree", kernel_tree)
    assert_input_error(result, "mm/ec_new.c")


# ---------------------------------------------------------------------- 3. mail headers

BAD_HEADERS = (
    "From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n"
    "From: =?x-unknown?Q?J=F6rg?= <j@example.org>\n"
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
    "Subject: [PATCH 1/1] =?utf-8?B?!!!broken*base64?= =?x-unknown?Q?caf=E9?= kstrdup\n"
    "\nmsg\n---\n" + UTIL + "@@ -60,5 +60,5 @@" + SECTION + KSTRDUP_BODY
)


def test_mbox_with_broken_headers_patch_alone(tmp_path: Path) -> None:
    patch = _write(tmp_path, "bad.mbox", BAD_HEADERS)
    result = run("check", patch, "--format", "json")
    doc = _json(result)
    assert result.status == 2 and [f[:2] for f in _functions(doc)] == [("kstrdup", "changed")]


@pytest.mark.kernel
def test_mbox_with_broken_headers_tree_mode(tmp_path: Path, kernel_tree: Path) -> None:
    patch = _write(tmp_path, "bad.mbox", BAD_HEADERS)
    result = run("check", patch, "--tree", kernel_tree, "--format", "json")
    assert result.status == 1 and _json(result)["verdict"] == "different"


# ---------------------------------------------------------------------- 4. endless inputs


def _run_with_timeout(*args: str | Path) -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "equivcheck", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=60,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def test_a_fifo_whose_writer_never_closes(tmp_path: Path) -> None:
    fifo = tmp_path / "p.patch"
    os.mkfifo(fifo)
    # A writer that holds the FIFO open and never closes it (killed at the end).
    writer = subprocess.Popen(
        [sys.executable, "-c", f"import time; f = open({str(fifo)!r}, 'w'); time.sleep(120)"]
    )
    try:
        for args in (
            ("check", fifo),
            ("functions", fifo),
            ("check", "--before", fifo, "--after", SEED),
        ):
            assert_input_error(_run_with_timeout(*args), str(fifo), "not a regular file")
    finally:
        writer.kill()
        writer.wait()


def test_dev_zero_and_huge_files(tmp_path: Path) -> None:
    assert_input_error(_run_with_timeout("check", "/dev/zero"), "/dev/zero", "not a regular")
    big = tmp_path / "big.c"
    with big.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024 + 1)
    assert_input_error(_run_with_timeout("check", big), "big.c: larger than 64 MiB")
    result = _run_with_timeout("check", "--before", "/dev/zero", "--after", big)
    assert_input_error(result, "/dev/zero")
    result = _run_with_timeout("check", "--before", SEED, "--after", big)
    assert_input_error(result, "larger than 64 MiB")


# ---------------------------------------------------------------------- 5. --rev


def _git_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "linux"
    (tree / "mm").mkdir(parents=True)
    (tree / "include" / "linux").mkdir(parents=True)
    (tree / "Makefile").write_text("# toy\n")
    (tree / "mm" / "x.c").write_text("int f(void)\n{\n\treturn 1;\n}\n")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
            cwd=tree,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    (tree / "mm" / "x.c").write_text("int f(void)\n{\n\treturn 2;\n}\n")
    git("commit", "-qam", "change")
    return tree


@pytest.mark.parametrize(
    "rev", ["--output={out}", "--output={out}..HEAD", "HEAD~1..--output={out}", "-n1"]
)
def test_rev_that_reads_as_an_option_creates_no_file(tmp_path: Path, rev: str) -> None:
    tree = _git_tree(tmp_path)
    out = tmp_path / "created-by-git"
    value = rev.format(out=out)
    result = run("check", "--tree", tree, f"--rev={value}")
    assert_input_error(result, "start with '-'")
    assert not out.exists()
    assert_input_error(run("functions", "--tree", tree, f"--rev={value}"), "start with '-'")
    assert not out.exists()


# ---------------------------------------------------------------------- 6. paths out of the tree


def _passwd_patch(path: str) -> str:
    return (
        f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-root:x:0:0:root:/root:/bin/bash\n"
        "+root:x:0:0:root:/root:/bin/sh\n"
    )


@pytest.mark.kernel
@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd"])
def test_paths_outside_the_tree_are_refused(tmp_path: Path, kernel_tree: Path, path: str) -> None:
    patch = _write(tmp_path, "escape.patch", _passwd_patch(path))
    for command in ("check", "functions"):
        result = run(command, patch, "--tree", kernel_tree)
        assert_input_error(result, f"equivcheck: {path}: is outside the kernel tree")
        assert "root:x" not in result.err


# ---------------------------------------------------------------------- 7. control characters

CONTROLS = (
    "Subject: [PATCH] \x1b]0;owned\x07\x1b[2J kstrdup\n\n"
    "--- a/mm/\x1b[31mutil.c\n+++ b/mm/\x1b[31mutil.c\n"
    "@@ -60,5 +60,5 @@" + SECTION + KSTRDUP_BODY
)


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_control_characters_never_reach_the_output(tmp_path: Path, fmt: str) -> None:
    patch = _write(tmp_path, "ctl.patch", CONTROLS)
    result = run("check", patch, "--format", fmt)
    assert result.status == 2, result
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "mm/?[31mutil.c" in result.out.replace("\\u001b", "\x1b")
    listed = run("functions", patch)
    assert listed.status == 0 and "\x1b" not in listed.out
