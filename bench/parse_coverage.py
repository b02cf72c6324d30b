"""Parse and IR coverage of the front end over the kernel's mm/ directory.

For every ``mm/*.c`` that the tree's configuration builds, preprocess it as tree mode
does (kbuild's command, the modelled macros kept as ``__ec_`` calls around every
function; two files at a time), cut every function definition whose location is that
``.c`` file (inline functions from headers are left out), and take each one to the
canonical IR (``--stage ir``, the default) or only parse it (``--stage parse``, or
``make mm/X.i`` output with ``--plain``). Failures are listed with the construct and
location; functions that reach IR with constructs kept opaque are counted and named.

Which files are built: the ``mm/X.c`` names in the compile commands of ``make -n mm/``
(kbuild's own dry run, so it follows mm/Makefile and .config exactly; subdirectories
such as mm/damon/ are not included).

Usage: ``python bench/parse_coverage.py [--tree DIR] [--stage parse|ir] [--plain]
[--headers] [mm/X.c ...]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from equivcheck.errors import InputError, UnsupportedConstruct
from equivcheck.frontend.gnuc import cut_all_functions, parse_function
from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.frontend.tree import open_tree
from equivcheck.ir.build import build_function
from equivcheck.ir.canon import canonicalize

DEFAULT_TREE = Path.home() / ".cache" / "equivcheck" / "linux-source-6.12"
_COMPILED = re.compile(r" (mm/[A-Za-z0-9_-]+)\.c\b")


@dataclass
class FunctionResult:
    """The outcome of parsing one function."""

    file: str
    name: str
    line: int
    seconds: float
    error: UnsupportedConstruct | None = None
    opaque: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Did it parse?"""
        return self.error is None


@dataclass
class FileResult:
    """One preprocessed file and its functions (``error`` if it did not preprocess)."""

    source: str
    functions: list[FunctionResult] = field(default_factory=list)
    error: str | None = None


def built_mm_sources(tree: Path) -> list[str]:
    """The mm/*.c files kbuild compiles for this configuration (``make -n mm/``)."""
    out = subprocess.run(
        ["make", "-C", str(tree), "-n", "mm/"], capture_output=True, text=True, check=False
    )
    return sorted({m.group(1) + ".c" for m in _COMPILED.finditer(out.stdout)})


def preprocess_kept(tree: Path, source: str) -> str:
    """``source`` preprocessed as tree mode does, macros kept around every function."""
    names = [f.name for f in find_functions((tree / source).read_text(errors="replace"))]
    try:
        return open_tree(tree).preprocess(source, keep_macros_for=names).text
    except InputError as exc:
        raise RuntimeError(exc.one_line()) from None


def preprocess(tree: Path, source: str) -> str:
    """Run ``make X.i`` for ``source`` (relative to the tree); return the text."""
    target = source[:-2] + ".i"
    out = subprocess.run(
        ["make", "-s", "-C", str(tree), target], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-500:] or f"make {target} failed")
    return (tree / target).read_text(errors="replace")


def functions_of(text: str, source: str, headers: bool = False) -> list[FunctionText]:
    """Function definitions of a ``.i`` text located in ``source`` (or all if headers)."""
    funcs = cut_all_functions(text, source)
    return funcs if headers else [f for f in funcs if f.file == source]


def parse_one(func: FunctionText) -> FunctionResult:
    """Parse one function and time it."""
    start = time.perf_counter()
    error = None
    try:
        parse_function(func)
    except UnsupportedConstruct as exc:
        error = exc
    return FunctionResult(func.file, func.name, func.start_line, time.perf_counter() - start, error)


def ir_one(func: FunctionText) -> FunctionResult:
    """Take one function to canonical IR and time it."""
    start = time.perf_counter()
    error = None
    opaque: list[str] = []
    try:
        graph = canonicalize(build_function(parse_function(func)))
        opaque = [f"{construct} at {loc}" for construct, loc in graph.unsupported]
    except UnsupportedConstruct as exc:
        error = exc
    seconds = time.perf_counter() - start
    return FunctionResult(func.file, func.name, func.start_line, seconds, error, opaque)


def parse_all(
    tree: Path,
    sources: Iterable[str] | None = None,
    *,
    headers: bool = False,
    jobs: int = 2,
    check: Callable[[FunctionText], FunctionResult] = parse_one,
    plain: bool = True,
) -> list[FileResult]:
    """Preprocess each built mm/ source (``jobs`` at a time) and run ``check`` (by
    default: parse) on each of its function definitions."""
    names = list(sources) if sources is not None else built_mm_sources(tree)
    results: list[FileResult] = []

    retry_lock = threading.Lock()

    run_cpp = preprocess if plain else preprocess_kept

    def load(source: str) -> tuple[str, str | None, str]:
        try:
            return source, run_cpp(tree, source), ""
        except (OSError, RuntimeError):
            pass
        # Parallel makes can race on kbuild's shared prepare steps: retry alone.
        with retry_lock:
            try:
                return source, run_cpp(tree, source), ""
            except (OSError, RuntimeError) as exc:
                return source, None, str(exc)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for source, text, problem in pool.map(load, names):
            result = FileResult(source)
            if text is None:
                result.error = problem
            else:
                result.functions = [check(f) for f in functions_of(text, source, headers)]
            results.append(result)
    return results


def report(results: list[FileResult], wall: float, stage: str = "parse") -> str:
    """The figures as printed text."""
    funcs = [f for r in results for f in r.functions]
    parsed = [f for f in funcs if f.ok]
    times = [f.seconds for f in funcs]
    done = "reached IR" if stage == "ir" else "parsed"
    lines = [
        f"files: {len(results)} ({sum(1 for r in results if r.error)} failed to preprocess)",
        f"functions: {len(funcs)}",
        f"{done}: {len(parsed)} ({100 * len(parsed) / max(1, len(funcs)):.2f}%)",
    ]
    if stage == "ir":
        with_opaque = [f for f in parsed if f.opaque]
        lines.append(f"reached IR with opaque constructs: {len(with_opaque)}")
        for f in with_opaque:
            lines.append(f"OPAQUE {f.name} ({f.file}:{f.line}): {'; '.join(f.opaque)}")
    if times:
        lines.append(
            f"{stage} time per function: median {statistics.median(times) * 1000:.1f} ms, "
            f"mean {statistics.mean(times) * 1000:.1f} ms, max {max(times) * 1000:.0f} ms, "
            f"total {sum(times):.1f} s"
        )
    lines.append(f"wall time (with preprocessing): {wall:.1f} s")
    for r in results:
        if r.error:
            lines.append(f"PREPROCESS FAILED {r.source}: {r.error}")
    for f in funcs:
        if f.error is not None:
            lines.append(
                f"FAIL {f.name} ({f.file}:{f.line}): {f.error.construct} at {f.error.location}"
                f" — {f.error.problem}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=Path(os.environ.get("EC_TREE", DEFAULT_TREE)))
    ap.add_argument("--headers", action="store_true", help="also parse header inline functions")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--stage", choices=["parse", "ir"], default="ir")
    ap.add_argument("--plain", action="store_true", help="make mm/X.i, no kept macros")
    ap.add_argument("sources", nargs="*", help="mm/X.c files (default: all built ones)")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    check = ir_one if args.stage == "ir" else parse_one
    results = parse_all(
        args.tree,
        args.sources or None,
        headers=args.headers,
        jobs=args.jobs,
        check=check,
        plain=args.plain,
    )
    print(report(results, time.perf_counter() - start, args.stage))
    return 0 if all(f.ok for r in results for f in r.functions) else 1


if __name__ == "__main__":
    sys.exit(main())
