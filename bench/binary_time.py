"""Timing of the binary second opinion (angr): fixture pairs and mm/rmap.c functions.

Prints, for every pair of ``fixtures/binary/manifest.json`` (gcc, the symbolic engine;
the identical-code fast path off), the opinion, its time split (compile, exploration,
comparison) and the paths per version; then, on the configured 6.12 tree, the compile
time of mm/rmap.c with kbuild's command and the opinion on rmap.c functions against
the same file with labels renamed (the seed's ``discard`` -> ``finish_unmap`` and two
small ones), symbolic engine and fast path.

Usage: ``python bench/binary_time.py [--tree DIR] [--budget S] [--unmap-budget S]``
(without a tree only the fixtures run). Not a test: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

from equivcheck.binary import CompiledFunction, Opinion, binary_opinion, opinion_from_texts
from equivcheck.binary.compile import FLAG_SETS, compile_tree_file
from equivcheck.frontend.unit.kbuild import preprocess
from equivcheck.limits import Limits

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "binary"
DEFAULT_TREE = Path.home() / ".cache" / "equivcheck" / "linux-source-6.12"
RENAMES = [
    ("try_to_unmap_one", "discard", "finish_unmap"),
    ("mm_find_pmd", "out", "out_none"),
    ("folio_get_anon_vma", "out", "out_unlock"),
]
FUNCTIONS = [
    "mm_find_pmd",
    "folio_get_anon_vma",
    "folio_lock_anon_vma_read",
    "page_vma_mkclean_one",
    "folio_referenced_one",
    "try_to_unmap_one",
]


def _line(name: str, result: Opinion) -> str:
    d = result.details
    return (
        f"{name:28} {result.opinion:12} {result.time_s:6.2f} s "
        f"(compile {d.compile_s:5.2f}, explore {d.explore_s:6.2f}, compare {d.compare_s:5.2f}) "
        f"paths {d.before.paths}/{d.after.paths}  {result.reason[:90]}"
    )


def fixtures() -> None:
    """Every fixture pair once, symbolic engine."""
    entries = json.loads((FIXTURES / "manifest.json").read_text())
    total = 0.0
    for entry in entries:
        result = opinion_from_texts(
            (FIXTURES / entry["before"]).read_text(),
            (FIXTURES / entry["after"]).read_text(),
            entry["function"],
            flags=FLAG_SETS[entry["flags"]],
            after_flags=FLAG_SETS[entry["after_flags"]],
            shortcut=False,
        )
        total += result.time_s
        mark = "" if result.opinion == entry["expect"] else f"  (EXPECTED {entry['expect']})"
        print(_line(entry["name"], result) + mark)
    print(f"fixtures: {len(entries)} pairs, {total:.1f} s")


def _rename(text: str, function: str, old: str, new: str) -> str:
    match = re.search(rf"^\S[^\n;]*\b{function}\(", text, re.M)
    assert match is not None
    end = text.index("\n}\n", match.start())
    body = re.sub(rf"\b{old}\b", new, text[match.start() : end])
    return text[: match.start()] + body + text[end:]


def rmap(tree: Path, budget: float, unmap_budget: float) -> None:
    """The rmap.c functions against the label-renamed file."""
    text = (tree / "mm/rmap.c").read_text()
    after = text
    for function, old, new in RENAMES:
        after = _rename(after, function, old, new)
    with tempfile.TemporaryDirectory(prefix="equivcheck-bench-") as tmp:
        start = time.perf_counter()
        first = compile_tree_file(tree, "mm/rmap.c", text, Path(tmp), tag="before")
        second = compile_tree_file(tree, "mm/rmap.c", after, Path(tmp), tag="after")
        print(f"compile mm/rmap.c twice with kbuild's command: {time.perf_counter() - start:.2f} s")
        assert first.object_path is not None and second.object_path is not None
        units = (preprocess(tree, "mm/rmap.c").text, preprocess(tree, "mm/rmap.c", text=after).text)
        for function in FUNCTIONS:
            before_fn = CompiledFunction(first.object_path, function, "before", source=units[0])
            after_fn = CompiledFunction(second.object_path, function, "after", source=units[1])
            limit = unmap_budget if function == "try_to_unmap_one" else budget
            result = binary_opinion(before_fn, after_fn, Limits(budget_s=limit), shortcut=False)
            print(_line(function, result))
            fast = binary_opinion(before_fn, after_fn, Limits(budget_s=limit))
            print(_line(f"  (fast path) {function}", fast))


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    ap.add_argument("--budget", type=float, default=120.0)
    ap.add_argument("--unmap-budget", type=float, default=60.0)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    import angr  # noqa: F401  (its import time is part of the first opinion otherwise)

    print(f"import angr: {time.perf_counter() - start:.2f} s")
    fixtures()
    if (args.tree / ".config").is_file():
        rmap(args.tree, args.budget, args.unmap_budget)
    else:
        print(f"{args.tree}: no configured tree, rmap.c skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
