"""``equivcheck b4-check`` driven the way b4 drives a per-patch check command.

b4 (0.16) pipes the patch mail into the command, runs it at the top of the git tree,
and reads its output: a stdout line with ``ERROR:`` fails the patch, any other stdout
line or any stderr line is reported too (stderr as a failure), and no output passes.
So every run here is ``python -m equivcheck b4-check`` with the patch on stdin and the
working directory in a tree, checking stdout, stderr and the exit status; the last
tests run the real ``b4 am --check`` and ``b4 prep --check`` offline.

The three cases in a kernel tree: the patch applies (the shared configured 6.12 tree,
used read-only), it is already applied (a ``cp -al`` copy of that tree made once per
module, whose ``mm/rmap.c`` is replaced, never written through its hard link, with
the series committed in a git repository that tracks only that file), or it applies
neither way (a patch against another base).
"""

from __future__ import annotations

import email.policy
import hashlib
import mailbox
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from equivcheck.equiv.check import FunctionResult
from equivcheck.frontend.applied import (
    backward_steps,
    find_commit,
    forward_steps,
    reverse_patch,
)
from equivcheck.frontend.patch.apply import apply_series
from equivcheck.frontend.patch.read import read_patches
from equivcheck.frontend.source.unattributed import Unattributed
from equivcheck.frontend.workset import PatchWork
from equivcheck.integrations.b4 import Finding, applied_direction, findings, shorten
from equivcheck.integrations.b4_mail import repair_headers
from equivcheck.verdict import VerdictName

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
KERNEL_PATCHES = FIXTURES / "patches" / "kernel"
ENGINE = FIXTURES / "engine"
SEED = FIXTURES / "seed" / "000_7b8ea4c1cd114cf9.txt"
MUTANT_01 = ENGINE / "mutants" / "01-drop-rmb.patch"
RENAME = KERNEL_PATCHES / "rmap-rename-label.patch"
EXTRACT = KERNEL_PATCHES / "rmap-extract-helper.patch"
ADD_CONTINUE = KERNEL_PATCHES / "rmap-loop-add-continue.patch"
UPSTREAM_FORM = KERNEL_PATCHES / "rmap-lazyfree-upstream-form.patch"


@dataclass
class Run:
    status: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def b4_check(patch: Path | bytes, cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """``python -m equivcheck b4-check ARGS`` as b4 runs it: patch on stdin, in ``cwd``."""
    data = patch.read_bytes() if isinstance(patch, Path) else patch
    proc = subprocess.run(
        [sys.executable, "-m", "equivcheck", "b4-check", *args],
        input=data,
        cwd=cwd,
        capture_output=True,
        env=env,
        check=False,
    )
    return Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def with_cache(cache: Path) -> dict[str, str]:
    return dict(os.environ, EQUIVCHECK_CACHE=str(cache))


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "master")
    git(path, "config", "user.name", "Equivcheck Tests")
    git(path, "config", "user.email", "tests@equivcheck.invalid")
    return path


def replace(path: Path, text: str) -> None:
    """Write a new file in place of ``path`` (unlink first: never through a hard link)."""
    path.unlink()
    path.write_text(text)


# ---------------------------------------------------------------------- pure parts


def test_direction_prefers_the_lines_a_direction_had_to_find() -> None:
    assert applied_direction(True, False, {"+", "-"}) == "applies"
    assert applied_direction(False, True, {"+", "-"}) == "applied"
    assert applied_direction(False, False, {"+", "-"}) == "neither"
    # Only additions: they apply anywhere their context is; finding them decides.
    assert applied_direction(True, True, {"+"}) == "applied"
    # Only removals: they undo anywhere; finding the removed lines decides.
    assert applied_direction(True, True, {"-"}) == "applies"


def test_undoing_a_series_gives_back_the_original() -> None:
    src = FIXTURES / "patches" / "src"
    original = (src / "ringbuf.c").read_text()
    final = (src / "ringbuf.v3.c").read_text()
    series = read_patches((FIXTURES / "patches" / "series.mbox").read_bytes(), "series")
    forward = forward_steps({"src/ringbuf.c": original}, series)
    assert forward[-1].after["src/ringbuf.c"] == final
    backward = backward_steps({"src/ringbuf.c": final}, series)
    assert [s.before for s in backward] == [s.before for s in forward]
    assert [s.after for s in backward] == [s.after for s in forward]
    assert reverse_patch(reverse_patch(series[0])) == series[0]


def test_find_commit_by_patch_id(tmp_path: Path) -> None:
    src = FIXTURES / "patches" / "src"
    repo = git_repo(tmp_path / "repo")
    (repo / "src").mkdir()
    (repo / "src" / "ringbuf.c").write_text((src / "ringbuf.c").read_text())
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    (repo / "src" / "ringbuf.c").write_text((src / "ringbuf.v1.c").read_text())
    git(repo, "commit", "-qam", "ringbuf: add ring_full() helper")
    sha = git(repo, "rev-parse", "HEAD").strip()
    mail = (FIXTURES / "patches" / "format-patch.patch").read_bytes()
    assert find_commit(repo, mail) == sha
    assert find_commit(repo, (FIXTURES / "patches" / "git-diff.diff").read_bytes()) is None
    assert find_commit(tmp_path, mail) is None  # not a git checkout


def _result(
    function: str,
    verdict: VerdictName,
    reason: str = "why",
    status: str = "changed",
    **extra: object,
) -> FunctionResult:
    result = FunctionResult("mm/x.c", function, status, verdict, reason, "tree", "p", 1)
    for name, value in extra.items():
        setattr(result, name, value)
    return result


def test_findings_one_line_each_checkpatch_style() -> None:
    results = [
        _result("same", "equivalent"),
        _result(
            "caller",
            "different",
            reason="compared the changed part (1 region(s)); the rest of the function is "
            "the same text in both versions: the after version\n  skips foo()",
            after_location="mm/x.c:12",
            inlined=["helper"],
        ),
        _result("helper", "different", status="added", reason="checked through its callers"),
        _result("odd", "unknown", reason="says ERROR: inside", after_line=40),
    ]
    outside = [
        Unattributed("mm/x.c", 3, "before", "#define A 1"),
        Unattributed("mm/x.c", 3, "after", "#define A 2"),
        Unattributed("mm/Kconfig", 0, "after", "a file that is not C source"),
    ]
    work = PatchWork("p", None, [], outside)
    lines = [f.line() for f in findings(results, [work])]
    assert lines == [
        "ERROR: caller() changes behaviour: the after version skips foo() (mm/x.c:12)",
        "WARNING: odd() not proved equivalent: says error: inside (mm/x.c:40)",
        "WARNING: change outside any function not checked: #define A 1 (mm/x.c:3; 1 more line(s))",
        "WARNING: change outside any function not checked: a file that is not C source "
        "(mm/Kconfig)",
    ]


def test_long_reasons_are_cut_at_a_clause() -> None:
    reason = "first clause here; " * 20
    short = shorten(reason, 100)
    assert len(short) <= 104 and short.endswith("first clause here ...")
    assert Finding("WARNING", "a", "ERROR: b").line() == "WARNING: a (error: b)"


def _mail(extra: str, body: str) -> bytes:
    return f"From: A <a@example.org>\nSubject: [PATCH] x\n{extra}\n\n{body}".encode()


def test_headers_follow_the_body_b4_decoded() -> None:
    diff = "---\ndiff --git a/x.c b/x.c\n@@ -1 +1 @@\n-a = 1;\n+a = 2;\n"
    plain = "Content-Transfer-Encoding: 8bit"
    for declared in ("base64", "quoted-printable"):
        sent = _mail(f"Content-Transfer-Encoding: {declared}", diff)
        assert repair_headers(sent) == _mail(plain, diff)
    multipart = 'Content-Type: multipart/mixed;\n boundary="==b=="'
    text = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit"
    assert repair_headers(_mail(multipart, diff)) == _mail(text, diff)
    # Mails in the form they declare stay as they are.
    encoded = [
        _mail("Content-Transfer-Encoding: base64", "LS0tCmRpZmYgLS1naXQ=\n"),
        _mail("Content-Transfer-Encoding: quoted-printable", "a =3D 1;=\n"),
        _mail(multipart, "--==b==\n\n" + diff + "--==b==--\n"),
        b"From 0123 Mon Sep 17 00:00:00 2001\nFrom: A\n\nbody",
        b"not a mail",
    ]
    for mail in encoded:
        assert repair_headers(mail) == mail


# ---------------------------------------------------------------------- outside a kernel tree


def test_patch_alone_equivalent_is_silent(tmp_path: Path) -> None:
    run = b4_check(SEED, tmp_path)
    assert (run.status, run.out, run.err) == (0, "", "")


def test_patch_alone_different_is_one_error_line(tmp_path: Path) -> None:
    run = b4_check(MUTANT_01, tmp_path)
    assert run.status == 1 and run.err == ""
    assert run.lines == [
        "ERROR: try_to_unmap_one() changes behaviour: from the start of region 1, the before "
        "version falls off the end of region 2 where the after version jumps to walk_abort "
        "(mm/rmap.c:2328)"
    ]


def test_verbose_explains_on_stdout_only(tmp_path: Path) -> None:
    run = b4_check(MUTANT_01, tmp_path, "-v")
    assert run.status == 1 and run.err == ""
    notes = [line for line in run.lines if line.startswith("b4-check: ")]
    assert (
        notes[0] == f"b4-check: case 3: no kernel tree at {tmp_path}: checking from the patch alone"
    )
    assert notes[-1] == "b4-check: 2 function(s) checked: 2 different; verdict different"
    assert all("ERROR:" not in line for line in notes)
    assert run.lines[-1].startswith("ERROR: try_to_unmap_one() changes behaviour")


def test_unknown_is_a_warning_line(tmp_path: Path) -> None:
    run = b4_check(ENGINE / "mutants" / "47-return-skips-unlock.patch", tmp_path)
    assert run.status == 2 and run.err == ""
    assert len(run.lines) == 1
    assert run.lines[0].startswith("WARNING: example_try_reclaim() not proved equivalent: ")
    assert "ERROR:" not in run.out


def test_bad_input_is_one_line_on_stderr(tmp_path: Path) -> None:
    run = b4_check(FIXTURES / "patches" / "not-a-patch.txt", tmp_path)
    assert (run.status, run.out) == (3, "")
    assert run.err.startswith("equivcheck: <stdin>: no diff found")
    assert len(run.err.splitlines()) == 1


def test_a_patch_without_hunks_is_a_warning(tmp_path: Path) -> None:
    rename = (
        b"From: A <a@example.org>\nSubject: [PATCH] mm: rename x.c\n\n---\n"
        b"diff --git a/mm/x.c b/mm/y.c\nsimilarity index 100%\n"
        b"rename from mm/x.c\nrename to mm/y.c\n"
    )
    run = b4_check(rename, tmp_path)
    assert (run.status, run.err) == (2, "")
    assert run.lines == ["WARNING: no text change to check: rename, mode or binary change only"]


def _fake_kernel_tree(root: Path, configured: bool) -> Path:
    for folder in ("mm", "include/linux", "include/generated"):
        (root / folder).mkdir(parents=True)
    (root / "Makefile").write_text("")
    (root / "mm" / "example_lazyfree.c").write_text((ENGINE / "base" / "lazyfree.c").read_text())
    if configured:
        (root / ".config").write_text("")
        (root / "include" / "generated" / "autoconf.h").write_text("")
    return root


def test_unconfigured_tree_falls_back_to_the_patch_alone(tmp_path: Path) -> None:
    tree = _fake_kernel_tree(tmp_path / "linux", configured=False)
    patch = ENGINE / "refactors" / "01-label-rename.patch"
    assert b4_check(patch, tree) == Run(0, "", "")
    run = b4_check(patch, tree, "-v")
    assert "is not configured" in run.lines[0] and run.lines[0].startswith("b4-check: case 3: ")


def test_tree_trouble_falls_back_to_the_patch_alone(tmp_path: Path) -> None:
    tree = _fake_kernel_tree(git_repo(tmp_path / "linux"), configured=True)
    patch = ENGINE / "refactors" / "01-label-rename.patch"
    env = with_cache(tmp_path / "cache")
    assert b4_check(patch, tree, env=env) == Run(0, "", "")
    run = b4_check(patch, tree / "mm", "-v", env=env)  # found as the git top level
    assert run.lines[0] == f"b4-check: kernel tree {tree} (configured)"
    assert run.lines[1].startswith("b4-check: case 3: tree mode failed (mm/example_lazyfree.c: ")
    assert run.err == ""


# ---------------------------------------------------------------------- case 1: the patch applies


@pytest.mark.kernel
def test_applies_equivalent_is_silent(kernel_tree: Path) -> None:
    # From the patch alone this is UNKNOWN (too little context): silence means tree mode.
    assert b4_check(RENAME, kernel_tree) == Run(0, "", "")


@pytest.mark.kernel
def test_applies_different_is_an_error_line(kernel_tree: Path) -> None:
    run = b4_check(UPSTREAM_FORM, kernel_tree)
    assert (run.status, run.err) == (1, "")
    [line] = run.lines
    assert line.startswith("ERROR: try_to_unmap_one() changes behaviour: ")
    assert line.endswith(
        "the after version does not perform folio_set_swapbacked() (mm/rmap.c:1907)"
    )


# ---------------------------------------------------------------------- case 2: already applied


@dataclass
class AppliedTree:
    """A hard-linked copy of the kernel tree whose ``mm/rmap.c`` has the rename and
    extract-helper series committed (git tracks only that file; ``upstream`` is the
    base), and the texts of that file at each point."""

    root: Path
    cache: Path
    texts: list[str]

    def write(self, text: str) -> None:
        replace(self.root / "mm" / "rmap.c", text)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def applied_tree(
    kernel_tree: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppliedTree]:
    shared = kernel_tree / "mm" / "rmap.c"
    digest = _digest(shared)
    base = tmp_path_factory.mktemp("b4-applied")
    root = base / "linux"
    start = time.perf_counter()
    subprocess.run(["cp", "-al", str(kernel_tree), str(root)], check=True)
    copied = time.perf_counter() - start
    assert copied < 30, f"cp -al took {copied:.1f} s"
    series = [read_patches(p.read_bytes(), p.name)[0] for p in (RENAME, EXTRACT)]
    original = shared.read_text()
    texts = [original] + [
        r["mm/rmap.c"] or "" for r in apply_series({"mm/rmap.c": original}, series)
    ]
    tree = AppliedTree(root, base / "cache", texts)
    git_repo(root)
    for text, message in zip(texts, ("base", "mm/rmap: rename", "mm/rmap: extract"), strict=True):
        tree.write(text)
        git(root, "add", "-f", "mm/rmap.c")  # the tarball's .gitignore would skip it
        git(root, "commit", "-qm", message)
    git(root, "branch", "upstream", "HEAD~2")
    assert (root / "mm" / "rmap.c").stat().st_ino != shared.stat().st_ino
    yield tree
    subprocess.run(["rm", "-rf", str(root)], check=True)
    assert _digest(shared) == digest


@pytest.mark.kernel
def test_applied_commit_found_by_patch_id(applied_tree: AppliedTree) -> None:
    # The rename neither applies nor can be undone on top of the extract-helper patch,
    # and from the patch alone it is UNKNOWN: silence means commit against parent.
    run = b4_check(RENAME, applied_tree.root, env=with_cache(applied_tree.cache))
    assert run == Run(0, "", "")


@pytest.mark.kernel
def test_applied_to_the_files_is_undone_in_memory(applied_tree: AppliedTree) -> None:
    patch = read_patches(ADD_CONTINUE.read_bytes(), "c")[0]
    changed = apply_series({"mm/rmap.c": applied_tree.texts[-1]}, [patch])[0]["mm/rmap.c"]
    assert changed is not None
    applied_tree.write(changed)  # applied, not committed
    try:
        env = with_cache(applied_tree.cache)
        run = b4_check(ADD_CONTINUE, applied_tree.root, "-v", "--budget", "3", env=env)
    finally:
        applied_tree.write(applied_tree.texts[-1])
    assert (run.status, run.err) == (1, "")
    assert run.lines[1].startswith("b4-check: case 2: the patch is already applied to the files")
    # The direction is right: the after version is the tree as it stands.
    assert any(
        line.startswith(
            "ERROR: __folio_add_anon_rmap() changes behaviour: the after version also "
            "performs PageAnonExclusive()"
        )
        and "shown on the whole function run from its start" in line
        and line.endswith(")")
        and "(mm/rmap.c:13" in line
        for line in run.lines
    ), "\n".join(run.lines)


# ---------------------------------------------------------------------- case 3: another base


@pytest.mark.kernel
def test_other_base_equivalent_is_silent(kernel_tree: Path) -> None:
    assert b4_check(SEED, kernel_tree) == Run(0, "", "")
    run = b4_check(SEED, kernel_tree, "-v")
    assert run.lines[1].startswith("b4-check: case 3: the patch neither applies")


@pytest.mark.kernel
def test_other_base_different_is_an_error_line(kernel_tree: Path) -> None:
    run = b4_check(MUTANT_01, kernel_tree)
    assert (run.status, run.err) == (1, "")
    assert [line.split(":", 1)[0] for line in run.lines] == ["ERROR"]


# ---------------------------------------------------------------------- the real b4


def _b4() -> Path:
    pytest.importorskip("b4")
    found = shutil.which("b4", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the b4 command is not installed next to this interpreter")
    return Path(found)


def _b4_env(tmp: Path, cache: Path | None = None) -> dict[str, str]:
    """No user or system git config, b4 cache and config in ``tmp``, no network."""
    return dict(
        os.environ,
        HOME=str(tmp),
        XDG_CACHE_HOME=str(tmp / "xdg-cache"),
        XDG_CONFIG_HOME=str(tmp / "xdg-config"),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        EQUIVCHECK_CACHE=str(cache or tmp / "equivcheck-cache"),
    )


def _run_b4(
    b4: Path, cwd: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(b4), "--offline-mode", "--no-stdin", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


CHECK_CMD = f"{sys.executable} -m equivcheck b4-check"


def _reencode(path: Path) -> None:
    """Send patch 2 as base64 and patch 3 as a multipart mail with the diff attached:
    b4 hands both to the check command decoded, under their original headers."""
    box = mailbox.mbox(str(path))
    keys = list(box.keys())
    messages = [
        email.message_from_bytes(box.get_bytes(k), policy=email.policy.default) for k in keys
    ]
    second, third = messages[1], messages[2]
    assert isinstance(second, email.message.EmailMessage)
    assert isinstance(third, email.message.EmailMessage)
    second.set_content(second.get_content(), cte="base64")
    text, diff = re.split(r"(?m)^---\n", third.get_content(), maxsplit=1)
    third.set_content(text or "Subject only.\n")
    third.add_attachment(diff.encode(), maintype="text", subtype="x-patch", filename="p.patch")
    box.clear()
    for message in messages:
        box.add(message)
    box.flush()
    box.close()


def test_real_b4_am_check(tmp_path: Path) -> None:
    b4 = _b4()
    import b4 as b4_module

    flags: dict[str, str] = b4_module.CI_FLAGS_FANCY
    repo = git_repo(tmp_path / "repo")
    (repo / "mm").mkdir()
    for name in ("lazyfree", "zap", "reclaim"):
        (repo / "mm" / f"example_{name}.c").write_text((ENGINE / "base" / f"{name}.c").read_text())
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    for patch in (
        "refactors/01-label-rename",
        "mutants/43-de-morgan-wrong",
        "mutants/47-return-skips-unlock",
    ):
        path = ENGINE / f"{patch}.patch"
        subject = next(ln for ln in path.read_text().splitlines() if ln.startswith("Subject: "))
        git(repo, "apply", str(path))
        git(repo, "commit", "-qam", subject.removeprefix("Subject: [PATCH] "))
    mbox = tmp_path / "series.mbox"
    mbox.write_text(git(repo, "format-patch", "--thread", "-3", "--stdout"))
    _reencode(mbox)
    git(repo, "config", "b4.am-perpatch-check-cmd", CHECK_CMD)
    git(repo, "config", "b4.attestation-policy", "off")
    env = _b4_env(tmp_path)
    proc = _run_b4(b4, repo, env, "am", "-m", str(mbox), "--check", "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    name = Path(sys.executable).name

    def check_line(counter: str) -> str:
        at = next(i for i, ln in enumerate(lines) if f"[PATCH {counter}]" in ln)
        return lines[at + 1].strip()

    assert check_line("1/3") == f"{flags['success']} {name}: passed all checks"
    assert check_line("2/3") == (
        f"{flags['fail']} {name}: ERROR: example_zap_present() changes behaviour: the after "
        "version also performs folio_set_referenced() (mm/example_zap.c:45)"
    )
    assert check_line("3/3").startswith(
        f"{flags['warning']} {name}: WARNING: example_try_reclaim() not proved equivalent: "
    )


@pytest.mark.kernel
def test_real_b4_prep_check(applied_tree: AppliedTree, tmp_path: Path) -> None:
    # Silence for the rename can only come from its commit (see above): b4 prep runs
    # the command at the top of the tree, where the commits of the series are applied.
    b4 = _b4()
    root = applied_tree.root
    env = _b4_env(tmp_path, applied_tree.cache)
    git(root, "config", "b4.prep-perpatch-check-cmd", CHECK_CMD)
    git(root, "config", "b4.prep-cover-strategy", "branch-description")
    enrolled = _run_b4(b4, root, env, "prep", "-e", "upstream")
    assert enrolled.returncode == 0, enrolled.stderr
    proc = _run_b4(b4, root, env, "prep", "--check")
    assert proc.returncode == 0, proc.stderr
    assert "Success: 2, Warning: 0, Error: 0" in proc.stderr, proc.stderr
