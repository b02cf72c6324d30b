"""Real upstream mm/ patches (../shared/realcases, not committed) in tree mode.

For every patch listed in the folder's ``INDEX.tsv``: the expected verdict (from the
upstream commit message or a later Fixes: commit), what ``equivcheck check --tree``
says per function, and the time. The closing lines count refactors proved, behaviour
changes found, and EQUIVALENT verdicts on a patch expected to differ (a false
EQUIVALENT: must be 0).

Usage: ``python bench/realcases.py [--tree DIR] [--cases DIR] [--budget S]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TREE = Path.home() / ".cache" / "equivcheck" / "linux-source-6.12"
DEFAULT_CASES = REPO.parent / "shared" / "realcases"


def _check(patch: Path, tree: Path, budget: float) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    command = [sys.executable, "-m", "equivcheck", "check", str(patch), "--tree", str(tree)]
    done = subprocess.run(
        [*command, "--format", "json", "--budget", str(budget)],
        capture_output=True,
        text=True,
        check=False,
    )
    spent = time.perf_counter() - start
    try:
        return spent, json.loads(done.stdout)
    except json.JSONDecodeError:
        return spent, {"verdict": "error", "functions": [], "error": done.stderr.strip()}


def main(argv: list[str] | None = None) -> int:
    """Print the table and the counts."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--budget", type=float, default=60.0)
    args = ap.parse_args(argv)
    index = args.cases / "INDEX.tsv"
    if not index.is_file():
        print(f"realcases: {index} not found; pass --cases", file=sys.stderr)
        return 3
    with index.open() as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    proved = refactors = found = changes = wrong = 0
    for row in rows:
        spent, doc = _check(args.cases / row["patch"], args.tree, args.budget)
        functions = doc.get("functions") or []
        assert isinstance(functions, list)
        got = str(doc.get("verdict", "?"))
        detail = "; ".join(f"{f['function']} {f['verdict']}" for f in functions)
        if doc.get("error"):
            detail = str(doc["error"])[:120]
        print(f"{row['id']}  expected {row['expected']:<10} got {got:<10} {spent:6.1f} s  {detail}")
        if row["expected"] == "equivalent":
            refactors += 1
            proved += got == "equivalent"
        else:
            changes += 1
            found += got == "different"
            wrong += got == "equivalent"
    print(f"refactors proved: {proved} of {refactors}")
    print(f"behaviour changes DIFFERENT: {found} of {changes}")
    print(f"false EQUIVALENT (a behaviour change called EQUIVALENT): {wrong}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
