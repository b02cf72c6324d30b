"""Small random C programs for the sweep: one function ``f`` over int/unsigned/long/char
locals, pointer parameters (``int *``, ``char *``, a struct), small loops, gotos, a
switch, ternaries, pointer/integer casts and calls to extern functions the harness
stubs. Free of the undefined behaviour the engine does not model: every index is
``(unsigned)(e) % 8u`` into buffers of 16+ elements, no division, small constant
shift counts, every local initialised at its declaration. Seeded and reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TYPES = """\
typedef struct { int v; } spinlock_t;
typedef struct { int counter; } atomic_t;
struct S {
	int a; int b; long c; unsigned char d; int arr[16]; spinlock_t lock; atomic_t cnt;
	unsigned int bf : 3;
};
"""
"""The types every program and the harness share."""

PRELUDE = (
    TYPES
    + """\
int g0;
extern int ext_a(int x);
extern long ext_b(long x, int y);
extern void ext_c(int *p, int x);
extern void barrier(void);
extern void smp_mb(void);
extern void spin_lock(spinlock_t *lock);
extern void spin_unlock(spinlock_t *lock);
extern int atomic_inc_return(atomic_t *v);
extern int atomic_dec_return(atomic_t *v);
"""
)
"""Declarations every program shares (the harness defines the same names)."""

PARAMS = "int *p, char *q, struct S *s, int n, unsigned int u, long l"
FIELDS = ("a", "b", "c", "d", "bf", "d", "bf")  # narrow fields twice: their width matters
LOCAL_TYPES = ("int", "unsigned int", "long", "unsigned long", "char", "short")
LABELS = ("out_a", "out_b")


@dataclass
class Program:
    """A generated translation unit: the shared prelude and the function ``f``."""

    seed: int
    text: str


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.locals: list[str] = []
        self.loop_vars: list[str] = []
        self.free_loop = ["i", "j"]
        self.used_labels: set[str] = set()
        self.constants: list[str] = []  # block-scope enum constants and static consts
        self.depth = 0

    # ---------------------------------------------------------------- expressions

    def idx(self) -> str:
        r = self.rng.random()
        if self.loop_vars and r < 0.4:
            return self.rng.choice(self.loop_vars)
        if r < 0.7:
            return str(self.rng.randrange(8))
        return f"(unsigned int)({self.leaf(False)}) % 8u"

    def memread(self) -> str:
        k = self.rng.randrange(12)
        if k == 9:
            return "((long)(pp - p))"
        if k == 10:
            return f"pp[{self.idx()}]"
        if k == 11:
            return "*pp"
        if k == 0:
            return f"p[{self.idx()}]"
        if k == 1:
            return f"q[{self.idx()}]"
        if k == 2:
            return f"s->{self.rng.choice(FIELDS)}"
        if k == 3:
            return f"s->arr[{self.idx()}]"
        if k == 4:
            return f"*(p + {self.rng.randrange(8)})"
        if k == 5:
            return f"*(int *)((char *)p + {4 * self.rng.randrange(8)})"
        if k == 6:
            return "g0"
        if k == 7:
            return f"((long)(p + {self.rng.randrange(1, 4)}) - (long)p)"
        return f"((long)(q + {self.rng.randrange(1, 4)}) - (long)q)"

    def leaf(self, mem: bool = True) -> str:
        r = self.rng.random()
        if r < 0.3 and self.locals:
            return self.rng.choice(self.locals)
        if r < 0.5:
            return self.rng.choice(["n", "u", "l"])
        if r < 0.56 and self.constants:
            return self.rng.choice(self.constants)
        if r < 0.7 or not mem:
            return str(self.rng.choice([0, 1, 2, 3, 5, 7, 9, 16, 100, 255]))
        return self.memread()

    def expr(self, depth: int = 0) -> str:
        if depth >= 2 or self.rng.random() < 0.35:
            return self.leaf()
        k = self.rng.randrange(10)
        a, b = self.expr(depth + 1), self.expr(depth + 1)
        if k < 4:
            op = self.rng.choice(["+", "-", "*", "&", "|", "^"])
            return f"({a} {op} {b})"
        if k == 4:
            return f"({a} {self.rng.choice(['<<', '>>'])} {self.rng.randrange(1, 5)})"
        if k == 5:
            return f"({self.cond(depth + 1)} ? {a} : {b})"
        if k == 6:
            t = self.rng.choice(["char", "unsigned char", "short", "int", "unsigned int", "long"])
            return f"({t})({a})"
        if k == 7:
            return f"(-{a})" if self.rng.random() < 0.5 else f"(~{a})"
        if k == 8:
            r = self.rng.random()
            if r < 0.15:
                return f"atomic_{self.rng.choice(['inc', 'dec'])}_return(&s->cnt)"
            return f"ext_a({a})" if r < 0.6 else f"ext_b({a}, {b})"
        return f"({a} {self.rng.choice(['<', '==', '!='])} {b})"

    def cond(self, depth: int = 0) -> str:
        k = self.rng.randrange(8)
        a, b = self.expr(depth + 1), self.expr(depth + 1)
        if k < 4:
            op = self.rng.choice(["<", "<=", ">", ">=", "==", "!="])
            return f"{a} {op} {b}"
        if k == 4 and depth < 2:
            return f"({self.cond(depth + 1)}) && ({self.cond(depth + 1)})"
        if k == 5 and depth < 2:
            return f"({self.cond(depth + 1)}) || ({self.cond(depth + 1)})"
        if k == 6:
            return f"!({a})"
        return a

    # ---------------------------------------------------------------- statements

    def assign_target(self) -> str:
        r = self.rng.random()
        if r < 0.5 and self.locals:
            return self.rng.choice(self.locals)
        k = self.rng.randrange(6)
        if k == 0:
            return f"p[{self.idx()}]"
        if k == 1:
            return f"q[{self.idx()}]"
        if k == 2:
            return f"s->{self.rng.choice(FIELDS)}"
        if k == 3:
            return f"s->arr[{self.idx()}]"
        if k == 4:
            return f"*(int *)((char *)p + {4 * self.rng.randrange(8)})"
        return "g0"

    def simple(self) -> str:
        k = self.rng.randrange(12)
        if k < 6:
            op = self.rng.choice(["=", "=", "+=", "-=", "^=", "|="])
            target = self.assign_target()
            if op == "=" and self.rng.random() < 0.4:
                local = self.rng.choice(self.locals) if self.locals else "r"
                return f"{target} = {self.expr()}; {local} = {local} + {target};"
            return f"{target} {op} {self.expr()};"
        if k == 6:
            return f"ext_c(p + {self.rng.randrange(4)}, {self.expr()});"
        if k == 7 and self.locals:
            return f"{self.rng.choice(self.locals)} = ext_a({self.expr()});"
        if k == 8 and self.rng.random() < 0.6:
            return self.rng.choice(
                ["barrier();", "smp_mb();", "spin_lock(&s->lock);", "spin_unlock(&s->lock);"]
            )
        if k == 9 and self.loop_vars:
            return f"if ({self.cond()}) {self.rng.choice(['break', 'continue'])};"
        if k == 10 and self.rng.random() < 0.3:
            return f"pp = p + {self.idx()};"
        if k == 10:
            label = self.rng.choice(LABELS)
            self.used_labels.add(label)
            return f"if ({self.cond()}) goto {label};"
        return f"{self.assign_target()} = {self.expr()};"

    def block(self, n: int) -> list[str]:
        out: list[str] = []
        for _ in range(n):
            out.extend(self.stmt())
        return out

    def stmt(self) -> list[str]:
        k = self.rng.randrange(10)
        if self.depth >= 2 or k < 5:
            return [self.simple()]
        self.depth += 1
        try:
            if k < 7:
                body = self.block(self.rng.randrange(1, 3))
                out = [f"if ({self.cond()}) {{", *body, "}"]
                if self.rng.random() < 0.5:
                    out[-1:] = ["} else {", *self.block(self.rng.randrange(1, 3)), "}"]
                return out
            if k < 9 and self.free_loop:
                var = self.free_loop.pop(0)
                self.loop_vars.append(var)
                bound = self.rng.randrange(1, 5)
                body = self.block(self.rng.randrange(1, 4))
                self.loop_vars.pop()
                self.free_loop.insert(0, var)
                return [f"for ({var} = 0; {var} < {bound}; {var}++) {{", *body, "}"]
            saved, self.loop_vars = self.loop_vars, []  # no break/continue in a switch
            cases = []
            for c in range(3):
                cases += [f"case {c}:", *self.block(self.rng.randrange(1, 3))]
                if self.rng.random() < 0.8:
                    cases.append("break;")
            cases += ["default:", *self.block(1), "break;"]
            self.loop_vars = saved
            return [f"switch ((unsigned int)({self.expr()}) % 4u) {{", *cases, "}"]
        finally:
            self.depth -= 1


def generate(seed: int, statements: tuple[int, int] = (1, 6)) -> Program:
    """The program of this seed."""
    rng = random.Random(seed)
    gen = _Gen(rng)
    decls = ["int i = 0, j = 0;", "int r = 0;", f"int *pp = p + {rng.randrange(4)};"]
    if rng.random() < 0.25:
        decls.append(f"enum {{ K0 = {rng.randrange(1, 9)}, K1 }};")
        gen.constants += ["K0", "K1"]
    if rng.random() < 0.25:
        decls.append(f"static const int C0 = {rng.randrange(1, 9)};")
        gen.constants.append("C0")
    for k in range(rng.randrange(2, 5)):
        t = rng.choice(LOCAL_TYPES)
        name = f"x{k}"
        decls.append(f"{t} {name} = {gen.expr()};")
        gen.locals.append(name)
    gen.locals.append("r")
    body = gen.block(rng.randrange(*statements))
    body.append(f"r = r + ({gen.expr()});")
    tail = ["return r;"]
    if gen.used_labels:
        tail += ["out_a:", f"r = r + {rng.randrange(1, 9)};", "out_b:", "return r - 1;"]
    lines = [*decls, *body, *tail]
    text = PRELUDE + f"int f({PARAMS})\n{{\n" + "".join(f"\t{x}\n" for x in lines) + "}\n"
    return Program(seed, text)
