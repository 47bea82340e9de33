from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run `handbook-search ARGS…` in-process; returns (exit status, stdout, stderr)."""
    from handbook_search.cli import main

    def run(*args: str, cwd: Path = ROOT):
        monkeypatch.chdir(cwd)
        status = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def build_site(src: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    """sphinx-build exactly as `make html` runs it, on a source tree laid out like the repo
    (`options`: more sphinx-build arguments, e.g. ``-D name=value``)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-c",
            str(src / "docs"),
            "-b",
            "html",
            "-W",
            "--keep-going",
            "-q",
            *options,
            str(src),
            str(out),
        ],
        capture_output=True,
        text=True,
    )


def run_folder(tmp_path_factory) -> Path:
    """This run's own temporary folder: under pytest-xdist (`make test` runs the suite in
    parallel), the folder above each worker's, which all workers of the run share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `name` of this run, made by `make(folder)` once for all workers: the first
    worker that asks makes it under a file lock, the others wait and reuse it. The run's
    folder is new each run, so nothing of an earlier run (or another tree) is reused. A
    failed `make` leaves no mark: the next worker that asks tries again (and fails alike)."""
    from filelock import FileLock

    out = run_folder(tmp_path_factory) / name
    with FileLock(out.with_name(f"{name}.lock")):
        done = out.with_name(f"{name}.done")
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)
            make(out)
            done.touch()
    return out


def _build_real_site(out: Path) -> None:
    result = build_site(ROOT, out)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once per test run, whatever the number of workers
    ($HANDBOOK_BUILT_SITE: a site already built from this tree, as the contribution test
    passes to the suite it runs on a copy). Tests read it and never change it."""
    if os.environ.get("HANDBOOK_BUILT_SITE"):
        return Path(os.environ["HANDBOOK_BUILT_SITE"])
    return made_once(tmp_path_factory, "site", _build_real_site)


def read_site_index(static_dir: Path) -> dict:
    """The built site-search index of `static_dir` (_static/) as one dict again: the entry
    file with its term and vocabulary shards merged back (terms, vocab)."""
    import json

    from handbook_search.site import searchindex

    def body(text: str, sep: str) -> dict:
        return json.loads(text.split(sep, 1)[1].rstrip().rstrip(";").removesuffix(")"))

    data = body((static_dir / searchindex.INDEX_FILE).read_text(encoding="utf-8"), "=")
    for key, table in (("terms", "term_chunks"), ("vocab", "vocab_chunks")):
        data[key] = {}
        for _, _, name in data[table]:
            shard = static_dir / searchindex.SHARD_DIR / f"{name}.js"
            data[key] |= body(shard.read_text(encoding="utf-8"), ",")
    return data


def copy_repository(dest: Path) -> Path:
    """A copy of the repository as a contributor clones it (no .git, .venv, node_modules,
    build, caches)."""
    skip = shutil.ignore_patterns(
        ".git",
        ".venv",
        "node_modules",
        "build",
        "__pycache__",
        "*.egg-info",
        ".pytest_cache",
        ".ruff_cache",
    )
    shutil.copytree(ROOT, dest, ignore=skip)
    return dest


def copy_project(dest: Path) -> Path:
    """A copy of what the site build reads (docs/, corpus/, and the repository files the
    configuration names), to change without touching the repo."""
    for part in ("docs", "corpus"):
        shutil.copytree(ROOT / part, dest / part)
    for name in ("pyproject.toml", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, dest / name)
    return dest


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: drives headless Chromium against the built site (tests/test_browser.py)",
    )


# -- headless Chromium, one session for all browser tests (test_browser.py, test_readers.py) --
INSTALL_HINT = "sudo apt-get install chromium chromium-driver fonts-noto-cjk"


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_paths() -> tuple[str, str]:
    try:
        import selenium  # noqa: F401
    except ImportError:
        _missing(
            "selenium がないため、ブラウザのテストを飛ばします（make test で入ります）/ "
            "selenium is not installed: browser tests skipped"
        )
    from handbook_search.lab.browser import apt_install_chromium, find_chromium

    browser, driver = find_chromium()
    if browser and driver:
        return browser, driver
    if os.environ.get("CI") == "true" and os.geteuid() == 0:
        done = apt_install_chromium()
        browser, driver = find_chromium()
        if done.returncode != 0 or not (browser and driver):
            pytest.fail(
                "CI=true: Chromium を apt-get で入れられませんでした / could not install "
                f"Chromium with apt-get (exit {done.returncode}):\n{done.stderr[-3000:]}"
            )
        return browser, driver
    _missing(
        "Chromium と chromedriver が見つからないため、ブラウザのテストを飛ばします"
        f"（{INSTALL_HINT}）/ Chromium or chromedriver not found: browser tests skipped"
    )


@pytest.fixture(scope="session")
def site_url(built_site):
    from handbook_search.lab.browser import serve

    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def session(chromium_paths, tmp_path_factory):
    from handbook_search.lab.browser import chromium

    driver = chromium(tmp_path_factory.mktemp("chromium-profile"), *chromium_paths)
    yield driver
    driver.quit()


@pytest.fixture
def browser(session):
    """The shared browser, with the console log drained: each test sees only its own errors."""
    from handbook_search.lab.browser import console_errors

    console_errors(session)
    return session
