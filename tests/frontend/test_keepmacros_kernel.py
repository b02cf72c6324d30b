"""Keeping macro identity in try_to_unmap_one of 6.12 mm/rmap.c."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from equivcheck.frontend.unit import kbuild, keepmacros

pytestmark = pytest.mark.kernel

_MARKER = re.compile(r'^# (\d+) "([^"]*)"')


def located_lines(text: str) -> list[tuple[str, int, str]]:
    """Each non-marker line of a .i file with the file and line it comes from."""
    out: list[tuple[str, int, str]] = []
    file, line = "", 0
    for raw in text.split("\n"):
        m = _MARKER.match(raw)
        if m:
            file, line = m.group(2), int(m.group(1))
            continue
        out.append((file, line, raw))
        line += 1
    return out


@pytest.fixture(scope="module")
def rmap(kernel_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    """(source, plain .i, .i with the block before try_to_unmap_one)."""
    cache = tmp_path_factory.mktemp("kbuild-cache")
    plain = kbuild.preprocess(kernel_tree, "mm/rmap.c", cache_dir=cache).text
    kept = kbuild.preprocess(
        kernel_tree, "mm/rmap.c", keep_macros_for=["try_to_unmap_one"], cache_dir=cache
    ).text
    return (kernel_tree / "mm/rmap.c").read_text(), plain, kept


def test_table_lists_only_macros(kernel_tree: Path) -> None:
    headers = [
        kernel_tree / d for d in ("include/linux", "include/asm-generic", "arch/x86/include")
    ]
    text = "\n".join(p.read_text(errors="replace") for d in headers for p in d.rglob("*.h"))
    for macro in keepmacros.KEPT_MACROS:
        assert re.search(rf"^\s*#\s*define\s+{macro.name}\(", text, re.M), macro.name


def test_kept_calls_sit_at_their_source_lines(rmap: tuple[str, str, str]) -> None:
    source, _, kept = rmap
    src_lines = source.split("\n")
    counts: dict[str, int] = {}
    for file, line, text in located_lines(kept):
        for name in re.findall(r"__ec_(\w+)\(", text):
            assert file == "mm/rmap.c"
            assert 1642 <= line <= 1990  # inside try_to_unmap_one
            assert re.search(rf"\b{name}\(", src_lines[line - 1]), (name, line)
            counts[name] = counts.get(name, 0) + 1
    assert counts["smp_mb"] == 1
    assert counts["smp_rmb"] == 1
    assert counts["set_pte_at"] == 6


def test_rest_of_file_is_unaffected(rmap: tuple[str, str, str]) -> None:
    _, plain, kept = rmap

    def code(text: str, inside: bool) -> list[str]:
        return [
            re.sub(r"\d+", "0", t)  # __COUNTER__-based asm labels shift after the function
            for f, n, t in located_lines(text)
            if t.strip() and (f == "mm/rmap.c" and 1642 <= n <= 1990) == inside
        ]

    assert code(plain, inside=False) == code(kept, inside=False)
    assert "__ec_" not in "\n".join(code(kept, inside=False))
    assert "__ec_" not in plain
    # lines keep their numbers: the function's lines are the same lines, text aside
    assert len(code(plain, inside=True)) == len(code(kept, inside=True))
