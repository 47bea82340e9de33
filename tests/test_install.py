"""The CLI where its users are: a wheel installed outside any checkout (pipx), and no POSIX-only
module on the import path of the CLI (Windows has no fcntl, termios, pwd, grp nor resource)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from handbook_search.model.project import check_publishable, site_url

ROOT = Path(__file__).resolve().parents[1]
POSIX_ONLY = ("fcntl", "termios", "pwd", "grp", "resource")


def _product_modules() -> list[str]:
    """Every module of the package except lab/ (instruments: bench, eval, browser)."""
    src = ROOT / "src"
    names = []
    for path in sorted((src / "handbook_search").rglob("*.py")):
        rel = path.relative_to(src).with_suffix("")
        if "lab" in rel.parts or rel.name == "__main__":
            continue
        names.append(".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts))
    return names


def test_the_cli_imports_and_locks_its_index_without_posix_only_modules(tmp_path):
    """As on Windows: fcntl & co. cannot be imported; every product module still imports, and an
    index is built under our lock (filelock, which then has no fcntl) and searched."""
    corpus = tmp_path / "corpus"
    (corpus / "cases").mkdir(parents=True)
    case = next((ROOT / "corpus" / "cases").glob("*.md"))
    (corpus / "cases" / case.name).write_bytes(case.read_bytes())
    script = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {POSIX_ONLY!r}:
            sys.modules[name] = None  # `import fcntl` raises ImportError, as on Windows
        for module in {_product_modules()!r}:
            importlib.import_module(module)
        import filelock
        if sys.platform != "win32":  # (Windows has msvcrt's lock)
            assert filelock.FileLock is filelock.SoftFileLock  # what our index lock uses here
        # whoosh takes its own (redundant) writer lock inside our private generation folder;
        # it picks msvcrt on Windows by itself (os.name == "nt"), fcntl elsewhere: give it back.
        for name in {POSIX_ONLY!r}:
            del sys.modules[name]
        from handbook_search.cli.main import main
        sys.exit(main(["search", "--corpus", sys.argv[1], "--index", sys.argv[2], "--json",
                       sys.argv[3]]))
        """
    )
    title_word = case.stem.split("-")[1]  # the case's own file-name slug is in its URL
    out = subprocess.run(
        [sys.executable, "-c", script, str(corpus), str(tmp_path / "index"), "事例"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["results"] and title_word in result["results"][0]["path"]
    assert (tmp_path / "index" / "CURRENT").is_file()


def test_colour_only_where_the_terminal_shows_it(monkeypatch):
    from handbook_search.cli.render import use_color

    class Tty:
        def isatty(self):
            return True

    for name in ("NO_COLOR", "TERM", "WT_SESSION", "ANSICON"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert use_color(Tty())
    monkeypatch.setattr(sys, "platform", "win32")
    assert not use_color(Tty())  # the old Windows console prints escape codes as text
    monkeypatch.setenv("WT_SESSION", "1")
    assert use_color(Tty())  # Windows Terminal shows them


def test_output_never_fails_on_a_code_page_without_the_character(tmp_path):
    """A Japanese Windows pipes in cp932: a character it lacks is replaced, not a crash."""
    script = "from handbook_search.cli.render import console_streams; console_streams(); print('担い手\\u2460\\U0001F600')"
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp932"},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode("cp932").startswith("担い手")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`make dist`'s wheel and sdist, checked by twine as `make dist` does."""
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    files = sorted(out.iterdir())
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    return next(f for f in files if f.suffix == ".whl")


def test_the_wheel_carries_the_corpus_snapshot_and_no_symlink(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    snapshot = "handbook_search/snapshot/corpus/"
    for page in (ROOT / "corpus").rglob("*"):
        if page.is_file() and not page.is_symlink() and not page.name.startswith("."):
            assert snapshot + page.relative_to(ROOT / "corpus").as_posix() in names
    assert not any(n.startswith(("tests/", "docs/", "corpus/")) for n in names)


def test_the_installed_wheel_searches_outside_any_checkout(wheel, tmp_path, run_cli):
    """A fresh venv in a temp folder: `pip install handbook_search-*.whl`, then
    `handbook-search 担い手確保` answers as the checkout does, with its index in the user's cache
    folder, not in site-packages. (The wheel's dependencies are the checkout's own, through a
    .pth file: the test installs nothing from the network.)"""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    scheme = {"base": str(env_dir), "platbase": str(env_dir)}
    python = Path(sysconfig.get_path("scripts", vars=scheme)) / (
        "python.exe" if os.name == "nt" else "python"
    )
    purelib = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    # no PYTHONPATH (a grown run points it at its src/): pip would take the egg-info the build
    # leaves there for an installed copy, and the CLI would not run the wheel's own code
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean,
    )
    assert install.returncode == 0, install.stderr
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    away = tmp_path / "elsewhere"
    away.mkdir()
    cache = tmp_path / "cache"
    env = {k: v for k, v in clean.items() if not k.startswith("HANDBOOK_")}
    env.update(XDG_CACHE_HOME=str(cache), HOME=str(tmp_path / "home"), PYTHONUTF8="1")
    scripts = Path(sysconfig.get_path("scripts", vars=scheme))
    script = scripts / ("handbook-search.exe" if os.name == "nt" else "handbook-search")
    where = "from platformdirs import user_cache_path as u; print(u('handbook-search', appauthor=False))"
    cache = Path(subprocess.check_output([str(python), "-c", where], env=env, text=True).strip())
    out = subprocess.run(
        [str(script), "担い手確保", "--json", "--limit", "3"],
        cwd=away,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    installed = json.loads(out.stdout)
    status, checkout_out, _ = run_cli("search", "担い手確保", "--json", "--limit", "3")
    assert status == 0
    here = json.loads(checkout_out)
    assert [r["title"] for r in installed["results"]] == [r["title"] for r in here["results"]]
    assert installed["results"][0]["url"].startswith(site_url())  # the published site
    text = subprocess.run(
        [str(script), "担い手確保", "--limit", "1"],
        cwd=away, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120,
    )  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert "snapshot/corpus/cases/" in text.stdout.replace(os.sep, "/")  # the wheel's own pages
    indexes = list(cache.glob("index-*/CURRENT"))  # the OS's cache folder (XDG, ~/Library/Caches …)
    assert len(indexes) == 1, list(cache.rglob("*"))[:10]
    assert not list(purelib.rglob("CURRENT"))  # nothing written into site-packages
    if tmp_path not in cache.parents:  # Windows: the real %LOCALAPPDATA%
        shutil.rmtree(indexes[0].parent)


def test_the_publishing_address_is_one_place_and_refuses_placeholders(monkeypatch):
    monkeypatch.delenv("HANDBOOK_SITE_URL", raising=False)
    check_publishable(site_url())  # the address in pyproject.toml can be published
    monkeypatch.setenv("HANDBOOK_SITE_URL", "https://someone.github.io/fork")
    assert site_url() == "https://someone.github.io/fork/"
    for bad in ("https://example.org/handbook-search/", "http://x.github.io/", "file:///tmp/"):
        with pytest.raises(ValueError):
            check_publishable(bad)
