"""Inputs for the scale tests: quick jobs of every verdict (the callee fixtures, patch
alone and two files), a small kernel-like tree (not configured, so its functions are
read as written) that the callee patches apply to, and a cache folder per test."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from equivcheck.frontend.tree import open_tree
from equivcheck.frontend.workset import PatchJob, from_files, patch_file_jobs, ready_jobs
from equivcheck.scale.cache import ResultCache

CALLEE = Path(__file__).resolve().parents[2] / "fixtures" / "patches" / "callee"
DIFFS = ("scaled-by-three.diff", "scaled-commuted.diff")
VARIANTS = ("counter.scaled-by-three.c", "counter.scaled-commuted.c")


def callee_jobs(tree: Path | None = None) -> list[PatchJob]:
    """Four jobs: the two callee patches (on ``tree``, else alone), then the two
    variants as file pairs."""
    kernel = open_tree(tree) if tree is not None else None
    jobs = [job for diff in DIFFS for job in patch_file_jobs(CALLEE / diff, kernel)]
    for variant in VARIANTS:
        jobs += ready_jobs(from_files(CALLEE / "counter.c", CALLEE / variant, None))
    return jobs


def settle(root: Path) -> None:
    """Date every file under ``root`` an hour back: the cache keeps nothing read from a
    file changed in the last seconds (it may have changed while it was read)."""
    then = time.time() - 3600
    for path in [root, *root.rglob("*")]:
        os.utime(path, (then, then))


@pytest.fixture
def small_tree(tmp_path: Path) -> Path:
    """A tree holding ``counter.c`` (Makefile, mm/ and include/linux/ make it a tree
    to the front end)."""
    root = tmp_path / "tree"
    (root / "mm").mkdir(parents=True)
    (root / "include" / "linux").mkdir(parents=True)
    (root / "Makefile").write_text("# a tree for the tests\n")
    (root / "include" / "linux" / "types.h").write_text("typedef unsigned int u32;\n")
    shutil.copy(CALLEE / "counter.c", root / "counter.c")
    settle(root)
    return root


@pytest.fixture
def cache(tmp_path: Path) -> ResultCache:
    """An empty verdict cache of the test's own."""
    return ResultCache(tmp_path / "cache")
