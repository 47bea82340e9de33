"""The site search index (site/searchindex.py): built with the CLI's analysis, emitted by the site build.

The browser side is tested in tests/test_browser.py; these tests need no browser.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from conftest import FIXTURES, ROOT, build_site, copy_project, read_site_index
from handbook_search.model.corpus import SYNONYMS_FILE, load_corpus
from handbook_search.search.analysis import JapaneseAnalyzer
from handbook_search.site import searchindex as sitesearch
from handbook_search.site import searchupdate


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
    return "particle" if entry == 0 else entry


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
    p_id = data["pages"].index(case)
    sections = data["sections"][p_id]
    assert [s[:3] for s in sections] == [[s.title, s.anchor, s.text] for s in page.sections]
    # where a section title may break (its 「§」 line in the results), only when it may
    from handbook_search.site.phrases import utf16_boundaries

    assert [s[3:] for s in sections] == [
        [b] if (b := utf16_boundaries(s.title)) else [] for s in page.sections
    ]
    assert any(s[3:] for s in sections)


def test_postings_count_what_the_cli_indexes(mini):
    corpus, data = mini
    page = next(p for p in corpus.pages if p.kind == "case")
    p_id = next(i for i, p in enumerate(data["pages"]) if p["kind"] == "case")
    body = [t.text for t in JapaneseAnalyzer()(page.text)]
    for term in ("担い手", "確保"):
        postings = data["terms"][term][0]
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
    got = [[tuple(key) for key, _ in group] for group in data["synonyms"]]
    assert got == expected


def read_entry(path):
    text = path.read_text(encoding="utf-8")
    return text, json.loads(text.split("=", 1)[1].rstrip().rstrip(";"))


def read_shard(path):
    text = path.read_text(encoding="utf-8")
    name, body = text.split(",", 1)
    assert name == f'{sitesearch.SHARD_FUNCTION}("{path.stem}"'  # registers under its own name
    return json.loads(body.rstrip().rstrip(";").removesuffix(")"))


def test_written_once_per_source_digest(mini, tmp_path, monkeypatch):
    corpus, _ = mini
    digest = sitesearch.source_digest(corpus.root)
    target = searchupdate.write_index(corpus, tmp_path, digest)
    text, data = read_entry(target)
    assert text.startswith(f"/* handbook-search site index {digest}")
    assert f"window.{sitesearch.GLOBAL_NAME}=" in text
    assert data["format"] == sitesearch.FORMAT
    calls = []
    monkeypatch.setattr(searchupdate, "_update", lambda *a, **k: calls.append(a) or {})
    searchupdate.write_index(corpus, tmp_path, digest)
    assert calls == []  # same sources: not rebuilt
    with pytest.raises(Exception):  # noqa: B017 — the stub update returns nothing to write
        searchupdate.write_index(corpus, tmp_path, "another")
    assert len(calls) == 1


def test_shards_cover_the_index_and_are_named_by_content(mini, tmp_path, monkeypatch):
    corpus, data = mini
    monkeypatch.setattr(sitesearch, "TERM_CHUNK_CHARS", 200)  # several shards from a tiny corpus
    monkeypatch.setattr(sitesearch, "VOCAB_CHUNK_CHARS", 200)
    _, entry = read_entry(searchupdate.write_index(corpus, tmp_path, "one", cache_dir=tmp_path))
    shards = tmp_path / sitesearch.SHARD_DIR
    assert len(entry["term_chunks"]) > 1 and len(entry["vocab_chunks"]) > 1
    for table, whole in (("term_chunks", data["terms"]), ("vocab_chunks", data["vocab"])):
        merged = {}
        for first, last, name in entry[table]:
            chunk = read_shard(shards / f"{name}.js")
            assert (first, last) == (next(iter(chunk)), list(chunk)[-1])
            merged |= chunk
        assert merged == whole  # every term in exactly the shard its range says
        starts = [sitesearch.js_order(row[0]) for row in entry[table]]
        assert starts == sorted(starts)  # ranges sorted as JavaScript compares strings
    for page, sections in zip(entry["pages"], data["sections"], strict=True):
        assert read_shard(shards / f"{page['f']}.js") == sections  # one small shard per page
    for path in shards.glob("*.js"):
        body = path.read_text(encoding="utf-8").split(",", 1)[1].removesuffix(");\n")
        assert path.stem.endswith(hashlib.sha1(body.encode()).hexdigest()[:12])
    before = {p.name for p in shards.glob("*.js")}
    (corpus.root / "cases" / "shimane-kakuu-2024.md").touch()  # same content: same names
    searchupdate.write_index(corpus, tmp_path, "two", cache_dir=tmp_path)
    assert {p.name for p in shards.glob("*.js")} == before


def test_unchanged_pages_are_not_analyzed_again(mini, tmp_path, monkeypatch):
    corpus, _ = mini
    sitesearch.analyze_pages(corpus, tmp_path)
    calls = []
    monkeypatch.setattr(sitesearch, "analyze_page", lambda page: calls.append(page))
    sitesearch.analyze_pages(corpus, tmp_path)
    assert calls == []


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
    _, entry = read_entry(index)
    tables = ("term_chunks", "vocab_chunks", "position_chunks")
    names = {row[2] for table in tables for row in entry[table]}
    names |= {p["f"] for p in entry["pages"]} | {entry["suggest"]}
    assert {p.stem for p in (built_site / "_static" / sitesearch.SHARD_DIR).glob("*.js")} == names
    assert sitesearch.source_digest(ROOT / "corpus") in index.read_text(encoding="utf-8")[:200]
    page = (built_site / "search.html").read_text(encoding="utf-8")
    assert "handbook-search-index.js" in page and "handbook-search.js" in page
    assert "searchtools.js" not in page and "searchindex.js" not in page
    assert 'id="hs-q"' in page and 'name="kind"' in page and 'id="hs-theme"' in page


@pytest.mark.slow
def test_the_site_index_carries_the_dictionary(built_site):
    # the browser expands a variant of corpus/dictionary.yml like the CLI: たすけあい団体 and
    # たすけあい活動団体 are one synonym group of the exported index
    data = read_site_index(built_site / "_static")

    def key(spelling: str) -> tuple[str, ...]:
        return tuple(unit[0] for unit in units_of(data, spelling))

    groups = [{tuple(k) for k, _ in group} for group in data["synonyms"]]
    assert any({key("たすけあい団体"), key("たすけあい活動団体")} <= g for g in groups)


def test_a_build_swaps_only_the_changed_pages(tmp_path, monkeypatch):
    # the next build keeps the index's state: an edited page is analyzed again, the others are
    # not; shards without a changed entry keep their names; a removed page vanishes, a renamed
    # one moves; and the files are exactly those of a clean build of the same corpus
    monkeypatch.setattr(sitesearch, "TERM_CHUNK_CHARS", 2_000)  # many shards from a small corpus
    monkeypatch.setattr(sitesearch, "VOCAB_CHUNK_CHARS", 2_000)
    root = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", root)
    site, cache = tmp_path / "site" / "_static", tmp_path / "doctrees"
    edited, removed, renamed = sorted(root.glob("cases/*.md"))[:3]
    with edited.open("a", encoding="utf-8") as f:
        f.write("\n宇宙遊泳の体験会を開きました。\n")

    def build(static=site, cache_dir=cache):
        corpus = load_corpus(root)
        digest = sitesearch.source_digest(root)
        searchupdate.write_index(corpus, static, digest, cache_dir=cache_dir)
        return corpus, {p.stem for p in (static / sitesearch.SHARD_DIR).glob("*.js")}

    def page_terms(corpus, path, words):
        page = next(p for p in corpus.pages if p.path == path)
        return {t.text for t in JapaneseAnalyzer()(words)}, page.url

    analyzed, fresh = [], []
    real = sitesearch.analyze_page
    monkeypatch.setattr(sitesearch, "analyze_page", lambda p: analyzed.append(p.path) or real(p))
    real_fresh = searchupdate._fresh_state
    monkeypatch.setattr(searchupdate, "_fresh_state", lambda s: fresh.append(s) or real_fresh(s))
    _, before = build()
    assert len(analyzed) == len(load_corpus(root).pages) and len(fresh) == 1

    # 1. one sentence of one page replaced
    analyzed.clear()
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("宇宙遊泳の体験会", "深海探査の報告会"), encoding="utf-8")
    corpus, after = build()
    assert analyzed == [edited]
    data = read_site_index(site)
    old, url = page_terms(corpus, edited, "宇宙遊泳")
    new, _ = page_terms(corpus, edited, "深海探査")
    p_id = [p["url"] for p in data["pages"]].index(url)
    for term in new:
        assert p_id in data["terms"][term][0][::5]
    for term in old - new:
        assert p_id not in data["terms"].get(term, [[]])[0][::5]
    terms_before = {n for n in before if n.startswith("t-")}
    terms_after = {n for n in after if n.startswith("t-")}
    assert 0 < len(terms_after - terms_before) <= 2 * len(old | new)  # the rest kept
    pages_before = {n for n in before if n.startswith("f-")}
    assert len(pages_before - after) == 1  # the edited page's sections

    # 2. a page removed, another renamed
    analyzed.clear()
    removed_url = page_terms(corpus, removed, "")[1]
    removed.unlink()
    moved = renamed.with_name(renamed.stem + "-moved.md")
    renamed.rename(moved)
    corpus, after = build()
    assert analyzed == [moved]
    data = read_site_index(site)
    urls = [p["url"] for p in data["pages"]]
    assert removed_url not in urls and page_terms(corpus, moved, "")[1] in urls
    assert data["terms"] == sitesearch.build_index(corpus)["terms"]
    assert len(fresh) == 1  # both builds updated the kept state

    # the same files as a clean build
    analyzed.clear()
    clean_site = tmp_path / "clean" / "_static"
    _, clean = build(clean_site, None)
    assert after == clean
    entry = (site / sitesearch.INDEX_FILE).read_text(encoding="utf-8")
    assert entry == (clean_site / sitesearch.INDEX_FILE).read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_next_site_build_updates_the_search(tmp_path):
    # make html twice: the second build (one case edited) updates the kept index state
    src = copy_project(tmp_path / "src")
    case = sorted((src / "corpus" / "cases").glob("*.md"))[0]
    text = case.read_text(encoding="utf-8")
    case.write_text(text + "\n宇宙遊泳の体験会を開きました。\n", encoding="utf-8")
    out = tmp_path / "html"
    assert (result := build_site(src, out)).returncode == 0, result.stderr
    shards = out / "_static" / sitesearch.SHARD_DIR
    before = {p.name for p in shards.glob("*.js")}
    case.write_text(text + "\n深海探査の報告会を開きました。\n", encoding="utf-8")
    assert (result := build_site(src, out)).returncode == 0, result.stderr
    assert (out / ".doctrees" / searchupdate.STATE_FILE).is_file()
    data = read_site_index(out / "_static")
    p_id = [p["url"] for p in data["pages"]].index(f"corpus/cases/{case.stem}.html")
    old = {t.text for t in JapaneseAnalyzer()("宇宙遊泳")}
    new = {t.text for t in JapaneseAnalyzer()("深海探査")}
    assert all(p_id in data["terms"][term][0][::5] for term in new)
    assert not any(p_id in data["terms"].get(term, [[]])[0][::5] for term in old - new)
    after = {p.name for p in shards.glob("*.js")}
    assert len({n for n in before - after if n.startswith("f-")}) == 1  # the edited page's
    assert len(before & after) > len(after) // 2  # most shards keep their names
