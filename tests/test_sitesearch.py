"""The site search index (site/searchindex.py): built with the CLI's analysis, emitted by the site build.

The browser side is tested in tests/test_browser.py; these tests need no browser.
"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES, ROOT
from handbook_search.model.corpus import SYNONYMS_FILE, load_corpus
from handbook_search.search.analysis import JapaneseAnalyzer
from handbook_search.site import searchindex as sitesearch


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    root = tmp_path_factory.mktemp("mini") / "corpus"
    shutil.copytree(FIXTURES / "mini", root)
    (root / SYNONYMS_FILE).write_text(
        "synonyms:\n  - [助け合い, たすけあい]\n  - [生活支援コーディネーター, SC]\n",
        encoding="utf-8",
    )
    corpus = load_corpus(root)
    assert corpus.problems == []
    return corpus, sitesearch.build_index(corpus)


def units_of(data, spelling: str):
    entry = data["vocab"][spelling]
    if entry == 0:
        return "particle"
    return [[data["terms"][i] for i in unit] for unit in entry]


def test_pages_carry_metadata_and_sections(mini):
    corpus, data = mini
    case = next(p for p in data["pages"] if p["kind"] == "case")
    assert case["url"] == "corpus/cases/shimane-kakuu-2024.html"
    assert (case["municipality"], case["prefecture"], case["fiscal_year"]) == (
        "架空町",
        "島根県",
        2024,
    )
    assert case["wareki"] == "令和6年度" and case["themes"] == [7]
    page = next(p for p in corpus.pages if p.kind == "case")
    assert case["sections"] == [[s.title, s.anchor, s.text] for s in page.sections]


def test_postings_count_what_the_cli_indexes(mini):
    corpus, data = mini
    page = next(p for p in corpus.pages if p.kind == "case")
    p_id = next(i for i, p in enumerate(data["pages"]) if p["kind"] == "case")
    body = [t.text for t in JapaneseAnalyzer()(page.text)]
    for term in ("担い手", "確保"):
        postings = data["postings"][data["terms"].index(term)]
        rows = [postings[i : i + 5] for i in range(0, len(postings), 5)]
        row = next(r for r in rows if r[0] == p_id)
        assert row[4] == body.count(term)  # body tf
        assert row[1] == 0 or term in page.title
    assert data["pages"][p_id]["lengths"][3] >= len(body) * 0.95  # whoosh's rounded length


def test_vocabulary_maps_spellings_to_the_analyzers_units(mini):
    _, data = mini
    assert units_of(data, "担い手") == [["担い手"]]
    assert units_of(data, "島根県") == [["島根県", "島根", "県"]]  # compound and parts
    assert units_of(data, "島根") == [["島根"]]  # a part by itself
    assert units_of(data, "の") == "particle"
    assert units_of(data, "たすけあい")[0][0] == "助け合う"  # Sudachi's normalized form
    # synonym members are whole entries, analyzed as the CLI analyzes them
    assert units_of(data, "生活支援コーディネーター")
    assert all(key == sitesearch.fold(key) for key in data["vocab"])  # NFKC + lower case


def test_synonym_groups_are_the_clis(mini):
    _, data = mini
    from handbook_search.search.synonyms import analyze_groups

    expected = analyze_groups([["助け合い", "たすけあい"], ["生活支援コーディネーター", "SC"]])
    got = [[tuple(data["terms"][i] for i in key) for key in group] for group in data["synonyms"]]
    assert got == expected


def test_written_once_per_source_digest(mini, tmp_path, monkeypatch):
    corpus, _ = mini
    digest = sitesearch.source_digest(corpus.root)
    target = sitesearch.write_index(corpus, tmp_path, digest)
    text = target.read_text(encoding="utf-8")
    assert text.startswith(f"/* handbook-search site index {digest}")
    assert f"window.{sitesearch.GLOBAL_NAME}=" in text
    data = json.loads(text.split("=", 1)[1].rstrip().rstrip(";"))
    assert data["format"] == sitesearch.FORMAT
    calls = []
    monkeypatch.setattr(sitesearch, "build_index", lambda *a: calls.append(a) or {})
    sitesearch.write_index(corpus, tmp_path, digest)
    assert calls == []  # same sources: not rebuilt
    sitesearch.write_index(corpus, tmp_path, "another")
    assert len(calls) == 1


def test_digest_follows_the_corpus(mini, tmp_path):
    corpus, _ = mini
    copy = tmp_path / "corpus"
    shutil.copytree(corpus.root, copy)
    before = sitesearch.source_digest(copy)
    (copy / SYNONYMS_FILE).write_text("synonyms: []\n", encoding="utf-8")
    assert sitesearch.source_digest(copy) != before


@pytest.mark.slow
def test_site_build_emits_the_index_and_the_search_page_uses_it(built_site):
    index = built_site / "_static" / sitesearch.INDEX_FILE
    assert index.is_file()
    assert sitesearch.source_digest(ROOT / "corpus") in index.read_text(encoding="utf-8")[:200]
    page = (built_site / "search.html").read_text(encoding="utf-8")
    assert "handbook-search-index.js" in page and "handbook-search.js" in page
    assert "searchtools.js" not in page and "searchindex.js" not in page
    assert 'id="hs-q"' in page and 'name="kind"' in page and 'id="hs-theme"' in page


@pytest.mark.slow
def test_the_site_index_carries_the_dictionary(built_site):
    # the browser expands a variant of corpus/dictionary.yml like the CLI: たすけあい団体 and
    # たすけあい活動団体 are one synonym group of the exported index
    text = (built_site / "_static" / sitesearch.INDEX_FILE).read_text(encoding="utf-8")
    data = json.loads(text.split("=", 1)[1].rstrip().rstrip(";"))

    def key(spelling: str) -> tuple[str, ...]:
        return tuple(unit[0] for unit in units_of(data, spelling))

    groups = [{tuple(data["terms"][i] for i in k) for k in group} for group in data["synonyms"]]
    assert any({key("たすけあい団体"), key("たすけあい活動団体")} <= g for g in groups)
