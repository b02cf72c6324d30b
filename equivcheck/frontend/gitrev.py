"""Patches and file versions from a git repository (runs ``git``; I/O at the edge)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from equivcheck.errors import InputError
from equivcheck.frontend.model import Patch
from equivcheck.frontend.patch.read import read_patches


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError(str(repo), "git is not installed", "install git") from None


def _fail(repo: Path, what: str, out: subprocess.CompletedProcess[bytes]) -> InputError:
    message = out.stderr.decode("utf-8", errors="replace").strip().splitlines()
    first = message[0] if message else f"git exited with status {out.returncode}"
    if "not a git repository" in first:
        return InputError(
            str(repo), "not a git repository", "pass the top folder of a git checkout with --repo"
        )
    return InputError(
        f"{repo}: {what}",
        first.removeprefix("fatal: "),
        "check the revision with 'git log --oneline'",
    )


def _refuse_options(rev: str) -> None:
    """A revision (or an end of a range) starting with ``-`` would reach git as an
    option (``--output=FILE`` writes a file): refused."""
    ends = rev.replace("...", "..").split("..")
    if any(part.startswith("-") for part in [rev, *ends]) or not rev.strip():
        raise InputError(
            f"--rev {rev!r}",
            "a revision cannot be empty or start with '-'",
            "give a commit, branch or tag, or a range OLD..NEW",
        )


def commits_in_range(repo: Path, rev: str) -> list[str]:
    """Full hashes of ``rev``: one commit, or ``A..B`` oldest first."""
    _refuse_options(rev)
    if ".." in rev:
        out = _git(repo, "rev-list", "--reverse", "--end-of-options", rev, "--")
        if out.returncode != 0:
            raise _fail(repo, rev, out)
        commits = out.stdout.decode().split()
        if not commits:
            raise InputError(
                f"{repo}: {rev}", "the range holds no commits", "write the range as OLD..NEW"
            )
        return commits
    out = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if out.returncode != 0:
        probe = _git(repo, "rev-parse", "--git-dir")
        if probe.returncode != 0:
            raise _fail(repo, rev, probe)
        raise InputError(
            f"{repo}: {rev}", "unknown revision", "check the revision with 'git log --oneline'"
        )
    return [out.stdout.decode().strip()]


def commit_patch(repo: Path, sha: str) -> Patch:
    """The commit as a Patch (via ``git format-patch -1 --stdout``)."""
    out = _git(
        repo,
        "format-patch",
        "-1",
        "--stdout",
        "--no-signature",
        "--no-color",
        "--end-of-options",
        sha,
    )
    if out.returncode != 0:
        raise _fail(repo, sha, out)
    if not out.stdout.strip():
        raise InputError(
            f"{repo}: {sha}",
            "the commit changes no file (merge or empty)",
            "pick a commit with a diff",
        )
    patches = read_patches(out.stdout, f"{repo}@{sha[:12]}")
    return patches[0]


def file_at(repo: Path, rev: str, path: str) -> str | None:
    """The text of ``path`` at ``rev``, or None when the file does not exist there."""
    out = _git(repo, "cat-file", "-e", f"{rev}:{path}")
    if out.returncode != 0:
        commits_in_range(repo, rev)  # raises for a bad revision or repository
        return None
    shown = _git(repo, "show", f"{rev}:{path}")
    if shown.returncode != 0:
        raise _fail(repo, f"{rev}:{path}", shown)
    try:
        return shown.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"{repo}: {rev}:{path}",
            "the file is not UTF-8 text",
            "only C source in UTF-8 can be compared",
        ) from None
