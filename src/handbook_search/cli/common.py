"""What every command shares: exit statuses, the usage error, where the corpus and its index are.

Three ways to run the CLI, three places for the corpus: $HANDBOOK_CORPUS or ./corpus; the
checkout this package lives in (`pip install -e`, make); else the snapshot of corpus/ that an
installed wheel carries (`pipx install`, SNAPSHOT). A snapshot's index goes to the user's cache
folder (platformdirs: ~/.cache, ~/Library/Caches, %LOCALAPPDATA%), never into site-packages.
"""

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
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (checkout / "corpus").is_dir():
        return checkout / "corpus"
    return SNAPSHOT


# corpus/ as of the wheel's build (setup.py copies it into the package; not in a checkout)
SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshot" / "corpus"


def is_snapshot(corpus: Path) -> bool:
    return corpus.resolve() == SNAPSHOT.resolve()


def default_index(corpus: Path) -> Path:
    """$HANDBOOK_INDEX; for the installed snapshot the user's cache folder (one index per
    version); else build/index next to the corpus."""
    env = os.environ.get("HANDBOOK_INDEX")
    if env:
        return Path(env)
    if is_snapshot(corpus):
        from importlib.metadata import version

        from platformdirs import user_cache_path

        return (
            user_cache_path("handbook-search", appauthor=False)
            / f"index-{version('handbook-search')}"
        )
    return corpus.resolve().parent / "build" / "index"
