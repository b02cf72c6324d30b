"""What a millisecond of ``--timeout`` is worth in z3's resource units, and whether
verdicts repeat.

A query's limit is counted in z3's resource units (symex/solver.py, ``UNITS_PER_MS``),
so that a loaded machine gives the answers an idle one gives. This prints, for the
solver queries of some comparisons that took at least ``--min-ms`` on the clock, how
many units each spent per millisecond (10th, 50th and 90th percentile): the figure
``UNITS_PER_MS`` was chosen from. Then it checks the same work again in the same
process, after other work, and says whether every result (verdicts, reasons,
counterexamples) came out the same.

Usage: ``python bench/solver_units.py [--min-ms 50]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

import z3

from equivcheck.equiv.check import check_patches
from equivcheck.frontend.workset import PatchWork, from_files, from_patch_file

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "fixtures" / "patches" / "src"
ENGINE = REPO / "fixtures" / "engine"


def _work() -> list[list[PatchWork]]:
    """Comparisons with slow queries (the ring buffer's constants) and quick ones (the
    engine corpus' mutants of try_to_unmap_one)."""
    works = [from_files(SRC / "ringbuf.c", SRC / "ringbuf.v1.c", None)]
    works += [from_patch_file(p, None) for p in sorted((ENGINE / "mutants").glob("1*.patch"))]
    return works


def _rates(min_ms: float) -> tuple[list[float], list[dict[str, object]]]:
    """Units per millisecond of each query of at least ``min_ms``, and the results."""
    rates: list[float] = []
    check = z3.Solver.check

    def timed(solver: z3.Solver, *assumptions: object) -> object:
        probe = z3.Solver(ctx=solver.ctx)
        check(probe)  # (the context's count so far: z3 counts per context)
        before = probe.statistics().get_key_value("rlimit count")
        start = time.perf_counter()
        try:
            return check(solver, *assumptions)
        finally:
            ms = (time.perf_counter() - start) * 1000
            stats = solver.statistics()
            names = list(stats.keys())  # (z3's Statistics has no ``in``)
            if ms >= min_ms and "rlimit count" in names:
                rates.append((stats.get_key_value("rlimit count") - before) / ms)

    z3.Solver.check = timed
    try:
        results = _results()
    finally:
        z3.Solver.check = check
    return sorted(rates), results


def _results() -> list[dict[str, object]]:
    out = []
    for works in _work():
        for result in check_patches(works):
            row = dataclasses.asdict(result)
            row.pop("time_s")
            out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-ms", type=float, default=50.0)
    args = parser.parse_args()
    start = time.perf_counter()
    rates, first = _rates(args.min_ms)
    took = time.perf_counter() - start
    if rates:
        q = statistics.quantiles(rates, n=10) if len(rates) > 1 else rates * 9
        print(
            f"{len(rates)} queries of {args.min_ms:g} ms or more: units per ms "
            f"p10 {q[0]:.0f}, median {statistics.median(rates):.0f}, p90 {q[-1]:.0f} "
            f"({took:.1f} s)"
        )
    else:
        print(f"no query took {args.min_ms:g} ms")
    again = _results()
    same = sum(a == b for a, b in zip(first, again, strict=True))
    print(f"the same results again in this process: {same} of {len(first)}")


if __name__ == "__main__":
    main()
