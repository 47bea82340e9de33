"""A contributor's whole path on a copy of the repository: `new case` → fill the body →
validate → site build (-W) → listed everywhere → found by both searches → the corpus-level
tests of the suite still pass with the new case.

One site build of the copy; the inner test run reuses it ($HANDBOOK_BUILT_SITE).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest
from bs4 import BeautifulSoup

from conftest import build_site, copy_repository, read_site_index
from handbook_search.model.corpus import load_corpus
from handbook_search.model.rules import PLACEHOLDER
from handbook_search.site import searchindex

pytestmark = pytest.mark.slow

WORD = "りんご"  # in the new page's body only
BODY = {
    "概要": f"例示町は、{WORD}並木のある地区で移動支援と通いの場づくりに取り組みました。",
    "地域の状況": "山あいの集落が点在し、バスの本数が少ない地域です。",
    "支援テーマと課題": "通いの場への移動手段がないことが課題でした。",
    "支援の経過": "令和6年9月1日（2024）に第1回の現地支援を行いました。",
    # a name Sudachi reads 里見 + 守り on the page, the browser 里見 + 守る (the spelling 守り is
    # mostly a part of 見守り): the browser must find it as typed (test_coverage)
    "主な取組": "住民ボランティアによる送迎の試行を始めました。住民の「里見守り隊」も活動しています。",
    "成果・気づき": "参加者が増えたことが報告されています。",
    "今後の展開": "送迎の曜日を増やす予定です。",
}

# The tests that read the real corpus (their expectations come from it); not those on fixtures,
# nor the two that build sites of their own.
SUITE = [
    "tests/test_cli.py::test_list_cases",
    "tests/test_cli.py::test_list_all_pages",
    "tests/test_cli.py::test_index_then_up_to_date",
    "tests/test_corpus.py::test_real_corpus_is_complete",
    "tests/test_facts.py",
    "tests/test_validate.py::test_real_corpus_validates",
    "tests/test_site.py",
    "tests/test_sitesearch.py::test_site_build_emits_the_index_and_the_search_page_uses_it",
    "tests/test_coverage.py",
    *(
        f"tests/test_search.py::{name}"
        for name in (
            "test_compound_meets_text_that_splits_it",
            "test_place_names_without_suffix",
            "test_filters",
            "test_phrase_and_exclusion",
        )
    ),
]
DESELECT = "not test_adding_a_case_file and not test_a_corpus_problem_fails_the_build"


def fill(text: str) -> str:
    """What a contributor writes: placeholders replaced, a paragraph under each heading."""
    text = text.replace(f"{PLACEHOLDER}取組を一言で", "りんご並木の送迎と通いの場")
    text = re.sub(rf"summary: {PLACEHOLDER}.*", "summary: 例示町の送迎の試行です。", text)
    text = re.sub(rf"title: {PLACEHOLDER}.*", "title: 例示町の報告資料", text)
    text = re.sub(rf"publisher: {PLACEHOLDER}.*", "publisher: 長野県例示町 福祉課", text)
    text = text.replace(
        f"- {PLACEHOLDER}資料のタイトル（発行者、令和N年M月D日）", "- 例示町の報告資料"
    )
    for heading, para in BODY.items():
        text = re.sub(rf"(## {heading}\n\n% [^\n]*\n)", rf"\1\n{para}\n", text)
    return text


def links_to(html_file, name: str) -> bool:
    """Whether the page's main content (not the navigation) links to the file `name`."""
    page = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    main = page.find("article") or page
    return any(a["href"].split("#")[0].endswith(name) for a in main.find_all("a", href=True))


def site_search_pages(site, word: str) -> set[str]:
    """Pages of the built site-search index that hold every unit of `word`."""
    data = read_site_index(site / "_static")
    found = None
    for unit in data["vocab"][searchindex.fold(word)]:
        postings = data["terms"][unit[0]][0]
        pages = {data["pages"][postings[i]]["url"] for i in range(0, len(postings), 5)}
        found = pages if found is None else found & pages
    return found or set()


def test_a_new_case_goes_from_scaffold_to_searchable_site(run_cli, tmp_path):
    repo = copy_repository(tmp_path / "repo")
    start = time.perf_counter()
    args = ["--municipality", "例示町", "--prefecture", "長野県", "--year", "令和6年度"]
    status, out, err = run_cli("new", "case", *args, "--themes", "5,6", cwd=repo)
    assert status == 0, err
    path = repo / "corpus/cases/nagano-reiji-2024.md"
    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")

    status, out, err = run_cli("validate", cwd=repo)
    assert (status, err) == (0, ""), err

    site = tmp_path / "html"
    result = build_site(repo, site)
    assert result.returncode == 0, result.stderr
    url = "corpus/cases/nagano-reiji-2024.html"
    assert (site / url).is_file()
    assert site_search_pages(site, WORD) == {url}
    seconds = time.perf_counter() - start  # shown with -s (the closing note's number)

    # the case list links its 年度's page, which links the case, as do its themes' pages; the
    # home page links it, or (when it shows only part of a large corpus) the case list
    corpus = load_corpus(repo / "corpus")
    assert links_to(site / "docs/cases.html", "cases/2024.html")
    listings = ["docs/cases/2024.html", corpus.theme_page(5).url, corpus.theme_page(6).url]
    home = site / "docs/index.html"
    assert links_to(home, "nagano-reiji-2024.html") or links_to(home, "cases.html")
    for listing in listings:
        assert links_to(site / listing, "nagano-reiji-2024.html"), listing
    assert not links_to(site / corpus.theme_page(7).url, "nagano-reiji-2024.html")

    status, out, _ = run_cli("search", WORD, "--json", "--index", tmp_path / "ix", cwd=repo)
    assert status == 0
    assert [r["path"] for r in json.loads(out)["results"]] == ["cases/nagano-reiji-2024.md"]

    env = {**os.environ, "HANDBOOK_BUILT_SITE": str(site), "HANDBOOK_CORPUS": ""}
    env.pop("HANDBOOK_CORPUS")
    suite = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            "-k",
            DESELECT,
            *SUITE,
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert suite.returncode == 0, suite.stdout[-3000:]
    print(f"\nnew case → built, searchable page: {seconds:.1f} s")
