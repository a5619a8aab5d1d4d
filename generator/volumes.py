"""Volumes: the months that theme learning and story grouping learn from.

Both stages learn from the corpus: a theme model of the words of each theme, and the TF-IDF
weights that say which words are specific. Learned over the whole corpus, one new article would
move every article's numbers a little, and a rebuild could keep nothing of the previous one. They
learn month by month instead. A *volume* is the articles dated in one calendar month, learned
together with the month before (so the first days of a month are learned from as much as its
last), or the articles without a date, which form one volume of their own. An article added to
the newest month changes that month's results only; one added to an earlier month changes its
own month's and the next one's. Every other volume's results are taken from the previous build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.records import Article

UNDATED = "undated"
"""Name of the volume of the articles without a date."""


@dataclass(frozen=True)
class Volume:
    """The articles of one month (or the undated ones), with those it learns from."""

    name: str
    """`YYYY-MM`, or `undated`."""
    start: dt.date | None
    """First day of the month (None for the undated volume)."""
    members: tuple[int, ...]
    """Positions in the corpus of its own articles, in corpus order."""
    context: tuple[int, ...]
    """Positions of the articles it learns from, in corpus order: its own and those of the month
    before (its own only, for the undated volume)."""


def volumes(articles: tuple[Article, ...]) -> tuple[Volume, ...]:
    """The volumes of a corpus: the undated one first (when there are undated articles), then the
    months, oldest first."""
    months: dict[dt.date | None, list[int]] = {}
    for i, article in enumerate(articles):
        months.setdefault(month_of(article.date), []).append(i)
    out = []
    if None in months:
        undated = tuple(months.pop(None))
        out.append(Volume(UNDATED, None, undated, undated))
    for start in sorted(months):
        context = tuple(sorted(months.get(previous_month(start), []) + months[start]))
        out.append(Volume(f"{start:%Y-%m}", start, tuple(months[start]), context))
    return tuple(out)


def month_of(day: dt.date | None) -> dt.date | None:
    """First day of the month of `day`."""
    return day.replace(day=1) if day else None


def previous_month(start: dt.date) -> dt.date:
    return (start - dt.timedelta(days=1)).replace(day=1)


def next_month(start: dt.date) -> dt.date:
    return (start + dt.timedelta(days=32)).replace(day=1)
