"""The built site in a real browser: Debian's Chromium, headless, driven by Playwright, on localhost.

Screenshots of the home page (light, dark, phone) and of a story page go to tests/output/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.site_project import CHROMIUM, FLAGS, build_site, make_project, serve

OUTPUT = Path(__file__).resolve().parent / "output"
ORIGINAL = "original/article.html"
"""Where the test serves the stand-in for an article's original page, on the same localhost server."""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    server, base = serve(root / "site")
    try:
        make_project(root, original_url=base + ORIGINAL)
        result = build_site(root)
        assert result.returncode == 0, result.stderr
        (root / "site" / "original").mkdir()
        (root / "site" / ORIGINAL).write_text("<!doctype html><title>Original</title><h1>Original article</h1>",
                                              encoding="utf-8")
        yield base
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser, site):
    """A fresh page, and the list of every URL any page of its context requested."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page, requested
    context.close()
    outside = [u for u in requested if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"]
    assert requested and not outside, f"requests to outside hosts: {outside}"


def test_search_reaches_the_story_and_its_source_link_opens_the_original(visit, site):
    page, requested = visit
    OUTPUT.mkdir(exist_ok=True)
    page.goto(site)
    assert page.locator(".grid.cards li").count() >= 1
    page.screenshot(path=str(OUTPUT / "home.png"), full_page=True)

    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("Cambricon", delay=30)
    hits = page.locator(".md-search-result__item a")
    hits.first.wait_for()
    assert "cambricon" in page.locator(".md-search-result").inner_text().lower()
    story_hits = page.locator(".md-search-result__item a[href*='/digest/stories/']")
    (story_hits.first if story_hits.count() else hits.first).click()
    if "/digest/stories/" not in page.url:  # an article or name page: its story is one click away
        page.wait_for_load_state()
        page.locator("article a[href*='stories/']").first.click()
    page.wait_for_url("**/digest/stories/**")
    story = page.locator("article")
    assert story.locator("h1").inner_text()
    assert story.locator("a.md-tag[href*='themes/']").count() >= 1  # its themes and names as chips
    page.screenshot(path=str(OUTPUT / "story.png"), full_page=True)

    if page.locator(f"a.digest-source[href*='{ORIGINAL}']").count() == 0:  # the seeded original is on another story
        page.goto(site + "digest/stories/")
        stories = [urljoin(page.url, a.get_attribute("href")) for a in page.locator("article li a").all()]
        for url in stories:
            page.goto(url)
            if page.locator(f"a.digest-source[href*='{ORIGINAL}']").count():
                break
    source = page.locator(f"a.digest-source[href*='{ORIGINAL}']").first
    assert source.get_attribute("target") == "_blank" and "noopener" in source.get_attribute("rel")
    page.goto(source.get_attribute("href"))
    assert page.locator("h1").inner_text() == "Original article"


def test_theme_and_day_pages_open_from_the_home_page(visit, site):
    page, _ = visit
    page.goto(site)
    page.locator(".digest-themes a[href*='themes/']").first.click()
    page.wait_for_url("**/digest/themes/**")
    assert page.locator("article h2", has_text="Overview").count() == 1
    tag = page.locator("article .md-tag").first  # the theme page carries its theme as a Material tag
    assert tag.inner_text() == page.locator("article h1").inner_text()
    assert page.locator(".grid.cards li").count() >= 1
    feeds = page.locator("head link[rel~=alternate][type='application/atom+xml']")
    assert feeds.count() == 2  # the whole digest's and the theme's own
    theme_feed = page.evaluate("document.querySelectorAll('head link[type=\"application/atom+xml\"]')[1].href")
    response = page.request.get(theme_feed)
    assert response.ok and b"<feed" in response.body()

    page.goto(site)
    page.locator("article a[href*='days/']").first.click()
    page.wait_for_url("**/digest/days/**")
    assert page.locator("article h1").inner_text()
    assert page.locator("article .grid.cards li, article table").count() >= 1


def test_dark_mode_toggle_and_phone_layout(visit, site, browser):
    page, _ = visit
    OUTPUT.mkdir(exist_ok=True)
    page.goto(site)
    assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.screenshot(path=str(OUTPUT / "home-dark.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the home page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(OUTPUT / "home-phone.png"), full_page=True)
