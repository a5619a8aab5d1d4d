"""The whole site built from seeds/: MkDocs (strict) and Zensical from the same mkdocs.yml, feeds, search."""

from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.site_project import build_site, make_project

ATOM = "{http://www.w3.org/2005/Atom}"
_LOADED = re.compile(r"<(?:script|img|iframe|source)\b[^>]*\bsrc=\"(https?:)?//|<link\b[^>]*\bhref=\"(https?:)?//", re.I)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def mkdocs_site(project):
    result = build_site(project)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return project / "site"


def test_zensical_builds_a_working_site_from_the_same_config(tmp_path):
    project = make_project(tmp_path)
    result = build_site(project, tool="zensical")
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="grid cards digest-cards"' in home
    assert 'type="application/atom+xml"' in home  # the overrides folder is used
    stories = sorted((site / "digest" / "stories").glob("*/index.html"))
    assert len(stories) == len(json.loads((project / "docs" / "digest.json").read_text())["stories"])
    assert any("md-tag" in s.read_text(encoding="utf-8") for s in stories)
    assert (site / "digest" / "feeds" / "index.xml").is_file()
    assert list(site.glob("search*.json")) or (site / "search" / "search_index.json").is_file()
    # its search honours the pages' exclusions as Material's does: article pages by title, no day pages
    entries = json.loads((site / "search.json").read_text(encoding="utf-8"))["items"]
    tops = [e for e in entries if e["location"].startswith("digest/articles/") and e["location"] != "digest/articles/"
            and "#" not in e["location"]]
    assert tops and all(e["text"] == "" for e in tops)
    assert not [e for e in entries if e["location"].startswith("digest/days/") and e["location"] != "digest/days/"]


def test_no_page_loads_anything_from_another_host(mkdocs_site):
    pages = list(mkdocs_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        match = _LOADED.search(page.read_text(encoding="utf-8"))
        assert match is None, f"{page}: {match.group(0)}"


def test_story_pages_are_boosted_above_article_pages_and_carry_their_names(project, mkdocs_site):
    index = json.loads((mkdocs_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    boosts = {d["location"].split("#")[0]: d.get("boost", 1) for d in index["docs"] if "boost" in d}
    stories = [b for loc, b in boosts.items() if loc.startswith("digest/stories/")]
    articles = [b for loc, b in boosts.items() if loc.startswith("digest/articles/")]
    assert stories and articles and min(stories) > max(articles)
    digest = json.loads((project / "docs" / "digest.json").read_text(encoding="utf-8"))
    texts = {d["location"]: d["text"] for d in index["docs"] if d["location"].startswith("digest/stories/")}
    for story in digest["stories"]:
        page = " ".join(t for loc, t in texts.items() if loc.startswith(f"digest/stories/{story['id']}/"))
        for keyword in story["keywords"][:5]:
            assert keyword in page, (story["id"], keyword)


def test_every_day_has_a_page_and_undated_articles_are_listed(project, mkdocs_site):
    digest = json.loads((project / "docs" / "digest.json").read_text(encoding="utf-8"))
    days = {a["date"] or "undated" for a in digest["articles"]} | {s["date"] or "undated" for s in digest["stories"]}
    for day in days:
        assert (mkdocs_site / "digest" / "days" / day / "index.html").is_file(), day
    undated = [a for a in digest["articles"] if not a["date"]]
    if undated:
        page = (project / "docs" / "digest" / "days" / "undated.md").read_text(encoding="utf-8")
        assert page.count("../articles/") >= len(undated)


def test_feeds_are_valid_atom_and_linked_from_every_page(project, mkdocs_site):
    digest = json.loads((project / "docs" / "digest.json").read_text(encoding="utf-8"))
    feeds = mkdocs_site / "digest" / "feeds"
    whole = ET.parse(feeds / "index.xml").getroot()
    assert whole.tag == f"{ATOM}feed"
    assert len(whole.findall(f"{ATOM}entry")) == min(len(digest["stories"]), 50)
    for theme in digest["themes"]:
        root = ET.parse(feeds / f"{theme['id']}.xml").getroot()
        assert len(root.findall(f"{ATOM}entry")) == min(len(theme["stories"]), 50)
        theme_page = (mkdocs_site / "digest" / "themes" / theme["id"] / "index.html").read_text(encoding="utf-8")
        assert f'href="../../feeds/{theme["id"]}.xml"' in theme_page
    for entry in whole.findall(f"{ATOM}entry"):
        href = entry.find(f"{ATOM}link").get("href")
        assert (feeds / href / "index.html").resolve().is_file(), href
    for page in mkdocs_site.rglob("*.html"):
        if page.name != "404.html":
            assert 'type="application/atom+xml"' in page.read_text(encoding="utf-8"), page


def test_the_tags_page_lists_each_theme_and_registry_name_once(project, mkdocs_site):
    digest = json.loads((project / "docs" / "digest.json").read_text(encoding="utf-8"))
    page = (mkdocs_site / "digest" / "tags" / "index.html").read_text(encoding="utf-8")
    tags = page[page.index('class="md-content__inner'):page.index("</article>")]
    for theme in digest["themes"]:
        assert tags.count(f'href="../themes/{theme["id"]}/"') == 1, theme["id"]
    names = re.findall(r'href="\.\./names/([a-z0-9-]+)/"', tags)
    assert names and len(names) == len(set(names))
    assert not re.search(r'href="\.\./(stories|articles)/', tags)  # one page per tag, not one per story
    for name in names:  # each tagged name page shows its tag
        assert 'class="md-tag' in (mkdocs_site / "digest" / "names" / name / "index.html").read_text(encoding="utf-8")


def test_an_article_page_is_indexed_by_its_title_and_what_its_story_page_lacks(project, mkdocs_site):
    index = json.loads((mkdocs_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    digest = json.loads((project / "docs" / "digest.json").read_text(encoding="utf-8"))
    pages = [p for p in (mkdocs_site / "digest" / "articles").iterdir() if p.is_dir() and not p.name.startswith("page-")]
    entries = [d for d in index["docs"] if d["location"].startswith("digest/articles/")
               and d["location"] != "digest/articles/" and "/page-" not in d["location"]]
    tops = [d for d in entries if "#" not in d["location"]]
    # one entry per article page with its title, and nothing of its table
    assert sorted(d["location"] for d in tops) == sorted(f"digest/articles/{p.name}/" for p in pages)
    assert all(d["text"] == "" for d in tops)
    assert {html.unescape(d["title"]) for d in tops} == {a["title"] for a in digest["articles"]}
    # of its sections, only its summary, and only when its story has other articles (the story page's
    # summary is then the story's own); never its keywords or full text
    assert {d["location"].split("#")[1] for d in entries if "#" in d["location"]} <= {"summary"}
    sizes = {s["id"]: len(s["articles"]) for s in digest["stories"]}
    by_title = {a["title"]: a for a in digest["articles"]}
    summarised = {d["location"].split("#")[0] for d in entries if d["location"].endswith("#summary")}
    for top in tops:
        article = by_title[html.unescape(top["title"])]
        assert (top["location"] in summarised) == (sizes[article["story"]] > 1), article["id"]
    assert summarised  # the seeds' stories have several articles each
    # a search for the title also finds its story's page, which lists it among its sources
    stories = {}
    for d in index["docs"]:
        if d["location"].startswith("digest/stories/"):
            stories.setdefault(d["location"].split("#")[0], []).append(html.unescape(d["text"]))
    for article in digest["articles"]:
        story_page = f"digest/stories/{article['story']}/"
        assert any(article["title"] in text for text in stories[story_page]), article["id"]


def test_day_pages_are_left_out_of_search_and_the_days_index_is_in(mkdocs_site):
    index = json.loads((mkdocs_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert "digest/days/" in locations
    assert [p.name for p in (mkdocs_site / "digest" / "days").iterdir() if p.is_dir()]
    assert not [loc for loc in locations if loc.startswith("digest/days/") and loc != "digest/days/"]


NEW_ARTICLE = """---
title: Copper miners rally as a strike shuts a Chilean mine
source: Test Wire
date: 2025-01-02
---

Copper miners rallied on Thursday after a strike shut the largest mine in Chile, lifting the
price of the metal 3.1% to a six-month high as traders bet on tight supplies for weeks.
"""


def _index_entries(site: Path) -> list[str]:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return sorted(json.dumps(entry, sort_keys=True) for entry in index["docs"])


def test_a_dirty_rebuild_for_make_serve_keeps_the_search_index_whole(tmp_path):
    from generator.build import build
    from generator.settings import build_settings

    project = make_project(tmp_path / "p")
    assert build_site(project, "mkdocs", "-d", "served", config="serve.yml").returncode == 0
    shutil.copytree(project / "served", project / "served-plain")
    (project / "seeds" / "copper-strike.md").write_text(NEW_ARTICLE, encoding="utf-8")
    build(build_settings(seeds=project / "seeds", docs=project / "docs", templates=project / "templates"))
    unchanged = project / "served" / "about" / "index.html"
    before = unchanged.stat().st_mtime_ns
    for site, config in (("served", "serve.yml"), ("served-plain", "mkdocs.yml")):
        result = build_site(project, "mkdocs", "--dirty", "-d", site, config=config)
        assert result.returncode == 0, result.stderr
    assert build_site(project, "mkdocs", "-d", "full").returncode == 0
    assert unchanged.stat().st_mtime_ns == before  # the dirty build left unchanged pages alone
    full = _index_entries(project / "full")
    assert any('"digest/articles/copper-miners-rally' in entry for entry in full)
    assert _index_entries(project / "served") == full
    assert _index_entries(project / "served-plain") != full  # what the hook is for
