"""Which functions a patch changes, adds, removes, or affects.

With the before/after texts of the touched files the function lists of both versions
are compared; with the patch alone the hunks are read (see :mod:`patch_hunkwalk`).
``affected`` marks an unchanged function that calls a function of the same file the
change adds, removes or changes (not a ``__weak`` one: a call to it may reach another
definition). Results come in file order, then line order. :func:`call_graph` and
:func:`reaching` say which functions of a file a caller reaches through calls, for the
functions the engine must inline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from equivcheck.frontend.gnuc.scan import matching_paren
from equivcheck.frontend.model import ChangeStatus, FilePatch, FunctionChange, Hunk, Patch
from equivcheck.frontend.patch.clex import mask
from equivcheck.frontend.patch.hunkwalk import SideWalk, walk
from equivcheck.frontend.source.cfuncs import CFunction, find_functions

_C_SUFFIXES = (".c", ".h")
# A weak definition may be replaced at link time: calls to it are not inlined.
_WEAK_MACRO = re.compile(r"\b__weak\b")
_ATTRIBUTE = re.compile(r"\b__attribute__\s*\(")
_WEAK_WORD = re.compile(r"\b(?:__)?weak(?:__)?\b")


def is_weak(header: str) -> bool:
    """Whether a definition's header (the text before its body) marks it weak:
    ``__weak``, or ``weak`` inside an ``__attribute__((...))`` (a parameter named
    ``weak`` does not count)."""
    if _WEAK_MACRO.search(header):
        return True
    for match in _ATTRIBUTE.finditer(header):
        end = matching_paren(header, match.end() - 1)
        if _WEAK_WORD.search(header[match.end() : end - 1]):
            return True
    return False


def changed_functions(
    patch: Patch,
    before: Mapping[str, str] | None = None,
    after: Mapping[str, str] | None = None,
) -> list[FunctionChange]:
    """The functions ``patch`` touches, one entry per (file, function)."""
    changes: list[FunctionChange] = []
    for fp in patch.files:
        if not fp.path.endswith(_C_SUFFIXES):
            continue
        if before is None and after is None:
            changes.extend(_from_hunks(fp, patch.damaged))
        else:
            old = before.get(fp.old_path, "") if before and fp.old_path else ""
            new = after.get(fp.new_path, "") if after and fp.new_path else ""
            changes.extend(_from_texts(fp.path, old, new))
    return changes


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _calls(code: str, names: set[str]) -> list[str]:
    """The names from ``names`` that ``code`` calls (``name(``), in first-call order."""
    seen: list[str] = []
    for match in re.finditer(r"\b([A-Za-z_]\w*)\s*\(", code):
        if match.group(1) in names and match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


def _from_texts(path: str, old: str, new: str) -> list[FunctionChange]:
    old_funcs, new_funcs = _by_name(old), _by_name(new)
    old_all, new_all = _all_by_name(old), _all_by_name(new)
    old_lines, new_lines = old.split("\n"), new.split("\n")
    new_code = mask(new).split("\n")
    found: list[tuple[int, FunctionChange]] = []
    touched: set[str] = set()
    for name, func in new_funcs.items():
        texts = [_text(new_lines, f) for f in new_all[name]]
        if name not in old_funcs:
            found.append((func.start_line, FunctionChange(path, name, "added", "new function")))
        elif texts != (old_texts := [_text(old_lines, f) for f in old_all[name]]):
            same = [_squeeze(t) for t in texts] == [_squeeze(t) for t in old_texts]
            notes = ["whitespace only"] if same else []
            if max(len(texts), len(old_texts)) > 1:
                notes.append(f"defined {max(len(texts), len(old_texts))} times")
            found.append((func.start_line, FunctionChange(path, name, "changed", "; ".join(notes))))
        else:
            continue
        if not any(is_weak(f.header_text) for f in new_all[name]):
            touched.add(name)
    for name, func in old_funcs.items():
        if name not in new_funcs:
            found.append((func.start_line, FunctionChange(path, name, "removed", "")))
            touched.add(name)
    listed = {c.function: c for _, c in found}
    for name, func in new_funcs.items():
        body = "\n".join(new_code[func.body_start_line - 1 : func.end_line])
        callees = _calls(body, touched - {name})
        if not callees:
            continue
        note = "calls " + ", ".join(callees)
        if name in listed:
            entry = listed[name]
            entry.detail = f"{entry.detail}; {note}" if entry.detail else note
        else:
            found.append((func.start_line, FunctionChange(path, name, "affected", note)))
    return [c for _, c in sorted(found, key=lambda item: item[0])]


def defined_times(text: str, name: str) -> int:
    """How many definitions of ``name`` ``text`` holds (``#ifdef`` variants)."""
    return len(_all_by_name(text).get(name, []))


def _all_by_name(text: str) -> dict[str, list[CFunction]]:
    funcs: dict[str, list[CFunction]] = {}
    for func in find_functions(text):
        funcs.setdefault(func.name, []).append(func)
    return funcs


@dataclass(frozen=True)
class CallGraph:
    """Which functions of a file each of its functions calls, in either version, and
    which are weak (calls to those are opaque: neither inlined nor followed)."""

    calls: dict[str, frozenset[str]]
    weak: frozenset[str]

    def reached(self, root: str) -> set[str]:
        """The functions ``root`` reaches through calls (not through a weak one),
        ``root`` excluded unless it reaches itself."""
        seen: set[str] = set()
        todo = [root]
        while todo:
            for callee in self.calls.get(todo.pop(), frozenset()):
                if callee not in seen and callee not in self.weak:
                    seen.add(callee)
                    todo.append(callee)
        return seen


def call_graph(*texts: str) -> CallGraph:
    """The call graph of one file over all its versions ``texts``."""
    calls: dict[str, set[str]] = {}
    weak: set[str] = set()
    for text in texts:
        funcs = find_functions(text)
        names = {f.name for f in funcs}
        code = mask(text).split("\n")
        for func in funcs:
            body = "\n".join(code[func.body_start_line - 1 : func.end_line])
            calls.setdefault(func.name, set()).update(_calls(body, names))
            if is_weak(func.header_text):
                weak.add(func.name)
    return CallGraph({k: frozenset(v) for k, v in calls.items()}, frozenset(weak))


def reaching(graph: CallGraph, root: str, touched: set[str]) -> set[str]:
    """The functions a call from ``root`` may run whose behaviour the change can alter:
    those ``root`` reaches that are ``touched`` or reach a touched one (weak ones and
    what lies behind them excluded). The engine inlines all of them into ``root``."""
    reached = graph.reached(root)
    return {name for name in reached if name in touched or (graph.reached(name) & touched)}


def _by_name(text: str) -> dict[str, CFunction]:
    """Functions by name; a name defined twice (``#ifdef`` variants) keeps the first."""
    funcs: dict[str, CFunction] = {}
    for func in find_functions(text):
        funcs.setdefault(func.name, func)
    return funcs


def _text(lines: list[str], func: CFunction) -> str:
    return "\n".join(lines[func.start_line - 1 : func.end_line])


@dataclass
class _Seen:
    """What the hunks show about one function."""

    status: ChangeStatus
    order: tuple[int, int]
    is_static: bool = False
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    hunks: list[int] = field(default_factory=list)


def _from_hunks(fp: FilePatch, damaged: bool) -> list[FunctionChange]:
    seen: dict[str, _Seen] = {}
    for number, hunk in enumerate(fp.hunks, start=1):
        sides = {"-": walk(hunk, "old", damaged), "+": walk(hunk, "new", damaged)}
        whole = {"-": _whole(hunk, sides["-"], "-"), "+": _whole(hunk, sides["+"], "+")}
        for side in sides.values():
            for span in side.spans:
                place = (number, -1 if span.first is None else span.first)
                entry = seen.setdefault(span.name, _Seen("affected", place))
                entry.order = min(entry.order, place)
                entry.is_static = entry.is_static or span.is_static
        context = sides["+"]
        for ln in context.lines:
            owner = context.owner.get(ln.index)
            if owner is not None:
                seen[owner].code.append(ln.code)
        for ln in sides["-"].lines:
            if hunk.lines[ln.index].kind == "-" and (owner := sides["-"].owner[ln.index]):
                seen[owner].code.append(ln.code)
        for index, line in enumerate(hunk.lines):
            if line.kind == " ":
                continue
            owner = sides[line.kind].owner.get(index)
            if owner is None:
                continue
            entry = seen[owner]
            status: ChangeStatus = (
                ("added" if line.kind == "+" else "removed")
                if owner in whole[line.kind]
                else "changed"
            )
            if entry.status in ("affected", status) or status == "changed":
                entry.status = status
            (entry.added if line.kind == "+" else entry.removed).append(line.text)
            if number not in entry.hunks:
                entry.hunks.append(number)
    return _finish(fp.path, seen)


def _whole(hunk: Hunk, side: SideWalk, kind: str) -> set[str]:
    """Functions whose every line on this side is a ``kind`` line (added/removed whole)."""
    names: set[str] = set()
    for span in side.spans:
        if span.first is None or span.last is None:
            continue
        first, last = span.first, span.last
        if all(hunk.lines[ln.index].kind == kind for ln in side.lines if first <= ln.index <= last):
            names.add(span.name)
    return names


def _finish(path: str, seen: dict[str, _Seen]) -> list[FunctionChange]:
    touched = {n for n, s in seen.items() if s.status in ("changed", "added") and s.is_static}
    out: list[FunctionChange] = []
    for name, entry in sorted(seen.items(), key=lambda item: item[1].order):
        callees = _calls("\n".join(entry.code), touched - {name})
        notes: list[str] = []
        if entry.status == "changed":
            hunks = ", ".join(str(n) for n in entry.hunks)
            notes.append(f"hunk{'s' if len(entry.hunks) > 1 else ''} {hunks}")
            if _squeeze("".join(entry.removed)) == _squeeze("".join(entry.added)):
                notes.append("whitespace only")
        elif entry.status == "added":
            notes.append("new function")
        if callees:
            notes.append("calls " + ", ".join(callees))
        if entry.status == "affected" and not callees:
            continue
        out.append(FunctionChange(path, name, entry.status, "; ".join(notes)))
    return out
