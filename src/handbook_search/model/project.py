"""The project's addresses, from one place: `[project.urls]` in pyproject.toml.

- ``Repository``: the GitHub repository (「このページを編集」 links, the contribution guide).
- ``Homepage``: where the site is published (GitHub Pages): canonical links, OGP, sitemap.xml,
  the page address printed on paper, and the links of an installed CLI's search results.

In a checkout the values come from pyproject.toml; in an installed wheel (``pipx install``) from
the package's metadata, which carries the same table. ``HANDBOOK_SITE_URL`` overrides the site
address for one build: the Pages workflow sets it from the address GitHub gives the Pages site,
so a fork publishes at its own address without editing a file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[3]  # src/handbook_search/model/ → the repository
PLACEHOLDER_HOSTS = ("example.org", "example.com", "localhost", "127.0.0.1")


class NotPublishable(ValueError):
    """The site address cannot be published (a placeholder, not https)."""


def project_urls() -> dict[str, str]:
    """`[project.urls]` of the checkout's pyproject.toml, else of the installed package."""
    pyproject = CHECKOUT / "pyproject.toml"
    if pyproject.is_file():
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        if data.get("project", {}).get("name") == "handbook-search":
            return dict(data["project"].get("urls", {}))
    from importlib.metadata import metadata

    urls = {}
    for entry in metadata("handbook-search").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip()] = url.strip()
    return urls


def repository_url() -> str:
    return project_urls()["Repository"]


def site_url() -> str:
    """The published site's address, ending in '/'."""
    url = os.environ.get("HANDBOOK_SITE_URL") or project_urls()["Homepage"]
    return url.rstrip("/") + "/"


def check_publishable(url: str) -> None:
    """Refuse an address that must not go into a published site.

    >>> check_publishable("https://handbook-search.github.io/handbook-search/")
    >>> check_publishable("https://example.org/handbook-search/")
    Traceback (most recent call last):
    ...
    handbook_search.model.project.NotPublishable: 公開用のアドレスが仮のもの（example.org）です: https://example.org/handbook-search/ 。pyproject.toml の [project.urls] Homepage か環境変数 HANDBOOK_SITE_URL に公開先を書いてください
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    hint = "pyproject.toml の [project.urls] Homepage か環境変数 HANDBOOK_SITE_URL に公開先を書いてください"
    host = (parts.hostname or "").lower()
    for placeholder in PLACEHOLDER_HOSTS:
        if host == placeholder or host.endswith("." + placeholder):
            raise NotPublishable(f"公開用のアドレスが仮のもの（{placeholder}）です: {url} 。{hint}")
    if parts.scheme != "https" or not host:
        raise NotPublishable(
            f"公開用のアドレスは https:// で始まる URL にしてください: {url} 。{hint}"
        )
