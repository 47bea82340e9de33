"""Packaging (pyproject.toml holds the metadata): the wheel carries a snapshot of corpus/.

`pip install handbook-search-*.whl` or `pipx install` gives a CLI that searches the corpus as of
the build without a checkout (cli/common.py: SNAPSHOT). Only regular files are copied, never a
symlink nor a dot-file: corpus/ arrives by pull request. Not for editable installs: a checkout
searches its own corpus/.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CORPUS = Path(__file__).resolve().parent / "corpus"


def _not_regular(folder: str, names: list[str]) -> set[str]:
    here = Path(folder)
    return {
        n
        for n in names
        if n.startswith(".")
        or (here / n).is_symlink()
        or not ((here / n).is_file() or (here / n).is_dir())
    }


class BuildWithSnapshot(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        if not CORPUS.is_dir():
            raise SystemExit("corpus/ がありません: ホイールにはコーパスの写しが入ります")
        dest = Path(self.build_lib) / "handbook_search" / "snapshot" / "corpus"
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(CORPUS, dest, ignore=_not_regular)


setup(cmdclass={"build_py": BuildWithSnapshot})
