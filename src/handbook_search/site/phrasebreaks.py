"""Line breaks between phrases (文節) in the site's short texts: headings, labels, navigation.

A browser breaks Japanese between any two characters, so a heading or a table cell may end a
line inside a word (「ナレッジ／ベース」). The short texts a reader scans — titles, rubrics, field
lists (the case box), table cells, glossary terms, the generated case lists, toctree entries,
the sidebar and the site title — get the phrase boundaries of BudouX (site/phrases.py) as
``<wbr>`` and the class ``handbook-phrases``, whose CSS (``word-break: keep-all``) allows a break
only there (``overflow-wrap`` still wraps a token that cannot fit). Running paragraphs are left
as Japanese body text.

The boundaries are kept by ``phrased_text`` nodes, made at doctree-resolved (after the doctree
was pickled and the titles collected): a text node that knows where its lines may end and
whose text is unchanged, so the search indexes, ``<title>``, the OGP description and the print
editions' text are as before; only the HTML writer adds ``<wbr>``. furo's navigation tree and the
site title are HTML made outside the doctree: they get their ``<wbr>`` in html-page-context
(BeautifulSoup, which furo uses for the same tree) and through the ``phrase_breaks`` filter.
"""

from __future__ import annotations

import html
from functools import lru_cache
from itertools import pairwise

from bs4 import BeautifulSoup, NavigableString
from docutils import nodes
from markupsafe import Markup
from sphinx.application import Sphinx

from handbook_search.site.linebreaks import LITERAL
from handbook_search.site.phrases import boundaries, pieces

CLASS = "handbook-phrases"
WBR = "<wbr>"
# Elements whose text is a label, not a running paragraph.
_LABELS = (
    nodes.title,
    nodes.subtitle,
    nodes.rubric,
    nodes.field_name,
    nodes.field_body,
    nodes.entry,
    nodes.term,
)
# furo's template strings that print the site title (sidebar brand, phone header).
TEMPLATE_STRINGS = {
    "{{ docstitle if docstitle else project }}</": (
        "{{ (docstitle if docstitle else project)|phrase_breaks }}</"
    ),
}


class phrased_text(nodes.Text):  # noqa: N801 (docutils names nodes so)
    """Text with the offsets where a line may end (``breaks``; 0: before it). Its text is the
    text as written, for every reader of the doctree; the HTML writer adds the ``<wbr>``."""

    def __new__(cls, data: str, breaks: tuple[int, ...] = ()):
        node = super().__new__(cls, data)
        node.breaks = breaks
        return node

    def copy(self) -> phrased_text:
        return self.__class__(str(self), self.breaks)


def visit_phrased_text(translator, node: phrased_text) -> None:
    cuts = pairwise((0, *node.breaks, len(node)))
    translator.body.append(WBR.join(translator.encode(node[a:b]) for a, b in cuts))
    raise nodes.SkipNode


def visit_plain_text(translator, node: phrased_text) -> None:
    translator.visit_Text(node)


def depart_plain_text(translator, node: phrased_text) -> None:
    translator.depart_Text(node)


def with_breaks(text: str) -> Markup:
    """``text`` as HTML with ``<wbr>`` between its phrases (a Jinja filter).

    >>> str(with_breaks("出雲市（島根県）の移動支援"))
    '出雲市<wbr>（島根県）の<wbr>移動支援'
    >>> str(with_breaks("<b>"))
    '&lt;b&gt;'
    """
    return Markup(WBR.join(html.escape(p, quote=False) for p in pieces(str(text))))


def _texts(element: nodes.Element) -> list[nodes.Text]:
    """The element's text nodes in reading order, literal text left out."""
    return [
        t
        for t in element.findall(nodes.Text)
        if not any(isinstance(a, LITERAL) for a in _ancestors(t, element))
    ]


def _ancestors(node: nodes.Node, top: nodes.Element):
    node = node.parent
    while node is not None and node is not top:
        yield node
        node = node.parent


def mark(element: nodes.Element) -> None:
    """Turn the element's text into phrased_text with the phrase boundaries of its whole text
    (so that a boundary between a link and the words after it counts)."""
    texts = _texts(element)
    cuts = boundaries("".join(str(t) for t in texts))
    start = 0
    for text in texts:
        end = start + len(text)
        breaks = tuple(c - start for c in cuts if start <= c < end)
        if breaks:
            text.parent.replace(text, phrased_text(str(text), breaks))
        start = end


def _carrier(label: nodes.Element) -> nodes.Element | None:
    """Where the class goes: a cell's table, a field's list, an item's list (once, not on
    each of them: a case page has hundreds), no class on a section's heading (the CSS names
    the headings; the print editions find a section's heading by its bare tag), else the
    label itself."""
    if isinstance(label, nodes.title) and isinstance(label.parent, nodes.section):
        return None
    if isinstance(label, nodes.entry | nodes.field_name | nodes.field_body | nodes.list_item):
        whole = nodes.table if isinstance(label, nodes.entry) else nodes.Sequential
        return next((a for a in _ancestors(label, None) if isinstance(a, whole)), label)
    return label


def _is_label(node: nodes.Node) -> bool:
    if isinstance(node, _LABELS):
        return True
    if isinstance(node, nodes.list_item):  # the generated lists and the toctrees' entries
        lists = [node.parent, node.parent.parent]  # a list, or the box it stands in
        generated = any(c.startswith("handbook-") for n in lists for c in n.get("classes", []))
        return generated or any(
            "toctree-wrapper" in a.get("classes", []) for a in _ancestors(node, None)
        )
    return False


def mark_labels(app: Sphinx | None, doctree: nodes.document, docname: str = "") -> None:
    """doctree-resolved: mark every label of the page (a label inside a label counts once)."""
    labels = [n for n in doctree.findall(nodes.Element) if _is_label(n)]
    outer = set(map(id, labels))
    for label in labels:
        if not any(id(a) in outer for a in _ancestors(label, None)):
            mark(label)
            carrier = _carrier(label)
            if carrier is not None and CLASS not in carrier["classes"]:
                carrier["classes"].append(CLASS)


@lru_cache(maxsize=64)  # every case page has the same navigation tree (in no toctree)
def mark_html(fragment: str) -> str:
    """An HTML fragment (furo's navigation tree) with ``<wbr>`` between the phrases of each
    text (handbook.css gives the sidebar, the contents and the page links keep-all).

    >>> mark_html('<a class="reference" href="x.html">出雲市（島根県）の移動支援</a>')
    '<a class="reference" href="x.html">出雲市<wbr/>（島根県）の<wbr/>移動支援</a>'
    """
    soup = BeautifulSoup(fragment, "html.parser")
    for text in list(soup.find_all(string=True)):
        cut = pieces(str(text))
        if len(cut) > 1:
            out: list = []
            for piece in cut:
                out += [soup.new_tag("wbr"), NavigableString(piece)]
            text.replace_with(*out[1:])
    return str(soup)


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """After furo's own handler: its navigation tree, the page's contents (このページの見出し)
    and the next/previous titles."""
    for key in ("furo_navigation_tree", "toc"):
        if context.get(key):
            context[key] = mark_html(context[key])
    for key in ("next", "prev"):
        if context.get(key) and context[key].get("title"):
            context[key] = {**context[key], "title": mark_html(context[key]["title"])}


def _add_filter(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        templates.environment.filters["phrase_breaks"] = with_breaks


def setup(app: Sphinx) -> None:
    plain = (visit_plain_text, depart_plain_text)
    app.add_node(phrased_text, html=(visit_phrased_text, None), latex=plain, text=plain,
                 man=plain, texinfo=plain)  # fmt: skip
    app.connect("doctree-resolved", mark_labels)
    app.connect("builder-inited", _add_filter)
    app.connect("html-page-context", _page_context, priority=600)  # after furo's (500)
