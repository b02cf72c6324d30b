"""Work from patches already read, on a tree where they may apply or be applied already.

``from_patch_file`` reads a patch file and applies it to a tree's files in memory. A
tool that receives the patch on stdin (b4's per-patch check) needs the same from parsed
patches, and one more direction: ``b4 prep`` checks commits that are already applied,
so the before texts come from undoing the patches in memory (last one first) on the
files as they stand, and the after texts are those files. In a git checkout the
commit itself can be found instead (:func:`find_commit`, by ``git patch-id``).

Each patch becomes a :class:`Step`: the texts of every path the series touches just
before and just after it. Headers the series touches are overlaid in both versions,
so a header changed by the patch (or by a later one that is also applied) is seen
as it was at that point of the series. The tree on disk is never written.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from equivcheck.frontend.model import FilePatch, Hunk, HunkLine, LineKind, Patch
from equivcheck.frontend.patch.apply import apply_patch
from equivcheck.frontend.source.unattributed import unattributed_changes
from equivcheck.frontend.tree import KernelTree

# The per-file text extraction is shared with ``from_patch_file`` so that both give
# the same texts; workset keeps it private, so it is imported by name here.
from equivcheck.frontend.workset import (
    PatchWork,
    functions_with_texts,
    patch_title,
)

_FLIP: dict[LineKind, LineKind] = {"+": "-", "-": "+", " ": " "}

# How far back ``find_commit`` looks: a series being prepared sits on top of HEAD.
HISTORY_DEPTH = 100


@dataclass(frozen=True)
class Step:
    """One patch with the texts of the series' paths just before and just after it
    (a path absent from a mapping does not exist at that point)."""

    patch: Patch
    before: dict[str, str]
    after: dict[str, str]


# ---------------------------------------------------------------------- undoing


def reverse_patch(patch: Patch) -> Patch:
    """The patch that undoes ``patch``: sides swapped, files in reverse order."""
    files = [
        FilePatch(fp.new_path, fp.old_path, [_reverse_hunk(h) for h in fp.hunks])
        for fp in reversed(patch.files)
    ]
    return Patch(
        subject=patch.subject,
        files=files,
        author=patch.author,
        date=patch.date,
        message=patch.message,
        source=patch.source,
        index=patch.index,
        damaged=patch.damaged,
    )


def _reverse_hunk(hunk: Hunk) -> Hunk:
    lines = [
        HunkLine(_FLIP[ln.kind], ln.old_text, ln.text)
        if ln.old_text is not None
        else HunkLine(_FLIP[ln.kind], ln.text)
        for ln in hunk.lines
    ]
    return Hunk(hunk.new_start, hunk.new_len, hunk.old_start, hunk.old_len, hunk.section, lines)


def series_paths(patches: Sequence[Patch]) -> list[str]:
    """Every path the patches read or write, in first-seen order."""
    seen: dict[str, None] = {}
    for patch in patches:
        for fp in patch.files:
            for path in (fp.old_path, fp.new_path):
                if path is not None:
                    seen.setdefault(path, None)
    return list(seen)


def _update(state: dict[str, str], changed: Mapping[str, str | None]) -> None:
    for path, text in changed.items():
        if text is None:
            state.pop(path, None)
        else:
            state[path] = text


def forward_steps(files: Mapping[str, str], patches: Sequence[Patch]) -> list[Step]:
    """Apply ``patches`` in order on ``files`` (the series' paths as they stand);
    InputError when one does not apply."""
    state = dict(files)
    steps = []
    for patch in patches:
        before = dict(state)
        _update(state, apply_patch(state, patch))
        steps.append(Step(patch, before, dict(state)))
    return steps


def backward_steps(files: Mapping[str, str], patches: Sequence[Patch]) -> list[Step]:
    """Undo ``patches`` (already applied, in this order) on ``files``, last first;
    the steps come back in series order. InputError when one does not undo."""
    state = dict(files)
    steps = []
    for patch in reversed(patches):
        after = dict(state)
        _update(state, apply_patch(state, reverse_patch(patch)))
        steps.append(Step(patch, dict(state), after))
    return list(reversed(steps))


def line_kinds(patches: Sequence[Patch]) -> set[LineKind]:
    """Which kinds of changed line (``+``, ``-``) the patches hold."""
    return {
        ln.kind
        for patch in patches
        for fp in patch.files
        for hunk in fp.hunks
        for ln in hunk.lines
        if ln.kind != " "
    }


# ---------------------------------------------------------------------- work


def read_series_files(tree: KernelTree, patches: Sequence[Patch]) -> dict[str, str]:
    """The tree's current text of every path the series touches that exists; a path
    outside the tree is an InputError (:meth:`KernelTree.inside`)."""
    return {p: tree.read(p) for p in series_paths(patches) if tree.inside(p).is_file()}


def works_from_steps(steps: Sequence[Step], tree: KernelTree) -> list[PatchWork]:
    """Work for each step, with texts from the tree (preprocessed when configured)."""
    works = []
    for step in steps:
        patch = step.patch
        before = {
            fp.old_path: step.before[fp.old_path]
            for fp in patch.files
            if fp.old_path is not None and fp.old_path in step.before
        }
        after = {
            fp.new_path: step.after[fp.new_path]
            for fp in patch.files
            if fp.new_path is not None and fp.new_path in step.after
        }
        functions = functions_with_texts(
            patch, before, after, tree, _headers(step.before), _headers(step.after)
        )
        outside = unattributed_changes(patch, before, after)
        works.append(PatchWork(patch_title(patch, len(steps)), patch, functions, outside))
    return works


def _headers(state: Mapping[str, str]) -> dict[str, str]:
    return {path: text for path, text in state.items() if path.endswith(".h")}


# ---------------------------------------------------------------------- commits


def find_commit(repo: Path, patch_text: bytes, depth: int = HISTORY_DEPTH) -> str | None:
    """The newest of the last ``depth`` non-merge commits of HEAD whose diff has the
    same ``git patch-id --stable`` as ``patch_text`` (one patch), or None (also when
    git is missing or ``repo`` is not a git checkout)."""
    wanted = _patch_ids(repo, patch_text)
    if len(wanted) != 1:
        return None
    log = _git(
        repo,
        "-c",
        "diff.noprefix=false",
        "-c",
        "diff.mnemonicPrefix=false",
        "log",
        "-p",
        "--no-merges",
        "--no-color",
        "--no-ext-diff",
        f"-n{depth}",
        "--format=commit %H",
        "HEAD",
    )
    if log is None:
        return None
    for patch_id, sha in _patch_id_pairs(repo, log):
        if patch_id == wanted[0]:
            return sha
    return None


def _patch_ids(repo: Path, text: bytes) -> list[str]:
    return [patch_id for patch_id, _ in _patch_id_pairs(repo, text)]


def _patch_id_pairs(repo: Path, text: bytes) -> list[tuple[str, str]]:
    out = _git(repo, "patch-id", "--stable", stdin=text)
    if out is None:
        return []
    pairs = []
    for line in out.decode("ascii", errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def _git(repo: Path, *args: str, stdin: bytes = b"") -> bytes | None:
    """Standard output of a git command, or None when it cannot run or fails."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False
        )
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None
