"""Pointer arithmetic scales by the pointee (issue 10, class 1): ``+``, ``-``, ``[]``,
``++``/``--`` and pointer differences count elements, casts keep the value, and a size
the comparison does not know is one symbol both versions share (a verdict that holds
only for some sizes is not EQUIVALENT, a counterexample that needs one is not
DIFFERENT)."""

from __future__ import annotations

import pytest

from tests.equiv.engine import verdict_of

CHANGED = [
    # (before, after): each pair differs in behaviour.
    ("long f(int *p) { return (long)p + 1; }", "long f(int *p) { return (long)(p + 1); }"),
    (
        "int f(int *p) { return *(int *)((char *)p + 4); }",
        "int f(int *p) { return p[2]; }",
    ),
    (
        "long f(int *p, int *q) { return (long)p - (long)q; }",
        "long f(int *p, int *q) { return p - q; }",
    ),
    ("long f(long *p) { p++; return (long)p; }", "long f(long *p) { return (long)p + 1; }"),
    (
        "long f(struct anon_vma *av) { return (unsigned long)av; }",
        "long f(struct anon_vma *av) { return (unsigned long)(av + 1); }",
    ),
    ("void f(int *p) { p[1] = 0; }", "void f(int *p) { *(int *)((char *)p + 1) = 0; }"),
    (
        "char *f(void *p) { return (char *)p + 2; }",
        "char *f(void *p) { return (char *)((int *)p + 2); }",
    ),
    ("long f(short *p) { return p[-1]; }", "long f(short *p) { return *(short *)((long)p - 1); }"),
]

SAME = [
    ("long f(int *p) { return (long)p + 4; }", "long f(int *p) { return (long)(p + 1); }"),
    (
        "int f(int *p) { return *(int *)((char *)p + 8); }",
        "int f(int *p) { return p[2]; }",
    ),
    (
        "long f(int *p, int *q) { return ((long)p - (long)q) / 4; }",
        "long f(int *p, int *q) { return p - q; }",
    ),
    ("int f(int *p) { int *q = p; q++; return *q; }", "int f(int *p) { return p[1]; }"),
    (
        "long f(struct s *p) { return (long)(p + 1); }",
        "long f(struct s *p) { return (long)p + sizeof(struct s); }",
    ),
    (
        "long f(struct s *p, int i) { return p[i].a; }",
        "long f(struct s *p, int i) { return (p + i)->a; }",
    ),
    ("void *f(void *p) { return p + 3; }", "void *f(void *p) { return (char *)p + 3; }"),
    ("long f(long *p) { p--; return *p; }", "long f(long *p) { return *(long *)((char *)p - 8); }"),
]


@pytest.mark.parametrize(("before", "after"), CHANGED)
def test_unscaled_arithmetic_is_never_equivalent(before: str, after: str) -> None:
    assert verdict_of(before, after).verdict != "equivalent"


@pytest.mark.parametrize(("before", "after"), SAME)
def test_scaled_arithmetic_is_proved(before: str, after: str) -> None:
    outcome = verdict_of(before, after)
    assert outcome.verdict == "equivalent", outcome.reason


def test_known_sizes_give_a_counterexample() -> None:
    outcome = verdict_of(CHANGED[0][0], CHANGED[0][1])
    assert outcome.verdict == "different"


def test_a_difference_for_some_sizes_only_is_unknown() -> None:
    """``av + 1`` against ``av`` plus one byte agree if the struct is one byte long:
    without its size that is neither a proof nor a counterexample."""
    outcome = verdict_of(
        "long f(struct anon_vma *av) { return (unsigned long)av + 1; }",
        "long f(struct anon_vma *av) { return (unsigned long)(av + 1); }",
    )
    assert outcome.verdict == "unknown"
    assert "sizes of struct anon_vma" in outcome.reason


def test_a_difference_for_every_size_is_different() -> None:
    outcome = verdict_of(CHANGED[4][0], CHANGED[4][1])
    assert outcome.verdict == "different"


def test_a_field_of_unknown_type_may_be_a_pointer() -> None:
    """``p->next + 1`` scales by what ``next`` points to when it is a pointer: an
    integer cast before the addition changes the value then."""
    outcome = verdict_of(
        "long f(struct s *p) { return (long)(p->next + 1); }",
        "long f(struct s *p) { return (long)p->next + 1; }",
    )
    assert outcome.verdict != "equivalent"


def test_the_same_unknown_arithmetic_in_both_versions_is_equivalent() -> None:
    outcome = verdict_of(
        "long f(struct s *p) { long r = (long)(p->next + 1); return r; }",
        "long f(struct s *p) { return (long)(p->next + 1); }",
    )
    assert outcome.verdict == "equivalent", outcome.reason


def test_an_integer_assigned_without_a_cast_is_an_integer() -> None:
    """Assumption A8: ``int n = p->count;`` makes ``count`` an integer, so adding one
    to it is plain arithmetic, and the proof names the assumption."""
    outcome = verdict_of(
        "int f(struct s *p) { int n = p->count; return n + 1; }",
        "int f(struct s *p) { int n = p->count + 1; return n; }",
    )
    assert outcome.verdict == "equivalent", outcome.reason
    assert any(a.startswith("A8") for a in outcome.assumptions)


# Plain memory is bytes: accesses of different widths see each other (little-endian).
WIDTHS_DIFFER = [
    ("void f(long *p) { *p = 0; }", "void f(long *p) { *(int *)p = 0; }"),
    ("void f(char *p) { *(long *)p = 0; }", "void f(char *p) { *(short *)p = 0; }"),
    (
        "long f(long *p) { *p = 1L << 32; return *((int *)p + 1); }",
        "long f(long *p) { *p = 1L << 32; return 0; }",
    ),
    (
        "int f(int *p, long v) { int r; *(long *)p = v; r = p[1]; *(long *)p = 0; return r; }",
        "int f(int *p, long v) { int r; *(long *)p = 0; r = p[1]; return r; }",
    ),
    (
        "unsigned f(unsigned char *p) { return *(unsigned *)p; }",
        "unsigned f(unsigned char *p) { return *p; }",
    ),
]

WIDTHS_SAME = [
    ("void f(int *p) { p[0] = 0; p[1] = 0; }", "void f(int *p) { *(long *)p = 0; }"),
    (
        "int f(long *p, long x) { *p = x; return *(int *)p; }",
        "int f(long *p, long x) { *p = x; return (int)x; }",
    ),
    (
        "int f(unsigned char *p) { p[0] = 1; p[1] = 0; p[2] = 0; p[3] = 0; return *(int *)p; }",
        "int f(unsigned char *p) { *(int *)p = 1; return 1; }",
    ),
]


@pytest.mark.parametrize(("before", "after"), WIDTHS_DIFFER)
def test_a_narrower_or_wider_access_is_not_the_same(before: str, after: str) -> None:
    assert verdict_of(before, after).verdict == "different"


@pytest.mark.parametrize(("before", "after"), WIDTHS_SAME)
def test_the_same_bytes_by_other_widths_are_the_same(before: str, after: str) -> None:
    outcome = verdict_of(before, after)
    assert outcome.verdict == "equivalent", outcome.reason


def test_an_element_of_unknown_width_is_not_assumed_to_be_a_word() -> None:
    """``*p`` for a ``struct s *p`` (size not known) against an 8-byte write: they
    agree only if the struct is 8 bytes long."""
    outcome = verdict_of(
        "void f(struct s *p, struct s v) { *p = v; }",
        "void f(struct s *p, struct s v) { *(long *)p = *(long *)&v; }",
    )
    assert outcome.verdict != "equivalent"


def test_a_member_offset_not_known_is_neither_proof_nor_counterexample() -> None:
    """``&p->b`` is ``p`` plus b's offset: 8 in ``struct s { int a; long b; }`` on
    x86-64, which two-file mode does not ask the compiler (tree mode does)."""
    outcome = verdict_of(
        "long f(struct s *p) { return (long)&p->b; }",
        "long f(struct s *p) { return (long)p + 8; }",
    )
    assert outcome.verdict == "unknown"
    assert "offset of b in struct s" in outcome.reason


def test_member_addresses_by_other_routes_are_the_same() -> None:
    outcome = verdict_of(
        "long f(struct s *p) { return (long)&p->b; }",
        "long f(struct s *p) { struct s *q = p; return (long)&q->b; }",
    )
    assert outcome.verdict == "equivalent", outcome.reason


def test_a_counterexample_keeps_what_a8_assumed() -> None:
    """``int r = p->refs`` makes refs an integer for every layout the counterexample
    is checked against: the dropped call is a difference, not one "for some types"."""
    outcome = verdict_of(
        "void f(struct s *p) { int r = p->refs; if (p->refs + 1 != r) g(p); }",
        "void f(struct s *p) { int r = p->refs; }",
    )
    assert outcome.verdict == "different", outcome.reason
