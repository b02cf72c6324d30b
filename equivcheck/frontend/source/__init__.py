"""Functions and changes in C text: finding definitions (``cfuncs``), the functions a
patch or two texts change (``functions``), the changed parts (``fragments``), labels
(``labels``), light mode's raw text (``light``), text differences (``textdiff``) and
changes outside every function (``unattributed``)."""
