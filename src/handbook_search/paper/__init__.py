"""Print editions: the whole knowledge base as one PDF and each case on A4 (`make pdf`).

`builder` is a Sphinx builder (``-b paper``) that renders the site's own doctrees to HTML for
print; `pdf` turns that HTML into PDF with WeasyPrint and checks fonts and glyphs; `paper.css` is
the print style; `main` is the `make pdf` entry point (system requirements, then the build).
"""
