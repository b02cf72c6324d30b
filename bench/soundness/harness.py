"""The independent judge for generated programs: both versions compiled by gcc into one
harness that runs them on many seeded random inputs and compares what docs/semantics.md
calls observable: the return value, every call to an external function or ordering
point with its arguments and the memory it could see (a hash of all buffers and the
global), and the final memory. Stubs return values from a seeded generator that depends
on (seed, call count, name, arguments, memory), and on half of the inputs they also
change shared memory, as an unmodelled call or another CPU at an ordering point may.

Memory starts alike before each version runs; a crash or a run longer than 200 ms of
either version makes that input inconclusive (out-of-bounds accesses and endless loops
are outside what the harness can judge)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pycparser import c_ast

from equivcheck.frontend.source.cfuncs import find_functions

from .generate import TYPES
from .mutate import parse, unparse

FLAGS = ["-O0", "-fwrapv", "-fno-strict-aliasing", "-funsigned-char", "-w"]
"""Match the engine's C semantics (docs/semantics.md): bit-vector integers, plain char
unsigned, no type-based aliasing."""

RUNTIME = r"""
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define NP 32
#define NQ 64
#define MAXLOG 64
struct ev { long id, a0, a1; uint64_t mem; };
struct out {
    int status; int ret; int nlog; struct ev log[MAXLOG];
    int P[NP]; char Q[NQ]; struct S SS[2]; int g0;
};
static int P[NP]; static char Q[NQ]; static struct S SS[2];
static uint64_t run_seed, ncalls; static int perturb; static struct out *cur;
static sigjmp_buf jb;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33; return x;
}
static uint64_t memhash(void)
{
    uint64_t h = 1469598103934665603ULL; const unsigned char *b; size_t k;
#define FNV(obj) b = (const unsigned char *)(obj); \
    for (k = 0; k < sizeof(obj); k++) h = (h ^ b[k]) * 1099511628211ULL;
    FNV(P) FNV(Q) FNV(SS)
    return mix(h ^ (uint64_t)(unsigned)g0);
}
static uint64_t event(long id, long a0, long a1)
{
    uint64_t m = memhash();
    uint64_t h = mix(run_seed ^ mix(ncalls * 131 + id) ^ mix((uint64_t)a0 + 7)
                     ^ mix((uint64_t)a1 * 3 + 1) ^ m);
    if (cur->nlog < MAXLOG) {
        struct ev *e = &cur->log[cur->nlog];
        e->id = id; e->a0 = a0; e->a1 = a1; e->mem = m;
    }
    cur->nlog++;
    ncalls++;
    if (perturb && (h & 3) == 0) P[(h >> 8) % NP] = (int)(h >> 32) % 50;
    if (perturb && (h & 12) == 0) Q[(h >> 16) % NQ] = (char)(h >> 40);
    if (perturb && (h & 48) == 0) SS[0].a = (int)(h >> 24) % 9;
    if (perturb && (h & 192) == 0) g0 = (int)(h >> 28) % 7;
    return h;
}
static long value(uint64_t h)
{
    switch ((h >> 58) & 3) {
    case 0: return (long)((h >> 20) % 11) - 3;
    case 1: return (long)(int)(h >> 16);
    case 2: return (long)(h >> 1);
    default: return (long)((h >> 30) & 0xff);
    }
}
int ext_a(int x) { return (int)value(event(1, x, 0)); }
long ext_b(long x, int y) { return value(event(2, x, y)); }
void ext_c(int *p, int x) { event(3, (long)p, x); }
void barrier(void) { event(4, 0, 0); }
void smp_mb(void) { event(5, 0, 0); }
/* A volatile access is an ordering point: another CPU looks at memory, may change it. */
#define READ_ONCE(x) ({ event(10, 0, 0); *(volatile __typeof__(x) *)&(x); })
#define WRITE_ONCE(x, v) do { event(11, 0, 0); *(volatile __typeof__(x) *)&(x) = (v); } while (0)
void spin_lock(spinlock_t *lock) { event(6, (long)lock, 0); }
void spin_unlock(spinlock_t *lock) { event(7, (long)lock, 0); }
int atomic_inc_return(atomic_t *v) { event(8, (long)v, 0); return ++v->counter; }
int atomic_dec_return(atomic_t *v) { event(9, (long)v, 0); return --v->counter; }

static void on_signal(int sig) { siglongjmp(jb, sig); }

typedef int (*fn_t)(int *, char *, struct S *, int, unsigned int, long);

static void run(fn_t f, struct out *o, int n, unsigned u, long l,
                const int *p0, const char *q0, const struct S *s0, int g00)
{
    struct itimerval tv = {{0, 0}, {0, 200000}}, off = {{0, 0}, {0, 0}};
    memset(o, 0, sizeof *o);
    memcpy(P, p0, sizeof P); memcpy(Q, q0, sizeof Q); memcpy(SS, s0, sizeof SS); g0 = g00;
    cur = o; ncalls = 0;
    int sig = sigsetjmp(jb, 1);
    if (sig == 0) {
        setitimer(ITIMER_REAL, &tv, NULL);
        o->ret = f(P, Q, &SS[0], n, u, l);
        setitimer(ITIMER_REAL, &off, NULL);
    } else {
        setitimer(ITIMER_REAL, &off, NULL);
        o->status = sig;
    }
    memcpy(o->P, P, sizeof P); memcpy(o->Q, Q, sizeof Q); memcpy(o->SS, SS, sizeof SS);
    o->g0 = g0;
}

static uint64_t rs;
static uint64_t rnd(void) { rs = mix(rs + 0x9e3779b97f4a7c15ULL); return rs; }
static long pick(void)
{
    static const long edge[] = {0, 1, -1, 2, 7, 8, 255, 256, 0x7fffffff, -0x7fffffff - 1,
                                0xffffffffL, 0x80000000L, -2};
    uint64_t r = rnd();
    if (r % 5 < 3) return (long)(r >> 8) % 12 - 3;
    if (r % 5 == 3) return edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
    return (long)(r >> 3);
}

int main(int argc, char **argv)
{
    int inputs = atoi(argv[1]), k, same = 0, diff = 0, inconclusive = 0;
    static struct out a, b; static int p0[NP]; static char q0[NQ]; static struct S s0[2];
    rs = strtoull(argv[2], NULL, 10);
    signal(SIGALRM, on_signal); signal(SIGSEGV, on_signal); signal(SIGBUS, on_signal);
    signal(SIGFPE, on_signal); signal(SIGILL, on_signal);
    for (k = 0; k < inputs; k++) {
        int n = (int)pick(); unsigned u = (unsigned)pick(); long l = pick(); int g00 = (int)pick();
        size_t i;
        for (i = 0; i < NP; i++) p0[i] = (int)pick();
        for (i = 0; i < NQ; i++) q0[i] = (char)pick();
        memset(s0, 0, sizeof s0);
        for (i = 0; i < 2; i++) {
            s0[i].a = (int)pick(); s0[i].b = (int)pick(); s0[i].c = pick();
            s0[i].d = (unsigned char)pick(); s0[i].cnt.counter = (int)pick();
            for (size_t j = 0; j < 16; j++) s0[i].arr[j] = (int)pick();
        }
        run_seed = rnd(); perturb = k & 1;
        run(before_f, &a, n, u, l, p0, q0, s0, g00);
        run(after_f, &b, n, u, l, p0, q0, s0, g00);
        if (a.status || b.status) { inconclusive++; continue; }
        const char *what = NULL;
        if (a.ret != b.ret) what = "return value";
        else if (a.nlog != b.nlog) what = "number of calls";
        else if (memcmp(a.log, b.log, sizeof a.log)) what = "calls (name, arguments, memory seen)";
        else if (memcmp(a.P, b.P, sizeof a.P)) what = "memory p[]";
        else if (memcmp(a.Q, b.Q, sizeof a.Q)) what = "memory q[]";
        else if (memcmp(a.SS, b.SS, sizeof a.SS)) what = "memory *s";
        else if (a.g0 != b.g0) what = "global g0";
        if (what == NULL) { same++; continue; }
        if (diff++ == 0)
            printf("DIFF input %d (perturb %d): %s: n=%d u=%u l=%ld g0=%d; return %d vs %d; "
                   "calls %d vs %d\n", k, perturb, what, n, u, l, g00, a.ret, b.ret,
                   a.nlog, b.nlog);
    }
    printf("RESULT same=%d diff=%d inconclusive=%d\n", same, diff, inconclusive);
    return 0;
}
"""


@dataclass
class Judgement:
    """What the harness saw: ``status`` is same / different / inconclusive / error."""

    status: str
    same: int = 0
    different: int = 0
    inconclusive: int = 0
    detail: str = ""


def _renamed(text: str, suffix: str) -> str:
    """The function definitions of a version, each renamed with ``suffix`` (calls too).
    GNU C that pycparser cannot read (statement expressions, ``?:``, case ranges) is
    renamed on the text instead, with the project's function finder."""
    try:
        ast = parse(text)
    except Exception:
        return _renamed_text(text, suffix)
    defined = {e.decl.name for e in ast.ext if isinstance(e, c_ast.FuncDef)}
    for ext in ast.ext:
        if not isinstance(ext, c_ast.FuncDef):
            continue
        _rename(ext, defined, suffix)
    kept = c_ast.FileAST([e for e in ast.ext if isinstance(e, c_ast.FuncDef)])
    return unparse(kept)


def _renamed_text(text: str, suffix: str) -> str:
    lines = text.split("\n")
    found = find_functions(text)
    names = "|".join(re.escape(f.name) for f in found)
    pieces = ["\n".join(lines[f.start_line - 1 : f.end_line]) for f in found]
    body = "\n".join(pieces) + "\n"
    return re.sub(rf"\b({names})\b(?=\s*\()", rf"\g<1>{suffix}", body) if names else body


def _rename(node: c_ast.Node, defined: set[str], suffix: str) -> None:
    if isinstance(node, c_ast.FuncDef):
        node.decl.name += suffix
        inner = node.decl.type.type
        while not isinstance(inner, c_ast.TypeDecl):
            inner = inner.type
        inner.declname = node.decl.name
    if (
        isinstance(node, c_ast.FuncCall)
        and isinstance(node.name, c_ast.ID)
        and node.name.name in defined
    ):
        node.name.name += suffix
    for _, child in node.children():
        _rename(child, defined, suffix)


def harness_source(before: str, after: str) -> str:
    """One C file: the prelude's types, both versions renamed (``f_b``/``f_a`` and their
    helpers), stubs and the driver."""
    head = TYPES + "int g0;\n"
    return (
        head
        + RUNTIME.split("static void on_signal", 1)[0]
        + _renamed(before, "_b")
        + _renamed(after, "_a")
        + "#define before_f f_b\n#define after_f f_a\n"
        + "static void on_signal"
        + RUNTIME.split("static void on_signal", 1)[1]
    )


def judge(before: str, after: str, inputs: int = 300, seed: int = 1) -> Judgement:
    """Compile and run the harness for two versions of a generated program."""
    with tempfile.TemporaryDirectory(prefix="eqv-harness-") as tmp:
        src = Path(tmp) / "h.c"
        exe = Path(tmp) / "h"
        src.write_text(harness_source(before, after))
        try:
            cc = subprocess.run(
                ["gcc", *FLAGS, "-o", str(exe), str(src)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Judgement("error", detail="gcc timed out")
        if cc.returncode != 0:
            return Judgement("error", detail="gcc: " + cc.stderr.strip()[-600:])
        try:
            out = subprocess.run(
                [str(exe), str(inputs), str(seed)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Judgement("error", detail="harness timed out")
    lines = out.stdout.strip().splitlines()
    if not lines or not lines[-1].startswith("RESULT"):
        return Judgement("error", detail=f"harness exit {out.returncode}: {out.stderr[-300:]}")
    fields = dict(part.split("=") for part in lines[-1].split()[1:])
    same, diff, inc = int(fields["same"]), int(fields["diff"]), int(fields["inconclusive"])
    detail = lines[0] if diff else ""
    status = "different" if diff else ("same" if same else "inconclusive")
    return Judgement(status, same, diff, inc, detail)
