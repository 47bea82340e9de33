"""The `handbook-search` command: argument parsing and commands (main), output (render)."""

from handbook_search.cli.main import main

__all__ = ["main"]
