"""Read patch inputs: git format-patch mail, mbox series, plain unified diffs, and
patches copied from web archives that lost their leading whitespace.

Only :func:`read_patches` is public; it takes the raw bytes (I/O stays with the caller).
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.policy
import mailbox
import re
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage, Message
from pathlib import Path

from equivcheck.errors import InputError
from equivcheck.frontend.model import Patch
from equivcheck.frontend.patch.diffparse import find_diff_start, parse_diff
from equivcheck.frontend.patch.input import printable
from equivcheck.frontend.patch.recount import MBOX_FROM

_PATCH_PREFIX = re.compile(r"^\s*\[(?P<tags>[^\]]*)\]\s*")
_SERIES_NO = re.compile(r"(?:^|\s)(?P<m>\d+)/(?P<n>\d+)\s*$")
_HINT = "give a git format-patch file, an mbox series, or a unified diff"


@dataclass(frozen=True)
class _Subject:
    """A mail subject split into its ``[PATCH ...]`` tags and the title."""

    title: str
    number: int | None
    total: int | None


def read_patches(data: bytes, source: str) -> list[Patch]:
    """Parse ``data`` (read from ``source``) into patches, in series order.

    Raises :class:`InputError` for empty, non-UTF-8 or diff-less input.
    """
    if not data.strip():
        raise InputError(source, "the input is empty", _HINT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            source,
            f"not UTF-8 text (bad byte 0x{data[err.start]:02x} at offset {err.start})",
            "convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8) and try again",
        ) from None
    text = text.replace("\r\n", "\n")
    if MBOX_FROM.match(text):
        return _read_mbox(text, source)
    if _looks_like_mail(text):
        msg = email.message_from_string(text, policy=email.policy.default)
        patch = _patch_from_message(msg, source)
        if patch is None:
            raise InputError(source, "the mail holds no diff", _HINT)
        return [patch]
    return [_read_loose(text, source)]


def _looks_like_mail(text: str) -> bool:
    """True when the text opens with an RFC 822 header block naming From/Subject."""
    head = text.split("\n\n", 1)[0].split("\n")
    names = {ln.split(":", 1)[0].lower() for ln in head if re.match(r"^[\w-]+:\s", ln)}
    header_like = all(re.match(r"^([\w-]+:\s|[ \t])", ln) for ln in head if ln)
    return header_like and "subject" in names and "from" in names


def _read_mbox(text: str, source: str) -> list[Patch]:
    """Every message of an mbox that carries a diff, in series order."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "series.mbox"
        path.write_text(text, encoding="utf-8")
        box = mailbox.mbox(str(path), create=False)
        messages = [box.get_message(key) for key in box.iterkeys()]
        box.close()
    found: list[tuple[_Subject, Patch]] = []
    for msg in messages:
        subject = _split_subject(_header(msg, "Subject"))
        if subject.number == 0:
            continue  # cover letter
        patch = _patch_from_message(msg, source)
        if patch is not None:
            found.append((subject, patch))
    if not found:
        raise InputError(source, f"the mbox holds {len(messages)} message(s) but no diff", _HINT)
    if all(s.number is not None for s, _ in found):
        found.sort(key=lambda item: item[0].number or 0)
    patches = [p for _, p in found]
    for index, patch in enumerate(patches, start=1):
        patch.index = index
    return patches


def _header(msg: Message, name: str) -> str:
    """A header decoded to text with folding removed ('' when absent)."""
    value = msg.get(name)
    if value is None:
        return ""
    return printable(" ".join(_decode_words(str(value)).split()))


def _decode_words(raw: str) -> str:
    """RFC 2047 encoded words decoded; an unknown charset or a broken encoding is
    decoded with replacement characters (or left as written) instead of failing."""
    try:
        chunks = email.header.decode_header(raw)
    except (email.errors.HeaderParseError, ValueError):
        return raw
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        out.append(_decode_text(chunk, charset))
    return "".join(out)


def _decode_text(data: bytes, charset: str | None) -> str:
    """``data`` in the charset a mail declares, line by line. A charset that is unknown,
    is no text encoding (``rot13``) or does not leave ASCII as it is (``punycode``,
    ``utf-7``, ``utf-16``: a declared charset could otherwise make diff lines vanish) is
    replaced by UTF-8; bytes that do not decode become U+FFFD. Line by line, a stateful
    charset (``iso-2022-jp``) cannot carry a shift across a line either."""
    codec = _ascii_compatible(charset)
    out = []
    for line in data.split(b"\n"):
        try:
            out.append(line.decode(codec, errors="replace"))
        except (LookupError, ValueError):  # ValueError covers UnicodeError
            out.append(line.decode("utf-8", errors="replace"))
    return "\n".join(out)


_ASCII = bytes(range(0x20, 0x7F)) + b"\t"


def _ascii_compatible(charset: str | None) -> str:
    """``charset`` when it decodes printable ASCII, tab included, to itself; else UTF-8."""
    if charset:
        try:
            if _ASCII.decode(charset) == _ASCII.decode("ascii"):
                return charset
        except (LookupError, ValueError):
            pass
    return "utf-8"


def _split_subject(raw: str) -> _Subject:
    """Strip ``[PATCH v4 03/12]`` tags; keep the series number apart."""
    title = raw
    number = total = None
    while match := _PATCH_PREFIX.match(title):
        series = _SERIES_NO.search(match.group("tags"))
        if series:
            number, total = int(series.group("m")), int(series.group("n"))
        title = title[match.end() :]
    return _Subject(title.strip(), number, total)


def _body_text(msg: Message) -> str:
    """The text/plain parts of a message joined, decoded by their charset."""
    parts = msg.walk() if msg.is_multipart() else iter([msg])
    chunks: list[str] = []
    for part in parts:
        if part.is_multipart() or part.get_content_type() not in (
            "text/plain",
            "text/x-diff",
            "text/x-patch",
        ):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        chunks.append(_decode_text(payload, part.get_content_charset()))
    return "\n".join(chunks).replace("\r\n", "\n")


def _patch_from_message(msg: Message | EmailMessage, source: str) -> Patch | None:
    """One mail as a Patch, or None when its body has no diff."""
    body = _body_text(msg)
    start = find_diff_start(body)
    if start is None:
        return None
    parsed = parse_diff(body[start:], source)
    if not parsed.files:
        return None
    subject = _split_subject(_header(msg, "Subject"))
    return Patch(
        subject=subject.title,
        files=parsed.files,
        author=_header(msg, "From"),
        date=_header(msg, "Date"),
        message=_message_text(body[:start]),
        source=source,
        damaged=parsed.damaged,
        notes=parsed.notes,
    )


def _message_text(preamble: str) -> str:
    """The commit message: the text before the ``---`` line that opens the diffstat."""
    lines = preamble.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip() == "---":
            lines = lines[:i]
            break
    return "\n".join(lines).strip()


def _read_loose(text: str, source: str) -> Patch:
    """A plain diff, or a damaged copy with its mail headers as plain lines."""
    start = find_diff_start(text)
    if start is None:
        raise InputError(source, "no diff found (no '@@ -a,b +c,d @@' hunk)", _HINT)
    parsed = parse_diff(text[start:], source)
    if not parsed.files:
        raise InputError(source, "no diff found (no file with hunks)", _HINT)
    subject, author, date, message = _loose_preamble(text[:start])
    return Patch(
        subject=printable(subject) or Path(source).name,
        files=parsed.files,
        author=printable(author),
        date=printable(date),
        message=message,
        source=source,
        damaged=parsed.damaged,
        notes=parsed.notes,
    )


def _loose_preamble(preamble: str) -> tuple[str, str, str, str]:
    """Subject, author, date and message from header lines typed as plain text."""
    subject = author = date = ""
    body: list[str] = []
    for line in preamble.split("\n"):
        stripped = line.strip()
        if re.match(r"^commit [0-9a-f]{7,40}\b", stripped):
            continue
        if not subject and stripped.startswith("["):
            subject = _split_subject(stripped).title
        elif not subject and stripped.lower().startswith("subject:"):
            subject = _split_subject(stripped.split(":", 1)[1]).title
        elif not author and stripped.lower().startswith(("from:", "author:")):
            author = stripped.split(":", 1)[1].strip()
        elif not date and stripped.lower().startswith("date:"):
            date = stripped.split(":", 1)[1].strip()
        else:
            body.append(line)
    message = _message_text("\n".join(body))
    if not subject and message:
        subject = message.split("\n", 1)[0].strip()  # git show: the message's first line
    return subject, author, date, message
