"""The glossary: anchors derived from the term survive inserting a term, terms are bold and
listed in a 五十音 index, and a search hit on a term links to that term."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conftest import ROOT
from handbook_search.model.page import glossary_anchor, parse_page

GLOSSARY = ROOT / "corpus" / "glossary.md"


def _anchors(path) -> list[str]:
    page, problems = parse_page(path, path.parent)
    assert page is not None and not problems, problems
    return [s.anchor for s in page.sections if s.anchor.startswith("term-")]


def test_anchors_survive_inserting_a_term(tmp_path):
    before = _anchors(GLOSSARY)
    assert len(before) > 10
    text = GLOSSARY.read_text(encoding="utf-8")
    inserted = text.replace(
        "```{glossary}\n", "```{glossary}\n新しい用語\n  追加した説明です。\n\n", 1
    )
    assert inserted != text
    (tmp_path / "glossary.md").write_text(inserted, encoding="utf-8")
    after = _anchors(tmp_path / "glossary.md")
    assert after == [glossary_anchor("新しい用語"), *before]


def test_built_glossary_ids_come_from_the_terms_and_the_index_lists_every_term(built_site):
    html = BeautifulSoup(
        (built_site / "corpus/glossary.html").read_text(encoding="utf-8"), "html.parser"
    )
    terms = html.select("dl.glossary > dt")
    assert len(terms) > 10
    for dt in terms:
        text = "".join(dt.find_all(string=True, recursive=False)).strip() or dt.get_text().strip()
        assert dt["id"] == glossary_anchor(text.rstrip("¶").strip()), dt["id"]
    index = html.select_one(".handbook-glossary-index")
    assert index is not None
    assert index.find_parent("article") and index.find_next("dl", class_="glossary")
    listed = {a["href"] for a in index.find_all("a")}
    assert listed == {"#" + dt["id"] for dt in terms}
    rows = [s.get_text() for s in index.find_all("strong")]
    assert rows[0] == "あ行" and "さ行" in rows
    # cross-references ({term}) point at the same ids
    case = (built_site / "corpus/cases/shimane-izumo-2024.html").read_text(encoding="utf-8")
    assert 'glossary.html#term-総合事業"' in case
