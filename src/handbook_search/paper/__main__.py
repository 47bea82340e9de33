import sys

from handbook_search.paper.main import main

sys.exit(main())
