"""Pointer arithmetic scales by the pointee in every mode (issue 10, class 1): two
files, the patch alone and tree mode, where the compiler gives the sizes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .run import PATCHES, run

KERNEL = PATCHES / "kernel"


def _verdicts(*args: str | Path) -> dict[str, str]:
    result = run("check", *args, "--format", "json")
    assert result.err == "", result.err
    doc = json.loads(result.out)
    return {f["function"]: f["verdict"] for f in doc["functions"]}


def test_two_files(tmp_path: Path) -> None:
    before, after = tmp_path / "before.c", tmp_path / "after.c"
    before.write_text(
        "long f(int *p) { return (long)p + 1; }\n"
        "int g(int *p) { return *(int *)((char *)p + 4); }\n"
        "long h(int *p, int *q) { return (long)p - (long)q; }\n"
        "long k(int *p) { return (long)p + 4; }\n"
    )
    after.write_text(
        "long f(int *p) { return (long)(p + 1); }\n"
        "int g(int *p) { return p[2]; }\n"
        "long h(int *p, int *q) { return p - q; }\n"
        "long k(int *p) { return (long)(p + 1); }\n"
    )
    verdicts = _verdicts("--before", before, "--after", after)
    assert verdicts == {"f": "different", "g": "different", "h": "different", "k": "equivalent"}


@pytest.mark.parametrize("name", ["pointer-minus", "sized-step", "byte-minus"])
def test_patch_alone_never_proves_what_rests_on_a_size(name: str) -> None:
    """Without the tree, ``struct anon_vma``'s size and ``anon_mapping``'s type are not
    known: none of these is EQUIVALENT."""
    verdicts = _verdicts(KERNEL / f"rmap-anon-vma-{name}.patch")
    assert verdicts == {"folio_get_anon_vma": "unknown"}


@pytest.mark.kernel
@pytest.mark.parametrize(
    ("name", "expected"),
    [("pointer-minus", "different"), ("sized-step", "equivalent"), ("byte-minus", "equivalent")],
)
def test_tree_mode_takes_sizes_from_the_compiler(
    kernel_tree: Path, name: str, expected: str
) -> None:
    """``(struct anon_vma *)(x + 96) - 1`` is ``(struct anon_vma *)x`` because gcc says
    the struct is 96 bytes in 6.12's defconfig; subtracting from the pointer instead of
    the integer moves by whole structs."""
    verdicts = _verdicts(KERNEL / f"rmap-anon-vma-{name}.patch", "--tree", str(kernel_tree))
    assert verdicts == {"folio_get_anon_vma": expected}
