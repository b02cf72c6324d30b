"""tree.py: opening trees, reading files, the typedef scan and its cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.tree import open_tree, typedef_names_in

HEADER = """\
typedef unsigned long pgd_t; /* comment */
typedef struct { unsigned long pte; } pte_t;
typedef int (*fn_t)(int a, int (*b)(void));
typedef int func_t(int a, int b);
typedef struct foo foo_t, *foo_p;
typedef __u64 __bitwise __le64;
typedef struct {
\tint x;
} __aligned(8) al_t;
typedef u64 attr_t __attribute__((aligned(8)));
typedef char arr_t[16];
struct notdef { int a; } var;
typedef DEFINE_MIN_HEAP(char, min_heap_char) min_heap_char;
typedef DECLARE_BITMAP(mce_banks_t, 64);
#define pgoff_t unsigned long
#define NOT_A_TYPE 12
/* typedef int in_comment_t; */
"""


def fake_tree(root: Path) -> Path:
    (root / "mm").mkdir(parents=True)
    (root / "include/linux").mkdir(parents=True)
    (root / "Makefile").write_text("all:\n")
    (root / "include/linux/types.h").write_text(HEADER)
    (root / "mm/x.c").write_text("int x;\n")
    return root


def test_typedef_names_in() -> None:
    assert typedef_names_in(HEADER) == {
        "pgd_t",
        "pte_t",
        "fn_t",
        "func_t",
        "foo_t",
        "foo_p",
        "__le64",
        "al_t",
        "attr_t",
        "arr_t",
        "min_heap_char",
        "mce_banks_t",
        "pgoff_t",
    }


def test_open_tree_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such directory"):
        open_tree(tmp_path / "nope")
    (tmp_path / "Makefile").write_text("")
    with pytest.raises(InputError, match="not a Linux kernel tree"):
        open_tree(tmp_path)


def test_tree_basics(tmp_path: Path) -> None:
    tree = open_tree(fake_tree(tmp_path / "t"))
    assert tree.root.is_absolute()
    assert not tree.is_git and not tree.configured
    assert tree.read("mm/x.c") == "int x;\n"
    with pytest.raises(InputError, match="no such file"):
        tree.read("mm/nope.c")
    (tree.root / ".git").mkdir()
    assert tree.is_git


def test_typedef_scan_is_cached(tmp_path: Path) -> None:
    tree = open_tree(fake_tree(tmp_path / "t"))
    cache = tmp_path / "cache"
    first = tree.scan_typedefs(cache)
    assert not first.cached and "pte_t" in first.names
    second = tree.scan_typedefs(cache)
    assert second.cached and second.names == first.names
    (tree.root / "include/linux/new.h").write_text("typedef int new_t;\n")  # dir mtime moves
    third = tree.scan_typedefs(cache)
    assert not third.cached and "new_t" in third.names
    assert tree.header_typedef_names(cache) == third.names


@pytest.mark.kernel
def test_typedef_scan_of_the_real_tree(kernel_tree: Path, tmp_path: Path) -> None:
    tree = open_tree(kernel_tree)
    assert tree.configured
    scan = tree.scan_typedefs(tmp_path)
    wanted = {"pte_t", "pmd_t", "spinlock_t", "atomic_t", "gfp_t", "u64", "bool", "pgoff_t"}
    assert wanted <= scan.names
    assert not {"int", "struct", "if", "unsigned"} & scan.names
    assert scan.seconds < 10
    assert tree.scan_typedefs(tmp_path).cached


HEADER_MORE = """\
#ifdef __cplusplus
extern "C" {
#endif
typedef u64 (*bpf_callback_t)(u64, u64);
typedef void (bh_end_io_t)(struct buffer_head *bh, int uptodate);
typedef __printf(1, 2) int (*kdb_printf_t)(const char *, ...);
typedef enum rq_end_io_ret (rq_end_io_fn)(struct request *, blk_status_t);
#define DECLARE_THING(name) \\
	typedef struct { int x; } name##_t;
"""


def test_typedef_names_in_reads_headers_as_units_are_read() -> None:
    """The header scan is the unit's scan: an unknown return type before ``(*name)``,
    a parenthesised function type, an annotation macro; a tag is no typedef name, a
    macro's body declares nothing, and ``extern "C" {`` hides nothing."""
    assert typedef_names_in(HEADER_MORE) == {
        "bpf_callback_t",
        "bh_end_io_t",
        "kdb_printf_t",
        "rq_end_io_fn",
    }
