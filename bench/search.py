"""What a reader waits for in search: the built site opened in headless Chromium, a query typed.

Material's search downloads `search_index.json` and builds its index in the browser each time the
site is opened, so the index's size is paid by every reader, on every visit. The figure taken here
is the time from opening the home page to the first result of a query typed at once (the index
downloaded and built, then searched), and the time a second query takes once the index is built.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from tests.site_project import CHROMIUM, FLAGS, serve


@dataclass(frozen=True)
class SearchTimes:
    query: str
    first: float
    """Seconds from opening the home page to the first result of the query."""
    again: float
    """Seconds a second query took once the index was built."""


def query_for(digest: Path) -> str:
    """A word readers would search for in this corpus: the longest word of the first story's headline."""
    stories = json.loads(digest.read_text(encoding="utf-8"))["stories"]
    words = re.findall(r"[A-Za-z]{4,}", stories[0]["title"]) if stories else []
    return max(words, key=len) if words else "market"


def measure_search(site: Path, query: str, runs: int = 2, timeout: float = 300.0) -> SearchTimes | None:
    """The medians of `runs` visits (each in a fresh browser context, so nothing is cached between
    them), or None when Chromium or Playwright is not installed (`make test` installs Chromium), or
    when no result came within `timeout` seconds (the figure is then missing, not the benchmark)."""
    if not CHROMIUM.exists():
        return None
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return None

    server, base = serve(site)
    firsts, agains = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
            try:
                for _ in range(runs):
                    context = browser.new_context()
                    page = context.new_page()
                    page.set_default_timeout(timeout * 1000)
                    box = page.locator("input.md-search__input")
                    started = time.perf_counter()
                    page.goto(base)
                    page.locator("label.md-search__icon, .md-search__input").first.click()
                    box.press_sequentially(query, delay=20)
                    page.locator(".md-search-result__item a").first.wait_for()
                    firsts.append(time.perf_counter() - started)
                    box.fill("")
                    page.locator(".md-search-result__item").first.wait_for(state="detached")
                    started = time.perf_counter()
                    box.press_sequentially(query[:-1], delay=20)
                    page.locator(".md-search-result__item a").first.wait_for()
                    agains.append(time.perf_counter() - started)
                    context.close()
            finally:
                browser.close()
    except Error as exc:
        print(f"search in {site} not timed: {str(exc).splitlines()[0]}", flush=True)
        return None
    finally:
        server.shutdown()
        server.server_close()
    return SearchTimes(query, statistics.median(firsts), statistics.median(agains))
