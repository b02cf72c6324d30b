"""The kernel models: one table says what each modelled function or kept macro reads,
writes and returns (docs/models.md is generated from the same facts).

State components (each keyed by the arguments named in its parts):

- ``flag:<name>``  a PG_ flag of a folio (``dirty``, ``swapbacked``, ``locked``...), 0/1;
- ``refcount``     a folio's reference count;
- ``mapcount``     a folio's map count;
- ``pte``          the page-table entry a ``pte_t *`` points at;
- ``pmd``          the entry a ``pmd_t *`` points at;
- ``mm_counter``   an mm's RSS counter, keyed by mm and counter;
- ``tlb``          pending TLB flushes of an mm (or a vma's mm);
- ``rmap``         a folio's reverse mapping (anon_vma/mapping links);
- ``swap``         swap-cache and swap-count state of a folio or entry;
- ``lru``          a folio's LRU list membership;
- ``mlock``        per-CPU mlock batches.

Ordering points (nothing moves across them): barriers, locks and unlocks, atomics that
return a value. To add a model, add an entry here (or to a family below) and regenerate
docs/models.md (``python -m equivcheck.models.describe > docs/models.md``); a test keeps
the two in step. A kernel name the front end must keep as a call, or that does not
return, is declared in equivcheck/kernel.py; a test joins that table with this one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from equivcheck.kernel import NORETURN
from equivcheck.symex.spec import (
    THROUGH_POINTER,
    Apply,
    Arg,
    Fresh,
    Get,
    Model,
    Neg,
    Num,
    Part,
    Put,
    Sum,
)

# PG_ flags with the usual accessor families (include/linux/page-flags.h).
FOLIO_FLAGS = (
    "locked",
    "referenced",
    "uptodate",
    "dirty",
    "lru",
    "head",
    "waiters",
    "active",
    "workingset",
    "error",
    "owner_priv_1",
    "arch_1",
    "reserved",
    "private",
    "private_2",
    "writeback",
    "mappedtodisk",
    "reclaim",
    "swapbacked",
    "unevictable",
    "mlocked",
    "hwpoison",
    "young",
    "idle",
    "swapcache",
    "checked",
    "anon",
    "anon_exclusive",
    "large",
    "hugetlb",
    "ksm",
    "slab",
    "dropbehind",
    "partially_mapped",
)


def _flag_family(flag: str) -> list[Model]:
    part = Part(f"flag:{flag}", (0,))
    doc = f"PG_{flag} of the folio"
    return [
        Model(
            f"folio_test_{flag}",
            "read",
            reads=(part,),
            result=Get(part),
            result_type="bool",
            doc=f"reads {doc}",
        ),
        Model(
            f"folio_set_{flag}",
            "effect",
            writes=(part,),
            updates=(Put(part, Num(1)),),
            doc=f"sets {doc} (atomic bit op, no value: not an ordering point)",
        ),
        Model(
            f"__folio_set_{flag}",
            "effect",
            writes=(part,),
            updates=(Put(part, Num(1)),),
            doc=f"sets {doc} (non-atomic)",
        ),
        Model(
            f"folio_clear_{flag}",
            "effect",
            writes=(part,),
            updates=(Put(part, Num(0)),),
            doc=f"clears {doc}",
        ),
        Model(
            f"__folio_clear_{flag}",
            "effect",
            writes=(part,),
            updates=(Put(part, Num(0)),),
            doc=f"clears {doc} (non-atomic)",
        ),
        Model(
            f"folio_test_set_{flag}",
            "ordering",
            reads=(part,),
            writes=(part,),
            updates=(Put(part, Num(1)),),
            result=Get(part),
            result_type="bool",
            doc=f"sets {doc}, returns the old value (value-returning atomic: ordering)",
        ),
        Model(
            f"folio_test_clear_{flag}",
            "ordering",
            reads=(part,),
            writes=(part,),
            updates=(Put(part, Num(0)),),
            result=Get(part),
            result_type="bool",
            doc=f"clears {doc}, returns the old value (value-returning atomic: ordering)",
        ),
    ]


def _counts() -> list[Model]:
    ref, mapc = Part("refcount", (0,)), Part("mapcount", (0,))
    folio_all = (ref, mapc, *(Part(f"flag:{f}", (0,)) for f in FOLIO_FLAGS))
    return [
        Model(
            "folio_ref_count",
            "read",
            reads=(ref,),
            result=Get(ref),
            result_type="int",
            doc="reads the folio's reference count",
        ),
        Model(
            "folio_mapcount",
            "read",
            reads=(mapc,),
            result=Get(mapc),
            result_type="int",
            doc="reads the folio's map count",
        ),
        Model(
            "folio_mapped",
            "read",
            reads=(mapc,),
            result=Apply("nonzero", (Get(mapc),)),
            result_type="bool",
            doc="whether the folio's map count is nonzero",
        ),
        Model(
            "folio_get",
            "effect",
            reads=(ref,),
            writes=(ref,),
            updates=(Put(ref, Sum(Get(ref), Num(1))),),
            doc="takes a reference",
        ),
        Model(
            "folio_ref_add",
            "effect",
            reads=(ref,),
            writes=(ref,),
            updates=(Put(ref, Sum(Get(ref), Arg(1))),),
            doc="adds arg1 references",
        ),
        Model(
            "folio_ref_sub",
            "effect",
            reads=(ref,),
            writes=(ref,),
            updates=(Put(ref, Sum(Get(ref), Neg(Arg(1)))),),
            doc="drops arg1 references",
        ),
        Model(
            "folio_put",
            "ordering",
            reads=folio_all,
            writes=folio_all,
            updates=(Put(ref, Sum(Get(ref), Num(-1))),),
            doc="drops a reference; may free the folio (dec-and-test: ordering; "
            "footprint: all of the folio)",
        ),
        Model(
            "folio_put_refs",
            "ordering",
            reads=folio_all,
            writes=folio_all,
            updates=(Put(ref, Sum(Get(ref), Neg(Arg(1)))),),
            doc="drops arg1 references; may free the folio (ordering)",
        ),
        Model(
            "folio_try_get",
            "ordering",
            reads=(ref,),
            writes=(ref,),
            result=Apply("try_get", (Get(ref),)),
            result_type="bool",
            updates=(Put(ref, Apply("try_get_ref", (Get(ref),))),),
            doc="takes a reference unless the count is zero (value-returning atomic)",
        ),
    ]


def _page_tables() -> list[Model]:
    pte_at = Part("pte", (2,))
    return [
        Model(
            "set_ptes",
            "effect",
            writes=(pte_at,),
            updates=(Put(pte_at, Apply("set_ptes", (Arg(3), Arg(4)))),),
            doc="writes arg4 entries from arg3 at the pte pointer arg2",
        ),
        Model(
            "set_pte_at",
            "effect",
            writes=(pte_at,),
            updates=(Put(pte_at, Apply("set_ptes", (Arg(3), Num(1)))),),
            doc="set_ptes(mm, addr, ptep, pte, 1)",
        ),
        Model(
            "ptep_get",
            "read",
            reads=(Part("pte", (0,)),),
            result=Get(Part("pte", (0,))),
            doc="reads the entry at the pte pointer",
        ),
        Model(
            "ptep_get_and_clear",
            "effect",
            reads=(pte_at,),
            writes=(pte_at,),
            result=Get(pte_at),
            updates=(Put(pte_at, Num(0)),),
            doc="reads and clears the entry at arg2",
        ),
        Model(
            "ptep_clear_flush",
            "effect",
            reads=(pte_at,),
            writes=(pte_at, Part("tlb", (0,))),
            result=Get(pte_at),
            updates=(
                Put(pte_at, Num(0)),
                Put(Part("tlb", (0,)), Apply("flush", (Get(Part("tlb", (0,))), Arg(1)))),
            ),
            doc="reads and clears the entry at arg2, flushes the vma's TLB entry",
        ),
        Model(
            "get_and_clear_full_ptes",
            "effect",
            reads=(pte_at,),
            writes=(pte_at,),
            result=Get(pte_at),
            updates=(Put(pte_at, Num(0)),),
            doc="reads and clears arg3 entries at arg2",
        ),
        Model(
            "clear_full_ptes",
            "effect",
            writes=(pte_at,),
            updates=(Put(pte_at, Num(0)),),
            doc="clears entries at arg2",
        ),
        Model(
            "pmdp_get",
            "read",
            reads=(Part("pmd", (0,)),),
            result=Get(Part("pmd", (0,))),
            doc="reads the pmd entry",
        ),
    ]


def _pure_pte_helpers() -> list[Model]:
    names = (
        "pte_none",
        "pte_present",
        "pte_dirty",
        "pte_young",
        "pte_write",
        "pte_pfn",
        "pte_mkdirty",
        "pte_mkclean",
        "pte_mkold",
        "pte_mkyoung",
        "pte_wrprotect",
        "pte_mkwrite",
        "pte_soft_dirty",
        "pte_mksoft_dirty",
        "pte_swp_soft_dirty",
        "pte_uffd_wp",
        "pte_swp_uffd_wp",
        "pte_mkuffd_wp",
        "pte_swp_mkuffd_wp",
        "pte_swp_mksoft_dirty",
        "pte_swp_exclusive",
        "pte_swp_mkexclusive",
        "pfn_pte",
        "pte_to_swp_entry",
        "swp_entry_to_pte",
        "pte_page",
        "pmd_present",
        "pmd_none",
        "folio_pfn",
        "page_folio",
        "folio_page",
        "folio_nr_pages",
        "folio_size",
        "page_to_pfn",
        "pfn_to_page",
        "swp_offset",
        "swp_type",
        "is_swap_pte",
        "pte_batch_hint",
        "mm_counter_file",
        "mm_counter",
    )
    return [Model(n, "pure", doc="pure function of its arguments") for n in names]


def _mm() -> list[Model]:
    counter = Part("mm_counter", (0, 1))
    return [
        Model(
            "add_mm_counter",
            "effect",
            reads=(counter,),
            writes=(counter,),
            updates=(Put(counter, Sum(Get(counter), Arg(2))),),
            doc="adds arg2 to the mm's counter arg1",
        ),
        Model(
            "inc_mm_counter",
            "effect",
            reads=(counter,),
            writes=(counter,),
            updates=(Put(counter, Sum(Get(counter), Num(1))),),
            doc="adds 1 to the mm's counter arg1",
        ),
        Model(
            "dec_mm_counter",
            "effect",
            reads=(counter,),
            writes=(counter,),
            updates=(Put(counter, Sum(Get(counter), Num(-1))),),
            doc="subtracts 1 from the mm's counter arg1",
        ),
        Model(
            "update_hiwater_rss",
            "effect",
            reads=(Part("mm_counter", (0,)),),
            writes=(Part("hiwater", (0,)),),
            updates=(Put(Part("hiwater", (0,)), Apply("hiwater", (Get(Part("hiwater", (0,))),))),),
            doc="records the mm's RSS high-water mark",
        ),
    ]


def _tlb_rmap_swap() -> list[Model]:
    tlb_vma = Part("tlb", (0,))
    rmap, mapc = Part("rmap", (0,)), Part("mapcount", (0,))
    return [
        Model(
            "flush_tlb_range",
            "effect",
            writes=(tlb_vma,),
            updates=(Put(tlb_vma, Apply("flush_range", (Get(tlb_vma), Arg(1), Arg(2)))),),
            doc="flushes the vma's TLB range",
        ),
        Model(
            "flush_tlb_page",
            "effect",
            writes=(tlb_vma,),
            updates=(Put(tlb_vma, Apply("flush", (Get(tlb_vma), Arg(1)))),),
            doc="flushes one TLB entry of the vma",
        ),
        Model(
            "flush_cache_range",
            "effect",
            writes=(Part("cache", (0,)),),
            updates=(Put(Part("cache", (0,)), Apply("flush_cache", (Arg(1), Arg(2)))),),
            doc="flushes the vma's cache range",
        ),
        Model(
            "flush_cache_page",
            "effect",
            writes=(Part("cache", (0,)),),
            updates=(Put(Part("cache", (0,)), Apply("flush_cache", (Arg(1), Arg(2)))),),
            doc="flushes the cache for one page",
        ),
        Model(
            "folio_remove_rmap_ptes",
            "effect",
            reads=(rmap, mapc),
            writes=(rmap, mapc),
            updates=(
                Put(mapc, Sum(Get(mapc), Neg(Arg(2)))),
                Put(rmap, Apply("remove_rmap", (Get(rmap), Arg(1), Arg(2), Arg(3)))),
            ),
            doc="removes arg2 pte mappings of the folio from the rmap",
        ),
        Model(
            "folio_remove_rmap_pte",
            "effect",
            reads=(rmap, mapc),
            writes=(rmap, mapc),
            updates=(
                Put(mapc, Sum(Get(mapc), Num(-1))),
                Put(rmap, Apply("remove_rmap", (Get(rmap), Arg(1), Num(1), Arg(2)))),
            ),
            doc="removes one pte mapping of the folio from the rmap",
        ),
        Model(
            "folio_add_anon_rmap_ptes",
            "effect",
            reads=(rmap, mapc),
            writes=(rmap, mapc),
            updates=(
                Put(mapc, Sum(Get(mapc), Arg(2))),
                Put(rmap, Apply("add_rmap", (Get(rmap), Arg(1), Arg(2), Arg(3)))),
            ),
            doc="adds arg2 anon pte mappings of the folio",
        ),
        Model(
            "folio_dup_swap",
            "effect",
            reads=(Part("swap", (0,)),),
            writes=(Part("swap", (0,)),),
            result=Apply("dup_swap", (Get(Part("swap", (0,))),)),
            updates=(Put(Part("swap", (0,)), Apply("dup_swap_state", (Get(Part("swap", (0,))),))),),
            result_type="int",
            doc="takes a swap count for the folio",
        ),
        Model(
            "swap_free",
            "effect",
            writes=(Part("swapent", (0,)),),
            updates=(Put(Part("swapent", (0,)), Num(0)),),
            doc="frees a swap entry",
        ),
        Model(
            "mlock_drain_local",
            "effect",
            writes=(Part("mlock", ()),),
            updates=(Put(Part("mlock", ()), Apply("drain", (Get(Part("mlock", ())),))),),
            doc="drains this CPU's mlock batch",
        ),
        Model(
            "mlock_vma_folio",
            "effect",
            writes=(Part("flag:mlocked", (0,)), Part("mlock", ())),
            updates=(Put(Part("flag:mlocked", (0,)), Num(1)),),
            doc="mlocks the folio",
        ),
    ]


def _counters() -> list[Model]:
    """vmstat and vm-event counters: per-CPU additions (not ordering points) that
    commute with each other. A folio's zone or node counter is keyed by the folio (two
    folios of one zone are two keys: a false DIFFERENT at worst, never two additions
    taken as one)."""
    families = (
        # name, component, key (argument indices), the added argument (None: 1)
        ("__count_vm_events", "vm_event", (0,), 1),
        ("count_vm_events", "vm_event", (0,), 1),
        ("__count_vm_event", "vm_event", (0,), None),
        ("count_vm_event", "vm_event", (0,), None),
        ("zone_stat_mod_folio", "zone_stat", (0, 1), 2),
        ("__zone_stat_mod_folio", "zone_stat", (0, 1), 2),
        ("node_stat_mod_folio", "node_stat", (0, 1), 2),
        ("__node_stat_mod_folio", "node_stat", (0, 1), 2),
        ("lruvec_stat_mod_folio", "lruvec_stat", (0, 1), 2),
        ("__lruvec_stat_mod_folio", "lruvec_stat", (0, 1), 2),
        ("mod_zone_page_state", "zone_page_state", (0, 1), 2),
        ("__mod_zone_page_state", "zone_page_state", (0, 1), 2),
        ("mod_node_page_state", "node_page_state", (0, 1), 2),
        ("__mod_node_page_state", "node_page_state", (0, 1), 2),
        ("__count_memcg_events", "memcg_event", (0, 1), 2),
        ("count_memcg_events", "memcg_event", (0, 1), 2),
        ("count_memcg_folio_events", "memcg_event", (0, 1), 2),
    )
    out = []
    for name, component, key, added in families:
        part = Part(component, key)
        amount = Arg(added) if added is not None else Num(1)
        what = f"arg{added}" if added is not None else "1"
        keyed = ", ".join(f"arg{i}" for i in key)
        out.append(
            Model(
                name,
                "effect",
                reads=(part,),
                writes=(part,),
                updates=(Put(part, Sum(Get(part), amount)),),
                doc=f"adds {what} to the {component} counter ({keyed})",
            )
        )
    return out


def _locks_and_freezing() -> list[Model]:
    """The folio lock bit taken without waiting, and reference-count freezing: atomic
    read-modify-writes that return a value (ordering points)."""
    locked, ref = Part("flag:locked", (0,)), Part("refcount", (0,))
    return [
        Model(
            "folio_trylock",
            "ordering",
            reads=(locked,),
            writes=(locked,),
            updates=(Put(locked, Num(1)),),
            result=Apply("trylock", (Get(locked),)),
            result_type="bool",
            doc="sets PG_locked, returns whether it was clear (test_and_set_bit_lock: ordering)",
        ),
        Model(
            "folio_ref_freeze",
            "ordering",
            reads=(ref,),
            writes=(ref,),
            updates=(
                Put(
                    ref,
                    Apply("ref_freeze_count", (Get(ref), Arg(1))),
                ),
            ),
            result=Apply("ref_freeze", (Get(ref), Arg(1))),
            result_type="bool",
            doc="sets the reference count to 0 if it is arg1, returns whether it did "
            "(cmpxchg: ordering)",
        ),
        Model(
            "folio_ref_unfreeze",
            "ordering",
            writes=(ref,),
            updates=(Put(ref, Arg(1)),),
            doc="sets the reference count to arg1 (release: ordering)",
        ),
    ]


def _ordering_points() -> list[Model]:
    barriers = (
        "smp_mb",
        "smp_rmb",
        "smp_wmb",
        "mb",
        "rmb",
        "wmb",
        "barrier",
        "smp_mb__before_atomic",
        "smp_mb__after_atomic",
        "dma_rmb",
        "dma_wmb",
    )
    locks = (
        "spin_lock",
        "spin_unlock",
        "spin_lock_irq",
        "spin_unlock_irq",
        "spin_lock_irqsave",
        "spin_unlock_irqrestore",
        "spin_lock_bh",
        "spin_unlock_bh",
        "raw_spin_lock",
        "raw_spin_unlock",
        "raw_spin_lock_irq",
        "raw_spin_unlock_irq",
        # (what the raw_ macros expand to when the configuration does not keep them;
        # _raw_spin_lock_irqsave returns the flags: with the atomics)
        "_raw_spin_lock",
        "_raw_spin_unlock",
        "_raw_spin_lock_irq",
        "_raw_spin_unlock_irq",
        "_raw_spin_unlock_irqrestore",
        "_raw_spin_lock_bh",
        "_raw_spin_unlock_bh",
        "mutex_lock",
        "mutex_unlock",
        "down_read",
        "up_read",
        "down_write",
        "up_write",
        "i_mmap_lock_read",
        "i_mmap_unlock_read",
        "i_mmap_lock_write",
        "i_mmap_unlock_write",
        "anon_vma_lock_read",
        "anon_vma_unlock_read",
        "anon_vma_lock_write",
        "anon_vma_unlock_write",
        "pte_unmap_unlock",
        "rcu_read_lock",
        "rcu_read_unlock",
        "folio_lock",
        "folio_unlock",
        "mmap_read_lock",
        "mmap_read_unlock",
        "mmap_write_lock",
        "mmap_write_unlock",
        "local_irq_save",
        "local_irq_restore",
        "preempt_disable",
        "preempt_enable",
        # (it may schedule: other CPUs run meanwhile)
        "cond_resched",
    )
    out = [Model(name, "ordering", doc="memory barrier") for name in barriers]
    out += [Model(name, "ordering", doc="lock or unlock") for name in locks]
    atomics = (
        "atomic_inc_return",
        "atomic_dec_return",
        "atomic_dec_and_test",
        "atomic_inc_and_test",
        "atomic_add_return",
        "atomic_sub_return",
        "atomic_cmpxchg",
        "atomic_xchg",
        "test_and_set_bit",
        "test_and_clear_bit",
        "cmpxchg",
        "xchg",
        "try_cmpxchg",
        "spin_trylock",
        "mutex_trylock",
        "_raw_spin_trylock",
        "_raw_spin_lock_irqsave",
    )
    out += [
        Model(
            name,
            "ordering",
            # What it returns depends on what every CPU did to the object before:
            # a value of its own per call (two calls on one atomic differ).
            result=Fresh(name),
            doc="value-returning atomic (full barrier); its result is new at each call",
        )
        for name in atomics
    ]
    return out


def _volatile_and_identity() -> list[Model]:
    return [
        Model("READ_ONCE", "volatile_read", doc="volatile read of the lvalue argument"),
        Model("WRITE_ONCE", "volatile_write", doc="volatile write of arg1 to the lvalue"),
        Model(
            "smp_load_acquire",
            "volatile_read",
            extra={THROUGH_POINTER: "1"},
            doc="acquire load of *arg0: an ordering point, then its value",
        ),
        Model(
            "smp_store_release",
            "volatile_write",
            extra={THROUGH_POINTER: "1"},
            doc="release store of arg1 to *arg0: an ordering point, then the write",
        ),
        Model("data_race", "identity", doc="its argument"),
        Model("likely", "identity", doc="its argument"),
        Model("unlikely", "identity", doc="its argument"),
        Model("__builtin_expect", "identity", doc="its first argument"),
        Model("lockdep_assert_held", "pure", doc="debug check, no effect in the build"),
        Model("lockdep_assert_held_write", "pure", doc="debug check"),
        Model("lockdep_assert_held_read", "pure", doc="debug check"),
    ]


def _debug_checks() -> list[Model]:
    # With CONFIG_DEBUG_VM unset (x86_64 defconfig) VM_BUG_ON* and VM_WARN_ON* only
    # type-check their argument; BUG_ON/WARN_ON are real. A WARN is an observable event.
    quiet = (
        "VM_BUG_ON",
        "VM_BUG_ON_FOLIO",
        "VM_BUG_ON_PAGE",
        "VM_BUG_ON_VMA",
        "VM_BUG_ON_MM",
        "VM_WARN_ON",
        "VM_WARN_ON_ONCE",
        "VM_WARN_ON_FOLIO",
        "VM_WARN_ON_ONCE_FOLIO",
        "VM_WARN_ONCE",
    )
    out = [
        Model(
            n,
            "pure",
            result=Num(0),
            doc="no code with CONFIG_DEBUG_VM unset (assumption: the tree's configuration)",
        )
        for n in quiet
    ]
    warn = Part("warn", ())
    for name in ("WARN_ON", "WARN_ON_ONCE", "WARN", "WARN_ONCE"):
        out.append(
            Model(
                name,
                "effect",
                writes=(warn,),
                updates=(Put(warn, Apply("warn", (Get(warn), Arg(0)))),),
                result=Apply("truth", (Arg(0),)),
                result_type="int",
                doc="warns when arg0 is true; returns its truth",
            )
        )
    out.append(Model("BUG", "pure", doc="does not return"))
    out.append(
        Model(
            "BUG_ON",
            "effect",
            writes=(warn,),
            updates=(Put(warn, Apply("bug", (Get(warn), Arg(0)))),),
            doc="stops the kernel when arg0 is true",
        )
    )
    return out


def _all() -> Iterable[Model]:
    for flag in FOLIO_FLAGS:
        yield from _flag_family(flag)
    yield from _counts()
    yield from _page_tables()
    yield from _pure_pte_helpers()
    yield from _mm()
    yield from _counters()
    yield from _locks_and_freezing()
    yield from _tlb_rmap_swap()
    yield from _ordering_points()
    yield from _volatile_and_identity()
    yield from _debug_checks()


MODELS: dict[str, Model] = {
    # (whether it returns is stated once, in equivcheck/kernel.py)
    m.name: dataclasses.replace(m, noreturn=m.name in NORETURN)
    for m in _all()
}


def suggest_model(name: str) -> str:
    """A hint for a call without a model, naming the family it resembles."""
    for prefix in ("folio_test_", "folio_set_", "folio_clear_", "pte_", "ptep_", "flush_"):
        if name.startswith(prefix):
            return f"add {name} to the {prefix}* family in equivcheck/models/table.py"
    return f"add a model for {name} to equivcheck/models/table.py (what it reads and writes)"
