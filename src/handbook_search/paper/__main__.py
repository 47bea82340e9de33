import sys

from handbook_search.paper.main import main

if __name__ == "__main__":  # not again in a spawned PDF worker
    sys.exit(main())
