"""angr is an optional extra: importing the binary stage must not import it, and an
opinion without it says how to install it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from equivcheck.binary import CompiledFunction, Opinion, binary_opinion, opinion
from equivcheck.binary.model import OpinionDetails
from equivcheck.limits import Limits


def test_importing_the_stage_does_not_import_angr() -> None:
    code = (
        "import sys, equivcheck.binary, equivcheck.binary.compile, equivcheck.binary.model; "
        "print(any(m == 'angr' or m.startswith(('angr.', 'cle', 'pyvex')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_angr_the_opinion_is_inconclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opinion, "angr_available", lambda: False)
    fn = CompiledFunction(Path("/nonexistent.o"), "f")
    result = binary_opinion(fn, fn, Limits(budget_s=1.0, max_paths=10))
    assert result.opinion == "inconclusive"
    assert "angr is not installed" in result.reason and "equivcheck[binary]" in result.reason


def test_json_shape() -> None:
    details = OpinionDetails(method="symbolic execution", before_trace=["call f(1)"])
    data = Opinion("disagree", "the compiled versions differ", 1.23456, details).to_json()
    assert data["opinion"] == "disagree" and data["time_s"] == 1.235
    assert {"opinion", "reason", "time_s", "paths", "before_trace"} <= set(data)
    assert "before_trace" not in Opinion("agree", "", 0.0).to_json()
