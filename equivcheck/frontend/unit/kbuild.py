"""Kbuild-exact compile commands and preprocessing of one kernel source file.

The compile command of an object comes from kbuild itself: ``make -n V=1 DIR/`` prints,
for every object of DIR that the configuration builds, the exact ``gcc ... -c -o X.o X.c``
line (about 1 s per directory, nothing is built). A built tree also has kbuild's own
record (``DIR/.X.o.cmd``), read when it is newer than ``include/config/auto.conf``. The
commands are cached per tree in a JSON file keyed by the mtime of ``.config``.

Preprocessing drops ``-c``, ``-o X`` and ``-Wp,-MMD,...`` and adds ``-E``, run from the
tree root: this gives what ``make X.i`` gives, byte for byte. Alternative contents (the
before or after version of a file, changed headers) are written to a temporary overlay
outside the tree; the user's tree is never modified.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from equivcheck.errors import InputError
from equivcheck.frontend.unit import keepmacros, unitcache
from equivcheck.frontend.unit.filestate import stat_key

CACHE_FILE = "kbuild-commands.json"
_CACHE_VERSION = 2


@dataclass(frozen=True)
class Preprocessed:
    """The preprocessed text of ``file`` (a tree-relative path) and the time it took."""

    text: str
    file: str
    seconds: float


# --------------------------------------------------------------------------- pure logic


def is_configured(tree: Path) -> bool:
    """True when ``tree`` has a ``.config`` and ``include/generated/autoconf.h``."""
    return (tree / ".config").is_file() and (tree / "include/generated/autoconf.h").is_file()


def default_cache_dir() -> Path:
    """``$EQUIVCHECK_CACHE``, else ``$XDG_CACHE_HOME/equivcheck``, else ``~/.cache/equivcheck``."""
    env = os.environ.get("EQUIVCHECK_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg or Path.home() / ".cache") / "equivcheck"


def _cut_at_separator(argv: list[str]) -> list[str]:
    """The first simple command of a shell word list (stops at ``;``, ``&&``, ``||``)."""
    out: list[str] = []
    for word in argv:
        if word in (";", "&&", "||", "|"):
            break
        if word.endswith(";"):
            if word[:-1]:
                out.append(word[:-1])
            break
        out.append(word)
    return out


def _is_compile(argv: list[str]) -> bool:
    return "-c" in argv and "-o" in argv and bool(argv) and argv[-1].endswith(".c")


def parse_make_n(output: str) -> dict[str, list[str]]:
    """Compile commands found in ``make -n V=1`` output, as ``{source: argv}``.

    kbuild prints each recipe as ``set -e; echo '# CC  X.o'; echo '  CMD'; ... CMD``; the
    echoed ``CMD`` is exactly the command run (``V=1``), so it is taken from there.
    """
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        if not line.startswith("set -e; echo '# CC"):
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        for i, word in enumerate(words[:-2]):
            if word.startswith("# CC") and words[i + 1] == "echo":
                cmd_text = words[i + 2].rstrip().removesuffix(";")
                argv = _cut_at_separator(shlex.split(cmd_text))
                if _is_compile(argv):
                    found[argv[-1]] = argv
                break
    return found


def parse_saved_cmd(cmd_file_text: str) -> list[str] | None:
    """The compile argv recorded in a kbuild ``.X.o.cmd`` file (``savedcmd_X.o := CMD``)."""
    first = cmd_file_text.split("\n", 1)[0]
    _, sep, cmd = first.partition(" := ")
    if not sep or not first.startswith(("savedcmd_", "cmd_")):
        return None
    try:
        argv = _cut_at_separator(shlex.split(cmd))
    except ValueError:
        return None
    return argv if _is_compile(argv) else None


def cpp_argv(
    argv: Iterable[str],
    source: str,
    include_first: Iterable[str] = (),
    include_last: Iterable[str] = (),
    forced: Mapping[str, str] | None = None,
) -> list[str]:
    """Turn a kbuild compile argv into a preprocess-only argv reading ``source``.

    Drops ``-c``, ``-o X``, ``-Wp,-MMD,...`` and the original source, adds ``-E`` after the
    compiler. ``include_first`` goes right before kbuild's first ``-I``; ``include_last``
    at the end, before the source. ``forced`` redirects ``-include FILE`` options.
    """
    words = list(argv)
    original = words[-1]
    out = [words[0], "-E"]
    first_done = False
    forced = forced or {}
    i = 1
    while i < len(words):
        word = words[i]
        if word == "-c" or word.startswith("-Wp,-MMD,") or word.startswith("-Wp,-MD,"):
            i += 1
            continue
        if word == "-o":
            i += 2
            continue
        if i == len(words) - 1 and word == original:
            break
        if word.startswith("-I") and not first_done:
            out.extend(include_first)
            first_done = True
        if word == "-include" and i + 1 < len(words):
            out += [word, forced.get(words[i + 1], words[i + 1])]
            i += 2
            continue
        out.append(word)
        i += 1
    if not first_done:
        out.extend(include_first)
    out.extend(include_last)
    out.append(source)
    return out


def rewrite_markers(text: str, renames: Mapping[str, str], prefixes: Mapping[str, str]) -> str:
    """Rename file names in ``# N "FILE" ...`` line markers.

    ``renames`` maps whole names; ``prefixes`` maps a leading part of a name (the overlay
    root) to its replacement. Other lines are left alone.
    """
    if not renames and not prefixes:
        return text
    marker = re.compile(r'^(# \d+ ")((?:[^"\\]|\\.)*)(".*)$')
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith("# "):
            m = marker.match(line)
            if m:
                name = m.group(2)
                if name in renames:
                    name = renames[name]
                else:
                    for old, new in prefixes.items():
                        if name.startswith(old):
                            name = new + name[len(old) :]
                            break
                line = m.group(1) + name + m.group(3)
        out.append(line)
    return "\n".join(out)


def _config_of(makefile_text: str, entry: str) -> str | None:
    """The ``CONFIG_X`` of the ``obj-$(CONFIG_X) += ... entry`` line naming ``entry``."""
    joined = makefile_text.replace("\\\n", " ")
    for line in joined.splitlines():
        if re.search(rf"(^|[\s=]){re.escape(entry)}(\s|$)", line):
            m = re.match(r"\s*[\w-]+-\$\((CONFIG_\w+)\)", line)
            if m:
                return m.group(1)
    return None


def parse_config(text: str) -> dict[str, str]:
    """``CONFIG_X=value`` lines of a ``.config``/``auto.conf`` (unset options are absent)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.startswith("CONFIG_"):
            values[name] = value
    return values


# --------------------------------------------------------------------------- tree access


def _relative(tree: Path, c_path: str | Path) -> str:
    path = Path(c_path)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(tree.resolve())
        except ValueError:
            raise InputError(
                str(c_path), "is not inside the kernel tree", f"tree: {tree}"
            ) from None
    return path.as_posix().removeprefix("./")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _kbuild_file(tree: Path, directory: str) -> Path | None:
    for name in ("Kbuild", "Makefile"):
        candidate = tree / directory / name
        if candidate.is_file():
            return candidate
    return None


# Besides a folder's own Makefile, the files whose change can change every compile
# command of the tree (its configuration, the top and architecture Makefiles, kbuild's
# own rules); ``arch/*/Makefile`` stands for the architecture's.
_FLAG_FILES = (
    ".config",
    "include/config/auto.conf",
    "Makefile",
    "scripts/Kbuild.include",
    "scripts/Makefile.build",
    "scripts/Makefile.lib",
    "scripts/Makefile.compiler",
)


def _flags_key(tree: Path) -> str:
    """The sizes and mtimes of :data:`_FLAG_FILES` and the architectures' Makefiles:
    the commands kept for a tree are stale when it differs."""
    return stat_key([tree / name for name in _FLAG_FILES] + sorted(tree.glob("arch/*/Makefile")))


class _CommandCache:
    """The per-tree JSON cache of compile commands (``{source: argv}`` per directory)."""

    def __init__(self, tree: Path, cache_dir: Path) -> None:
        self.tree = tree.resolve()
        self.path = cache_dir / CACHE_FILE
        self.key = str(self.tree)
        self.config_mtime = _flags_key(self.tree)

    def _load_all(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
            return {}
        return data

    def _entry(self, data: dict[str, object]) -> dict[str, object]:
        trees = data.get("trees")
        entry = trees.get(self.key) if isinstance(trees, dict) else None
        if not isinstance(entry, dict) or entry.get("config_mtime") != self.config_mtime:
            return {"config_mtime": self.config_mtime, "dirs": {}}
        return entry

    def lookup(self, directory: str, makefile_mtime: float) -> dict[str, list[str]] | None:
        """The cached commands of ``directory``, or None when absent or stale."""
        dirs = self._entry(self._load_all()).get("dirs")
        record = dirs.get(directory) if isinstance(dirs, dict) else None
        if not isinstance(record, dict) or record.get("makefile_mtime") != makefile_mtime:
            return None
        commands = record.get("commands")
        return commands if isinstance(commands, dict) else None

    def store(self, records: Mapping[str, tuple[float, dict[str, list[str]]]]) -> None:
        """Record ``{directory: (makefile_mtime, commands)}`` (atomic replace; last writer
        wins)."""
        data = self._load_all()
        trees = data.get("trees")
        if not isinstance(trees, dict):
            trees = {}
        entry = self._entry(data)
        dirs = entry["dirs"]
        assert isinstance(dirs, dict)
        for directory, (makefile_mtime, commands) in records.items():
            dirs[directory] = {"makefile_mtime": makefile_mtime, "commands": commands}
        trees[self.key] = entry
        data = {"version": _CACHE_VERSION, "trees": trees}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".kbuild-", suffix=".json")
            with os.fdopen(fd, "w") as fh:
                json.dump(data, fh)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _run_make_n(tree: Path, directory: str) -> str:
    """``make -n V=1 DIR/`` in ``tree``: what kbuild would run to build DIR."""
    proc = subprocess.run(
        ["make", "-n", "V=1", f"{directory}/"],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise InputError(f"make -n {directory}/", f"kbuild failed: {tail}", "is the tree prepared?")
    return proc.stdout


def _fresh_saved_cmd(tree: Path, rel: str, require_fresh: bool) -> list[str] | None:
    """The argv kbuild recorded for ``rel``'s object, if the record is usable."""
    src = Path(rel)
    cmd_file = tree / src.parent / f".{src.stem}.o.cmd"
    if not cmd_file.is_file():
        return None
    if require_fresh and _mtime(cmd_file) < _mtime(tree / "include/config/auto.conf"):
        return None
    if not require_fresh and not (tree / src.parent / f"{src.stem}.o").is_file():
        return None
    try:
        argv = parse_saved_cmd(cmd_file.read_text(errors="replace"))
    except OSError:
        return None
    return argv if argv and argv[-1] == rel else None


def _not_built(tree: Path, rel: str) -> InputError:
    directory = Path(rel).parent.as_posix()
    kfile = _kbuild_file(tree, directory)
    config = _disabled_by(tree, directory)
    if config is None and kfile is not None:
        config = _config_of(kfile.read_text(errors="replace"), Path(rel).stem + ".o")
    if config:
        problem = f"not built by this configuration ({config} is not set)"
        hint = f"enable {config} in .config, or use light mode"
    else:
        problem = "not built by this configuration (kbuild has no compile command for it)"
        hint = "it may be #included by another .c file; enable it in .config or use light mode"
    return InputError(rel, problem, hint)


def _group_by_dir(found: Mapping[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    grouped: dict[str, dict[str, list[str]]] = {}
    for src, argv in found.items():
        grouped.setdefault(Path(src).parent.as_posix(), {})[src] = argv
    return grouped


def _list_directory(
    tree: Path, directory: str, cache: _CommandCache
) -> dict[str, dict[str, list[str]]]:
    """Run kbuild over ``directory`` and cache the commands of it and of every
    subdirectory kbuild went into (it goes into each one fully)."""
    grouped = _group_by_dir(parse_make_n(_run_make_n(tree, directory)))
    grouped.setdefault(directory, {})
    records = {}
    for sub, commands in grouped.items():
        kfile = _kbuild_file(tree, sub)
        if kfile is not None and (sub == directory or sub.startswith(directory + "/")):
            records[sub] = (_mtime(kfile), commands)
    cache.store(records)
    return grouped


def _disabled_by(tree: Path, directory: str) -> str | None:
    """The ``CONFIG_X`` (unset) under which an ancestor Makefile adds ``directory`` or one
    of its parents, e.g. ``obj-$(CONFIG_KFENCE) += kfence/`` for ``mm/kfence``."""
    try:
        config = parse_config((tree / ".config").read_text(errors="replace"))
    except OSError:
        return None
    parts = directory.split("/")
    for cut in range(len(parts) - 1, -1, -1):
        parent = "/".join(parts[:cut]) or "."
        kfile = _kbuild_file(tree, parent)
        if kfile is None:
            continue
        text = kfile.read_text(errors="replace")
        for end in range(cut + 1, len(parts) + 1):
            entry = "/".join(parts[cut:end]) + "/"
            option = _config_of(text, entry)
            if option and config.get(option, "n") not in ("y", "m"):
                return option
    return None


def compile_command(tree: Path, c_path: str | Path, cache_dir: Path | None = None) -> list[str]:
    """kbuild's exact compile argv for the object of ``c_path`` (run from the tree root).

    Raises InputError when the tree is not configured, the file is missing or is not
    built by this configuration (e.g. ``mm/huge_memory.c`` under x86_64_defconfig).
    """
    tree = Path(tree)
    rel = _relative(tree, c_path)
    if not rel.endswith(".c"):
        raise InputError(rel, "is not a .c file", "give the .c file that includes it")
    if not (tree / rel).is_file():
        raise InputError(rel, "no such file in the kernel tree", f"tree: {tree}")
    if not is_configured(tree):
        raise InputError(str(tree), "kernel tree is not configured", "run equivcheck prepare")
    directory = Path(rel).parent.as_posix()
    kfile = _kbuild_file(tree, directory)
    if kfile is None:
        raise InputError(rel, f"{directory}/ has no Makefile or Kbuild", "not a kbuild source")
    cache = _CommandCache(tree, cache_dir or default_cache_dir())
    kfile_mtime = _mtime(kfile)
    commands = cache.lookup(directory, kfile_mtime)
    if commands is not None and rel in commands:
        return list(commands[rel])
    fresh = _fresh_saved_cmd(tree, rel, require_fresh=True)
    if fresh is not None:
        return fresh
    if commands is None:
        option = _disabled_by(tree, directory)
        if option:
            problem = f"not built by this configuration ({option} is not set)"
            raise InputError(rel, problem, f"enable {option} in .config, or use light mode")
        commands = _list_directory(tree, directory, cache).get(directory, {})
        if rel in commands:
            return list(commands[rel])
    leftover = _fresh_saved_cmd(tree, rel, require_fresh=False)
    if leftover is not None:
        return leftover
    raise _not_built(tree, rel)


# --------------------------------------------------------------------------- preprocessing


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _line_directive(line: int, rel: str) -> str:
    return f'#line {line} "{rel}"\n'


def insert_blocks(rel: str, text: str, blocks: Mapping[int, str]) -> str:
    """Insert ``blocks[n]`` (directive text ending in a newline) right before source
    line ``n`` of ``text``; a ``#line n "rel"`` directive follows each block so every
    source line keeps its number in ``rel``. ``n`` may be one past the last line."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        if number in blocks:
            out.append(blocks[number])
            out.append(_line_directive(number, rel))
        out.append(line)
    tail = len(lines) + 1
    if tail in blocks:
        out.append(blocks[tail])
    return "".join(out)


def preprocess(
    tree: Path,
    c_path: str | Path,
    text: str | None = None,
    keep_macros_for: Iterable[str] = (),
    overlay: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
    units: Path | None = None,
) -> Preprocessed:
    """Preprocess ``c_path`` exactly as kbuild compiles it.

    ``text`` replaces the file's content (the before or after version); ``overlay`` maps
    tree-relative paths of changed headers (or other files) to their new content;
    ``keep_macros_for`` names functions inside which the macros of
    :mod:`equivcheck.frontend.unit.keepmacros` stay visible as ``__ec_NAME(...)`` calls.
    Line markers name the original paths. The tree is never written to. With ``units``
    (a folder) the result is kept there and taken from there while the tree files it
    read are unchanged (:mod:`equivcheck.frontend.unit.unitcache`).
    """
    tree = Path(tree)
    rel = _relative(tree, c_path)
    argv = compile_command(tree, rel, cache_dir)
    names = list(keep_macros_for)
    overlay = {_relative(tree, path): content for path, content in (overlay or {}).items()}
    if text is None:
        text = overlay.pop(rel, None)
    overlay.pop(rel, None)
    start = time.perf_counter()
    started_ns = time.time_ns()
    key = unitcache.unit_key(argv, rel, text, names, overlay) if units is not None else ""
    if units is not None:
        kept = unitcache.lookup(units, key, tree)
        if kept is not None:
            return Preprocessed(kept, rel, time.perf_counter() - start)
    out = _preprocess_now(tree, rel, argv, text, names, overlay)
    if units is not None:
        unitcache.store(units, key, tree, out, argv, started_ns)
    return Preprocessed(out, rel, time.perf_counter() - start)


def _preprocess_now(
    tree: Path,
    rel: str,
    argv: list[str],
    text: str | None,
    names: list[str],
    overlay: dict[str, str],
) -> str:
    """Run the preprocessor as :func:`preprocess` describes (no cache)."""
    if text is None and not names and not overlay:
        return _run_cpp(tree, cpp_argv(argv, rel), rel)

    source_text = text if text is not None else (tree / rel).read_text(errors="surrogateescape")
    blocks = keepmacros.keep_blocks(source_text, names, rel) if names else {}
    with tempfile.TemporaryDirectory(prefix="equivcheck-cpp-") as tmp:
        root = Path(tmp) / "o"
        for path, content in overlay.items():
            _write(root / path, content)
        main = root / rel
        _write(main, insert_blocks(rel, source_text, blocks))
        first: list[str] = []
        for word in argv:
            if word.startswith("-I") and len(word) > 2:
                first.append(f"-I{root}/{word[2:]}")
        quote_dirs = [Path(rel).parent.as_posix() or "."]
        for path in overlay:
            parent = Path(path).parent.as_posix() or "."
            if parent not in quote_dirs:
                quote_dirs.append(parent)
        last = [arg for d in quote_dirs for arg in ("-iquote", d)]
        # __FILE__ as kbuild has it (it maps ./ away); the last map given is tried first.
        last += [f"-fmacro-prefix-map={root}/=", f"-fmacro-prefix-map={root}/./="]
        forced = {}
        for word in argv:
            if word.startswith("./") and (root / word[2:]).is_file():
                forced[word] = f"{root}/{word}"
        cmd = cpp_argv(argv, str(main), include_first=first, include_last=last, forced=forced)
        out = _run_cpp(tree, cmd, rel)
        return rewrite_markers(out, {str(main): rel}, {f"{root}/": ""})


def _run_cpp(tree: Path, cmd: list[str], rel: str) -> str:
    proc = subprocess.run(
        cmd, cwd=tree, capture_output=True, text=True, errors="surrogateescape", check=False
    )
    if proc.returncode != 0:
        errors = [
            ln for ln in proc.stderr.splitlines() if "error" in ln
        ] or proc.stderr.splitlines()
        tail = errors[0] if errors else f"exit status {proc.returncode}"
        raise InputError(rel, f"preprocessing failed: {tail}", "check the patch applies cleanly")
    return proc.stdout
