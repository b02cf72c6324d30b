"""``python -m equivcheck``: the command line."""

from equivcheck.entry import main

# (guarded: a worker process started by --jobs imports this module again)
if __name__ == "__main__":
    main()
