"""A small GitHub REST client: the one pull-request comment equivcheck keeps up to date.

Only the standard library (``urllib.request``). The API base comes from the caller
(``GITHUB_API_URL`` in Actions), so GitHub Enterprise and a local test server work alike.
Transient failures (5xx, 429, connection errors, timeouts) are retried with exponential
backoff; 401/403/404 and other refusals raise :class:`GitHubError`, one line naming the
repository and what to do. The token is sent only to the API host, never across a
redirect, and never appears in a message.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from equivcheck import __version__
from equivcheck.errors import InputError

DEFAULT_API_URL = "https://api.github.com"

#: Comments fetched per page (GitHub's maximum).
PER_PAGE = 100

#: Pages followed at most when looking for the marker comment.
MAX_PAGES = 100

#: The longest wait a ``Retry-After`` header can impose, in seconds.
MAX_RETRY_AFTER_S = 60.0

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="([^"]*)"')


class GitHubError(InputError):
    """GitHub refused a request, or could not be reached: one line, exit status 3."""


class TransientError(GitHubError):
    """A failure worth trying again (5xx, 429, connection error, timeout), with the
    wait the server asked for, if it did."""

    def __init__(
        self, subject: str, problem: str, hint: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(subject, problem, hint)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Response:
    """A decoded API response."""

    status: int
    headers: Mapping[str, str]
    body: Any


@dataclass(frozen=True)
class Comment:
    """An issue (pull-request) comment."""

    id: int
    body: str
    url: str
    author_is_bot: bool = False


@dataclass(frozen=True)
class Outcome:
    """What :func:`upsert_comment` did: ``created``, ``updated`` or ``unchanged``."""

    action: Literal["created", "updated", "unchanged"]
    comment_id: int
    url: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: the token must not travel to another address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class GitHubClient:
    """Requests to one repository's REST API with a token."""

    api_url: str
    repository: str
    token: str = field(repr=False)
    retries: int = 4
    backoff_s: float = 1.0
    timeout_s: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        self.api_url = self.api_url.rstrip("/")
        try:
            parsed = urllib.parse.urlsplit(self.api_url)
            valid = parsed.scheme in {"http", "https"} and bool(parsed.hostname)
            valid = valid and parsed.port != 0  # reading the port checks it (0-65535)
        except ValueError:  # an unclosed [IPv6 address, a port that is not a number
            valid = False
        if not valid:
            raise GitHubError(
                "GITHUB_API_URL", f"not an http(s) URL: {self.api_url!r}", "unset it for github.com"
            )
        if parsed.scheme == "http" and parsed.hostname not in _LOOPBACK:
            raise GitHubError(
                "GITHUB_API_URL",
                f"refusing to send the token over plain http to {parsed.hostname}",
                "use the https URL of the API",
            )
        self.token = self.token.strip()
        if not self.token or not all(33 <= ord(c) < 127 for c in self.token):
            raise GitHubError(
                "GITHUB_TOKEN",
                "is empty or holds spaces or control characters",
                "pass the token itself (env: GITHUB_TOKEN: ${{ github.token }})",
            )
        if not _REPOSITORY.match(self.repository) or {".", ".."} & set(self.repository.split("/")):
            raise GitHubError(
                "GITHUB_REPOSITORY", f"not OWNER/NAME: {self.repository!r}", "set it as OWNER/NAME"
            )
        self._opener = urllib.request.build_opener(_NoRedirect())

    # ------------------------------------------------------------------ requests

    def url(self, path: str) -> str:
        """The absolute URL of an API path such as ``/repos/o/r/issues/1/comments``."""
        return self.api_url + path

    def request(
        self, method: str, url: str, what: str, payload: object = None, *, retry: bool = True
    ) -> Response:
        """Send one request; retried on transient failures when ``retry`` (idempotent
        requests only). ``what`` says in words what the request is for, for messages."""
        attempts = self.retries + 1 if retry else 1
        for attempt in range(attempts):
            try:
                return self._send(method, url, what, payload)
            except TransientError as err:
                if attempt + 1 >= attempts:
                    raise
                self.sleep(self.delay(attempt, err))
        raise AssertionError("unreachable")

    def delay(self, attempt: int, err: TransientError | None = None) -> float:
        """Seconds to wait before retry number ``attempt + 1``: exponential, or what
        the server asked for (capped)."""
        wait: float = self.backoff_s * float(2**attempt)
        if err is not None and err.retry_after is not None:
            wait = max(wait, min(err.retry_after, MAX_RETRY_AFTER_S))
        return wait

    def _send(self, method: str, url: str, what: str, payload: object) -> Response:
        self._check_same_host(url)
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", f"equivcheck/{__version__}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        # Unredirected: urllib never copies this header onto a redirect.
        req.add_unredirected_header("Authorization", f"Bearer {self.token}")
        try:
            with self._opener.open(req, timeout=self.timeout_s) as resp:
                raw = resp.read()
                headers = {k.lower(): v for k, v in resp.headers.items()}
                return Response(resp.status, headers, _decode(raw))
        except urllib.error.HTTPError as err:
            headers = {k.lower(): v for k, v in (err.headers or {}).items()}
            body = _decode(_read(err))
            raise self._refusal(err.code, headers, body, what) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
            reason = getattr(err, "reason", err)
            raise TransientError(
                self.repository,
                f"cannot {what}: cannot reach {self.api_url} ({self._redact(str(reason))})",
                "check GITHUB_API_URL and the network; try again later",
            ) from None

    def _refusal(
        self, status: int, headers: Mapping[str, str], body: Any, what: str
    ) -> GitHubError:
        said = ""
        if isinstance(body, Mapping) and isinstance(body.get("message"), str):
            said = " ".join(body["message"].split())[:200]
        said = self._redact(said)
        detail = f"HTTP {status}{f': {said}' if said else ''}"
        repo = self.repository
        retry_after = _retry_after(headers)
        if status == 429 or (status == 403 and retry_after is not None):
            return TransientError(
                repo,
                f"cannot {what}: rate limited by GitHub ({detail})",
                "try again later",
                retry_after,
            )
        if status == 403 and _rate_limited(headers, said):
            return GitHubError(
                repo,
                f"cannot {what}: the token's rate limit is used up ({detail})",
                "try again after the limit resets (header x-ratelimit-reset)",
            )
        if status >= 500:
            return TransientError(
                repo, f"cannot {what}: GitHub answered ({detail})", "try again later"
            )
        if status == 401:
            return GitHubError(
                repo,
                f"cannot {what}: the token was rejected ({detail})",
                "pass a valid token as GITHUB_TOKEN (env: GITHUB_TOKEN: ${{ github.token }})",
            )
        if status == 403:
            return GitHubError(
                repo,
                f"cannot {what}: the token may not do this ({detail})",
                "give the commenting job 'permissions: pull-requests: write'; a pull request"
                " from a fork gets a read-only token: comment from a workflow_run job"
                " (docs/github-action.md)",
            )
        if status == 404:
            return GitHubError(
                repo,
                f"cannot {what}: not found ({detail})",
                "check GITHUB_REPOSITORY and the pull-request number; a token without access"
                " to a private repository also gets 404",
            )
        if 300 <= status < 400:
            return GitHubError(
                repo,
                f"cannot {what}: the API redirects ({detail}), which is not followed",
                "the repository may have moved: set GITHUB_REPOSITORY to its new name",
            )
        return GitHubError(repo, f"cannot {what}: GitHub answered ({detail})")

    def _check_same_host(self, url: str) -> None:
        base = urllib.parse.urlsplit(self.api_url)
        target = urllib.parse.urlsplit(url)
        if (target.scheme, target.netloc) != (base.scheme, base.netloc) or not (
            target.path == base.path or target.path.startswith(base.path.rstrip("/") + "/")
        ):
            raise GitHubError(
                self.repository,
                f"refusing to send the token to {target.scheme}://{target.netloc}{target.path}",
                f"only {self.api_url} is trusted (GITHUB_API_URL)",
            )

    def _redact(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text

    # ------------------------------------------------------------------ endpoints

    def comments(self, number: int) -> Iterator[Comment]:
        """The comments of issue or pull request ``number``, oldest first, following
        the ``Link: <...>; rel="next"`` pagination."""
        url: str | None = self.url(
            f"/repos/{self.repository}/issues/{number}/comments?per_page={PER_PAGE}"
        )
        pages = 0
        while url is not None and pages < MAX_PAGES:
            pages += 1
            resp = self.request("GET", url, f"list the comments of pull request #{number}")
            if not isinstance(resp.body, list):
                raise GitHubError(
                    self.repository,
                    f"the comments of pull request #{number} are not a JSON list",
                    "check GITHUB_API_URL",
                )
            for item in resp.body:
                comment = _comment(item)
                if comment is not None:
                    yield comment
            url = next_link(resp.headers.get("link", ""))

    def create_comment(self, number: int, body: str) -> Comment:
        """Post a new comment (not retried here: a retried POST could post twice)."""
        resp = self.request(
            "POST",
            self.url(f"/repos/{self.repository}/issues/{number}/comments"),
            f"comment on pull request #{number}",
            {"body": body},
            retry=False,
        )
        return self._expect_comment(resp, "the new comment")

    def update_comment(self, comment_id: int, body: str) -> Comment:
        """Replace the body of comment ``comment_id``."""
        resp = self.request(
            "PATCH",
            self.url(f"/repos/{self.repository}/issues/comments/{comment_id}"),
            f"update comment {comment_id}",
            {"body": body},
        )
        return self._expect_comment(resp, f"comment {comment_id}")

    def pull_request_head(self, number: int) -> str:
        """The head commit (sha) of pull request ``number``."""
        resp = self.request(
            "GET",
            self.url(f"/repos/{self.repository}/pulls/{number}"),
            f"read pull request #{number}",
        )
        head = resp.body.get("head") if isinstance(resp.body, Mapping) else None
        sha = head.get("sha") if isinstance(head, Mapping) else None
        if not isinstance(sha, str):
            raise GitHubError(
                self.repository, f"pull request #{number} has no head sha in the answer"
            )
        return sha

    def _expect_comment(self, resp: Response, what: str) -> Comment:
        comment = _comment(resp.body)
        if comment is None:
            raise GitHubError(self.repository, f"GitHub's answer for {what} is not a comment")
        return comment


# ---------------------------------------------------------------------- the one comment


def find_comment(client: GitHubClient, number: int, marker: str) -> Comment | None:
    """The comment whose body starts with ``marker`` (a bot's first, else the oldest)."""
    found = [c for c in client.comments(number) if c.body.startswith(marker)]
    bots = [c for c in found if c.author_is_bot]
    chosen = bots or found
    return chosen[0] if chosen else None


def upsert_comment(client: GitHubClient, number: int, body: str, marker: str) -> Outcome:
    """Create the marker comment on pull request ``number``, or update it in place.

    ``body`` must start with ``marker``. A failed POST is never simply repeated: the
    comments are listed again first, so a POST that GitHub carried out before failing
    is updated rather than doubled."""
    if not body.startswith(marker):
        raise ValueError("the comment body must start with the marker")
    for attempt in range(client.retries + 1):
        existing = find_comment(client, number, marker)
        if existing is not None:
            if existing.body == body:
                return Outcome("unchanged", existing.id, existing.url)
            updated = client.update_comment(existing.id, body)
            return Outcome("updated", updated.id, updated.url)
        try:
            created = client.create_comment(number, body)
        except TransientError as err:
            if attempt >= client.retries:
                raise
            client.sleep(client.delay(attempt, err))
            continue
        return Outcome("created", created.id, created.url)
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------- helpers


def next_link(header: str) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    for url, rel in _LINK.findall(header or ""):
        if "next" in rel.split():
            return str(url)
    return None


def _comment(item: object) -> Comment | None:
    if not isinstance(item, Mapping):
        return None
    ident, body = item.get("id"), item.get("body")
    if not isinstance(ident, int) or isinstance(ident, bool):
        return None
    user = item.get("user")
    is_bot = isinstance(user, Mapping) and user.get("type") == "Bot"
    url = item.get("html_url")
    return Comment(ident, body if isinstance(body, str) else "", str(url or ""), is_bot)


def _decode(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8", errors="replace"))
    except json.JSONDecodeError:
        return None


def _read(err: urllib.error.HTTPError) -> bytes:
    try:
        return err.read()
    except OSError:
        return b""


def _rate_limited(headers: Mapping[str, str], said: str) -> bool:
    return headers.get("x-ratelimit-remaining") == "0" or "rate limit" in said.lower()


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after", "")
    try:
        return float(value)
    except ValueError:
        return None
