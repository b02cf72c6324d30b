"""Reading a saved report back: the JSON Schema of the document ``check --format json``
writes (``schema.json`` beside this file) and the one loader every command that takes a
report uses (``render``, ``github-comment``, ``github-annotations``). A file that is not
such a document is bad input, named with the JSON path of its first error."""

from __future__ import annotations

import functools
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from equivcheck.errors import InputError

SCHEMA_FILE = Path(__file__).with_name("schema.json")

MAX_REPORT_BYTES = 50 * 1024 * 1024
"""A report larger than this is not read (it may come from someone else's artifact)."""

HINT = "give a file written by equivcheck check --format json"


@functools.cache
def schema() -> dict[str, Any]:
    """The report's JSON Schema."""
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def problem(doc: object) -> str:
    """The first way ``doc`` is not a report (JSON path and what is wrong), or ''."""
    try:
        errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    except RecursionError:
        return "$: nests too deeply"
    if not errors:
        return ""
    return _describe(errors[0])


def _describe(error: ValidationError) -> str:
    path = "$" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )
    keyword = str(error.validator)
    expected = error.validator_value
    if keyword == "type":
        types = expected if isinstance(expected, list) else [expected]
        what = f"should be {' or '.join(map(str, types))}, not {_kind(error.instance)}"
    elif keyword == "required":
        missing = [k for k in expected if not _has(error.instance, k)]
        what = f"lacks {', '.join(repr(k) for k in missing)}"
    elif keyword in {"enum", "const"}:
        allowed = expected if keyword == "enum" else [expected]
        what = f"should be one of {', '.join(json.dumps(v) for v in allowed)}"
    elif keyword in {"minimum", "maximum"}:
        what = f"is out of range ({keyword} {expected})"
    else:
        what = f"is not valid ({keyword})"
    return f"{path} {what}"


def _has(instance: object, key: str) -> bool:
    return isinstance(instance, Mapping) and key in instance


def _kind(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "integer" if isinstance(value, int) else "number"


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def read_json(path: Path, source: str = "", hint: str = HINT, what: str = "the report") -> object:
    """The JSON value in the file ``path`` (``what``, named ``source`` in errors): at
    most ``MAX_REPORT_BYTES``, a pipe or FIFO included, never NaN or Infinity."""
    source = source or str(path)
    return _parse_json(_read_capped(path, source, hint, what), source, hint)


def _read_capped(path: Path, source: str, hint: str, what: str) -> bytes:
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(source, "is a folder", hint)
        # A FIFO nobody writes to would block the open: open without waiting, then
        # read as usual (no writer at all reads as an empty file).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_REPORT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(source, f"cannot read {what} (no such file)", "check the path") from None
    except (OSError, ValueError) as err:  # ValueError: a NUL byte in the name
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise InputError(source, f"cannot read {what} ({reason})", hint) from None
    if len(raw) > MAX_REPORT_BYTES:
        raise InputError(source, f"is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB", hint)
    return raw


def _parse_json(raw: bytes, source: str, hint: str) -> object:
    if not raw.strip():
        raise InputError(source, "is empty", hint)
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InputError(source, "is not UTF-8 text, so not JSON", hint) from None
    except json.JSONDecodeError as err:
        raise InputError(source, f"is not JSON (line {err.lineno})", hint) from None
    except RecursionError:
        raise InputError(source, "nests too deeply", hint) from None
    except ValueError as err:  # NaN/Infinity, an integer of thousands of digits
        raise InputError(source, f"is not usable JSON ({err})", hint) from None


def load_report(path: Path) -> dict[str, Any]:
    """The report saved at ``path`` (or an InputError naming the file and the problem)."""
    source = str(path)
    doc = read_json(path)
    if not isinstance(doc, dict):
        raise InputError(source, f"is a JSON {_kind(doc)}, not a report", HINT)
    if doc.get("tool") != "equivcheck":
        raise InputError(source, 'is not an equivcheck report (no "tool": "equivcheck")', HINT)
    wrong = problem(doc)
    if wrong:
        raise InputError(source, f"is not a valid report: {wrong}", HINT)
    return doc
