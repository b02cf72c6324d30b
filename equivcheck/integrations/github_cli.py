"""``equivcheck github-comment`` and ``equivcheck github-annotations``.

Both read a report written by ``equivcheck check --format json``. ``github-comment``
keeps ONE comment on the pull request up to date (found again by a hidden marker);
it reads what GitHub Actions sets: ``GITHUB_API_URL``, ``GITHUB_TOKEN``,
``GITHUB_REPOSITORY`` and ``GITHUB_EVENT_PATH``. ``github-annotations`` prints the
``::error``/``::warning`` workflow commands for the report.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from equivcheck.cli.options import PAUSE, PR_NUMBER, RETRIES
from equivcheck.errors import InputError
from equivcheck.frontend.patch.input import printable
from equivcheck.integrations.annotations import escape_data, render_annotations
from equivcheck.integrations.github import DEFAULT_API_URL, GitHubClient, upsert_comment
from equivcheck.report.schema import load_report, read_json

#: GitHub's limit on a comment body is 65536 characters; this leaves room to spare.
MAX_COMMENT_CHARS = 65_000

#: The file beside the report that carries the pull-request number in the results
#: artifact (written by the action's check step), for ``workflow_run`` events.
PR_NUMBER_FILE = "pr-number"

_MARKER_TEXT = re.compile(r"^[A-Za-z0-9 _.:/-]{1,100}$")

PathArg = click.Path(path_type=Path, dir_okay=False)


@dataclass(frozen=True)
class Target:
    """The pull request to comment on, and the commit the report must be about
    (``workflow_run`` events only: checked against the pull request's head)."""

    number: int
    expected_head: str = ""
    source: str = ""


# ---------------------------------------------------------------------- inputs


def read_event(environ: Mapping[str, str]) -> dict[str, Any]:
    """The webhook payload at ``GITHUB_EVENT_PATH`` ({} when the variable is unset)."""
    name = environ.get("GITHUB_EVENT_PATH", "")
    if not name:
        return {}
    hint = "the path of the webhook payload, as GitHub Actions sets it"
    event = read_json(Path(name), f"GITHUB_EVENT_PATH={name}", hint, "the event payload")
    return event if isinstance(event, dict) else {}


def find_target(event: Mapping[str, Any], report: Path, option: int | None) -> Target:
    """The pull request: ``--pr``; else the event's ``pull_request.number``; else, for
    ``workflow_run``, the run's pull request or the ``pr-number`` file of the results
    artifact beside ``report`` (then checked against the run's head commit)."""
    run = event.get("workflow_run")
    expected = ""
    if isinstance(run, Mapping) and isinstance(run.get("head_sha"), str):
        expected = run["head_sha"]
    if option is not None:
        return Target(option, expected, "--pr")
    pull = event.get("pull_request")
    if isinstance(pull, Mapping) and _is_number(pull.get("number")):
        return Target(int(pull["number"]), "", "the pull_request event")
    issue = event.get("issue")
    if isinstance(issue, Mapping) and "pull_request" in issue and _is_number(issue.get("number")):
        return Target(int(issue["number"]), "", "the issue_comment event")
    if isinstance(run, Mapping):
        pulls = run.get("pull_requests")
        first = pulls[0] if isinstance(pulls, list) and pulls else None
        if isinstance(first, Mapping) and _is_number(first.get("number")):
            return Target(int(first["number"]), expected, "the workflow_run event")
        stored = report.parent / PR_NUMBER_FILE
        if stored.is_file():
            text = stored.read_text(encoding="utf-8", errors="replace").strip()
            if not re.fullmatch(r"[1-9][0-9]{0,8}", text):
                raise InputError(str(stored), "does not hold a pull-request number")
            return Target(int(text), expected, str(stored))
    raise InputError(
        "GITHUB_EVENT_PATH",
        "names no pull request",
        f"run on pull_request events, pass --pr N, or put {PR_NUMBER_FILE} beside the report",
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# ---------------------------------------------------------------------- the comment body


def marker_line(text: str) -> str:
    """The hidden marker that starts the comment: ``<!-- TEXT -->``."""
    if not _MARKER_TEXT.match(text):
        raise InputError(f"--marker {text!r}", "may hold only letters, digits, spaces and _.:/-")
    return f"<!-- {text} -->"


def comment_body(markdown: str, marker: str, footer: str) -> str:
    """``marker``, the report and ``footer``, cut to fit GitHub's size limit."""
    room = MAX_COMMENT_CHARS - len(marker) - len(footer) - 200
    text = markdown.strip()
    if len(text) > room:
        cut = text.rfind("\n", 0, room)
        text = text[: cut if cut > 0 else room]
        if sum(1 for line in text.splitlines() if line.lstrip().startswith("```")) % 2:
            text += "\n```"
        text += (
            "\n\n**The report is cut here**: the whole report is in the job summary and "
            "in the report.json artifact."
        )
    return f"{marker}\n{text}\n\n{footer}\n"


def footer(event: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """The comment's last line: the commit checked and the run."""
    parts = ["Updated by equivcheck"]
    head = ""
    pull, run = event.get("pull_request"), event.get("workflow_run")
    if isinstance(pull, Mapping) and isinstance(pull.get("head"), Mapping):
        head = str(pull["head"].get("sha") or "")
    elif isinstance(run, Mapping):
        head = str(run.get("head_sha") or "")
    if re.fullmatch(r"[0-9a-f]{7,64}", head):
        parts.append(f"commit {head[:12]}")
    url = ""
    if isinstance(run, Mapping) and isinstance(run.get("html_url"), str):
        url = run["html_url"]
    elif environ.get("GITHUB_RUN_ID") and environ.get("GITHUB_REPOSITORY"):
        server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        url = f"{server}/{environ['GITHUB_REPOSITORY']}/actions/runs/{environ['GITHUB_RUN_ID']}"
    if re.fullmatch(r"https?://[^\s()<>]+", url):
        parts.append(f"[workflow run]({url})")
    return "<sub>" + " · ".join(parts) + "</sub>"


def report_markdown(doc: Mapping[str, Any]) -> str:
    """The report as Markdown (the shared renderer)."""
    from equivcheck.report.markdown import render_markdown

    return render_markdown(doc)


# ---------------------------------------------------------------------- commands


@click.command("github-comment")
@click.argument("report", type=PathArg)
@click.option("--pr", "pr", type=PR_NUMBER, help="Pull-request number.")
@click.option(
    "--marker",
    default="equivcheck-report",
    show_default=True,
    help="Hidden marker naming the comment (one comment per marker).",
)
@click.option(
    "--retries",
    default=4,
    show_default=True,
    type=RETRIES,
    help="Retries after a 5xx, 429 or connection error.",
)
@click.option(
    "--backoff",
    default=1.0,
    show_default=True,
    type=PAUSE,
    help="Seconds before the first retry; doubled for each next one.",
)
@click.option("--dry-run", is_flag=True, help="Print the comment instead of posting it.")
def github_comment(
    report: Path, pr: int | None, marker: str, retries: int, backoff: float, dry_run: bool
) -> int:
    """Post REPORT (from check --format json) as ONE pull-request comment, updated in
    place by later runs. Reads GITHUB_API_URL, GITHUB_TOKEN, GITHUB_REPOSITORY and
    GITHUB_EVENT_PATH as GitHub Actions sets them; the pull request is --pr, the
    event's, or (workflow_run) the pr-number file beside REPORT."""
    environ = os.environ
    doc = load_report(report)
    event = read_event(environ)
    mark = marker_line(marker)
    body = comment_body(report_markdown(doc), mark, footer(event, environ))
    if dry_run:
        sys.stdout.write(body)
        return 0
    target = find_target(event, report, pr)
    client = GitHubClient(
        api_url=environ.get("GITHUB_API_URL") or DEFAULT_API_URL,
        repository=_required(environ, "GITHUB_REPOSITORY", "OWNER/NAME of the repository"),
        token=_required(environ, "GITHUB_TOKEN", "env: GITHUB_TOKEN: ${{ github.token }}"),
        retries=retries,
        backoff_s=backoff,
    )
    where = f"{client.repository}#{target.number}"
    if target.expected_head:
        head = client.pull_request_head(target.number)
        if head != target.expected_head:
            message = (
                f"not commenting on {where}: the report is for {target.expected_head[:12]}"
                f" but the pull request's head is {head[:12]} (a newer push, or a"
                f" pull-request number from {target.source} that does not match the run)"
            )
            print(f"::warning title=equivcheck::{escape_data(message)}")
            print(f"equivcheck: {_line(message)}", file=sys.stderr)
            return 0
    outcome = upsert_comment(client, target.number, body, mark)
    print(_line(f"equivcheck: {outcome.action} the comment on {where}: {outcome.url}"))
    return 0


@click.command("github-annotations")
@click.argument("report", type=PathArg)
@click.option(
    "--tree",
    type=click.Path(path_type=Path, file_okay=False),
    help="The tree the report's paths are relative to, when it is not the top folder"
    " of the repository ($GITHUB_WORKSPACE).",
)
def github_annotations(report: Path, tree: Path | None) -> int:
    """Print ::error (DIFFERENT) and ::warning (UNKNOWN) workflow commands for REPORT at
    the after-version lines: at most 10 of each, then a notice counting the rest."""
    doc = load_report(report)
    prefix = _path_prefix(tree, os.environ.get("GITHUB_WORKSPACE", ""))
    for line in render_annotations(doc, prefix):
        print(line)
    return 0


def _path_prefix(tree: Path | None, workspace: str) -> str:
    """Where ``tree`` is inside the workspace (or the current folder): '' for the top."""
    if tree is None:
        return ""
    top = Path(workspace) if workspace else Path.cwd()
    try:
        rel = tree.resolve().relative_to(top.resolve())
    except ValueError:
        return ""
    return rel.as_posix() if rel.parts else ""


def _line(text: str) -> str:
    """One line for the log, whatever the environment or the API answered."""
    return " ".join(printable(text).split())


def _required(environ: Mapping[str, str], name: str, hint: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise InputError(name, "is not set", hint)
    return value
