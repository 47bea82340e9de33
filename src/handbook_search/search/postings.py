"""Stage 1 of a query scored term at a time, from whoosh's postings read block by block.

whoosh evaluates a query through a tree of matchers that step posting by posting, with several
Python calls per posting and per tree node (most of a warm query's time at 1,000 pages:
docs/benchmarks.md). Stage 1 needs every match and its score anyway (the total, the concept
check, the rerank), so `Stage1.scores(q)` computes the same thing another way: each term's
postings are read a block at a time (ids, weights) and scored with whoosh's own BM25F scorer
(global idf and average length, the segment's field lengths), and the query's And / Or /
AndMaybe / AndNot / Phrase combine the per-page scores as whoosh's matchers do (a sum over the
matching parts, times the node's boost). Phrases check positions on the pages where all their
words stand in the field, and only there.

`evidence(...)` reads positions the same way for a given set of pages only (the concept check and
stage 2). A query of another kind is handed to whoosh's own matcher, so the results never depend
on which path ran; tests compare both paths on the judged queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def _raw(reader, field: str, text: str):
    """The segment's postings of (field, text) without whoosh's deletion filter, and the
    deleted documents (a one-page update deletes in place)."""
    from whoosh.matching.wrappers import FilterMatcher

    m = reader.postings(field, text)
    if isinstance(m, FilterMatcher):
        return m.child, m._ids
    return m, frozenset()


def blocks(reader, field: str, text: str) -> Iterator[tuple]:
    """(ids, weights, values) per posting block of (field, text) in one segment, deleted
    documents left out; `values(hits)` gives the encoded positions of postings `hits` (indices
    into ids) while the block is current. whoosh 2.7's W3 leaf matcher keeps a block's ids and
    weights in arrays; another matcher is stepped through one posting at a time."""
    m, deleted = _raw(reader, field, text)
    if not hasattr(m, "_read_ids"):  # not whoosh 2.7's W3 format: the generic way
        ids, weights, values = [], [], []
        while m.is_active():
            if m.id() not in deleted:
                ids.append(m.id())
                weights.append(m.weight())
                values.append(m.value())
            m.next()
        yield ids, weights, lambda hits: [values[i] for i in hits]
        return
    while m.is_active():
        m._read_ids()
        m._read_weights()
        ids, weights = m._ids, m._weights
        keep = None
        if deleted:
            keep = [i for i, d in enumerate(ids) if d not in deleted]
            ids, weights = [ids[i] for i in keep], [weights[i] for i in keep]

        def values(hits, m=m, keep=keep):
            m._read_values()
            return [m._values[keep[i] if keep else i] for i in hits]

        yield ids, weights, values
        m._next_block()


def field_lengths(reader, field: str) -> list | None:
    """Every page's length of `field` in one segment, read at once: what BM25F's
    `doc_field_length` gives one page at a time (a length byte per page in whoosh 2.7's W3
    lengths column; a cold query at 10,000 pages read 9,551 of them one by one, ~50 ms).
    None when the segment stores them another way."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    from whoosh.columns import NumericColumn
    from whoosh.util.numeric import byte_to_length

    cached = getattr(getattr(reader, "_perdoc", None), "_cached_reader", None)
    if cached is None:
        return None
    column = cached(_lenfield(field), LENGTHS_COLUMN)
    if column is None:
        return [1] * reader.doc_count_all()  # no lengths stored: whoosh's default, 1
    if type(column) is not NumericColumn.Reader or column._fixedlen != 1:
        return None
    table = [None] + [byte_to_length(b) for b in range(1, 256)]  # byte 0: no length (None)
    out = [table[b] for b in column._dbfile.get(column._basepos, column._count)]
    return out + [None] * (reader.doc_count_all() - len(out))  # pages past the column: 0


class _OnDemand:
    """lengths[d] through whoosh's own per-page call (the fallback of field_lengths)."""

    def __init__(self, dfl):
        self.dfl, self.known = dfl, {}

    def __getitem__(self, d: int):
        if d not in self.known:
            self.known[d] = self.dfl(d)
        return self.known[d]


class Bounded:
    """key → value, with the least recently used keys dropped once the values hold more than
    `limit` pages in all (a value's size: its len(), counted when put or grown)."""

    def __init__(self, limit: int):
        self.limit, self.size, self.items = limit, 0, {}

    def get(self, key):
        value = self.items.pop(key, None)
        if value is not None:
            self.items[key] = value  # now the most recent
        return value

    def put(self, key, value):
        self.items[key] = value
        self.grew(len(value))
        return value

    def grew(self, n: int) -> None:
        self.size += n
        while self.size > self.limit and len(self.items) > 1:
            oldest = next(iter(self.items))
            self.size -= len(self.items.pop(oldest))


class Cache:
    """What stage 1 read from one searcher, kept between the queries of a warm process (the
    engine drops it with the searcher): terms' and phrases' scores as compact arrays (12 bytes a
    page, not tracked by the garbage collector), positions, what a page names, and the field
    lengths. Each part drops its least recently used terms past MAX_ENTRIES pages, so memory
    stays bounded whatever the corpus (about 60 MB when full)."""

    MAX_ENTRIES = 2_000_000  # pages in the scores of terms and of phrases
    MAX_POSITIONS = 300_000  # pages with positions, and concept checks

    def __init__(self):
        self.lengths: dict[tuple[int, str], list | _OnDemand] = {}  # (segment, field) → lengths
        self.terms = Bounded(self.MAX_ENTRIES)
        self.phrases = Bounded(self.MAX_ENTRIES)
        self.positions = Bounded(self.MAX_POSITIONS)
        self.named = Bounded(self.MAX_POSITIONS)  # concept → {page: named} (engine.naming)


class Packed:
    """{docnum: score} as two arrays (what Cache keeps)."""

    def __init__(self, scores: dict[int, float]):
        from array import array

        self.docs, self.values = array("i", scores), array("d", scores.values())

    def __len__(self) -> int:
        return len(self.docs)

    def scores(self) -> dict[int, float]:
        return dict(zip(self.docs, self.values, strict=True))


class Stage1:
    """Per-page scores of a whoosh query over one searcher (see the module docstring).

    A term's postings are read once even when the query names the term in several places (the
    whole word and its parts, the synonyms), and, with a `cache` kept for the searcher's life,
    once for all queries."""

    def __init__(self, searcher, cache: Cache | None = None):
        self.searcher = searcher
        self.leaves = searcher.leaf_searchers()
        self.cache = Cache() if cache is None else cache
        self._terms: dict[tuple[str, str], dict[int, float]] = {}  # this query's
        self._phrases: dict[tuple, dict[int, float]] = {}

    # -- terms ----------------------------------------------------------------------------
    def term(self, field: str, text: str) -> dict[int, float]:
        """{docnum: BM25F score} of one term (whoosh's scorer, unboosted)."""
        key = (field, text)
        found = self._terms.get(key)
        if found is None:
            packed = self.cache.terms.get(key)
            if packed is None:
                found = self._read_term(field, text)
                self.cache.terms.put(key, Packed(found))
            else:
                found = packed.scores()
            self._terms[key] = found
        return found

    def _read_term(self, field: str, text: str) -> dict[int, float]:
        out: dict[int, float] = {}
        weighting = self.searcher.weighting
        for n, (leaf, offset) in enumerate(self.leaves):
            reader = leaf.reader()
            if (field, text) not in reader:
                continue
            scorer = weighting.scorer(leaf, field, text)
            score = getattr(scorer, "_score", None)
            if score is None:  # not scorable (an ID field): whoosh scores the weight
                for ids, weights, _ in blocks(reader, field, text):
                    out.update((d + offset, w) for d, w in zip(ids, weights, strict=True))
                continue
            lengths = self.cache.lengths.get((n, field))
            if lengths is None:  # (not whoosh 2.7's W3 lengths column: one page at a time)
                lengths = field_lengths(reader, field) or _OnDemand(scorer.dfl)
                self.cache.lengths[(n, field)] = lengths
            for ids, weights, _ in blocks(reader, field, text):
                for d, w in zip(ids, weights, strict=True):
                    out[d + offset] = score(w, lengths[d])
        return out

    # -- queries --------------------------------------------------------------------------
    def scores(self, q) -> dict[int, float]:
        """{docnum: score} of every page `q` matches, as whoosh would score it."""
        from whoosh import query

        kind = type(q)
        boost = getattr(q, "boost", 1.0)
        if kind is query.Term:
            found = self.term(q.fieldname, q.text)
        elif kind is query.Or:
            found = _union([self.scores(s) for s in q.subqueries])
        elif kind is query.And:
            found = _intersection([self.scores(s) for s in q.subqueries])
        elif kind is query.AndMaybe:
            a, b = self.scores(q.a), self.scores(q.b)
            found = {d: s + b[d] if d in b else s for d, s in a.items()}
        elif kind is query.AndNot:
            out = self.docs(q.b)
            found = {d: s for d, s in self.scores(q.a).items() if d not in out}
        elif kind is query.Phrase:
            found = self.phrase(q.fieldname, list(q.words), q.slop)
        elif q is query.NullQuery or kind is query.NullQuery.__class__:
            found = {}
        else:
            return self._whoosh(q)
        if boost != 1.0:
            return {d: s * boost for d, s in found.items()}
        return found

    def docs(self, q) -> set[int]:
        """The pages `q` matches (unscored: an exclusion, a filter)."""
        return set(self.scores(q))

    def phrase(self, field: str, words: list[str], slop: int = 1) -> dict[int, float]:
        """Pages with `words` in that order in `field`, each within `slop` positions of the
        one before (whoosh's Phrase); the score is the sum of the words' scores there."""
        if not words:
            return {}
        key = (field, tuple(words), slop)
        found = self._phrases.get(key)
        if found is None:
            packed = self.cache.phrases.get(key)
            if packed is None:
                found = self._phrase(field, words, slop)
                self.cache.phrases.put(key, Packed(found))
            else:
                found = packed.scores()
            self._phrases[key] = found
        return found

    def _phrase(self, field: str, words: list[str], slop: int) -> dict[int, float]:
        common = _intersection([self.term(field, w) for w in words])
        if len(words) == 1 or not common:
            return common
        where = {w: self.positions(field, w, common, keep=False) for w in dict.fromkeys(words)}
        return {
            doc: score
            for doc, score in common.items()
            if in_order([where[w][doc] for w in words], slop)
        }

    def positions(self, field: str, text: str, docnums, keep: bool = True) -> dict:
        """{docnum: positions} of one term on pages `docnums` (each read once); `keep`: in the
        cache (stage 2's few pages), not when the answer is cached instead (a phrase, a
        concept check over every match)."""
        key = (field, text)
        if not keep:
            known = self.cache.positions.get(key) or {}
            missing = [d for d in docnums if d not in known]
            return {**known, **evidence(self.searcher, [key], missing)[key]} if missing else known
        known = self.cache.positions.get(key)
        if known is None:
            known = self.cache.positions.put(key, {})
        missing = [d for d in docnums if d not in known]
        if missing:
            before = len(known)
            known.update(evidence(self.searcher, [key], missing)[key])
            self.cache.positions.grew(len(known) - before)
        return known

    def _whoosh(self, q) -> dict[int, float]:
        """Any other query, through whoosh's matchers."""
        out = {}
        for leaf, offset in self.leaves:
            m = q.matcher(leaf, leaf.context())
            while m.is_active():
                out[m.id() + offset] = m.score()
                m.next()
        return out


def _union(parts: list[dict[int, float]]) -> dict[int, float]:
    """Or: every page of any part, the sum of the parts that match it."""
    if len(parts) == 1:
        return parts[0]
    # the largest part copied whole (in C), the others added to it: the same order of addition
    # for every page, so pages with equal parts still tie
    largest = max(range(len(parts)), key=lambda i: len(parts[i]))
    out = dict(parts[largest])
    for i, part in enumerate(parts):
        if i != largest:
            for d, s in part.items():
                out[d] = out[d] + s if d in out else s
    return out


def _intersection(parts: list[dict[int, float]]) -> dict[int, float]:
    """And: the pages of every part, the sum of their scores."""
    if len(parts) == 1:
        return parts[0]
    common = set(min(parts, key=len))
    for part in parts:
        common.intersection_update(part)
    if len(parts) == 2:
        a, b = parts
        return {d: a[d] + b[d] for d in common}
    return {d: sum(part[d] for part in parts) for d in common}


def in_order(where: list[list[int]], slop: int) -> bool:
    """Whether the units stand in order, each 1 … `slop` positions after the one before
    (whoosh's Phrase, SpanNear2 ordered with mindist 1), given each unit's positions.

    >>> in_order([[2, 9], [3], [4]], 1), in_order([[2], [4]], 1), in_order([[2], [4]], 2)
    (True, False, True)
    """
    ends = set(where[0])
    steps = range(1, slop + 1)
    for after in where[1:]:
        ends = {p + d for p in ends for d in steps}.intersection(after)
        if not ends:
            return False
    return True


def evidence(searcher, terms: Iterable[tuple[str, str]], docnums: Iterable[int]) -> dict:
    """(field, term) → {docnum: positions} for the pages `docnums` only: only the blocks that
    hold one of them are decoded, and only their positions."""
    targets = sorted(set(docnums))
    out = {}
    for field, text in terms:
        decode = _decoder(searcher.schema[field].format)
        found: dict[int, list[int]] = {}
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            local = [d - offset for d in targets if offset <= d < offset + reader.doc_count_all()]
            if not local or (field, text) not in reader:
                continue
            wanted = set(local)
            for ids, _, values in blocks(reader, field, text):
                if not ids or ids[-1] < local[0]:
                    continue
                hits = [i for i, d in enumerate(ids) if d in wanted]
                if not hits:
                    continue
                for i, value in zip(hits, values(hits), strict=True):
                    found[ids[i] + offset] = decode(value)
        out[(field, text)] = found
    return out


def _decoder(fmt):
    """The positions of an encoded value: whoosh's Positions format is a count then a pickled
    list of gaps, summed here in C (itertools.accumulate) rather than in a Python loop. A tuple,
    not a list: the cyclic garbage collector stops tracking a tuple of ints, so a warm cache of
    positions does not make every full collection slower (it did: p95 18 → 37 ms)."""
    from itertools import accumulate
    from pickle import loads

    from whoosh.formats import Positions
    from whoosh.system import _INT_SIZE

    if type(fmt) is not Positions:
        return lambda value: tuple(fmt.decode_positions(value))

    def decode(value: bytes) -> tuple[int, ...]:
        if not value.endswith(b"."):
            value += b"."
        return tuple(accumulate(loads(value[_INT_SIZE:])))

    return decode
