"""The mail b4 pipes into a check command, made consistent again.

b4 0.16 writes the headers of the message as they are, then the *decoded* body
(``LoreMessage.get_msg_as_bytes``). So a base64 or quoted-printable mail arrives as
plain text that still declares its old ``Content-Transfer-Encoding``. A multipart mail
arrives as the text of its patch under its old ``multipart/*`` type, with no boundary
in sight. Read as declared, such a mail has no diff, or a damaged one.
:func:`repair_headers` corrects those headers when the body is plainly not in the
declared form. A mail that really is encoded or multipart is left alone.
"""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser

_BLANK = re.compile(rb"\r?\n\r?\n")
_HEADER_LINE = re.compile(rb"^([!-9;-~]+):")
_BASE64_BODY = re.compile(rb"[A-Za-z0-9+/=\s]*")
_QP_ESCAPE = re.compile(rb"=(?:[0-9A-Fa-f]{2}|\r?\n)")
_BARE_EQUALS = re.compile(rb"=(?![0-9A-Fa-f]{2}|\r?\n)")

PLAIN = [b"Content-Type: text/plain; charset=utf-8", b"Content-Transfer-Encoding: 8bit"]


def repair_headers(data: bytes) -> bytes:
    """``data`` with its MIME headers made to match a body b4 already decoded; other
    input (not a mail, a body in its declared form) comes back unchanged."""
    parts = _split(data)
    if parts is None:
        return data
    headers, body = parts
    msg = BytesHeaderParser().parsebytes(b"\n".join(headers) + b"\n\n")
    if msg.get_content_maintype() == "multipart":
        boundary = msg.get_boundary()
        if boundary is not None and b"--" + boundary.encode("ascii", "replace") in body:
            return data
        kept = _without(headers, {b"content-type", b"content-transfer-encoding"})
        return _join(kept + PLAIN, body)
    encoding = str(msg.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding in {"base64", "quoted-printable"} and not _encoded(body, encoding):
        kept = _without(headers, {b"content-transfer-encoding"})
        return _join([*kept, PLAIN[1]], body)
    return data


def _split(data: bytes) -> tuple[list[bytes], bytes] | None:
    """Header lines and body, when ``data`` opens with a header block."""
    blank = _BLANK.search(data)
    if blank is None:
        return None
    lines = data[: blank.start()].replace(b"\r\n", b"\n").split(b"\n")
    if not _HEADER_LINE.match(lines[0]):
        return None
    if not all(_HEADER_LINE.match(ln) or ln[:1] in (b" ", b"\t") for ln in lines):
        return None
    return lines, data[blank.end() :]


def _without(headers: list[bytes], names: set[bytes]) -> list[bytes]:
    """The header lines minus the named fields (with their continuation lines)."""
    kept: list[bytes] = []
    dropping = False
    for line in headers:
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        match = _HEADER_LINE.match(line)
        dropping = match is not None and match.group(1).lower() in names
        if not dropping:
            kept.append(line)
    return kept


def _join(headers: list[bytes], body: bytes) -> bytes:
    return b"\n".join(headers) + b"\n\n" + body


def _encoded(body: bytes, encoding: str) -> bool:
    """Whether ``body`` is in the declared transfer encoding. Base64 uses a small
    alphabet. Quoted-printable writes every ``=`` as ``=3D``, so a bare ``=`` means
    decoded text. So does a body with no escape at all, which reads the same either
    way."""
    if encoding == "base64":
        return _BASE64_BODY.fullmatch(body) is not None
    return _BARE_EQUALS.search(body) is None and _QP_ESCAPE.search(body) is not None
