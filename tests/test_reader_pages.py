"""Units of the reader's site: tags, the briefing layout, feeds; on a digest made inline."""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET
from dataclasses import replace

from generator.briefing import plan_briefing
from generator.factrecords import ArticleFacts, Entity, MarketFacts, Move, StoryFacts
from generator.feeds import render_feeds
from generator.records import (Digest, Story, StorySummary, Summaries, SummarySentence, Taxonomy, Theme,
                               ThemeAssignment)
from generator.render import PAGE_CARDS, archive, archive_lists, listing_page, pagers, render_pages
from generator.tags import Tag, clean_tag, entity_tag, story_tags
from tests.conftest import make_article
from tests.golden import ROOT

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Acme <script>alert("x")</script> & Co\x0b ]]> {{ page }}'


def _digest() -> Digest:
    articles = (
        make_article("Acme Corp shares jumped after results beat estimates.", "a.txt", date=dt.date(2025, 3, 4)),
        make_article("Acme Corp results lifted the shares of rivals too.", "b.txt"),
        make_article("The central bank held rates steady on Tuesday.", "c.txt", date=dt.date(2025, 3, 3)),
        make_article("An old note with no date at all on tariffs.", "d.txt"),
    )
    themes = (Theme("earnings", "Earnings", "Results.", ("results",)), Theme("rates", "Rates", "Rates.", ("rates",)),
              Theme("trade", "Trade", "Tariffs.", ("tariffs",)))
    stories = (
        Story("s1", HOSTILE, ("a.txt", "b.txt"), (), dt.date(2025, 3, 4), False, ("earnings",)),
        Story("s2", "Central bank holds", ("c.txt",), (), dt.date(2025, 3, 3), False, ("rates",)),
        Story("s3", "Tariff note", ("d.txt",), (), None, False, ()),
    )
    summaries = Summaries(stories={
        "s1": StorySummary(HOSTILE, (SummarySentence(HOSTILE, "a.txt"),), ("Acme Corp", "shares", "Jane Doe<script>")),
        "s2": StorySummary("Rates held.", (SummarySentence("Rates held.", "c.txt"),), ("central bank", "Tuesday")),
        "s3": StorySummary("A note.", (SummarySentence("A note.", "d.txt"),), ()),
    }, articles={a.id: () for a in articles})
    assignments = {"a.txt": ThemeAssignment(("earnings",), ()), "b.txt": ThemeAssignment(("earnings",), ()),
                   "c.txt": ThemeAssignment(("rates",), ()), "d.txt": ThemeAssignment((), ())}
    market = MarketFacts(
        entities={"acme": Entity("acme", "Acme Corp", "company"), "jane": Entity("jane", HOSTILE, "person"),
                  "newco": Entity("newco", "Newco", "company", known=False)},
        articles={a.id: ArticleFacts((), (), ()) for a in articles},
        stories={"s1": StoryFacts((), (), (), ("acme", "jane", "newco")), "s2": StoryFacts((), (), (), ()),
                 "s3": StoryFacts((), (), (), ())})
    return Digest(articles, {a.id: () for a in articles}, Taxonomy(themes, 3.0, 0.3, "inline"), assignments,
                  stories, summaries, (), market=market)


def test_tags_are_themes_then_registry_names_made_safe_to_print():
    digest = _digest()
    assert story_tags(digest, digest.stories[0]) == (
        Tag("Earnings", theme="earnings"), Tag("Acme Corp", entity="acme"),
        Tag("Acme script alert x script Co page", entity="jane"))  # Newco is not in the registry
    assert story_tags(digest, digest.stories[1]) == (Tag("Rates", theme="rates"),)
    assert story_tags(digest, digest.stories[2]) == ()
    assert entity_tag(digest.market.entities["newco"]) == ""
    assert clean_tag(HOSTILE) == "Acme script alert x script Co page"
    assert len(clean_tag("Very " * 30)) <= 40


def test_an_article_page_leaves_its_summary_out_of_search_when_its_story_page_shows_it():
    pages = render_pages(_digest(), ROOT / "templates")
    summary_heading = {}
    for path, text in pages.items():
        if path.startswith("digest/articles/") and path.count("/") == 2 and path != "digest/articles/index.md":
            heading = next(line for line in text.splitlines() if line.startswith("## Summary"))
            summary_heading[next(a for a in ("a.txt", "b.txt", "c.txt", "d.txt") if f"| File | {a} |" in text)] = heading
    # a story of one article shows that article's summary on its page; a story of several, its own
    assert summary_heading == {"a.txt": "## Summary", "b.txt": "## Summary",
                               "c.txt": "## Summary { data-search-exclude }", "d.txt": "## Summary { data-search-exclude }"}


def test_briefing_leads_with_the_latest_day_and_keeps_undated_articles():
    briefing = plan_briefing(_digest())
    assert briefing.latest.date == dt.date(2025, 3, 4)
    assert [s.id for s in briefing.top_stories] == ["s1"]
    assert [d.slug for d in briefing.earlier] == ["2025-03-03", "undated"]
    undated = briefing.earlier[-1]
    assert [s.id for s in undated.stories] == ["s3"]
    assert [a.id for a in undated.articles] == ["b.txt", "d.txt"]


def test_theme_briefs_summarise_their_stories_newest_first():
    briefs = {b.theme.id: b for b in plan_briefing(_digest()).themes}
    assert [s.id for s in briefs["earnings"].stories] == ["s1"]
    assert briefs["earnings"].article_count == 2
    assert briefs["earnings"].span == (dt.date(2025, 3, 4), dt.date(2025, 3, 4))
    assert briefs["earnings"].names == ("Acme Corp", "Jane Doe<script>")
    assert briefs["earnings"].overview[0][1] == HOSTILE
    assert briefs["trade"].stories == () and briefs["trade"].span is None


def test_feeds_are_well_formed_and_escape_article_text():
    feeds = render_feeds(_digest())
    assert sorted(feeds) == ["digest/feeds/earnings.xml", "digest/feeds/index.xml", "digest/feeds/rates.xml",
                             "digest/feeds/trade.xml"]
    root = ET.fromstring(feeds["digest/feeds/index.xml"].encode("utf-8"))
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}updated").text for e in entries] == [
        "2025-03-04T00:00:00Z", "2025-03-03T00:00:00Z", "2025-03-04T00:00:00Z"]
    first = entries[0]
    title = first.find(f"{ATOM}title")  # HTML-typed and escaped, so no feed reader can take it for markup
    assert title.get("type") == "html" and html.unescape(title.text) == HOSTILE.replace("\x0b", "")
    assert "<script>" not in title.text
    assert "<script>" not in first.find(f"{ATOM}content").text  # HTML content carries the text escaped
    assert "&lt;script&gt;" in first.find(f"{ATOM}content").text
    assert first.find(f"{ATOM}link").get("href") == "../stories/s1/"
    assert len({e.find(f"{ATOM}id").text for e in entries}) == 3
    trade = ET.fromstring(feeds["digest/feeds/trade.xml"].encode("utf-8"))
    assert trade.findall(f"{ATOM}entry") == [] and trade.find(f"{ATOM}title").text.endswith("Trade")


def test_feeds_are_byte_identical_across_runs():
    assert render_feeds(_digest()) == render_feeds(_digest())


def test_later_pages_of_a_listing_sit_beside_or_under_the_first():
    assert listing_page("digest/articles/index.md", 1) == "digest/articles/index.md"
    assert listing_page("digest/articles/index.md", 3) == "digest/articles/page-3.md"
    assert listing_page("digest/themes/rates.md", 2) == "digest/themes/rates/page-2.md"
    pages = pagers("digest/days/index.md", 3)
    assert [p for p, _ in pages] == ["digest/days/index.md", "digest/days/page-2.md", "digest/days/page-3.md"]
    assert [(g.number, g.count, g.newer, g.older) for _, g in pages] == [
        (1, 3, None, "digest/days/page-2.md"),
        (2, 3, "digest/days/index.md", "digest/days/page-3.md"),
        (3, 3, "digest/days/page-2.md", None)]
    assert [p for p, _ in pagers("digest/days/index.md", 0)] == ["digest/days/index.md"]


def _long_digest(count: int) -> Digest:
    """One theme, `count` one-article stories on consecutive days."""
    articles = tuple(make_article(f"Rates note number {i} on the central bank.", f"n{i:03}.txt",
                                  date=dt.date(2025, 1, 1) + dt.timedelta(days=i)) for i in range(count))
    stories = tuple(Story(f"s{i:03}", f"Rates note {i}", (a.id,), (), a.date, False, ("rates",))
                    for i, a in reversed(list(enumerate(articles))))
    summaries = Summaries(stories={s.id: StorySummary("Rates.", (SummarySentence("Rates.", s.articles[0]),), ())
                                   for s in stories}, articles={a.id: () for a in articles})
    themes = (Theme("rates", "Rates", "Rates.", ("rates",)),)
    return Digest(articles, {a.id: () for a in articles}, Taxonomy(themes, 3.0, 0.3, "inline"),
                  {a.id: ThemeAssignment(("rates",), ()) for a in articles}, stories, summaries, ())


def test_long_listings_run_over_linked_pages_and_every_story_is_on_one(tmp_path):
    count = 2 * PAGE_CARDS + 5  # three blocks, the newest one too small to stand alone
    digest = _long_digest(count)
    pages = render_pages(digest, ROOT / "templates")
    theme = [pages["digest/themes/rates.md"], pages["digest/themes/rates/page-1.md"]]
    assert not [p for p in pages if p.startswith("digest/themes/rates/") and p != "digest/themes/rates/page-1.md"]
    assert "Latest" in theme[0] and "[Older →](rates/page-1.md)" in theme[0] and "Newer" not in theme[0]
    assert "[← Newer](../rates.md)" in theme[1] and "Older" not in theme[1] and "# Rates (page 1)" in theme[1]
    assert "tags: [\"Rates\"]" in theme[0] and "tags:" not in theme[1] and "exclude: true" in theme[1]
    assert "## Overview" in theme[0] and "Overview" not in theme[1]
    for story in digest.stories:  # newest first, each on exactly one page
        assert sum("../stories/s" in p and f"stories/{story.id}.md" in p for p in theme) == 1, story.id
    assert theme[0].index("stories/s064.md") < theme[0].index("stories/s035.md")
    assert "stories/s029.md" in theme[1] and "stories/s030.md" in theme[0]


def test_older_pages_of_an_archive_keep_their_items_as_new_ones_arrive():
    size = 10
    for total in range(0, 60):
        now, then = archive("digest/stories/index.md", total, size), archive("digest/stories/index.md", total + 1, size)
        assert now[0][0] == "digest/stories/index.md" and now[0][1].first
        # each item on exactly one page, counted from the oldest (item 0)
        held = sorted(i for _, _, start, end in now for i in range(total - end, total - start))
        assert held == list(range(total))
        assert min(total, size // 2) <= now[0][3] - now[0][2] < size + size // 2
        older_now = {path: (total - end, total - start) for path, _, start, end in now[1:]}
        older_then = {path: (total + 1 - end, total + 1 - start) for path, _, start, end in then[1:]}
        # a page that exists before and after one more item holds the same oldest-counted items
        assert all(older_then[p] == span for p, span in older_now.items() if p in older_then)
        assert set(older_now) <= set(older_then)
        for (path, pager, _, _), following in zip(now, now[1:] + [None]):
            assert pager.older == (following[0] if following else None)
            assert following is None or following[1].newer == path

    short = render_pages(_digest(), ROOT / "templates")
    assert "Latest" not in short["digest/themes/rates.md"] and "digest/themes/rates/page-1.md" not in short


def test_an_archive_of_several_lists_keeps_each_lists_older_blocks_as_one_of_them_grows():
    first, size = "digest/names/acme.md", 4
    for totals in [(0, 0, 0), (1, 9, 0), (3, 17, 5), (12, 2, 30), (8, 8, 8)]:
        sizes = dict(zip("abc", ((total, size) for total in totals)))
        now = archive_lists(first, sizes)
        assert now[0][0] == first and now[0][1].first and not any(pager.first for _, pager, _ in now[1:])
        for (path, pager, _), following in zip(now, now[1:] + [None]):  # one chain of pages, oldest last
            assert pager.older == (following[0] if following else None)
            assert following is None or following[1].newer == path
        for name, total in zip("abc", totals):  # each item of each list on exactly one page
            held = sorted(i for _, _, spans in now for i in range(total - spans[name][1], total - spans[name][0])
                          if spans[name] != (0, 0))
            assert held == list(range(total)), (totals, name)
        for grown in "abc":
            then = archive_lists(first, {**sizes, grown: (sizes[grown][0] + 1, size)})
            spans_then = {path: spans for path, _, spans in then[1:]}
            gained = set()
            for path, _, spans in now[1:]:  # an older page keeps the oldest-counted items of every list it held
                assert path in spans_then
                for name in "abc":
                    total = sizes[name][0] + (name == grown)
                    before = (sizes[name][0] - spans[name][1], sizes[name][0] - spans[name][0])
                    after = (total - spans_then[path][name][1], total - spans_then[path][name][0])
                    if spans[name] == (0, 0):
                        gained |= {path} if spans_then[path][name] != (0, 0) else set()
                    else:
                        assert before == after, (totals, grown, path)
            assert len(gained) + len(set(spans_then) - {p for p, _, _ in now}) <= 1  # one older page, once in a while
    assert [(p, vars(g), {"a": (start, end)}) for p, g, start, end in archive("x/index.md", 23, 5)] == \
        [(p, vars(g), s) for p, g, s in archive_lists("x/index.md", {"a": (23, 5)})]  # one list: as `archive` cuts it


def test_a_new_mention_of_a_long_name_changes_the_first_page_of_its_page_only(monkeypatch):
    import generator.render as render

    monkeypatch.setattr(render, "PAGE_ROWS", 3)
    digest = _digest()

    def move(n: int, day: int) -> Move:
        return Move("move", "acme", "up", float(n), None, "%", None, "day", None, None, f"m{day}.txt",
                    dt.date(2025, 2, day), f"Acme rose {n}%.")

    def with_moves(days: list[int]) -> Digest:
        extra = tuple(make_article(f"Acme Corp rose on day {d} of the month.", f"m{d}.txt", date=dt.date(2025, 2, d))
                      for d in days)
        market = replace(digest.market, articles={**digest.market.articles,
                                                  **{a.id: ArticleFacts((move(d, d),), (), ("acme",)) for a, d in zip(extra, days)}},
                         stories={**digest.market.stories, "s4": StoryFacts((), (), (), ("acme",))})
        return replace(digest, articles=digest.articles + extra, market=market,
                       keywords={**digest.keywords, **{a.id: () for a in extra}},
                       themes={**digest.themes, **{a.id: ThemeAssignment((), ()) for a in extra}},
                       summaries=Summaries({**digest.summaries.stories, "s4": StorySummary("Acme moves.", (), ())},
                                           {**digest.summaries.articles, **{a.id: () for a in extra}}),
                       stories=digest.stories + (Story("s4", "Acme moves", tuple(a.id for a in extra), (), None, False, ()),))

    def name_pages(pages: dict) -> dict:
        return {p: t for p, t in pages.items() if p == "digest/names/acme.md" or p.startswith("digest/names/acme/")}

    before = name_pages(render_pages(with_moves(list(range(1, 11))), ROOT / "templates"))
    after = name_pages(render_pages(with_moves(list(range(1, 12))), ROOT / "templates"))
    assert len(before) == 4 and set(before) == set(after)
    changed = {p for p in before if before[p] != after[p]}
    assert changed == {"digest/names/acme.md"}
    first = after["digest/names/acme.md"]
    assert first.index("day-11-") < first.index("day-10-") and "day-1-" not in first  # newest first
    assert "| Mentions | 2 stories, 11 moves, 0 quotes |" in first
    assert all("Mentions" not in text for p, text in after.items() if p != "digest/names/acme.md")
