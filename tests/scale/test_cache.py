"""Kept verdicts: served again for the same job, never after a change to the function,
its callees' bodies, a header its unit read, the options or the tool."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from equivcheck import fingerprint
from equivcheck.frontend.tree import open_tree
from equivcheck.frontend.unit.filestate import record
from equivcheck.frontend.workset import patch_file_jobs
from equivcheck.limits import Limits
from equivcheck.scale.cache import ResultCache, clear, digest
from equivcheck.scale.execute import Plan, run_jobs
from equivcheck.scale.jobs import JobOutcome, RunConfig, build_files
from tests.scale.conftest import CALLEE, callee_jobs, settle
from tests.scale.test_execute import report

LIMITS = Limits(budget_s=30)
# counter.c with record() defined in the file: a callee of every changed function
# whose body no patch touches (the line count is kept, so the patches still apply).
RECORD = "static void record(int value) { trace_event(value); }"


def _with_record(tree: Path, body: str) -> None:
    lines = (CALLEE / "counter.c").read_text().splitlines(keepends=True)
    assert lines[6].startswith("extern void record")
    lines[6] = body + "\n"
    (tree / "counter.c").write_text("".join(lines))
    settle(tree)


def _run(jobs: list, config: RunConfig, cache: ResultCache) -> list[JobOutcome]:
    return run_jobs(jobs, config, Plan(workers=1), cache)


def test_the_same_run_is_served_from_the_cache(small_tree: Path, cache: ResultCache) -> None:
    config = RunConfig(limits=LIMITS, tree=small_tree)
    jobs = callee_jobs(small_tree)
    cold = _run(jobs, config, cache)
    warm = _run(jobs, config, cache)
    assert not any(o.cached for o in cold)
    # two-file work finds its headers at check time: not kept
    assert [o.cached for o in warm] == [True, True, False, False]
    assert report(warm) == report(cold)


def test_a_changed_function_is_checked_again(
    small_tree: Path, cache: ResultCache, tmp_path: Path
) -> None:
    config = RunConfig(limits=LIMITS, tree=small_tree)
    diff = (CALLEE / "scaled-commuted.diff").read_text()
    first = tmp_path / "first.diff"
    first.write_text(diff)
    second = tmp_path / "second.diff"
    second.write_text(diff.replace("+\treturn 2 * c->hits;", "+\treturn 3 * c->hits;"))
    [kept] = _run(patch_file_jobs(first, open_tree(small_tree)), config, cache)
    assert kept.results[0].verdict == "equivalent"
    [again] = _run(patch_file_jobs(second, open_tree(small_tree)), config, cache)
    assert not again.cached
    assert again.results[0].function == "scaled_hits"
    assert again.results[0].verdict == "different"


def test_a_changed_callee_body_is_checked_again(small_tree: Path, cache: ResultCache) -> None:
    config = RunConfig(limits=LIMITS, tree=small_tree)
    diff = CALLEE / "scaled-commuted.diff"
    _with_record(small_tree, RECORD)
    [cold] = _run(patch_file_jobs(diff, open_tree(small_tree)), config, cache)
    [warm] = _run(patch_file_jobs(diff, open_tree(small_tree)), config, cache)
    assert warm.cached and not cold.cached
    _with_record(small_tree, RECORD.replace("trace_event(value)", "trace_event(value + 1)"))
    [after] = _run(patch_file_jobs(diff, open_tree(small_tree)), config, cache)
    assert not after.cached
    assert "record" in (after.work.source("before", "counter.c") or "")
    assert "value + 1" in (after.work.source("before", "counter.c") or "")


@pytest.mark.parametrize(
    "other",
    [Limits(budget_s=31), Limits(budget_s=30, unroll=3), Limits(budget_s=30, timeout_s=9)],
    ids=["budget", "unroll", "timeout"],
)
def test_other_options_are_checked_again(
    small_tree: Path, cache: ResultCache, other: Limits
) -> None:
    jobs = callee_jobs(small_tree)[:1]
    _run(jobs, RunConfig(limits=LIMITS, tree=small_tree), cache)
    [same] = _run(jobs, RunConfig(limits=LIMITS, tree=small_tree), cache)
    assert same.cached
    [changed] = _run(jobs, RunConfig(limits=other, tree=small_tree), cache)
    assert not changed.cached
    [binary] = _run(jobs, RunConfig(limits=LIMITS, tree=small_tree, binary=True), cache)
    assert not binary.cached


def test_another_tool_is_checked_again(
    small_tree: Path, cache: ResultCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = callee_jobs(small_tree)[:1]
    config = RunConfig(limits=LIMITS, tree=small_tree)
    _run(jobs, config, cache)
    monkeypatch.setattr("equivcheck.scale.cache.tool_fingerprint", lambda: "0.1.1+other")
    [changed] = _run(jobs, config, cache)
    assert not changed.cached


def test_the_tool_fingerprint_follows_its_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "equivcheck"
    (package / "symex").mkdir(parents=True)
    (package / "symex" / "rules.py").write_text("RULE = 1\n")
    monkeypatch.setattr(fingerprint, "_PACKAGE", package)
    fingerprint.tool_fingerprint.cache_clear()
    first = fingerprint.tool_fingerprint()
    (package / "symex" / "rules.py").write_text("RULE = 2\n")
    fingerprint.tool_fingerprint.cache_clear()
    second = fingerprint.tool_fingerprint()
    monkeypatch.setattr(fingerprint, "__version__", "9.9.9")
    fingerprint.tool_fingerprint.cache_clear()
    third = fingerprint.tool_fingerprint()
    fingerprint.tool_fingerprint.cache_clear()
    assert len({first, second, third}) == 3
    assert third.startswith("9.9.9+")


def test_a_header_the_units_read_is_checked_again(small_tree: Path, cache: ResultCache) -> None:
    """A kept outcome records the tree files its units read: an edited header, a new
    header beside them (it may shadow another), or a Makefile is a miss; and nothing is
    kept from a file changed while it was read."""
    config = RunConfig(limits=LIMITS, tree=small_tree)
    [job] = callee_jobs(small_tree)[:1]
    header = small_tree / "include" / "linux" / "types.h"
    work = job.ready or _work(job, small_tree)

    def kept_now() -> JobOutcome:
        files = record(small_tree, {"include/linux/types.h", *build_files(job)}, (), None)
        return JobOutcome(1, work, [], tree_files=files)

    key = cache.key(job, config)
    cache.put(key, job, kept_now(), config)
    assert cache.get(key, job, 1, config) is not None
    header.write_text(header.read_text() + "typedef int s32;\n")
    assert cache.get(key, job, 1, config) is None
    cache.put(key, job, kept_now(), config)
    assert cache.get(key, job, 1, config) is not None
    (header.parent / "new.h").write_text("/* shadows nothing yet */\n")
    assert cache.get(key, job, 1, config) is None
    cache.put(key, job, kept_now(), config)
    assert cache.get(key, job, 1, config) is not None
    (small_tree / "Makefile").write_text("ccflags-y += -DMORE\n")
    assert cache.get(key, job, 1, config) is None
    # read just now: the file may have changed while it was read
    assert record(small_tree, {"Makefile"}, (), time.time_ns()) is None
    settle(small_tree)
    assert record(small_tree, {"Makefile"}, (), time.time_ns()) is not None


def _work(job, tree):  # type: ignore[no-untyped-def]
    from equivcheck.frontend.workset import build_work

    return build_work(job, open_tree(tree), with_texts=False)


def test_no_cache_keeps_nothing(small_tree: Path) -> None:
    off = ResultCache(None)
    jobs = callee_jobs(small_tree)[:1]
    config = RunConfig(limits=LIMITS, tree=small_tree)
    assert off.key(jobs[0], config) is None
    assert not _run(jobs, config, off)[0].cached


def test_clear_empties_the_cache(small_tree: Path, cache: ResultCache) -> None:
    assert cache.folder is not None
    config = RunConfig(limits=LIMITS, tree=small_tree)
    jobs = callee_jobs(small_tree)[:2]
    _run(jobs, config, cache)
    assert clear(cache.folder) == 2
    assert not any(o.cached for o in _run(jobs, config, cache))


def test_the_key_ignores_the_patch_name_not_its_content(small_tree: Path) -> None:
    """v2 of a series renames and renumbers its patches: the same change is the same key;
    a kept outcome is shown under its new name and place."""
    config = RunConfig(limits=LIMITS, tree=small_tree)
    [job] = patch_file_jobs(CALLEE / "scaled-commuted.diff", open_tree(small_tree))
    assert job.patch is not None
    renamed_patch = dataclasses.replace(job.patch, subject="[PATCH v2 3/7] other words")
    renamed = dataclasses.replace(job, title="v2", patch=renamed_patch)
    cache = ResultCache(Path("/nonexistent"))
    assert cache.key(renamed, config) == cache.key(job, config)
    changed = dataclasses.replace(job, after={"counter.c": "int x;\n"})
    assert cache.key(changed, config) != cache.key(job, config)
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})


def test_another_compiler_is_checked_again(
    small_tree: Path, cache: ResultCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiler answers sizes, layouts and constants: another one, another key."""
    [job] = callee_jobs(small_tree)[:1]
    config = RunConfig(limits=LIMITS, tree=small_tree)
    before = cache.key(job, config)
    monkeypatch.setattr("equivcheck.scale.cache.compiler_version", lambda _: "gcc 99")
    assert cache.key(job, config) != before


@pytest.mark.kernel
def test_another_compile_command_is_checked_again(
    kernel_tree: Path, cache: ResultCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kbuild's flags choose what the preprocessor and compiler answer (a Makefile far
    from the file can change them): the command is in the key."""
    from equivcheck.frontend.tree import KernelTree

    patch = Path(__file__).resolve().parents[2] / "fixtures/patches/kernel/rmap-rename-label.patch"
    [job] = patch_file_jobs(patch, open_tree(kernel_tree))
    config = RunConfig(limits=LIMITS, tree=kernel_tree)
    before = cache.key(job, config)
    real = KernelTree.compile_command

    def more_flags(self: KernelTree, path: str | Path) -> list[str]:
        return [*real(self, path), "-DEXTRA_FLAG=1"]

    monkeypatch.setattr(KernelTree, "compile_command", more_flags)
    assert cache.key(job, config) != before
