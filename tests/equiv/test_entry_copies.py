"""Copies a function makes at its start are facts at a changed part's start when
unmodelled calls change nothing (equiv/copies.py, fixtures/copies/README.md): a
part's difference that needs them apart is not a counterexample, and the copies hide
no real difference."""

from __future__ import annotations

import pytest

from equivcheck.equiv.copies import entry_copies
from equivcheck.symex.memory import describe_expr
from tests.equiv.engine import graph
from tests.equiv.review import ReviewCases

CASES = ReviewCases("copies")

START = """
struct address_space { int gfp; };
struct file { struct address_space *f_mapping; };
struct kiocb { struct file *ki_filp; long ki_pos; };
extern void use(struct address_space *m, struct file *f);
int f(struct kiocb *iocb, int n)
{
	struct file *filp = iocb->ki_filp;
	struct address_space *mapping = filp->f_mapping;
	long pos = iocb->ki_pos;
	BODY
	use(mapping, filp);
	return pos;
}
"""


def _copies(body: str) -> dict[str, str]:
    g = graph(START.replace("BODY", body), "f")
    return {name: describe_expr(path) for name, path in entry_copies(g, g).items()}


def test_a_chain_copied_at_the_start_is_named_from_the_parameter() -> None:
    assert _copies("") == {
        "filp": "iocb->ki_filp",
        "mapping": "iocb->ki_filp->f_mapping",
        "pos": "iocb->ki_pos",
    }


@pytest.mark.parametrize(
    ("body", "gone"),
    [
        ("filp = 0;", {"filp", "mapping"}),  # (mapping's chain went through filp)
        ("iocb->ki_filp = 0;", {"filp", "mapping"}),
        ("iocb = 0;", {"filp", "mapping", "pos"}),
        ("use(0, (void *)&filp);", {"filp", "mapping"}),
        ("use(0, (void *)&iocb);", {"filp", "mapping", "pos"}),
        ("if (n) { struct file **q = &filp; *q = 0; }", {"filp", "mapping"}),
    ],
)
def test_a_copy_something_may_write_is_no_fact(body: str, gone: set[str]) -> None:
    kept = _copies(body)
    assert not gone & set(kept), kept


def test_a_copy_made_after_a_branch_is_no_fact() -> None:
    late = "struct file *filp;\n\tif (n) return 0;\n\tfilp = iocb->ki_filp;"
    code = START.replace("struct file *filp = iocb->ki_filp;", late).replace("BODY", "")
    g = graph(code, "f")
    assert "filp" not in entry_copies(g, g)


def test_only_copies_both_versions_make_alike_count() -> None:
    before = graph(START.replace("BODY", ""), "f")
    after = graph(START.replace("BODY", "").replace("= iocb->ki_pos;", "= n;"), "f")
    assert set(entry_copies(before, after)) == {"filp", "mapping"}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("from-start", "unknown"),
        ("field-written", "different"),
        ("copy-reassigned", "different"),
        ("param-reassigned", "different"),
        ("real-change-beside", "different"),
    ],
)
def test_fixture_verdicts(case: str, expected: str) -> None:
    assert CASES.two_files(case)["f"] == expected
