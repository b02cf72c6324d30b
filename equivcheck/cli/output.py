"""Writing output files: all or nothing."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from equivcheck.errors import InputError

#: What to do about a failed write, by errno (the default: write somewhere else).
_HINTS = {
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.ENAMETOOLONG: "use a shorter file name",
    errno.EACCES: "write somewhere you may write",
    errno.EPERM: "write somewhere you may write",
    errno.EROFS: "write somewhere you may write",
    errno.EISDIR: "name a file, not a folder",
}


def _failure(path: Path, err: OSError) -> InputError:
    reason = err.strerror or str(err)
    hint = _HINTS.get(err.errno or 0, "write somewhere else")
    return InputError(str(path), f"cannot write it ({reason})", hint)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, renamed
    over ``path`` at the end, so a failure never leaves a half-written file (the
    temporary is removed). An existing device, FIFO or socket (``/dev/stdout``) is
    written in place instead of being replaced."""
    data = text.encode("utf-8")
    try:
        info = os.stat(path)
    except OSError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError(str(path), "is a folder", "name a file, not a folder")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(path, data)
        return
    target = Path(os.path.realpath(path))  # through a symlink, not over it
    folder = target.parent
    try:
        is_folder = stat.S_ISDIR(os.stat(folder).st_mode)
    except OSError as err:
        if err.errno not in {errno.ENOENT, errno.ENOTDIR}:
            raise _failure(path, err) from None
        is_folder = False
    if not is_folder:
        raise InputError(str(path), "its folder does not exist", "create it first")
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".equivcheck-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if info is not None:
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as err:
        _remove(tmp)
        raise _failure(path, err) from None
    except BaseException:  # interrupted (Ctrl-C): no file left behind either
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    if tmp:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _write_special(path: Path, data: bytes) -> None:
    """A device, FIFO or socket: written as it is (no rename can make it atomic)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as err:
        if err.errno == errno.ENXIO:  # a FIFO nobody reads
            raise InputError(str(path), "is a FIFO nobody reads", "start its reader") from None
        raise _failure(path, err) from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
