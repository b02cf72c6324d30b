"""The ``equivcheck`` command: the CLI stage's commands plus the integrations' (which
come later in the pipeline, so the CLI package cannot import them itself)."""

from __future__ import annotations

from equivcheck.cli.main import app
from equivcheck.cli.main import main as run_app
from equivcheck.integrations.b4_cli import b4_check
from equivcheck.integrations.github_cli import github_annotations, github_comment


def main() -> None:
    """Entry point of the ``equivcheck`` console script and ``python -m equivcheck``."""
    for command in (b4_check, github_comment, github_annotations):
        app.add_command(command)
    run_app()
