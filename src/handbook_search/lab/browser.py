"""Headless Chromium against a built site, for the browser tests and the search comparison.

Only the system's browser is used (Debian packages ``chromium`` and ``chromium-driver``); nothing
is downloaded. Selenium is a development dependency and is imported only here, on use.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

WAIT_SECONDS = 10  # the longest any page or search may take
# poppler-utils: pdftotext reads the text layer of a page printed to PDF (tests/test_readers.py)
APT_PACKAGES = ("chromium", "chromium-driver", "fonts-noto-cjk", "poppler-utils")
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--window-size=1280,1000",
    "--lang=ja",
)


def find_chromium() -> tuple[str | None, str | None]:
    """(chromium, chromedriver) executables, or None for what is missing."""
    browser = next(
        (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser")) if p), None
    )
    return browser, shutil.which("chromedriver")


def apt_install_chromium() -> subprocess.CompletedProcess:
    """Install Debian's Chromium and its driver (CI runs as root)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = f"apt-get update -q && apt-get install -y -q --no-install-recommends {' '.join(APT_PACKAGES)}"
    return subprocess.run(
        ["sh", "-c", cmd], env=env, capture_output=True, text=True, timeout=900, check=False
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) from a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT_SECONDS)


def chromium(profile: Path, browser: str | None = None, driver: str | None = None):
    """A headless Chromium driven by Selenium, with a fresh profile and console logging."""
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never download
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found_browser, found_driver = find_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser or found_browser or "/usr/bin/chromium"
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(driver or found_driver or "/usr/bin/chromedriver")
    session = webdriver.Chrome(service=service, options=options)
    session.set_page_load_timeout(WAIT_SECONDS)
    session.set_script_timeout(WAIT_SECONDS)
    return session


def console_errors(session) -> list[str]:
    """Console messages of level SEVERE since the last call (errors and failed requests)."""
    return [e["message"] for e in session.get_log("browser") if e.get("level") == "SEVERE"]


def wait_for_search(session, timeout: float = WAIT_SECONDS) -> str:
    """Wait until the search page has answered; returns its state (done, none, error, idle)."""
    from selenium.webdriver.support.ui import WebDriverWait

    def state(s):
        value = s.execute_script(
            "const r = document.getElementById('handbook-search');"
            "return r && window.HANDBOOK_SEARCH_INDEX ? r.dataset.state : null;"
        )
        return value if value not in (None, "pending") else False

    return WebDriverWait(session, timeout).until(state)


def results(session) -> list[dict]:
    """The results shown on the search page, as the reader sees them."""
    return session.execute_script(
        """
        return [...document.querySelectorAll('#hs-results .hs-result')].map(li => ({
          url: li.dataset.url,
          kind: li.dataset.kind,
          theme: li.dataset.theme ? Number(li.dataset.theme) : null,
          municipality: li.dataset.municipality || null,
          prefecture: li.dataset.prefecture || null,
          year: li.dataset.year ? Number(li.dataset.year) : null,
          title: li.querySelector('.hs-title').textContent,
          href: li.querySelector('.hs-title').href,
          meta: li.querySelector('.hs-meta').textContent,
          section: (li.querySelector('.hs-section') || {}).textContent || null,
          snippet: li.querySelector('.hs-snippet').textContent,
          marks: [...li.querySelectorAll('.hs-snippet mark')].map(m => m.textContent),
        }));
        """
    )
