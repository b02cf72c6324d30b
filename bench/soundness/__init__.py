"""Pieces of the soundness sweep (``bench/soundness_fuzz.py``): programs, mutations,
the gcc harness, kernel mutants and the engine pool. Not part of the installed package."""
