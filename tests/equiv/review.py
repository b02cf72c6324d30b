"""What the hostile-review tests share: a folder of cases (each ``before.c`` and
``after.c``, or a patch against the kernel tree), the verdicts the pipeline gives them,
and the strict xfail that marks what the engine still gets wrong."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.run import REPO, run, verdicts
from tests.equiv.engine import unit_verdicts


@dataclass(frozen=True)
class ReviewCases:
    """The cases of one review, under ``fixtures/<name>/``."""

    name: str

    @property
    def folder(self) -> Path:
        """Where the cases are."""
        return REPO / "fixtures" / self.name

    def texts(self, case: str) -> tuple[str, str]:
        """The before and after texts of ``case``."""
        return (
            (self.folder / case / "before.c").read_text(),
            (self.folder / case / "after.c").read_text(),
        )

    def tree_verdict(self, case: str, function: str = "f") -> str:
        """``function``'s verdict for ``case`` through the tree-mode pipeline (each whole
        file its own translation unit)."""
        return unit_verdicts(*self.texts(case))[function]

    def two_files(self, case: str) -> dict[str, str]:
        """Every function's verdict from ``check --before --after`` on ``case``."""
        case_dir = self.folder / case
        return verdicts("--before", case_dir / "before.c", "--after", case_dir / "after.c")


def kernel_results(patch: Path, kernel_tree: Path) -> dict[str, dict[str, object]]:
    """Each function's JSON result for ``patch`` checked against the kernel tree (the
    command must end with a verdict, not an error)."""
    result = run("check", patch, "--tree", kernel_tree, "--format", "json")
    assert result.status in {0, 1, 2}, result.err
    return {f["function"]: f for f in json.loads(result.out)["functions"]}


def strict_xfail(reason: str) -> pytest.MarkDecorator:
    """What the engine still gets wrong: a fix turns it into an unexpected pass."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
