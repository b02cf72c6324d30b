"""A changed helper called by a caller outside the caller's own change
(fixtures/patches/callee/README.md): the caller's changed part must hold the call, or
the caller cannot be EQUIVALENT."""

from __future__ import annotations

import json

from tests.cli.run import PATCHES, run

CALLEE = PATCHES / "callee"


def _verdicts(*args: object) -> dict[str, tuple[str, str]]:
    result = run("check", *args, "--format", "json")
    assert result.status in {0, 1, 2}, result.err
    return {f["function"]: (f["verdict"], f["reason"]) for f in json.loads(result.out)["functions"]}


def test_caller_of_a_different_helper_is_different_in_two_file_mode() -> None:
    found = _verdicts(
        "--before", CALLEE / "counter.c", "--after", CALLEE / "counter.scaled-by-three.c"
    )
    assert found["scaled_hits"][0] == "different"
    verdict, reason = found["counter_report"]
    assert verdict == "different", reason
    assert "record()" in reason


def test_a_macro_hiding_the_call_is_unknown_without_a_tree() -> None:
    for after in ("counter.scaled-by-three.c", "counter.scaled-commuted.c"):
        found = _verdicts("--before", CALLEE / "counter.c", "--after", CALLEE / after)
        verdict, reason = found["counter_report_macro"]
        assert verdict == "unknown", reason
        assert "uses REPORT_SCALED" in reason and "macros are not expanded" in reason


def test_equivalent_helper_keeps_the_caller_equivalent() -> None:
    found = _verdicts(
        "--before", CALLEE / "counter.c", "--after", CALLEE / "counter.scaled-commuted.c"
    )
    assert found["scaled_hits"][0] == "equivalent"
    verdict, reason = found["counter_report"]
    assert verdict == "equivalent", reason
    assert "changed part" in reason


def test_patch_alone_callers_may_call_the_changed_helper_unseen() -> None:
    found = _verdicts(CALLEE / "scaled-by-three.diff")
    assert found["scaled_hits"][0] == "different"
    for caller in ("counter_report", "counter_report_macro"):
        verdict, reason = found[caller]
        assert verdict == "unknown", reason
        assert "does not show may call" in reason


def test_patch_alone_with_every_change_equivalent_stays_equivalent() -> None:
    found = _verdicts(CALLEE / "scaled-commuted.diff")
    assert {v for v, _ in found.values()} == {"equivalent"}, found
