"""The ``equivcheck`` command: the CLI stage's commands plus the integrations' (which
come later in the pipeline, so the CLI package cannot import them itself)."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the ``equivcheck`` console script and ``python -m equivcheck``.
    The commands are imported here, so that Ctrl-C while they load (a second or two:
    z3, rich, click) is "interrupted" too, not a traceback."""
    try:
        from equivcheck.cli.main import app
        from equivcheck.cli.main import main as run_app
        from equivcheck.integrations.b4_cli import b4_check
        from equivcheck.integrations.github_cli import github_annotations, github_comment
    except KeyboardInterrupt:
        print("equivcheck: interrupted", file=sys.stderr)
        sys.exit(130)
    for command in (b4_check, github_comment, github_annotations):
        app.add_command(command)
    run_app()
