"""One patch's run, as a worker does it: build its work from the job (preprocessing in
tree mode), compare every touched function, ask the compiled code when told to, and
return what the report needs, small enough to send back (units dropped).

A job that cannot be run to its end (its worker died or overran its deadline) still
gives a row per function it touches, each UNKNOWN with the reason (:func:`failed`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from equivcheck.binary.second import add_second_opinions
from equivcheck.equiv.check import FunctionResult, Progress, check_patch
from equivcheck.errors import InputError
from equivcheck.fingerprint import tool_fingerprint
from equivcheck.frontend.tree import KernelTree, open_tree
from equivcheck.frontend.unit.filestate import FileState, include_dirs, marker_files, record
from equivcheck.frontend.workset import FunctionWork, PatchJob, PatchWork, build_work, file_mode
from equivcheck.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True)
class RunConfig:
    """What every job of a run shares: the limits, the tree (its root), the folder of
    kept preprocessed units (None: none kept), whether the compiled code is asked too,
    and two-file mode's header folders."""

    limits: Limits = DEFAULT_LIMITS
    tree: Path | None = None
    units: Path | None = None
    binary: bool = False
    include_dirs: tuple[Path, ...] = ()

    def open_tree(self) -> KernelTree | None:
        """The tree, keeping units in :attr:`units`."""
        if self.tree is None:
            return None
        return dataclasses.replace(open_tree(self.tree), units=self.units)


@dataclass
class JobOutcome:
    """A job's results in input order (``index`` is its place in the run, from 1), its
    work without the preprocessed units, the state of the tree files it read (what a
    kept verdict depends on besides the job: :func:`read_from_tree`; None when one
    changed while the job ran, and the outcome is not to be kept), the digest of the
    tree's typedef names when a function was read from the tree as written (light
    mode), its wall time, the input error that stopped it, if one did, and the build of
    the tool that ran it (a cluster's worker may run another); not ``complete`` when
    its worker did not finish (:func:`failed`)."""

    index: int
    work: PatchWork
    results: list[FunctionResult]
    seconds: float = 0.0
    tree_files: tuple[FileState, ...] | None = ()
    typedefs: str = ""
    error: tuple[str, str, str] | None = None
    cached: bool = False
    tool: str = field(default_factory=tool_fingerprint)
    complete: bool = True

    def raise_error(self) -> None:
        """Raise the input error that stopped the job, if one did."""
        if self.error is not None:
            raise InputError(*self.error)


def run_job(
    job: PatchJob, index: int, config: RunConfig, progress: Progress | None = None
) -> JobOutcome:
    """Run one job to its end (in a worker, or in this process when ``progress`` is
    told of each function)."""
    start = time.perf_counter()
    started_ns = time.time_ns()
    try:
        tree = config.open_tree()
        work = build_work(job, tree)
        files, typedefs = read_from_tree(job, work, tree, started_ns)
        results = check_patch(work, index, config.limits, progress)
        if config.binary:
            add_second_opinions(
                results,
                {index: work},
                config.tree,
                limits=config.limits,
                include_dirs=config.include_dirs,
            )
    except InputError as err:
        stopped = PatchWork(job.title, job.patch, [])
        error = (err.subject, err.problem, err.hint)
        return JobOutcome(index, stopped, [], time.perf_counter() - start, error=error)
    return JobOutcome(
        index, without_units(work), results, time.perf_counter() - start, files, typedefs
    )


def build_files(job: PatchJob) -> set[str]:
    """The files that choose how a job's files are compiled: the configuration and
    the Makefiles from the top down to each file's folder."""
    found = {".config", "Makefile", "include/config/auto.conf"}
    for path in [*job.before, *job.after]:
        parts = PurePath(path).parts[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            found |= {f"{folder}/Makefile", f"{folder}/Kbuild"}
    return found


def typedef_digest(tree: KernelTree) -> str:
    """A digest of the typedef names of the tree's headers (light mode's parse)."""
    names = "\0".join(sorted(tree.scan_typedefs().names))
    return hashlib.sha256(names.encode()).hexdigest()


def read_from_tree(
    job: PatchJob, work: PatchWork, tree: KernelTree | None, since_ns: int
) -> tuple[tuple[FileState, ...] | None, str]:
    """What the job's work read from the tree, recorded now (right after it was
    read): the files its preprocessed units name, the files that choose the compile
    commands, and the folders the include path looks in first (a header created there
    would be found instead); None when one of them changed since ``since_ns`` or just
    before. With the digest of the tree's typedef names when a function was read as
    written."""
    if tree is None:
        return (), ""
    read = build_files(job)
    for fw in work.functions:
        for text in (fw.before, fw.after):
            if text is not None and text.unit:
                read |= marker_files(text.unit)
    search: list[str] = []
    if tree.configured:
        for path in sorted({*job.before, *job.after}):
            if path.endswith(".c"):
                with contextlib.suppress(InputError):
                    search += include_dirs(tree.compile_command(path))
    files = record(tree.root, read, search, since_ns)
    light = any(fw.mode == "light" for fw in work.functions)
    return files, typedef_digest(tree) if light else ""


def without_units(work: PatchWork) -> PatchWork:
    """``work`` with its functions' preprocessed units dropped (the report does not
    read them; they are megabytes each)."""
    functions = [
        dataclasses.replace(
            fw,
            before=dataclasses.replace(fw.before, unit="") if fw.before else None,
            after=dataclasses.replace(fw.after, unit="") if fw.after else None,
        )
        for fw in work.functions
    ]
    return dataclasses.replace(work, functions=functions)


def failed(job: PatchJob, index: int, config: RunConfig, reason: str) -> JobOutcome:
    """The outcome of a job whose worker did not finish: its functions, listed from
    the texts alone, each UNKNOWN with ``reason``."""
    tree = config.open_tree()
    if job.ready is not None:
        work = job.ready
        rows = [fw for fw in work.functions if fw.reported]
    else:
        work = build_work(job, tree, with_texts=False)
        rows = work.functions
    results = [_unknown(fw, job.title, index, tree, reason) for fw in rows]
    return JobOutcome(index, without_units(work), results, complete=False)


def _unknown(
    fw: FunctionWork, title: str, index: int, tree: KernelTree | None, reason: str
) -> FunctionResult:
    mode = fw.mode if tree is None else file_mode(tree, fw.change.file)
    return FunctionResult(
        file=fw.change.file,
        function=fw.change.function,
        status=fw.change.status,
        verdict="unknown",
        reason=reason,
        mode=mode,
        patch=title,
        patch_index=index,
    )
