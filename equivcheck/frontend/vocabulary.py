"""The C vocabulary the front end's scanners share, stated once: keywords, qualifiers,
the words that open a parenthesised group, statement words, and the kernel's
annotations that read like words of a declaration."""

from __future__ import annotations

TYPE_KEYWORDS = frozenset(
    [
        "void",
        "char",
        "short",
        "int",
        "long",
        "float",
        "double",
        "signed",
        "unsigned",
        "_Bool",
        "_Complex",
        "__int128",
        "__signed__",
        "__signed",
    ]
)
QUALIFIERS = frozenset(
    [
        "const",
        "volatile",
        "restrict",
        "__restrict",
        "__restrict__",
        "__const",
        "__const__",
        "__volatile__",
        "__volatile",
        "_Atomic",
        "__seg_gs",
        "__seg_fs",
        "__extension__",
        "inline",
        "__inline",
        "__inline__",
        "static",
        "extern",
        "register",
        "auto",
        "typedef",
        "_Thread_local",
        "_Noreturn",
    ]
)
TAGS = frozenset({"struct", "union", "enum"})
# Words followed by a parenthesised group that is not a declarator.
GROUP_WORDS = frozenset(
    [
        "__attribute__",
        "__attribute",
        "typeof",
        "__typeof__",
        "__typeof",
        "_Alignas",
        "asm",
        "__asm__",
        "__asm",
        "_Atomic",
        "__typeof_unqual__",
    ]
)
TYPEGROUP_WORDS = frozenset(["typeof", "__typeof__", "__typeof", "_Atomic", "__typeof_unqual__"])
C_KEYWORDS = (
    TYPE_KEYWORDS
    | QUALIFIERS
    | TAGS
    | GROUP_WORDS
    | frozenset(
        [
            "if",
            "else",
            "while",
            "do",
            "for",
            "switch",
            "case",
            "default",
            "break",
            "continue",
            "goto",
            "return",
            "sizeof",
            "_Alignof",
            "__alignof__",
            "_Generic",
            "_Static_assert",
            "offsetof",
            "__builtin_offsetof",
            "__label__",
            "__auto_type",
            "__builtin_va_arg",
            "__builtin_types_compatible_p",
        ]
    )
)
BUILTIN_TYPEDEFS = frozenset({"__builtin_va_list", "__auto_type"})

STATEMENT_KEYWORDS = frozenset(
    {"if", "for", "while", "switch", "return", "else", "do", "case", "goto", "sizeof"}
)
"""Words that open a statement (or an expression) and name no function."""

NOT_FUNCTION_NAMES = STATEMENT_KEYWORDS | frozenset(
    {"typeof", "__typeof__", "_Static_assert", "static_assert"}
)
"""Words followed by ``(`` that are no function's name."""

INLINE_WORDS = frozenset({"inline", "__inline", "__inline__", "__always_inline"})

KERNEL_ANNOTATIONS = frozenset(
    {
        "__attribute__",
        "__aligned",
        "__packed",
        "__user",
        "__iomem",
        "__rcu",
        "__percpu",
        "__force",
        "__bitwise",
    }
)
"""The kernel's annotations that stand among a declaration's words (sparse's address
spaces, packing)."""

FUNCTION_ANNOTATIONS = frozenset(
    {"noinline", "__always_inline", "__must_check", "notrace", "__cold", "__init", "__noreturn"}
)
"""The kernel's annotations of a function's declaration."""

# Macros written like calls that annotate a declaration rather than name it.
ATTRIBUTE_MACROS = frozenset(
    {
        "__attribute__",
        "__attribute",
        "__printf",
        "__scanf",
        "__section",
        "__aligned",
        "__alias",
        "__malloc",
        "__must_hold",
        "__acquires",
        "__releases",
        "__cond_acquires",
        "__cond_releases",
        "__no_sanitize_address",
        "__diag_ignore",
        "__counted_by",
        "__alloc_size",
        "__realloc_size",
        "__assume_aligned",
        "__weak",
        "__nonstring",
        "__access",
        "__no_context_analysis",
        "__context__",
        "asm",
        "__asm__",
        "__asm",
        "alignas",
        "_Alignas",
        "__ATTR",
    }
)
