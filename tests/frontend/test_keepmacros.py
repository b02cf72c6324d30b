"""keepmacros.py: the macro table, the directive blocks, and their effect under gcc -E."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from equivcheck.errors import InputError
from equivcheck.frontend.unit import keepmacros
from equivcheck.frontend.unit.kbuild import insert_blocks

SOURCE = """\
#define smp_mb() asm("lock")
#define WARN(cond, fmt...) ({ int __c = !!(cond); __c; })
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

static int kept(int *p)
{
\tsmp_mb();
\tWARN(*p, "bad %d", *p);
\treturn READ_ONCE(*p);
}
static int plain(int *p)
{
\tsmp_mb();
\treturn READ_ONCE(*p);
}
"""


def test_table_has_unique_names_and_prefixed_calls() -> None:
    names = [m.name for m in keepmacros.KEPT_MACROS]
    assert len(names) == len(set(names))
    assert {"smp_mb", "smp_rmb", "READ_ONCE", "set_pte_at", "WARN", "VM_BUG_ON_FOLIO"} <= set(names)
    assert all(m.call_name == "__ec_" + m.name for m in keepmacros.KEPT_MACROS)


def test_define_forms() -> None:
    by_name = {m.name: m for m in keepmacros.KEPT_MACROS}
    assert by_name["smp_mb"].define() == "#define smp_mb() __ec_smp_mb()"
    assert by_name["set_pte_at"].define() == (
        "#define set_pte_at(mm, addr, ptep, pte) __ec_set_pte_at(mm, addr, ptep, pte)"
    )
    assert by_name["WARN"].define() == (
        "#define WARN(condition, ...) __ec_WARN(condition, ##__VA_ARGS__)"
    )


def test_macro_block_saves_then_redefines() -> None:
    block = keepmacros.macro_block(["likely"])
    assert block == (
        '#pragma push_macro("likely")\n#undef likely\n#define likely(x) __ec_likely(x)\n'
    )
    assert keepmacros.restore_block(["likely"]) == '#pragma pop_macro("likely")\n'
    assert keepmacros.macro_block().count("#undef ") == len(keepmacros.KEPT_MACROS)
    with pytest.raises(KeyError):
        keepmacros.macro_block(["no_such_macro"])


def test_keep_blocks_wrap_the_definition() -> None:
    blocks = keepmacros.keep_blocks(SOURCE, ["kept"], "x.c", names=["smp_mb"])
    assert blocks == {
        5: keepmacros.macro_block(["smp_mb"]),
        11: keepmacros.restore_block(["smp_mb"]),
    }
    both = keepmacros.keep_blocks(SOURCE, ["kept", "plain"], "x.c", names=["smp_mb"])
    # the restore of the first comes before the save of the second on the shared line
    assert both[11].index("pop_macro") < both[11].index("push_macro")
    with pytest.raises(InputError, match="no definition of missing"):
        keepmacros.keep_blocks(SOURCE, ["missing"], "x.c")


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_only_the_chosen_function_keeps_names(tmp_path: Path) -> None:
    blocks = keepmacros.keep_blocks(SOURCE, ["kept"], "x.c")
    src = tmp_path / "x.c"
    src.write_text(insert_blocks("x.c", SOURCE, blocks))
    out = subprocess.run(
        ["gcc", "-E", "-P", str(src)], capture_output=True, text=True, check=True
    ).stdout
    kept, plain = out.split("static int plain")
    assert "__ec_smp_mb();" in kept
    assert '__ec_WARN(*p, "bad %d", *p);' in kept
    assert "return __ec_READ_ONCE(*p);" in kept
    assert "__ec_" not in plain
    assert 'asm("lock")' in plain and "volatile" in plain
