"""Review 22 (hostile review of the scale layer, issue 15): each test is a real finding
that fails today, marked xfail(strict=True) until it is fixed. See
fixtures/review-stop22/README.md for the commands and what equivcheck printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.run import assert_input_error, run

# A light-mode function (an unconfigured tree) whose verdict rests on whether ``T`` is a
# typedef: (T)(x) * 0 is a cast times zero (0, EQUIVALENT to ``return 0``) when T is a
# type, a call of T when T is a function (DIFFERENT: the call is gone).
SOURCE = "#include <linux/types.h>\n\nint f(int x)\n{\n\treturn (T)(x) * 0;\n}\n"
DIFF = (
    "--- a/mm/f.c\n+++ b/mm/f.c\n@@ -3,4 +3,4 @@\n int f(int x)\n {\n"
    "-\treturn (T)(x) * 0;\n+\treturn 0;\n }\n"
)


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "tree"
    (root / "mm").mkdir(parents=True)
    (root / "include" / "linux").mkdir(parents=True)
    (root / "Makefile").write_text("# a tree for the tests\n")
    (root / "include" / "linux" / "types.h").write_text("typedef int T;\n")
    (root / "mm" / "f.c").write_text(SOURCE)
    diff = tmp_path / "f.diff"
    diff.write_text(DIFF)
    return root, diff


def _verdicts(*args: str | Path) -> list[str]:
    result = run("check", *args, "--format", "json", "-q")
    return [f["verdict"] for f in json.loads(result.out)["functions"]]


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EQUIVCHECK_CACHE", str(folder))
    return folder


@pytest.mark.xfail(
    strict=True,
    reason="the typedef scan (<cache>/typedefs) is keyed by the mtimes of the top header "
    "folders only: a typedef edited in place is not seen, so the kept EQUIVALENT (whose "
    "typedef digest comes from the same stale scan) is served",
)
def test_a_typedef_edited_in_place_is_not_served_a_kept_equivalent(
    tmp_path: Path, own_cache: Path
) -> None:
    root, diff = _tree(tmp_path)
    assert _verdicts(diff, "--tree", root) == ["equivalent"]
    # T becomes a function: the call is dropped by the patch (the folder's mtime stays)
    (root / "include" / "linux" / "types.h").write_text("extern int T(int);\n")
    assert _verdicts(diff, "--tree", root) != ["equivalent"]


@pytest.mark.xfail(
    strict=True,
    reason="--no-cache and `cache clear` do not reach the typedef scan: the stale "
    "typedef names still give EQUIVALENT where a fresh cache folder gives DIFFERENT",
)
def test_no_cache_and_clear_forget_the_typedef_scan(tmp_path: Path, own_cache: Path) -> None:
    root, diff = _tree(tmp_path)
    assert _verdicts(diff, "--tree", root) == ["equivalent"]
    (root / "include" / "linux" / "types.h").write_text("extern int T(int);\n")
    fresh = _verdicts(diff, "--tree", root, "--no-cache")
    assert run("cache", "clear").status == 0
    cleared = _verdicts(diff, "--tree", root)
    assert (fresh, cleared) == (["different"], ["different"])


@pytest.mark.xfail(
    strict=True, reason="--no-cache still writes <cache>/typedefs (docs: reads and writes nothing)"
)
def test_no_cache_writes_nothing(tmp_path: Path, own_cache: Path) -> None:
    root, diff = _tree(tmp_path)
    run("check", diff, "--tree", root, "--no-cache", "-q")
    assert not own_cache.exists() or not any(own_cache.iterdir())


@pytest.mark.parametrize("command", ["check", "clear"])
@pytest.mark.xfail(
    strict=True,
    reason="a corrupt results/cache.db (not a sqlite file) is a sqlite3.DatabaseError "
    "traceback, exit 1, in check and in `cache clear` (which cannot then repair it)",
)
def test_a_corrupt_cache_is_one_line_or_ignored(
    tmp_path: Path, own_cache: Path, command: str
) -> None:
    root, diff = _tree(tmp_path)
    (own_cache / "results").mkdir(parents=True)
    (own_cache / "results" / "cache.db").write_text("garbage\n")
    if command == "clear":
        result = run("cache", "clear")
        assert "Traceback" not in result.err
        assert result.status in (0, 3), result
        return
    result = run("check", diff, "--tree", root, "-q")
    if result.status == 3:
        assert_input_error(result, "cache")
    else:
        assert "Traceback" not in result.err
        assert result.status == 0, result


# ---------------------------------------------------------------- the configured tree

# init_user_reserve (mm/mmap.c, built by the configuration): after preprocessing, the
# first patch changes nothing (SZ_128K is 0x00020000) and the second adds a return only
# a CONFIG_REVIEW22 defined on the command line keeps.
CASES = Path(__file__).resolve().parents[2] / "fixtures" / "review-stop22"
SZ_PATCH = CASES / "mmap-sz128k.diff"
FLAG_PATCH = CASES / "mmap-config-flag.diff"


def _farm(tree: Path, where: Path) -> Path:
    """A view of the configured tree: every entry a link to the tree's, but ``mm/``,
    ``Makefile`` and ``arch/x86/Makefile`` (copied) and the folders ``arch/``,
    ``arch/x86/`` and ``arch/x86/include/`` (real folders of links), so a test may add
    or edit there without writing into the tree."""
    import os
    import shutil

    farm = where / "farm"
    farm.mkdir()
    for name in os.listdir(tree):
        if name not in {"mm", "arch", ".git", "Makefile"}:
            (farm / name).symlink_to(tree / name)
    shutil.copytree(tree / "mm", farm / "mm", symlinks=True)
    shutil.copy2(tree / "Makefile", farm / "Makefile")
    for folder, keep in (("arch", {"x86"}), ("arch/x86", {"include", "Makefile"})):
        (farm / folder).mkdir()
        for name in os.listdir(tree / folder):
            if name not in keep:
                (farm / folder / name).symlink_to(tree / folder / name)
    shutil.copy2(tree / "arch/x86/Makefile", farm / "arch/x86/Makefile")
    (farm / "arch/x86/include").mkdir()
    for name in os.listdir(tree / "arch/x86/include"):
        (farm / "arch/x86/include" / name).symlink_to(tree / "arch/x86/include" / name)
    return farm


def _by_function(*args: str | Path) -> dict[str, str]:
    result = run("check", *args, "--format", "json", "-q")
    return {f["function"]: f["verdict"] for f in json.loads(result.out)["functions"]}


@pytest.mark.xfail(
    strict=True,
    reason="a header added in an earlier folder of the include path "
    "(arch/x86/include/linux/sizes.h shadows include/linux/sizes.h) is not seen: only "
    "the folders of the files read are recorded, so the kept EQUIVALENT (and the kept "
    "units) are served",
)
def test_a_header_that_shadows_one_read_is_not_served_a_kept_equivalent(
    kernel_tree: Path, tmp_path: Path, own_cache: Path
) -> None:
    farm = _farm(kernel_tree, tmp_path)
    patch = SZ_PATCH
    assert _by_function(patch, "--tree", farm)["init_user_reserve"] == "equivalent"
    shadow = farm / "arch/x86/include/linux/sizes.h"
    shadow.parent.mkdir()
    text = (kernel_tree / "include/linux/sizes.h").read_text()
    shadow.write_text(text.replace("0x00020000", "0x00040000"))
    assert _by_function(patch, "--tree", farm)["init_user_reserve"] != "equivalent"


@pytest.mark.parametrize("makefile", ["arch/x86/Makefile", "Makefile"])
@pytest.mark.xfail(
    strict=True,
    reason="kbuild-commands.json keys a directory's commands by .config's and that "
    "directory's Makefile's mtimes only: a flag added in arch/x86/Makefile or the top "
    "Makefile keeps the old command (the kept EQUIVALENT is served, or recomputed with "
    "the old command when the top Makefile makes it a miss; --no-cache reads it too)",
)
def test_a_flag_from_another_makefile_is_not_served_a_kept_equivalent(
    kernel_tree: Path, tmp_path: Path, own_cache: Path, makefile: str
) -> None:
    farm = _farm(kernel_tree, tmp_path)
    patch = FLAG_PATCH
    assert _by_function(patch, "--tree", farm)["init_user_reserve"] == "equivalent"
    with (farm / makefile).open("a") as text:
        text.write("KBUILD_CFLAGS += -DCONFIG_REVIEW22\n")
    warm = _by_function(patch, "--tree", farm)["init_user_reserve"]
    uncached = _by_function(patch, "--tree", farm, "--no-cache")["init_user_reserve"]
    assert (warm, uncached) == ("different", "different")


@pytest.mark.xfail(
    strict=True,
    reason="--no-cache in a configured tree still writes <cache>/kbuild-commands.json",
)
def test_no_cache_writes_nothing_in_a_configured_tree(
    kernel_tree: Path, tmp_path: Path, own_cache: Path
) -> None:
    farm = _farm(kernel_tree, tmp_path)
    run("check", SZ_PATCH, "--tree", farm, "--no-cache", "-q")
    assert not own_cache.exists() or not any(own_cache.iterdir())


K_PATCH = CASES / "mmap-k-macro.diff"
K_BEFORE = "#define K(x) ((x) << (PAGE_SHIFT-10))"
K_AFTER = "#define K(x) ((x) << (PAGE_SHIFT-9))"


@pytest.mark.xfail(
    strict=True,
    reason="a kept outcome records the states of the tree files at put time (after the "
    "run; after every worker in a pool), not at read time: a header edited while the "
    "run goes on is recorded as read, and the verdict computed on its old text is "
    "served once the run is over",
)
def test_a_header_edited_during_the_run_is_not_served_a_kept_equivalent(
    kernel_tree: Path, tmp_path: Path, own_cache: Path
) -> None:
    from equivcheck.frontend.tree import open_tree
    from equivcheck.frontend.workset import patch_file_jobs
    from equivcheck.scale.cache import UNITS, ResultCache
    from equivcheck.scale.execute import Plan, run_jobs
    from equivcheck.scale.jobs import JobOutcome, RunConfig, run_job

    farm = _farm(kernel_tree, tmp_path)
    internal = farm / "mm" / "internal.h"
    assert K_BEFORE in internal.read_text()
    config = RunConfig(tree=farm, units=own_cache / UNITS)
    cache = ResultCache(own_cache)

    def edited_meanwhile(job, index, config, progress=None):  # type: ignore[no-untyped-def]
        outcome: JobOutcome = run_job(job, index, config, progress)
        # the user edits a header the unit read while the run is still going
        internal.write_text(internal.read_text().replace(K_BEFORE, K_AFTER))
        return outcome

    jobs = patch_file_jobs(K_PATCH, open_tree(farm))
    first = run_jobs(jobs, config, Plan(), cache, execute=edited_meanwhile)
    assert {r.function: r.verdict for r in first[0].results}["init_user_reserve"] == ("equivalent")
    jobs = patch_file_jobs(K_PATCH, open_tree(farm))
    again = run_jobs(jobs, config, Plan(), cache)
    fresh = run_jobs(jobs, RunConfig(tree=farm), Plan(), ResultCache(None))
    verdict = {r.function: r.verdict for r in fresh[0].results}["init_user_reserve"]
    assert verdict == "different"  # the header as it is now
    assert {r.function: r.verdict for r in again[0].results}["init_user_reserve"] == verdict


@pytest.mark.xfail(
    strict=True,
    reason="results/cache.db that is a folder is a sqlite3.OperationalError traceback "
    "(ResultCache catches OSError and diskcache.Timeout only)",
)
def test_a_cache_db_that_is_a_folder_is_ignored(tmp_path: Path, own_cache: Path) -> None:
    root, diff = _tree(tmp_path)
    (own_cache / "results" / "cache.db").mkdir(parents=True)
    result = run("check", diff, "--tree", root, "-q")
    assert "Traceback" not in result.err
    assert result.status == 0, result


@pytest.mark.xfail(
    strict=True,
    reason="a corrupt units/cache.db: one patch is a DatabaseError traceback (exit 1); "
    "two patches with --jobs 2 are every function UNKNOWN ('the worker checking this "
    "patch failed (DatabaseError...)'), where an unreadable cache should only cost time",
)
def test_a_corrupt_unit_cache_only_costs_time(
    kernel_tree: Path, tmp_path: Path, own_cache: Path
) -> None:
    farm = _farm(kernel_tree, tmp_path)
    (own_cache / "units").mkdir(parents=True)
    (own_cache / "units" / "cache.db").write_text("garbage\n")
    result = run("check", SZ_PATCH, "--tree", farm, "-q", "--format", "json")
    assert "Traceback" not in result.err
    verdicts = {f["function"]: f["verdict"] for f in json.loads(result.out)["functions"]}
    assert verdicts["init_user_reserve"] == "equivalent"
