"""Data shared by the front-end modules: patches, function versions, change lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LineKind = Literal[" ", "+", "-"]
ChangeStatus = Literal["changed", "added", "removed", "affected"]


@dataclass(frozen=True)
class SourceLocation:
    """A place in a source file; ``line`` is 1-based."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class HunkLine:
    """One line of a hunk body, without its ``+``/``-``/`` `` prefix or newline.
    ``old_text``, when set, is the before side's spelling of a context line (a line
    marker whose number moved); ``text`` is then the after side's."""

    kind: LineKind
    text: str
    old_text: str | None = None


@dataclass
class Hunk:
    """One ``@@ -a,b +c,d @@ section`` hunk. Starts are 1-based line numbers."""

    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str
    lines: list[HunkLine]

    def old_lines(self) -> list[str]:
        """The hunk's text as it stands in the before version."""
        return [
            ln.old_text if ln.old_text is not None else ln.text
            for ln in self.lines
            if ln.kind != "+"
        ]

    def new_lines(self) -> list[str]:
        """The hunk's text as it stands in the after version."""
        return [ln.text for ln in self.lines if ln.kind != "-"]


@dataclass
class FilePatch:
    """The changes a patch makes to one file. A path is None when the file is created
    (``old_path``) or deleted (``new_path``)."""

    old_path: str | None
    new_path: str | None
    hunks: list[Hunk]

    @property
    def path(self) -> str:
        """The file's path (the after path unless the file is deleted)."""
        path = self.new_path or self.old_path
        assert path is not None
        return path


@dataclass
class Patch:
    """One patch: a commit from ``git format-patch``/an mbox, or a plain diff.

    ``damaged`` is True when the text lost its leading whitespace (copied from a web
    archive) and was repaired by matching content. ``notes`` say what else the reader
    repaired (a recounted hunk), one line each, for the report.
    """

    subject: str
    files: list[FilePatch]
    author: str = ""
    date: str = ""
    message: str = ""
    source: str = ""
    index: int = 1
    damaged: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class FunctionChange:
    """A function a patch touches, and how."""

    file: str
    function: str
    status: ChangeStatus
    detail: str = ""


@dataclass
class FunctionText:
    """The text of one function definition as it stands in one version of a file.

    ``text`` starts at the first line of the definition (return type included);
    ``start_line`` is that line's number in ``file``. In tree mode ``typedefs`` holds the
    typedef names in scope (from the translation unit); in light mode it is guessed.
    """

    name: str
    file: str
    start_line: int
    text: str
    typedefs: frozenset[str] = field(default_factory=frozenset)
    union_members: frozenset[str] = field(default_factory=frozenset)
    unit: str = field(default="", compare=False, repr=False)
    context: FileContext | None = field(default=None, compare=False, repr=False)
    """Two-file mode: the whole file, as the compiler can read it (not preprocessed)."""


@dataclass(frozen=True)
class FileContext:
    """A C file of two-file mode as the compiler reads it: its whole text, and the
    directories its quoted includes are found in (its own first)."""

    text: str
    include_dirs: tuple[str, ...]
