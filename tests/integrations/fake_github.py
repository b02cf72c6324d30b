"""A local stand-in for the few GitHub REST endpoints equivcheck uses, on 127.0.0.1.

``GET/POST /repos/{o}/{r}/issues/{n}/comments`` (paginated with ``Link`` headers),
``PATCH /repos/{o}/{r}/issues/comments/{id}`` and ``GET /repos/{o}/{r}/pulls/{n}``.
Every request is recorded; failures can be queued for the next matching requests.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO = "kernel-dev/linux"


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Failure:
    """An answer to give instead of the normal one (``then_apply``: carry the request
    out first, as a server that fails after doing the work)."""

    method: str
    status: int
    message: str = "failure"
    headers: dict[str, str] = field(default_factory=dict)
    then_apply: bool = False


@dataclass
class FakeGitHub:
    """The server's state: comments per issue, pull-request heads, queued failures."""

    page_size: int = 2
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    heads: dict[int, str] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_comment(self, number: int, body: str, bot: bool = False) -> int:
        """Put a comment on issue ``number`` as if someone had posted it."""
        with self.lock:
            self.next_id += 1
            ident = self.next_id
            user = {
                "login": "github-actions[bot]" if bot else "someone",
                "type": "Bot" if bot else "User",
            }
            self.comments.setdefault(number, []).append(
                {"id": ident, "body": body, "user": user, "html_url": self._html(number, ident)}
            )
            return ident

    def fail_next(self, method: str, status: int, **kwargs: Any) -> None:
        """Answer the next ``method`` request with ``status``."""
        self.failures.append(Failure(method, status, **kwargs))

    def calls(self, method: str | None = None) -> list[Recorded]:
        """The recorded requests (of one method)."""
        return [r for r in self.requests if method is None or r.method == method]

    def _html(self, number: int, ident: int) -> str:
        return f"https://github.example/{REPO}/pull/{number}#issuecomment-{ident}"

    # ------------------------------------------------------------------ answers

    def answer(self, method: str, target: str, body: Any) -> tuple[int, dict[str, str], Any]:
        split = urlsplit(target)
        failure = self._take_failure(method)
        if failure is not None and not failure.then_apply:
            return failure.status, failure.headers, {"message": failure.message}
        result = self._route(method, split.path, parse_qs(split.query), body)
        if failure is not None:
            return failure.status, failure.headers, {"message": failure.message}
        return result

    def _take_failure(self, method: str) -> Failure | None:
        with self.lock:
            for i, failure in enumerate(self.failures):
                if failure.method == method:
                    return self.failures.pop(i)
        return None

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        prefix = f"/repos/{REPO}"
        if not path.startswith(prefix + "/"):
            return 404, {}, {"message": "Not Found"}
        rest = path[len(prefix) :]
        if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
            number = int(m.group(1))
            if method == "GET":
                return self._list(number, query)
            if method == "POST":
                ident = self.add_comment(number, body["body"], bot=True)
                return 201, {}, self._find(ident)
        if (m := re.fullmatch(r"/issues/comments/(\d+)", rest)) and method == "PATCH":
            found = self._find(int(m.group(1)))
            if found is None:
                return 404, {}, {"message": "Not Found"}
            found["body"] = body["body"]
            return 200, {}, found
        if (m := re.fullmatch(r"/pulls/(\d+)", rest)) and method == "GET":
            number = int(m.group(1))
            if number not in self.heads:
                return 404, {}, {"message": "Not Found"}
            return 200, {}, {"number": number, "head": {"sha": self.heads[number]}}
        return 404, {}, {"message": "Not Found"}

    def _list(self, number: int, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        page = int(query.get("page", ["1"])[0])
        items = self.comments.get(number, [])
        start = (page - 1) * self.page_size
        chunk = items[start : start + self.page_size]
        headers = {}
        if start + self.page_size < len(items):
            base = f"{self.url}/repos/{REPO}/issues/{number}/comments"
            last = (len(items) + self.page_size - 1) // self.page_size
            headers["Link"] = (
                f'<{base}?per_page=100&page={page + 1}>; rel="next", '
                f'<{base}?per_page=100&page={last}>; rel="last"'
            )
        return 200, headers, chunk

    def _find(self, ident: int) -> dict[str, Any] | None:
        for items in self.comments.values():
            for item in items:
                if item["id"] == ident:
                    return item
        return None


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            split = urlsplit(self.path)
            with state.lock:
                state.requests.append(
                    Recorded(
                        self.command,
                        split.path,
                        parse_qs(split.query),
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
            status, headers, answer = state.answer(self.command, self.path, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(state: FakeGitHub | None = None) -> Iterator[FakeGitHub]:
    """Run the fake API on 127.0.0.1 (a free port) in a thread; ``state.url`` is its base."""
    state = state or FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
