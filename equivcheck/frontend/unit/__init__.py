"""The translation unit and what the compiler says of it: preprocessing as kbuild does
(``kbuild``, with the kernel's macros kept as calls: ``keepmacros``), the compiler's
answers on sizes, layouts and constants (``typesizes``; ``fileconstants`` for two
files), prototypes (``prototypes``) and unions (``unions``)."""
