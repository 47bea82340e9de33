"""The package's rooms and what each may import (docs/architecture.md).

Every import of every module is read with ast (function-level ones too, since the CLI imports
lazily), so a cycle or a forbidden dependency fails here before it can slow a search or tie the
product to an instrument.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

PACKAGE = "handbook_search"
SRC = ROOT / "src" / PACKAGE

# room → the rooms it may import (besides itself); the package root is free for everyone
ALLOWED = {
    "model": set(),
    "search": {"model"},
    "site": {"model", "search"},
    "cli": {"model", "search"},
    "paper": {"model", "site"},
    "lab": {"model", "search", "site", "cli", "paper"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def imports_of(name: str) -> set[str]:
    """The package's modules that `name` imports, anywhere in its code."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module pkg.mod; `from mod import name`, mod
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and target != PACKAGE:
                found.add(target)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def room(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def test_every_module_lives_in_a_room():
    loose = sorted(n for n in MODULES if n != PACKAGE and room(n) is None)
    assert loose == [], f"modules outside model/ search/ site/ cli/ lab/: {loose}"


def forbidden(graph: dict[str, set[str]]) -> list[str]:
    """Imports across rooms that ALLOWED does not permit."""
    wrong = []
    for name, targets in graph.items():
        mine = room(name)
        if mine is None:
            continue
        for target in sorted(targets):
            theirs = room(target)
            if theirs not in (mine, None) and theirs not in ALLOWED[mine]:
                wrong.append(f"{name} → {target}")
    return wrong


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_rooms_import_only_what_they_may():
    assert forbidden(GRAPH) == []


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_the_checks_catch_a_cycle_and_an_instrument_in_the_product():
    """The corpus ↔ rules cycle of the old flat package, and an engine that imports the lab."""
    graph = {
        "handbook_search.model.corpus": {"handbook_search.model.rules"},
        "handbook_search.model.rules": {"handbook_search.model.corpus"},
        "handbook_search.search.engine": {"handbook_search.lab.evaluate"},
        "handbook_search.cli.main": {"handbook_search.site.sphinxext"},
    }
    assert cycles(graph) == [["handbook_search.model.corpus", "handbook_search.model.rules"]]
    assert forbidden(graph) == [
        "handbook_search.search.engine → handbook_search.lab.evaluate",
        "handbook_search.cli.main → handbook_search.site.sphinxext",
    ]
    assert "handbook_search.model.page" in GRAPH["handbook_search.model.corpus"]  # graph is read


def modules_of_a_search(args: list[str]) -> set[str]:
    """The modules one `handbook-search search 担い手 ARGS` process loaded."""
    return modules_of(["search", "担い手", *args])


def modules_of(argv: list[str]) -> set[str]:
    """The modules one `handbook-search ARGV` process loaded."""
    script = (
        "import sys\n"
        "from handbook_search.cli.main import main\n"
        f"main({argv!r})\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return set(out.stderr.split())


@pytest.mark.slow
def test_a_one_page_update_does_not_load_the_query_side(tmp_path):
    """`handbook-search index` after a page changed reads and writes the index without the
    query side (the engine, whoosh.query and its English morphology's regular expressions):
    most of a one-page update's time is imports (docs/benchmarks.md)."""
    import shutil

    corpus = shutil.copytree(FIXTURES / "mini", tmp_path / "corpus")
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    subprocess.run([sys.executable, "-m", "handbook_search.cli", "index", *args], check=True)
    page = sorted((corpus / "cases").glob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\n追記した一文です。\n", encoding="utf-8")
    loaded = modules_of(["index", *args])
    assert "whoosh.writing" in loaded and "sudachipy" in loaded  # it did analyze and write
    assert "handbook_search.search.engine" not in loaded
    assert "whoosh.query" not in loaded


@pytest.mark.slow
def test_a_search_imports_nothing_from_the_site_or_the_lab(tmp_path):
    """A cold query (one process) loads neither the site, the instruments nor Sphinx."""
    corpus = FIXTURES / "mini"
    index = tmp_path / "index"
    args = ["--corpus", str(corpus), "--index", str(index)]
    cli = [sys.executable, "-m", "handbook_search.cli"]
    subprocess.run([*cli, "index", *args], check=True, capture_output=True)
    loaded = modules_of_a_search(args)
    for unwanted in ("handbook_search.site", "handbook_search.lab", "sphinx", "docutils", "bs4"):
        assert not {m for m in loaded if m == unwanted or m.startswith(unwanted + ".")}, unwanted
    assert "handbook_search.search.engine" in loaded  # it did search


@pytest.mark.slow
def test_a_repeated_search_does_not_load_the_validator(tmp_path):
    """The second cold query of a word (synonyms and query words cached next to the index)
    loads neither pydantic (the validator's models) nor Sudachi's dictionary: most of a cold
    search's time was those imports (docs/benchmarks.md)."""
    import shutil

    from handbook_search.model.corpus import SYNONYMS_FILE

    corpus = shutil.copytree(FIXTURES / "mini", tmp_path / "corpus")
    shutil.copy(ROOT / "corpus" / SYNONYMS_FILE, corpus / SYNONYMS_FILE)
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    cli = [sys.executable, "-m", "handbook_search.cli"]
    subprocess.run([*cli, "index", *args], check=True, capture_output=True)
    subprocess.run([*cli, "search", "担い手", *args], check=True, capture_output=True)
    loaded = modules_of_a_search(args)
    assert "handbook_search.search.engine" in loaded  # it did search
    assert "pydantic" not in loaded
    assert "sudachipy" not in loaded
