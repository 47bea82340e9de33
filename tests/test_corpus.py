"""The page model: one parser feeding validator, site and index."""

from __future__ import annotations

from conftest import FIXTURES, ROOT
from handbook_search.model.corpus import load_corpus
from handbook_search.model.page import parse_page
from handbook_search.model.vocab import THEMES

MINI = FIXTURES / "mini"


def mini_case():
    page, problems = parse_page(MINI / "cases" / "shimane-kakuu-2024.md", MINI)
    assert problems == []
    return page


def test_case_metadata_is_typed():
    page = mini_case()
    assert page.kind == "case"
    assert page.meta.fiscal_year == 2024
    assert page.meta.themes == [7]
    assert page.meta.sources[0].date.isoformat() == "2025-03-07"
    assert page.relpath == "cases/shimane-kakuu-2024.md"
    assert page.docname == "corpus/cases/shimane-kakuu-2024"
    assert page.identity == ("case", "島根県", "架空町", 2024)


def test_sections_have_myst_anchors_and_lines():
    page = mini_case()
    titles = [(s.title, s.level, s.anchor) for s in page.sections]
    assert titles[0] == ("架空町（島根県）令和6年度", 1, "")
    assert ("概要", 2, "概要") in titles
    assert ("成果・気づき", 2, "成果気づき") in titles  # MyST drops the 中黒, as in the HTML id
    overview = next(s for s in page.sections if s.title == "概要")
    assert overview.line == 17
    assert overview.text == "架空町はたすけあい団体の担い手確保に取り組みました。"


def test_plain_text_keeps_tables_admonitions_and_link_text():
    page = mini_case()
    text = page.text
    assert "人口 1,000人" in text  # table cells
    assert "ボランティアポイントを 導入 しました。" in text  # note body, markup dropped
    assert "生活支援体制整備" in text  # link text
    assert "**" not in text and "```" not in text and "|" not in text


def test_term_role_shows_its_display_text(tmp_path):
    src = (MINI / "themes" / "07-life-support-system.md").read_text(encoding="utf-8")
    src = src.replace("生活支援コーディネーターと", "{term}`SC <生活支援コーディネーター>` と")
    path = tmp_path / "07.md"
    path.write_text(src, encoding="utf-8")
    page, problems = parse_page(path, tmp_path)
    assert problems == []
    assert "SC と協議体" in page.sections[0].text
    assert ("theme-cases", 17) in page.directives


def test_real_corpus_is_complete():
    corpus = load_corpus(ROOT / "corpus")
    assert corpus.problems == []
    assert sorted(p.meta.theme for p in corpus.by_kind("theme")) == list(THEMES)
    cases = {(p.meta.municipality, p.meta.fiscal_year) for p in corpus.cases()}
    assert {("出雲市", 2024), ("美里町", 2023), ("南大隅町", 2023)} <= cases
    assert len(corpus.by_kind("glossary")) == 1
    # newest first, then north to south
    order = [p.meta.municipality for p in corpus.cases()]
    assert order.index("出雲市") < order.index("美里町") < order.index("南大隅町")


def test_synthetic_corpus_is_valid_and_deterministic(tmp_path):
    from handbook_search.lab.synth import SYNTH_GLOB, generate

    a = generate(60, tmp_path / "a", ROOT / "corpus")
    b = generate(60, tmp_path / "b", ROOT / "corpus")
    corpus = load_corpus(a)
    assert corpus.problems == []
    assert len(corpus.by_kind("case")) == 60 + len(load_corpus(ROOT / "corpus").by_kind("case"))
    for path in sorted((a / "cases").glob(SYNTH_GLOB)):
        assert path.read_text(encoding="utf-8") == (b / "cases" / path.name).read_text(
            encoding="utf-8"
        )
