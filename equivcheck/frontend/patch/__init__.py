"""Patches as text: reading them (``read``: mbox, format-patch, plain diffs, damaged
ones; ``input``: bytes to text; ``diffparse``/``recount``: hunks and their counts;
``indent``: whitespace lost in transit), walking their hunks (``hunkwalk``, ``clex``:
which function a line belongs to), and applying them in memory (``apply``)."""
