"""Configure a kernel tree for tree mode with the kernel's own make targets.

``make x86_64_defconfig`` (or ``make olddefconfig`` when a ``.config`` exists), then
``make -jN prepare``: enough for kbuild to print compile commands and for the
preprocessor to find generated headers. Nothing is compiled.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from equivcheck.errors import InputError

DEFCONFIG = "x86_64_defconfig"
_TAIL_LINES = 3


@dataclass(frozen=True)
class PrepareStep:
    """One make run: its target, full argv and duration."""

    target: str
    argv: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class PrepareResult:
    """The steps run on ``tree``, in order."""

    tree: Path
    steps: tuple[PrepareStep, ...]

    @property
    def seconds(self) -> float:
        """Total time of all steps."""
        return sum(step.seconds for step in self.steps)


def prepare_plan(tree: Path, jobs: int = 2, make: str = "make") -> list[list[str]]:
    """The make commands that configure and prepare ``tree`` (run from its root)."""
    config_target = "olddefconfig" if (tree / ".config").is_file() else DEFCONFIG
    return [[make, config_target], [make, f"-j{max(1, jobs)}", "prepare"]]


def _check_tree(tree: Path) -> None:
    if not tree.is_dir():
        raise InputError(str(tree), "no such directory", "give the root of a Linux source tree")
    if not (tree / "Makefile").is_file():
        raise InputError(str(tree), "no Makefile", "give the top folder of the kernel sources")
    if not ((tree / "mm").is_dir() and (tree / "include/linux").is_dir()):
        raise InputError(
            str(tree), "not a Linux kernel tree (no mm/ or include/linux/)", "give the top folder"
        )


def _tail(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-_TAIL_LINES:]) or "no output"


def prepare_tree(tree: Path, jobs: int = 2, make: str = "make") -> PrepareResult:
    """Configure (defconfig or olddefconfig) and ``make prepare`` ``tree``, timing each
    step. InputError if ``tree`` is not a kernel tree or a step fails (with make's last
    output lines)."""
    tree = Path(tree)
    _check_tree(tree)
    steps: list[PrepareStep] = []
    for argv in prepare_plan(tree, jobs, make):
        start = time.perf_counter()
        try:
            proc = subprocess.run(argv, cwd=tree, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise InputError(argv[0], "command not found", "install make and gcc") from None
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise InputError(
                f"{tree}: {' '.join(argv)}",
                f"failed with status {proc.returncode}: {_tail(proc.stderr or proc.stdout)}",
                "fix the tree or its toolchain, then run prepare again",
            )
        steps.append(PrepareStep(argv[-1], tuple(argv), seconds))
    return PrepareResult(tree, tuple(steps))
