"""The GNU C layer on the real kernel: every function definition in mm/rmap.i parses."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pycparser import c_ast

from equivcheck.frontend.gnuc import cut_all_functions, list_function_definitions, parse_function


@pytest.mark.kernel
def test_every_function_of_rmap_parses(kernel_tree: Path) -> None:
    subprocess.run(["make", "-s", "-C", str(kernel_tree), "mm/rmap.i"], check=True)
    text = (kernel_tree / "mm" / "rmap.i").read_text()
    names = [name for name, _, _ in list_function_definitions(text)]
    assert "try_to_unmap_one" in names
    funcs = cut_all_functions(text)  # header inline functions included
    assert len(funcs) == len(names)
    assert sum(1 for f in funcs if f.file == "mm/rmap.c") > 50
    failures = []
    for func in funcs:
        try:
            fd = parse_function(func)
        except Exception as exc:  # report all failures at once
            failures.append(f"{func.name}: {exc}")
            continue
        assert isinstance(fd, c_ast.FuncDef)
        assert fd.decl.name == func.name
        # The FuncDef's coord is its name's line, at or after the definition's first line.
        assert fd.coord.file == func.file
        assert func.start_line <= fd.coord.line < func.start_line + 10
    assert failures == []
