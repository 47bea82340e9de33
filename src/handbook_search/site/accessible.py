"""The HTML that Sphinx and furo write, made to meet WCAG 2.1 AA where they do not by themselves.

Sphinx's HTML writer gives a toctree's caption (the sidebar's 「解説」「10のテーマ」…)
``role="heading"`` without the ``aria-level`` that role requires, and furo wraps every table in a
``div.table-wrapper`` that scrolls sideways on a narrow screen but cannot be reached from the
keyboard. This translator, the HTML writer's own with those two elements changed, gives the
captions a level (2: the page's title is the one level-1 heading) and makes each table wrapper a
named region that takes the keyboard focus (tabindex="0"), so that a keyboard can scroll it.
tests/test_accessibility.py runs axe-core over every kind of page.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.writers.html5 import HTML5Translator

CAPTION_LEVEL = 2


def table_name(wrapper: nodes.Element) -> str:
    """What a screen reader calls a scrolling table: its own caption, else 「表: 」 and the title
    of the section it stands in, else 「表」.

    >>> section = nodes.section("", nodes.title("", "表記の統一"))
    >>> wrapper = nodes.container("", nodes.table())
    >>> section += wrapper
    >>> table_name(wrapper)
    '表: 表記の統一'
    """
    for table in wrapper.findall(nodes.table):
        for title in (c for c in table.children if isinstance(c, nodes.title)):
            return title.astext()
        break
    parent = wrapper.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    if parent is not None and parent.children and isinstance(parent[0], nodes.title):
        return f"表: {parent[0].astext()}"
    return "表"


class AccessibleHTMLTranslator(HTML5Translator):
    """Sphinx's HTML5 translator; toctree captions and table wrappers as described above."""

    def visit_title(self, node: nodes.title) -> None:
        super().visit_title(node)
        parent = node.parent
        if isinstance(parent, addnodes.compact_paragraph) and parent.get("toctree"):
            self.body[-2] = self.body[-2].replace(
                'role="heading"', f'role="heading" aria-level="{CAPTION_LEVEL}"', 1
            )

    def dispatch_visit(self, node: nodes.Node) -> None:
        """A table wrapper here; any other node as registered (MyST's add_node() replaces the
        translator's own visit_container on the instance, so that method is not the hook)."""
        if isinstance(node, nodes.container) and "table-wrapper" in node["classes"]:
            self.body.append(self.table_region(node))
        else:
            super().dispatch_visit(node)

    def table_region(self, node: nodes.container) -> str:
        attributes = {"role": "region", "tabindex": "0", "aria-label": table_name(node)}
        return self.starttag(node, "div", CLASS="docutils container", **attributes)
