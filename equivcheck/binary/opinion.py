"""The public entry points of the binary second opinion.

:func:`binary_opinion` compares two already compiled functions; :func:`opinion_from_texts`
compiles two C texts first (fixtures, two-file mode) and :func:`opinion_from_tree` two
versions of one file of a configured kernel tree (kbuild's command, in a scratch copy).
angr is imported only inside :func:`binary_opinion`: importing this module is cheap and
works without it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from equivcheck.binary.compile import (
    FLAG_SETS,
    KERNEL_LIKE,
    CompileResult,
    compile_plain,
    compile_tree_file,
    preprocess_plain,
)
from equivcheck.binary.model import CompiledFunction, Opinion, OpinionDetails
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.limits import DEFAULT_LIMITS, Limits

INSTALL_HINT = "angr is not installed (pip install 'equivcheck[binary]')"

# Accesses machine code does not tell apart from plain ones (docs/binary.md, B2).
_VOLATILE = re.compile(r"\b(volatile|READ_ONCE|WRITE_ONCE|__READ_ONCE|__WRITE_ONCE)\b")


def _volatile_in(text: str, function: str) -> bool:
    """Whether the definition of ``function`` in ``text`` uses volatile accesses."""
    lines = text.splitlines()
    for found in find_functions(text):
        if found.name == function:
            body = "\n".join(lines[found.start_line - 1 : found.end_line])
            return _VOLATILE.search(body) is not None
    return _VOLATILE.search(text) is not None


def _no_volatile_agree(result: Opinion, texts: Sequence[str], function: str) -> Opinion:
    """An ``agree`` from symbolic execution cannot vouch for a function with volatile
    accesses: an added or dropped one looks like a plain load or store the comparison
    may merge. Identical machine code still agrees."""
    if result.opinion != "agree" or result.details.method == "identical machine code":
        return result
    if any(_volatile_in(text, function) for text in texts):
        result.opinion = "inconclusive"
        result.reason = (
            "no difference found, but the function uses volatile accesses "
            "(READ_ONCE/WRITE_ONCE), which machine code does not tell apart from plain "
            f"ones (docs/binary.md, B2); {result.reason}"
        )
    return result


def angr_available() -> bool:
    """True when angr can be imported (without importing it)."""
    return importlib.util.find_spec("angr") is not None


def binary_opinion(
    before: CompiledFunction,
    after: CompiledFunction,
    limits: Limits = DEFAULT_LIMITS,
    *,
    shortcut: bool = True,
) -> Opinion:
    """angr's opinion on whether two compiled versions of a function behave the same.

    ``limits.budget_s`` bounds the whole opinion, ``max_paths`` the paths of each
    version; ``unroll`` is how often a loop runs before the inductive rule is tried;
    ``timeout_s`` bounds one solver query; ``shortcut``
    allows ``agree`` at once for identical machine code. Never raises for what the code
    contains: anything it cannot follow makes the opinion inconclusive, with the reason.
    """
    if not angr_available():
        return Opinion("inconclusive", INSTALL_HINT, 0.0)
    from equivcheck.binary import run

    started = time.perf_counter()
    try:
        return run.opinion(before, after, limits, shortcut)
    except RecursionError:
        reason = "expressions too deep to follow"
    except Exception as exc:  # angr and CLE fail in many ways on unusual code
        reason = f"the exploration failed: {type(exc).__name__}: {exc}"[:300]
    return Opinion("inconclusive", reason, time.perf_counter() - started)


def _compare_compiled(
    compiled: tuple[CompileResult, CompileResult],
    sources: tuple[str, str],
    texts: tuple[str, str],
    function: str,
    started: float,
    budget: Limits,
    shortcut: bool,
) -> Opinion:
    """The opinion on two compile results (``sources`` give the prototypes, ``texts``
    the functions' own source)."""
    first, second = compiled
    if not first.ok:
        return _failed("before", first, started)
    if not second.ok:
        return _failed("after", second, started)
    assert first.object_path is not None and second.object_path is not None
    before = CompiledFunction(first.object_path, function, "before", source=sources[0])
    after = CompiledFunction(second.object_path, function, "after", source=sources[1])
    remaining = max(1.0, budget.budget_s - (time.perf_counter() - started))
    result = binary_opinion(
        before, after, dataclasses.replace(budget, budget_s=remaining), shortcut=shortcut
    )
    result.details.compile_s = first.seconds + second.seconds
    result.time_s = time.perf_counter() - started
    return _no_volatile_agree(result, texts, function)


def _failed(label: str, result: CompileResult, started: float) -> Opinion:
    details = OpinionDetails(method="compile", compile_s=result.seconds)
    reason = f"the {label} version does not compile: {result.error}"
    return Opinion("inconclusive", reason, time.perf_counter() - started, details)


def opinion_from_texts(
    before_text: str,
    after_text: str,
    function: str,
    *,
    flags: Sequence[str] = KERNEL_LIKE,
    after_flags: Sequence[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    shortcut: bool = True,
    before_dir: Path | None = None,
    after_dir: Path | None = None,
    include_dirs: tuple[Path, ...] = (),
) -> Opinion:
    """Compile two stand-alone C texts with gcc (``flags``; the after text with
    ``after_flags`` when given) and compare ``function`` in both.

    ``before_dir``/``after_dir`` are the directories the texts were read from (their
    quoted includes are found there, ``-iquote``); ``include_dirs`` are searched by
    both (``-I``). The callees' prototypes come from the preprocessed texts, so the
    headers' declarations count.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="equivcheck-bin-") as tmp:
        work = Path(tmp)
        first = compile_plain(
            before_text,
            work,
            flags,
            name="before",
            own_dir=before_dir,
            include_dirs=include_dirs,
        )
        second = compile_plain(
            after_text,
            work,
            after_flags or flags,
            name="after",
            own_dir=after_dir,
            include_dirs=include_dirs,
        )
        units = (
            preprocess_plain(before_text, work, flags, "before", before_dir, include_dirs),
            preprocess_plain(
                after_text, work, after_flags or flags, "after", after_dir, include_dirs
            ),
        )
        return _compare_compiled(
            (first, second),
            units,
            (before_text, after_text),
            function,
            started,
            limits,
            shortcut,
        )


def opinion_from_files(
    before_text: str,
    after_text: str,
    function: str,
    *,
    flag_sets: Sequence[str] = ("kernel", "plain"),
    limits: Limits = DEFAULT_LIMITS,
    before_dir: Path | None = None,
    after_dir: Path | None = None,
    include_dirs: tuple[Path, ...] = (),
) -> Opinion:
    """Two-file and fixture mode: compile with each of ``flag_sets``
    (:data:`equivcheck.binary.compile.FLAG_SETS`: kernel-like ``-O2``, then plain ``-O2``)
    and combine. Any disagreement wins; agreement needs every setting to agree.

    ``before_dir``/``after_dir``: the directory each file was read from (its quoted
    includes); ``include_dirs``: more header directories for both (``-I``)."""
    started = time.perf_counter()
    results: list[tuple[str, Opinion]] = []
    for name in flag_sets:
        remaining = limits.budget_s - (time.perf_counter() - started)
        if remaining <= 1.0:
            results.append((name, Opinion("inconclusive", "time budget", 0.0)))
            break
        flags = FLAG_SETS[name]
        result = opinion_from_texts(
            before_text,
            after_text,
            function,
            flags=flags,
            limits=dataclasses.replace(limits, budget_s=remaining),
            before_dir=before_dir,
            after_dir=after_dir,
            include_dirs=include_dirs,
        )
        results.append((name, result))
        if result.opinion == "disagree":
            break
    elapsed = time.perf_counter() - started
    for name, result in results:
        if result.opinion == "disagree":
            return _labelled(result, name, elapsed)
    if all(r.opinion == "agree" for _, r in results):
        reason = "; ".join(f"[{' '.join(FLAG_SETS[n])}] {r.reason}" for n, r in results)
        first = results[0][1]
        return Opinion("agree", reason, elapsed, first.details)
    name, worst = next((n, r) for n, r in results if r.opinion != "agree")
    return _labelled(worst, name, elapsed)


def _labelled(result: Opinion, flags: str, elapsed: float) -> Opinion:
    label = " ".join(FLAG_SETS[flags])
    return Opinion(result.opinion, f"[{label}] {result.reason}", elapsed, result.details)


def opinion_from_tree(
    tree: Path,
    rel: str,
    before_text: str,
    after_text: str,
    function: str,
    *,
    before_unit: str | None = None,
    after_unit: str | None = None,
    overlay_before: Mapping[str, str] | None = None,
    overlay_after: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    shortcut: bool = True,
) -> Opinion:
    """Compile two versions of the tree file ``rel`` with kbuild's own command (in a
    scratch folder; the tree is only read) and compare ``function`` in both.

    ``before_unit``/``after_unit`` are the preprocessed texts (prototypes of the callees
    come from them); when missing the file is preprocessed here. ``overlay_*`` map changed
    headers to their contents.
    """
    from equivcheck.frontend.unit.kbuild import preprocess

    started = time.perf_counter()
    units = []
    for text, unit, overlay in (
        (before_text, before_unit, overlay_before),
        (after_text, after_unit, overlay_after),
    ):
        if unit is None:
            try:
                unit = preprocess(tree, rel, text=text, overlay=overlay).text
            except Exception:  # a unit only improves prototypes; compile errors come next
                unit = text
        units.append(unit)
    with tempfile.TemporaryDirectory(prefix="equivcheck-bin-") as tmp:
        work = Path(tmp)
        first = compile_tree_file(tree, rel, before_text, work, overlay_before, tag="before")
        second = compile_tree_file(tree, rel, after_text, work, overlay_after, tag="after")
        return _compare_compiled(
            (first, second),
            (units[0], units[1]),
            (before_text, after_text),
            function,
            started,
            limits,
            shortcut,
        )
