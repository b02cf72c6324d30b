"""What to compare: for each patch, each touched function with its before and after text.

Four input forms lead here (see ``docs/frontend.md``):

- a patch file (format-patch, plain diff, mbox series, damaged copy) and a kernel tree:
  the patch is applied to the tree's files in memory (the tree is never written);
- a patch file alone: whole texts for functions the patch adds, and for changed
  functions the balanced regions its hunks cover;
- a tree that is a git checkout and a revision or range: each commit against its parent;
- two files and (optionally) a function name.

With a configured tree each version is preprocessed as kbuild compiles the file, the
modelled macros kept as ``__ec_`` calls ("tree" mode). Otherwise functions are taken as
written ("light" mode: typedef names from the tree's headers when there is a tree, and
guessed from use).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from equivcheck.errors import InputError
from equivcheck.frontend import gnuc
from equivcheck.frontend.gitrev import commit_patch, commits_in_range, file_at
from equivcheck.frontend.model import FileContext, FilePatch, FunctionChange, FunctionText, Patch
from equivcheck.frontend.patch.apply import apply_patch
from equivcheck.frontend.patch.input import read_file
from equivcheck.frontend.patch.read import read_patches
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.frontend.source.fragments import (
    Region,
    added_functions,
    function_fragments,
    removed_functions,
)
from equivcheck.frontend.source.functions import (
    call_graph,
    changed_functions,
    defined_times,
    reaching,
)
from equivcheck.frontend.source.unattributed import (
    Unattributed,
    header_changes,
    unattributed_changes,
)
from equivcheck.frontend.tree import KernelTree
from equivcheck.frontend.unit.unions import union_members

Mode = Literal["tree", "light", "patch"]
Side = Literal["before", "after"]


@dataclass
class FunctionWork:
    """One touched function: its change, how its texts were obtained, and the texts.

    In patch-alone mode a changed function has ``regions`` (before/after pairs) instead
    of whole texts; an ``affected`` function may have no text at all. ``reported`` is
    False for a function that is only there to be inlined into the ones reported (a
    changed callee of ``--function F``, or an unchanged function between a caller and
    a changed callee). ``problem`` says why the function cannot be compared.
    """

    change: FunctionChange
    mode: Mode
    before: FunctionText | None = None
    after: FunctionText | None = None
    regions: list[tuple[Region, Region]] = field(default_factory=list)
    problem: str = ""
    reported: bool = True

    def text(self, side: Side) -> FunctionText | None:
        """The whole function text of one side, if there is one."""
        return self.before if side == "before" else self.after


@dataclass
class PatchWork:
    """The functions one patch (or one commit, or one file pair) touches."""

    title: str
    patch: Patch | None
    functions: list[FunctionWork]
    unattributed: list[Unattributed] = field(default_factory=list)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    # Two-file mode: the path each version was read from ("before", "after").
    origins: dict[str, Path] = field(default_factory=dict)

    def source(self, side: Side, path: str) -> str | None:
        """The whole text of file ``path`` in one version, when the input had it."""
        return self.sources.get(side, {}).get(path)


def read_input(path: Path) -> bytes:
    """The bytes of an input file (a regular file, size capped), or an InputError
    saying what is wrong with it."""
    return read_file(path)


def read_c_file(path: Path) -> str:
    """A C source file as text; non-UTF-8 bytes are an InputError."""
    data = read_input(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            str(path), f"not UTF-8 (byte {exc.start})", "convert the file to UTF-8"
        ) from None


def load_patches(path: Path) -> list[Patch]:
    """The patches in a file (one, or a series from an mbox)."""
    return read_patches(read_input(path), str(path))


def patch_title(patch: Patch, total: int) -> str:
    """``[i/n] subject`` for a series, the subject alone otherwise."""
    subject = patch.subject or patch.source
    return f"[{patch.index}/{total}] {subject}" if total > 1 else subject


# ---------------------------------------------------------------------- input forms


def works_patch_alone(patches: Sequence[Patch]) -> list[PatchWork]:
    """Work for each patch from its own text (patch-alone mode)."""
    return [
        PatchWork(patch_title(p, len(patches)), p, functions_alone(p), unattributed_changes(p))
        for p in patches
    ]


@dataclass
class PatchJob:
    """One patch (or commit) before its functions are read: the texts of the files it
    touches just before and just after it, and the headers the series changed by then.
    A worker builds the :class:`PatchWork` from it (:func:`build_work`); work that is
    cheap to build (patch alone, two files) comes ``ready``."""

    title: str
    patch: Patch | None
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    before_headers: dict[str, str] = field(default_factory=dict)
    after_headers: dict[str, str] = field(default_factory=dict)
    ready: PatchWork | None = None

    @functools.cached_property
    def changes(self) -> list[FunctionChange]:
        """The functions the patch touches, listed from the texts (no preprocessing;
        worked out once: the deadline, the progress display and a failed worker's rows
        all ask)."""
        if self.ready is not None:
            return [fw.change for fw in self.ready.functions if fw.reported]
        assert self.patch is not None
        return changed_functions(self.patch, self.before, self.after)


def build_work(job: PatchJob, tree: KernelTree | None, *, with_texts: bool = True) -> PatchWork:
    """The work of one job: every touched function with its texts (preprocessed as
    kbuild compiles the file in tree mode). ``with_texts=False`` only lists them."""
    if job.ready is not None:
        return job.ready
    assert job.patch is not None and tree is not None
    if with_texts:
        functions = functions_with_texts(
            job.patch, job.before, job.after, tree, job.before_headers, job.after_headers
        )
    else:
        functions = [FunctionWork(c, file_mode(tree, c.file)) for c in job.changes]
    outside = unattributed_changes(job.patch, job.before, job.after)
    sources = {"before": job.before, "after": job.after}
    return PatchWork(job.title, job.patch, functions, outside, sources)


def ready_jobs(works: Sequence[PatchWork]) -> list[PatchJob]:
    """Jobs for work already built."""
    return [PatchJob(w.title, w.patch, ready=w) for w in works]


def from_patch_file(
    path: Path, tree: KernelTree | None, *, with_texts: bool = True
) -> list[PatchWork]:
    """Work for every patch in ``path``; with a tree, applied in order on its files.
    ``with_texts=False`` only lists the functions (no preprocessing)."""
    return [build_work(j, tree, with_texts=with_texts) for j in patch_file_jobs(path, tree)]


def patch_file_jobs(path: Path, tree: KernelTree | None) -> list[PatchJob]:
    """A job for every patch in ``path``; with a tree, applied in order on its files
    (each job holds the files as the patches before it left them)."""
    patches = load_patches(path)
    if tree is None:
        return ready_jobs(works_patch_alone(patches))
    state: dict[str, str] = {}
    headers: dict[str, str] = {}
    jobs = []
    for patch in patches:
        before = {}
        for fp in patch.files:
            for named in (fp.old_path, fp.new_path):
                if named is not None:
                    tree.inside(named)  # refuses ../ and absolute paths
            if fp.old_path is None:
                continue
            if fp.old_path not in state:
                state[fp.old_path] = tree.read(fp.old_path)
            before[fp.old_path] = state[fp.old_path]
        before_headers = dict(headers)
        applied = apply_patch(before, patch)
        after = {p: t for p, t in applied.items() if t is not None}
        for p, t in applied.items():
            if t is None:
                state.pop(p, None)
            else:
                state[p] = t
                if p.endswith(".h"):
                    headers[p] = t
        title = patch_title(patch, len(patches))
        jobs.append(PatchJob(title, patch, before, after, before_headers, dict(headers)))
    return jobs


def from_rev(tree: KernelTree, rev: str, *, with_texts: bool = True) -> list[PatchWork]:
    """Work for each commit of ``rev`` (one commit, or ``A..B`` oldest first)."""
    return [build_work(j, tree, with_texts=with_texts) for j in rev_jobs(tree, rev)]


def rev_jobs(tree: KernelTree, rev: str) -> list[PatchJob]:
    """A job for each commit of ``rev`` (one commit, or ``A..B`` oldest first): the
    files it touches at its parent and at itself."""
    if not tree.is_git:
        raise InputError(str(tree.root), "is not a git checkout", "--rev needs a git tree")
    jobs = []
    for sha in commits_in_range(tree.root, rev):
        patch = commit_patch(tree.root, sha)
        before: dict[str, str] = {}
        after: dict[str, str] = {}
        for fp in patch.files:
            if fp.old_path:
                old = file_at(tree.root, f"{sha}^", fp.old_path)
                if old is not None:
                    before[fp.old_path] = old
            if fp.new_path:
                new = file_at(tree.root, sha, fp.new_path)
                if new is not None:
                    after[fp.new_path] = new
        before_headers = {p: t for p, t in before.items() if p.endswith(".h")}
        after_headers = {p: t for p, t in after.items() if p.endswith(".h")}
        title = f"{sha[:12]} {patch.subject}"
        jobs.append(PatchJob(title, patch, before, after, before_headers, after_headers))
    return jobs


def from_files(
    before_path: Path,
    after_path: Path,
    function: str | None,
    tree: KernelTree | None = None,
    include_dirs: tuple[Path, ...] = (),
) -> list[PatchWork]:
    """Work for two versions of one C file: all changed functions, or ``function``
    alone (reported), with every changed function it reaches (inlined, not reported).
    Each version's text keeps its file's context: its quoted includes are found in its
    own directory, then in ``include_dirs``."""
    old, new = read_c_file(before_path), read_c_file(after_path)
    contexts = [
        FileContext(text, tuple(str(d.resolve()) for d in (path.parent, *include_dirs)))
        for text, path in ((old, before_path), (new, after_path))
    ]
    name = str(after_path)
    pseudo = Patch(
        subject=f"{before_path} -> {after_path}",
        files=[FilePatch(name, name, [])],
        source=name,
    )
    every = changed_functions(pseudo, {name: old}, {name: new})
    changes = every
    if function is not None:
        changes = _scope(every, function, name, old, new, f"{before_path}, {after_path}")
    selected = _with_inlined(changes, every, name, old, new)
    works = []
    for change, reported in selected:
        # (both versions' lines go by the after file's name, as the changed parts and
        # the search for a difference pair them; the report names the before file)
        before_text, after_text = (
            _in_context(light_function_text(text, name, change.function, tree), context)
            for text, context in zip((old, new), contexts, strict=True)
        )
        work = FunctionWork(change, "light", before_text, after_text, reported=reported)
        work.problem = _variants_problem(old, new, change.function)
        if function is not None and reported and change.status in {"added", "removed"}:
            missing = "before" if change.status == "added" else "after"
            work.problem = (
                f"{function} is {change.status}: it has no {missing} version to compare "
                "with, and its verdict comes through its callers; "
                "name a caller with --function, or leave --function out"
            )
        works.append(work)
    # A change outside every function (a macro) can change the function chosen too.
    outside = unattributed_changes(pseudo, {name: old}, {name: new})
    # (and so can a header the two versions read differently)
    outside += header_changes(*((c.text, c.include_dirs) for c in contexts))
    sources = {"before": {name: old}, "after": {name: new}}
    origins = {"before": before_path, "after": after_path}
    return [PatchWork(pseudo.subject, None, works, outside, sources, origins)]


def _in_context(text: FunctionText | None, context: FileContext) -> FunctionText | None:
    """A function's text with its file's context (None stays None)."""
    return dataclasses.replace(text, context=context) if text is not None else None


def _scope(
    changes: list[FunctionChange], function: str, file: str, old: str, new: str, source: str
) -> list[FunctionChange]:
    """``--function F``: F's own entry (changed, or affected when it reaches a changed
    function of the file, or unchanged text), then the changes it reaches."""
    if not (_has_function(old, function) or _has_function(new, function)):
        raise InputError(
            source,
            f"no function named {function}",
            "check the name (equivcheck functions --before/--after lists them)",
        )
    touched = {c.function for c in changes if c.status != "affected"}
    reached = reaching(call_graph(old, new), function, touched)
    own = next((c for c in changes if c.function == function), None)
    if own is None and reached:
        own = FunctionChange(file, function, "affected", "reaches " + ", ".join(sorted(reached)))
    if own is None:
        own = FunctionChange(file, function, "changed", "no textual change")
    return [own]


def _with_inlined(
    changes: list[FunctionChange], every: list[FunctionChange], file: str, old: str, new: str
) -> list[tuple[FunctionChange, bool]]:
    """The changes (reported) and, not reported, every other function of the file that
    a reported one reaches and whose behaviour the change can alter (a changed callee,
    or an unchanged function calling one): the engine inlines them."""
    graph = call_graph(old, new)
    listed = {c.function for c in changes}
    by_name = {c.function: c for c in every}
    touched = {c.function for c in every if c.status != "affected"}
    extra: set[str] = set()
    for change in changes:
        extra |= reaching(graph, change.function, touched)
    out = [(c, True) for c in changes]
    for name in sorted(extra - listed):
        change = by_name.get(name) or FunctionChange(file, name, "affected", "")
        inlined = dataclasses.replace(change, detail=_join(change.detail, "inlined only"))
        out.append((inlined, False))
    return out


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _variants_problem(old: str, new: str, name: str) -> str:
    """Why a function defined more than once (``#ifdef`` variants) cannot be compared
    as written: which definition the build uses is not known without a configured tree."""
    times = max(defined_times(old, name), defined_times(new, name))
    if times < 2:
        return ""
    return (
        f"{name} is defined {times} times (configuration variants?); which one the build "
        "uses is not known as written: give --tree with a configured kernel tree"
    )


# ---------------------------------------------------------------------- texts


def _has_function(text: str, name: str) -> bool:
    return any(f.name == name for f in find_functions(text))


def functions_with_texts(
    patch: Patch,
    before: dict[str, str],
    after: dict[str, str],
    tree: KernelTree,
    before_headers: dict[str, str],
    after_headers: dict[str, str],
) -> list[FunctionWork]:
    changes = changed_functions(patch, before, after)
    by_file: dict[str, list[FunctionChange]] = {}
    for change in changes:
        by_file.setdefault(change.file, []).append(change)
    works: list[FunctionWork] = []
    for file, file_changes in by_file.items():
        fp = next(f for f in patch.files if f.path == file)
        old = before.get(fp.old_path, "") if fp.old_path else ""
        new = after.get(fp.new_path, "") if fp.new_path else ""
        selected = _with_inlined(file_changes, file_changes, file, old, new)
        names = [c.function for c, _ in selected]
        sides: dict[Side, tuple[dict[str, FunctionText], dict[str, str]]] = {}
        mode = file_mode(tree, file)
        side_inputs: list[tuple[Side, dict[str, str], dict[str, str], str | None]] = [
            ("before", before, before_headers, fp.old_path),
            ("after", after, after_headers, fp.new_path),
        ]
        for side, texts, headers, path in side_inputs:
            text = texts.get(path) if path else None
            sides[side] = (
                ({}, {})
                if text is None
                else _side_texts(tree, mode, path or file, text, names, headers)
            )
        for change, reported in selected:
            name = change.function
            work = FunctionWork(
                change,
                mode,
                sides["before"][0].get(name),
                sides["after"][0].get(name),
                reported=reported,
            )
            problems = [
                f"{side}: {sides[side][1][name]}" for side in sides if name in sides[side][1]
            ]
            if mode == "light":
                problems.append(_variants_problem(old, new, name))
            work.problem = _join(*problems)
            works.append(work)
    return works


def file_mode(tree: KernelTree, file: str) -> Mode:
    """Tree mode for C files of a configured tree; headers and unconfigured trees are
    taken as written."""
    return "tree" if tree.configured and file.endswith(".c") else "light"


def _side_texts(
    tree: KernelTree,
    mode: Mode,
    path: str,
    text: str,
    names: list[str],
    headers: dict[str, str],
) -> tuple[dict[str, FunctionText], dict[str, str]]:
    """The texts of the functions ``names`` in one version of a file, and for each one
    written there but not compiled (its configuration leaves it out), why."""
    present = {f.name: f.start_line for f in find_functions(text)}
    wanted = [n for n in names if n in present]
    if mode == "light":
        out = {}
        for name in wanted:
            func = light_function_text(text, path, name, tree)
            if func is not None:
                out[name] = func
        return out, {}
    pre = tree.preprocess(path, text=text, keep_macros_for=wanted, overlay=headers)
    typedefs = gnuc.typedef_names(pre.text)
    unions = union_members(pre.text)
    texts: dict[str, FunctionText] = {}
    problems: dict[str, str] = {}
    for name in wanted:
        try:
            func = _cut_compiled(pre.text, name, (path, present[name]), typedefs)
        except InputError:
            problems[name] = (
                f"{name} is written in {path} but the tree's configuration does not compile "
                "it (an #if/#ifdef leaves it out), or its preprocessed definition could not "
                "be found; not compared"
            )
            continue
        texts[name] = dataclasses.replace(func, union_members=unions, unit=pre.text)
    return texts, problems


def _cut_compiled(
    unit: str, name: str, near: tuple[str, int], typedefs: frozenset[str]
) -> FunctionText:
    """The preprocessed definition of ``name``: for a system call
    (``SYSCALL_DEFINEn(madvise, ...)``, named ``sys_madvise``) the function holding its
    body, ``__do_sys_madvise``, under the system call's name."""
    try:
        return gnuc.cut_function(unit, name, near=near, typedefs=typedefs)
    except InputError:
        if not name.startswith(("sys_", "compat_sys_")):
            raise
        body = gnuc.cut_function(unit, f"__do_{name}", near=near, typedefs=typedefs)
        return dataclasses.replace(body, name=name)


def light_function_text(
    text: str, path: str, name: str, tree: KernelTree | None
) -> FunctionText | None:
    """The raw text of function ``name`` in ``text`` with light-mode typedef names."""
    for func in find_functions(text):
        if func.name != name:
            continue
        lines = text.split("\n")[func.start_line - 1 : func.end_line]
        body = "\n".join(lines) + "\n"
        typedefs = gnuc.guess_typedef_names(body)
        if tree is not None:
            typedefs |= tree.header_typedef_names()
        return FunctionText(name, path, func.start_line, body, typedefs)
    return None


def functions_alone(patch: Patch) -> list[FunctionWork]:
    added = {(f.file, f.name): f for f in added_functions(patch)}
    removed = {(f.file, f.name): f for f in removed_functions(patch)}
    works = []
    for change in changed_functions(patch):
        work = FunctionWork(change, "patch")
        key = (change.file, change.function)
        if change.status == "added" and key in added:
            work.after = _with_guessed_typedefs(added[key])
        elif change.status == "removed" and key in removed:
            work.before = _with_guessed_typedefs(removed[key])
        elif change.status == "changed":
            try:
                work.regions = function_fragments(patch, change.function).pairs
            except InputError as err:
                work.problem = err.one_line()
        works.append(work)
    return works


def _with_guessed_typedefs(func: FunctionText) -> FunctionText:
    typedefs = gnuc.guess_typedef_names(func.text)
    return FunctionText(func.name, func.file, func.start_line, func.text, typedefs)
