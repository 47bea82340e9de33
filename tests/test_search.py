"""Search: real queries on the real corpus, and the index's freshness and safety on small copies."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT
from handbook_search.search import indexer as index_module
from handbook_search.search.engine import Engine, Filters

CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    eng = Engine(tmp_path_factory.mktemp("index"), CORPUS)
    eng.build()
    return eng


def pages(result):
    """Hits as (kind, municipality or theme number) — pages identified by metadata."""
    out = []
    for hit in result.hits:
        r = hit.record
        out.append(
            (r["kind"], r["municipality"] if r["kind"] == "case" else r["theme"] or r["title"])
        )
    return out


def top(engine, query, n=3, **filters):
    """The first n pages found (n=None: every page found)."""
    limit = n or 10_000
    return pages(
        engine.query(query, Filters(**filters), limit=max(limit, 10), notify=lambda m: None)
    )[:n]


IZUMO, MISATO, OSUMI = ("case", "出雲市"), ("case", "美里町"), ("case", "南大隅町")


def test_compound_meets_text_that_splits_it(engine):
    assert IZUMO in top(engine, "担い手確保", n=1)
    assert IZUMO in top(engine, "担い手の確保", n=1)
    assert IZUMO in top(engine, "確保 担い手", n=1)


@pytest.mark.parametrize(
    "query, field, value",
    [
        ("出雲", "municipality", "出雲市"),  # 出雲市 is one mode C word
        ("熊本", "prefecture", "熊本県"),  # only as part of 熊本県 in the metadata
        ("美里", "municipality", "美里町"),
        ("南大隅", "municipality", "南大隅町"),
        ("鹿児島", "prefecture", "鹿児島県"),
    ],
)
def test_place_names_without_suffix(engine, query, field, value):
    # a prefecture's name finds a case of that prefecture first (any: a new case may be one)
    first = engine.query(query, limit=1, notify=lambda m: None).hits[0].record
    assert first["kind"] == "case" and first[field] == value


def test_width_variants(engine):
    assert top(engine, "ｻｰﾋﾞｽＢ", n=3) == top(engine, "サービスB", n=3)
    assert ("theme", 7) in top(engine, "ＳＣ", n=3)


def test_kana_kanji_variant_and_synonyms(engine):
    # the 出雲市 page writes たすけあい (Sudachi: 助け合う), the query 助け合い stays a noun
    assert IZUMO in top(engine, "助け合い", n=3)
    # SC ⇔ 生活支援コーディネーター from corpus/dictionary.yml
    sc = engine.query("SC", limit=20, notify=lambda m: None)
    full = engine.query("生活支援コーディネーター", limit=20, notify=lambda m: None)
    assert sc.total == full.total


def test_dictionary_variants_and_local_names(engine):
    # たすけあい団体 is flagged by textlint and found as たすけあい活動団体 (corpus/dictionary.yml)
    quiet = {"notify": lambda m: None, "limit": 20}
    variant = engine.query("たすけあい団体", **quiet)
    preferred = engine.query("たすけあい活動団体", **quiet)
    assert variant.total == preferred.total > 0
    assert [h.record["path"] for h in variant.hits] == [h.record["path"] for h in preferred.hits]
    # 出雲市's name for the 地域包括支援センター also finds the glossary entry of the general name
    local = engine.query("高齢者あんしん支援センター", **quiet)
    assert "glossary.md" in [h.record["path"] for h in local.hits]


def test_filters(engine):
    from handbook_search.model.corpus import load_corpus

    real = load_corpus(CORPUS).cases()
    cases = top(engine, "支援", n=10, kind="case")
    assert cases and all(kind == "case" for kind, _ in cases)
    of_2023 = {("case", p.meta.municipality) for p in real if p.meta.fiscal_year == 2023}
    assert {MISATO, OSUMI} <= of_2023
    assert top(engine, "支援", n=10, kind="case", year=2023)
    assert set(top(engine, "支援", n=10, kind="case", year=2023)) <= of_2023
    in_shimane = {("case", p.meta.municipality) for p in real if p.meta.prefecture == "島根県"}
    assert IZUMO in set(top(engine, "支援", n=10, prefecture="島根県")) <= in_shimane
    assert all(k != "theme" or n == 7 for k, n in top(engine, "協議体", n=10, theme=7))


def test_phrase_and_exclusion(engine):
    assert engine.query('"通いの場"', notify=lambda m: None).total > 0
    assert engine.query('"場の通い"', notify=lambda m: None).total == 0
    # every hit, not a top 10: new cases of theme 6 may come first
    assert OSUMI in top(engine, "通いの場", n=None)
    assert OSUMI not in top(engine, "通いの場 -南大隅町", n=None)


def test_and_falls_back_to_or(engine):
    result = engine.query("担い手 ZZQXW", notify=lambda m: None)
    assert result.mode == "or" and result.total > 0
    assert any("いずれかの語" in n for n in result.notices)


def test_hit_points_to_its_section(engine):
    hits = engine.query("ボランティアポイント", notify=lambda m: None).hits
    hit = next(h for h in hits if h.record["municipality"] == "出雲市")
    assert hit.section["anchor"]
    assert any(is_hit and "ボランティアポイント" in text for text, is_hit in hit.snippet)


def test_json_output_has_every_key(run_cli, tmp_path):
    status, out, _ = run_cli("search", "--index", tmp_path / "ix", "--json", "担い手確保")
    assert status == 0
    doc = json.loads(out)
    assert set(doc) == {"query", "total", "elapsed_ms", "results"}
    keys = {"path", "url", "title", "kind", "theme", "themes", "municipality", "prefecture",
            "bureau", "fiscal_year", "section", "anchor", "score", "snippet"}  # fmt: skip
    assert doc["results"] and all(set(r) == keys for r in doc["results"])
    first = doc["results"][0]
    assert first["path"] == "cases/shimane-izumo-2024.md"
    assert first["url"].startswith("build/html/corpus/cases/shimane-izumo-2024.html#")
    assert "【" in first["snippet"]
    theme = next(r for r in doc["results"] if r["kind"] == "theme")
    assert theme["municipality"] is None and isinstance(theme["theme"], int)


def test_human_output(run_cli, tmp_path):
    status, out, err = run_cli("担い手確保", "--index", tmp_path / "ix", "--limit", "2")
    assert status == 0
    assert out.startswith("1. 出雲市（島根県）令和6年度")
    assert "事例 ｜ 出雲市・島根県・令和6年度（2024）" in out
    assert "【担い手確保】" in out or "【担い手】" in out
    assert "（上位 2 件を表示）" in out and " ms" in out
    assert "\n   corpus/cases/shimane-izumo-2024.md\n" in out  # a path to open from here
    assert "索引がありません。作成します" in err


@pytest.mark.parametrize(
    "args, message",
    [
        ([""], "検索語を入力してください"),
        (["の", "を"], "検索できる語がありません"),
        (["*"], "検索できる語がありません"),
        (["😀"], "検索できる語がありません"),
        (["あ" * 10_000], "検索語が長すぎます"),
        (["支援", "--theme", "99"], "--theme はテーマ番号 1〜10 で指定してください: 99"),
        (["支援", "--prefecture", "東京"], "（もしかして: 東京都）"),
        (["支援", "--kind", "report"], "--kind は"),
        (["支援", "--year", "昭和"], "年度は 2024、令和6、R6 のように指定してください"),
        (["支援", "--limit", "0"], "--limit は 1〜100"),
    ],
)
def test_bad_input_exits_2_with_a_message(run_cli, tmp_path, args, message):
    status, _, err = run_cli("search", "--index", tmp_path / "ix", *args)
    assert status == 2
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "query, notice",
    [
        ('"担い手', "閉じていない引用符"),
        ("担い手 AND 確保", "AND は演算子ではなく"),
        ("(担い手 OR 確保", "OR は演算子ではなく"),
    ],
)
def test_odd_but_searchable_input(run_cli, tmp_path, query, notice):
    status, out, err = run_cli("search", "--index", tmp_path / "ix", query)
    assert status == 0
    assert notice in err
    assert "出雲市" in out


def test_no_hits_is_not_an_error(run_cli, tmp_path):
    status, out, _ = run_cli("search", "--index", tmp_path / "ix", "ZZQXW")
    assert status == 0
    assert "見つかりませんでした" in out


# -- index freshness and safety on a small copy -----------------------------------------
@pytest.fixture
def mini(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "mini", corpus)
    engine = Engine(tmp_path / "index", corpus)
    engine.FRESHNESS_INTERVAL = 0  # check the corpus before every query
    return engine, corpus


def quiet(engine, query):
    notices = []
    result = engine.query(query, notify=notices.append)
    return result, notices


def test_missing_index_is_built_with_a_notice(mini):
    engine, _ = mini
    result, notices = quiet(engine, "担い手")
    assert result.total == 2
    assert notices[0] == "索引がありません。作成します…"


def test_edited_added_and_deleted_pages_are_picked_up(mini):
    engine, corpus = mini
    quiet(engine, "担い手")
    case = corpus / "cases" / "shimane-kakuu-2024.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("続けます。", "ランタン祭りを続けます。"),
        encoding="utf-8",
    )
    result, notices = quiet(engine, "ランタン祭り")
    assert result.total == 1 and notices == ["索引を更新しました（変更 1 件）"]

    new = corpus / "cases" / "shimane-betsu-2023.md"
    text = (
        case.read_text(encoding="utf-8")
        .replace("架空町", "別架空村")
        .replace("2024", "2023")
        .replace("令和6", "令和5")
    )
    new.write_text(text, encoding="utf-8")
    result, notices = quiet(engine, "ランタン祭り")
    assert result.total == 2 and notices == ["索引を更新しました（追加 1 件）"]

    case.unlink()
    result, notices = quiet(engine, "ランタン祭り")
    assert result.total == 1 and notices == ["索引を更新しました（削除 1 件）"]
    assert result.hits[0].record["municipality"] == "別架空村"
    result, notices = quiet(engine, "ランタン祭り")
    assert notices == []  # fresh: nothing to do


def test_a_concept_word_lists_only_pages_that_name_it(mini):
    """協議体 finds the page that writes it, not one with 協議 and a 体 of 自治体 apart; with
    no page naming it, the pages with its parts are found after all."""
    engine, corpus = mini
    case = corpus / "cases" / "shimane-kakuu-2024.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text + "\n自治体の担当と協議を重ねました。\n", encoding="utf-8")
    result, _ = quiet(engine, "協議体")
    assert [h.record["kind"] for h in result.hits] == ["theme"]
    assert result.mode == "and"

    theme = corpus / "themes" / "07-life-support-system.md"
    theme.write_text(theme.read_text(encoding="utf-8").replace("協議体", "会議"), encoding="utf-8")
    result, _ = quiet(engine, "協議体")
    assert [h.record["kind"] for h in result.hits] == ["case"]


def mobile_sales(engine, corpus, theme_line: str):
    """The mini corpus with 移動販売 written in the case and `theme_line` in the theme; returns
    what a search for 移動販売 finds: (total, {kind: score})."""
    for rel, line in (
        ("cases/shimane-kakuu-2024.md", "週に一度、移動販売の車が回ります。"),
        ("themes/07-life-support-system.md", theme_line),
    ):
        path = corpus / rel
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")

    def scores():
        result, _ = quiet(engine, "移動販売")
        return result.total, {h.record["kind"]: h.score for h in result.hits}

    return scores


def test_a_word_written_verbatim_gets_the_stage_two_bonus_and_scattered_parts_do_not(
    mini, monkeypatch
):
    """Stage 2 (rerank) adds the proximity bonus to the page that writes 移動販売 and not to
    the one with 移動 and 販売 apart; it finds the same pages as stage 1 alone."""
    from handbook_search.search import engine as engine_module

    scores = mobile_sales(*mini, "移動の手段を考えます。地域の店の販売も支えます。")
    total, reranked = scores()
    monkeypatch.setattr(engine_module, "RERANK_K", 0)  # stage 1 alone
    assert scores()[0] == total == 2
    alone = scores()[1]
    assert reranked["case"] > alone["case"]
    assert reranked["theme"] == pytest.approx(alone["theme"])
    assert max(reranked, key=reranked.get) == "case"


def test_a_compound_written_together_outranks_its_parts_near_each_other(mini, monkeypatch):
    """Both pages have 移動 and 販売 within PROXIMITY_SLOP (the pairs' bonus); only the one that
    writes 移動販売 as typed gets the written-together bonus on top."""
    from handbook_search.search import engine as engine_module

    scores = mobile_sales(*mini, "週に一度、移動する車で販売します。")
    together = scores()[1]
    monkeypatch.setattr(engine_module, "TOGETHER_BOOST", 0.0)
    near = scores()[1]
    assert together["case"] > near["case"]
    assert together["theme"] == pytest.approx(near["theme"]) and near["theme"] > 0
    monkeypatch.setattr(engine_module, "PROXIMITY_BOOST", 0.0)
    assert scores()[1]["theme"] < near["theme"]  # the theme's parts are near: the pairs' bonus


def test_only_the_first_rerank_k_pages_are_reranked(mini, monkeypatch):
    """Stage 2 changes the scores of the first RERANK_K pages of stage 1 only; the pages after
    them keep their stage-1 scores and order, and the total does not change."""
    from handbook_search.search import engine as engine_module

    engine, _ = mini

    def ranked():
        result = engine.query("担い手確保", limit=50, notify=lambda m: None)
        return result.total, [(h.record["path"], h.score) for h in result.hits]

    total, full = ranked()
    monkeypatch.setattr(engine_module, "RERANK_K", 0)
    assert ranked()[0] == total >= 2
    stage1 = ranked()[1]
    assert any(s != pytest.approx(t) for (_, s), (_, t) in zip(full, stage1, strict=True))
    monkeypatch.setattr(engine_module, "RERANK_K", 1)
    cut_total, cut = ranked()
    assert cut_total == total
    assert cut[0][1] > stage1[0][1]  # the first page got its bonus
    assert cut[1:] == [(p, pytest.approx(s)) for p, s in stage1[1:]]


def test_unparseable_page_is_reported_once_and_not_rebuilt_every_time(mini):
    engine, corpus = mini
    quiet(engine, "担い手")
    (corpus / "cases" / "broken.md").write_text("# no front matter\n", encoding="utf-8")
    _, notices = quiet(engine, "担い手")
    assert any("broken.md:1: フロントマター" in n for n in notices)
    _, notices = quiet(engine, "担い手")
    assert notices == []


def test_interrupted_build_keeps_the_previous_index(mini, monkeypatch):
    engine, corpus = mini
    engine.build()
    real = index_module.document
    calls = []

    def interrupt(page):
        calls.append(page)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(page)

    monkeypatch.setattr(index_module, "document", interrupt)
    with pytest.raises(KeyboardInterrupt):
        engine.build()
    monkeypatch.setattr(index_module, "document", real)
    assert sorted(p.name for p in engine.index.dir.iterdir() if p.name.startswith("g-")) == [
        engine.index.generation().name
    ]  # the half-written generation is gone
    result, notices = quiet(engine, "担い手")
    assert result.total == 2 and notices == []
    engine.build()  # the lock was released


def test_unreadable_index_is_rebuilt(mini):
    engine, corpus = mini
    engine.build()
    (engine.index.generation() / "manifest.json").write_text("{broken", encoding="utf-8")
    result, notices = quiet(Engine(engine.index.dir, corpus), "担い手")  # as a new process
    assert result.total == 2
    assert notices[0] == "索引を読めません。作成します…"


def test_concurrent_builds_leave_a_usable_index(mini):
    engine, corpus = mini
    cmd = [
        sys.executable,
        "-m",
        "handbook_search.cli",
        "index",
        "--rebuild",
        "--corpus",
        str(corpus),
        "--index",
        str(engine.index.dir),
    ]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    result, notices = quiet(engine, "担い手")
    assert result.total == 2 and notices == []


def test_parallel_build_gives_the_same_index(mini, monkeypatch, tmp_path):
    engine, corpus = mini
    engine.build()
    serial = {h.record["path"]: h.score for h in quiet(engine, "担い手")[0].hits}
    monkeypatch.setattr(index_module, "PARALLEL_MIN", 1)  # use worker processes even for 2 pages
    parallel_engine = Engine(tmp_path / "index-parallel", corpus)
    parallel_engine.build()
    parallel = {h.record["path"]: h.score for h in quiet(parallel_engine, "担い手")[0].hits}
    assert parallel == serial and len(serial) == 2


def _answers(engine, queries) -> list:
    """Every hit of every query as the user sees it: order, score, section and snippet."""
    out = []
    for q in queries:
        result = quiet(engine, q)[0]
        out.append((q, result.total, [(h.record["path"], h.score, h.section, h.snippet)
                                      for h in result.hits]))  # fmt: skip
    return out


def _doc_order(engine) -> list[str]:
    with engine.index.open().searcher() as searcher:
        return [fields["path"] for fields in searcher.all_stored_fields()]


def test_segments_written_by_workers_rank_as_one_serial_index(monkeypatch, tmp_path):
    # each worker writes a run of pages as a whoosh segment of its own: the same documents in
    # the same order, so the same ranking, ties, sections and snippets; and updates after it
    import yaml

    data = yaml.safe_load((ROOT / "tests/eval/queries.yaml").read_text(encoding="utf-8"))
    queries = [q["query"] for q in data["queries"]][:20]
    corpora = {mode: tmp_path / mode / "corpus" for mode in ("serial", "parallel")}
    engines = {}
    for mode, corpus in corpora.items():
        shutil.copytree(CORPUS, corpus)
        engines[mode] = Engine(tmp_path / mode / "index", corpus)
        engines[mode].FRESHNESS_INTERVAL = 0
    engines["serial"].build()
    monkeypatch.setattr(index_module, "PARALLEL_MIN", 1)
    engines["parallel"].build()
    segments = list(engines["parallel"].index.generation().glob("*.seg"))
    assert len(segments) > 1  # the workers' segments, not merged
    assert _doc_order(engines["parallel"]) == _doc_order(engines["serial"])  # ties break alike
    assert _answers(engines["parallel"], queries) == _answers(engines["serial"], queries)

    monkeypatch.setattr(index_module, "PARALLEL_MIN", 64)
    for corpus in corpora.values():  # one page changed, one deleted: a serial update on both
        cases = sorted((corpus / "cases").glob("*.md"))
        cases[0].write_text(cases[0].read_text(encoding="utf-8") + "\n灯籠流しも続けます。\n",
                            encoding="utf-8")  # fmt: skip
        cases[-1].unlink()
    after = {mode: _answers(e, [*queries, "灯籠流し"]) for mode, e in engines.items()}
    assert after["parallel"] == after["serial"]
    assert after["parallel"][-1][1] == 1  # the changed page is found by its new words


def test_a_question_is_scored_as_or(engine):
    # 買い物 … 高齢者 … 支援: no page needs every word; the 美里町 case (外出・買い物) should lead
    assert MISATO in top(engine, "買い物に困る高齢者への支援", n=3)
    assert engine.query("住民主体の活動を増やすには", notify=lambda m: None).total > 3


def test_analyzed_query_words_are_kept_next_to_the_index(mini):
    engine, corpus = mini
    quiet(engine, "担い手の確保")
    saved = json.loads((engine.index.generation() / "query-words.json").read_text(encoding="utf-8"))
    assert saved["担い手の確保"][0] == [["担い手", [], "担い手"], ["確保", [], "確保"]]
    # a new process reads them instead of running Sudachi, with the same result
    again = Engine(engine.index.dir, corpus)
    assert again.query("担い手の確保", notify=lambda m: None).total == 2


def test_an_update_leaves_the_previous_generation_intact(mini):
    from whoosh import index as windex
    from whoosh.query import Term

    engine, corpus = mini
    engine.build()
    before = engine.index.generation()
    case = corpus / "cases" / "shimane-kakuu-2024.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("続けます。", "灯籠流しを続けます。"),
        encoding="utf-8",
    )
    quiet(engine, "灯籠流し")
    assert engine.index.generation() != before and before.is_dir()
    with windex.open_dir(str(before)).searcher() as s:  # files are shared by hard links
        assert s.doc_count() == 2
        assert s.search(Term("body", "灯籠")).is_empty()


def test_one_character_parts_are_not_highlighted(engine):
    hit = engine.query("高齢者", notify=lambda m: None).hits[0]
    marked = {text for text, is_hit in hit.snippet if is_hit}
    assert marked and "者" not in marked and all(len(m) > 1 for m in marked)


# -- precision: unknown words and synonym phrases (the same rules as the site search) ----------
# dictionary.yml's group サービスB ⇔ 住民主体サービス ⇔ 住民主体による支援, as phrases: the words in
# order, with only what the index drops (particles such as の) between them
SERVICE_B = re.compile("サービスb|住民主体[ぁ-ゖ]{0,2}サービス|住民主体[ぁ-ゖ]{0,2}による支援")


def folded_text(record) -> str:
    import unicodedata

    text = record["title"] + "".join(s["title"] + s["text"] for s in record["sections"])
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@pytest.mark.parametrize("query", ["宇宙旅行", "宇宙旅行 ZZQXW"])
def test_unknown_words_find_nothing(engine, query):
    assert engine.query(query, notify=lambda m: None).total == 0


def test_markup_does_not_find_every_page(engine):
    from handbook_search.model.corpus import load_corpus

    result = engine.query("<img src=x onerror=alert(1)>", notify=lambda m: None)
    assert result.total < len(load_corpus(CORPUS).pages)


def test_a_synonym_of_several_words_is_a_phrase(engine):
    result = engine.query("ｻｰﾋﾞｽＢ", limit=100, notify=lambda m: None)
    assert result.hits
    for hit in result.hits:
        text = folded_text(hit.record)
        assert SERVICE_B.search(text), hit.record["title"]
        marks = {t for t, is_hit in hit.snippet if is_hit}
        assert not marks & {"よる", "支援", "住民", "より"}, marks  # no loose parts lit up


def test_a_hit_on_a_glossary_term_links_to_that_term(engine):
    from handbook_search.model.page import glossary_anchor

    for term in ("基本チェックリスト", "事業対象者", "生活支援コーディネーター"):
        hits = engine.query(term, Filters(kind="glossary"), notify=lambda m: None).hits
        assert hits, term
        assert hits[0].section["anchor"] == glossary_anchor(term), hits[0].section
