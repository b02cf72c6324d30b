"""gitrev: commits, patches and file versions from a throwaway repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.gitrev import commit_patch, commits_in_range, file_at

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Ada Fixture",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Fixture",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_AUTHOR_DATE": "2026-01-05T10:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-05T10:00:00+00:00",
}


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=ENV
    )
    return out.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, fixtures_dir: Path) -> Path:
    src = fixtures_dir / "patches" / "src"
    (tmp_path / "src").mkdir()
    _git(tmp_path, "init", "-q")
    for name, message in (
        ("ringbuf.c", "initial"),
        ("ringbuf.v1.c", "add ring_full() helper"),
        ("ringbuf.v3.c", "tidy ring_pop and ring_reset"),
    ):
        shutil.copy(src / name, tmp_path / "src" / "ringbuf.c")
        _git(tmp_path, "add", "src/ringbuf.c")
        _git(tmp_path, "commit", "-q", "-m", f"ringbuf: {message}")
    return tmp_path


def test_single_and_range(repo: Path) -> None:
    shas = _git(repo, "rev-list", "--reverse", "HEAD").split()
    assert commits_in_range(repo, "HEAD") == [shas[2]]
    assert commits_in_range(repo, "HEAD~2..HEAD") == shas[1:]
    assert commits_in_range(repo, shas[0][:10]) == [shas[0]]


def test_commit_patch(repo: Path, fixtures_dir: Path) -> None:
    sha = commits_in_range(repo, "HEAD~1")[0]
    patch = commit_patch(repo, sha)
    assert patch.subject == "ringbuf: add ring_full() helper"
    assert patch.author == "Ada Fixture <ada@example.org>"
    [fp] = patch.files
    assert fp.path == "src/ringbuf.c"
    assert fp.hunks[0].section == "static inline unsigned int ring_count(const struct ring *r)"
    assert patch.source.endswith(f"@{sha[:12]}")


def test_file_at(repo: Path, fixtures_dir: Path) -> None:
    src = fixtures_dir / "patches" / "src"
    assert file_at(repo, "HEAD~2", "src/ringbuf.c") == (src / "ringbuf.c").read_text()
    assert file_at(repo, "HEAD", "src/ringbuf.c") == (src / "ringbuf.v3.c").read_text()
    assert file_at(repo, "HEAD", "src/missing.c") is None


def test_errors(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(InputError) as err:
        commits_in_range(repo, "no-such-rev")
    assert err.value.problem == "unknown revision"
    with pytest.raises(InputError):
        commits_in_range(repo, "HEAD..no-such-rev")
    with pytest.raises(InputError, match="no commits"):
        commits_in_range(repo, "HEAD..HEAD")
    with pytest.raises(InputError, match="unknown revision"):
        file_at(repo, "no-such-rev", "src/ringbuf.c")
    plain = tmp_path_factory.mktemp("plain")
    with pytest.raises(InputError) as err:
        commits_in_range(plain, "HEAD")
    assert err.value.problem == "not a git repository"


@pytest.mark.parametrize(
    "rev",
    [
        "--output=OUT",
        "--output=OUT..HEAD",
        "HEAD..--output=OUT",
        "HEAD...--output=OUT",
        "-n1",
        "",
    ],
)
def test_revisions_that_read_as_options_are_refused(repo: Path, rev: str) -> None:
    """A revision starting with '-' reached git as an option: --output wrote a file."""
    out = repo / "out-file"
    with pytest.raises(InputError, match="start with '-'"):
        commits_in_range(repo, rev.replace("OUT", str(out)))
    assert not out.exists()
