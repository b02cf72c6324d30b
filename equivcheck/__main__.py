"""``python -m equivcheck``: the command line."""

from equivcheck.entry import main

main()
