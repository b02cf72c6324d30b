"""The ``equivcheck`` command line (click). I/O lives here; the stages stay pure."""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from equivcheck import __version__
from equivcheck.binary.opinion import angr_available
from equivcheck.cli.interrupt import Abandoned, Interrupted, flush_and_leave, interruptible
from equivcheck.cli.options import JOBS, engine_options
from equivcheck.cli.output import write_atomically
from equivcheck.cli.reporting import (
    FORMATS,
    emit,
    format_report,
    reproduce_command,
    run_progress,
)
from equivcheck.equiv.check import Options, changed_c_files
from equivcheck.errors import InputError
from equivcheck.frontend import gnuc
from equivcheck.frontend.model import FunctionText
from equivcheck.frontend.prepare import prepare_tree
from equivcheck.frontend.source.cfuncs import find_functions
from equivcheck.frontend.tree import KernelTree, open_tree
from equivcheck.frontend.workset import (
    FunctionWork,
    PatchJob,
    PatchWork,
    Side,
    build_work,
    from_files,
    light_function_text,
    patch_file_jobs,
    read_c_file,
    ready_jobs,
    rev_jobs,
)
from equivcheck.ir.labels import infer_label_map
from equivcheck.ir.lower import function_graph, region_graph
from equivcheck.ir.model import Graph
from equivcheck.ir.text import canonical_text, format_dot, format_graph
from equivcheck.report.document import document
from equivcheck.report.schema import load_report
from equivcheck.report.terminal import literal, plain
from equivcheck.scale.cache import UNITS, ResultCache, cache_root, clear
from equivcheck.scale.execute import Plan, default_workers, run_jobs
from equivcheck.scale.jobs import RunConfig
from equivcheck.verdict import Verdict

EXIT_INPUT_ERROR = 3
EXIT_INTERRUPTED = 130

PathArg = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="equivcheck")
def app() -> None:
    """Is a 'no functional change' C patch really one? Proof or counterexample."""


@dataclass(frozen=True)
class Inputs:
    """What a comparing command was asked to compare (exactly one form is given)."""

    patch: Path | None
    tree: Path | None
    rev: str | None
    before: Path | None
    after: Path | None
    function: str | None
    include: tuple[Path, ...] = ()


def _input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The PATCH argument and the options every comparing command takes (a tree, a
    git range, two files), handed to the command as one ``inputs`` value."""

    @functools.wraps(func)
    def command(**kwargs: Any) -> Any:
        names = ("patch", "tree", "rev", "before", "after", "function", "include")
        inputs = Inputs(**{name: kwargs.pop(name) for name in names})
        return func(inputs=inputs, **kwargs)

    options = [
        click.argument("patch", type=PathArg, required=False),
        click.option("--tree", type=PathArg, help="Kernel tree (git checkout or extracted)."),
        click.option("--rev", help="Git revision or range A..B in --tree."),
        click.option("--before", type=PathArg, help="Before version of a C file."),
        click.option("--after", type=PathArg, help="After version of a C file."),
        click.option("--function", help="Only this function (two-file mode)."),
        click.option(
            "-I",
            "--include",
            type=PathArg,
            multiple=True,
            help="A directory of headers the two files include (two-file mode; each file's "
            "own directory is searched first).",
        ),
    ]
    decorated: Callable[..., Any] = command
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def main() -> None:
    """Entry point: runs the app; bad input is one line on stderr and exit status 3;
    Ctrl-C stops the run, writes nothing more and exits 130."""
    try:
        status = interruptible(lambda: app.main(standalone_mode=False))
        sys.stdout.flush()
    except Abandoned:
        print("equivcheck: interrupted", file=sys.stderr)
        flush_and_leave(EXIT_INTERRUPTED)
    except (Interrupted, KeyboardInterrupt, click.exceptions.Abort):
        _fail("interrupted", status=EXIT_INTERRUPTED)
    except InputError as err:
        _fail(err.one_line())
    except OSError as err:
        if err.filename is None:
            _stdout_failed(err)
        # A path given on the command line that the system refuses (too long, a
        # loop of symlinks...) where no stage said so itself.
        _fail(f"{err.filename}: {err.strerror or err}; check the path")
    except click.ClickException as err:
        if type(err).__name__ == "NoArgsIsHelpError":  # click 8.2 on: the help text
            print(err.format_message(), file=sys.stderr)
            sys.exit(EXIT_INPUT_ERROR)
        _fail(f"{err.format_message().rstrip('.')}; see equivcheck --help")
    except RecursionError:
        _fail("input nests too deeply for the parser; report the function")
    sys.exit(status if isinstance(status, int) else 0)


def _stdout_failed(err: OSError) -> None:
    """Standard output could not take the output (a full disk, a closed pipe)."""
    with contextlib.suppress(OSError, ValueError):
        # Python's last flush at exit must not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    _fail(f"standard output: cannot write ({err.strerror or err}); write with -o FILE instead")


def _fail(message: str, status: int = EXIT_INPUT_ERROR) -> None:
    """One line on stderr (names from the input cannot break it or steer the terminal)."""
    line = " ".join(plain(message).split())
    print(f"equivcheck: {line}", file=sys.stderr)
    sys.exit(status)


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


# ---------------------------------------------------------------------- input forms


def _open_tree(tree: Path | None) -> KernelTree | None:
    return open_tree(tree) if tree is not None else None


def _gather(inputs: Inputs, with_texts: bool = True) -> list[PatchWork]:
    """The work for whichever input form the options name (exactly one)."""
    kernel = _open_tree(inputs.tree)
    return [build_work(job, kernel, with_texts=with_texts) for job in _jobs(inputs, kernel)]


def _jobs(inputs: Inputs, kernel: KernelTree | None) -> list[PatchJob]:
    """A job per patch of whichever input form the options name (exactly one); the
    texts are read, nothing is preprocessed yet."""
    patch, rev = inputs.patch, inputs.rev
    before, after, function = inputs.before, inputs.after, inputs.function
    forms = [patch is not None, rev is not None, before is not None or after is not None]
    if sum(forms) != 1:
        raise InputError(
            "arguments",
            "give exactly one of: PATCH, --rev RANGE (with --tree), --before F --after G",
        )
    for folder in inputs.include:
        if before is None:
            raise InputError("-I", "header directories go with --before F --after G")
        if not folder.is_dir():
            raise InputError(str(folder), "not a directory", "give -I a folder of headers")
    if before is not None or after is not None:
        if before is None or after is None:
            raise InputError("arguments", "--before and --after go together")
        return ready_jobs(from_files(before, after, function, kernel, inputs.include))
    if rev is not None:
        if kernel is None:
            raise InputError("--rev", "needs --tree DIR (a git checkout)")
        return _with_notes(rev_jobs(kernel, rev))
    assert patch is not None
    return _with_notes(patch_file_jobs(patch, kernel))


def _with_notes(jobs: list[PatchJob]) -> list[PatchJob]:
    """Say on stderr what the front end repaired in the input (a recounted hunk)."""
    for job in jobs:
        for note in job.patch.notes if job.patch is not None else []:
            print(f"equivcheck: note: {note}", file=sys.stderr)
    return jobs


# ---------------------------------------------------------------------- functions


@app.command()
@_input_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def functions(
    inputs: Inputs,
    fmt: str,
) -> None:
    """List the functions a patch changes, adds, removes or affects."""
    works = _gather(inputs, with_texts=False)
    rows = [
        {
            "file": fw.change.file,
            "function": fw.change.function,
            "status": fw.change.status,
            "detail": fw.change.detail,
            "patch": work.title,
            "patch_index": index,
            "mode": fw.mode,
        }
        for index, work in enumerate(works, start=1)
        for fw in work.functions
    ]
    outside = [
        {"patch_index": index, "file": u.file, "line": u.line, "side": u.side, "text": u.text}
        for index, work in enumerate(works, start=1)
        for u in work.unattributed
    ]
    if fmt == "json":
        doc = {"tool": "equivcheck", "version": __version__, "functions": rows}
        doc["unattributed"] = outside
        print(json.dumps(doc))
        return
    table = Table(title="Functions touched", title_justify="left")
    if len(works) > 1:
        table.add_column("#", justify="right")
    for column in ("file", "function", "status", "mode", "detail"):
        table.add_column(column)
    colours = {"changed": "yellow", "added": "green", "removed": "red", "affected": "cyan"}
    for row in rows:
        cells = [
            literal(row["file"]),
            literal(row["function"]),
            f"[{colours.get(str(row['status']), 'yellow')}]{literal(row['status'])}[/]",
            literal(row["mode"]),
            literal(row["detail"]),
        ]
        if len(works) > 1:
            cells.insert(0, str(row["patch_index"]))
        table.add_row(*cells)
    console = _console()
    for index, work in enumerate(works, start=1):
        title = literal(work.title)
        console.print(f"{index}. {title}" if len(works) > 1 else title)
    console.print(table)
    for item in outside:
        console.print(
            f"[yellow]change outside any function[/] at {literal(item['file'])}:"
            f"{item['line']} ({literal(item['side'])}): {literal(item['text'])}"
        )


# ---------------------------------------------------------------------- ir


def _graphs_of(work: FunctionWork, side: Side) -> list[Graph]:
    """The IR of one side of a touched function: whole, or its regions."""
    text = work.text(side)
    if work.problem:
        raise InputError(work.change.function, work.problem)
    if text is not None:
        return [function_graph(text, light=work.mode != "tree")]
    if work.regions:
        index = 0 if side == "before" else 1
        return [
            region_graph(
                pair[index].text,
                function=work.change.function,
                file=work.change.file,
                first_line=pair[index].first_line,
            )
            for pair in work.regions
        ]
    raise InputError(
        work.change.function,
        f"has no {side} version ({work.change.status})",
        "pick the other --side" if work.change.status in {"added", "removed"} else "",
    )


def _find_work(works: list[PatchWork], function: str, source: str) -> FunctionWork:
    for work in works:
        for fw in work.functions:
            if fw.change.function == function:
                return fw
    names = sorted({fw.change.function for w in works for fw in w.functions})
    raise InputError(
        source,
        f"the patch does not touch a function named {function}",
        f"it touches: {', '.join(names) or 'none'}",
    )


def _file_function(path: Path, function: str, tree: Path | None) -> tuple[FunctionText, bool]:
    """A function from a C file: preprocessed as kbuild would in a configured tree
    (``False``: not light), else as written (``True``)."""
    kernel = _open_tree(tree)
    if kernel is not None and kernel.configured:
        rel = _inside(path, kernel)
        starts = {f.name: f.start_line for f in find_functions(kernel.read(rel))}
        pre = kernel.preprocess(rel, keep_macros_for=[function])
        near = (rel, starts[function]) if function in starts else None
        return gnuc.cut_function(pre.text, function, near=near), False
    if kernel is not None and not path.exists():
        path = kernel.root / path
    func = light_function_text(read_c_file(path), str(path), function, kernel)
    if func is None:
        raise InputError(str(path), f"no function named {function}", "check the name")
    return func, True


def _inside(path: Path, kernel: KernelTree) -> str:
    candidate = path if path.is_absolute() else Path.cwd() / path
    if not candidate.exists():
        candidate = kernel.root / path
    try:
        return candidate.resolve().relative_to(kernel.root.resolve()).as_posix()
    except ValueError:
        raise InputError(
            str(path), f"is not inside the tree {kernel.root}", "give a path in --tree"
        ) from None


@app.command()
@click.argument("target", type=PathArg)
@click.argument("function")
@click.option("--tree", type=PathArg, help="Kernel tree (git checkout or extracted).")
@click.option(
    "--side",
    type=click.Choice(["before", "after"]),
    help="TARGET is a patch: show its before or after version.",
)
@click.option("--dot", type=PathArg, help="Also write the graph for Graphviz here.")
@click.option("--locations/--no-locations", default=True, help="Show source lines.")
def ir(
    target: Path,
    function: str,
    tree: Path | None,
    side: str | None,
    dot: Path | None,
    locations: bool,
) -> None:
    """Print one function (or one side of a patch) as label-free IR."""
    if side is not None:
        kernel = _open_tree(tree)
        works = [build_work(j, kernel) for j in _with_notes(patch_file_jobs(target, kernel))]
        chosen: Side = "before" if side == "before" else "after"
        graphs = _graphs_of(_find_work(works, function, str(target)), chosen)
    else:
        func, light = _file_function(target, function, tree)
        graphs = [function_graph(func, light=light)]
    text = "\n".join(format_graph(g, locations=locations) for g in graphs)
    if dot is not None:
        write_atomically(dot, "".join(format_dot(g) for g in graphs))
    sys.stdout.write(plain(text))


# ---------------------------------------------------------------------- ir-diff


@app.command("ir-diff")
@_input_options
@click.option("--show", is_flag=True, help="Print the differing IR.")
def ir_diff(
    inputs: Inputs,
    show: bool,
) -> int:
    """Compare before and after IR structurally: exit 0 when every touched function
    is the same graph up to labels, local names and layout, 1 when one is not, 2 when
    none differs but something was not compared (an added or removed function, one
    without text or IR, a change outside every function). Not a semantic verdict: a
    structural difference may still be an equivalent refactor."""
    works = _gather(inputs)
    table = Table(title="Structural comparison", title_justify="left")
    for column in ("file", "function", "status", "IR"):
        table.add_column(column)
    diffs: list[str] = []
    differing = 0
    skipped = 0
    for work in works:
        shown = {fw.change.file for fw in work.functions}
        for u in work.unattributed:
            skipped += 1
            where = f"{u.file}:{u.line}" if u.line else u.file
            table.add_row(
                literal(u.file),
                "(outside functions)",
                "changed",
                f"not compared: {literal(where)} ({literal(u.side)})",
            )
        for path in changed_c_files(work):
            if path not in shown and not any(u.file == path for u in work.unattributed):
                skipped += 1
                table.add_row(literal(path), "(no function)", "changed", "not compared")
        for fw in work.functions:
            status = fw.change.status if fw.reported else f"{fw.change.status}, reached"
            try:
                old_graphs, new_graphs = _graphs_of(fw, "before"), _graphs_of(fw, "after")
            except InputError as err:
                skipped += 1
                why = err.one_line() if fw.change.status not in {"added", "removed"} else ""
                cell = f"not compared{': ' if why else ''}{literal(why)}"
                table.add_row(literal(fw.change.file), literal(fw.change.function), status, cell)
                continue
            renames = infer_label_map(zip(old_graphs, new_graphs, strict=False))
            old = "\n".join(canonical_text(g, renames) for g in old_graphs)
            new = "\n".join(canonical_text(g) for g in new_graphs)
            same = old == new
            differing += not same
            verdict = "[green]same shape[/]" if same else "[yellow]differs[/]"
            table.add_row(literal(fw.change.file), literal(fw.change.function), status, verdict)
            if not same and show:
                diffs.extend(
                    difflib.unified_diff(
                        old.splitlines(),
                        new.splitlines(),
                        f"{fw.change.function} (before)",
                        f"{fw.change.function} (after)",
                        lineterm="",
                    )
                )
    console = _console()
    console.print(table)
    for line in diffs:
        console.print(plain(line), markup=False)
    return 1 if differing else 2 if skipped else 0


# ---------------------------------------------------------------------- check


@app.command()
@_input_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", type=PathArg, help="Write the report here (all or nothing).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display; table: summary only.")
@engine_options
@click.option(
    "--binary",
    is_flag=True,
    help="Also compile both versions and ask angr for a second opinion (needs equivcheck[binary]).",
)
@click.option(
    "--jobs",
    "-j",
    type=JOBS,
    default=default_workers,
    show_default="the number of cores",
    help="Patches checked at once, each in a worker process.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither use nor keep verdicts and preprocessed units (~/.cache/equivcheck).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run the patches on a Dask cluster: a scheduler's address (tcp://host:8786), "
    "or 'local' for one started here with --jobs workers (needs equivcheck[scale]).",
)
def check(
    inputs: Inputs,
    fmt: str,
    output: Path | None,
    quiet: bool,
    options: Options,
    binary: bool,
    jobs: int,
    no_cache: bool,
    scheduler: str | None,
) -> int:
    """Decide, for every function the input touches, whether the change keeps its
    behaviour: EQUIVALENT (proved, with assumptions), DIFFERENT (with a counterexample)
    or UNKNOWN (with the reason). Exit 0 all equivalent, 1 some different, 2 otherwise
    unknown, 3 bad input."""
    if binary and not angr_available():
        raise InputError("--binary", "angr is not installed", "pip install 'equivcheck[binary]'")
    kernel = _open_tree(inputs.tree)
    planned = _jobs(inputs, kernel)
    root = cache_root()
    config = RunConfig(
        limits=options,
        tree=kernel.root if kernel is not None else None,
        units=None if no_cache else root / UNITS,
        binary=binary,
        include_dirs=inputs.include,
    )
    cache = ResultCache(None if no_cache else root)
    with run_progress(planned, sys.stderr.isatty() and not quiet) as shown:
        outcomes = run_jobs(
            planned,
            config,
            Plan(jobs, scheduler),
            cache,
            on_done=shown.done,
            progress=shown.function,
        )
    works = [o.work for o in outcomes]
    results = [r for o in outcomes for r in o.results]
    doc = document(results, works)
    doc["command"] = reproduce_command(
        inputs.patch,
        inputs.tree,
        inputs.rev,
        inputs.before,
        inputs.after,
        inputs.function,
        inputs.include,
    )
    console = Console(highlight=False) if fmt == "table" and output is None else None
    emit(format_report(doc, fmt, works, quiet=quiet, console=console), output)
    return Verdict(doc["verdict"]).exit_status


@app.group("cache")
def cache_group() -> None:
    """The verdicts, preprocessed units and tree facts kept across runs
    (~/.cache/equivcheck, or $EQUIVCHECK_CACHE)."""


@cache_group.command("clear")
def cache_clear() -> None:
    """Forget every kept verdict and preprocessed unit, and what is kept of trees (their
    typedef names and compile commands)."""
    root = cache_root()
    gone = clear(root)
    print(f"equivcheck: cache cleared: {gone} entries under {root}")


# ---------------------------------------------------------------------- render


@app.command("render")
@click.argument("report", type=PathArg)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", type=PathArg, help="Write the report here (all or nothing).")
@click.option("--quiet", "-q", is_flag=True, help="table: summary only.")
def render_command(report: Path, fmt: str, output: Path | None, quiet: bool) -> int:
    """Show a report saved with --format json in another format. Exit status as the
    check that made it."""
    doc = load_report(report)
    console = Console(highlight=False) if fmt == "table" and output is None else None
    emit(format_report(doc, fmt, quiet=quiet, console=console), output)
    verdict = doc["verdict"]
    return (Verdict.parse(verdict) or Verdict.UNKNOWN).exit_status


# ---------------------------------------------------------------------- prepare-tree


@app.command("prepare-tree")
@click.argument("tree", type=PathArg)
@click.option("--jobs", "-j", type=JOBS, default=2, show_default=True, help="Parallel make jobs.")
def prepare_tree_command(tree: Path, jobs: int) -> None:
    """Configure a tree (x86_64_defconfig or olddefconfig) and run make prepare."""
    result = prepare_tree(tree, jobs=jobs)
    _console().print(plain(str(result)), markup=False)
