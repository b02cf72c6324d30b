"""Front-end timing: one function's before and after, from a configured tree to IR.

Prints, for ``try_to_unmap_one`` under ``fixtures/patches/kernel/rmap-rename-label.patch``
on the configured 6.12 tree (target: under 3 s wall, median of 5):

- end to end through the CLI (``equivcheck ir-diff PATCH --tree DIR``: interpreter
  start, reading and applying the patch, preprocessing both versions as kbuild would
  with the kept macros, cutting, parsing, IR, comparison);
- the same steps timed inside one process;
- the seed patch alone (no tree) end to end, for comparison.

Usage: ``python bench/frontend_time.py [--tree DIR] [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from equivcheck.frontend import gnuc
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.frontend.tree import open_tree
from equivcheck.frontend.workset import from_patch_file
from equivcheck.ir.build import build_function
from equivcheck.ir.canon import canonicalize

REPO = Path(__file__).resolve().parent.parent
PATCH = REPO / "fixtures" / "patches" / "kernel" / "rmap-rename-label.patch"
SEED = REPO / "fixtures" / "seed" / "000_7b8ea4c1cd114cf9.txt"
DEFAULT_TREE = Path.home() / ".cache" / "equivcheck" / "linux-source-6.12"


def _wall(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        # ir-diff exits 1 when the shapes differ (the seed's do): only 3 is an error.
        if subprocess.run(argv, check=False, capture_output=True).returncode == 3:
            raise SystemExit(f"failed: {' '.join(argv)}")
        times.append(time.perf_counter() - start)
    return times


def _line(label: str, times: list[float]) -> str:
    return (
        f"{label}: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"
    )


def _steps(tree: Path) -> list[str]:
    """One in-process run, step by step."""
    kernel = open_tree(tree)
    lines = []
    start = time.perf_counter()
    works = from_patch_file(PATCH, kernel, with_texts=False)
    lines.append(f"  read + apply patch, find functions: {time.perf_counter() - start:.3f} s")
    patch = works[0].patch
    assert patch is not None
    start_line = next(
        f.start_line
        for f in find_functions(kernel.read("mm/rmap.c"))
        if f.name == "try_to_unmap_one"
    )
    for side in ("before", "after"):
        text = kernel.read("mm/rmap.c")
        if side == "after":
            from equivcheck.frontend.patch.apply import apply_patch

            text = str(apply_patch({"mm/rmap.c": text}, patch)["mm/rmap.c"])
        t0 = time.perf_counter()
        pre = kernel.preprocess("mm/rmap.c", text=text, keep_macros_for=["try_to_unmap_one"])
        t1 = time.perf_counter()
        func = gnuc.cut_function(pre.text, "try_to_unmap_one", near=("mm/rmap.c", start_line))
        t2 = time.perf_counter()
        ast = gnuc.parse_function(func)
        t3 = time.perf_counter()
        canonicalize(build_function(ast))
        t4 = time.perf_counter()
        lines.append(
            f"  {side}: preprocess {t1 - t0:.3f} s, cut {t2 - t1:.3f} s, "
            f"parse {t3 - t2:.3f} s, IR {t4 - t3:.3f} s"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    cli = [sys.executable, "-m", "equivcheck"]
    # Warm the kbuild command cache once, as a user's second run would find it.
    subprocess.run([*cli, "ir-diff", str(PATCH), "--tree", str(args.tree)], capture_output=True)
    print(
        _line(
            "try_to_unmap_one before+after, tree to IR, CLI end to end",
            _wall([*cli, "ir-diff", str(PATCH), "--tree", str(args.tree)], args.runs),
        )
    )
    print("in-process steps (one run):")
    print("\n".join(_steps(args.tree)))
    seed = _wall([*cli, "ir-diff", str(SEED)], args.runs)
    print(_line("seed patch alone, CLI end to end", seed))
    print(_line("interpreter + import only", _wall([*cli, "--help"], args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
