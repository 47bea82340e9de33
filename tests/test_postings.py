"""Stage 1 scored term at a time (search/postings.py) gives what whoosh's own matchers give:
the same pages, scores and order on every judged query, over an index of several segments with
a page changed and one deleted (as a one-page update leaves it), and the same positions."""

import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from handbook_search.search import engine as E
from handbook_search.search import indexer as index_module
from handbook_search.search.documents import SEARCH_FIELDS
from handbook_search.search.postings import Cache, Stage1, evidence

ROOT = Path(__file__).resolve().parent.parent
# phrases, exclusions and a question besides the judged queries
EXTRA = ['"住民主体"', "-協議体 通いの場", "移動 -出雲", "買い物に困る高齢者への支援", "SC"]


def judged() -> list[str]:
    out = []
    for name in ("queries.yaml", "heldout.yaml"):
        data = yaml.safe_load((ROOT / "tests/eval" / name).read_text(encoding="utf-8"))
        out += [q["query"] for q in data["queries"]]
    return out + EXTRA


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """An engine over a copy of the corpus: several segments (PARALLEL_MIN=1), then one page
    changed and one deleted."""
    tmp = tmp_path_factory.mktemp("postings")
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    engine = E.Engine(tmp / "index", corpus)
    engine.FRESHNESS_INTERVAL = 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(index_module, "PARALLEL_MIN", 1)
        engine.build()
    cases = sorted((corpus / "cases").glob("*.md"))
    cases[0].write_text(cases[0].read_text(encoding="utf-8") + "\n通いの場を増やします。\n",
                        encoding="utf-8")  # fmt: skip
    cases[-1].unlink()
    engine.query("通いの場", notify=lambda m: None)  # the update
    yield engine
    engine.close()


def whoosh_pages(searcher, q) -> list[tuple[int, float]]:
    """whoosh's own answer; an exclusion as a set difference (whoosh 2.7.4's AndNotMatcher lets
    the first page through when the excluded word's first page comes before it)."""
    from whoosh import collectors, query

    if isinstance(q, query.AndNot):
        out = set(searcher.docs_for_query(q.b))
        return [(d, s) for d, s in whoosh_pages(searcher, q.a) if d not in out]
    collector = collectors.UnlimitedCollector()
    searcher.search_with_collector(q, collector)
    return [(hit.docnum, hit.score) for hit in collector.results()]


def test_stage_one_scores_as_whoosh_does(searched):
    searcher = searched._searcher
    assert len(searcher.leaf_searchers()) > 1
    assert searcher.reader().has_deletions()
    compared = 0
    for text in judged():
        parsed = E.parse_query(unicodedata.normalize("NFKC", text))
        try:
            queries = E.build_queries(parsed, searched._synonyms, searched._words)
        except E.QueryError:
            continue
        for _, q in queries.tiers:
            ours, theirs = E.all_pages(Stage1(searcher), q), whoosh_pages(searcher, q)
            assert [d for d, _ in ours] == [d for d, _ in theirs], text
            assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], rel=1e-9), text
            compared += bool(ours)
    assert compared >= len(judged()) // 2


def test_a_filter_keeps_only_its_pages(searched):
    searcher = searched._searcher
    q = E.build_queries(E.parse_query("通いの場"), searched._synonyms, searched._words).tiers[0][1]
    stage = Stage1(searcher)
    allow = stage.docs(E.Filters(kind="case").query())
    kinds = {searcher.stored_fields(d)["kind"] for d, _ in E.all_pages(stage, q, allow)}
    assert kinds == {"case"}


def test_positions_are_whoosh_positions(searched):
    searcher = searched._searcher
    reader = searcher.reader()
    for field in SEARCH_FIELDS:
        terms = [t.decode() for t in list(reader.lexicon(field))[::37][:6]]
        for term in terms:
            expected = {}
            m = searcher.postings(field, term)
            while m.is_active():
                expected[m.id()] = m.value_as("positions")
                m.next()
            wanted = sorted(expected)[::2]
            got = evidence(searcher, [(field, term)], wanted)[(field, term)]
            assert got == {d: tuple(expected[d]) for d in wanted}, (field, term)


def _answers(engine, queries) -> list:
    out = []
    for text in queries:
        try:
            result = engine.query(text, notify=lambda m: None)
        except E.QueryError:
            continue
        out.append(
            (text, result.total, [(h.record["path"], h.score, h.snippet) for h in result.hits])
        )
    return out


def test_a_warm_cache_answers_as_a_fresh_one(searched, monkeypatch):
    # the stage-1 cache a warm process keeps: the same answers as a cold one, also when its
    # bound empties it between queries
    queries = judged()
    fresh = []
    for text in queries:
        searched._cache = Cache()
        fresh += _answers(searched, [text])
    assert _answers(searched, queries) == fresh  # filled by the queries before each one
    monkeypatch.setattr(Cache, "MAX_ENTRIES", 50)
    monkeypatch.setattr(Cache, "MAX_POSITIONS", 50)
    searched._cache = Cache()
    assert _answers(searched, queries) == fresh


def test_another_kind_of_query_goes_through_whoosh(searched):
    from whoosh import query

    searcher = searched._searcher
    q = query.Or([query.Prefix("body", "通"), query.Term("title", "協議")])
    assert E.all_pages(Stage1(searcher), q) == whoosh_pages(searcher, q)


def test_field_lengths_read_at_once_are_whooshs(searched, monkeypatch):
    # a segment's lengths read in one go are what whoosh's per-page call gives, and a segment
    # that does not store them that way is scored page by page with the same result
    from handbook_search.search import postings

    searcher = searched._searcher
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        for field in SEARCH_FIELDS:
            lengths = postings.field_lengths(reader, field)
            assert lengths is not None and len(lengths) == reader.doc_count_all()
            assert lengths == [leaf.doc_field_length(d, field, 1) for d in range(len(lengths))]
    queries = judged()
    searched._cache = Cache()
    expected = _answers(searched, queries)
    monkeypatch.setattr(postings, "field_lengths", lambda reader, field: None)
    searched._cache = Cache()
    assert _answers(searched, queries) == expected
