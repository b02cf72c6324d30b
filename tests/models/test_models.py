"""The model table: documented, well-formed, and meaning what it says."""

from __future__ import annotations

from pathlib import Path

from equivcheck.models.describe import markdown
from equivcheck.models.table import MODELS, suggest_model

DOCS = Path(__file__).resolve().parents[2] / "docs" / "models.md"


def test_docs_are_generated_from_the_table() -> None:
    assert DOCS.read_text() == markdown(), (
        "docs/models.md is stale: python -m equivcheck.models.describe > docs/models.md"
    )


def test_every_model_is_well_formed() -> None:
    for name, model in MODELS.items():
        assert model.name == name
        assert model.doc, name
        for update in model.updates:
            assert update.part in model.writes, (name, update.part)
        if model.kind in {"read", "effect"}:
            assert model.reads or model.writes, name


def test_families_and_ordering_points() -> None:
    for flag in ("dirty", "swapbacked", "locked", "anon", "lru"):
        for prefix in (
            "folio_test_",
            "folio_set_",
            "folio_clear_",
            "folio_test_set_",
            "folio_test_clear_",
        ):
            assert prefix + flag in MODELS
    for name in (
        "smp_mb",
        "smp_rmb",
        "smp_wmb",
        "mb",
        "rmb",
        "wmb",
        "spin_lock",
        "spin_unlock",
        "atomic_dec_and_test",
    ):
        assert MODELS[name].kind == "ordering", name
    assert MODELS["folio_test_set_locked"].kind == "ordering"  # returns a value
    assert MODELS["folio_set_swapbacked"].kind == "effect"  # set_bit: no value
    assert MODELS["pte_mkdirty"].kind == "pure"


def test_suggestion_names_the_family() -> None:
    assert "folio_test_" in suggest_model("folio_test_frozen")
    assert "table.py" in suggest_model("my_helper")
