"""docs/models.md from the model table: ``python -m equivcheck.models.describe``.

A test checks the committed file equals this output, so the documentation cannot
drift from the table.
"""

from __future__ import annotations

import sys

from equivcheck.models.table import FOLIO_FLAGS, MODELS
from equivcheck.symex.spec import Apply, Arg, Fresh, Get, Model, Neg, Num, Sum, ValueSpec

HEADER = """# Kernel models

What equivcheck knows about kernel functions and kept macros. The table is
`equivcheck/models/table.py`; this page is generated from it
(`python -m equivcheck.models.describe > docs/models.md`) and a test keeps the two
equal. Everything not listed is an **unmodelled call**: an event whose footprint is all
state (docs/semantics.md).

Kinds: **read** and **effect** are events with the footprint shown; **ordering** is an
ordering point (nothing moves across it; the state is observed, then may change);
**pure** has no event (a function of its arguments); **identity** returns its first
argument; **volatile_read**/**volatile_write** are `READ_ONCE`/`WRITE_ONCE` of their
lvalue argument (events that keep their order among themselves).

Parts are `component[keys]`, keys naming arguments (`arg0` is the first). To add a
model, add an entry to the table (or extend a family), regenerate this page, and run
the tests. In tree mode, the footprint of a `static inline` callee without a model is
inferred from its body when a reordering involves it (docs/check.md).

"""


def _value(spec: ValueSpec) -> str:
    match spec:
        case Arg(index=i):
            return f"arg{i}"
        case Num(value=n):
            return str(n)
        case Get(part=p):
            return str(p)
        case Neg(value=v):
            return f"-{_value(v)}"
        case Sum(left=a, right=b):
            return f"{_value(a)} + {_value(b)}"
        case Apply(name=n, values=vs):
            return f"{n}({', '.join(_value(v) for v in vs)})"
        case Fresh(name=n):
            return f"fresh {n}"
    return "?"


def _row(model: Model) -> str:
    reads = ", ".join(str(p) for p in model.reads) or "-"
    writes = ", ".join(str(p) for p in model.writes) or "-"
    updates = "; ".join(f"{u.part} := {_value(u.value)}" for u in model.updates) or "-"
    result = _value(model.result) if model.result is not None else "-"
    if model.result_type:
        result += f" ({model.result_type})"
    cells = [f"`{model.name}`", model.kind, reads, writes, updates, result, model.doc]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def markdown() -> str:
    """The whole page."""
    lines = [
        HEADER.rstrip("\n"),
        "",
        "Folio flags modelled (each with the families "
        "`folio_test_`, `folio_set_`, `__folio_set_`, `folio_clear_`, "
        "`__folio_clear_`, `folio_test_set_`, `folio_test_clear_`): "
        + ", ".join(f"`{f}`" for f in FOLIO_FLAGS)
        + ".",
        "",
    ]
    lines.append("| name | kind | reads | writes | updates | returns | notes |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for name in sorted(MODELS):
        lines.append(_row(MODELS[name]))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
