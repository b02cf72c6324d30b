"""apply_patch / apply_series: exact, offset, whitespace-blind and damaged hunks."""

from __future__ import annotations

from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.model import Patch
from equivcheck.frontend.patch.apply import apply_patch, apply_series
from equivcheck.frontend.patch.read import read_patches

SRC = "src/ringbuf.c"


def _patches(fixtures_dir: Path, name: str) -> list[Patch]:
    path = fixtures_dir / "patches" / name
    return read_patches(path.read_bytes(), name)


def _src(fixtures_dir: Path, name: str = "ringbuf.c") -> str:
    return (fixtures_dir / "patches" / "src" / name).read_text()


def test_format_patch_applies(fixtures_dir: Path) -> None:
    [patch] = _patches(fixtures_dir, "format-patch.patch")
    result = apply_patch({SRC: _src(fixtures_dir)}, patch)
    assert result == {SRC: _src(fixtures_dir, "ringbuf.v1.c")}


def test_series_applies_in_order(fixtures_dir: Path) -> None:
    patches = _patches(fixtures_dir, "series.mbox")
    results = apply_series({SRC: _src(fixtures_dir)}, patches)
    assert len(results) == 3
    assert results[0][SRC] == _src(fixtures_dir, "ringbuf.v1.c")
    assert "goto out;" in (results[1][SRC] or "")
    assert results[2][SRC] == _src(fixtures_dir, "ringbuf.v3.c")


def test_offset_hunk(fixtures_dir: Path) -> None:
    [patch] = _patches(fixtures_dir, "format-patch.patch")
    shifted = "/* one */\n/* two */\n/* three */\n" + _src(fixtures_dir)
    result = apply_patch({SRC: shifted}, patch)
    assert result[SRC] == "/* one */\n/* two */\n/* three */\n" + _src(fixtures_dir, "ringbuf.v1.c")


def test_damaged_patch_is_reindented(fixtures_dir: Path) -> None:
    [patch] = _patches(fixtures_dir, "damaged.txt")
    assert patch.damaged
    result = apply_patch({SRC: _src(fixtures_dir)}, patch)
    assert result[SRC] == _src(fixtures_dir, "ringbuf.v1.c")


def test_whitespace_mangled_context_still_applies(fixtures_dir: Path) -> None:
    [patch] = _patches(fixtures_dir, "format-patch.patch")
    mangled = _src(fixtures_dir).replace("\tint ret = 0;\n", "    int ret = 0;  \n")
    result = apply_patch({SRC: mangled}, patch)[SRC] or ""
    assert "static inline bool ring_full(const struct ring *r)\n{\n" in result
    assert "\tif (ring_full(r)) {\n" in result
    assert "    int ret = 0;  \n" in result  # context keeps the file's own text


def test_failure_names_the_missing_line(fixtures_dir: Path) -> None:
    [patch] = _patches(fixtures_dir, "format-patch.patch")
    broken = _src(fixtures_dir).replace(
        "\tspin_lock(&r->lock);\n\tif (r->head", "\tspin_lock_bh(&r->lock);\n\tif (r->head"
    )
    with pytest.raises(InputError) as err:
        apply_patch({SRC: broken}, patch)
    assert err.value.subject == "patch 'ringbuf: add ring_full() helper'"
    assert err.value.problem == (
        "src/ringbuf.c: hunk @@ -31,12 +31,17 @@ does not apply: context line 8 "
        "'spin_lock(&r->lock);' not found near line 38"
    )


def test_missing_file(fixtures_dir: Path) -> None:
    [patch] = _patches(fixtures_dir, "format-patch.patch")
    with pytest.raises(InputError, match="not given"):
        apply_patch({}, patch)


def test_create_delete_rename() -> None:
    text = (
        "diff --git a/new.c b/new.c\nnew file mode 100644\nindex 0000000..1111111\n"
        "--- /dev/null\n+++ b/new.c\n@@ -0,0 +1,2 @@\n+int a;\n+int b;\n"
        "diff --git a/old.c b/old.c\ndeleted file mode 100644\nindex 1111111..0000000\n"
        "--- a/old.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-int c;\n"
    )
    [patch] = read_patches(text.encode(), "cd.patch")
    assert apply_patch({"old.c": "int c;\n"}, patch) == {"new.c": "int a;\nint b;\n", "old.c": None}
    [series_result] = apply_series({"old.c": "int c;\n"}, [patch])
    assert series_result["old.c"] is None


@pytest.mark.kernel
def test_kernel_series_and_damaged_copy(kernel_tree: Path, fixtures_dir: Path) -> None:
    rmap = (kernel_tree / "mm" / "rmap.c").read_text()
    kdir = fixtures_dir / "patches" / "kernel"
    rename, extract = (
        read_patches((kdir / n).read_bytes(), n)[0]
        for n in ("rmap-rename-label.patch", "rmap-extract-helper.patch")
    )
    first, second = apply_series({"mm/rmap.c": rmap}, [rename, extract])
    renamed = first["mm/rmap.c"] or ""
    assert "\ndiscard:\n" not in renamed and "\nfinish_unmap:\n" in renamed
    assert renamed.count("goto finish_unmap;") == rmap.count("goto discard;") - rmap[
        rmap.index("static bool try_to_migrate_one(") :
    ].count("goto discard;")
    helper = second["mm/rmap.c"] or ""
    assert "static inline bool lazyfree_can_drop(struct vm_area_struct *vma,\n" in helper
    assert "\t\t\t\tif (lazyfree_can_drop(vma, folio, ref_count, map_count)) {\n" in helper

    damaged = read_patches((kdir / "rmap-extract-helper.damaged.txt").read_bytes(), "d")[0]
    assert damaged.damaged
    repaired = apply_patch({"mm/rmap.c": renamed}, damaged)["mm/rmap.c"] or ""
    # identical except the continuation line, aligned under the parenthesis instead
    want = helper.replace(
        "\n\t\tstruct folio *folio, int ref_count, int map_count)\n",
        "\n\t\t\t\t     struct folio *folio, int ref_count, int map_count)\n",
    )
    assert repaired == want


@pytest.mark.kernel
def test_seed_does_not_apply_to_6_12(kernel_tree: Path, fixtures_dir: Path) -> None:
    seed = fixtures_dir / "seed" / "000_7b8ea4c1cd114cf9.txt"
    [patch] = read_patches(seed.read_bytes(), str(seed))
    rmap = (kernel_tree / "mm" / "rmap.c").read_text()
    with pytest.raises(InputError) as err:
        apply_patch({"mm/rmap.c": rmap}, patch)
    assert "mm/rmap.c: hunk @@ -2093,6 +2093,52 @@ does not apply" in err.value.problem
