"""Sphinx configuration.

The source directory is the repository root (`sphinx-build -c docs . build/html`), so corpus/
is built where it lies, one copy of every page, next to the site pages in docs/.
"""

import contextlib
import io
import os

from handbook_search.model import project as _project
from handbook_search.model.page import HEADING_ANCHOR_LEVEL

project = "地域づくり支援ハンドブック ナレッジベース"
author = "handbook-search の貢献者"
language = "ja"

# sphinxext-opengraph prints "matplotlib is not installed, social cards will not be generated"
# when imported; social cards are off (ogp_social_cards below), so it is imported quietly here.
with contextlib.redirect_stdout(io.StringIO()):
    import sphinxext.opengraph  # noqa: F401

extensions = [
    "myst_parser",
    "handbook_search.site.sphinxext",
    "sphinx_last_updated_by_git",
    "sphinx_sitemap",
    "sphinxext.opengraph",
]
source_suffix = {".md": "markdown"}
root_doc = "docs/index"
include_patterns = ["docs/*.md", "corpus/**.md"]
exclude_patterns = [".*", "build", "src", "tests", "node_modules", "**/README.md"]
templates_path = ["_templates"]
# build/html/index.html forwards to the home page (docs/index.html).
html_additional_pages = {"index": "redirect.html"}

# MyST: heading slugs become HTML ids; the page model computes the same anchors.
myst_heading_anchors = HEADING_ANCHOR_LEVEL
myst_enable_extensions = ["deflist"]
# Corpus pages are untrusted: HTML in Markdown is shown as text, never passed through
# (docutils.conf next to this file turns off raw and file insertion; see site/safety.py).
myst_disable_syntax = ["html_block", "html_inline"]

html_theme = "furo"
html_title = "地域づくり支援ハンドブック"
# An icon of our own: without one, browsers ask the server for /favicon.ico and log a 404.
html_favicon = "favicon.svg"
html_show_sourcelink = False
html_copy_source = False

# The project's addresses have one place, pyproject.toml ([project.urls]; handbook_search/model/project.py):
# Repository drives the 「このページを編集」 link of every corpus page (furo's source_* options and
# _templates/components/edit-this-page.html, which gives the link its Japanese label).
handbook_repository = _project.repository_url()
html_theme_options = {
    "source_repository": handbook_repository,
    "source_branch": "main",
    "source_directory": "",
    "top_of_page_buttons": ["edit"],
}
# One text per guide: the site page docs/contributing is CONTRIBUTING.md (which GitHub shows to
# contributors), read by the extension at build time; no include directive, so it works with
# docutils' file insertion disabled.
handbook_shared_pages = {"docs/contributing": "CONTRIBUTING.md"}
copyright = "handbook-search の貢献者（文章: CC BY 4.0、プログラム: MIT License）"
# 最終更新 of each page: the date of the last commit that changed its file (sphinx-last-updated-by-git).
# Without git (a copy without .git, a too shallow clone) the date is left out, the build still passes.
html_last_updated_fmt = "%Y年%-m月%-d日"
git_last_updated_timezone = "Asia/Tokyo"
suppress_warnings = ["git"]

# Japanese for the theme's strings that Sphinx's own catalog lacks (docs/locale/ja/LC_MESSAGES/sphinx.po).
locale_dirs = ["docs/locale"]  # relative to the source folder (the repository root)

# The address where the site is published (Homepage; $HANDBOOK_SITE_URL for one build): ONE place
# for the canonical links, the page URL printed on paper, OGP (sphinxext-opengraph) and sitemap.xml
# (sphinx-sitemap). A build for publishing (HANDBOOK_PUBLISH=1, the Pages workflow) refuses a
# placeholder address.
html_baseurl = _project.site_url()
if os.environ.get("HANDBOOK_PUBLISH") == "1":
    _project.check_publishable(html_baseurl)
ogp_site_url = html_baseurl
ogp_social_cards = {"enable": False}  # no image generation (would need matplotlib)
sitemap_url_scheme = "{link}"
sitemap_excludes = ["search.html", "genindex.html", "index.html"]
