"""Soundness sweep (issue 10): try to refute the engine with something that is not the
engine.

Mutants (behaviour-changing edits) of generated C programs and of real mm/ functions of
the 6.12 tree are checked by the engine in-process; every EQUIVALENT verdict on a mutant
is judged independently: a gcc harness running both versions on seeded random inputs
(programs), angr's opinion on the kbuild-compiled code (kernel). Laws (behaviour-keeping
rewrites) measure the proof rate; a DIFFERENT on a law is a false DIFFERENT.

Usage: ``.venv/bin/python bench/soundness_fuzz.py [--seconds S] [--mutants N] [--jobs J]
[--seed K] [--kernel/--no-kernel] [--log FILE.jsonl] [--keep DIR]``. Prints the figures
(also on SIGTERM or Ctrl-C); exit 1 when an EQUIVALENT was refuted. ``--figures-from
FILE.jsonl`` prints the figures of a saved log, ``--minimise DIR`` shrinks the kept
program pairs, ``--probes`` runs the hand-written pairs of soundness/probes.py.
Refuted cases become fixtures in fixtures/soundness/ (tests/soundness/test_fixtures.py).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from soundness.sweep import Plan, Tally, figures, sweep


def main(argv: list[str] | None = None) -> int:
    """Run the sweep and print the figures; exit 1 when an EQUIVALENT was refuted."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=None, help="stop starting checks after this")
    ap.add_argument("--mutants", type=int, default=5000, help="mutants to generate (default 5000)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--kernel",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="include mm/ mutants of the 6.12 tree (default on)",
    )
    ap.add_argument("--kernel-share", type=float, default=0.3, help="share of kernel tasks")
    ap.add_argument(
        "--per-function",
        type=int,
        default=6,
        help="mutants per mm/ function (fewer spreads a sweep over more functions)",
    )
    ap.add_argument("--budget", type=float, default=6.0, help="engine budget per check (s)")
    ap.add_argument("--kernel-budget", type=float, default=4.0, help="engine budget, kernel (s)")
    ap.add_argument("--binary-budget", type=float, default=60.0, help="angr budget (s)")
    ap.add_argument("--inputs", type=int, default=300, help="harness inputs per pair")
    ap.add_argument("--log", type=Path, help="write every result as a JSON line here")
    ap.add_argument("--keep", type=Path, help="write refuted cases and false DIFFERENTs here")
    ap.add_argument("--figures-from", type=Path, help="only print the figures of a --log file")
    ap.add_argument(
        "--minimise",
        type=Path,
        help="only shrink the refuted program pairs kept under this --keep folder "
        "(writes min-before.c and min-after.c next to each pair)",
    )
    ap.add_argument(
        "--probes", action="store_true", help="only run the directed probes (soundness/probes.py)"
    )
    args = ap.parse_args(argv)
    if args.probes:
        return _probes(args.budget, args.inputs)
    if args.minimise is not None:
        return _minimise_all(args.minimise)
    if args.figures_from is not None:
        tally = Tally([json.loads(line) for line in args.figures_from.open()])
        wall = sum(float(r.get("time_s", 0.0)) for r in tally.results) / args.jobs
        print(figures(tally, wall, args.jobs))
        return 1 if any(r.get("refuted") for r in tally.results) else 0

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a stopped sweep still prints its figures
    signal.signal(signal.SIGINT, stop)
    plan = Plan(
        seed=args.seed,
        mutants=args.mutants,
        seconds=args.seconds,
        jobs=args.jobs,
        kernel=args.kernel,
        kernel_share=args.kernel_share,
        mutants_per_function=args.per_function,
        budget=args.budget,
        kernel_budget=args.kernel_budget,
        binary_budget=args.binary_budget,
        inputs=args.inputs,
    )
    start = time.monotonic()
    log = args.log.open("w") if args.log else None
    try:
        tally = sweep(plan, log, args.keep)
    finally:
        if log is not None:
            log.close()
    print(figures(tally, time.monotonic() - start, args.jobs))
    return 1 if any(r.get("refuted") for r in tally.results) else 0


def _probes(budget: float, inputs: int) -> int:
    from soundness.harness import judge
    from soundness.probes import PROBES, program
    from soundness.tasks import engine_on_program

    refuted = 0
    for name, before_body, after_body in PROBES:
        before, after = program(before_body), program(after_body)
        verdict, _ = engine_on_program(before, after, budget)
        seen = judge(before, after, inputs, 1)
        flag = ""
        if verdict == "equivalent" and seen.status == "different":
            refuted += 1
            flag = "  REFUTED: " + seen.detail
        elif verdict == "different" and seen.status == "same":
            flag = "  (harness saw no difference)"
        print(f"{name:24s} {verdict:10s} harness {seen.status:12s}{flag}")
    print(f"{len(PROBES)} probes, {refuted} EQUIVALENT refuted")
    return 1 if refuted else 0


def _minimise_all(root: Path) -> int:
    from soundness.minimise import minimise, refuted

    for case in sorted(p for p in root.iterdir() if (p / "before.c").is_file()):
        before, after = (case / "before.c").read_text(), (case / "after.c").read_text()
        if not refuted(before, after):
            print(f"{case.name}: no longer refuted (engine fixed, or not reproducible)")
            continue
        small_before, small_after = minimise(before, after)
        (case / "min-before.c").write_text(small_before)
        (case / "min-after.c").write_text(small_after)
        print(f"{case.name}: {len(before)} -> {len(small_before)} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
