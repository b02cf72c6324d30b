"""Pieces of the soundness sweep (``bench/soundness_fuzz.py``), not part of the installed
package: ``generate`` (seeded C programs), ``mutate`` (AST mutations and laws),
``kernel`` (mm/ mutants and laws as one-function patches), ``harness`` (the gcc judge),
``tasks`` (one engine check and its judgement), ``pool`` (workers with a hard timeout),
``sweep`` (tasks, tallies, figures), ``minimise`` (shrinking a refuted pair) and
``probes`` (hand-written pairs)."""
