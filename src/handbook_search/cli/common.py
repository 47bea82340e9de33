"""What every command shares: exit statuses, the usage error, where the corpus is."""

from __future__ import annotations

import os
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: printed as a Japanese message, exit status 2."""


def default_corpus() -> Path:
    """$HANDBOOK_CORPUS, else ./corpus, else the corpus of the checkout this package lives in."""
    env = os.environ.get("HANDBOOK_CORPUS")
    if env:
        return Path(env)
    here = Path.cwd() / "corpus"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "corpus"
