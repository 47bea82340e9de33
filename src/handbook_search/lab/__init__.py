"""Instruments, outside the product's import graph: `make eval` (evaluate), `make bench` (bench,
synth), the site-search comparison (compare_site_search) and headless Chromium (browser).
The product never imports this package (tests/test_architecture.py)."""
