"""find_functions on raw C: fixtures and the real mm/rmap.c."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from equivcheck.frontend.source.cfuncs import find_functions, function_at

TRICKY = """\
#define LOOKS_LIKE(x) \\
	static int fake(void) { return x; }
/* int commented(void) { } */
static const char *s = "int in_string(void) {";
struct thing {
	int (*op)(int);
};
static struct thing things[] = {
	{ .op = NULL },
};

static int __init __must_check setup_it(int a)
	__releases(ptl)
{
	char c = '}';
	if (a) {
		return c;
	}
	return 0;
}
EXPORT_SYMBOL(setup_it);

static __printf(2, 3) void say(int lvl, const char *fmt, ...)
{
}

SYSCALL_DEFINE3(frob, int, a, int, b, int, c)
{
	return a + b + c;
}

COMPAT_SYSCALL_DEFINE1(frob, int, a) { return a; }

static inline bool tiny(void) { return true; }
"""


def test_tricky_constructs() -> None:
    found = [
        (f.name, f.start_line, f.body_start_line, f.end_line, f.is_static, f.is_inline)
        for f in find_functions(TRICKY)
    ]
    assert found == [
        ("setup_it", 12, 14, 20, True, False),
        ("say", 23, 24, 25, True, False),
        ("sys_frob", 27, 28, 30, False, False),
        ("compat_sys_frob", 32, 32, 32, False, False),
        ("tiny", 34, 34, 34, True, True),
    ]
    setup = find_functions(TRICKY)[0]
    assert setup.header_text == (
        "static int __init __must_check setup_it(int a)\n\t__releases(ptl)"
    )


def test_fixture_source(fixtures_dir: Path) -> None:
    text = (fixtures_dir / "patches" / "src" / "ringbuf.c").read_text()
    funcs = find_functions(text)
    assert [(f.name, f.start_line, f.end_line) for f in funcs] == [
        ("ring_count", 29, 32),
        ("ring_push", 34, 48),
        ("ring_pop", 50, 63),
        ("ring_reset", 65, 74),
        ("sys_ring_push", 77, 80),
    ]
    pop = funcs[2]
    assert pop.body_start_line == 52  # after the __must_hold() annotation line
    assert function_at(funcs, 45) is funcs[1]
    assert function_at(funcs, 33) is None
    assert function_at(funcs, 77) is funcs[4]


@pytest.mark.kernel
def test_real_rmap(kernel_tree: Path) -> None:
    text = (kernel_tree / "mm" / "rmap.c").read_text()
    started = time.perf_counter()
    funcs = find_functions(text)
    assert time.perf_counter() - started < 1.0
    by_name = {f.name: f for f in funcs}
    lines = text.split("\n")
    for name in (
        "try_to_unmap_one",
        "folio_referenced_one",
        "try_to_migrate_one",
        "anon_vma_clone",
        "rmap_walk_anon",
    ):
        func = by_name[name]
        assert lines[func.start_line - 1].startswith(("static ", "int ", "void ")), name
        assert f"{name}(" in lines[func.start_line - 1]
        assert lines[func.body_start_line - 1] == "{"
        assert lines[func.end_line - 1] == "}"
        assert func.start_line < func.body_start_line < func.end_line
    tuo = by_name["try_to_unmap_one"]
    assert tuo.is_static and not tuo.is_inline
    assert tuo.header_text.startswith("static bool try_to_unmap_one(struct folio *folio,")
    # every definition whose body opens with '{' in column 0 is found
    openings = {i for i, ln in enumerate(lines, start=1) if ln.startswith("{")}
    assert openings <= {f.body_start_line for f in funcs}
    assert function_at(funcs, tuo.start_line + 5) is tuo


@pytest.mark.kernel
@pytest.mark.parametrize("path", ["kernel/sys.c", "mm/mmap.c", "fs/namei.c", "mm/memory.c"])
def test_real_files_find_every_column0_body(kernel_tree: Path, path: str) -> None:
    text = (kernel_tree / path).read_text()
    funcs = find_functions(text)
    lines = text.split("\n")
    openings = {i for i, ln in enumerate(lines, start=1) if ln.startswith("{")}
    assert openings <= {f.body_start_line for f in funcs}
    assert all(lines[f.end_line - 1].rstrip().endswith("}") for f in funcs)
    if path == "mm/mmap.c":
        assert "sys_mmap_pgoff" in {f.name for f in funcs}


MACROS_WITHOUT_SEMICOLONS = """\
DEFINE_LOCK_GUARD_0(no_notify,
		_T->flags = save(),
		restore(_T->flags),
		unsigned int flags)

static inline int pending(struct task *p)
{
	return 1;
}

static enum result {
	OK,
	ERR,
} prepare(struct op *op)
{
	return OK;
}

static int (*pick(int how))(int)
{
	return 0;
}

static inline void BTREE_FN(init)(struct head *head)
{
}

static int left_open(void)
{
	if (x) {
"""


def test_one_finder_names_and_starts() -> None:
    """The finder raw source shares with preprocessed text: a macro call without a
    semicolon neither names the function after it nor starts it; a declaration that
    defines its return type starts at that type; a function returning a function
    pointer is named by the name inside; a body the text never closes is left out."""
    funcs = {f.name: f for f in find_functions(MACROS_WITHOUT_SEMICOLONS)}
    assert list(funcs) == ["pending", "prepare", "pick", "BTREE_FN"]
    # the macro call's lines belong to no function: a change there is outside them all
    assert (funcs["pending"].start_line, funcs["pending"].header_text) == (
        6,
        "static inline int pending(struct task *p)",
    )
    assert (funcs["prepare"].start_line, funcs["prepare"].is_static) == (11, True)
    assert (funcs["pick"].start_line, funcs["pick"].body_start_line) == (19, 20)
