"""The glossary page: term anchors derived from the term, and a 五十音 index above the terms.

Sphinx numbers the ids of Japanese glossary terms (``#term-0`` …), so a shared link points to
another term as soon as one is inserted above it. ``{glossary}`` here is Sphinx's directive with
the ids of model.page.glossary_anchor (the search links its hits to the same ids). The index
groups every term by the kana row of its reading (Sudachi, via search.analysis), Latin and
digits last.
"""

from __future__ import annotations

import re
import unicodedata

from docutils import nodes
from sphinx import addnodes
from sphinx.domains.std import Glossary

from handbook_search.model.page import glossary_anchor

ROWS = ("あ", "か", "さ", "た", "な", "は", "ま", "や", "ら", "わ")
_KANA_ORDER = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
)
OTHER = "英数字"


def kana_row(reading: str) -> str:
    """The 五十音 row (あ, か, … わ) of a reading's first sound, or OTHER.

    >>> [kana_row(r) for r in ("ソウゴウ", "ダイニ", "ぱ", "ョ", "ヴ", "ン", "SC")]
    ['さ', 'た', 'は', 'や', 'あ', 'わ', '英数字']
    """
    if not reading:
        return OTHER
    ch = unicodedata.normalize("NFD", reading[0])[0]  # ダ → タ + ゛
    if "ァ" <= ch <= "ヶ":
        ch = chr(ord(ch) - 0x60)  # katakana → hiragana
    ch = {"ぁ": "あ", "ぃ": "い", "ぅ": "う", "ぇ": "え", "ぉ": "お", "っ": "つ", "ゃ": "や",
          "ゅ": "ゆ", "ょ": "よ", "ゎ": "わ", "ゔ": "う", "ゐ": "い", "ゑ": "え"}.get(ch, ch)  # fmt: skip
    if ch not in _KANA_ORDER:
        return OTHER
    index = _KANA_ORDER.index(ch)
    return next(row for row in reversed(ROWS) if _KANA_ORDER.index(row) <= index)


class StableGlossary(Glossary):
    """Sphinx's glossary with ids from the term text (cross-references follow them)."""

    def run(self) -> list[nodes.Node]:
        result = super().run()
        std = self.env.domains.standard_domain
        document = self.state.document
        for term in (n for node in result for n in node.findall(nodes.term)):
            old = term["ids"][0] if term["ids"] else None
            text = term.astext()
            new = glossary_anchor(text)
            if old is None or old == new or new in document.ids:
                continue
            term["ids"] = [new if i == old else i for i in term["ids"]]
            document.ids.pop(old, None)
            document.ids[new] = term
            docname = self.env.docname
            std.objects["term", text] = (docname, new)
            std._terms[text.lower()] = (docname, new)
            for index in term.findall(addnodes.index):
                index["entries"] = [
                    (kind, value, new if target == old else target, main, key)
                    for kind, value, target, main, key in index["entries"]
                ]
        return [*self._index(result), *result]

    def _index(self, result: list[nodes.Node]) -> list[nodes.Node]:
        """The 五十音 index: one line per kana row, linking every term."""
        from handbook_search.search.analysis import reading

        rows: dict[str, list[tuple[str, str]]] = {}
        for term in (n for node in result for n in node.findall(nodes.term)):
            text = term.astext()
            # サービスA: the kana read, the Latin letters kept (Sudachi reads A as アール)
            sound = "".join(
                run.upper() if run.isascii() else reading(run)
                for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text)
            )
            row = OTHER if text[:1].isascii() else kana_row(sound)
            rows.setdefault(row, []).append((sound, text))
        if not rows:
            return []
        box = nodes.container(classes=["handbook-glossary-index"])
        box += nodes.rubric("", "五十音から探す")
        items = nodes.bullet_list()
        for row in (*ROWS, OTHER):
            if row not in rows:
                continue
            para = nodes.paragraph()
            para += nodes.strong("", row if row == OTHER else f"{row}行")
            for i, (_, text) in enumerate(sorted(rows[row])):
                para += nodes.Text(" " if i == 0 else "・")
                para += nodes.reference("", text, refid=glossary_anchor(text))
            items += nodes.list_item("", para)
        box += items
        return [box]
