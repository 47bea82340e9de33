"""Case and theme pages: linked 出典, 最終更新, related cases, the theme number in the title,
meta description/OGP and the sitemap (the session's built site)."""

from __future__ import annotations

import functools
import subprocess

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from handbook_search.model.corpus import load_corpus
from handbook_search.model.related import LIMIT, related_cases
from handbook_search.model.schema import check_meta

CORPUS = load_corpus(ROOT / "corpus")


def _soup(site, page) -> BeautifulSoup:
    return BeautifulSoup((site / page.url).read_text(encoding="utf-8"), "html.parser")


def test_source_urls_are_links_under_sources(built_site):
    linked = [(p, s) for p in CORPUS.pages for s in p.meta.sources if s.url]
    assert linked  # the sources that give an address have it in the front matter
    for page, source in linked:
        box = _soup(built_site, page).select_one(".handbook-source-links")
        assert box is not None and box.find_parent("section").h2.get_text().startswith("出典")
        assert source.url in {a["href"] for a in box.find_all("a")}


def test_a_source_url_must_be_a_web_address():
    source = {"title": "資料", "publisher": "市", "date": "2024"}
    ok, _ = check_meta(
        {"kind": "guide", "title": "x", "sources": [{**source, "url": "https://a.jp/"}]}
    )
    assert ok is not None
    bad, errors = check_meta(
        {"kind": "guide", "title": "x", "sources": [{**source, "url": "javascript:alert(1)"}]}
    )
    assert bad is None and "https://" in errors[0][1]


@functools.cache
def _git_history() -> frozenset[str]:
    """The files whose last change git knows (none in a copy without .git or a shallow clone;
    a new file not yet committed is not among them). Those pages show no date, and the build
    still passes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout if done.returncode == 0 else ""

    if git("rev-parse", "--is-shallow-repository").strip() != "false":
        return frozenset()
    return frozenset((ROOT / f).as_posix() for f in git("ls-files", "-z").split("\0") if f)


def test_every_page_says_when_it_was_last_updated_and_where_it_lives(built_site):
    dated = 0
    for page in CORPUS.pages:
        html = _soup(built_site, page)
        if page.path.as_posix() in _git_history():
            assert html.select_one(".last-updated").get_text().startswith("最終更新: ")
            dated += 1
        url = html.select_one(".handbook-page-url a")["href"]
        assert url.endswith(page.url) and url == html.find("link", rel="canonical")["href"]
        og = {m["property"]: m["content"] for m in html.find_all("meta", property=True)}
        assert og["og:url"] == url and og["og:title"]
        if page.meta.summary:
            assert og["og:description"] == page.meta.summary
            assert html.find("meta", attrs={"name": "description"})["content"] == page.meta.summary
    assert dated or not _git_history()
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert all(f"/{p.url}</loc>" in sitemap for p in CORPUS.pages)


def test_related_cases_share_something_and_are_bounded(built_site):
    related = related_cases(CORPUS.cases())
    for page in CORPUS.cases():
        shown = _soup(built_site, page).select(".handbook-related-cases li")
        assert len(shown) == len(related[page.docname]) <= LIMIT
        for r in related[page.docname]:
            assert r.page is not page and (r.themes or r.same_prefecture or r.same_bureau)


def test_related_cases_respect_the_limit_and_a_lone_case_has_none():
    # three cases of the corpus of which the first shares something with the other two
    cases = CORPUS.cases()
    every = related_cases(cases, limit=len(cases))
    a = next((p for p in cases if len(every[p.docname]) >= 2), None)
    if a is None:
        pytest.skip("ほかの 2 件と共通点のある事例がありません")
    b, c = (r.page for r in every[a.docname][:2])
    related = related_cases([a, b, c], limit=1)
    assert len(related[a.docname]) == 1
    assert related_cases([a], limit=5)[a.docname] == []


def test_theme_titles_carry_their_number(built_site):
    for page in CORPUS.by_kind("theme"):
        h1 = _soup(built_site, page).h1.get_text().rstrip("¶").strip()
        assert h1 == f"{page.meta.theme} {page.meta.title}"
