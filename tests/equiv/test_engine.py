"""The engine on small functions: each observable difference is found, each allowed
change is proved, and everything it cannot decide is UNKNOWN with the reason."""

from __future__ import annotations

from .engine import graph, verdict_of

HEAD = "bool f(struct folio *folio, struct vm_area_struct *vma, int *p, int n)\n"


def test_identical_and_label_renamed_are_equivalent() -> None:
    body = "{\n\tif (n > 2)\n\t\tgoto out;\n\tfolio_set_dirty(folio);\nout:\n\treturn n;\n}\n"
    outcome = verdict_of(HEAD + body, HEAD + body.replace("out", "done"))
    assert outcome.verdict == "equivalent", outcome.reason


def test_swap_of_disjoint_effects_is_equivalent_and_named() -> None:
    a = HEAD + "{\n\tfolio_set_swapbacked(folio);\n\tadd_mm_counter(vma, 1, n);\n\treturn 0;\n}\n"
    b = HEAD + "{\n\tadd_mm_counter(vma, 1, n);\n\tfolio_set_swapbacked(folio);\n\treturn 0;\n}\n"
    outcome = verdict_of(a, b)
    assert outcome.verdict == "equivalent", outcome.reason
    [swap] = outcome.swaps
    assert {swap.first, swap.second} == {"add_mm_counter()", "folio_set_swapbacked()"}
    assert "disjoint" in swap.why


def test_swap_of_effects_on_the_same_part_is_different() -> None:
    a = HEAD + "{\n\tfolio_set_dirty(folio);\n\tfolio_clear_dirty(folio);\n\treturn 0;\n}\n"
    b = HEAD + "{\n\tfolio_clear_dirty(folio);\n\tfolio_set_dirty(folio);\n\treturn 0;\n}\n"
    outcome = verdict_of(a, b)
    assert outcome.verdict == "different", outcome.reason
    assert "flag:dirty" in outcome.reason


def test_swap_with_an_unmodelled_call_is_unknown_naming_both() -> None:
    a = HEAD + "{\n\tfolio_set_dirty(folio);\n\tmystery(folio);\n\treturn 0;\n}\n"
    b = HEAD + "{\n\tmystery(folio);\n\tfolio_set_dirty(folio);\n\treturn 0;\n}\n"
    outcome = verdict_of(a, b)
    assert outcome.verdict == "unknown", outcome.reason
    assert "mystery" in outcome.reason and "folio_set_dirty" in outcome.reason


def test_read_moved_across_rmb_is_different() -> None:
    a = HEAD + "{\n\tint r;\n\tsmp_rmb();\n\tr = folio_ref_count(folio);\n\treturn r == 1;\n}\n"
    b = HEAD + "{\n\tint r;\n\tr = folio_ref_count(folio);\n\tsmp_rmb();\n\treturn r == 1;\n}\n"
    outcome = verdict_of(a, b)
    assert outcome.verdict == "different", outcome.reason
    assert outcome.counterexample


def test_write_moved_across_wmb_is_different() -> None:
    a = HEAD + "{\n\t*p = 1;\n\tsmp_wmb();\n\tWRITE_ONCE(vma->vm_flags, 2);\n\treturn 0;\n}\n"
    b = HEAD + "{\n\tsmp_wmb();\n\t*p = 1;\n\tWRITE_ONCE(vma->vm_flags, 2);\n\treturn 0;\n}\n"
    outcome = verdict_of(a, b)
    assert outcome.verdict == "different", outcome.reason
    assert "smp_wmb" in outcome.reason


def test_plain_write_moved_across_unmodelled_call_is_unknown() -> None:
    a = HEAD + "{\n\t*p = 1;\n\tmystery(folio);\n\treturn 0;\n}\n"
    b = HEAD + "{\n\tmystery(folio);\n\t*p = 1;\n\treturn 0;\n}\n"
    outcome = verdict_of(a, b)
    assert outcome.verdict == "unknown", outcome.reason
    assert "mystery" in outcome.reason


def test_changed_return_value_is_different_with_counterexample() -> None:
    a = HEAD + "{\n\tif (folio_test_dirty(folio))\n\t\treturn n + 1;\n\treturn n;\n}\n"
    b = HEAD + "{\n\tif (folio_test_dirty(folio))\n\t\treturn n + 2;\n\treturn n;\n}\n"
    outcome = verdict_of(a, b)
    assert outcome.verdict == "different"
    calls = outcome.counterexample["call_results"]
    assert isinstance(calls, dict) and calls["folio_test_dirty(folio)"] == 1


def test_de_morgan_and_if_else_inversion_are_equivalent() -> None:
    a = HEAD + "{\n\tif (!(n > 1 && *p))\n\t\treturn 1;\n\treturn 0;\n}\n"
    b = HEAD + "{\n\tif (n <= 1 || !*p)\n\t\treturn 1;\n\telse\n\t\treturn 0;\n}\n"
    assert verdict_of(a, b).verdict == "equivalent"


def test_narrow_types_are_respected() -> None:
    a = HEAD + "{\n\tunsigned char c = n;\n\treturn c == 300;\n}\n"
    b = HEAD + "{\n\tint c = n;\n\treturn c == 300;\n}\n"
    assert verdict_of(a, b).verdict == "different"


def test_loop_equal_within_bound_is_unknown_not_equivalent() -> None:
    a = HEAD + "{\n\tint i, s = 0;\n\tfor (i = 0; i < n; i++)\n\t\ts += p[i];\n\treturn s;\n}\n"
    b = (
        HEAD
        + "{\n\tint i = 0, s = 0;\n\twhile (i < n) {\n\t\ts += p[i];\n\t\ti++;\n\t}\n"
        + "\treturn s;\n}\n"
    )
    outcome = verdict_of(a, b)
    assert outcome.verdict == "unknown", outcome.reason
    assert "bound" in outcome.reason


def test_loop_difference_within_bound_is_different() -> None:
    a = HEAD + "{\n\tint i, s = 0;\n\tfor (i = 0; i < n; i++)\n\t\ts += p[i];\n\treturn s;\n}\n"
    b = HEAD + "{\n\tint i, s = 0;\n\tfor (i = 0; i < n; i++)\n\t\ts += p[i] + 1;\n\treturn s;\n}\n"
    assert verdict_of(a, b).verdict == "different"


def test_uninitialised_read_is_unknown_by_name() -> None:
    a = HEAD + "{\n\tint x;\n\tif (n)\n\t\tx = 1;\n\treturn x;\n}\n"
    outcome = verdict_of(a, a)
    assert outcome.verdict == "unknown"
    assert "uninitialised" in outcome.reason and "x" in outcome.reason


def test_volatile_accesses_keep_their_order() -> None:
    a = HEAD + "{\n\tint x = READ_ONCE(*p);\n\tWRITE_ONCE(vma->vm_flags, 1);\n\treturn x;\n}\n"
    b = (
        HEAD
        + "{\n\tint x;\n\tWRITE_ONCE(vma->vm_flags, 1);\n\tx = READ_ONCE(*p);\n\treturn x;\n}\n"
    )
    assert verdict_of(a, b).verdict == "different"


def test_helper_extraction_with_inlining_is_equivalent() -> None:
    helper = (
        "static inline bool dirty_drop(struct folio *folio, struct vm_area_struct *vma)\n"
        "{\n\tif (folio_test_dirty(folio))\n\t\treturn false;\n\treturn true;\n}\n"
    )
    a = (
        HEAD
        + "{\n\tif (folio_test_dirty(folio))\n\t\tgoto abort;\n\treturn 1;\n"
        + "abort:\n\treturn 0;\n}\n"
    )
    b = HEAD + "{\n\tif (!dirty_drop(folio, vma))\n\t\treturn 0;\n\treturn 1;\n}\n"
    outcome = verdict_of(a, b, helpers_after={"dirty_drop": graph(helper)})
    assert outcome.verdict == "equivalent", outcome.reason


def test_extra_unmodelled_call_is_different() -> None:
    a = HEAD + "{\n\tmystery(folio);\n\treturn 0;\n}\n"
    b = HEAD + "{\n\tmystery(folio);\n\tmystery(folio);\n\treturn 0;\n}\n"
    outcome = verdict_of(a, b)
    assert outcome.verdict == "different"
    assert "also performs mystery" in outcome.reason


def test_paths_merge_where_they_join() -> None:
    body = (
        "{\n\tint x, y;\n"
        + "".join(
            f"\tif (p[{i}])\n\t\tx = {i};\n\telse\n\t\tx = {i + 10};\n\ty = x;\n" for i in range(8)
        )
        + "\treturn x + y;\n}\n"
    )
    outcome = verdict_of(HEAD + body, HEAD + body)
    assert outcome.verdict == "equivalent", outcome.reason
    assert outcome.paths == (1, 1)  # 256 paths without merging


def test_merging_keeps_different_effect_sequences_apart() -> None:
    body = (
        "{\n\tif (n)\n\t\tfolio_set_dirty(folio);\n\telse\n\t\tfolio_set_lru(folio);\n"
        "\treturn 0;\n}\n"
    )
    outcome = verdict_of(HEAD + body, HEAD + body)
    assert outcome.verdict == "equivalent" and outcome.paths == (2, 2)


def test_a_continue_that_skips_the_increment_is_different() -> None:
    loop = (
        "{\n\tint i = 0;\n\twhile (i < n) {\n\t\tif (p[i] == 0)\n\t\t\t{ i++; continue; }\n"
        "\t\tmark(p + i);\n\t\ti++;\n\t}\n\treturn 0;\n}\n"
    )
    stuck = loop.replace("{ i++; continue; }", "continue;")
    outcome = verdict_of(HEAD + loop, HEAD + stuck)
    assert outcome.verdict == "different", outcome.reason
    assert "never ends" in outcome.reason
