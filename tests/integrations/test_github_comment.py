"""``equivcheck github-comment`` against a local fake of the GitHub REST API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from equivcheck.errors import InputError
from equivcheck.integrations.github import (
    GitHubClient,
    GitHubError,
    TransientError,
    next_link,
    upsert_comment,
)
from equivcheck.integrations.github_cli import MAX_COMMENT_CHARS, comment_body, github_comment
from tests.integrations.fake_github import REPO, FakeGitHub, serve

TOKEN = "ghs_s3cretTOKENvalue0123456789"
MARKER = "<!-- equivcheck-report -->"
HEAD = "a" * 40


def markdown_available() -> bool:
    try:
        import equivcheck.report.markdown  # noqa: F401
    except ImportError:
        return False
    return True


needs_markdown = pytest.mark.skipif(
    not markdown_available(), reason="equivcheck.report.markdown (render_markdown) not there yet"
)


def report(verdict: str = "different", reason: str = "the return values differ") -> dict[str, Any]:
    """A small report as check --format json writes it."""
    return {
        "tool": "equivcheck",
        "version": "0.1.0",
        "verdict": verdict,
        "functions": [
            {
                "file": "lib/calc.c",
                "function": "sub",
                "status": "changed",
                "verdict": verdict,
                "reason": reason,
                "mode": "light",
                "patch": "de3f3b8ab64a change sub",
                "patch_index": 1,
                "counterexample": {"inputs": {"a": 6, "b": 1}, "before": "returns 5"},
                "before_location": "lib/calc.c:8",
                "after_location": "lib/calc.c:8",
                "time_s": 0.07,
                "before_line": 6,
                "after_line": 6,
            }
        ],
        "unattributed": [],
    }


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with serve() as state:
        yield state


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value))
    return path


def pull_request_event(tmp_path: Path, number: int = 7, head: str = HEAD) -> Path:
    return write_json(
        tmp_path / "event.json",
        {
            "action": "synchronize",
            "number": number,
            "pull_request": {"number": number, "head": {"sha": head}},
        },
    )


def run_comment(
    github: FakeGitHub, report_path: Path, event: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """``equivcheck github-comment REPORT`` as Actions runs it."""
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(report_path.parent),
        "no_proxy": "127.0.0.1,localhost",
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": github.url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "4242",
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "equivcheck", "github-comment", str(report_path), *args],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
        timeout=60,
    )


def assert_no_token(proc: subprocess.CompletedProcess[str]) -> None:
    assert TOKEN not in proc.stdout
    assert TOKEN not in proc.stderr


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 3, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("equivcheck: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert_no_token(proc)


# ---------------------------------------------------------------------- the CLI


@needs_markdown
def test_first_run_creates_the_comment_and_the_second_updates_it(
    github: FakeGitHub, tmp_path: Path
) -> None:
    event = pull_request_event(tmp_path)
    first = write_json(tmp_path / "first.json", report("different"))
    proc = run_comment(github, first, event)
    assert proc.returncode == 0, proc.stderr
    assert "created the comment on kernel-dev/linux#7" in proc.stdout
    assert_no_token(proc)
    posts = github.calls("POST")
    assert [p.path for p in posts] == [f"/repos/{REPO}/issues/7/comments"]
    body = posts[0].body["body"]
    assert body.startswith(MARKER + "\n")
    assert "sub" in body and "4242" in body and HEAD[:12] in body

    second = write_json(tmp_path / "second.json", report("unknown", "too many paths"))
    proc = run_comment(github, second, event)
    assert proc.returncode == 0, proc.stderr
    assert "updated the comment" in proc.stdout
    assert len(github.calls("POST")) == 1
    patches = github.calls("PATCH")
    assert len(patches) == 1
    assert patches[0].path == f"/repos/{REPO}/issues/comments/{github.comments[7][0]['id']}"
    assert len(github.comments[7]) == 1
    assert "too many paths" in github.comments[7][0]["body"]
    for request in github.requests:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["user-agent"].startswith("equivcheck/")


@needs_markdown
def test_the_same_report_again_changes_nothing(github: FakeGitHub, tmp_path: Path) -> None:
    event = pull_request_event(tmp_path)
    path = write_json(tmp_path / "report.json", report())
    assert run_comment(github, path, event).returncode == 0
    proc = run_comment(github, path, event)
    assert proc.returncode == 0, proc.stderr
    assert "unchanged the comment" in proc.stdout
    assert len(github.calls("POST")) == 1
    assert github.calls("PATCH") == []


@needs_markdown
def test_the_marker_comment_is_found_on_a_later_page(github: FakeGitHub, tmp_path: Path) -> None:
    for i in range(5):
        github.add_comment(7, f"review comment {i}")
    github.add_comment(7, f"> {MARKER}\nquoting is not the comment")
    ours = github.add_comment(7, f"{MARKER}\nold report", bot=True)
    github.add_comment(7, "later comment")
    path = write_json(tmp_path / "report.json", report())
    proc = run_comment(github, path, pull_request_event(tmp_path))
    assert proc.returncode == 0, proc.stderr
    pages = [r.query.get("page", ["1"])[0] for r in github.calls("GET")]
    assert pages == ["1", "2", "3", "4"]
    assert github.calls("POST") == []
    assert [p.path for p in github.calls("PATCH")] == [f"/repos/{REPO}/issues/comments/{ours}"]


@needs_markdown
def test_a_403_is_one_line_and_exit_3(github: FakeGitHub, tmp_path: Path) -> None:
    github.fail_next("GET", 403, message="Resource not accessible by integration")
    path = write_json(tmp_path / "report.json", report())
    proc = run_comment(github, path, pull_request_event(tmp_path))
    assert_one_line_error(
        proc,
        "kernel-dev/linux",
        "HTTP 403: Resource not accessible by integration",
        "pull-requests: write",
        "workflow_run",
    )
    assert proc.stdout == ""
    assert len(github.requests) == 1


@pytest.mark.parametrize(
    ("status", "needles"),
    [
        (401, ["kernel-dev/linux", "HTTP 401", "GITHUB_TOKEN"]),
        (404, ["kernel-dev/linux", "HTTP 404", "pull-request number"]),
        (403, ["kernel-dev/linux", "rate limit is used up"]),
        (422, ["kernel-dev/linux", "HTTP 422"]),
        (301, ["kernel-dev/linux", "HTTP 301", "GITHUB_REPOSITORY"]),
    ],
)
def test_other_refusals_name_the_repository_and_what_to_do(
    github: FakeGitHub, status: int, needles: list[str]
) -> None:
    headers = {"x-ratelimit-remaining": "0"} if status == 403 else {}
    if status == 301:
        headers = {"Location": f"{github.url}/repos/kernel-dev/renamed/issues/7/comments"}
    github.fail_next("GET", status, message="No", headers=headers)
    delays: list[float] = []
    with pytest.raises(GitHubError) as err:
        list(client(github, delays).comments(7))
    for needle in needles:
        assert needle in err.value.one_line()
    assert delays == []
    assert len(github.requests) == 1


@needs_markdown
def test_a_5xx_is_retried_with_backoff(github: FakeGitHub, tmp_path: Path) -> None:
    github.fail_next("GET", 502, message="Bad Gateway")
    github.fail_next("GET", 503, message="Unavailable")
    path = write_json(tmp_path / "report.json", report())
    proc = run_comment(github, path, pull_request_event(tmp_path), "--backoff", "0.01")
    assert proc.returncode == 0, proc.stderr
    assert len(github.calls("GET")) == 3
    assert len(github.calls("POST")) == 1
    assert_no_token(proc)


def test_a_5xx_that_does_not_end_is_one_line(github: FakeGitHub) -> None:
    for _ in range(3):
        github.fail_next("GET", 500, message="Server Error")
    delays: list[float] = []
    with pytest.raises(TransientError) as err:
        list(client(github, delays, retries=2).comments(7))
    assert "kernel-dev/linux: cannot list the comments of pull request #7" in str(err.value)
    assert "HTTP 500: Server Error" in str(err.value) and "try again later" in str(err.value)
    assert delays == [1.0, 2.0]
    assert len(github.calls("GET")) == 3


@needs_markdown
def test_workflow_run_takes_the_number_from_the_artifact_and_checks_the_head(
    github: FakeGitHub, tmp_path: Path
) -> None:
    results = tmp_path / "results"
    results.mkdir()
    path = write_json(results / "report.json", report())
    (results / "pr-number").write_text("7\n")
    event = write_json(
        tmp_path / "event.json",
        {
            "workflow_run": {
                "head_sha": HEAD,
                "pull_requests": [],
                "html_url": "https://github.example/kernel-dev/linux/actions/runs/99",
            }
        },
    )
    github.heads[7] = HEAD
    proc = run_comment(github, path, event)
    assert proc.returncode == 0, proc.stderr
    assert next(r.path for r in github.calls("GET")) == f"/repos/{REPO}/pulls/7"
    assert len(github.calls("POST")) == 1
    assert "actions/runs/99" in github.comments[7][0]["body"]

    github.heads[7] = "b" * 40  # a newer push, or a forged number: no comment
    second = write_json(results / "report.json", report("unknown"))
    proc = run_comment(github, second, event)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::warning ")
    assert "not commenting" in proc.stderr
    assert github.calls("PATCH") == []


@needs_markdown
def test_a_missing_token_is_one_line(github: FakeGitHub, tmp_path: Path) -> None:
    path = write_json(tmp_path / "report.json", report())
    proc = run_comment(github, path, pull_request_event(tmp_path), GITHUB_TOKEN="")
    assert_one_line_error(proc, "GITHUB_TOKEN", "is not set")
    assert github.requests == []


@needs_markdown
@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"GITHUB_REPOSITORY": "no-slash"}, "GITHUB_REPOSITORY: not OWNER/NAME"),
        ({"GITHUB_API_URL": "http://api.github.example"}, "plain http"),
        ({"GITHUB_API_URL": "ftp://127.0.0.1"}, "not an http(s) URL"),
        ({"event": {"ref": "refs/heads/main"}}, "names no pull request"),
        ({"report": {"functions": "no"}}, "not an equivcheck report"),
        ({"pr-number": "7; rm -rf /"}, "does not hold a pull-request number"),
    ],
)
def test_bad_settings_are_input_errors(
    github: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, Any],
    needle: str,
) -> None:
    event: dict[str, Any] = {"pull_request": {"number": 7}}
    if "pr-number" in change:
        event = {"workflow_run": {"head_sha": HEAD, "pull_requests": []}}
        (tmp_path / "pr-number").write_text(change["pr-number"])
    path = write_json(tmp_path / "report.json", change.get("report", report()))
    env = {
        "GITHUB_API_URL": github.url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_PATH": str(write_json(tmp_path / "event.json", change.get("event", event))),
    }
    env.update({k: v for k, v in change.items() if k.startswith("GITHUB_")})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InputError) as err:
        github_comment.main([str(path)], standalone_mode=False)
    assert needle in err.value.one_line()
    assert TOKEN not in err.value.one_line()
    assert github.requests == []


@needs_markdown
def test_dry_run_prints_the_body(github: FakeGitHub, tmp_path: Path) -> None:
    path = write_json(tmp_path / "report.json", report())
    proc = run_comment(github, path, pull_request_event(tmp_path), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(MARKER)
    assert github.requests == []


# ---------------------------------------------------------------------- the client


def client(github: FakeGitHub, delays: list[float], retries: int = 3) -> GitHubClient:
    return GitHubClient(github.url, REPO, TOKEN, retries=retries, sleep=delays.append)


def test_backoff_doubles_and_honours_retry_after(github: FakeGitHub) -> None:
    github.fail_next("GET", 500)
    github.fail_next("GET", 502)
    github.fail_next("GET", 429, headers={"Retry-After": "7"})
    delays: list[float] = []
    assert list(client(github, delays).comments(7)) == []
    assert delays == [1.0, 2.0, 7.0]


def test_a_post_that_failed_after_creating_is_not_doubled(github: FakeGitHub) -> None:
    github.fail_next("POST", 502, then_apply=True)
    delays: list[float] = []
    body = f"{MARKER}\nreport"
    outcome = upsert_comment(client(github, delays), 7, body, MARKER)
    assert outcome.action == "unchanged"
    assert len(github.comments[7]) == 1
    assert len(github.calls("POST")) == 1
    assert delays == [1.0]


def test_a_post_that_failed_is_tried_again(github: FakeGitHub) -> None:
    github.fail_next("POST", 503)
    outcome = upsert_comment(client(github, []), 7, f"{MARKER}\nreport", MARKER)
    assert outcome.action == "created"
    assert len(github.calls("POST")) == 2
    assert len(github.comments[7]) == 1


def test_the_token_goes_to_the_api_host_only(github: FakeGitHub) -> None:
    gh = client(github, [])
    with pytest.raises(GitHubError, match="refusing to send the token"):
        gh.request("GET", "http://127.0.0.2:9/repos/x/y/issues/1/comments", "list")
    with pytest.raises(GitHubError, match="plain http"):
        GitHubClient("http://github.example/api/v3", REPO, TOKEN)
    assert TOKEN not in repr(gh)
    assert github.requests == []


@pytest.mark.parametrize("token", ["", "  ", "ghs_abc\r\nX-Injected: 1", "tok en"])
def test_a_malformed_token_is_refused_without_showing_it(token: str) -> None:
    with pytest.raises(GitHubError) as err:
        GitHubClient("https://api.github.com", REPO, token)
    assert "GITHUB_TOKEN" in err.value.one_line()
    assert token.strip() == "" or token not in err.value.one_line()


@pytest.mark.parametrize("name", ["a/..", "../b", "a/b/c", "a", "a/b c"])
def test_a_malformed_repository_is_refused(name: str) -> None:
    with pytest.raises(GitHubError, match="GITHUB_REPOSITORY"):
        GitHubClient("https://api.github.com", name, TOKEN)


def test_a_connection_error_is_transient() -> None:
    delays: list[float] = []
    gh = GitHubClient("http://127.0.0.1:9", REPO, TOKEN, retries=1, sleep=delays.append)
    with pytest.raises(TransientError) as err:
        list(gh.comments(7))
    assert "cannot reach" in str(err.value)
    assert TOKEN not in str(err.value)
    assert delays == [1.0]


def test_next_link() -> None:
    header = (
        '<https://api.github.com/repositories/1/issues/7/comments?page=2>; rel="next", '
        '<https://api.github.com/repositories/1/issues/7/comments?page=5>; rel="last"'
    )
    assert next_link(header) == "https://api.github.com/repositories/1/issues/7/comments?page=2"
    assert next_link('<https://x/y?page=1>; rel="prev"') is None
    assert next_link("") is None


def test_a_long_report_is_cut_to_fit() -> None:
    markdown = "# report\n```\n" + "x = 1\n" * 20_000 + "```\n"
    body = comment_body(markdown, MARKER, "<sub>footer</sub>")
    assert len(body) <= MAX_COMMENT_CHARS
    assert body.startswith(MARKER + "\n")
    assert body.rstrip().endswith("<sub>footer</sub>")
    assert sum(1 for line in body.splitlines() if line.startswith("```")) % 2 == 0
    assert "cut here" in body


@needs_markdown
def test_what_the_api_answers_cannot_inject_a_workflow_command(
    github: FakeGitHub, tmp_path: Path
) -> None:
    results = tmp_path / "results"
    results.mkdir()
    path = write_json(results / "report.json", report())
    (results / "pr-number").write_text("7\n")
    event = write_json(tmp_path / "event.json", {"workflow_run": {"head_sha": HEAD}})
    github.heads[7] = "\x1b[31m\n::error::injected"
    proc = run_comment(github, path, event)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1 and proc.stdout.startswith("::warning ")
    assert "\n::error::" not in proc.stdout and "\x1b" not in proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
