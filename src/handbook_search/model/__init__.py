"""The page model: corpus files → validated pages, and the rules a page must follow.

vocab (fixed vocabularies) ← schema (front matter) ← page (one file) ← rules (structure,
across pages) ← corpus (the whole tree) ← validate (the `validate` command's checks).
Nothing here imports the search, the site or the CLI.
"""
