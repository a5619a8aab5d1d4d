"""Units of the reader's site: tags, the briefing layout, feeds; on a digest made inline."""

from __future__ import annotations

import datetime as dt
import html
import xml.etree.ElementTree as ET

from generator.briefing import plan_briefing
from generator.feeds import render_feeds
from generator.records import (Digest, Story, StorySummary, Summaries, SummarySentence, Taxonomy, Theme,
                               ThemeAssignment)
from generator.tags import clean_tag, story_tags
from tests.conftest import make_article

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
    })
    assignments = {"a.txt": ThemeAssignment(("earnings",), ()), "b.txt": ThemeAssignment(("earnings",), ()),
                   "c.txt": ThemeAssignment(("rates",), ()), "d.txt": ThemeAssignment((), ())}
    return Digest(articles, {a.id: () for a in articles}, Taxonomy(themes, 3.0, 0.3, "inline"), assignments,
                  stories, summaries, ())


def test_tags_are_themes_then_names_made_safe_to_print():
    digest = _digest()
    assert story_tags(digest, digest.stories[0]) == ("Earnings", "Acme Corp", "Jane Doe script")
    assert story_tags(digest, digest.stories[1]) == ("Rates", "Tuesday")
    assert clean_tag(HOSTILE) == "Acme script alert x script Co page"
    assert len(clean_tag("Very " * 30)) <= 40


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
