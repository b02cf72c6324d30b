"""Argument and result widths read from C text (no angr needed)."""

from __future__ import annotations

from equivcheck.binary.signatures import CType, SignatureTable, signature

UNIT = """
typedef unsigned int gfp_t;
typedef unsigned long pteval_t;
typedef struct { pteval_t pte; } pte_t;
typedef struct { unsigned long val; } swp_entry_t;
typedef _Bool bool;
enum ttu_flags { TTU_SYNC = 1 };
struct folio;
struct vm_area_struct;

extern bool folio_test_dirty(struct folio *folio);
extern void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte,
                     unsigned int nr);
int swap_duplicate(swp_entry_t entry);
long mixed(short a, unsigned char b, signed char c, long long d, gfp_t g, enum ttu_flags f);
void _printk(const char *fmt, ...);
void __attribute__((__noreturn__)) panic_now(const char *why);
static inline pte_t pte_mkdirty(pte_t pte) { return pte; }
int unknown_param(struct weird w);
"""


def test_pointers_ints_and_bool() -> None:
    table = SignatureTable(UNIT)
    sig = table.get("set_ptes")
    assert sig.params is not None
    assert [str(p) for p in sig.params] == ["ptr", "u64", "ptr", "u64", "u32"]
    assert sig.result is not None and sig.result.void
    dirty = table.get("folio_test_dirty")
    assert dirty.result == CType(8, boolean=True)


def test_single_member_structs_pass_as_their_member() -> None:
    table = SignatureTable(UNIT)
    assert [str(p) for p in table.get("swap_duplicate").params or ()] == ["u64"]
    mkdirty = table.get("pte_mkdirty")
    assert mkdirty.result == CType(64)


def test_widths_and_signs() -> None:
    sig = SignatureTable(UNIT).get("mixed")
    assert [str(p) for p in sig.params or ()] == ["s16", "u8", "s8", "s64", "u32", "u32"]
    assert sig.result == CType(64, signed=True)


def test_variadic_noreturn_and_unknown() -> None:
    table = SignatureTable(UNIT)
    printk = table.get("_printk")
    assert printk.variadic and printk.params == (CType(64, pointer=True),)
    assert table.get("panic_now").noreturn
    assert table.get("unknown_param").params is None
    missing = signature(UNIT, "not_declared")
    assert not missing.known and missing.result is None


def test_a_call_in_a_body_is_not_a_prototype() -> None:
    # the front end's reader (frontend/unit/prototypes.py) counts file-scope declarations only
    text = "int first(int x)\n{\n\treturn later(x);\n}\nshort later(long x);\n"
    sig = SignatureTable(text).get("later")
    assert sig.params == (CType(64, signed=True),)
    assert sig.result == CType(16, signed=True)
