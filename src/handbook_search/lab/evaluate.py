"""Search-quality evaluation (`make eval`): judged queries × systems → metrics table.

Queries live in tests/eval/queries.yaml (the tuning set: the ranking knobs are chosen on it) and
tests/eval/heldout.yaml (the held-out set: written as users type, never tuned on, reported beside
it to check that a change moves both the same way); each lists relevant pages by metadata (kind +
theme number, municipality or title) with a grade (2 = the answer, 1 = also useful).

Systems, all on the same corpus, all returning pages ranked best first:
- substring: grep-like; every word must occur as written (fallback: any word), ranked by count.
- whoosh-standard: whoosh's StandardAnalyzer (splits on non-letters; no Japanese segmentation).
- bigram: character bigrams (whoosh NgramAnalyzer(2)), words AND-ed, falling back to OR.
- tinysegmenter: Sphinx's default Japanese splitter (TinySegmenter), AND falling back to OR.
- sudachi-c: Sudachi mode C only (no compound parts), same query scheme.
- ours-nosyn: the product engine without the synonym table.
- ours: the product engine (handbook_search.search.engine.Engine).

The baselines share one small whoosh engine (same fields and boosts as ours) so that only the
analysis differs. Metrics: success@1 and success@3 (a grade-2 page in the top k), MRR (first
grade-2 page), nDCG@5 (gain 2^grade − 1) and recall@10 (pages of grade ≥ 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from whoosh.analysis import Token, Tokenizer

from handbook_search.model.corpus import load_corpus
from handbook_search.model.page import Page

Ranker = Callable[[str], list[str]]  # query → relpaths, best first
METRICS = ("success@1", "success@3", "MRR", "nDCG@5", "recall@10")


@dataclass
class Judged:
    query: str
    type: str
    grades: dict[str, int]  # relpath → grade


def matches(page: Page, spec: dict) -> bool:
    m = page.meta
    if spec.get("kind") and spec["kind"] != m.kind:
        return False
    for key in ("theme", "municipality", "title", "fiscal_year", "prefecture"):
        if key in spec and getattr(m, key, None) != spec[key]:
            return False
    return True


def load_queries(path: Path, pages: list[Page]) -> list[Judged]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for q in data["queries"]:
        grades: dict[str, int] = {}
        for spec in q["relevant"]:
            found = [p for p in pages if matches(p, spec)]
            if not found:
                raise ValueError(f"{path}: 「{q['query']}」の正解ページが見つかりません: {spec}")
            for p in found:
                grades[p.relpath] = max(grades.get(p.relpath, 0), int(spec.get("grade", 1)))
        out.append(Judged(str(q["query"]), q.get("type", "other"), grades))
    return out


def score(ranking: list[str], grades: dict[str, int]) -> dict[str, float]:
    first = first_answer(ranking, grades)
    dcg = sum((2 ** grades.get(p, 0) - 1) / math.log2(i + 1) for i, p in enumerate(ranking[:5], 1))
    ideal = sorted(grades.values(), reverse=True)[:5]
    idcg = sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    relevant = set(grades)
    return {
        "success@1": float(first == 1),
        "success@3": float(first is not None and first <= 3),
        "MRR": 1 / first if first else 0.0,
        "nDCG@5": dcg / idcg if idcg else 0.0,
        "recall@10": len(relevant & set(ranking[:10])) / len(relevant),
    }


def first_answer(ranking: list[str], grades: dict[str, int]) -> int | None:
    """The rank (from 1) of the first grade-2 page, None when none is in `ranking`."""
    return next((i for i, p in enumerate(ranking, 1) if grades.get(p, 0) >= 2), None)


def evaluate(
    ranker: Ranker, queries: list[Judged], rankings: dict[str, list[str]] | None = None
) -> dict[str, dict[str, float]]:
    """Mean metrics overall ('all') and per query type; each query's ranking goes into
    `rankings` when given (for the list of misses)."""
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    for q in queries:
        ranking = ranker(q.query)
        if rankings is not None:
            rankings[q.query] = ranking
        s = score(ranking, q.grades)
        rows["all"].append(s)
        rows[q.type].append(s)
    return {t: {m: sum(r[m] for r in rs) / len(rs) for m in METRICS} for t, rs in rows.items()}


# -- baselines -------------------------------------------------------------------------
def substring_ranker(pages: list[Page]) -> Ranker:
    texts = {p.relpath: f"{p.title}\n{p.text}" for p in pages}

    def rank(query: str) -> list[str]:
        words = query.split()
        hits = [r for r, t in texts.items() if all(w in t for w in words)]
        if not hits:
            hits = [r for r, t in texts.items() if any(w in t for w in words)]
        return sorted(hits, key=lambda r: (-sum(texts[r].count(w) for w in words), r))

    return rank


class TinySegmenterTokenizer(Tokenizer):
    """Sphinx's default Japanese splitter as a whoosh tokenizer (picklable; splitter made on use)."""

    def __call__(self, value, positions=False, chars=False, start_pos=0, mode="", **kwargs):
        from sphinx.search.ja import DefaultSplitter

        t = Token(positions, chars, mode=mode, **kwargs)
        for i, word in enumerate(DefaultSplitter({}).split(value)):
            word = word.strip()
            if not word or not re.search(r"\w", word):
                continue
            t.text, t.boost, t.stopped = word, 1.0, False
            if positions:
                t.pos = start_pos + i
            yield t


def analyzers() -> dict[str, object]:
    from whoosh.analysis import LowercaseFilter, NgramAnalyzer, StandardAnalyzer

    from handbook_search.search.analysis import PartOfSpeechStopFilter, SudachiTokenizer

    return {
        "whoosh-standard": StandardAnalyzer(),
        "bigram": NgramAnalyzer(2),
        "tinysegmenter": TinySegmenterTokenizer() | LowercaseFilter(),
        "sudachi-c": SudachiTokenizer() | PartOfSpeechStopFilter() | LowercaseFilter(),
    }


def whoosh_ranker(pages: list[Page], analyzer, directory: Path) -> Ranker:
    """A page index like ours (same schema: fields and boosts) with another analyzer; AND → OR."""
    from whoosh import index as windex
    from whoosh.query import And, Or, Term

    from handbook_search.search.documents import SEARCH_FIELDS as fields
    from handbook_search.search.documents import schema, text_fields

    ix = windex.create_in(str(directory), schema(analyzer))
    with ix.writer() as w:
        for p in pages:
            w.add_document(path=p.relpath, **text_fields(p))

    def terms(word: str) -> list[str]:
        return list(dict.fromkeys(t.text for t in analyzer(word)))

    def rank(query: str) -> list[str]:
        words = [terms(w) for w in query.split()]
        words = [w for w in words if w]
        if not words:
            return []
        unit = lambda t: Or([Term(f, t) for f in fields])  # noqa: E731
        strict = And([And([unit(t) for t in w]) for w in words])
        with ix.searcher() as s:
            hits = s.search(strict, limit=10)
            if hits.is_empty():
                hits = s.search(Or([unit(t) for w in words for t in w]), limit=10)
            return [h["path"] for h in hits]

    return rank


def product_ranker(corpus_root: Path, directory: Path, synonyms: bool = True) -> Ranker:
    from handbook_search.search.engine import Engine, QueryError

    engine = Engine(directory, corpus_root, use_synonyms=synonyms)
    engine.build()

    def rank(query: str) -> list[str]:
        try:
            return [
                h.record["path"] for h in engine.query(query, limit=10, notify=lambda m: None).hits
            ]
        except QueryError:
            return []

    return rank


def systems(corpus_root: Path, pages: list[Page], workdir: Path, only: list[str] | None = None):
    """(name, ranker) for every system (or just `only`), built in `workdir`."""
    names = ["substring", *analyzers(), "ours-nosyn", "ours"]
    for name in names:
        if only and name not in only:
            continue
        d = workdir / name
        d.mkdir()
        if name == "substring":
            yield name, substring_ranker(pages)
        elif name == "ours":
            yield name, product_ranker(corpus_root, d)
        elif name == "ours-nosyn":
            yield name, product_ranker(corpus_root, d, synonyms=False)
        else:
            yield name, whoosh_ranker(pages, analyzers()[name], d)


@dataclass
class SetResult:
    """One query set's numbers: {system: {type: {metric: value}}}, its queries, and the
    product's ranking of each query (for the misses)."""

    results: dict[str, dict[str, dict[str, float]]]
    queries: list[Judged]
    rankings: dict[str, list[str]]


def run_sets(
    corpus_root: Path, query_files: dict[str, Path], only: list[str] | None = None
) -> dict[str, SetResult]:
    """Every query set (name → file) against every system, each system built once."""
    corpus = load_corpus(corpus_root)
    sets = {
        name: SetResult({}, load_queries(path, corpus.pages), {})
        for name, path in query_files.items()
        if path.is_file()
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, ranker in systems(corpus_root, corpus.pages, Path(tmp), only):
            for found in sets.values():
                keep = found.rankings if name == "ours" else None
                found.results[name] = evaluate(ranker, found.queries, keep)
    return sets


def run(corpus_root: Path, queries_file: Path, only: list[str] | None = None):
    """{system: {type: {metric: value}}} and the judged queries of one query file."""
    found = run_sets(corpus_root, {"queries": queries_file}, only)["queries"]
    return found.results, found.queries


def table(results: dict, queries: list[Judged]) -> str:
    lines = ["| system | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
    for name, by_type in results.items():
        lines.append(
            f"| {name} | " + " | ".join(f"{by_type['all'][m]:.3f}" for m in METRICS) + " |"
        )
    types = sorted({q.type for q in queries})
    counts = {t: sum(1 for q in queries if q.type == t) for t in types}
    lines += ["", "success@3 by query type (number of queries in brackets):", ""]
    lines.append("| system | " + " | ".join(f"{t} ({counts[t]})" for t in types) + " |")
    lines.append("|---" * (len(types) + 1) + "|")
    for name, by_type in results.items():
        lines.append(
            f"| {name} | " + " | ".join(f"{by_type[t]['success@3']:.2f}" for t in types) + " |"
        )
    if "ours" in results:
        lines += ["", "ours: every metric by query type:", ""]
        lines.append("| type | " + " | ".join(METRICS) + " |")
        lines.append("|---" * (len(METRICS) + 1) + "|")
        for t in types:
            values = " | ".join(f"{results['ours'][t][m]:.3f}" for m in METRICS)
            lines.append(f"| {t} ({counts[t]}) | {values} |")
    return "\n".join(lines)


def misses(found: SetResult, titles: dict[str, str]) -> str:
    """The queries whose answer the product does not rank first: the rank of the first answer
    (— when not in the top 10) and the titles of its top 3 (★ marks an answer, ☆ a useful page)."""
    lines = ["| query | type | 答えの順位 | 上位 3 件 |", "|---|---|---|---|"]
    for q in found.queries:
        ranking = found.rankings.get(q.query, [])
        rank = first_answer(ranking, q.grades)
        if rank == 1:
            continue
        marks = {2: "★", 1: "☆"}
        top = " / ".join(marks.get(q.grades.get(p, 0), "") + titles.get(p, p) for p in ranking[:3])
        lines.append(f"| {q.query} | {q.type} | {rank or '—'} | {top or '（なし）'} |")
    return "\n".join(lines) if len(lines) > 2 else "（すべてのクエリで答えが 1 位です）"


def report(sets: dict[str, SetResult], titles: dict[str, str]) -> str:
    """Every set's tables and the product's misses, as Markdown (printed and in --doc)."""
    out = []
    for name, found in sets.items():
        label = SET_LABELS.get(name, name)
        out += [f"## {label}（{len(found.queries)} 件）", "", table(found.results, found.queries)]
        if "ours" in found.results:
            out += ["", f"### ours で答えが 1 位にならないクエリ（{label}）", ""]
            out.append(misses(found, titles))
        out.append("")
    return "\n".join(out)


SET_LABELS = {"tuning": "調整用セット", "heldout": "検証用セット（調整に使わない）"}


def write_doc(path: Path, text: str, sets: dict[str, SetResult], seconds: float) -> None:
    # a generated page: the writing rules (textlint, docs/writing.md) are not applied to it
    counts = "、".join(f"{SET_LABELS.get(n, n)} {len(f.queries)} 件" for n, f in sets.items())
    doc = f"""% textlint-disable

# 検索品質の評価

`make eval` が {dt.date.today().isoformat()} に出力した結果です（判定付きクエリ: {counts}）。
調整用セット（`tests/eval/queries.yaml`）でランキングの調整値を決め、検証用セット（`tests/eval/heldout.yaml`、
利用者が書くような質問・状況・地名＋話題・年度＋話題）は調整に使わず、同じ向きに動くかを確かめるために並べています。
正解ページはファイル名ではなく、種別とテーマ番号・自治体名・タイトルで指定しています。所要時間 {seconds:.1f} 秒。

指標: success@1 / success@3 は上位 1 件 / 3 件に「答え」（grade 2）のページがある割合、MRR は最初の答えの順位の逆数の平均、
nDCG@5 は上位 5 件の段階評価（利得 2^grade − 1）、recall@10 は関連ページ（grade 1 以上）のうち上位 10 件に入った割合です。

比較した方式（すべて同じコーパス、同じフィールドと重み）:

- substring: grep のような文字列一致（すべての語を含むページ、なければいずれか。出現回数順）
- whoosh-standard: whoosh 標準の StandardAnalyzer（日本語を分かち書きしない）
- bigram: 文字 2-gram（AND、ヒットなしなら OR）
- tinysegmenter: Sphinx 標準の日本語分割（TinySegmenter）
- sudachi-c: Sudachi の C 単位のみ（複合語の部分なし、同義語なし）
- ours-nosyn: 本製品の検索（C 単位 + A 単位の部分、正規化）から同義語展開を除いたもの
- ours: 本製品の検索（`handbook-search search` と同じ）

答えが 1 位にならないクエリの表では、上位 3 件のタイトルに ★（答え）と ☆（関連ページ）を付けています。

{text}
{ORDERING_DOC}
`tests/test_eval.py` は、ours が両方のセットでこの表の値から決めた下限を下回らないこと、MRR で bigram 以上であることを確かめます。
"""
    path.write_text(doc, encoding="utf-8")


# How results are ordered (Japanese, for docs/evaluation.md): kept next to the knobs it explains.
ORDERING_DOC = """
## 検索結果の並び方

CLI とサイト内検索は同じ計算で並べます（`tests/test_browser.py` が判定付きの全クエリで上位 5 件の一致を確かめます）。

検索は 2 段階です。第 1 段階で、語が一致するすべてのページを BM25F の点で並べます（語の位置は使いません）。
第 2 段階で、その上位 50 件（`RERANK_K`）だけに、語の位置から分かる加点（近接と、語をそのまま書いたこと）を加えて並べ直します。51 位より下は
第 1 段階の順のままです。位置を読むのは上位 50 件のページの分だけなので、ページが増えても第 2 段階の手間は増えません。

1. 検索語の一致を BM25F で数えます（長いページほど 1 回あたりの重みは小さくなります。`BM25_B` = 0.6、見出しの欄だけは
   `FIELD_B` で 0.9 です。見出しの多いページ（20 の見出しを持つ解説の「令和6年度の募集（九州厚生局の例）」）では、見出しの語一つの
   重みが、見出しの少ないページより小さくなります。`engine.bm25f()` が whoosh の `BM25F` をこの値で作り、サイト内検索も欄ごとの B で計算します）。
   欄ごとの重みは、タイトル 3、見出しとページの情報（自治体名・都道府県・厚生局・年度・テーマ名と、前付けの一文の要約 `summary`）2、
   本文 0.5 です。ページの名前・見出し・要約がその語を挙げるページが、本文で触れるだけのページより上に来ます。
2. 近接の加点（第 2 段階）: 一つの語の隣り合う単位（A 単位）が、同じ順で 4 位置以内（`PROXIMITY_SLOP`）に並ぶフィールドでは、
   その 2 単位の点をもう一度、2 倍（`PROXIMITY_BOOST`）で加えます。語をそのまま書いたページ（「令和4年度」の見出し）は
   すべての組で加点され、部分が離れて書かれたページは加点されません。以前は whoosh の Phrase（slop 付き）を AndMaybe として
   全ページに対して計算していましたが、いまは上位 50 件のページについてだけ、その語の位置（whoosh の `skip_to` でそのページへ
   進めたポスティング）から同じ値を計算します（`engine.rerank`）。
3. 語をそのまま書いた加点（第 2 段階）: 複数の単位からなる語が、あるフィールドで単位の間をあけずに（助詞は位置を取らないので
   「担い手の確保」も）入力どおりの順に書かれていれば、その単位の点をもう一度、2 倍（`TOGETHER_BOOST`）で加えます
   （`engine.together_bonus`）。近接の加点（4 位置以内）より強い証拠で、語をそのまま書いたページが、部分が近くに散らばるページより上に来ます。
   1 単位の語と、語全体が同義語の語（「通いの場」「SC」）は、いつも「そのまま書いた」ことになるので、その語の第 1 段階の点を同じく 2 倍で加えます。
   こうしないと、複合語（「住民主体」）だけが加点で 3 倍以上になり、「通いの場 住民主体」で「通いの場」を扱うページ（答え）が
   「住民主体」をタイトルに持つページより下になっていました。
4. 概念の絞り込み: 1 文字の単位を含む語（「協議体」の「体」、「通いの場」の「場」、「住民説明会」の「会」）は、
   単位が並んで書かれたページ（`CONCEPT_SLOP` = 1。助詞は位置を取らないので「通いの場」も並びです）か、
   タイトル・見出し（`NAMING_FIELDS`）に単位をすべて含むページだけを出します。「体」は「自治体」「体制」にもあるため、
   「協議」と離れた「体」を含むだけのページ（例: 基金の解説）は出しません。そのように書いたページが一つもないとき
   （他の語と合わせて一つもないときも）は、単位をすべて含むページを出します（検索を段階的に試します: 絞り込みあり → なし → いずれかの語）。
   絞り込みは、第 1 段階ですべての語を含んだページの語の位置で確かめます（`engine.naming`。whoosh の Phrase と Require を
   索引全体に使うより速く、結果は同じです）。
5. 同義語で見つかったページも同じ重み（`SYNONYM_BOOST` = 1.0）、助詞を含む 3 単位以上の語は質問として OR で探します（`QUESTION_UNITS`）。

調整用セットで決め、検証用セットで同じ向きに動くことを確かめました（success@1 / success@3 / MRR / nDCG@5 / recall@10）:

| 変更 | 調整用セット（65 件） | 検証用セット（34 件） |
|---|---|---|
| 近接の加点より前 | 0.815 / 0.985 / 0.897 / 0.916 / 0.990 | 0.735 / 0.971 / 0.843 / 0.887 / 0.956 |
| 近接の加点（slop 4、2 倍）、語全体が同義語のときは除く | 0.831 / 1.000 / 0.910 / 0.942 / 0.981 | 0.824 / 0.971 / 0.898 / 0.934 / 0.971 |
| ＋要約をページの情報の欄に入れる: 採用 | 0.877 / 0.985 / 0.932 / 0.948 / 0.985 | 0.824 / 1.000 / 0.902 / 0.935 / 0.971 |
| ＋1 文字の単位を含む語の絞り込み: 採用（数値は変わらず、精度のため） | 0.877 / 0.985 / 0.932 / 0.948 / 0.985 | 0.824 / 1.000 / 0.902 / 0.935 / 0.971 |
| 　（比較）複数単位のすべての語を絞り込む（並び slop 1）: 不採用 | 0.877 / 0.969 / 0.924 / 0.927 / 0.950 | 0.824 / 1.000 / 0.902 / 0.935 / 0.971 |
| 　（比較）複数単位のすべての語を絞り込む（並び slop 2）: 不採用 | 0.877 / 0.985 / 0.932 / 0.938 / 0.965 | 0.824 / 1.000 / 0.902 / 0.935 / 0.971 |
| ＋`BM25_B` 0.75 → 0.6: 採用 | 0.877 / 1.000 / 0.931 / 0.951 / 0.985 | 0.824 / 1.000 / 0.902 / 0.933 / 0.971 |
| ＋本文の重み 1 → 0.5: 採用 | 0.892 / 1.000 / 0.938 / 0.954 / 0.985 | 0.824 / 1.000 / 0.907 / 0.936 / 0.971 |
| ＋2 段階（近接の加点と概念の絞り込みを位置から、加点は上位 50 件だけ）: 採用（速さのため） | 0.892 / 1.000 / 0.938 / 0.954 / 0.985 | 0.824 / 1.000 / 0.907 / 0.936 / 0.971 |
| 　（比較）＋節の中の共起: 2 語以上の検索で、一つの節（見出しから次の見出しまで）がすべての語を含むページの点を 1.3・1.6・2.0 倍: 不採用 | 0.892 / 1.000 / 0.938 / 0.954 / 0.985 | 0.824 / 1.000 / 0.907 / 0.936 / 0.971 |
| ＋見出しの欄の `B` 0.6 → 0.9: 採用 | 0.908 / 1.000 / 0.946 / 0.955 / 0.985 | 0.824 / 1.000 / 0.907 / 0.936 / 0.971 |
| 　（比較）＋語をそのまま書いた加点、複数単位の語だけ（2 倍） | 0.908 / 1.000 / 0.946 / 0.954 / 0.985 | 0.853 / 1.000 / 0.922 / 0.944 / 0.971 |
| ＋語をそのまま書いた加点、1 単位の語と同義語の語も（`TOGETHER_BOOST` 2 倍）: 採用（現在の値） | 0.923 / 1.000 / 0.956 / 0.958 / 0.985 | 0.853 / 1.000 / 0.922 / 0.944 / 0.971 |
| 　（比較）同じ加点を 1 倍 | 0.908 / 1.000 / 0.949 / 0.955 / 0.985 | 0.824 / 1.000 / 0.907 / 0.936 / 0.971 |
| 　（比較）同じ加点を 3 倍 | 0.923 / 1.000 / 0.954 / 0.957 / 0.985 | 0.853 / 1.000 / 0.922 / 0.944 / 0.971 |
| 　（比較）同じ加点（2 倍）で、見出しの `B` を 0.6 のまま | 0.908 / 1.000 / 0.949 / 0.957 / 0.985 | 0.853 / 1.000 / 0.922 / 0.944 / 0.971 |

見出しの `B` は 0.75〜1.0 で同じ結果（0.6 から上げると「九州」の答えの事例が、見出しの一つに「九州厚生局」を書いた解説より上に来ます）、
ほかの欄の `B` だけを変える（タイトル・情報・本文を 0.3〜0.9）と、上がるクエリと下がるクエリが入れ替わるだけでした。語をそのまま書いた加点は、
検証用セットの「令和6年度の募集」（「令和6年度の募集」と見出しに書いた解説が答え）を 1 位にし、複数単位の語だけに加えると調整用セットは動かず、
1 単位の語と同義語の語にも加えると「通いの場 住民主体」が 3 位から 1 位になりました。3 倍では「移動サービス創出」の答えが 3 位に下がります。

すべての複数単位の語を絞り込むと、「買い物支援」で「買い物や通院といった外出の支援」と書く移動支援のテーマ（答え）が、
「担い手確保」で「担い手を確保」と書く基金の解説が落ち、nDCG@5 と recall@10 が下がりました。2 文字以上の単位（「買い物」「支援」）は
それだけで意味を持つ語なので、離れていても答えになりえます。絞り込むのは、1 文字の単位がほかの語の一部として現れる語だけです。

そのほかに試して採用しなかったもの（いずれも近接の加点のあとで測りました）: 本文だけの `B` を 0.9・1.0 にする（調整用セットの MRR 0.910 → 0.910・0.905、
検証用セットの nDCG@5 0.934 → 0.922・0.920）、全体の `B` を 0.9・1.0（検証用セットが下がる）、タイトル 5・見出し 3（変化なし）、
タイトル 10・見出しと情報 5（調整用セットの success@3 が 0.985 に下がる）、本文 0.3・0.4（success@3 が 0.985 に下がる）、
見出し 3（success@1 が下がる）、要約の後で情報の欄を 3（調整用セットは本文 0.5 と同じ、検証用セットは本文 0.5 のほうが上）。
用語集と解説の点に掛ける重み（用語集 0.6〜0.8、解説 0.7〜0.85）は、用語集や解説が答えのクエリ（「総合事業」「令和4年度」）が
下がったため採用していません。

判定は変えていません。「SC」「ボランティアポイントに使える財源」で用語集が上に来るかを確かめました: 「SC」は生活支援体制整備の
テーマ（SC の役割と協議体を扱うページ）が答えで、用語集は略語の定義（関連ページ）という判定の理由は正しく、今は
テーマが 1 位です。「ボランティアポイントに使える財源」は基金の解説（メニューにボランティアポイントがある）が答えで、
用語集は定義だけです（判定どおり）。このクエリでは用語集が 1 位に残り、答えは 2 位です（用語集には「ボランティアポイント」を説明する節があり、
本文の重みを下げても順位は変わりませんでした）。
2 段階にしても数値が変わらないのは、実際のコーパスのページ数が 50 件より少なく、すべてのページが第 2 段階で並べ直されるためです。
節の中の共起は、2 語以上の判定付きクエリ 21 件で、上位 50 件のほとんど（21 件中 19 件ですべてのページ）が加点の条件を満たし、
順位が変わりませんでした（実際のページは長い節でテーマの語をまとめて扱うため）。数値が動かない変更は入れない方針なので、
節の位置を索引に入れる変更（索引の形式の更新）とあわせて採用していません。

ページの情報の欄の重みを 2.5〜3 にすると「九州」の答え（九州厚生局の事例）が 1 位になり調整用セットの success@1 は 0.908 に上がりますが、
「生活支援コーディネーター養成研修の財源は」の答えが 4 位に落ちて success@3 が 0.985 になり、検証用セットは変わらないため採用していません。

第 1 段階は、一致したすべてのページを点の順に並べます（件数も同時に分かり、同点は索引の先のページが上です）。点は whoosh の
マッチャーの木ではなく、語ごとにポスティングをブロック単位で読んで whoosh 自身の BM25F の計算で採点し、And / Or / フレーズを
whoosh と同じ足し方で組み合わせて求めます（`search/postings.py`。whoosh と同じページ・点・順番になることをテストで確かめています）。
以前の上位 N 件の収集（`TopCollector`）は、結果がいっぱいになると問い合わせを置き換えて速くしようとし、AndMaybe の加点付きの
問い合わせで点の高いページを落とすことがありました。whoosh 2.7.4 の Require（絞り込み）は照合に AndNot を使う誤りがあり、
残すべきページを落とします。その AndNot は、除外する語の最初のページが対象の最初のページより前にあると、対象の最初のページを
除外し忘れます。いまはどれも使っていません（加点と絞り込みは語の位置から、除外はページの集合の差で計算します）。
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handbook_search.lab.evaluate", description="検索品質を評価します。"
    )
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--queries", type=Path, default=Path("tests/eval/queries.yaml"))
    parser.add_argument("--heldout", type=Path, default=Path("tests/eval/heldout.yaml"))
    parser.add_argument(
        "--doc", type=Path, default=None, help="結果を書き込む Markdown（例: docs/evaluation.md）"
    )
    parser.add_argument("--only", nargs="*", help="評価する方式だけを指定")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    sets = run_sets(args.corpus, {"tuning": args.queries, "heldout": args.heldout}, args.only)
    titles = {p.relpath: p.title for p in load_corpus(args.corpus).pages}
    text = report(sets, titles)
    print(text)
    if args.doc:
        write_doc(args.doc, text, sets, time.perf_counter() - start)
        print(f"\n{args.doc} に書き込みました。", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
