"""Verdicts kept across runs (``<cache>/results``, a diskcache folder).

A patch's verdicts are a pure function of the job (the patch and the texts of the
files it touches before and after it, with the headers the series changed), the tree's
files its preprocessed units read, the compile commands, the limits and options, the
compiler and the tool. The key is a digest of everything but the tree files, which are
recorded with the entry (with ``.config`` and the Makefiles on the way to each file)
and checked on every hit (:mod:`equivcheck.frontend.unit.filestate`). A function read
from a tree as written (light mode) also depends on the tree's typedef names: their
digest is kept and checked too. The patch is the unit: its functions' verdicts lean on
each other's.

Not kept: two-file work, whose headers are found by the compiler at check time (they
are not recorded anywhere before the run), and a job that failed or was stopped by
bad input. ``--no-cache`` reads and writes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import shutil
from pathlib import Path, PurePath
from typing import Any

import diskcache

from equivcheck.errors import InputError
from equivcheck.fingerprint import library_version, tool_fingerprint
from equivcheck.frontend.model import Patch
from equivcheck.frontend.tree import TYPEDEF_CACHE
from equivcheck.frontend.unit.filestate import still_holds
from equivcheck.frontend.unit.kbuild import CACHE_FILE, default_cache_dir
from equivcheck.frontend.unit.unitcache import compiler_version
from equivcheck.frontend.workset import PatchJob
from equivcheck.scale.jobs import JobOutcome, RunConfig, typedef_digest

# Each folder of the cache, and the most it may hold before the least recently used
# entries go.
RESULTS = "results"
UNITS = "units"
RESULTS_LIMIT = 2**30


def cache_root() -> Path:
    """The cache folder: ``$EQUIVCHECK_CACHE``, else ``~/.cache/equivcheck``."""
    return default_cache_dir()


def canonical(value: Any) -> Any:
    """``value`` as plain JSON data, the same for equal values: dataclasses by their
    class name and every field (those left out of comparisons too), sets sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"@": type(value).__name__, **fields}
    if isinstance(value, dict):
        return [[canonical(k), canonical(v)] for k, v in sorted(value.items(), key=repr)]
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=repr)
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(value: Any) -> str:
    """A sha256 of :func:`canonical` ``value``."""
    text = json.dumps(canonical(value), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode(errors="surrogateescape")).hexdigest()


def _two_file(job: PatchJob) -> bool:
    """Work whose headers the compiler finds at check time (two files)."""
    work = job.ready
    if work is None:
        return False
    texts = [t for fw in work.functions for t in (fw.before, fw.after) if t is not None]
    return bool(work.origins) or any(t.context is not None for t in texts)


@dataclasses.dataclass
class ResultCache:
    """The kept verdicts (``folder`` None: nothing kept, nothing read)."""

    folder: Path | None

    def key(self, job: PatchJob, config: RunConfig) -> str | None:
        """The key of ``job`` under ``config``; None when the job is not kept."""
        if self.folder is None or _two_file(job):
            return None
        parts = {
            "tool": tool_fingerprint(),
            # the compiler answers sizes, layouts and constants (and compiles --binary)
            "compiler": compiler_version("gcc"),
            "angr": library_version("angr") if config.binary else "",
            "limits": config.limits,
            "binary": config.binary,
            "tree": str(config.tree) if config.tree else None,
            "commands": _commands(job, config),
            "job": _meaning(job),
        }
        return digest(parts)

    def get(
        self, key: str | None, job: PatchJob, index: int, config: RunConfig
    ) -> JobOutcome | None:
        """The kept outcome of ``job``, named and numbered as it is in this run
        (``index``), when the tree still reads as it did; None otherwise."""
        if key is None or self.folder is None:
            return None
        try:
            with diskcache.Cache(str(self.folder / RESULTS), size_limit=RESULTS_LIMIT) as c:
                entry = c.get(key)
            outcome = entry["outcome"]
            files = entry["files"]
            typedefs = entry["typedefs"]
        except Exception:  # a cache that cannot be read (corrupt, a folder...) only costs time
            return None
        if not isinstance(outcome, JobOutcome) or not isinstance(files, tuple):
            return None
        tree = config.open_tree()
        if tree is not None:
            if not still_holds(tree.root, files):
                return None
            if typedefs and typedefs != typedef_digest(tree):
                return None
        return _renumbered(outcome, job, index)

    def put(self, key: str | None, job: PatchJob, outcome: JobOutcome, config: RunConfig) -> None:
        """Keep ``outcome`` under ``key`` (not one whose worker failed, nor one stopped
        by bad input)."""
        if key is None or self.folder is None or outcome.error is not None:
            return
        if not outcome.complete:
            return
        if outcome.tree_files is None:
            return  # (a tree file changed while the job ran)
        entry = {"outcome": outcome, "files": outcome.tree_files, "typedefs": outcome.typedefs}
        try:
            with diskcache.Cache(str(self.folder / RESULTS), size_limit=RESULTS_LIMIT) as c:
                c.set(key, entry)
        except Exception:
            pass  # a cache that cannot be written only costs time


def _commands(job: PatchJob, config: RunConfig) -> dict[str, list[str] | str]:
    """kbuild's compile command for each C file of a job in a configured tree (its
    flags choose what the preprocessor and the compiler answer)."""
    tree = config.open_tree()
    if tree is None or not tree.configured:
        return {}
    commands: dict[str, list[str] | str] = {}
    for path in sorted({*job.before, *job.after}):
        if path.endswith(".c"):
            try:
                commands[path] = tree.compile_command(path)
            except InputError as err:
                commands[path] = err.one_line()
    return commands


def _unnamed(patch: Patch | None) -> Patch | None:
    """A patch without what names it (subject, author, date, message, file name, place
    in its series): none of that changes a verdict, and v2 of a series changes it."""
    if patch is None:
        return None
    return dataclasses.replace(
        patch, subject="", author="", date="", message="", source="", index=0, notes=[]
    )


def _meaning(job: PatchJob) -> dict[str, Any]:
    """What a job's verdicts depend on: the job without its title and its patch's name."""
    ready = job.ready
    if ready is not None:
        ready = dataclasses.replace(ready, title="", patch=_unnamed(ready.patch))
    return {
        "patch": _unnamed(job.patch),
        "before": job.before,
        "after": job.after,
        "before_headers": job.before_headers,
        "after_headers": job.after_headers,
        "ready": ready,
    }


def _renumbered(outcome: JobOutcome, job: PatchJob, index: int) -> JobOutcome:
    """A kept outcome under the name and place ``job`` has in this run."""
    results = [dataclasses.replace(r, patch=job.title, patch_index=index) for r in outcome.results]
    work = dataclasses.replace(outcome.work, title=job.title, patch=job.patch)
    return dataclasses.replace(outcome, index=index, work=work, results=results, cached=True)


def clear(root: Path) -> int:
    """Empty the caches under ``root``: verdicts, units, and what is kept of trees (their
    typedef names and compile commands); the number of verdicts and units gone (a
    folder that cannot be read is removed all the same)."""
    gone = 0
    for name in (RESULTS, UNITS):
        folder = root / name
        if not folder.exists():
            continue
        try:
            with diskcache.Cache(str(folder)) as c:
                gone += len(c)
        except Exception:
            pass
        shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(root / TYPEDEF_CACHE, ignore_errors=True)
    with contextlib.suppress(OSError):
        (root / CACHE_FILE).unlink()
    return gone
