"""Review 22 (hostile review of the scale layer, issue 15): each test is a real finding
that failed at the review (now fixed: they stand as regression tests). See
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


def test_a_typedef_edited_in_place_is_not_served_a_kept_equivalent(
    tmp_path: Path, own_cache: Path
) -> None:
    root, diff = _tree(tmp_path)
    assert _verdicts(diff, "--tree", root) == ["equivalent"]
    # T becomes a function: the call is dropped by the patch (the folder's mtime stays)
    (root / "include" / "linux" / "types.h").write_text("extern int T(int);\n")
    assert _verdicts(diff, "--tree", root) != ["equivalent"]


def test_no_cache_and_clear_forget_the_typedef_scan(tmp_path: Path, own_cache: Path) -> None:
    root, diff = _tree(tmp_path)
    assert _verdicts(diff, "--tree", root) == ["equivalent"]
    (root / "include" / "linux" / "types.h").write_text("extern int T(int);\n")
    fresh = _verdicts(diff, "--tree", root, "--no-cache")
    assert run("cache", "clear").status == 0
    cleared = _verdicts(diff, "--tree", root)
    assert (fresh, cleared) == (["different"], ["different"])


def test_no_cache_writes_nothing(tmp_path: Path, own_cache: Path) -> None:
    """--no-cache keeps no verdict and no unit (what is kept of the tree itself, its
    typedef names and compile commands, is checked against its files on every use:
    docs/scale.md)."""
    root, diff = _tree(tmp_path)
    run("check", diff, "--tree", root, "--no-cache", "-q")
    assert not (own_cache / "results").exists()
    assert not (own_cache / "units").exists()


@pytest.mark.parametrize("command", ["check", "clear"])
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


def test_no_cache_writes_nothing_in_a_configured_tree(
    kernel_tree: Path, tmp_path: Path, own_cache: Path
) -> None:
    farm = _farm(kernel_tree, tmp_path)
    run("check", SZ_PATCH, "--tree", farm, "--no-cache", "-q")
    assert not (own_cache / "results").exists()
    assert not (own_cache / "units").exists()


K_PATCH = CASES / "mmap-k-macro.diff"
K_BEFORE = "#define K(x) ((x) << (PAGE_SHIFT-10))"
K_AFTER = "#define K(x) ((x) << (PAGE_SHIFT-9))"


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


def test_a_cache_db_that_is_a_folder_is_ignored(tmp_path: Path, own_cache: Path) -> None:
    root, diff = _tree(tmp_path)
    (own_cache / "results" / "cache.db").mkdir(parents=True)
    result = run("check", diff, "--tree", root, "-q")
    assert "Traceback" not in result.err
    assert result.status == 0, result


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
