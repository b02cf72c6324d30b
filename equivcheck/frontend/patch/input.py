"""Reading an input file safely, and making text from it safe to print.

Inputs are read with a cap (:data:`MAX_INPUT_BYTES`): ``/dev/zero`` or a huge file is
refused instead of filling memory. Only regular files are read by name; a FIFO, a
device or a socket is refused before it is opened, so nothing blocks waiting for a
writer (a stream goes through :func:`read_stream`, e.g. the patch on stdin).

:func:`printable` is for text the input supplies and a report shows (paths, subjects):
terminal control characters in them could rewrite what a reader sees.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from equivcheck.errors import InputError

MAX_INPUT_MIB = 64
MAX_INPUT_BYTES = MAX_INPUT_MIB * 1024 * 1024

# C0 controls but tab and newline, DEL, C1 controls; and the Unicode bidirectional
# overrides and isolates, which reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without terminal control characters (ESC and the other C0/C1 controls,
    DEL, bidirectional overrides); tab and newline stay. Each removed character
    becomes ``?`` so that the reader sees something was there."""
    return _CONTROL.sub("?", text)


def _too_large(source: str) -> InputError:
    return InputError(
        source,
        f"larger than {MAX_INPUT_MIB} MiB",
        "equivcheck reads patches and C files up to that size; split the input",
    )


def read_file(path: Path) -> bytes:
    """The bytes of the regular file ``path``, at most :data:`MAX_INPUT_BYTES`."""
    source = str(path)
    try:  # non-blocking, so that opening a FIFO without a writer returns at once
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(source, "no such file", "check the path") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(source, "is a folder, not a file", "name a patch or C file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                source,
                "is not a regular file (a pipe, device or socket)",
                "save the input to a file and name that file",
            )
        if info.st_size > MAX_INPUT_BYTES:
            raise _too_large(source)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as stream:
        return read_stream(stream, source)


def read_stream(stream: BinaryIO, source: str) -> bytes:
    """Everything ``stream`` holds, or an InputError past :data:`MAX_INPUT_BYTES`."""
    try:
        data = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large(source)
    return data
