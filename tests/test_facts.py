"""Every key figure on a case page matches its source (tests/data/facts/*.yaml, sources/*.txt).

A fact table is required for a case page that cites a document whose text is in sources/
(listed in sources/README.md); for other (contributed) cases it is optional.
"""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import ROOT
from handbook_search.model.corpus import load_corpus

FACT_FILES = sorted((ROOT / "tests" / "data" / "facts").glob("*.yaml"))
SOURCES = ROOT / "sources"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cites_a_source_in_the_repository(page, listed: str) -> bool:
    titles = [part for s in page.meta.sources for part in s.title.split("／")]
    return any(squash(t) in listed for t in titles)


def test_every_case_citing_a_source_text_has_a_fact_table():
    listed = squash((SOURCES / "README.md").read_text(encoding="utf-8"))
    tables = {yaml.safe_load(f.read_text(encoding="utf-8"))["page"] for f in FACT_FILES}
    cases = load_corpus(ROOT / "corpus").cases()
    needed = {f"corpus/{p.relpath}" for p in cases if cites_a_source_in_the_repository(p, listed)}
    assert needed, "sources/README.md lists the documents cited by the original cases"
    assert needed <= tables


@pytest.mark.parametrize("fact_file", FACT_FILES, ids=lambda p: p.stem)
def test_facts_appear_on_the_page(fact_file):
    table = yaml.safe_load(fact_file.read_text(encoding="utf-8"))
    page = squash((ROOT / table["page"]).read_text(encoding="utf-8"))
    missing = [f["page"] for f in table["facts"] if squash(f["page"]) not in page]
    assert len(table["facts"]) >= 10
    assert missing == []


@pytest.mark.parametrize("fact_file", FACT_FILES, ids=lambda p: p.stem)
def test_facts_appear_in_the_source(fact_file):
    table = yaml.safe_load(fact_file.read_text(encoding="utf-8"))
    source = SOURCES / table["source"]
    assert source.is_file(), f"出典ファイルがありません: {source}（sources/ に置いてください）"
    text = squash(source.read_text(encoding="utf-8"))
    missing = [f["source"] for f in table["facts"] if squash(f["source"]) not in text]
    assert missing == []
