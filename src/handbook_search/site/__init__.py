"""The static site: Sphinx glue (sphinxext), the site-search index (searchindex) and the
browser side (static/: handbook-search.js, handbook.css). Thin: it asks the page model and the
analysis module and holds no logic that the CLI also needs."""
