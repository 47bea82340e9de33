"""What of a page goes into the search index: the schema, the searched fields and the stored
record a hit prints itself from.

The CLI's whoosh index (index.py) and the site-search index (site/searchindex.py) both take
their fields from here, so the two searches rank the same text the same way.
"""

from __future__ import annotations


def schema(analyzer=None):
    """The index schema; `analyzer` replaces ours for the evaluation's baselines."""
    from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

    from handbook_search.search.analysis import JapaneseAnalyzer

    analyzer = analyzer or JapaneseAnalyzer()
    return Schema(
        path=ID(stored=True, unique=True),
        kind=ID(stored=True),
        themes=KEYWORD(stored=True, commas=True),
        prefecture=ID(stored=True),
        municipality=ID(stored=True),
        year=ID(stored=True),
        title=TEXT(analyzer=analyzer, field_boost=3.0),
        headings=TEXT(analyzer=analyzer, field_boost=2.0),
        meta=TEXT(analyzer=analyzer, field_boost=2.0),
        body=TEXT(analyzer=analyzer, field_boost=0.5),  # a passing mention counts less (make eval)
        data=STORED(),
    )


SEARCH_FIELDS = ("title", "headings", "meta", "body")


def meta_text(page) -> str:
    """Words about the page that are not in its text: place, bureau, year, theme names and the
    one-sentence summary of the front matter."""
    from handbook_search.model.vocab import KINDS, THEMES, wareki

    m = page.meta
    words = [KINDS[m.kind]]
    if m.kind == "case":
        words += [
            m.municipality,
            m.prefecture,
            m.bureau,
            wareki(m.fiscal_year),
            f"{m.fiscal_year}年度",
        ]
        words += [m.support_type or ""]
    words += [THEMES[n] for n in page.themes]
    words.append(m.summary or "")  # what the page is about, in one sentence
    return "\n".join(w for w in words if w)


def page_record(page) -> dict:
    """What a hit needs to print itself (stored, JSON-able)."""
    from handbook_search.search.analysis import surfaces

    return {
        **page.metadata(),
        "sections": [{"title": s.title, "anchor": s.anchor, "text": s.text} for s in page.sections],
        # each indexed term → its spellings on the page, for snippets without re-analysis
        "terms": {t: sorted(v) for t, v in surfaces(page_text_with_headings(page)).items()},
    }


def page_text_with_headings(page) -> str:
    return "\n".join(f"{s.title}\n{s.text}" for s in page.sections)


def text_fields(page) -> dict[str, str]:
    """The searched fields (SEARCH_FIELDS) of a page."""
    return {
        "title": page.meta.title,
        "headings": "\n".join(s.title for s in page.sections[1:] if not s.term),
        "meta": meta_text(page),
        "body": page.text,
    }


def document(page) -> dict:
    m = page.meta
    return {
        "path": page.relpath,
        "kind": m.kind,
        "themes": ",".join(str(n) for n in page.themes),
        "prefecture": getattr(m, "prefecture", None) or "",
        "municipality": getattr(m, "municipality", None) or "",
        "year": str(getattr(m, "fiscal_year", "") or ""),
        **text_fields(page),
        "data": page_record(page),
    }
