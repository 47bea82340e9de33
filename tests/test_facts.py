"""Every key figure on a case page matches its source (tests/data/facts/*.yaml)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

FACT_FILES = sorted((ROOT / "tests" / "data" / "facts").glob("*.yaml"))
SOURCES = Path(os.environ.get("HANDBOOK_SOURCES", ROOT.parent / "shared" / "sources"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_case_page_has_a_fact_table():
    tables = {yaml.safe_load(f.read_text(encoding="utf-8"))["page"] for f in FACT_FILES}
    cases = {f"corpus/cases/{p.name}" for p in (ROOT / "corpus" / "cases").glob("*.md")}
    assert cases <= tables


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
    if not source.is_file():
        pytest.skip(f"出典ファイルがありません: {source}（HANDBOOK_SOURCES で場所を指定できます）")
    text = squash(source.read_text(encoding="utf-8"))
    missing = [f["source"] for f in table["facts"] if squash(f["source"]) not in text]
    assert missing == []
