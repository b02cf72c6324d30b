"""Shared pytest fixtures.

``kernel_tree`` is the real, configured linux-source-6.12 tree that ``.ci/kernel-tree``
extracts once into a cache folder. In CI (``CI=true``) a missing tree is an error; on a
developer machine without the apt package the kernel tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
KERNEL_TARBALL = Path("/usr/src/linux-source-6.12.tar.xz")


@pytest.fixture(scope="session", autouse=True)
def _sigint_as_a_process_has_it() -> None:
    """SIGINT raises KeyboardInterrupt, as in any Python process (and children started
    from here get the default action): a pytest-xdist worker inherits it ignored, and
    the Ctrl-C tests send it to themselves and to the commands they start."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def kernel_tree() -> Path:
    """The configured 6.12 tree (extracted and prepared on first use)."""
    if not KERNEL_TARBALL.exists() or shutil.which("make") is None:
        reason = f"{KERNEL_TARBALL} missing: apt-get install linux-source-6.12"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    out = subprocess.run(
        [str(REPO / ".ci" / "kernel-tree")], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        pytest.fail(f".ci/kernel-tree failed: {out.stderr.strip()[-2000:]}")
    return Path(out.stdout.strip())


@pytest.fixture
def fixtures_dir() -> Path:
    """The repository's fixtures folder."""
    return FIXTURES
