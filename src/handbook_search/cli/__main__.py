"""`python -m handbook_search.cli …` is `handbook-search …`."""

import sys

from handbook_search.cli.main import main

sys.exit(main())
