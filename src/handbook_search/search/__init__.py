"""Search: Japanese analysis, the whoosh index and the query engine.

analysis (Sudachi tokenizer | filters) ← synonyms; documents (what of a page is indexed) ←
indexer (writes a generation) ← index (the index folder: read, build, update) ← engine (parse,
filter, rank, snippet: `Engine.query`). Imports the page model only; never the site or the lab.
"""
