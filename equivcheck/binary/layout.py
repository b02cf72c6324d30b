"""Where things are in one loaded object file, and the names addresses get.

CLE places the same global at different addresses in two objects, so no address is
compared as such: a constant that falls inside a symbol of the object (or an extern
CLE made up) becomes a *canonical* address, the same in every object for the same
symbol name and offset (``crc32(name)`` picks a 16 MiB slot far from anything else).
Pointers into merged string sections are named by the string they point at; other
pointers into a section without a symbol by the section and offset (a limit: those
depend on the layout). The stack is the same in both versions (the exploration puts it
at one fixed address).

The object's special sections are read here too (with pyelftools, which CLE is built
on): ``__bug_table`` (which ``ud2`` is a WARN that continues and which a BUG),
``__jump_table`` (static keys) and ``.altinstructions`` (alternatives); and a linear
disassembly of every function finds ``ud2``, ``lock``-prefixed instructions and fences.
"""

from __future__ import annotations

import bisect
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

# The main object is placed low (``-mcmodel=kernel`` code needs sign-extended 32-bit
# addresses) at a base no small integer constant is likely to equal.
OBJECT_BASE = 0x5EA00000
STACK_TOP = 0x7FF0_0000_0000
STACK_SIZE = 0x10_0000
CANON_BASE = 0x4000_0000_0000_0000
CANON_SLOT_BITS = 24

BUGFLAG_WARNING = 1


def canonical(name: str, offset: int = 0) -> int:
    """The canonical address of ``name + offset`` (the same in every object)."""
    return CANON_BASE + (zlib.crc32(name.encode()) << CANON_SLOT_BITS) + offset


@dataclass(frozen=True)
class Region:
    """A named address range: a symbol, an extern, a section or a string."""

    start: int
    end: int
    name: str
    kind: str  # function | object | extern | section | string
    writable: bool = False
    executable: bool = False


@dataclass(frozen=True)
class JumpSite:
    """A static-key site: the ``jmp``/``nop`` at ``addr`` (``length`` bytes) goes to
    ``target`` when the key is enabled XOR ``branch``."""

    addr: int
    target: int
    key: str
    branch: int


@dataclass(frozen=True)
class AltSite:
    """An alternative: ``length`` original bytes at ``addr`` that the kernel replaces
    with ``replacement`` when the CPU has ``feature``."""

    addr: int
    length: int
    feature: int
    replacement: bytes


@dataclass
class Layout:
    """One loaded object: regions, special sites, and the canonical naming."""

    path: Path
    regions: list[Region] = field(default_factory=list)
    functions: dict[str, tuple[int, int]] = field(default_factory=dict)
    bug_flags: dict[int, int] = field(default_factory=dict)
    jump_sites: dict[int, JumpSite] = field(default_factory=dict)
    alt_sites: list[AltSite] = field(default_factory=list)
    ud2_sites: set[int] = field(default_factory=set)
    barrier_sites: dict[int, str] = field(default_factory=dict)
    system_sites: dict[int, str] = field(default_factory=dict)
    insn_length: dict[int, int] = field(default_factory=dict)
    insn_mnemonic: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)
    lo: int = 0
    hi: int = 0
    memory: _ByteReader | None = None

    # ----------------------------------------------------------------- lookup

    def region_of(self, addr: int) -> Region | None:
        """The region holding ``addr`` (the innermost symbol before its section)."""
        i = bisect.bisect_right(self._starts, addr) - 1
        best: Region | None = None
        while i >= 0:
            region = self.regions[i]
            if region.start <= addr < region.end:
                if region.kind != "section":
                    return region
                best = best or region
            if addr - region.start > 1 << 24:
                break
            i -= 1
        return best

    def is_placed(self, value: int) -> bool:
        """True when ``value`` lies where CLE placed this object or its externs."""
        return self.lo <= value < self.hi

    def readonly(self, addr: int) -> bool:
        """True for addresses of read-only, loaded bytes of the object (code, constants)."""
        region = self.region_of(addr)
        return region is not None and region.kind != "extern" and not region.writable

    def canonical_of(self, value: int) -> int | None:
        """The canonical address of a placed ``value``, or None if it is not placed."""
        if not self.is_placed(value):
            return None
        region = self.region_of(value)
        if region is None:
            return None
        if region.kind == "string":
            text = self._string_at(value)
            name = "str:" + text
            self.names.setdefault(zlib.crc32(name.encode()), _quote(text))
            return canonical(name)
        name = region.name if region.kind != "section" else "sec:" + region.name
        self.names.setdefault(zlib.crc32(name.encode()), name)
        return canonical(name, value - region.start)

    def _string_at(self, addr: int) -> str:
        data = bytearray()
        for i in range(256):
            byte = self.memory.get(addr + i) if self.memory is not None else None
            if byte is None or byte == 0:
                break
            data.append(byte)
        return data.decode("utf-8", "replace")

    def describe(self, value: int) -> str:
        """A human name for a canonical address, a stack address or a number."""
        if CANON_BASE <= value < CANON_BASE + (1 << 56):
            slot = (value - CANON_BASE) >> CANON_SLOT_BITS
            offset = (value - CANON_BASE) & ((1 << CANON_SLOT_BITS) - 1)
            name = self.names.get(slot)
            if name is not None:
                return f"&{name}" + (f"+{offset:#x}" if offset else "")
        if STACK_TOP - STACK_SIZE <= value <= STACK_TOP + 0x1000:
            return f"stack{value - STACK_TOP:+#x}"
        return hex(value)


def _quote(text: str) -> str:
    short = text if len(text) <= 40 else text[:37] + "..."
    return '"' + short.replace('"', '\\"').replace("\n", "\\n") + '"'


# --------------------------------------------------------------------- building


def build(project: Any, path: Path) -> Layout:
    """Read the layout of the main object of an angr ``project`` loaded from ``path``."""
    loader = project.loader
    obj = loader.main_object
    layout = Layout(path)
    layout.memory = _ByteReader(loader.memory)
    for sec in obj.sections:
        if not getattr(sec, "occupies_memory", False):
            continue
        kind = "string" if sec.name.startswith(".rodata.str") else "section"
        layout.regions.append(
            Region(
                sec.vaddr,
                sec.vaddr + sec.memsize,
                sec.name,
                kind,
                bool(sec.is_writable),
                bool(sec.is_executable),
            )
        )
    sections = list(layout.regions)
    for sym in obj.symbols:
        if not sym.name or sym.is_import or sym.size <= 0:
            continue
        if sym.is_function or sym.type.name == "TYPE_OBJECT":
            start = sym.rebased_addr
            home = next((s for s in sections if s.start <= start < s.end), None)
            writable = home.writable if home else True
            kind = "function" if sym.is_function else "object"
            layout.regions.append(
                Region(start, start + sym.size, sym.name, kind, writable, sym.is_function)
            )
            if sym.is_function:
                layout.functions[sym.name] = (start, sym.size)
    externs: list[tuple[int, str]] = []
    for ext in _extern_objects(loader):
        for sym in ext.symbols:
            if sym.name:
                externs.append((sym.rebased_addr, sym.name))
    externs.sort()
    for i, (addr, name) in enumerate(externs):
        end = externs[i + 1][0] if i + 1 < len(externs) else addr + 0x1000
        layout.regions.append(Region(addr, max(end, addr + 8), name, "extern", True))
    layout.regions.sort(key=lambda r: (r.start, r.kind == "section"))
    layout._starts = [r.start for r in layout.regions]
    objects = [obj, *_extern_objects(loader)]
    layout.lo = min(o.min_addr for o in objects)
    layout.hi = max(o.max_addr for o in objects) + 1
    _read_special_sections(layout, obj, path)
    _sweep(layout, project)
    return layout


def _extern_objects(loader: Any) -> list[Any]:
    return [o for o in loader.all_objects if type(o).__name__ == "ExternObject"]


class _ByteReader:
    """Concrete bytes of the loaded image (None where nothing is loaded)."""

    def __init__(self, memory: Any) -> None:
        self.memory = memory

    def get(self, addr: int) -> int | None:
        try:
            data = self.memory.load(addr, 1)
        except (KeyError, ValueError, Exception):  # cle raises KeyError for holes
            return None
        return data[0] if data else None


def _read_special_sections(layout: Layout, obj: Any, path: Path) -> None:
    with path.open("rb") as fh:
        elf = ELFFile(fh)
        symtab = elf.get_section_by_name(".symtab")
        vaddr = {i: s.vaddr for i, s in enumerate(obj.sections)}

        def targets(name: str) -> tuple[bytes, dict[int, int], dict[int, tuple[str, int]]]:
            """The section's bytes, and per relocated offset the address and name."""
            section = elf.get_section_by_name(name)
            rela = elf.get_section_by_name(".rela" + name)
            if section is None or not isinstance(rela, RelocationSection) or symtab is None:
                return b"", {}, {}
            addrs: dict[int, int] = {}
            names: dict[int, tuple[str, int]] = {}
            for rel in rela.iter_relocations():
                sym = symtab.get_symbol(rel["r_info_sym"])  # type: ignore[attr-defined]
                shndx = sym["st_shndx"]
                addend = rel["r_addend"]
                if isinstance(shndx, int) and shndx in vaddr:
                    addrs[rel["r_offset"]] = vaddr[shndx] + sym["st_value"] + addend
                label, offset = sym.name or "", addend
                if not label and isinstance(shndx, int):
                    # A section plus offset (a static object): name the object there.
                    label, offset = _object_at(symtab, shndx, addend)
                names[rel["r_offset"]] = (label, offset)
            return section.data(), addrs, names

        data, addrs, _ = targets("__bug_table")
        starts = sorted(addrs)
        if starts and data:
            per_entry = _entry_size(starts, len(data))
            flag_at = per_entry - 2
            for off in starts:
                if off % per_entry == 0 and off + per_entry <= len(data):
                    (flags,) = struct.unpack_from("<H", data, off + flag_at)
                    layout.bug_flags[addrs[off]] = flags
        data, addrs, names = targets("__jump_table")
        for off in range(0, len(data) - 15, 16):
            code, target = addrs.get(off), addrs.get(off + 4)
            key = names.get(off + 8)
            if code is None or target is None or key is None:
                continue
            key_name, addend = key
            layout.jump_sites[code] = JumpSite(
                code, target, f"{key_name}+{addend & ~3:#x}", addend & 1
            )
        data, addrs, _ = targets(".altinstructions")
        for off in range(0, len(data) - 13, 14):
            site, repl = addrs.get(off), addrs.get(off + 4)
            if site is None or repl is None:
                continue
            (ft_flags,) = struct.unpack_from("<I", data, off + 8)
            length, repl_len = data[off + 12], data[off + 13]
            reader = layout.memory
            assert reader is not None
            replacement = bytes(reader.get(repl + i) or 0 for i in range(repl_len))
            layout.alt_sites.append(AltSite(site, length, ft_flags & 0xFFFF, replacement))


def _object_at(symtab: Any, shndx: int, offset: int) -> tuple[str, int]:
    """The object symbol of section ``shndx`` that holds ``offset`` (name and the offset
    inside it), or the section's index when none does."""
    position = offset & ~3  # static-key references carry flag bits in the low bits
    for sym in symtab.iter_symbols():
        if sym["st_shndx"] != shndx or sym["st_info"]["type"] != "STT_OBJECT" or not sym.name:
            continue
        start = sym["st_value"]
        if start <= position < start + max(sym["st_size"], 1):
            return sym.name, offset - start
    return f"section{shndx}", offset


def _entry_size(starts: list[int], size: int) -> int:
    """The bug-table entry size: 12 bytes with file and line (two relocations per
    entry), 8 without (one)."""
    return 12 if len(starts) * 6 == size else 8 if len(starts) * 8 == size else 12


# Instructions whose effect on the machine (ports, control and segment registers,
# flags, privilege) VEX does not show as a state change the comparison sees.
_SYSTEM_MNEMONICS = {
    "in",
    "ins",
    "insb",
    "insw",
    "insd",
    "out",
    "outs",
    "outsb",
    "outsw",
    "outsd",
    "swapgs",
    "popf",
    "popfq",
    "popfd",
    "std",
    "cld",
    "sysret",
    "sysretq",
    "sysexit",
    "iret",
    "iretd",
    "iretq",
    "clwb",
    "clflushopt",
    "wrmsr",
    "xsetbv",
    "lgdt",
    "lidt",
    "lldt",
    "ltr",
    "lmsw",
    "wrfsbase",
    "wrgsbase",
    "wrpkru",
    "invpcid",
    "vmcall",
}
_SYSTEM_REGISTER = re.compile(r"^(cr\d+|dr\d+|[cdefgs]s)$")


def _is_system(mnemonic: str, operands: str) -> bool:
    """An instruction whose effect the symbolic execution would silently lose."""
    if mnemonic in _SYSTEM_MNEMONICS:
        return True
    if mnemonic == "mov":
        destination = operands.split(",")[0].strip()
        return _SYSTEM_REGISTER.match(destination) is not None
    return False


def _sweep(layout: Layout, project: Any) -> None:
    """Disassemble every function linearly: ud2, lock prefixes and fences."""
    import capstone  # type: ignore[import-untyped]

    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.detail = True
    memory = project.loader.memory
    for start, size in layout.functions.values():
        try:
            code = bytes(memory.load(start, size))
        except Exception:
            continue
        for insn in cs.disasm(code, start):
            layout.insn_length[insn.address] = insn.size
            layout.insn_mnemonic[insn.address] = insn.mnemonic
            if insn.mnemonic == "ud2":
                layout.ud2_sites.add(insn.address)
            elif 0xF0 in insn.prefix:
                layout.barrier_sites[insn.address] = f"lock {insn.mnemonic}"
            elif insn.mnemonic in ("mfence", "lfence", "sfence"):
                layout.barrier_sites[insn.address] = insn.mnemonic
            elif insn.mnemonic == "xchg" and "ptr" in insn.op_str:
                layout.barrier_sites[insn.address] = "xchg"
            elif _is_system(insn.mnemonic, insn.op_str):
                layout.system_sites[insn.address] = f"{insn.mnemonic} {insn.op_str}".strip()
