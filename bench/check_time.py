"""Engine timing: the seed check end to end and the fixture corpus.

Prints (targets from the engine issue; the machine is a slow, noisy 2-core box):

- ``equivcheck check SEED`` end to end through the CLI, interpreter start included
  (median of 5; target under 1.5 s wall);
- the engine alone on the seed (parse + IR + symbolic execution + comparison, in one
  process, median of 5; target under 0.3 s);
- every patch of ``fixtures/engine/manifest.json`` through the engine, with its time
  and verdict, and the total.

Usage: ``python bench/check_time.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from equivcheck.equiv.check import check_patches
from equivcheck.frontend.workset import from_patch_file

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "fixtures" / "seed" / "000_7b8ea4c1cd114cf9.txt"
MANIFEST = REPO / "fixtures" / "engine" / "manifest.json"


def _median_line(label: str, times: list[float]) -> str:
    return (
        f"{label}: median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, n={len(times)})"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    cli = [sys.executable, "-m", "equivcheck", "check", str(SEED), "--format", "json"]
    walls = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(cli, check=False, capture_output=True)
        walls.append(time.perf_counter() - start)
    print(_median_line("seed, CLI end to end", walls))
    engine = []
    for _ in range(args.runs):
        start = time.perf_counter()
        check_patches(from_patch_file(SEED, None))
        engine.append(time.perf_counter() - start)
    print(_median_line("seed, engine alone (front end + IR + symex + compare)", engine))
    if MANIFEST.exists():
        entries = json.loads(MANIFEST.read_text())
        total = 0.0
        for entry in entries:
            path = MANIFEST.parent / entry["patch"]
            start = time.perf_counter()
            results = check_patches(from_patch_file(path, None))
            spent = time.perf_counter() - start
            total += spent
            verdict = next(
                (r.verdict for r in results if r.function == entry["function"]), "missing"
            )
            print(f"  {entry['patch']}: {verdict} (expected {entry['expect']}) {spent:.3f} s")
        print(f"fixture corpus: {len(entries)} patches, {total:.2f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
