"""Start-up time of a search (one process per query, so every millisecond shows).

whoosh.compat imports urllib.request (about 50 ms: http.client, email, …) only to re-export
urlretrieve, which this project never calls. `import_whoosh()` imports whoosh with a stand-in
for that one name and removes the stand-in at once, so any later `import urllib.request` gets
the real module.
"""

from __future__ import annotations

import sys
import types


def _urlretrieve(*args, **kwargs):  # pragma: no cover - whoosh never calls it for us
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def import_whoosh() -> None:
    if "whoosh.compat" in sys.modules or "urllib.request" in sys.modules:
        return
    stand_in = types.ModuleType("urllib.request")
    stand_in.urlretrieve = _urlretrieve
    sys.modules["urllib.request"] = stand_in
    try:
        import whoosh.compat  # noqa: F401
    finally:
        if sys.modules.get("urllib.request") is stand_in:
            del sys.modules["urllib.request"]
