"""Hostile arguments and inputs at the command line: every one is one line on stderr
and exit status 3 (or 130 for Ctrl-C), never a traceback, a hang, a half-written or
replaced output file, markup applied or a terminal escape sequence passed through."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import pytest

from equivcheck.cli import output
from equivcheck.cli.main import app
from equivcheck.errors import InputError
from equivcheck.integrations.b4_cli import b4_check
from equivcheck.integrations.github_cli import github_annotations, github_comment
from equivcheck.report.schema import problem

from .run import PATCHES, REPO, SEED, assert_input_error, run

MUTANT = REPO / "fixtures" / "engine" / "mutants" / "01-drop-rmb.patch"
UNKNOWN = REPO / "fixtures" / "engine" / "refactors" / "12-move-pure-computation.patch"
BINARY = REPO / "fixtures" / "binary"
#: What no output for a terminal may hold: ESC, CSI (C1), BEL, other C0 controls.
CONTROL = [chr(c) for c in range(0x20) if chr(c) not in "\t\n"] + ["\x7f", "\x9b", "\x85"]


def _no_controls(text: str) -> None:
    found = sorted({repr(c) for c in CONTROL if c in text})
    assert not found, found


# ---------------------------------------------------------------------- the schema


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ((SEED,), 0),
        ((MUTANT,), 1),
        ((UNKNOWN,), 2),
        ((PATCHES / "macro-change.diff",), 2),
        ((PATCHES / "series.mbox",), None),
    ],
    ids=["seed", "different", "unknown", "outside-functions", "series"],
)
def test_every_document_check_writes_fits_the_schema_and_renders(
    tmp_path: Path, args: tuple[Path, ...], status: int | None
) -> None:
    report = tmp_path / "report.json"
    result = run("check", *args, "--format", "json", "-o", report)
    assert status is None or result.status == status, result
    doc = json.loads(report.read_text())
    assert problem(doc) == ""
    for fmt in ("table", "markdown", "email", "sarif", "json"):
        rendered = run("render", report, "--format", fmt)
        assert rendered.status == result.status and rendered.err == "", (fmt, rendered)


def test_the_binary_opinion_fits_the_schema() -> None:
    pytest.importorskip("angr", reason="angr is not installed")
    before, after = BINARY / "lazyfree.c", BINARY / "mutant_dropped_call.c"
    result = run("check", "--before", before, "--after", after, "--binary", "--format", "json")
    doc = json.loads(result.out)
    assert any(f["binary"] and f["binary"]["opinion"] == "disagree" for f in doc["functions"])
    assert problem(doc) == ""


@pytest.mark.kernel
def test_a_tree_mode_document_fits_the_schema(kernel_tree: Path) -> None:
    patch = PATCHES / "kernel" / "mlock-union-write-reordered.patch"
    result = run("check", patch, "--tree", kernel_tree, "--format", "json")
    doc = json.loads(result.out)
    assert doc["functions"] and {f["mode"] for f in doc["functions"]} == {"tree"}
    assert problem(doc) == ""


def _report(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("command", ["render", "github-annotations", "github-comment"])
def test_a_report_of_the_wrong_types_is_one_line_with_the_json_path(
    tmp_path: Path, command: str
) -> None:
    doc = json.loads((REPO / "tests" / "cli" / "hostile_report.json").read_text())
    doc["functions"][0]["counterexample"] = ["not", "an", "object"]
    report = _report(tmp_path, doc)
    extra = ["--dry-run"] if command == "github-comment" else []
    assert_input_error(run(command, report, *extra), str(report), "$.functions[0].counterexample")


@pytest.mark.parametrize("command", ["render", "github-annotations", "github-comment"])
@pytest.mark.parametrize(
    ("content", "needle"),
    [("<html>", "is not JSON"), ("[]", "JSON array"), ("", "is empty")],
)
def test_what_is_not_a_report_is_one_line(
    tmp_path: Path, command: str, content: str, needle: str
) -> None:
    report = tmp_path / "report.json"
    report.write_text(content)
    assert_input_error(run(command, report), str(report), needle)


def test_a_fifo_and_dev_zero_as_a_report_neither_hang_nor_fill_memory(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    assert_input_error(run("render", fifo), str(fifo), "is empty")
    assert_input_error(run("render", "/dev/zero"), "/dev/zero", "larger than")


# ---------------------------------------------------------------------- output files


@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("/proc/x/report.json", "folder does not exist"),
        ("/proc/report.json", "cannot write it"),
        ("/dev/full", "No space left on device"),
        ("TMP/" + "n" * 300, "File name too long"),
        ("TMP/missing/report.json", "folder does not exist"),
        ("TMP", "is a folder"),
    ],
)
def test_output_that_cannot_be_written_is_one_line_and_leaves_nothing(
    tmp_path: Path, target: str, needle: str
) -> None:
    path = target.replace("TMP", str(tmp_path))
    before = sorted(os.listdir(tmp_path))
    assert_input_error(run("check", SEED, "--format", "json", "-o", path), needle)
    assert sorted(os.listdir(tmp_path)) == before
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # a device is never replaced


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "fsync", full)
    with pytest.raises(InputError, match=r"No space left on device\); free some space"):
        output.write_atomically(target, "new report")
    assert os.listdir(tmp_path) == ["report.json"] and target.read_text() == "old"


def test_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    output.write_atomically(link, "{}\n")
    assert link.is_symlink() and real.read_text() == "{}\n"
    assert stat.S_IMODE(real.stat().st_mode) & 0o044  # not the temporary's 0600


def test_a_full_standard_output_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "equivcheck", "functions", SEED],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            check=False,
        )
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "equivcheck: standard output: cannot write (No space left on device); "
        "write with -o FILE instead"
    ]


# ---------------------------------------------------------------------- numeric options


def _whole_app() -> click.Group:
    for command in (b4_check, github_comment, github_annotations):
        app.add_command(command)
    return app


#: Every numeric option of every command, with a value it must refuse.
REFUSED = [
    (cmd, option, value)
    for cmd, options in {
        "check": ["--timeout", "--budget", "--max-paths", "--unroll"],
        "b4-check": ["--timeout", "--budget", "--max-paths", "--unroll"],
        "prepare-tree": ["--jobs"],
        "github-comment": ["--pr", "--retries", "--backoff"],
    }.items()
    for option in options
    for value in ["nan", "inf", "-inf", "-1", "1e400", "x", ""]
]
ZERO_MEANS_NOTHING = ["--timeout", "--budget", "--max-paths", "--jobs", "--pr"]


@pytest.mark.parametrize(("command", "option", "value"), REFUSED)
def test_every_numeric_option_refuses_nonsense(command: str, option: str, value: str) -> None:
    args = {"check": [str(SEED)], "prepare-tree": ["/tmp"], "github-comment": ["r.json"]}
    with pytest.raises(click.BadParameter) as caught:
        _whole_app().main([command, *args.get(command, []), option, value], standalone_mode=False)
    assert option in caught.value.format_message() or option in str(caught.value.param_hint)


@pytest.mark.parametrize("option", ZERO_MEANS_NOTHING)
def test_zero_is_refused_where_it_means_nothing(option: str) -> None:
    command = {"--jobs": "prepare-tree", "--pr": "github-comment"}.get(option, "check")
    args = {"check": [str(SEED)], "prepare-tree": ["/tmp"], "github-comment": ["r.json"]}
    with pytest.raises(click.BadParameter):
        _whole_app().main([command, *args[command], option, "0"], standalone_mode=False)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_a_bad_timeout_is_one_line_with_exit_3(value: str) -> None:
    assert_input_error(run("check", SEED, "--timeout", value), "--timeout", "seconds above 0")


def test_an_unroll_of_zero_is_allowed() -> None:
    assert run("check", SEED, "--unroll", "0", "-q").status in {0, 2}


# ---------------------------------------------------------------------- markup, escapes


def _hostile_patch(tmp_path: Path) -> Path:
    subject = "\x1b[31mred\x1b[0m [link=https://evil.example]click[/link] \x9b2J \x07bell"
    files = [("mm/[/x].c", "f", "a + 1", "1 + a"), ("mm/[bold]y.c", "g", "a + 2", "3 + a")]
    text = (
        "From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001\n"
        f"From: A <a@b.c>\nSubject: [PATCH] {subject}\n\n---\n"
    )
    for name, func, old, new in files:
        text += (
            f"diff --git a/{name} b/{name}\n--- a/{name}\n+++ b/{name}\n@@ -1,4 +1,4 @@\n"
            f" int {func}(int a)\n {{\n-\treturn {old};\n+\treturn {new};\n }}\n"
        )
    path = tmp_path / "hostile.patch"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["functions", "check", "ir-diff"])
def test_names_from_a_patch_print_literally_without_escape_sequences(
    tmp_path: Path, command: str
) -> None:
    result = run(command, _hostile_patch(tmp_path))
    assert result.status in {0, 1, 2} and "Traceback" not in result.err, result
    assert "mm/[/x].c" in result.out and "mm/[bold]y.c" in result.out
    assert "[link=https://evil.example]click[/link]" in result.out or command == "ir-diff"
    _no_controls(result.out + result.err)


@pytest.mark.parametrize("fmt", ["table", "email", "markdown"])
def test_a_hostile_report_renders_literally_without_escape_sequences(fmt: str) -> None:
    report = REPO / "tests" / "cli" / "hostile_report.json"
    result = run("render", report, "--format", fmt)
    assert result.status == 1 and result.err == "", result
    _no_controls(result.out)
    if fmt == "table":
        for literal in ("mm/[/x].c", "[bold]f", "[red]b", "returns [blink]4", "[/]disjoint"):
            assert literal in result.out, literal
        # The saved report's change outside every function is shown (it makes the verdict).
        assert "change outside any function at mm/[/x].c?[31m:9 (after)" in result.out
        assert "[link=https://evil.example]z[/link]" in result.out


def test_hostile_annotations_hold_no_escape_sequences() -> None:
    result = run("github-annotations", REPO / "tests" / "cli" / "hostile_report.json")
    assert result.status == 0 and result.err == ""
    assert result.out.startswith("::error file=mm/[/x].c")
    _no_controls(result.out)


def test_an_error_naming_hostile_input_stays_one_clean_line(tmp_path: Path) -> None:
    name = tmp_path / "a\x1b[2Jb\nc.patch"
    result = run("check", name)
    assert_input_error(result, "no such file")
    _no_controls(result.err)


# ---------------------------------------------------------------------- Ctrl-C


def _slow_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two versions whose difference takes z3 minutes to show (a mixing function)."""
    body = """unsigned long mix(unsigned long x, unsigned long y)
{
	x ^= y >> 31;
	x *= 0xff51afd7ed558ccdUL;
	y ^= x >> 29;
	y *= 0xc4ceb9fe1a85ec53UL;
	x ^= y * x;
	y ^= x >> 33;
	y *= x | 1;
	if ((x ^ y) == 0x123456789abcdef1UL)
		return RESULT;
	return 0;
}
"""
    before, after = tmp_path / "before.c", tmp_path / "after.c"
    before.write_text(body.replace("RESULT", "1"))
    after.write_text(body.replace("RESULT", "0"))
    return before, after


def test_ctrl_c_stops_a_solver_bound_check_writes_nothing_and_exits_130(tmp_path: Path) -> None:
    before, after = _slow_pair(tmp_path)
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    args = ["check", "--before", before, "--after", after, "--timeout", "600"]
    args += ["--budget", "600", "--format", "json", "-o", report]
    proc = subprocess.Popen(
        [sys.executable, "-m", "equivcheck", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    time.sleep(4)  # well inside the solver query
    assert proc.poll() is None, "the check ended before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert time.monotonic() - sent < 10
    assert proc.returncode == 130, err
    assert (out, err) == ("", "equivcheck: interrupted\n")
    assert os.listdir(report.parent) == []


def test_ctrl_c_while_loading_is_interrupted_too() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "equivcheck", "check", str(SEED)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    if proc.returncode == 0:  # the machine was fast: the check had finished
        return
    if proc.returncode == -signal.SIGINT:
        # The signal came while the interpreter itself was starting or shutting down,
        # outside any handler of Python's: it ended the process as it ends any program
        # (a shell shows 130), with at most the one line written.
        assert err in ("", "equivcheck: interrupted\n"), err
        return
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert err.strip().splitlines() == ["equivcheck: interrupted"]


# ---------------------------------------------------------------------- other commands


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("ir", "/tmp", "f"), ["/tmp", "folder"]),
        (("ir", SEED, "nosuch", "--side", "before"), ["no", "function named nosuch"]),
        (
            ("ir", SEED, "try_to_unmap_one", "--side", "before", "--dot", "/proc/x.dot"),
            ["/proc/x.dot", "cannot write it"],
        ),
        (("ir-diff", SEED, "--tree", "/tmp"), ["not a Linux kernel tree"]),
        (("functions", "--before", "/dev/null", "--after", "/dev/null"), ["/dev/null"]),
        (("prepare-tree", "/nonexistent-tree"), ["no such directory"]),
        (("render", "/nonexistent.json"), ["no such file"]),
        (("check", SEED, "--tree", "a/" * 3000), ["File name too long"]),
        (("check", SEED, "-o", "a/" * 3000 + "r.json"), ["File name too long"]),
        (("prepare-tree", "n" * 300), ["File name too long"]),
    ],
    ids=[
        "ir-folder",
        "ir-no-function",
        "ir-dot",
        "ir-diff-no-tree",
        "devnull",
        "prepare",
        "render",
        "long-tree",
        "long-output",
        "long-prepare",
    ],
)
def test_other_commands_refuse_in_one_line(args: tuple[Any, ...], needles: list[str]) -> None:
    assert_input_error(run(*args), *needles)


@pytest.mark.parametrize(
    "stdin", [b"", b"garbage\n", bytes(range(256)) * 4], ids=["empty", "text", "binary"]
)
def test_b4_check_with_garbage_on_stdin(stdin: bytes) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "equivcheck", "b4-check"],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    err = proc.stderr.decode()
    assert proc.returncode == 3 and proc.stdout == b"" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("equivcheck: <stdin>")


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"GITHUB_EVENT_PATH": "/"}, "is a folder"),
        ({"GITHUB_EVENT_PATH": "/dev/zero"}, "larger than"),
        ({"GITHUB_EVENT_PATH": "EVENT", "GITHUB_REPOSITORY": ""}, "GITHUB_REPOSITORY"),
        ({"GITHUB_EVENT_PATH": "EVENT", "GITHUB_API_URL": "http://[::1"}, "GITHUB_API_URL"),
        ({"GITHUB_EVENT_PATH": "EVENT", "GITHUB_API_URL": "http://127.0.0.1:99999"}, "URL"),
        ({"GITHUB_EVENT_PATH": "EVENT", "GITHUB_TOKEN": "a\nb"}, "GITHUB_TOKEN"),
    ],
    ids=["event-folder", "event-zero", "no-repo", "bad-ipv6", "bad-port", "token"],
)
def test_github_comment_with_a_bad_environment(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"pull_request": {"number": 5}}')
    report = _report(tmp_path, {"tool": "equivcheck", "verdict": "equivalent", "functions": []})
    base = {"GITHUB_REPOSITORY": "a/b", "GITHUB_TOKEN": "t", "GITHUB_API_URL": "http://127.0.0.1:1"}
    full = {**os.environ, **base, **{k: v.replace("EVENT", str(event)) for k, v in env.items()}}
    proc = subprocess.run(
        [sys.executable, "-m", "equivcheck", "github-comment", str(report), "--retries", "0"],
        capture_output=True,
        text=True,
        env=full,
        cwd=REPO,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 3 and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and needle in proc.stderr
