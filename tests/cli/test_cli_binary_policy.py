"""check --binary in two-file mode: each file compiles with its own folder's headers,
and the policy of docs/binary.md ("What an opinion does to the verdict"): a compiled
code that disagrees with an EQUIVALENT makes it UNKNOWN (exit 2, both traces shown);
an agreement never upgrades an UNKNOWN."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .run import Result, run

# The source engine proves this pair EQUIVALENT under A2 (a plain object q[1] does not
# alias the field p->a); char accesses alias everything for gcc, so the compiled before
# version reloads p->a after the store through q, and returns 2 when q == &p->a - 1.
ALIAS_BEFORE = """struct one { char a; char pad; };

int first_after_store(struct one *p, char *q)
{
	p->a = 1;
	q[1] = 2;
	return p->a;
}
"""

# The same with the store moved into a new static helper (checked through its caller).
ALIAS_AFTER = """struct one { char a; char pad; };

static void set_next(char *q)
{
	q[1] = 2;
}

int first_after_store(struct one *p, char *q)
{
	p->a = 1;
	set_next(q);
	return 1;
}
"""

# An operand swap inside _Generic, which the source engine does not model (UNKNOWN);
# gcc makes identical machine code of both (agree).
GENERIC = "int bump(int a)\n{\n\treturn _Generic(a, int: a + 1, default: 0);\n}\n"

HEADER = """#include <stdbool.h>
#define STEP 2
struct counter { long value; };
extern void note_change(struct counter *c, long delta);
"""

COUNTER = """#include "common.h"

bool advance(struct counter *c, long n)
{
	if (!c)
		goto out;
	note_change(c, n * STEP);
	return true;
out:
	return false;
}
"""


def _pair(root: Path, before: str, after: str, header: str = "") -> tuple[Path, Path]:
    """``before`` and ``after`` in two folders of ``root``, each with its own
    ``common.h`` when ``header`` is given."""
    paths = []
    for folder, text in (("old", before), ("new", after)):
        (root / folder).mkdir()
        if header:
            (root / folder / "common.h").write_text(header)
        path = root / folder / "unit.c"
        path.write_text(text)
        paths.append(path)
    return paths[0], paths[1]


def _check(before: Path, after: Path, *extra: str | Path) -> Result:
    pytest.importorskip("angr", reason="angr is not installed (pip install 'equivcheck[binary]')")
    result = run("check", "--before", before, "--after", after, "--binary", *extra)
    assert result.err == "", result.err
    return result


def _rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["function"]: f for f in doc["functions"]}


def test_a_disagreeing_binary_makes_an_equivalent_unknown(tmp_path: Path) -> None:
    before, after = _pair(tmp_path, ALIAS_BEFORE, ALIAS_AFTER)
    saved = tmp_path / "report.json"
    result = _check(before, after, "--format", "json", "--output", saved)
    assert result.status == 2, result
    doc = json.loads(saved.read_text())
    assert doc["verdict"] == "unknown"
    rows = _rows(doc)
    row = rows["first_after_store"]
    assert row["verdict"] == "unknown"
    assert row["reason"].startswith("the compiled code disagrees: "), row["reason"]
    # The source engine's proof and its assumption stay visible.
    assert "the source engine's proof was: " in row["reason"]
    assert any(a.startswith("A2") for a in row["assumptions"])
    binary = row["binary"]
    assert binary["opinion"] == "disagree"
    assert binary["before_trace"] == ["return 2"] and binary["after_trace"] == ["return 1"]
    assert "(before: return 2; after: return 1)" in row["reason"]
    # The helper was proved only through that caller: it is UNKNOWN too.
    helper = rows["set_next"]
    assert helper["status"] == "added" and helper["verdict"] == "unknown"
    assert helper["reason"].startswith("the compiled code disagrees on first_after_store")
    # The terminal (the saved report rendered: no second angr run) shows both traces.
    table = run("render", saved)
    assert table.status == 2
    assert "before: return 2" in table.out and "after: return 1" in table.out
    assert "the compiled code disagrees" in table.out


def test_an_agreeing_binary_never_upgrades_an_unknown(tmp_path: Path) -> None:
    before, after = _pair(tmp_path, GENERIC, GENERIC.replace("a + 1", "1 + a"))
    result = _check(before, after, "--format", "json")
    assert result.status == 2, result
    row = _rows(json.loads(result.out))["bump"]
    assert row["binary"]["opinion"] == "agree", row["binary"]
    assert row["verdict"] == "unknown"
    assert "_Generic" in row["reason"] and "compiled code" not in row["reason"]


def test_each_file_compiles_with_its_own_folders_headers(tmp_path: Path) -> None:
    """``#include "common.h"`` beside each file (the two in different folders) is found:
    the scratch copies are compiled with -iquote of the file's own directory."""
    renamed = COUNTER.replace("goto out;", "goto fail;").replace("out:", "fail:")
    before, after = _pair(tmp_path, COUNTER, renamed, HEADER)
    result = _check(before, after, "--format", "json")
    row = _rows(json.loads(result.out))["advance"]
    assert "does not compile" not in row["binary"]["reason"], row["binary"]
    assert row["binary"]["opinion"] == "agree", row["binary"]
    assert row["verdict"] == "equivalent" and result.status == 0, result
