"""Screenshots of the Fava pages for the README: `just screenshots`.

Starts `yosan fava` on the FY2016 ledger and photographs each page in Debian's
headless Chromium.  Japanese text needs a CJK font (apt-get install fonts-noto-cjk).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.fava_support import fava_server  # noqa: E402
from tests.test_fava_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SHOTS = {  # file under docs/ → (page of the ledger, query)
    "fava-bs.png": ("extension/YosanStatements/", "statement=bs"),
    "fava-pl-by-segment.png": ("extension/YosanStatements/", "statement=pl&by_segment=1"),
    "fava-cf-jpki.png": ("extension/YosanStatements/", "statement=cf&filter=%23jpki"),
    "fava-line.png": (
        "extension/YosanStatements/line",
        "ref=cf:資金支出/事業費&filter=%23general",
    ),
    "fava-checks.png": ("extension/YosanVerification/", ""),
}


def main() -> None:
    with (
        fava_server(ROOT / "ledger" / "main.beancount") as fava,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, (where, query) in SHOTS.items():
            page.goto(fava.url(where, query))
            page.wait_for_selector("article .yosan")
            path = ROOT / "docs" / name
            page.screenshot(path=str(path), full_page=name != "fava-checks.png")
            print(path.relative_to(ROOT))
        browser.close()


if __name__ == "__main__":
    main()
