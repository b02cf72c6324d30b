"""equivcheck/kernel.py and the model table declare each kernel name once: the macros
kept as calls all have models, and what does not return is said in one place that the
IR, the models and the engine read."""

from __future__ import annotations

from equivcheck.kernel import KEPT_MACROS, NORETURN
from equivcheck.models.table import MODELS
from tests.equiv.engine import verdict_of


def test_every_kept_macro_has_a_model() -> None:
    assert [m.name for m in KEPT_MACROS if m.name not in MODELS] == []


def test_no_return_is_said_once() -> None:
    for name, model in MODELS.items():
        assert model.noreturn == (name in NORETURN), name


def test_a_call_that_does_not_return_ends_the_path() -> None:
    # after panic() nothing runs: what follows may change freely
    before = "int f(int x)\n{\n\tif (x)\n\t\tpanic();\n\treturn 1;\n}"
    after = "int f(int x)\n{\n\tif (x) {\n\t\tpanic();\n\t\treturn 2;\n\t}\n\treturn 1;\n}"
    assert verdict_of(before, after).verdict == "equivalent"


def test_an_acquire_load_is_an_ordering_point_on_what_it_reads() -> None:
    before = (
        "int f(struct s *p)\n{\n\tint v = smp_load_acquire(&p->a);\n\tp->b = 1;\n\treturn v;\n}"
    )
    after = (
        "int f(struct s *p)\n{\n\tint v;\n\tp->b = 1;\n"
        "\tv = smp_load_acquire(&p->a);\n\treturn v;\n}"
    )
    # a write moved across it: another CPU may see p->b before the load
    assert verdict_of(before, after).verdict != "equivalent"
    same = (
        "int f(struct s *p)\n{\n\tint w = 3;\n\tint v = smp_load_acquire(&p->a);\n\tp->b = 1;\n"
        "\treturn v + w - 3;\n}"
    )
    assert verdict_of(before, same).verdict == "equivalent"


def test_a_release_store_writes_what_the_pointer_points_to() -> None:
    before = "int f(struct s *p, int x)\n{\n\tsmp_store_release(&p->a, x + 1);\n\treturn p->a;\n}"
    after = (
        "int f(struct s *p, int x)\n{\n\tint y = x + 1;\n\tsmp_store_release(&p->a, y);\n"
        "\treturn p->a;\n}"
    )
    assert verdict_of(before, after).verdict == "equivalent"
    # stored elsewhere, p->a is what it was
    wrong = "int f(struct s *p, int x)\n{\n\tsmp_store_release(&p->b, x + 1);\n\treturn p->a;\n}"
    assert verdict_of(before, wrong).verdict == "different"
