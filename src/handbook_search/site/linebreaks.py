"""Line breaks inside Japanese paragraphs: no space between Japanese characters.

A Markdown paragraph may be written one sentence a line. Browsers other than Firefox show a
line break between two Japanese characters as a space (「替えられます。 絞り込んだ」), so at
doctree-read every page's text loses the breaks that stand between Japanese characters; a
break next to a Latin word stays (a space there is right). Literal text is left as written.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

# Kana, kanji, CJK punctuation and full-width forms.
_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])\n(?=[{_CJK}])")
# Text left as written (code, raw HTML, math), here and in site/phrasebreaks.py.
LITERAL = (nodes.literal_block, nodes.literal, nodes.raw, nodes.comment, nodes.math)


def join_japanese_lines(text: str) -> str:
    r"""A line break inside a Japanese paragraph is no space (browsers other than Firefox show
    one: 「替えられます。 絞り込んだ」); between Latin words it stays one.

    >>> join_japanese_lines("替えられます。\n絞り込んだ URL に\nは\nsite and\nsearch")
    '替えられます。絞り込んだ URL には\nsite and\nsearch'
    """
    return _CJK_BREAK.sub("", text)


def join_lines(app: Sphinx | None, doctree: nodes.document) -> None:
    """join_japanese_lines over the page's text. MyST makes each line break a Text node of its
    own ("\n"), so the characters around it are looked up in the nodes next to it; the text
    around a dropped break becomes one node (tools that join nodes put a space between them,
    as the OGP description does)."""
    for parent in list(doctree.findall(nodes.TextElement)):
        kids = parent.children
        if isinstance(parent, LITERAL) or not any(
            isinstance(c, nodes.Text) and "\n" in c for c in kids
        ):
            continue
        out: list[nodes.Node] = []
        for j, child in enumerate(kids):
            if not isinstance(child, nodes.Text):
                out.append(child)
                continue
            text = str(child)
            if text == "\n":
                before = out[-1].astext()[-1:] if out else ""
                after = kids[j + 1].astext()[:1] if j + 1 < len(kids) else ""
                if before and join_japanese_lines(f"{before}\n{after}") == before + after:
                    continue  # a break between Japanese characters
            else:
                text = join_japanese_lines(text)
            if out and isinstance(out[-1], nodes.Text):
                out[-1] = nodes.Text(str(out[-1]) + text)
            else:
                out.append(nodes.Text(text))
        parent.clear()
        parent.extend(out)
