"""A peer for `make bench`: SQLite FTS5 (Python's own sqlite3) on the same corpus and queries.

One row per page with our searched fields (search.documents.text_fields: title, headings,
meta, body), the ``trigram`` tokenizer (no Japanese segmentation, no dictionary) and ``bm25()``
with our field boosts (3, 2, 2, 1). A query's words of three or more characters are MATCHed
(all of them; if nothing matches, any of them); shorter words, which a trigram index cannot
match, are LIKE filters (``%word%``, the trigram index does not help: a scan). Snippets come from
FTS5's ``snippet()``, so the warm figures include them as ours do.

`python -m handbook_search.lab.fts5 index CORPUS DB` builds the database in a process of its
own, as `handbook-search index` does, so that bench times both the same way.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from handbook_search.model.corpus import load_corpus
from handbook_search.search.documents import SEARCH_FIELDS, text_fields

BOOSTS = (3.0, 2.0, 2.0, 1.0)  # title, headings, meta, body: as search.documents.schema
MIN_TRIGRAM = 3  # shorter words match nothing in a trigram index


def build(corpus_root: Path, db: Path) -> int:
    """Index every page of the corpus into a new database at `db`; returns the page count."""
    db.unlink(missing_ok=True)
    pages = load_corpus(corpus_root).pages
    with sqlite3.connect(db) as con:
        columns = ", ".join(SEARCH_FIELDS)
        con.execute(f"CREATE VIRTUAL TABLE pages USING fts5(path UNINDEXED, {columns}, "
                    "tokenize='trigram')")  # fmt: skip
        rows = ((p.relpath, *text_fields(p).values()) for p in pages)
        marks = ", ".join("?" * (len(SEARCH_FIELDS) + 1))
        con.executemany(f"INSERT INTO pages VALUES ({marks})", rows)
        con.execute("INSERT INTO pages(pages) VALUES ('optimize')")
    con.close()
    return len(pages)


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class Fts5Search:
    """Queries against a database made by build()."""

    def __init__(self, db: Path):
        self.con = sqlite3.connect(db)
        weights = ", ".join(str(b) for b in BOOSTS)
        self.rank = f"bm25(pages, 0, {weights})"

    def query(self, text: str, limit: int = 10) -> list[tuple[str, str]]:
        """(path, snippet) of the best pages, best first."""
        words = text.split()
        long = [w for w in words if len(w) >= MIN_TRIGRAM]
        short = [w for w in words if len(w) < MIN_TRIGRAM]
        if not long:
            return self._scan(short, limit)
        for joiner in (" AND ", " OR "):
            hits = self._match(joiner.join(_phrase(w) for w in long), short, limit)
            if hits:
                return hits
        return []

    def _like(self, short: list[str]) -> tuple[str, list[str]]:
        """SQL and parameters: every short word in some column."""
        any_column = "(" + " OR ".join(f"{c} LIKE ?" for c in SEARCH_FIELDS) + ")"
        params = [f"%{w}%" for w in short for _ in SEARCH_FIELDS]
        return "".join(f" AND {any_column}" for _ in short), params

    def _match(self, expression: str, short: list[str], limit: int) -> list[tuple[str, str]]:
        where, params = self._like(short)
        sql = (
            f"SELECT path, snippet(pages, 4, '', '', '…', 24) FROM pages "
            f"WHERE pages MATCH ?{where} ORDER BY {self.rank} LIMIT ?"
        )
        return self.con.execute(sql, [expression, *params, limit]).fetchall()

    def _scan(self, short: list[str], limit: int) -> list[tuple[str, str]]:
        """Only short words: LIKE over the table, the title's hits first (no bm25 without MATCH)."""
        if not short:
            return []
        where, params = self._like(short)
        in_title = " + ".join("(title LIKE ?)" for _ in short)
        sql = (
            f"SELECT path, substr(body, 1, 80) FROM pages WHERE 1{where} "
            f"ORDER BY {in_title} DESC, rowid LIMIT ?"
        )
        return self.con.execute(sql, [*params, *(f"%{w}%" for w in short), limit]).fetchall()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] != "index":
        print("使い方: python -m handbook_search.lab.fts5 index CORPUS DB", file=sys.stderr)
        return 2
    count = build(Path(args[1]), Path(args[2]))
    print(f"{count} ページを索引に入れました。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
