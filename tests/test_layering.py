"""The pipeline's stages import only earlier stages (the README's order)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "equivcheck"
STAGES = [
    "frontend",
    "ir",
    "symex",
    "models",
    "equiv",
    "binary",
    "scale",
    "report",
    "cli",
    "integrations",
]


def _stage(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "equivcheck" and parts[1] in STAGES:
        return parts[1]
    return None


def test_no_stage_imports_a_later_one() -> None:
    problems = []
    for path in PACKAGE.rglob("*.py"):
        own = _stage("equivcheck." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        if own is None:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                other = _stage(name)
                if other is not None and STAGES.index(other) > STAGES.index(own):
                    problems.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert problems == []
