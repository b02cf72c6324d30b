"""Token-scan helpers of the GNU C layer: typedef names, function definitions."""

from __future__ import annotations

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.gnuc import (
    cut_function,
    guess_typedef_names,
    list_function_definitions,
    typedef_names,
)
from equivcheck.frontend.gnuc.scan import FileScope, closing_brace, closing_paren

I_TEXT = """\
# 1 "include/linux/types.h" 1
typedef unsigned int u32;
typedef struct { int counter; } atomic_t;
typedef struct page_s { long flags; } page_t, *page_p;
typedef void (*fn_t)(int how);
typedef void *(mempool_alloc_t)(u32 gfp_mask, void *pool_data);
typedef u32 gfp_t;
typedef int arr_t[16];
typedef __typeof__(sizeof(int)) size_t __attribute__((aligned(8)));
struct s { int typedef_like; };
static inline __attribute__((always_inline)) int helper(atomic_t *v)
{
 typedef int local_t;
 return v->counter + (int)sizeof(local_t);
}
# 10 "mm/x.c"
static int table[] = { 1, 2, 3 };
struct ops { int (*open)(int); } my_ops = { .open = 0 };
int answer(void);

int answer(void)
{
 const char *s = "}{";
 char c = '}';
 return 42;
}
void (*pick(int how))(int)
{
 return 0;
}
"""


def test_typedef_names_file_scope() -> None:
    names = typedef_names(I_TEXT)
    expected = {
        "u32",
        "atomic_t",
        "page_t",
        "page_p",
        "fn_t",
        "mempool_alloc_t",
        "gfp_t",
        "arr_t",
        "size_t",
    }
    assert expected <= names
    assert "local_t" not in names  # block scope
    assert "page_s" not in names and "s" not in names


def test_list_function_definitions() -> None:
    found = list_function_definitions(I_TEXT)
    assert [name for name, _, _ in found] == ["helper", "answer", "pick"]
    _, start, end = found[1]
    assert I_TEXT[start:end].startswith("int answer(void)\n{")
    assert I_TEXT[start:end].endswith("return 42;\n}")


def test_cut_function_location_and_typedefs() -> None:
    func = cut_function(I_TEXT, "answer")
    assert (func.file, func.start_line) == ("mm/x.c", 14)
    assert func.text.startswith("int answer(void)")
    assert "atomic_t" in func.typedefs
    helper = cut_function(I_TEXT, "helper")
    assert (helper.file, helper.start_line) == ("include/linux/types.h", 10)


def test_cut_function_absent() -> None:
    with pytest.raises(InputError):
        cut_function(I_TEXT, "nonexistent")


def test_guess_typedef_names() -> None:
    code = """
static int foo(struct page *page, pgoff_t idx, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t pte = ptep_get(pvmw.pte);
	struct folio *folio = (struct folio *)x;
	swp_entry_t entry;
	u64 v = (u64)addr;
	int n = (int)idx;
	if (a * b)
		return (foo_t *)p - q;
	return count * 2;
}
"""
    names = guess_typedef_names(code)
    assert {"pgoff_t", "spinlock_t", "pte_t", "swp_entry_t", "u64", "foo_t"} <= names
    assert not names & {"page", "folio", "struct", "int", "a", "b", "count", "ptl", "foo"}


def test_one_bracket_matcher() -> None:
    text = 'f(a, (b), "(") { int x[] = { 1 }; } tail'
    assert closing_paren("(a(b)c)d", 0) == 7
    assert closing_paren("(a(b", 0) is None
    assert closing_brace(text, text.index("{")) == text.index(" tail")
    assert closing_brace("{ {", 0) is None
    unit = 'int a; "x" struct s { int b; } c;\n# 1 "t.h"\nint d;'
    scope = FileScope(unit)
    assert 0 in scope and unit.index("c;") in scope and unit.index("int d") in scope
    assert unit.index("x") not in scope  # a literal
    assert unit.index("int b") not in scope  # inside braces
    assert unit.index("# 1") not in scope  # a directive
