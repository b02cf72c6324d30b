"""equivcheck: is a "no functional change" C patch really one?"""

__version__ = "0.1.0"
