"""A series at scale: the kernel fixtures as a git range, checked serially, with
``--jobs 2``, again from a warm cache, and on a local Dask cluster.

The scratch repository is a view of the configured 6.12 tree (.ci/kernel-tree): every
top-level entry a symbolic link to the tree's, but ``mm/``, which is copied and is all
the repository tracks. On top of its base commit, each kernel fixture patch that
applies to 6.12 by itself is committed, then its revert: two commits a fixture (the
revert is a patch too, checked like any other). ``--rev base..HEAD`` is the series.

Prints, for each way of running it, the wall time, the ratio to the serial run and the
largest resident set of a process (the command's or a worker's), then whether every
run gave the serial run's verdicts. Targets (issue 15): ``--jobs 2`` at most 0.6 of
serial, a warm re-run at most 0.1.

Usage: ``python bench/series_time.py [--fixtures N] [--tree DIR] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "patches" / "kernel"
NOT_LINKED = {"mm", ".git", ".gitignore", ".mailmap"}


def _git(repo: Path, *args: str, stdin: str | None = None) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def _kernel_tree() -> Path:
    out = subprocess.run(
        [str(REPO / ".ci" / "kernel-tree")], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


def scratch_series(tree: Path, where: Path, wanted: int) -> tuple[Path, int]:
    """Build the scratch repository under ``where``; its path and the number of commits
    in base..HEAD."""
    repo = where / "linux"
    repo.mkdir(parents=True)
    for entry in sorted(os.listdir(tree)):
        if entry not in NOT_LINKED:
            (repo / entry).symlink_to(tree / entry)
    shutil.copytree(tree / "mm", repo / "mm", symlinks=True)
    _git(repo, "init", "-q", "-b", "base")
    _git(repo, "config", "user.name", "equivcheck bench")
    _git(repo, "config", "user.email", "bench@equivcheck.invalid")
    _git(repo, "add", "mm")
    _git(repo, "commit", "-q", "-m", "base: mm/ of linux-source-6.12")
    _git(repo, "tag", "series-base")
    used = 0
    for patch in sorted(FIXTURES.glob("*.patch")):
        if used == wanted:
            break
        text = patch.read_text()
        check = subprocess.run(
            ["git", "-C", str(repo), "apply", "--check", "-"],
            input=text,
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0:
            continue  # (it applies on top of another fixture)
        _git(repo, "apply", "-", stdin=text)
        _git(repo, "commit", "-q", "-a", "-m", f"{patch.stem}")
        _git(repo, "apply", "-R", "-", stdin=text)
        _git(repo, "commit", "-q", "-a", "-m", f"Revert {patch.stem}")
        used += 1
    count = int(_git(repo, "rev-list", "--count", "series-base..HEAD").strip())
    return repo, count


@dataclass
class Run:
    """One way of running the series: its wall time, peak memory and verdicts."""

    label: str
    seconds: float
    peak_mib: float
    verdicts: list[tuple[str, str, str]]
    status: int


# Runs a command and says, last on stderr, the largest resident set (KiB) of any
# process under it (the command, or one of its workers).
_MEASURED = (
    "import resource, subprocess, sys\n"
    "status = subprocess.run(sys.argv[1:]).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def _check(repo: Path, cache: Path, label: str, *extra: str, rev: str = "series-base..HEAD") -> Run:
    env = {**os.environ, "EQUIVCHECK_CACHE": str(cache)}
    cmd = [
        sys.executable,
        "-c",
        _MEASURED,
        sys.executable,
        "-m",
        "equivcheck",
        "check",
        "--tree",
        str(repo),
        "--rev",
        rev,
        "--format",
        "json",
        *extra,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
    if proc.returncode not in {0, 1, 2}:
        raise SystemExit(f"{label}: exit {proc.returncode}: {proc.stderr.strip()[-500:]}")
    doc = json.loads(proc.stdout)
    rows = [(f["patch"], f["function"], f["verdict"]) for f in doc["functions"]]
    return Run(label, seconds, peak, rows, proc.returncode)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=int, default=16, help="fixtures used (2 commits each)")
    parser.add_argument("--tree", type=Path, help="the configured 6.12 tree")
    parser.add_argument("--keep", type=Path, help="build the scratch repository here, keep it")
    args = parser.parse_args(argv)
    tree = args.tree or _kernel_tree()
    where = args.keep or Path(tempfile.mkdtemp(prefix="equivcheck-series-"))
    try:
        start = time.perf_counter()
        repo, count = scratch_series(tree, where, args.fixtures)
        print(
            f"series: {count} commits (base..HEAD) in {repo}, "
            f"built in {time.perf_counter() - start:.1f} s"
        )
        cache = where / "cache"
        # The tree's compile commands are listed once (make -n), outside every timing.
        _check(repo, cache, "warm-up", "--no-cache", "--jobs", "1", "--budget", "1", rev="HEAD")
        runs = [_check(repo, cache, "serial (--jobs 1 --no-cache)", "--jobs", "1", "--no-cache")]
        print(
            f"{runs[0].label}: {runs[0].seconds:.1f} s, {len(runs[0].verdicts)} functions",
            flush=True,
        )
        runs.append(_check(repo, cache, "--jobs 2 --no-cache", "--jobs", "2", "--no-cache"))
        runs.append(_check(repo, cache, "--jobs 2, cold cache", "--jobs", "2"))
        runs.append(_check(repo, cache, "--jobs 2, warm cache re-run", "--jobs", "2"))
        runs.append(
            _check(
                repo,
                cache,
                "Dask LocalCluster, 2 workers",
                "--scheduler",
                "local",
                "--jobs",
                "2",
                "--no-cache",
            )
        )
        serial = runs[0]
        for run in runs:
            same = "same verdicts" if run.verdicts == serial.verdicts else "VERDICTS DIFFER"
            print(
                f"{run.label:34} {run.seconds:8.1f} s  ratio {run.seconds / serial.seconds:5.2f}"
                f"  peak {run.peak_mib:6.0f} MiB  exit {run.status}  {same}"
            )
            if run.verdicts != serial.verdicts:
                for mine, theirs in zip(run.verdicts, serial.verdicts, strict=False):
                    if mine != theirs:
                        print(f"    {mine} (serial: {theirs})")
        counts: dict[str, int] = {}
        for _, _, verdict in serial.verdicts:
            counts[verdict] = counts.get(verdict, 0) + 1
        print(f"verdicts (serial): {counts}")
    finally:
        if args.keep is None:
            shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
