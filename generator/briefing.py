"""Briefing: how the digest is laid out for readers (home, days, themes), computed once.

The templates only loop over what this module returns: the latest day's top stories, the
earlier days, one section per theme with a short overview across its stories, and the tags of
every story.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter

from generator.records import Article, Digest, Story, Theme
from generator.tags import Tag, story_names, story_tags

TOP_STORIES = 6
"""Most stories shown as cards for the latest day."""
THEME_STORIES = 3
"""Most stories shown per theme section on the home page."""
OVERVIEW_STORIES = 3
"""Stories whose deks make up a theme's overview."""


@dataclass(frozen=True)
class Day:
    """One day of the archive."""

    date: dt.date | None
    """The day, or None for stories without a date."""
    slug: str
    """Page name: the ISO date, or `undated`."""
    stories: tuple[Story, ...]
    """Stories of the day, most sources first."""
    articles: tuple[Article, ...]
    """Articles published that day (for the undated day: articles without a date)."""


@dataclass(frozen=True)
class ThemeBrief:
    """A theme with its stories and a short overview across them."""

    theme: Theme
    """The theme."""
    stories: tuple[Story, ...]
    """Its stories, newest first."""
    article_count: int
    """Number of articles carrying the theme."""
    span: tuple[dt.date, dt.date] | None
    """First and last dated day of its stories, when any is dated."""
    names: tuple[str, ...]
    """Names that come up across its stories, most frequent first."""
    overview: tuple[tuple[Story, str], ...]
    """Deks of its leading stories, each with the story it comes from."""


@dataclass(frozen=True)
class Briefing:
    """The reader's view of a digest."""

    latest: Day | None
    """The newest day with stories (the undated one when no story is dated), or None."""
    earlier: tuple[Day, ...]
    """Every other day, newest first, the undated day last."""
    themes: tuple[ThemeBrief, ...]
    """Every theme of the taxonomy, in its order."""
    tags: dict[str, tuple[Tag, ...]]
    """Story id to its tags (themes, then registry names)."""
    names: dict[str, tuple[str, ...]]
    """Story id to the names in it (`tags.story_names`), which theme briefs count."""

    @property
    def days(self) -> tuple[Day, ...]:
        """All days, newest first, the undated day last."""
        return ((self.latest,) if self.latest else ()) + self.earlier

    @property
    def top_stories(self) -> tuple[Story, ...]:
        """The latest day's leading stories."""
        return self.latest.stories[:TOP_STORIES] if self.latest else ()


def plan_briefing(digest: Digest, kept: dict[str, tuple[tuple[Tag, ...], tuple[str, ...]]] | None = None) -> Briefing:
    """Lay the digest out for readers. `kept`: the tags and names of stories, by id, as an earlier
    briefing found them (`Briefing.tags`, `Briefing.names`), where they stand."""
    days = _days(digest)
    stories: dict[str, list[Story]] = {theme.id: [] for theme in digest.taxonomy.themes}
    tags, names = {}, {}
    kept = kept or {}
    for story in digest.stories:  # each theme's stories in digest order, in one pass over them
        for theme_id in dict.fromkeys(story.themes):
            stories.setdefault(theme_id, []).append(story)
        found = kept.get(story.id)
        if found is None:
            tags[story.id], names[story.id] = story_tags(digest, story), story_names(digest, story)
        else:
            tags[story.id], names[story.id] = found
    articles = Counter(chain.from_iterable(map(dict.fromkeys, map(_THEMES, digest.themes.values()))))
    themes = tuple(_theme_brief(digest, theme, stories[theme.id], articles[theme.id], names)
                   for theme in digest.taxonomy.themes)
    latest = next((day for day in days if day.stories), None)
    return Briefing(latest, tuple(day for day in days if day is not latest), themes, tags, names)


_THEMES = attrgetter("themes")


def _days(digest: Digest) -> list[Day]:
    stories: dict[dt.date | None, list[Story]] = {}
    for story in digest.stories:
        stories.setdefault(story.date, []).append(story)
    articles: dict[dt.date | None, list[Article]] = {}
    for article in digest.articles:
        articles.setdefault(article.date, []).append(article)
    dates = sorted({d for d in (*stories, *articles) if d is not None}, reverse=True)
    if None in stories or None in articles:
        dates.append(None)
    return [
        Day(d, d.isoformat() if d else "undated",
            tuple(sorted(stories.get(d, []), key=lambda s: -len(s.articles))),
            tuple(sorted(articles.get(d, []), key=lambda a: (a.title.lower(), a.id))))
        for d in dates
    ]


def _theme_brief(digest: Digest, theme: Theme, stories: list[Story], articles: int,
                 names: dict[str, tuple[str, ...]]) -> ThemeBrief:
    """A theme's brief, from its stories (in digest order), its number of articles and the names
    in each story."""
    stories = tuple(sorted(stories, key=lambda s: -(s.date or dt.date.min).toordinal()))
    dates = [s.date for s in stories if s.date]
    span = (min(dates), max(dates)) if dates else None
    counts = Counter(n for s in stories for n in dict.fromkeys(names[s.id]))
    common = tuple(n for n, c in counts.most_common() if c > 1 or len(stories) == 1)[:5]
    leading = sorted(stories, key=lambda s: (-len(s.articles), -(s.date or dt.date.min).toordinal()))
    overview = tuple((s, digest.summaries.stories[s.id].dek) for s in leading[:OVERVIEW_STORIES])
    return ThemeBrief(theme, stories, articles, span, common, overview)
