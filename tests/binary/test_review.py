"""Pairs that behave differently and once got ``agree`` (a review of the binary
opinion): none may agree now."""

from __future__ import annotations

import pytest

from equivcheck.binary.opinion import opinion_from_texts
from equivcheck.limits import Limits

pytest.importorskip("angr", reason="angr is not installed (pip install 'equivcheck[binary]')")

PAIRS = {
    # the assembler resolves a call to a static function of the same section itself
    "changed static callee": (
        "static int __attribute__((noinline)) k(int x) { return x + 1; }\n"
        "int f(int x) { return k(x) * 3; }\n",
        "static int __attribute__((noinline)) k(int x) { return x + 2; }\n"
        "int f(int x) { return k(x) * 3; }\n",
    ),
    "changed static tail callee": (
        "static int cnt;\nstatic void bump(void) { cnt++; }\nvoid f(void) { bump(); }\n",
        "static int cnt;\nstatic void bump(void) { cnt += 2; }\nvoid f(void) { bump(); }\n",
    ),
    "port written": (
        'void f(unsigned char v) { asm volatile("outb %0,$0x80" :: "a"(v)); }\n',
        'void f(unsigned char v) { asm volatile("outb %0,$0x81" :: "a"(v)); }\n',
    ),
    "control register": (
        'void f(unsigned long v) { asm volatile("mov %0,%%cr3" :: "r"(v)); }\n',
        'void f(unsigned long v) { asm volatile("mov %0,%%cr3" :: "r"(v | (1UL << 40))); }\n',
    ),
    "direction flag left set": ("void f(void) { }\n", 'void f(void) { asm volatile("std"); }\n'),
    "volatile read added": (
        "int f(volatile int *p) { return *p; }\n",
        "int f(volatile int *p) { (void)*p; return *p; }\n",
    ),
    "initial value of a static": (
        "static int t = 1;\nvoid set(int v) { t = v; }\nint f(void) { return t; }\n",
        "static int t = 2;\nvoid set(int v) { t = v; }\nint f(void) { return t; }\n",
    ),
    "initial value of a global": (
        "int t = 1;\nint f(void) { return t; }\n",
        "int t = 2;\nint f(void) { return t; }\n",
    ),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("shortcut", [True, False])
def test_a_real_difference_never_agrees(name: str, shortcut: bool) -> None:
    before, after = PAIRS[name]
    opinion = opinion_from_texts(before, after, "f", shortcut=shortcut, limits=Limits(budget_s=30))
    assert opinion.opinion != "agree", opinion.reason


def test_the_same_code_still_agrees() -> None:
    before, _ = PAIRS["changed static callee"]
    assert opinion_from_texts(before, before, "f").opinion == "agree"
