"""No verdict over nothing: whatever the front end could not compare (a function the
configuration compiles out, a function defined twice as written, a helper that cannot
be inlined, a callee left opaque, a C file with no function compared) is UNKNOWN with
the reason, never EQUIVALENT. Two-file, patch-alone and tree mode."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from equivcheck.equiv.check import Options, check_patches
from equivcheck.frontend.tree import open_tree
from equivcheck.frontend.workset import PatchWork, from_files, from_patch_file
from equivcheck.report.document import overall
from tests.cli.run import run

OPTIONS = Options(timeout_s=10.0, budget_s=30.0)

VARIANTS = """\
#ifdef CONFIG_A
int f(int x)
{
	return x;
}
#else
int f(int x)
{
	return 0;
}
#endif
"""

BROKEN_LEAF = """\
static int leaf(int a)
{
	list_for_each_entry(pos, a, member) {
		a++;
	}
	return a - 1;
}

int mid(int a)
{
	return leaf(a) + 3;
}

int top(int a)
{
	return mid(a);
}
"""

OPAQUE_CALLEE = """\
static int g(int a)
{
	return a + 1;
}

int f(int x)
{
	int y = x;

	return g(y);
}
"""


def _pair(tmp_path: Path, before: str, after: str) -> tuple[Path, Path]:
    old, new = tmp_path / "before.c", tmp_path / "after.c"
    old.write_text(before)
    new.write_text(after)
    return old, new


def _patch(tmp_path: Path, path: str, before: str, after: str) -> Path:
    """A git-style diff of one file, written to ``tmp_path``."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        f"a/{path}",
        f"b/{path}",
    )
    patch = tmp_path / "change.patch"
    patch.write_text(f"diff --git a/{path} b/{path}\n" + "".join(lines))
    return patch


def _check(works: list[PatchWork]) -> tuple[str, dict[str, tuple[str, str]]]:
    results = check_patches(works, OPTIONS)
    return overall(results, works), {r.function: (r.verdict, r.reason) for r in results}


def test_a_function_defined_twice_is_not_compared_as_written(tmp_path: Path) -> None:
    # Only the #else variant changes: the first definitions are equal, and this
    # function was once dropped (nothing compared, EQUIVALENT).
    old, new = _pair(tmp_path, VARIANTS, VARIANTS.replace("return 0;", "return 1;"))
    verdict, rows = _check(from_files(old, new, None))
    assert verdict == "unknown"
    assert rows["f"][0] == "unknown"
    assert "defined 2 times" in rows["f"][1]
    verdict, rows = _check(from_files(old, new, "f"))
    assert (verdict, rows["f"][0]) == ("unknown", "unknown")


def test_a_helper_behind_an_unchanged_one_that_cannot_be_inlined(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, BROKEN_LEAF, BROKEN_LEAF.replace("a - 1;", "a + 1;"))
    verdict, rows = _check(from_files(old, new, "top"))
    assert verdict == "unknown"
    assert rows["top"][0] == "unknown"
    assert "mid calls leaf, which cannot be inlined" in rows["top"][1]


def test_a_caller_of_a_changed_callee_left_opaque_leans_on_its_verdict(tmp_path: Path) -> None:
    # Patch alone: g has only regions, so f's call to it is opaque; f's own change (a
    # local renamed) is equivalent, but g's is not, so f cannot be.
    after = OPAQUE_CALLEE.replace("a + 1", "a + 2").replace("y", "z")
    patch = _patch(tmp_path, "lib/opaque.c", OPAQUE_CALLEE, after)
    verdict, rows = _check(from_patch_file(patch, None))
    assert rows["g"][0] == "different"
    assert rows["f"][0] == "unknown"
    assert "calls g, which the patch changes" in rows["f"][1]
    assert verdict == "different"
    # With an equivalent change to g the caller's verdict stands.
    after = OPAQUE_CALLEE.replace("a + 1", "1 + a").replace("y", "z")
    patch = _patch(tmp_path, "lib/opaque.c", OPAQUE_CALLEE, after)
    verdict, rows = _check(from_patch_file(patch, None))
    assert rows["g"][0] == "equivalent", rows["g"]
    assert rows["f"][0] == "equivalent", rows["f"]


def test_a_c_file_with_changed_code_and_nothing_compared_is_unknown() -> None:
    work = PatchWork(
        "hand-made",
        None,
        [],
        sources={"before": {"a.c": "int limit = 1;\n"}, "after": {"a.c": "int limit = 2;\n"}},
    )
    verdict, rows = _check([work])
    assert verdict == "unknown"
    assert rows["(no function)"][0] == "unknown"
    assert "a.c" in rows["(no function)"][1]
    # A comment is not code: nothing to vouch for.
    quiet = PatchWork(
        "comment",
        None,
        [],
        sources={"before": {"a.c": "/* one */ int x;\n"}, "after": {"a.c": "/* two */ int x;\n"}},
    )
    assert _check([quiet]) == ("equivalent", {})


def test_cli_exit_status_for_a_verdict_over_nothing(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, VARIANTS, VARIANTS.replace("return 0;", "return 1;"))
    result = run("check", "--before", old, "--after", new, "-q")
    assert result.status == 2, result
    assert "UNKNOWN" in result.out


def test_ir_diff_says_not_compared_for_what_it_skipped(tmp_path: Path) -> None:
    helper = "static int unused(int a)\n{\n\treturn a;\n}\n"
    base = "int f(int x)\n{\n\treturn x;\n}\n"
    old, new = _pair(tmp_path, base, helper + base)
    result = run("ir-diff", "--before", old, "--after", new)
    assert result.status == 2, result
    assert "not compared" in result.out and "same shape" not in result.out
    old, new = _pair(tmp_path, VARIANTS, VARIANTS.replace("return 0;", "return 1;"))
    result = run("ir-diff", "--before", old, "--after", new)
    assert result.status == 2, result
    assert "defined 2 times" in result.out.replace("\n", " ") or "not compared" in result.out
    macro = Path(__file__).resolve().parents[2] / "fixtures" / "patches" / "macro-change.diff"
    result = run("ir-diff", macro)
    assert result.status == 2, result
    assert "outside functions" in result.out


@pytest.mark.kernel
def test_a_changed_function_the_configuration_compiles_out(
    kernel_tree: Path, tmp_path: Path
) -> None:
    # page_make_device_exclusive_one() is under CONFIG_DEVICE_PRIVATE, which the
    # tree's x86_64 defconfig leaves out: it was once a bad-input exit for the run.
    path = "mm/rmap.c"
    before = (kernel_tree / path).read_text()
    start = before.index("static bool page_make_device_exclusive_one(")
    at = before.index("bool ret = true;", start)
    after = before[:at] + "bool ret = 1;" + before[at + len("bool ret = true;") :]
    patch = _patch(tmp_path, path, before, after)
    works = from_patch_file(patch, open_tree(kernel_tree))
    verdict, rows = _check(works)
    assert verdict == "unknown"
    row = rows["page_make_device_exclusive_one"]
    assert row[0] == "unknown"
    assert "does not compile it" in row[1]


ADDED_HELPER_UNREAD_CALLER = """\
--- a/t.c
+++ b/t.c
@@ -1,3 +1,8 @@
+static int helper(int x)
+{
+\treturn x + 1;
+}
+
 int f(int a)
 {
 \tint b = 0, c = 0;
@@ -10,3 +15,3 @@ int f(int a)
 \t\tb = 2;
-\t} else {
+\t} else if (helper(a)) {
 \t\tc = 3;
"""


def test_added_static_helper_with_a_caller_not_compared(tmp_path: Path) -> None:
    # f's change cannot be read (the hunk does not close the else): the new static
    # helper is called there, so it is not "added without effect".
    patch = tmp_path / "t.patch"
    patch.write_text(ADDED_HELPER_UNREAD_CALLER)
    results = check_patches(from_patch_file(patch, None), OPTIONS)
    found = {r.function: r for r in results}
    assert found["f"].verdict == "unknown"
    assert found["helper"].verdict == "unknown"
    assert "not compared" in found["helper"].reason


def test_an_engine_error_is_unknown_for_that_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import equivcheck.equiv.check as check

    def broken(*args: object) -> None:
        raise TypeError("not an lvalue: something")

    monkeypatch.setattr(check._PatchChecker, "check_function", broken)
    before, after = tmp_path / "b.c", tmp_path / "a.c"
    before.write_text("int f(int a)\n{\n\treturn a + 1;\n}\n")
    after.write_text("int f(int a)\n{\n\treturn 1 + a + 0;\n}\n")
    [result] = check_patches(from_files(before, after, None), OPTIONS)
    assert result.verdict == "unknown"
    assert "internal error" in result.reason and "not an lvalue" in result.reason
