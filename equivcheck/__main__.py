"""``python -m equivcheck``: the command line."""

from equivcheck.cli.main import main

main()
