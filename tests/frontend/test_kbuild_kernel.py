"""kbuild.py against the configured 6.12 tree: exact commands and preprocessing."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.unit import kbuild

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One command cache for the module, so make runs once per directory."""
    return tmp_path_factory.mktemp("kbuild-cache")


def _make_i(tree: Path, rel: str) -> str:
    """What ``make X.i`` writes (generated files are allowed in the cache tree)."""
    target = rel[:-2] + ".i"
    for _attempt in range(3):  # other sessions may run make in the shared cache tree
        proc = subprocess.run(["make", "-s", target], cwd=tree, capture_output=True, text=True)
        if proc.returncode == 0:
            break
        time.sleep(1)
    else:
        pytest.fail(f"make {target} failed: {proc.stderr[-1000:]}")
    return (tree / target).read_text()


def test_compile_command_is_kbuilds(kernel_tree: Path, tmp_path: Path) -> None:
    cache = tmp_path
    argv = kbuild.compile_command(kernel_tree, "mm/rmap.c", cache_dir=cache)
    assert argv[-4:] == ["-c", "-o", "mm/rmap.o", "mm/rmap.c"]
    assert '-DKBUILD_MODFILE="mm/rmap"' in argv
    assert "-nostdinc" in argv
    assert (tmp_path / kbuild.CACHE_FILE).is_file()
    start = time.perf_counter()
    again = kbuild.compile_command(kernel_tree, "mm/rmap.c", cache_dir=cache)
    assert again == argv
    assert time.perf_counter() - start < 0.2  # from the cache, no make run
    # the same make run filled in the directory's other objects
    start = time.perf_counter()
    kbuild.compile_command(kernel_tree, kernel_tree / "mm/memory.c", cache_dir=cache)
    assert time.perf_counter() - start < 0.2


@pytest.mark.parametrize("rel", ["mm/rmap.c", "mm/mremap.c"])
def test_preprocess_is_byte_identical_to_make_i(kernel_tree: Path, cache: Path, rel: str) -> None:
    expected = _make_i(kernel_tree, rel)
    got = kbuild.preprocess(kernel_tree, rel, cache_dir=cache)
    assert got.file == rel
    assert got.text == expected
    # the same content from a temp file outside the tree gives the same bytes
    text = (kernel_tree / rel).read_text()
    copied = kbuild.preprocess(kernel_tree, rel, text=text, cache_dir=cache)
    assert copied.text == expected


def test_not_built_files_are_input_errors(kernel_tree: Path, cache: Path) -> None:
    with pytest.raises(InputError, match="CONFIG_TRANSPARENT_HUGEPAGE is not set"):
        kbuild.compile_command(kernel_tree, "mm/huge_memory.c", cache_dir=cache)
    with pytest.raises(InputError, match="CONFIG_KFENCE is not set"):
        kbuild.compile_command(kernel_tree, "mm/kfence/core.c", cache_dir=cache)


def test_after_version_is_preprocessed_with_its_own_text(kernel_tree: Path, cache: Path) -> None:
    text = (kernel_tree / "mm/rmap.c").read_text() + "int ec_probe = PVMW_SYNC;\n"
    out = kbuild.preprocess(kernel_tree, "mm/rmap.c", text=text, cache_dir=cache)
    assert "int ec_probe = (1 << 0);" in out.text
    assert "/tmp" not in "\n".join(ln for ln in out.text.splitlines() if ln.startswith("# "))


def test_overlay_header_change_is_seen(kernel_tree: Path, cache: Path) -> None:
    rmap_h = (kernel_tree / "include/linux/rmap.h").read_text()
    assert "#define PVMW_SYNC\t\t(1 << 0)" in rmap_h
    internal_h = (kernel_tree / "mm/internal.h").read_text()
    overlay = {
        "include/linux/rmap.h": rmap_h.replace(
            "#define PVMW_SYNC\t\t(1 << 0)", "#define PVMW_SYNC (1 << 5)"
        ),
        "mm/internal.h": internal_h.replace(
            "#define __MM_INTERNAL_H", "#define __MM_INTERNAL_H\n#define EC_PROBE 42"
        ),
    }
    text = (kernel_tree / "mm/rmap.c").read_text() + "int ec_probe = EC_PROBE;\n"
    before = kbuild.preprocess(kernel_tree, "mm/rmap.c", cache_dir=cache).text
    after = kbuild.preprocess(
        kernel_tree, "mm/rmap.c", text=text, overlay=overlay, cache_dir=cache
    ).text
    assert "pvmw.flags = (1 << 0);" in before and "pvmw.flags = (1 << 5);" not in before
    assert "pvmw.flags = (1 << 5);" in after and "pvmw.flags = (1 << 0);" not in after
    assert "int ec_probe = 42;" in after
    markers = {ln.split('"')[1] for ln in after.splitlines() if ln.startswith("# ") and '"' in ln}
    assert "./include/linux/rmap.h" in markers and "mm/internal.h" in markers
    assert not any(m.startswith("/tmp") for m in markers)
    # the tree itself is untouched
    assert (kernel_tree / "include/linux/rmap.h").read_text() == rmap_h


def test_preprocess_error_is_an_input_error(kernel_tree: Path, cache: Path) -> None:
    with pytest.raises(InputError, match="preprocessing failed"):
        kbuild.preprocess(kernel_tree, "mm/rmap.c", text='#include "no_such.h"\n', cache_dir=cache)
