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
            if sa["st_size"] != sb["st_size"]:
                return self.fail(f"{name_a} changed size")
            if _initial_bytes(self.a, sa) != _initial_bytes(self.b, sb):
                return self.fail(f"the initial value of {name_a} differs")
            return True
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
        if sa["st_info"]["type"] == "STT_FUNC":
            # The assembler resolves a branch to a function of the same section by
            # itself (no relocation): such callees must be the same code too.
            outside_a = _branches_out(self.a, sa, data_a, rows_a)
            outside_b = _branches_out(self.b, sb, data_b, rows_b)
            if outside_a is None or outside_b is None or len(outside_a) != len(outside_b):
                return self.fail(f"{name_a} branches to code outside any named function")
            for x, y in zip(outside_a, outside_b, strict=True):
                if not self.same_symbol(x, y):
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
            if _section_bytes(sa) != _section_bytes(sb):
                return self.fail(f"the initial contents of {name} differ")
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


def _initial_bytes(obj: _Object, sym: Symbol) -> bytes:
    """The bytes a data object starts with (zeros in ``.bss``)."""
    section = obj.elf.get_section(sym["st_shndx"])
    start, size = sym["st_value"], sym["st_size"]
    if section["sh_type"] == "SHT_NOBITS":
        return bytes(size)
    return bytes(section.data()[start : start + size])


def initial_data_difference(path_a: Path, symbol_a: str, path_b: Path, symbol_b: str) -> str:
    """The first writable data object the function refers to whose initial bytes differ
    between the two objects ("" when none): the function may read it before anything
    writes it."""
    with path_a.open("rb") as fa, path_b.open("rb") as fb:
        a, b = _Object.read(fa), _Object.read(fb)
        names: set[str] = set()
        for obj, symbol in ((a, symbol_a), (b, symbol_b)):
            sym = obj.symbols.get(symbol)
            if sym is None:
                continue
            start, size = sym["st_value"], sym["st_size"]
            for off, _, target, _ in obj.relocs.get(sym["st_shndx"], []):
                if not start <= off < start + size:
                    continue
                if target["st_info"]["type"] == "STT_SECTION":
                    section = obj.elf.get_section(target["st_shndx"])
                    if section["sh_flags"] & 0x1:
                        names.add("section:" + section.name)
                elif target.name in obj.symbols and isinstance(target["st_shndx"], int):
                    section = obj.elf.get_section(target["st_shndx"])
                    if section["sh_flags"] & 0x1 and not section["sh_flags"] & 0x4:
                        names.add(target.name)
        for name in sorted(names):
            if name.startswith("section:"):
                section_name = name.removeprefix("section:")
                sa = a.elf.get_section_by_name(section_name)
                sb = b.elf.get_section_by_name(section_name)
                if sa is None or sb is None or _section_bytes(sa) != _section_bytes(sb):
                    return section_name
                continue
            sa_sym, sb_sym = a.symbols.get(name), b.symbols.get(name)
            if sa_sym is None or sb_sym is None:
                return name
            if _initial_bytes(a, sa_sym) != _initial_bytes(b, sb_sym):
                return name
    return ""


def _section_bytes(section: Any) -> bytes:
    if section["sh_type"] == "SHT_NOBITS":
        return bytes(section["sh_size"])
    return bytes(section.data())


def _branches_out(
    obj: _Object, sym: Symbol, data: bytes, rows: list[tuple[int, int, Target]]
) -> list[str] | None:
    """The functions that direct jumps and calls without a relocation reach outside
    ``sym`` (in order), or None when one lands where no named function starts."""
    import capstone  # type: ignore[import-untyped]

    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.detail = True
    start, size = sym["st_value"], sym["st_size"]
    relocated = {offset for offset, _, _ in rows}
    names: list[str] = []
    for insn in cs.disasm(data, start):
        if not insn.groups or not any(
            g in (capstone.CS_GRP_JUMP, capstone.CS_GRP_CALL) for g in insn.groups
        ):
            continue
        if any(insn.address - start <= r < insn.address - start + insn.size for r in relocated):
            continue  # the target comes from a relocation (compared already)
        ops = insn.operands
        if len(ops) != 1 or ops[0].type != capstone.x86.X86_OP_IMM:
            continue
        target = ops[0].imm
        if start <= target < start + size:
            continue
        callee = obj.function_at(sym["st_shndx"], target)
        if callee is None:
            return None
        names.append(callee.name)
    return names


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
