"""Directed probes: hand-written pairs of bodies for ``f`` (the generated programs'
prelude and parameters) aimed at what the engine models: integer conversions, stores
and loads of every width, pointer arithmetic, ordering points, unmodelled calls, loops.
Some pairs are equivalent and some are not; the harness is the judge. ``--probes`` runs
them all and flags an EQUIVALENT the harness refutes."""

from __future__ import annotations

from .generate import PARAMS, PRELUDE

PROBES: list[tuple[str, str, str]] = [
    ("long<uint", "\treturn l < u;", "\treturn (unsigned long)l < u;"),
    ("char promo", "\tchar c = n; return c + 1 > 255;", "\treturn 0;"),
    ("short", "\tshort c = n; return c < 0;", "\tsigned char c = n; return c < 0;"),
    ("ushort promo", "\tunsigned short c = n; return c * c < 0;", "\treturn 0;"),
    (
        "uint shr",
        "\tunsigned int x = n; return (int)(x >> 1);",
        "\tint x = n; return (int)(x >> 1);",
    ),
    (
        "int/long",
        "\tint x = n; long y = x * 65536 * 65536; return y == 0;",
        "\tlong y = (long)n * 65536 * 65536; return y == 0;",
    ),
    (
        "uint+long",
        "\tunsigned int x = u; long y = x + l; return y < 0;",
        "\tlong y = (long)(int)u + l; return y < 0;",
    ),
    ("ptrdiff", "\tint *a = p + 3; return (int)(a - p);", "\treturn 3;"),
    ("ptrdiff2", "\tint *a = p + 3; return (int)((long)a - (long)p);", "\treturn 3;"),
    ("char cast idx", "\treturn *(int *)((char *)p + 4) == p[1];", "\treturn 1;"),
    ("long p+1", "\treturn (int)((long)(p + 1) - (long)p);", "\treturn 1;"),
    ("u compare", "\treturn u > -1;", "\treturn 0;"),
    ("neg shift", "\treturn n >> 1 == n / 2;", "\treturn 1;"),
    ("ternary type", "\treturn (n ? u : -1) > 0;", "\treturn n ? u > 0 : 1;"),
    ("ulong", "\tunsigned long x = n; return x > 0xffffffffUL;", "\treturn n < 0;"),
    ("bool", "\t_Bool b = n & 2; return b;", "\treturn (n & 2) != 0;"),
    ("compound", "\tchar c = 250; c += 10; return c;", "\treturn 4;"),
    ("postinc", "\tint x = n; int y = x++ + x; return y;", "\treturn 2 * n + 1;"),
    ("q signed", "\treturn q[0] < 0;", "\treturn 0;"),
    (
        "sdiv",
        "\tint x = (n & 15) - 8; return x % 3 < 0 || x / 2 < 0;",
        "\treturn ((n & 15) - 8) < 0;",
    ),
    ("div", "\treturn (int)(l / 2) == (int)(l >> 1);", "\treturn 1;"),
    ("field width", "\ts->d = n; return s->d;", "\ts->d = n; return n;"),
    ("field width2", "\ts->a = l; return s->a == l;", "\ts->a = l; return 1;"),
    ("field char cmp", "\ts->d = 255; return s->d > 0;", "\ts->d = 255; return 1;"),
    ("static local", "\tstatic int c; c++; return c;", "\treturn 1;"),
    ("static local2", "\tstatic int c = 0; c = c + 1; return 0;", "\treturn 0;"),
    ("addr local", "\tint x = 1; ext_c(&x, 0); return x;", "\tint x = 1; ext_c(&x, 0); return 1;"),
    ("addr local2", "\tint x = 1; int *y = &x; *y = 5; return x;", "\treturn 5;"),
    ("addr local3", "\tint x = 1; int *y = &x; y[0] = n; return x;", "\treturn 1;"),
    ("memcpy-ish", "\tp[1] = n; q[4] = 7; return p[1];", "\tp[1] = n; q[4] = 7; return n;"),
    ("alias p q", "\t*(char *)p = 7; return p[0];", "\t*(char *)p = 7; return 7;"),
    ("alias arr", "\ts->arr[1] = n; return *(&s->arr[0] + 1);", "\ts->arr[1] = n; return n;"),
    ("alias arr2", "\ts->arr[1] = n; return s->arr[2];", "\ts->arr[1] = n; return s->arr[1];"),
    ("field via ptr", "\tint *x = &s->a; *x = n; return s->a;", "\ts->a = n; return n;"),
    (
        "field via ptr2",
        "\tint *x = &s->a; x[1] = n; return s->b;",
        "\tint *x = &s->a; x[1] = n; return s->a;",
    ),
    ("struct copy", "\ts[1] = s[0]; return s[1].a;", "\ts[1] = s[0]; return s[0].a;"),
    ("struct idx", "\ts[1].a = n; return s[0].a;", "\ts[1].a = n; return n;"),
    ("comma", "\tint x = (n++, n); return x;", "\treturn n + 1;"),
    ("ptr inc", "\tint *x = p; x++; *x = 3; return p[1];", "\tp[1] = 3; return 3;"),
    ("char ptr", "\tchar *x = q; x += 2; *x = 9; return q[2];", "\tq[2] = 9; return 9;"),
    (
        "do while",
        "\tint k = 0; do { k++; } while (k < n && k < 5); return k;",
        "\tint k = 0; while (k < n && k < 5) k++; return k;",
    ),
    ("goto loop", "\tint k = 0;\nagain:\n\tk++; if (k < 3) goto again; return k;", "\treturn 3;"),
    (
        "goto loop2",
        "\tint k = 0;\nagain:\n\tk++; if (k < (n & 3)) goto again; return k;",
        "\tint k = 0;\nagain:\n\tk += 1; if (k <= (n & 3)) goto again; return k;",
    ),
    (
        "ext twice",
        "\tint a = ext_a(1); int b = ext_a(1); return a - b;",
        "\tint a = ext_a(1); int b = ext_a(1); return 0;",
    ),
    (
        "ext twice mem",
        "\tint a = ext_a(1); p[0] = 1; int b = ext_a(1); return a - b;",
        "\tint a = ext_a(1); p[0] = 1; int b = ext_a(1); return 0;",
    ),
    (
        "ext state",
        "\tint a = ext_a(1); return a + p[0];",
        "\tint b = p[0]; int a = ext_a(1); return a + b;",
    ),
    (
        "lock order",
        "\tspin_lock(&s->lock); p[0] = 1; spin_unlock(&s->lock); return 0;",
        "\tp[0] = 1; spin_lock(&s->lock); spin_unlock(&s->lock); return 0;",
    ),
    (
        "barrier read",
        "\tint a = p[0]; barrier(); return a + p[0];",
        "\tint a = p[0]; barrier(); return a + a;",
    ),
    (
        "atomic dec",
        "\tint a = atomic_dec_return(&s->cnt); return a == atomic_dec_return(&s->cnt);",
        "\tatomic_dec_return(&s->cnt); atomic_dec_return(&s->cnt); return 1;",
    ),
    (
        "atomic memory",
        "\tatomic_inc_return(&s->cnt); return s->cnt.counter;",
        "\tint a = atomic_inc_return(&s->cnt); return a;",
    ),
    (
        "atomic vs ext",
        "\tint a = atomic_inc_return(&s->cnt); ext_a(0); return a;",
        "\text_a(0); int a = atomic_inc_return(&s->cnt); return a;",
    ),
    ("global width", "\tg0 = l; return g0 == l;", "\tg0 = l; return 1;"),
    ("global width2", "\tg0 = l; return g0;", "\tg0 = l; return (int)l;"),
    ("field sign", "\ts->d = -1; return s->d < 0;", "\ts->d = -1; return 1;"),
    ("field arr width", "\ts->arr[0] = l; return s->arr[0] == l;", "\ts->arr[0] = l; return 1;"),
    ("field long ok", "\ts->c = l; return s->c == l;", "\ts->c = l; return 1;"),
    ("int then char", "\tp[0] = 0x1234; return *(char *)p;", "\tp[0] = 0x1234; return 0x1234;"),
    ("long store", "\t*(long *)p = l; return p[1];", "\t*(long *)p = l; return (int)l;"),
    ("char store q", "\tq[0] = n; return q[0];", "\tq[0] = n; return n;"),
    ("char store q2", "\tq[0] = n; return q[0] == n;", "\tq[0] = n; return 1;"),
    (
        "ptr store int",
        "\tint *x = p + 2; *x = l; return *x == l;",
        "\tint *x = p + 2; *x = l; return 1;",
    ),
    ("arr param", "\tp[2] = l; return p[2] == l;", "\tp[2] = l; return 1;"),
    ("cast store", "\t*(short *)q = n; return *(short *)q == n;", "\t*(short *)q = n; return 1;"),
    (
        "overlap ints",
        "\tp[0] = 1; *(int *)((char *)p + 2) = 0; return p[0];",
        "\tp[0] = 1; *(int *)((char *)p + 2) = 0; return 1;",
    ),
    ("p q alias", "\tp[0] = 5; q[0] = 1; return p[0];", "\tp[0] = 5; q[0] = 1; return 5;"),
    (
        "struct field+arr",
        "\ts->a = 3; s->arr[0] = 4; return s->a;",
        "\ts->a = 3; s->arr[0] = 4; return 3;",
    ),
    (
        "field idx -1",
        "\ts->arr[0] = 1; s->d = 2; return s->arr[0];",
        "\ts->arr[0] = 1; s->d = 2; return 1;",
    ),
    (
        "int local narrowing",
        "\tunsigned char c = n; c = c + 1; return c;",
        "\tunsigned char c = n; return (unsigned char)(n + 1);",
    ),
    (
        "ptr to long local",
        "\tlong a = (long)p; int *b = (int *)(a + 4); return *b;",
        "\treturn p[1];",
    ),
    ("ptr to int local", "\tint a = (int)(long)p; return a == (long)p;", "\treturn 1;"),
    (
        "loop carried",
        "\tint k, t = 0; for (k = 0; k < 3; k++) { t = t * 2 + p[k]; } return t;",
        "\tint k, t = 0; for (k = 0; k < 3; k++) { t = t + t + p[k]; } return t;",
    ),
    (
        "loop carried 2",
        "\tint k, t = 0, z = 0; for (k = 0; k < n; k++) { z = t; t = k; } return z;",
        "\tint k, t = 0, z = 0; for (k = 0; k < n; k++) { t = k; z = t; } return z;",
    ),
    (
        "loop unbounded",
        "\tint k; for (k = 0; k < n; k++) p[k & 7] += 1; return 0;",
        "\tint k; for (k = 0; k < n; k++) p[k & 7] += 1 + (k == 5); return 0;",
    ),
    (
        "loop unbounded2",
        "\tint k, t = 0; for (k = 0; k < (n & 15); k++) t += k == 9; return t;",
        "\treturn 0;",
    ),
    (
        "while break",
        "\tint k = 0; while (1) { if (p[k & 7] == n) break; k++; if (k > 10) break; } return k;",
        "\tint k = 0; while (1) { if (p[k & 7] == n) break; k++; if (k >= 10) break; } return k;",
    ),
    (
        "uchar > -1",
        "\tunsigned char c = n;\n\treturn c > -1;",
        "\tunsigned char c = n;\n\treturn 0;",
    ),
    (
        "ushort > -1",
        "\tunsigned short c = n;\n\treturn c > -1;",
        "\tunsigned short c = n;\n\treturn 0;",
    ),
    ("char(unsigned) > -1", "\tchar c = n;\n\treturn c > -1;", "\tchar c = n;\n\treturn 0;"),
    (
        "uchar shift",
        "\tunsigned char c = 255;\n\treturn (c << 24) < 0;",
        "\tunsigned char c = 255;\n\treturn 0;",
    ),
    (
        "uchar not",
        "\tunsigned char c = n;\n\treturn ~c == 255 - c;",
        "\tunsigned char c = n;\n\treturn 1;",
    ),
    (
        "uchar minus",
        "\tunsigned char c = n;\n\treturn -c > 0;",
        "\tunsigned char c = n;\n\treturn c != 0;",
    ),
    (
        "uchar sub",
        "\tunsigned char a = n, b = u;\n\treturn a - b < 0;",
        "\tunsigned char a = n, b = u;\n\treturn 0;",
    ),
    (
        "ushort mul",
        "\tunsigned short a = n;\n\treturn a * a < 0;",
        "\tunsigned short a = n;\n\treturn 0;",
    ),
    (
        "uint vs long",
        "\tunsigned int a = u;\n\treturn a > -1L;",
        "\tunsigned int a = u;\n\treturn 0;",
    ),
    (
        "uint vs int",
        "\tunsigned int a = u;\n\treturn a > -1;",
        "\tunsigned int a = u;\n\treturn 0;",
    ),
    ("field uchar > -1", "\treturn s->d > -1;", "\treturn 0;"),
    ("q > -1", "\treturn q[0] > -1;", "\treturn 0;"),
    (
        "uchar div",
        "\tunsigned char c = n;\n\treturn (c - 256) / 2 < 0;",
        "\tunsigned char c = n;\n\treturn 0;",
    ),
    (
        "uchar shr",
        "\tunsigned char c = n;\n\treturn (c - 1) >> 31;",
        "\tunsigned char c = n;\n\treturn 0;",
    ),
    ("ternary conv", "\treturn (n ? (unsigned char)n : -1) < 0;", "\treturn 0;"),
    ("ternary conv2", "\tlong x = n > 0 ? u : -1;\n\treturn x < 0;", "\treturn 0;"),
    (
        "shadow",
        "\tint x = 1;\n\t{\n\t\tint x = 2;\n\t\tp[0] = x;\n\t}\n\treturn x;",
        "\tint x = 1;\n\t{\n\t\tx = 2;\n\t\tp[0] = x;\n\t}\n\treturn x;",
    ),
    (
        "shortcirc",
        "\tif (n > 0 && ext_a(n))\n\t\treturn 1;\n\treturn 0;",
        "\tif (ext_a(n) && n > 0)\n\t\treturn 1;\n\treturn 0;",
    ),
    (
        "postinc mem",
        "\tif (p[0]++ > 3)\n\t\treturn 1;\n\treturn p[0];",
        "\tif (++p[0] > 3)\n\t\treturn 1;\n\treturn p[0];",
    ),
    (
        "goto out live",
        "\tint t = 0, k;\n\tfor (k = 0; k < n; k++) {\n\t\tif (p[k & 7] == 3)\n"
        "\t\t\tgoto out;\n\t\tt = k;\n\t}\n\treturn 0;\nout:\n\treturn t;",
        "\tint t = 0, k;\n\tfor (k = 0; k < n; k++) {\n\t\tif (p[k & 7] == 3)\n"
        "\t\t\tgoto out;\n\t\tt = k + 1;\n\t}\n\treturn 0;\nout:\n\treturn t;",
    ),
    ("bool conv", "\t_Bool b = l;\n\treturn b;", "\treturn l != 0;"),
    ("long to int local", "\tint x = l;\n\treturn x == l;", "\treturn 1;"),
    ("sizeof", "\treturn sizeof(struct S);", "\treturn 96;"),
    ("sizeof long", "\treturn sizeof(long) == 8;", "\treturn 1;"),
    ("ptr cmp", "\treturn p + 1 > p;", "\treturn 1;"),
    ("struct ptr arith", "\treturn (int)((char *)(s + 1) - (char *)s);", "\treturn 96;"),
    ("field addr", "\treturn (int)((char *)&s->b - (char *)s);", "\treturn 4;"),
    ("field addr2", "\treturn (int)((char *)&s->c - (char *)s);", "\treturn 4;"),
    ("bitfield store", "\ts->bf = n;\n\treturn s->bf;", "\ts->bf = n;\n\treturn n;"),
    ("bitfield store2", "\ts->bf = n;\n\treturn s->bf == n;", "\ts->bf = n;\n\treturn 1;"),
    ("bitfield read", "\treturn s->bf > 7;", "\treturn 0;"),
    ("bitfield read2", "\treturn s->bf < 0;", "\treturn 0;"),
    (
        "bitfield neighbours",
        "\ts->bf = 5;\n\ts->cnt.counter = 1;\n\treturn s->bf;",
        "\ts->bf = 5;\n\ts->cnt.counter = 1;\n\treturn 5;",
    ),
    ("field read uchar", "\treturn s->d > 255;", "\treturn 0;"),
    (
        "field ptr store",
        "\tint *x = &s->a;\n\t*x = l;\n\treturn s->a == l;",
        "\tint *x = &s->a;\n\t*x = l;\n\treturn 1;",
    ),
    ("struct arr store", "\ts[1].a = l;\n\treturn s[1].a == l;", "\ts[1].a = l;\n\treturn 1;"),
    ("field compound", "\ts->d += n;\n\treturn s->d < 256;", "\ts->d += n;\n\treturn 1;"),
    (
        "field inc",
        "\ts->d = 255;\n\ts->d++;\n\treturn s->d;",
        "\ts->d = 255;\n\ts->d++;\n\treturn 256;",
    ),
    (
        "global inc",
        "\tg0 = 0x7fffffff;\n\tg0++;\n\treturn g0 < 0;",
        "\tg0 = 0x7fffffff;\n\tg0++;\n\treturn 0;",
    ),
    (
        "ptr elem inc",
        "\tq[0] = 255;\n\tq[0]++;\n\treturn q[0];",
        "\tq[0] = 255;\n\tq[0]++;\n\treturn 256;",
    ),
    (
        "ind int/long",
        "\tint t = 0;\n\tint k;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tt = t * 2 + 1;\n"
        "\treturn t < 0;",
        "\tlong t = 0;\n\tint k;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tt = t * 2 + 1;\n"
        "\treturn t < 0;",
    ),
    (
        "ind uchar/int",
        "\tunsigned char t = 0;\n\tint k;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tt = t + 1;\n"
        "\treturn t > 255;",
        "\tint t = 0;\n\tint k;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tt = t + 1;\n"
        "\treturn t > 255;",
    ),
    (
        "ind uchar/int mem",
        "\tunsigned char t = 0;\n\tint k;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tt = t + 1;\n"
        "\tp[0] = t;\n\treturn 0;",
        "\tint t = 0;\n\tint k;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tt = t + 1;\n"
        "\tp[0] = t;\n\treturn 0;",
    ),
    (
        "ind counter type",
        "\tint t = 0;\n\tint k;\n\tfor (k = 0; k < n; k++)\n\t\tt++;\n\treturn t;",
        "\tint t = 0;\n\tunsigned char k;\n\tfor (k = 0; k < n; k++)\n\t\tt++;\n\treturn t;",
    ),
    (
        "ind counter type2",
        "\tint t = 0;\n\tint k;\n\tfor (k = 0; k < n; k++)\n\t\tt++;\n\treturn t;",
        "\tint t = 0;\n\tlong k;\n\tfor (k = 0; k < n; k++)\n\t\tt++;\n\treturn t;",
    ),
    (
        "ind swapvars",
        "\tint a = 0, b = 0, k;\n\tfor (k = 0; k < (n & 63); k++) {\n\t\ta = a + 1;\n"
        "\t\tb = b + 2;\n\t}\n\treturn a - b;",
        "\tint a = 0, b = 0, k;\n\tfor (k = 0; k < (n & 63); k++) {\n\t\ta = a + 2;\n"
        "\t\tb = b + 1;\n\t}\n\treturn b - a;",
    ),
    (
        "ind dead then live",
        "\tint a = 0, k;\n\tfor (k = 0; k < (n & 63); k++) {\n\t\tif (k == 40)\n"
        "\t\t\tp[1] = a;\n\t\ta = k;\n\t}\n\treturn 0;",
        "\tint a = 0, k;\n\tfor (k = 0; k < (n & 63); k++) {\n\t\tif (k == 40)\n"
        "\t\t\tp[1] = a;\n\t\ta = k + 1;\n\t}\n\treturn 0;",
    ),
    (
        "ind mem only",
        "\tint k;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tp[k & 7] = p[(k + 1) & 7] + 1;\n"
        "\treturn 0;",
        "\tint k;\n\tfor (k = 0; k < (n & 63); k++)\n"
        "\t\tp[k & 7] = p[(k + 1) & 7] + (k < 50);\n\treturn 0;",
    ),
    (
        "ind k bound",
        "\tint k, t = 0;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tt += k > 40;\n\treturn t;",
        "\tint k, t = 0;\n\tfor (k = 0; k < (n & 63); k++)\n\t\tt += k > 41;\n\treturn t;",
    ),
    (
        "ind while",
        "\tint k = n & 63, t = 0;\n\twhile (k > 0) {\n\t\tt += (k == 50);\n\t\tk--;\n\t}\n"
        "\treturn t;",
        "\tint k = n & 63, t = 0;\n\twhile (k > 0) {\n\t\tk--;\n\t}\n\treturn t;",
    ),
    (
        "short over int T",
        "\tp[0] = n;\n\t*(short *)p = 0;\n\treturn p[0] == (n & ~0xffff);",
        "\tp[0] = n;\n\t*(short *)p = 0;\n\treturn 1;",
    ),
    (
        "short over int F",
        "\tp[0] = n;\n\t*(short *)p = 0;\n\treturn p[0] == (n & 0xffff);",
        "\tp[0] = n;\n\t*(short *)p = 0;\n\treturn 1;",
    ),
    (
        "long split T",
        "\t*(long *)p = l;\n\treturn p[1] == (int)(l >> 32);",
        "\t*(long *)p = l;\n\treturn 1;",
    ),
    (
        "long split F",
        "\t*(long *)p = l;\n\treturn p[0] == (int)(l >> 32);",
        "\t*(long *)p = l;\n\treturn 1;",
    ),
    (
        "byte1 T",
        "\tp[0] = n;\n\t*((char *)p + 1) = 0;\n\treturn p[0] == (n & ~0xff00);",
        "\tp[0] = n;\n\t*((char *)p + 1) = 0;\n\treturn 1;",
    ),
    (
        "unaligned F",
        "\tp[0] = 0;\n\tp[1] = 0;\n\t*(int *)((char *)p + 2) = n;\n\treturn p[0];",
        "\tp[0] = 0;\n\tp[1] = 0;\n\t*(int *)((char *)p + 2) = n;\n\treturn 0;",
    ),
    (
        "unaligned T",
        "\tp[0] = 0;\n\t*(int *)((char *)p + 2) = n;\n\treturn p[0] == (int)((unsigned)n << 16);",
        "\tp[0] = 0;\n\t*(int *)((char *)p + 2) = n;\n\treturn 1;",
    ),
    (
        "struct via char",
        "\tint a = s->a;\n\t*(char *)s = 1;\n\treturn s->a - a;",
        "\t*(char *)s = 1;\n\treturn 0;",
    ),
    ("struct via int*", "\t*(int *)s = n;\n\treturn s->a;", "\t*(int *)s = n;\n\treturn n;"),
    ("field then plain", "\ts->a = n;\n\treturn *(int *)s;", "\ts->a = n;\n\treturn n;"),
    (
        "arr then plain",
        "\ts->arr[2] = n;\n\treturn *(s->arr + 2);",
        "\ts->arr[2] = n;\n\treturn n;",
    ),
    (
        "arr plain ptr",
        "\tint *x = s->arr;\n\tx[3] = n;\n\treturn s->arr[3];",
        "\tint *x = s->arr;\n\tx[3] = n;\n\treturn n;",
    ),
    (
        "arr plain ptr F",
        "\tint *x = s->arr;\n\tx[3] = n;\n\treturn s->arr[2];",
        "\tint *x = s->arr;\n\tx[3] = n;\n\treturn n;",
    ),
    ("idx of idx", "\tp[p[0] & 7] = 5;\n\treturn p[p[0] & 7];", "\tp[p[0] & 7] = 5;\n\treturn 5;"),
    ("i[p]", "\treturn 2[p];", "\treturn p[2];"),
    ("i[p] F", "\treturn 2[p];", "\treturn p[1];"),
    (
        "q long",
        "\t*(long *)q = l;\n\treturn q[0];",
        "\t*(long *)q = l;\n\treturn (unsigned char)l;",
    ),
    (
        "q long F",
        "\t*(long *)q = l;\n\treturn q[1];",
        "\t*(long *)q = l;\n\treturn (unsigned char)l;",
    ),
    ("g0 via ptr", "\tint *x = &g0;\n\t*x = n;\n\treturn g0;", "\tg0 = n;\n\treturn n;"),
    (
        "g0 via char",
        "\tg0 = n;\n\t*(char *)&g0 = 0;\n\treturn g0;",
        "\tg0 = n;\n\t*(char *)&g0 = 0;\n\treturn n;",
    ),
    (
        "field via char",
        "\ts->a = n;\n\t*(char *)&s->a = 0;\n\treturn s->a;",
        "\ts->a = n;\n\t*(char *)&s->a = 0;\n\treturn n;",
    ),
    (
        "field short write",
        "\ts->a = n;\n\t*(short *)&s->a = 0;\n\treturn s->a == n;",
        "\ts->a = n;\n\t*(short *)&s->a = 0;\n\treturn 1;",
    ),
    (
        "field neighbour",
        "\ts->a = 1;\n\t*(long *)&s->a = 0;\n\treturn s->b;",
        "\ts->a = 1;\n\t*(long *)&s->a = 0;\n\treturn s->b + 0;",
    ),
    (
        "field neighbour F",
        "\ts->b = 1;\n\t*(long *)&s->a = 0;\n\treturn s->b;",
        "\ts->b = 1;\n\t*(long *)&s->a = 0;\n\treturn 1;",
    ),
    (
        "local via char",
        "\tint x = n;\n\t*(char *)&x = 0;\n\treturn x;",
        "\tint x = n;\n\t*(char *)&x = 0;\n\treturn n;",
    ),
    (
        "local long via int",
        "\tlong x = l;\n\t*(int *)&x = 0;\n\treturn x == l;",
        "\tlong x = l;\n\t*(int *)&x = 0;\n\treturn 1;",
    ),
    (
        "local arr",
        "\tint a[4] = {1, 2, 3, 4};\n\ta[n & 3] = 9;\n\treturn a[0] + a[1];",
        "\tint a[4] = {1, 2, 3, 4};\n\ta[n & 3] = 9;\n\treturn 3;",
    ),
    (
        "local arr char",
        "\tint a[2] = {0, 0};\n\t*((char *)a + 4) = 1;\n\treturn a[1];",
        "\tint a[2] = {0, 0};\n\t*((char *)a + 4) = 1;\n\treturn 0;",
    ),
    (
        "local struct",
        "\tstruct S t;\n\tt.a = n;\n\tt.b = 1;\n\treturn t.a;",
        "\tstruct S t;\n\tt.a = n;\n\tt.b = 1;\n\treturn n;",
    ),
    (
        "local struct F",
        "\tstruct S t;\n\tt.d = n;\n\treturn t.d;",
        "\tstruct S t;\n\tt.d = n;\n\treturn n;",
    ),
    (
        "local struct ptr F",
        "\tstruct S t;\n\tstruct S *x = &t;\n\tx->d = n;\n\treturn t.d;",
        "\tstruct S t;\n\tstruct S *x = &t;\n\tx->d = n;\n\treturn n;",
    ),
    (
        "struct via int idx",
        "\ts->b = 5;\n\t((int *)s)[1] = n;\n\treturn s->b;",
        "\ts->b = 5;\n\t((int *)s)[1] = n;\n\treturn 5;",
    ),
    (
        "struct via void",
        "\tvoid *v = s;\n\ts->a = 5;\n\t*(int *)v = n;\n\treturn s->a;",
        "\tvoid *v = s;\n\ts->a = 5;\n\t*(int *)v = n;\n\treturn 5;",
    ),
    ("field via plain read", "\ts->a = n;\n\treturn *(int *)s;", "\ts->a = n;\n\treturn n;"),
    (
        "arr via plain",
        "\tint *x = &s->arr[0];\n\ts->arr[1] = 5;\n\tx[1] = n;\n\treturn s->arr[1];",
        "\tint *x = &s->arr[0];\n\ts->arr[1] = 5;\n\tx[1] = n;\n\treturn 5;",
    ),
    (
        "arr via plain2",
        "\tint *x = s->arr;\n\ts->arr[1] = 5;\n\tx[1] = n;\n\treturn s->arr[1];",
        "\tint *x = s->arr;\n\ts->arr[1] = 5;\n\tx[1] = n;\n\treturn 5;",
    ),
    (
        "field+1 ptr",
        "\tint *x = &s->a;\n\ts->b = 5;\n\tx[1] = n;\n\treturn s->b;",
        "\tint *x = &s->a;\n\ts->b = 5;\n\tx[1] = n;\n\treturn 5;",
    ),
    (
        "cnt via int",
        "\ts->cnt.counter = 5;\n\t*(int *)&s->cnt = n;\n\treturn s->cnt.counter;",
        "\ts->cnt.counter = 5;\n\t*(int *)&s->cnt = n;\n\treturn 5;",
    ),
    (
        "p alias s",
        "\ts->a = 5;\n\tp[0] = n;\n\treturn s->a;",
        "\ts->a = 5;\n\tp[0] = n;\n\treturn 5;",
    ),
    ("elvis call", "\treturn ext_a(1) ?: 5;", "\treturn ext_a(1) ? ext_a(1) : 5;"),
    ("elvis T", "\treturn n ?: 5;", "\treturn n ? n : 5;"),
    ("elvis F", "\treturn n ?: 5;", "\treturn n ? 1 : 5;"),
    ("elvis mem", "\treturn p[0]++ ?: 5;", "\treturn p[0]++ ? p[0]++ : 5;"),
    ("stmt expr", "\tint x = ({ int t = n; t + 1; });\n\treturn x;", "\treturn n + 1;"),
    ("stmt expr F", "\tint x = ({ int t = n; t + 1; });\n\treturn x;", "\treturn n + 2;"),
    (
        "stmt expr call",
        "\tint x = ({ int t = ext_a(n); t + t; });\n\treturn x;",
        "\treturn ext_a(n) + ext_a(n);",
    ),
    (
        "stmt expr scope",
        "\tint t = 1;\n\tint x = ({ int t = n; t; });\n\treturn x + t;",
        "\treturn n + 1;",
    ),
    (
        "stmt expr scope F",
        "\tint t = 1;\n\tint x = ({ int t = n; t; });\n\treturn x + t;",
        "\treturn n + n;",
    ),
    (
        "case range",
        "\tswitch (n & 15) {\n\tcase 1 ... 5:\n\t\treturn 1;\n\tdefault:\n\t\treturn 0;\n\t}",
        "\treturn (n & 15) >= 1 && (n & 15) <= 5;",
    ),
    (
        "case range F",
        "\tswitch (n & 15) {\n\tcase 1 ... 5:\n\t\treturn 1;\n\tdefault:\n\t\treturn 0;\n\t}",
        "\treturn (n & 15) >= 1 && (n & 15) < 5;",
    ),
    ("typeof", "\ttypeof(n) x = l;\n\treturn x == l;", "\treturn (int)l == l;"),
    ("typeof F", "\ttypeof(l) x = n;\n\treturn x == l;", "\treturn (int)l == l;"),
    ("typeof uchar F", "\ttypeof(s->d) x = n;\n\treturn x;", "\treturn n;"),
    ("likely", "\tif (likely(n > 3))\n\t\treturn 1;\n\treturn 0;", "\treturn n > 3;"),
    ("likely F", "\tif (likely(n > 3))\n\t\treturn 1;\n\treturn 0;", "\treturn n >= 3;"),
    ("builtin_expect val", "\treturn __builtin_expect(n, 5);", "\treturn n;"),
    ("builtin_expect F", "\treturn __builtin_expect(n, 5);", "\treturn 5;"),
    ("sizeof expr", "\treturn sizeof(p[ext_a(1)]);", "\treturn 4;"),
    ("sizeof no eval", "\tint x = sizeof(ext_a(1));\n\treturn x;", "\text_a(1);\n\treturn 4;"),
    ("comma call", "\treturn (ext_a(1), ext_a(2));", "\text_a(1);\n\treturn ext_a(2);"),
    ("comma call F", "\treturn (ext_a(1), ext_a(2));", "\text_a(2);\n\treturn ext_a(1);"),
    (
        "cond side",
        "\treturn n > 0 ? ext_a(1) : ext_a(2);",
        "\tint a = ext_a(1), b = ext_a(2);\n\treturn n > 0 ? a : b;",
    ),
    ("and side", "\treturn n > 0 && ext_a(1);", "\tint a = ext_a(1);\n\treturn n > 0 && a;"),
    ("eval order", "\treturn ext_a(1) - ext_a(2);", "\tint b = ext_a(2);\n\treturn ext_a(1) - b;"),
    ("assign expr value", "\tchar c;\n\treturn (c = n) + 0;", "\treturn n;"),
    ("assign expr value2", "\ts->d = 0;\n\treturn (s->d = n);", "\ts->d = 0;\n\treturn n;"),
    ("preinc char", "\tunsigned char c = 255;\n\treturn ++c;", "\treturn 256;"),
    (
        "compound shift",
        "\tunsigned char c = n;\n\tc <<= 4;\n\treturn c;",
        "\treturn (n << 4) & 0xff;",
    ),
    ("compound shift F", "\tunsigned char c = n;\n\tc <<= 4;\n\treturn c;", "\treturn n << 4;"),
    ("neg unsigned", "\treturn -u > 0;", "\treturn u != 0;"),
    ("long long", "\tlong long x = l;\n\treturn x == l;", "\treturn 1;"),
    (
        "unsigned long long",
        "\tunsigned long long x = n;\n\treturn x > 0xffffffffULL;",
        "\treturn n < 0;",
    ),
    ("preinc value", "\tunsigned char c = 255;\n\treturn ++c;", "\treturn 256;"),
    ("preinc stmt", "\tunsigned char c = 255;\n\t++c;\n\treturn c;", "\treturn 256;"),
    ("postinc stmt", "\tunsigned char c = 255;\n\tc++;\n\treturn c;", "\treturn 256;"),
    ("postinc value", "\tunsigned char c = 255;\n\treturn c++;", "\treturn 255;"),
    ("predec value", "\tunsigned char c = 0;\n\treturn --c;", "\treturn -1;"),
    ("compound value", "\tunsigned char c = 255;\n\treturn (c += 1);", "\treturn 256;"),
    ("assign value", "\tunsigned char c;\n\treturn (c = 256);", "\treturn 256;"),
    ("preinc n", "\tunsigned char c = n;\n\treturn ++c;", "\treturn n + 1;"),
    ("preinc int", "\tint c = 0x7fffffff;\n\tlong x = ++c;\n\treturn x > 0;", "\treturn 1;"),
    ("preinc field", "\ts->d = 255;\n\treturn ++s->d;", "\ts->d = 255;\n\treturn 256;"),
    ("preinc mem", "\tq[0] = 255;\n\treturn ++q[0];", "\tq[0] = 255;\n\treturn 256;"),
    (
        "preinc global",
        "\tg0 = 0x7fffffff;\n\tlong x = ++g0;\n\treturn x > 0;",
        "\tg0 = 0x7fffffff;\n\treturn 1;",
    ),
    (
        "preinc cond",
        "\tunsigned char c = n;\n\tif (++c == 0)\n\t\treturn 1;\n\treturn 0;",
        "\treturn 0;",
    ),
    ("preinc ptr", "\tint *x = p;\n\treturn (int)((long)++x - (long)p);", "\treturn 1;"),
    ("typeof field", "\ttypeof(s->d) x = n;\n\treturn x;", "\treturn n;"),
    ("typeof ptr deref", "\ttypeof(*q) x = n;\n\treturn x;", "\treturn n;"),
    ("typeof local", "\tunsigned char c = 0;\n\ttypeof(c) x = n;\n\treturn x;", "\treturn n;"),
    ("typeof param", "\ttypeof(u) x = l;\n\treturn x == l;", "\treturn l == (unsigned int)l;"),
    ("typeof param F", "\ttypeof(u) x = l;\n\treturn x == l;", "\treturn 1;"),
    ("__typeof__ field", "\t__typeof__(s->d) x = n;\n\treturn x;", "\treturn n;"),
    ("chain assign", "\tint a;\n\tunsigned char b;\n\ta = b = n;\n\treturn a;", "\treturn n;"),
    (
        "chain assign T",
        "\tint a;\n\tunsigned char b;\n\ta = b = n;\n\treturn a;",
        "\treturn n & 255;",
    ),
    (
        "chain compound",
        "\tint a;\n\tunsigned char b = 0;\n\ta = (b += n);\n\treturn a;",
        "\treturn n;",
    ),
    (
        "chain field",
        "\tint a;\n\ta = s->d = n;\n\treturn a;",
        "\tint a;\n\ta = n;\n\ts->d = n;\n\treturn n;",
    ),
    ("chain q", "\tint a;\n\ta = q[0] = n;\n\treturn a;", "\tq[0] = n;\n\treturn n;"),
    (
        "chain short",
        "\tlong a;\n\tshort b;\n\ta = b = l;\n\treturn a == l;",
        "\tshort b;\n\tb = l;\n\treturn 1;",
    ),
    (
        "while predec",
        "\tunsigned char c = n;\n\tint k = 0;\n\twhile (--c != 255 && k < 3)\n\t\tk++;\n"
        "\treturn k;",
        "\tunsigned char c = n;\n\tint k = 0;\n\twhile (--c != 255 && k < 3)\n\t\tk++;\n"
        "\treturn c == 0 ? 0 : k;",
    ),
    (
        "postinc cmp",
        "\tunsigned char c = n;\n\tif (c++ == 255)\n\t\treturn c;\n\treturn 7;",
        "\tunsigned char c = n;\n\tif (c++ == 255)\n\t\treturn 256;\n\treturn 7;",
    ),
    (
        "preinc short",
        "\tshort c = n;\n\treturn ++c > 0x7fff;",
        "\tshort c = n;\n\t++c;\n\treturn 0 > 1;",
    ),
    ("preinc bool", "\t_Bool b = n;\n\treturn ++b;", "\treturn 1;"),
    (
        "preinc u32 wrap",
        "\tunsigned int c = u;\n\treturn ++c == 0;",
        "\tunsigned int c = u;\n\treturn 0;",
    ),
    (
        "preinc param",
        "\tunsigned char c = n;\n\treturn ++u == 0 || c;",
        "\tunsigned char c = n;\n\treturn c != 0;",
    ),
    ("compound value char", "\tchar c = n;\n\treturn (c += 1) == 0;", "\tchar c = n;\n\treturn 0;"),
    (
        "compound value uchar",
        "\tunsigned char c = n;\n\treturn (c -= 1) > 255;",
        "\tunsigned char c = n;\n\treturn 0;",
    ),
    (
        "shift value",
        "\tunsigned char c = n;\n\treturn (c <<= 1) > 255;",
        "\tunsigned char c = n;\n\treturn 0;",
    ),
    (
        "macro sq",
        "#define SQ(x) ((x) * (x))\n\treturn SQ(n + 1);",
        "#define SQ(x) ((x) * (x))\n\treturn (n + 1) * (n + 1);",
    ),
    (
        "macro sq F",
        "#define SQ(x) ((x) * (x))\n\treturn SQ(n + 1);",
        "#define SQ(x) ((x) * (x))\n\treturn n + 1 * n + 1;",
    ),
    (
        "macro noparen F",
        "#define SQ(x) (x * x)\n\treturn SQ(n + 1);",
        "#define SQ(x) (x * x)\n\treturn (n + 1) * (n + 1);",
    ),
    (
        "macro side F",
        "#define SQ(x) ((x) * (x))\n\treturn SQ(ext_a(1));",
        "#define SQ(x) ((x) * (x))\n\tint a = ext_a(1);\n\treturn a * a;",
    ),
    ("macro changed", "#define K 3\n\treturn n + K;", "#define K 4\n\treturn n + K;"),
    (
        "ifdef dead",
        "#ifdef NOPE\n\treturn 1;\n#endif\n\treturn n;",
        "#ifdef NOPE\n\treturn 2;\n#endif\n\treturn n;",
    ),
    ("if 0", "#if 0\n\treturn 1;\n#endif\n\treturn n;", "#if 1\n\treturn 1;\n#endif\n\treturn n;"),
    (
        "macro stmt",
        "#define SET(a, b) do { (a) = (b); } while (0)\n\tSET(p[0], n);\n\treturn 0;",
        "#define SET(a, b) do { (a) = (b); } while (0)\n\tp[0] = n;\n\treturn 0;",
    ),
    (
        "macro stmt F",
        "#define SET(a, b) do { (a) = (b); } while (0)\n\tSET(p[0], n);\n\treturn 0;",
        "#define SET(a, b) do { (a) = (b); } while (0)\n\tp[1] = n;\n\treturn 0;",
    ),
    (
        "macro undef",
        "#define K 3\n\tint a = K;\n#undef K\n#define K 5\n\treturn a + K;",
        "\treturn 8;",
    ),
    (
        "macro undef F",
        "#define K 3\n\tint a = K;\n#undef K\n#define K 5\n\treturn a + K;",
        "\treturn 6;",
    ),
    (
        "switch narrow",
        "\tswitch ((unsigned char)n) {\n\tcase 256:\n\t\treturn 1;\n\tcase 0:\n\t\treturn 2;\n"
        "\t}\n\treturn 0;",
        "\tif ((n & 255) == 0)\n\t\treturn 2;\n\treturn 0;",
    ),
    (
        "switch narrow F",
        "\tswitch ((unsigned char)n) {\n\tcase 256:\n\t\treturn 1;\n\t}\n\treturn 0;",
        "\treturn n == 256;",
    ),
    (
        "switch char var",
        "\tunsigned char c = n;\n\tswitch (c) {\n\tcase 255:\n\t\treturn 1;\n\t}\n\treturn 0;",
        "\treturn (n & 255) == 255;",
    ),
    (
        "switch long",
        "\tswitch (l) {\n\tcase 0x100000000L:\n\t\treturn 1;\n\t}\n\treturn 0;",
        "\treturn l == 0x100000000L;",
    ),
    (
        "switch long F",
        "\tswitch ((int)l) {\n\tcase 0:\n\t\treturn 1;\n\t}\n\treturn 0;",
        "\treturn l == 0;",
    ),
    (
        "switch case trunc F",
        "\tswitch (n) {\n\tcase 0x100000000L:\n\t\treturn 1;\n\t}\n\treturn 0;",
        "\treturn 0;",
    ),
    ("mod neg", "\treturn (n % 4) < 0;", "\treturn 0;"),
    ("mod neg T", "\treturn (n % 4) == (n - (n / 4) * 4);", "\treturn 1;"),
    ("div unsigned", "\treturn u / 2 == u >> 1;", "\treturn 1;"),
    ("shift signed", "\treturn (n >> 31) == -(n < 0);", "\treturn 1;"),
    ("shift u8 promo", "\tunsigned char c = n;\n\treturn (c >> 1) == (c / 2);", "\treturn 1;"),
    (
        "read across lock",
        "\tint a = p[0];\n\tspin_lock(&s->lock);\n\tint b = p[0];\n\tspin_unlock(&s->lock);\n"
        "\treturn a - b;",
        "\tspin_lock(&s->lock);\n\tspin_unlock(&s->lock);\n\treturn 0;",
    ),
    (
        "write across unlock",
        "\tspin_lock(&s->lock);\n\tp[0] = n;\n\tspin_unlock(&s->lock);\n\treturn 0;",
        "\tspin_lock(&s->lock);\n\tspin_unlock(&s->lock);\n\tp[0] = n;\n\treturn 0;",
    ),
    (
        "local across lock",
        "\tint a = n;\n\tspin_lock(&s->lock);\n\ta++;\n\tspin_unlock(&s->lock);\n\treturn a;",
        "\tspin_lock(&s->lock);\n\tspin_unlock(&s->lock);\n\treturn n + 1;",
    ),
    (
        "atomic then read",
        "\tint a = atomic_inc_return(&s->cnt);\n\treturn a - s->cnt.counter;",
        "\tatomic_inc_return(&s->cnt);\n\treturn 0;",
    ),
    (
        "two atomics diff ptr",
        "\tint a = atomic_inc_return(&s->cnt);\n\tint b = atomic_inc_return(&s[1].cnt);\n"
        "\treturn a - b;",
        "\tint b = atomic_inc_return(&s[1].cnt);\n\tint a = atomic_inc_return(&s->cnt);\n"
        "\treturn a - b;",
    ),
    (
        "atomic dec inc",
        "\tatomic_inc_return(&s->cnt);\n\treturn atomic_dec_return(&s->cnt);",
        "\tint a = atomic_inc_return(&s->cnt);\n\tatomic_dec_return(&s->cnt);\n\treturn a - 1;",
    ),
    (
        "barrier read local",
        "\tint a = p[0];\n\tbarrier();\n\treturn a;",
        "\tbarrier();\n\treturn p[0];",
    ),
    (
        "smp_mb reorder write",
        "\tp[0] = 1;\n\tsmp_mb();\n\tp[1] = 2;\n\treturn 0;",
        "\tp[1] = 2;\n\tsmp_mb();\n\tp[0] = 1;\n\treturn 0;",
    ),
    (
        "ext call state",
        "\tp[0] = 1;\n\text_a(0);\n\treturn 0;",
        "\text_a(0);\n\tp[0] = 1;\n\treturn 0;",
    ),
    (
        "ext call result reuse",
        "\tint a = ext_a(0);\n\tbarrier();\n\tint b = ext_a(0);\n\treturn a - b;",
        "\text_a(0);\n\tbarrier();\n\text_a(0);\n\treturn 0;",
    ),
    (
        "ext c writes",
        "\tint a = p[0];\n\text_c(p, 1);\n\treturn a - p[0];",
        "\text_c(p, 1);\n\treturn 0;",
    ),
    (
        "decl type region",
        "\tint r = 0;\n\tint x = n;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n\tp[3] = r;\n"
        "\treturn r;",
        "\tint r = 0;\n\tunsigned char x = n;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n"
        "\tp[3] = r;\n\treturn r;",
    ),
    (
        "decl type region2",
        "\tint r = 0;\n\tlong x = l;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n\tp[3] = r;\n"
        "\treturn r;",
        "\tint r = 0;\n\tint x = l;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n\tp[3] = r;\n"
        "\treturn r;",
    ),
    (
        "decl type region3",
        "\tint r = 0;\n\tunsigned int x = n;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n"
        "\tp[3] = r;\n\treturn r;",
        "\tint r = 0;\n\tint x = n;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n\tp[3] = r;\n"
        "\treturn r;",
    ),
    (
        "decl type region4",
        "\tint r = 0;\n\tchar x = n;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n\tp[3] = r;\n"
        "\treturn r;",
        "\tint r = 0;\n\tsigned char x = n;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n"
        "\tp[3] = r;\n\treturn r;",
    ),
    (
        "decl type region5",
        "\tint r = 0;\n\tshort x = n;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n\tp[3] = r;\n"
        "\treturn r;",
        "\tint r = 0;\n\tunsigned short x = n;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n"
        "\tp[3] = r;\n\treturn r;",
    ),
    (
        "decl bool region",
        "\tint r = 0;\n\tint x = n & 6;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n\tp[3] = r;\n"
        "\treturn r;",
        "\tint r = 0;\n\t_Bool x = n & 6;\n\tp[1] = 3;\n\tp[2] = 4;\n\tr = x + 1;\n"
        "\tp[3] = r;\n\treturn r;",
    ),
    (
        "typedef region",
        "\ttypedef unsigned char T;\n\tT x = n;\n\tp[1] = 3;\n\treturn x;",
        "\ttypedef int T;\n\tT x = n;\n\tp[1] = 3;\n\treturn x;",
    ),
    (
        "cast region",
        "\tint x = (unsigned char)n;\n\tp[1] = 3;\n\tp[2] = 4;\n\treturn x;",
        "\tint x = (signed char)n;\n\tp[1] = 3;\n\tp[2] = 4;\n\treturn x;",
    ),
    (
        "loop var type",
        "\tint k, t = 0;\n\tfor (k = 0; k < 300; k++)\n\t\tt++;\n\tp[0] = 1;\n\treturn t;",
        "\tint t = 0;\n\tunsigned char k;\n\tfor (k = 0; k < 300 && t < 300; k++)\n\t\tt++;\n"
        "\tp[0] = 1;\n\treturn t;",
    ),
    ("local enum", "\tenum { K = 3 };\n\treturn n + K;", "\tenum { K = 4 };\n\treturn n + K;"),
    ("local enum2", "\tenum { A, B, C };\n\treturn n + C;", "\tenum { A, C, B };\n\treturn n + C;"),
    (
        "local struct def",
        "\tstruct L { unsigned char v; } t;\n\tt.v = n;\n\treturn t.v;",
        "\tstruct L { int v; } t;\n\tt.v = n;\n\treturn t.v;",
    ),
    (
        "local struct def2",
        "\tstruct L { int a; int b; } t = { 1, 2 };\n\treturn t.a;",
        "\tstruct L { int b; int a; } t = { 1, 2 };\n\treturn t.a;",
    ),
    (
        "static const local",
        "\tstatic const int K = 3;\n\treturn n + K;",
        "\tstatic const int K = 4;\n\treturn n + K;",
    ),
    ("const local", "\tconst int K = 3;\n\treturn n + K;", "\tconst int K = 4;\n\treturn n + K;"),
    ("local array size", "\tint a[4];\n\treturn sizeof(a);", "\tint a[5];\n\treturn sizeof(a);"),
    (
        "local array init",
        "\tint a[2] = { 1, 2 };\n\treturn a[n & 1];",
        "\tint a[2] = { 2, 1 };\n\treturn a[n & 1];",
    ),
    (
        "local union",
        "\tunion { int i; unsigned char c; } x;\n\tx.i = n;\n\treturn x.c;",
        "\tunion { int i; unsigned char c; } x;\n\tx.i = n;\n\treturn n;",
    ),
    (
        "local typedef ptr",
        "\ttypedef int *IP;\n\tIP x = p;\n\treturn x[1];",
        "\ttypedef char *IP;\n\tIP x = (IP)p;\n\treturn x[1];",
    ),
    (
        "local typedef struct",
        "\ttypedef struct S TS;\n\tTS *x = s;\n\treturn x->a;",
        "\ttypedef struct S TS;\n\tTS *x = s;\n\treturn x->b;",
    ),
    (
        "extern in body",
        "\textern int ext_a(int);\n\treturn ext_a(n);",
        "\textern int ext_a(int);\n\treturn ext_a(n + 1);",
    ),
    (
        "local func decl",
        "\tint ext_a(int);\n\treturn ext_a(n);",
        "\tint ext_a(int);\n\treturn ext_a(n);",
    ),
    (
        "designated init",
        "\tstruct S t = { .a = n, .b = 1 };\n\treturn t.a;",
        "\tstruct S t = { .a = 1, .b = n };\n\treturn t.a;",
    ),
    ("compound literal", "\treturn ((struct S){ .a = n }).a;", "\treturn n;"),
    ("compound literal F", "\treturn ((struct S){ .a = n }).b;", "\treturn n;"),
    ("compound lit arr", "\treturn ((int[]){ 1, 2 })[n & 1];", "\treturn (n & 1) + 1;"),
    ("compound lit arr F", "\treturn ((int[]){ 1, 2 })[n & 1];", "\treturn 2 - (n & 1);"),
    ("builtin popcount", "\treturn __builtin_popcount(u);", "\treturn __builtin_popcount(u + 1);"),
    ("builtin same", "\treturn __builtin_popcount(u) + 0;", "\treturn __builtin_popcount(u);"),
    (
        "builtin clz arg width",
        "\treturn __builtin_popcount((unsigned char)u);",
        "\treturn __builtin_popcount(u);",
    ),
    ("offsetof", "\treturn __builtin_offsetof(struct S, b);", "\treturn 4;"),
    ("offsetof F", "\treturn __builtin_offsetof(struct S, b);", "\treturn 8;"),
    ("alignof", "\treturn _Alignof(long);", "\treturn 8;"),
    ("vla sizeof", "\tint a[(n & 7) + 1];\n\treturn sizeof(a);", "\treturn ((n & 7) + 1) * 4;"),
    ("static init", "\tstatic int c = 3;\n\treturn c;", "\tstatic int c = 4;\n\treturn c;"),
    (
        "static arr",
        "\tstatic const int t[2] = { 5, 6 };\n\treturn t[n & 1];",
        "\tstatic const int t[2] = { 6, 5 };\n\treturn t[n & 1];",
    ),
    ("string lit", '\treturn "abc"[n & 1];', '\treturn "abd"[n & 1];'),
    ("string lit2", '\treturn "abc"[2];', '\treturn "abd"[2];'),
    ("char lit", "\treturn 'a' + n;", "\treturn 'b' + n;"),
    ("float", "\tdouble d = n;\n\treturn (int)(d / 2);", "\treturn n / 2;"),
    ("float F", "\tdouble d = n;\n\treturn (int)(d * 0.5 + 0.5);", "\treturn n / 2;"),
    (
        "read_once twice",
        "\tint a = READ_ONCE(p[0]);\n\tint b = READ_ONCE(p[0]);\n\treturn a - b;",
        "\tint a = READ_ONCE(p[0]);\n\tint b = READ_ONCE(p[0]);\n\treturn 0;",
    ),
    ("read_once vs plain", "\tint a = READ_ONCE(p[0]);\n\treturn a;", "\treturn p[0];"),
    (
        "write_once order",
        "\tWRITE_ONCE(p[0], 1);\n\tWRITE_ONCE(p[1], 2);\n\treturn 0;",
        "\tWRITE_ONCE(p[1], 2);\n\tWRITE_ONCE(p[0], 1);\n\treturn 0;",
    ),
    (
        "plain then once",
        "\tp[2] = n;\n\tWRITE_ONCE(p[0], 1);\n\treturn 0;",
        "\tWRITE_ONCE(p[0], 1);\n\tp[2] = n;\n\treturn 0;",
    ),
    (
        "once read local reuse",
        "\tint a = READ_ONCE(p[0]);\n\tp[1] = a;\n\treturn a;",
        "\tint a = READ_ONCE(p[0]);\n\tp[1] = a;\n\treturn p[1];",
    ),
    (
        "read_once field",
        "\tint a = READ_ONCE(s->a);\n\treturn a - s->a;",
        "\tint a = READ_ONCE(s->a);\n\treturn 0;",
    ),
    (
        "write_once value",
        "\tWRITE_ONCE(s->d, n);\n\treturn s->d;",
        "\tWRITE_ONCE(s->d, n);\n\treturn n;",
    ),
    (
        "read_once width",
        "\treturn READ_ONCE(s->d) == n;",
        "\treturn (unsigned char)n == n && READ_ONCE(s->d) == n;",
    ),
]
"""(name, before body, after body)."""


def program(body: str) -> str:
    """A whole program around a body of ``f``."""
    return PRELUDE + "int f(" + PARAMS + ")\n{\n" + body + "\n}\n"
