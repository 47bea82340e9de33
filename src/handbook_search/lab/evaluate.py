"""Search-quality evaluation (`make eval`): judged queries × systems → metrics table.

Queries live in tests/eval/queries.yaml; each lists relevant pages by metadata (kind + theme
number, municipality or title) with a grade (2 = the answer, 1 = also useful).

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
    answers = {p for p, g in grades.items() if g >= 2}
    first = next((i for i, p in enumerate(ranking, 1) if p in answers), None)
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


def evaluate(ranker: Ranker, queries: list[Judged]) -> dict[str, dict[str, float]]:
    """Mean metrics overall ('all') and per query type."""
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    for q in queries:
        s = score(ranker(q.query), q.grades)
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


def run(corpus_root: Path, queries_file: Path, only: list[str] | None = None):
    """{system: {type: {metric: value}}} and the judged queries."""
    corpus = load_corpus(corpus_root)
    queries = load_queries(queries_file, corpus.pages)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, ranker in systems(corpus_root, corpus.pages, Path(tmp), only):
            results[name] = evaluate(ranker, queries)
    return results, queries


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


def write_doc(path: Path, text: str, queries: list[Judged], seconds: float) -> None:
    # a generated page: the writing rules (textlint, docs/writing.md) are not applied to it
    doc = f"""% textlint-disable

# 検索品質の評価

`make eval` が {dt.date.today().isoformat()} に出力した結果です（{len(queries)} 件の判定付きクエリ、
`tests/eval/queries.yaml`。正解ページはファイル名ではなく、種別とテーマ番号・自治体名・タイトルで指定しています）。
所要時間 {seconds:.1f} 秒。

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

{text}

`tests/test_eval.py` は、ours がこの表の値から決めた下限を下回らないこと、MRR で bigram 以上であることを確かめます。
ランキングの調整値（`handbook_search.search` の `BM25_B`、`SYNONYM_BOOST`、`QUESTION_UNITS`）もこの評価で決めました。
"""
    path.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handbook_search.lab.evaluate", description="検索品質を評価します。"
    )
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--queries", type=Path, default=Path("tests/eval/queries.yaml"))
    parser.add_argument(
        "--doc", type=Path, default=None, help="結果を書き込む Markdown（例: docs/evaluation.md）"
    )
    parser.add_argument("--only", nargs="*", help="評価する方式だけを指定")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results, queries = run(args.corpus, args.queries, args.only)
    text = table(results, queries)
    print(text)
    if args.doc:
        write_doc(args.doc, text, queries, time.perf_counter() - start)
        print(f"\n{args.doc} に書き込みました。", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
