"""prepare.py: the make sequence on a fake tree, errors, and one real (slow) run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.prepare import DEFCONFIG, prepare_plan, prepare_tree

FAKE_MAKEFILE = """\
x86_64_defconfig:
\t@echo defconfig >> steps.log
\t@echo CONFIG_X=y > .config
olddefconfig:
\t@echo olddefconfig >> steps.log
prepare:
\t@echo prepare $(MAKEFLAGS) >> steps.log
"""

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def fake_tree(root: Path, makefile: str = FAKE_MAKEFILE) -> Path:
    (root / "mm").mkdir(parents=True)
    (root / "include/linux").mkdir(parents=True)
    (root / "Makefile").write_text(makefile)
    return root


def test_plan_depends_on_existing_config(tmp_path: Path) -> None:
    tree = fake_tree(tmp_path)
    assert prepare_plan(tree, jobs=4) == [["make", DEFCONFIG], ["make", "-j4", "prepare"]]
    (tree / ".config").write_text("")
    assert prepare_plan(tree)[0] == ["make", "olddefconfig"]


@needs_make
def test_prepare_runs_config_then_prepare(tmp_path: Path) -> None:
    tree = fake_tree(tmp_path)
    result = prepare_tree(tree, jobs=3)
    assert [s.target for s in result.steps] == [DEFCONFIG, "prepare"]
    log = (tree / "steps.log").read_text().split("\n")
    assert log[0] == "defconfig" and log[1].startswith("prepare") and "j3" in log[1]
    assert all(s.seconds >= 0 for s in result.steps)
    assert result.seconds == pytest.approx(sum(s.seconds for s in result.steps))
    again = prepare_tree(tree)  # .config now exists
    assert [s.target for s in again.steps] == ["olddefconfig", "prepare"]


@needs_make
def test_make_failure_reports_last_lines(tmp_path: Path) -> None:
    tree = fake_tree(tmp_path, "x86_64_defconfig:\n\t@echo first; echo boom >&2; exit 1\n")
    with pytest.raises(InputError, match="boom") as err:
        prepare_tree(tree)
    assert "x86_64_defconfig" in err.value.subject


def test_not_a_kernel_tree(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such directory"):
        prepare_tree(tmp_path / "missing")
    with pytest.raises(InputError, match="no Makefile"):
        prepare_tree(tmp_path)
    (tmp_path / "Makefile").write_text("all:\n")
    with pytest.raises(InputError, match="not a Linux kernel tree"):
        prepare_tree(tmp_path)


@pytest.mark.slow
@pytest.mark.kernel
def test_real_prepare_on_a_fresh_copy(tmp_path: Path) -> None:
    tarball = Path("/usr/src/linux-source-6.12.tar.xz")
    if not tarball.exists():
        pytest.skip(f"{tarball} missing")
    tree = tmp_path / "linux"
    tree.mkdir()
    subprocess.run(
        ["tar", "-xJf", str(tarball), "-C", str(tree), "--strip-components=1"], check=True
    )
    result = prepare_tree(tree, jobs=2)
    assert (tree / ".config").is_file()
    assert (tree / "include/generated/autoconf.h").is_file()
    print({s.target: round(s.seconds, 1) for s in result.steps})
