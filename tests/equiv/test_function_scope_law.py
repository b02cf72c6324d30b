"""``--function F`` narrows the report, not the analysis: over every two-file fixture
pair, each function a run without ``--function`` compares gets the same verdict when
it is the one named (docs/check.md, "--function").

Each run is its own process, as a user runs the two commands: z3's models depend on
the queries a process asked before, and one long-lived process has been seen to give a
size-dependent UNKNOWN where a fresh one gives DIFFERENT."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SCOPE = FIXTURES / "function-scope"


def _pairs() -> list[tuple[Path, Path]]:
    pairs = [
        (SCOPE / "callees_before.c", SCOPE / "callees_after.c"),
        (SCOPE / "unmap_before.c", SCOPE / "unmap_after.c"),
        (FIXTURES / "patches" / "src" / "ringbuf.c", FIXTURES / "patches" / "src" / "ringbuf.v1.c"),
        (
            FIXTURES / "patches" / "src" / "ringbuf.v1.c",
            FIXTURES / "patches" / "src" / "ringbuf.v3.c",
        ),
    ]
    binary = FIXTURES / "binary"
    for entry in json.loads((binary / "manifest.json").read_text()):
        pair = (binary / entry["before"], binary / entry["after"])
        if pair[0] != pair[1] and pair not in pairs:
            pairs.append(pair)
    return pairs


def _check(before: Path, after: Path, function: str | None) -> list[dict[str, str]]:
    """The report's function rows of one ``check --before --after`` run."""
    named = ["--function", function] if function else []
    args = ["check", "--before", str(before), "--after", str(after), *named]
    proc = subprocess.run(
        [sys.executable, "-m", "equivcheck", *args, "--format", "json", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1, 2), proc.stderr
    rows: list[dict[str, str]] = json.loads(proc.stdout)["functions"]
    return rows


@pytest.mark.parametrize("pair", _pairs(), ids=lambda p: f"{p[0].name}->{p[1].name}")
def test_a_function_gets_the_same_verdict_with_and_without_function(
    pair: tuple[Path, Path],
) -> None:
    before, after = pair
    compared = [r for r in _check(before, after, None) if r["status"] in {"changed", "affected"}]
    assert compared, "the pair compares no function: it tests nothing"
    for row in compared:
        alone = _check(before, after, row["function"])
        assert [r["function"] for r in alone] == [row["function"]], alone
        assert alone[0]["verdict"] == row["verdict"], (row["function"], row["reason"])


def test_only_a_weak_definition_stays_an_opaque_call(tmp_path: Path) -> None:
    # A parameter named ``weak`` does not make lib weak: client inlines it.
    before = tmp_path / "before.c"
    after = tmp_path / "after.c"
    before.write_text(
        "int lib(int weak)\n{\n\treturn weak;\n}\n\nint client(int x)\n{\n\treturn lib(x);\n}\n"
    )
    after.write_text(before.read_text().replace("return weak;", "return weak + 1;"))
    rows = _check(before, after, "client")
    assert [(r["function"], r["verdict"]) for r in rows] == [("client", "different")]
    after.write_text(after.read_text().replace("int lib(", "__attribute__((weak)) int lib("))
    before.write_text(before.read_text().replace("int lib(", "__attribute__((weak)) int lib("))
    rows = _check(before, after, "client")
    assert [(r["function"], r["verdict"]) for r in rows] == [("client", "equivalent")]
