"""Screenshots of the built site at desktop (1366 × 900) and phone (390 × 844) size, with the
system's headless Chromium (lab/browser.py): `python -m handbook_search.lab.screenshots OUT`.

Pages: the home page, 事例一覧 (the case explorer), a case and the glossary. Each shot is the
first screen as a reader sees it (PNG); pass --full for the whole page.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from handbook_search.lab.browser import chromium, serve

PAGES = {
    "home": "docs/index.html",
    "cases": "docs/cases.html",
    "case": "corpus/cases/shimane-izumo-2024.html",
    "glossary": "corpus/glossary.html",
}
SIZES = {"desktop": (1366, 900, False), "phone": (390, 844, True)}


def shrink(png: Path, colours: int = 96) -> None:
    """Rewrite a screenshot with a palette of `colours` (a page is mostly flat colour: about a
    third of the size, fit for the repository). Needs Pillow (installed with the pdf extra)."""
    from PIL import Image

    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=colours, dither=Image.Dither.NONE)
    small.save(png, optimize=True)


def shoot(site: Path, out: Path, full: bool = False, small: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with tempfile.TemporaryDirectory() as profile, serve(site) as base:
        driver = chromium(Path(profile))
        try:
            for size, (width, height, mobile) in SIZES.items():
                driver.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
                )
                for name, page in PAGES.items():
                    driver.get(base + page)
                    if full:
                        h = driver.execute_script("return document.documentElement.scrollHeight")
                        driver.execute_cdp_cmd(
                            "Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": h, "deviceScaleFactor": 1, "mobile": mobile},
                        )
                    target = out / f"{name}-{size}.png"
                    target.write_bytes(driver.get_screenshot_as_png())
                    if small:
                        shrink(target)
                    shots.append(target)
        finally:
            driver.quit()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--site", type=Path, default=Path("build/html"))
    parser.add_argument("--full", action="store_true", help="the whole page, not the first screen")
    parser.add_argument("--small", action="store_true", help="96-colour PNG (for docs/_static)")
    args = parser.parse_args()
    for path in shoot(args.site, args.out, args.full, args.small):
        print(f"{path} {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
