"""b4's per-patch check: which texts to compare, the verdicts, checkpatch-style lines.

b4 (``b4 am --check``, ``b4 prep --check``) pipes one patch mail into the command, runs
it at the top of the user's git tree, and reads its output line by line: a line with
``ERROR:`` is a failure, any other line a warning, no output at all a pass (see
``docs/b4.md``). So everything here is quiet unless there is a finding. The body
b4 sends is already decoded whatever its headers say (:mod:`b4_mail` fixes them).

Where the texts come from (:func:`choose_work`):

1. the patch applies to the tree's files: tree mode, tree against tree + patch;
2. the patch is already in the tree (``b4 prep`` checks the commits of the branch):
   tree mode, the commit against its parent when git finds it by patch-id, else the
   files with the patch undone in memory against the files;
3. otherwise (another base, no kernel tree, a tree that is not configured, a tree
   that cannot build the file): the patch alone.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from equivcheck.equiv.check import FunctionResult, Options, check_patches
from equivcheck.errors import InputError
from equivcheck.frontend.applied import (
    backward_steps,
    find_commit,
    forward_steps,
    line_kinds,
    read_series_files,
    works_from_steps,
)
from equivcheck.frontend.model import LineKind, Patch
from equivcheck.frontend.patch.input import printable
from equivcheck.frontend.patch.read import read_patches
from equivcheck.frontend.tree import KernelTree, looks_like_kernel_tree, open_tree
from equivcheck.frontend.workset import PatchWork, from_rev, works_patch_alone
from equivcheck.integrations.b4_mail import repair_headers
from equivcheck.report.document import overall
from equivcheck.verdict import Verdict

Case = Literal["applies", "committed", "applied", "patch"]
Severity = Literal["ERROR", "WARNING"]

STDIN = "<stdin>"
REASON_LIMIT = 200


@dataclass
class Choice:
    """The work chosen for the input, which case gave it, and notes for ``-v``."""

    case: Case
    works: list[PatchWork]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Finding:
    """One line of output: a DIFFERENT function (ERROR) or anything not proved
    (WARNING), with the place it concerns."""

    severity: Severity
    message: str
    where: str = ""

    def line(self) -> str:
        """The checkpatch-style line (``WARNING`` lines never contain ``ERROR:``, which
        b4 would take for a failure)."""
        text = self.message if self.severity == "ERROR" else defuse(self.message)
        place = f" ({defuse(self.where)})" if self.where else ""
        return " ".join(printable(f"{self.severity}: {text}{place}").split())


@dataclass
class Outcome:
    """What the command prints and its exit status."""

    lines: list[str]
    status: int
    notes: list[str]


# ---------------------------------------------------------------------- the tree


def find_kernel_tree(cwd: Path) -> Path | None:
    """The kernel tree b4 runs us in: ``cwd`` itself, else its git top level."""
    if looks_like_kernel_tree(cwd):
        return cwd
    try:
        proc = subprocess.run(
            ["git", "-C", str(cwd), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    top = Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None
    return top if top is not None and looks_like_kernel_tree(top) else None


# ---------------------------------------------------------------------- the case


def choose_work(patches: list[Patch], data: bytes, cwd: Path) -> Choice:
    """The work for ``patches`` (read from ``data``) in the tree at ``cwd``, by the
    first case that fits; tree trouble falls back to the patch alone."""
    root = find_kernel_tree(cwd)
    if root is None:
        return _alone(patches, f"no kernel tree at {cwd}")
    tree = open_tree(root)
    if not tree.configured:
        return _alone(
            patches,
            f"the kernel tree {tree.root} is not configured (no .config or "
            "include/generated/autoconf.h; equivcheck prepare-tree DIR configures one)",
        )
    notes = [f"kernel tree {tree.root} (configured)"]
    try:
        choice = _in_tree(tree, patches, data)
    except InputError as err:
        return _alone(patches, f"tree mode failed ({err.one_line()})", notes)
    if choice is None:
        return _alone(patches, "the patch neither applies to the tree nor is applied", notes)
    choice.notes[:0] = notes
    return choice


def _in_tree(tree: KernelTree, patches: list[Patch], data: bytes) -> Choice | None:
    if tree.is_git and len(patches) == 1:
        sha = find_commit(tree.root, data)
        if sha is not None:
            note = (
                f"case 2: the patch is commit {sha[:12]} (same git patch-id): "
                "comparing it with its parent in tree mode"
            )
            return Choice("committed", from_rev(tree, sha), [note])
    files = read_series_files(tree, patches)
    forward = _try(lambda: forward_steps(files, patches))
    backward = _try(lambda: backward_steps(files, patches))
    direction = applied_direction(forward is not None, backward is not None, line_kinds(patches))
    if direction == "applied" and backward is not None:
        note = (
            "case 2: the patch is already applied to the files: comparing them with the "
            "patch undone in memory, in tree mode"
        )
        return Choice("applied", works_from_steps(backward, tree), [note])
    if direction == "applies" and forward is not None:
        note = "case 1: the patch applies to the tree: comparing tree and tree + patch in tree mode"
        return Choice("applies", works_from_steps(forward, tree), [note])
    return None


def _try[T](build: Callable[[], T]) -> T | None:
    try:
        return build()
    except InputError:
        return None


def applied_direction(
    applies: bool, undoes: bool, kinds: set[LineKind]
) -> Literal["applies", "applied", "neither"]:
    """Which way the patch stands to the files, given whether it applies, whether it
    undoes, and which kinds of changed line it has. When both work, only the lines a
    direction had to find are evidence: a patch that only adds lines applies anywhere
    its context is, so an undo that found the added lines wins; a patch that only
    removes lines undoes anywhere, so finding the removed lines wins. Otherwise
    (whitespace changes, repeated code) the patch is taken as not applied yet."""
    if applies and undoes:
        return "applied" if kinds == {"+"} else "applies"
    if undoes:
        return "applied"
    return "applies" if applies else "neither"


def _alone(patches: list[Patch], why: str, notes: Sequence[str] = ()) -> Choice:
    note = f"case 3: {why}: checking from the patch alone"
    return Choice("patch", works_patch_alone(patches), [*notes, note])


# ---------------------------------------------------------------------- findings


def findings(results: Sequence[FunctionResult], works: Sequence[PatchWork]) -> list[Finding]:
    """One finding per function not proved EQUIVALENT (a helper judged through a
    caller that is reported already is left out) and per file with code changed
    outside every function."""
    several = len(works) > 1
    found = []
    for r in results:
        if r.verdict == "equivalent" or _covered(r, results):
            continue
        tag = f"[{r.patch_index}/{len(works)}] " if several else ""
        reason = shorten(r.reason)
        if r.verdict == "different":
            found.append(
                Finding("ERROR", f"{tag}{r.function}() changes behaviour: {reason}", _where(r))
            )
        else:
            found.append(
                Finding(
                    "WARNING", f"{tag}{r.function}() not proved equivalent: {reason}", _where(r)
                )
            )
    for index, work in enumerate(works, start=1):
        tag = f"[{index}/{len(works)}] " if several else ""
        by_file: dict[str, list[tuple[int, str]]] = {}
        for u in work.unattributed:
            by_file.setdefault(u.file, []).append((u.line, u.text))
        for file, items in by_file.items():
            line, text = items[0]
            more = f"; {len(items) - 1} more line(s)" if len(items) > 1 else ""
            where = f"{file}:{line}" if line else file
            message = f"{tag}change outside any function not checked: {shorten(text, 80)}"
            found.append(Finding("WARNING", message, where + more))
    return found


def _covered(r: FunctionResult, results: Sequence[FunctionResult]) -> bool:
    """An added or removed helper whose verdict a reported caller that inlined it
    already carries."""
    return r.status in {"added", "removed"} and any(
        q is not r
        and q.patch_index == r.patch_index
        and r.function in q.inlined
        and q.verdict == r.verdict
        for q in results
    )


def _where(r: FunctionResult) -> str:
    if r.after_location:
        return r.after_location
    if r.before_location:
        return r.before_location
    line = r.after_line or r.before_line
    return f"{r.file}:{line}" if line else r.file


_GIT_DIFF = re.compile(rb"^diff --git ", re.M)
_HUNK = re.compile(rb"^@@ -[0-9]", re.M)
_METHOD = re.compile(
    r"^compared the changed part \(\d+ region\(s\)\); the rest of the function is the same "
    r"text in both versions: "
)


def shorten(text: str, limit: int = REASON_LIMIT) -> str:
    """``text`` on one line, without the tree-mode method preamble, cut after at most
    ``limit`` characters at a clause boundary when it can be."""
    flat = " ".join(text.split())
    flat = _METHOD.sub("", flat)
    if len(flat) <= limit:
        return flat
    head = flat[:limit]
    cut = head.rfind("; ")
    if cut < limit // 3:
        cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else head).rstrip(" ;,:") + " ..."


def defuse(text: str) -> str:
    """``text`` without the marker b4 reads as a failure."""
    return text.replace("ERROR:", "error:")


# ---------------------------------------------------------------------- run


def run_check(data: bytes, cwd: Path, options: Options) -> Outcome:
    """Read the patch, choose the case, check it; InputError for bad input."""
    data = repair_headers(data)
    if _GIT_DIFF.search(data) and not _HUNK.search(data):
        # A git diff without a single hunk (a pure rename, a mode or binary change) is
        # a patch, not bad input, but it changes no text that could be compared.
        line = Finding("WARNING", "no text change to check: rename, mode or binary change only")
        return Outcome([line.line()], Verdict.UNKNOWN.exit_status, ["the patch has no hunk"])
    patches = read_patches(data, STDIN)
    choice = choose_work(patches, data, cwd)
    results = check_patches(choice.works, options)
    verdict = overall(results, choice.works)
    lines = [f.line() for f in findings(results, choice.works)]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "no function"
    repairs = [note for patch in patches for note in patch.notes]  # a recounted hunk
    notes = [
        *choice.notes,
        *repairs,
        f"{len(results)} function(s) checked: {summary}; verdict {verdict}",
    ]
    return Outcome(lines, Verdict(verdict).exit_status, [defuse(n) for n in notes])
