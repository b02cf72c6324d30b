"""One change, two tools: the seed-style change on the real 6.12 ``mm/rmap.c`` written
by GNU ``diff -up`` and by ``git diff``, checked from the patch alone (issue 11). The
tools align hunks differently; where the hunks hold the changed statements, the verdict
must not depend on which tool made the patch. A hunk that changes only a label (the
``discard:`` to ``finish_unmap:`` rename, three lines of context) is a region by
itself: the statement it labels is the same text in both versions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from equivcheck.frontend.patch.apply import apply_patch
from equivcheck.frontend.workset import load_patches
from tests.cli.run import PATCHES, run

KERNEL = PATCHES / "kernel"
TOOLS = {
    "gnu-diff": ["diff", "-up", "a/mm/rmap.c", "b/mm/rmap.c"],
    "git": ["git", "diff", "--no-index", "a/mm/rmap.c", "b/mm/rmap.c"],
}


def _spelled(kernel_tree: Path, tmp_path: Path, fixture: str, tool: str) -> Path:
    """The change of ``fixture`` re-made by ``tool`` from the two whole files."""
    if shutil.which(TOOLS[tool][0]) is None:
        pytest.skip(f"{TOOLS[tool][0]} is not installed")
    before = (kernel_tree / "mm" / "rmap.c").read_text()
    [parsed] = load_patches(KERNEL / fixture)
    after = apply_patch({"mm/rmap.c": before}, parsed)["mm/rmap.c"]
    assert after is not None
    for side, text in (("a", before), ("b", after)):
        (tmp_path / side / "mm").mkdir(parents=True)
        (tmp_path / side / "mm" / "rmap.c").write_text(text)
    out = subprocess.run(TOOLS[tool], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 1 and out.stdout.startswith(("---", "diff")), out.stderr
    patch = tmp_path / f"{tool}.patch"
    patch.write_text(out.stdout)
    return patch


def _functions(patch: Path) -> dict[str, dict[str, object]]:
    result = run("check", patch, "--format", "json")
    assert result.err == "", result.err
    return {f["function"]: f for f in json.loads(result.out)["functions"]}


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_seed_style_refactor_is_equivalent_whichever_tool(
    kernel_tree: Path, tmp_path: Path, tool: str
) -> None:
    found = _functions(_spelled(kernel_tree, tmp_path, "rmap-seed-by-hand.patch", tool))
    assert {n: f["verdict"] for n, f in found.items()} == {
        "ttu_lazyfree_folio": "equivalent",
        "try_to_unmap_one": "equivalent",
    }, {n: f["reason"] for n, f in found.items()}
    assert found["try_to_unmap_one"]["mode"] == "patch"


@pytest.mark.parametrize("tool", sorted(TOOLS))
@pytest.mark.parametrize(
    ("fixture", "needle"),
    [
        ("rmap-seed-by-hand-no-rmb.patch", "smp_rmb"),
        ("rmap-seed-by-hand-walk-done.patch", "walk_done"),
    ],
)
def test_seed_style_slips_are_different_whichever_tool(
    kernel_tree: Path, tmp_path: Path, tool: str, fixture: str, needle: str
) -> None:
    found = _functions(_spelled(kernel_tree, tmp_path, fixture, tool))
    caller = found["try_to_unmap_one"]
    assert caller["verdict"] == "different", caller["reason"]
    assert needle in str(caller["reason"])
