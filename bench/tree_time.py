"""Tree-mode timing on the configured 6.12 tree.

Prints:

- ``try_to_unmap_one`` before and after, end to end through the CLI, for the
  seed-style refactor of 6.12 (label rename + helper extraction, patch 2 of
  fixtures/patches/kernel on top of patch 1) and for the later upstream form
  (median of 5 each; target under 5 s wall including preprocessing);
- the median time per function over the kernel fixture patches;
- the self-check: every function of mm/rmap.c compared against itself (total and per
  function).

- issue 11: the five functions whose whole-function exploration ran out of budget,
  each changed in one place (target under 10 s each); the seed's change by hand on
  6.12 ``mm/rmap.c`` in two-file mode (target under 10 s); every kernel fixture patch
  that applies to the tree by itself, once: the median engine time per function
  (target under 2 s) and how many functions hit the budget (target none).

Usage: ``python bench/tree_time.py [--tree DIR] [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from equivcheck.equiv.check import check_patches
from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionChange
from equivcheck.frontend.patch.apply import apply_patch
from equivcheck.frontend.tree import open_tree
from equivcheck.frontend.workset import FunctionWork, PatchWork, load_patches

REPO = Path(__file__).resolve().parent.parent
KERNEL = REPO / "fixtures" / "patches" / "kernel"
DEFAULT_TREE = Path.home() / ".cache" / "equivcheck" / "linux-source-6.12"


def _cli(patch: Path, tree: Path) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "equivcheck",
            "check",
            str(patch),
            "--tree",
            str(tree),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - start, json.loads(out.stdout)


FIVE = {
    "try_to_unmap_one": "rmap-swap-hiwater-uffd.patch",
    "folio_referenced_one": "rmap-referenced-locked-inverted.patch",
    "page_vma_mapped_walk": "pvmw-pmd-boundary-not.patch",
    "madvise_free_pte_range": "madvise-free-dirty-first.patch",
    "mlock_pte_range": "mlock-pte-range-split-folio-test.patch",
}
"""Issue 11's five functions, each with a fixture changing it in one place."""


def _run_json(*args: str | Path) -> tuple[float, dict[str, object] | None]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "equivcheck", "check", *map(str, args), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    spent = time.perf_counter() - start
    return spent, (json.loads(out.stdout) if out.returncode != 3 and out.stdout else None)


def _issue11(tree: Path, runs: int) -> None:
    """The figures issue 11 asks for."""
    for name, patch in FIVE.items():
        times, verdict = [], ""
        for _ in range(runs):
            spent, doc = _run_json(KERNEL / patch, "--tree", tree)
            assert doc is not None, patch
            funcs = doc["functions"]
            assert isinstance(funcs, list)
            [func] = [f for f in funcs if f["function"] == name]
            times.append(spent)
            verdict = f"{func['verdict']}, engine {float(func['time_s']):.2f} s"
        print(_line(f"{name} changed in one place ({patch}) [{verdict}], CLI", times))
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "rmap-before.c"
        after = Path(tmp) / "rmap-after.c"
        text = (tree / "mm" / "rmap.c").read_text()
        [parsed] = load_patches(KERNEL / "rmap-seed-by-hand.patch")
        before.write_text(text)
        after.write_text(str(apply_patch({"mm/rmap.c": text}, parsed)["mm/rmap.c"]))
        times, verdicts = [], ""
        for _ in range(runs):
            spent, doc = _run_json("--before", before, "--after", after)
            assert doc is not None
            funcs = doc["functions"]
            assert isinstance(funcs, list)
            verdicts = ", ".join(f"{f['function']} {f['verdict']}" for f in funcs)
            times.append(spent)
        print(_line(f"seed by hand on 6.12 mm/rmap.c, two files [{verdicts}], CLI", times))
    per_function: list[float] = []
    budget: list[str] = []
    skipped: list[str] = []
    for fixture in sorted(KERNEL.glob("*.patch")):
        _, doc = _run_json(fixture, "--tree", tree)
        if doc is None:
            skipped.append(fixture.name)  # applies on top of another fixture only
            continue
        funcs = doc["functions"]
        assert isinstance(funcs, list)
        for f in funcs:
            per_function.append(float(f["time_s"]))
            if "time budget" in str(f["reason"]):
                budget.append(f"{fixture.name}:{f['function']}")
    print(
        _line(
            f"engine time per function over {len(per_function)} kernel fixture functions",
            per_function,
        )
    )
    print(f"hit the budget: {len(budget)} {budget}; not applying alone: {skipped}")


def _line(label: str, times: list[float]) -> str:
    return (
        f"{label}: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        series = Path(tmp) / "series.mbox"
        series.write_text(
            (KERNEL / "rmap-rename-label.patch").read_text()
            + (KERNEL / "rmap-extract-helper.patch").read_text()
        )
        cases = {
            "seed-style refactor (2-patch series)": series,
            "later upstream form": KERNEL / "rmap-lazyfree-upstream-form.patch",
            "label rename": KERNEL / "rmap-rename-label.patch",
        }
        per_function: list[float] = []
        for label, patch in cases.items():
            times = []
            verdicts = ""
            for _ in range(args.runs):
                spent, doc = _cli(patch, args.tree)
                times.append(spent)
                functions = doc["functions"]
                assert isinstance(functions, list)
                verdicts = ", ".join(f"{f['function']} {f['verdict']}" for f in functions)
                per_function.extend(float(f["time_s"]) for f in functions)
            print(_line(f"{label}, CLI end to end [{verdicts}]", times))
        print(_line("engine time per function over these patches", per_function))
    _issue11(args.tree, args.runs)
    tree = open_tree(args.tree)
    start = time.perf_counter()
    pre = tree.preprocess("mm/rmap.c")
    funcs = [f for f in gnuc.cut_all_functions(pre.text, "mm/rmap.c") if f.file == "mm/rmap.c"]
    works = [
        FunctionWork(FunctionChange("mm/rmap.c", f.name, "changed"), "tree", f, f) for f in funcs
    ]
    results = check_patches([PatchWork("self-check", None, works)])
    total = time.perf_counter() - start
    equivalent = sum(r.verdict == "equivalent" for r in results)
    print(
        f"self-check of mm/rmap.c: {len(results)} functions, {equivalent} EQUIVALENT, "
        f"{total:.2f} s in all ({total / max(1, len(results)) * 1000:.1f} ms per function, "
        "preprocessing included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
