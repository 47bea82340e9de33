"""Japanese for the theme's interface strings that no catalog can reach.

furo writes some strings straight into its templates instead of through ``_()``: the aria-labels
of the sidebar and theme toggles and the ``<title>`` of its SVG icons. The translatable ones are in
docs/locale/ja/LC_MESSAGES/sphinx.po; these are replaced in the template source when Jinja loads
a template (once per build, not per page). tests/test_readers.py checks that no English
interface string is left on any page, so a furo update that changes one shows up there.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from handbook_search.site import phrasebreaks

TEMPLATE_STRINGS: dict[str, str] = {
    'aria-label="Toggle site navigation sidebar"': 'aria-label="サイトの目次を開く・閉じる"',
    'aria-label="Toggle table of contents sidebar"': 'aria-label="このページの見出しを開く・閉じる"',
    'aria-label="Toggle Light / Dark / Auto color theme"': (
        'aria-label="表示の切り替え（ライト・ダーク・自動）"'
    ),
    # The phone header's icons are <label>s of hidden checkboxes: a name, and reachable by
    # keyboard as buttons (static/handbook-header.js presses them with Enter and Space).
    '<label class="nav-overlay-icon" for="__navigation">': (
        '<label class="nav-overlay-icon" for="__navigation" role="button" tabindex="0"'
        ' aria-label="メニュー">'
    ),
    '{% if furo_hide_toc %} no-toc{% endif %}" for="__toc">': (
        '{% if furo_hide_toc %} no-toc{% endif %}" for="__toc" role="button" tabindex="0"'
        ' aria-label="目次">'
    ),
    "<title>Contents</title>": "<title>このページの見出し</title>",
    "<title>Menu</title>": "<title>メニュー</title>",
    "<title>Expand</title>": "<title>開く</title>",
    "<title>Light mode</title>": "<title>ライト表示</title>",
    "<title>Dark mode</title>": "<title>ダーク表示</title>",
    "<title>Auto light/dark, in light mode</title>": "<title>自動（いまはライト表示）</title>",
    "<title>Auto light/dark, in dark mode</title>": "<title>自動（いまはダーク表示）</title>",
}


def translate(source: str) -> str:
    """Template source with the hard-coded English strings in Japanese.

    >>> translate('<input aria-label="Toggle site navigation sidebar">')
    '<input aria-label="サイトの目次を開く・閉じる">'
    """
    for english, japanese in (TEMPLATE_STRINGS | phrasebreaks.TEMPLATE_STRINGS).items():
        source = source.replace(english, japanese)
    return source


def install(app: Sphinx) -> None:
    """Make the HTML builder's template loader hand Jinja the translated sources."""
    loader = getattr(app.builder, "templates", None)
    if loader is None or app.config.language != "ja":
        return
    get_source = loader.get_source

    def get_translated_source(environment, template):
        source, filename, uptodate = get_source(environment, template)
        return translate(source), filename, uptodate

    loader.get_source = get_translated_source
