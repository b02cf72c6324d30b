"""The fast path: are the two compiled functions the same machine code?

Compared on the object files as the compiler wrote them (before relocation): the
function's bytes, and each relocation in it as (offset, type, target). A target that is
a named symbol is compared by name, except read-only data (constant tables), whose bytes
and relocations are compared in turn, and functions of the object (static callees, cold
parts), which must be identical too. A target given as a section plus offset (what gcc
emits for static objects and strings) must point into byte-identical sections. Anything
else is "not identical" and the symbolic comparison decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection
from elftools.elf.sections import Symbol, SymbolTableSection

Target = tuple[str, str, int]


@dataclass
class _Object:
    """The parts of one ELF object the comparison needs."""

    elf: Any
    symbols: dict[str, Symbol]
    by_section: dict[int, list[Symbol]]
    relocs: dict[int, list[tuple[int, int, Symbol, int]]]

    @classmethod
    def read(cls, fh: Any) -> _Object:
        elf = ELFFile(fh)
        symtab = elf.get_section_by_name(".symtab")
        symbols: dict[str, Symbol] = {}
        by_section: dict[int, list[Symbol]] = {}
        if isinstance(symtab, SymbolTableSection):
            for sym in symtab.iter_symbols():
                shndx = sym["st_shndx"]
                if sym.name and sym["st_info"]["type"] in ("STT_FUNC", "STT_OBJECT"):
                    symbols.setdefault(sym.name, sym)
                if isinstance(shndx, int):
                    by_section.setdefault(shndx, []).append(sym)
        relocs: dict[int, list[tuple[int, int, Symbol, int]]] = {}
        for section in elf.iter_sections():
            if not isinstance(section, RelocationSection) or symtab is None:
                continue
            target = section["sh_info"]
            rows = relocs.setdefault(target, [])
            for rel in section.iter_relocations():
                sym = symtab.get_symbol(rel["r_info_sym"])  # type: ignore[attr-defined]
                rows.append((rel["r_offset"], rel["r_info_type"], sym, rel["r_addend"]))
        return cls(elf, symbols, by_section, relocs)

    def function_at(self, shndx: int, offset: int) -> Symbol | None:
        for sym in self.by_section.get(shndx, []):
            if sym["st_info"]["type"] == "STT_FUNC" and sym["st_value"] == offset and sym.name:
                return sym
        return None


class _Compare:
    def __init__(self, a: _Object, b: _Object) -> None:
        self.a, self.b = a, b
        self.done: set[tuple[str, str]] = set()
        self.why = ""

    def fail(self, why: str) -> bool:
        self.why = self.why or why
        return False

    def _piece(
        self, obj: _Object, sym: Symbol
    ) -> tuple[bytes, list[tuple[int, int, Target]], list[Any]]:
        shndx = sym["st_shndx"]
        section = obj.elf.get_section(shndx)
        start, size = sym["st_value"], sym["st_size"]
        data = section.data()[start : start + size] if section["sh_type"] != "SHT_NOBITS" else b""
        rows = []
        follow: list[Any] = []
        for off, rtype, target, addend in sorted(obj.relocs.get(shndx, []), key=lambda r: r[0]):
            if start <= off < start + size:
                rows.append((off - start, rtype, self._describe(obj, target, addend, follow)))
        return data, rows, follow

    def _describe(self, obj: _Object, target: Symbol, addend: int, follow: list[Any]) -> Target:
        if target["st_info"]["type"] == "STT_SECTION":
            shndx = target["st_shndx"]
            section = obj.elf.get_section(shndx)
            if section["sh_flags"] & 0x4:  # executable: a static function
                for bias in (4, 0):
                    func = obj.function_at(shndx, addend + bias)
                    if func is not None:
                        follow.append(func)
                        return ("func", func.name, bias)
            follow.append(("section", section.name))
            return ("section", section.name, addend)
        if target.name in obj.symbols and isinstance(target["st_shndx"], int):
            follow.append(obj.symbols[target.name])
        return ("sym", target.name, addend)

    def same_symbol(self, name_a: str, name_b: str) -> bool:
        if (name_a, name_b) in self.done:
            return True
        self.done.add((name_a, name_b))
        sa, sb = self.a.symbols.get(name_a), self.b.symbols.get(name_b)
        if sa is None or sb is None:
            return self.fail(f"{name_a} is not in both objects")
        section = self.a.elf.get_section(sa["st_shndx"])
        writable = bool(section["sh_flags"] & 0x1)
        if sa["st_info"]["type"] == "STT_OBJECT" and writable:
            return sa["st_size"] == sb["st_size"] or self.fail(f"{name_a} changed size")
        data_a, rows_a, follow_a = self._piece(self.a, sa)
        data_b, rows_b, follow_b = self._piece(self.b, sb)
        if data_a != data_b:
            return self.fail(f"{name_a}: the machine code differs")
        if rows_a != rows_b:
            return self.fail(f"{name_a}: relocations differ")
        for x, y in zip(follow_a, follow_b, strict=True):
            if isinstance(x, tuple):
                if not self.same_section(x[1]):
                    return False
            elif not self.same_symbol(x.name, y.name):
                return False
        return True

    def same_section(self, name: str, contents: bool = False) -> bool:
        key = ("section:" + name, name)
        if key in self.done:
            return True
        self.done.add(key)
        sa, sb = self.a.elf.get_section_by_name(name), self.b.elf.get_section_by_name(name)
        if sa is None and sb is None and contents:
            return True
        if sa is None or sb is None:
            return self.fail(f"section {name} is not in both objects")
        if sa["sh_flags"] & 0x1 and not contents:  # writable data: run-time state
            return self._same_symbols(sa, sb, name)
        if sa.data() != sb.data():
            return self.fail(f"section {name} differs")
        ia = self.a.elf.get_section_index(name)
        ib = self.b.elf.get_section_index(name)
        rows_a = [
            (o, t, s.name, a)
            for o, t, s, a in sorted(self.a.relocs.get(ia, []), key=lambda r: r[0])
        ]
        rows_b = [
            (o, t, s.name, a)
            for o, t, s, a in sorted(self.b.relocs.get(ib, []), key=lambda r: r[0])
        ]
        return rows_a == rows_b or self.fail(f"relocations of {name} differ")

    def _same_symbols(self, sa: Any, sb: Any, name: str) -> bool:
        ia = self.a.elf.get_section_index(name)
        ib = self.b.elf.get_section_index(name)
        la = sorted((s.name, s["st_value"], s["st_size"]) for s in self.a.by_section.get(ia, []))
        lb = sorted((s.name, s["st_value"], s["st_size"]) for s in self.b.by_section.get(ib, []))
        return la == lb or self.fail(f"the objects of {name} are laid out differently")


def same_contents(path_a: Path, path_b: Path, names: list[str]) -> str:
    """The first of ``names`` (symbols, or ``section:NAME``) whose bytes and relocations
    differ between the two objects, with the reason; empty when all are the same."""
    with path_a.open("rb") as fa, path_b.open("rb") as fb:
        cmp = _Compare(_Object.read(fa), _Object.read(fb))
        for name in names:
            if name.startswith("section:"):
                same = cmp.same_section(name.removeprefix("section:"), contents=True)
            else:
                same = cmp.same_symbol(name, name)
            if not same:
                return f"{name.removeprefix('section:')} ({cmp.why})"
    return ""


def identical_code(path_a: Path, symbol_a: str, path_b: Path, symbol_b: str) -> tuple[bool, str]:
    """Whether two functions are the same machine code (see the module docstring), and
    if not, the first difference found."""
    with path_a.open("rb") as fa, path_b.open("rb") as fb:
        cmp = _Compare(_Object.read(fa), _Object.read(fb))
        same = cmp.same_symbol(symbol_a, symbol_b) and all(
            cmp.same_section(name, contents=True) for name in SPECIAL_SECTIONS
        )
        return same, cmp.why


# Tables that say what code means at run time (WARN or BUG, static keys, alternatives,
# exception fixups): required identical as a whole.
SPECIAL_SECTIONS = (
    "__bug_table",
    "__jump_table",
    ".altinstructions",
    ".altinstr_replacement",
    ".altinstr_aux",
    "__ex_table",
    ".static_call_sites",
)
