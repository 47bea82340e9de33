"""Every case, wherever a reader looks for it: its year's list, the explorer filtered by its
prefecture, and the search (CLI and browser) for a word only that case contains.

The expectations come from the corpus under test, so these tests say the most in the grown run
(`make test-grown`: lab/grow.py gives each generated case a quoted name of its own, 「…」, in its
概要); on today's corpus they check the real cases the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from conftest import ROOT
from handbook_search.model.corpus import load_corpus
from handbook_search.site.sphinxext import year_part_page
from test_browser import cli_engine  # noqa: F401 (fixture)
from test_readers import _shown_cases
from test_site import links_from, year_parts_from

CORPUS = load_corpus(ROOT / "corpus")
QUOTED = re.compile(r"「([^「」]{4,40})」")


def own_words() -> dict[str, str]:
    """docname → a quoted name (「…」) in that case's text that no other page contains."""
    texts = {p.docname: p.path.read_text(encoding="utf-8") for p in CORPUS.pages}
    out = {}
    for case in CORPUS.cases():
        for word in QUOTED.findall(texts[case.docname]):
            if not any(word in text for name, text in texts.items() if name != case.docname):
                out[case.docname] = word
                break
    return out


def test_every_case_is_on_its_year_page(built_site):
    for case in CORPUS.cases():
        # the year's page and, for a long year, its further parts (次のページ links)
        first = (built_site / f"{year_part_page(case.meta.fiscal_year, 1)}.html").resolve()
        assert first.is_file(), f"no year page for {case.meta.fiscal_year}"
        target = (built_site / case.url).resolve().as_posix()
        parts = year_parts_from(built_site, first)
        assert any(target in links_from(part) for part in parts), case.relpath


def test_the_explorer_lists_every_case_of_a_prefecture(browser, site_url):
    from urllib.parse import quote

    by_prefecture = defaultdict(list)
    for case in CORPUS.cases():
        by_prefecture[case.meta.prefecture].append(case.meta.municipality)
    for prefecture, names in sorted(by_prefecture.items()):
        browser.get(f"{site_url}docs/cases.html?prefecture={quote(prefecture)}")
        assert sorted(_shown_cases(browser)) == sorted(names), prefecture


@pytest.fixture(scope="module")
def words() -> dict[str, str]:
    found = own_words()
    if not found:
        pytest.skip("どの事例にも、その事例だけが含む「…」の語がありません")
    return found


def test_a_word_only_its_case_contains_finds_it_first_in_the_cli(words, cli_engine):  # noqa: F811
    urls = {p.docname: p.url for p in CORPUS.cases()}
    for docname, word in words.items():
        hits = cli_engine.query(word, limit=1, notify=lambda m: None).hits
        assert hits and hits[0].record["url"] == urls[docname], (word, docname)


def test_a_word_only_its_case_contains_finds_it_first_in_the_browser(
    words,
    browser,
    site_url,
):
    # found as typed, not by the "any word" fallback (its notice would say no page has them
    # all): the browser reads a word without Sudachi, and may read it otherwise than the page
    urls = {p.docname: p.url for p in CORPUS.cases()}
    browser.get(site_url + "search.html")
    found = browser.execute_async_script(
        """
        const [queries, done] = arguments;
        Promise.all(queries.map((q) => HandbookSearch.search(q, {}, 5)))
          .then((all) => all.map((r) => [r.mode, r.hits.map((h) => h.page.url)]))
          .then(done, (err) => done(String(err)));
        """,
        list(words.values()),
    )
    assert isinstance(found, list), found
    for (docname, word), (mode, hits) in zip(words.items(), found, strict=True):
        assert hits and hits[0] == urls[docname], (word, docname, hits)
        assert mode == "and", (word, docname, mode)
