"""Features: what the corpus-level stages need to know of each article, worked out once per article.

Theme learning and story grouping compare every article with others, but what they read of one
article (its content words, what it says about the day of its event) depends on that article
alone. It is worked out here, in the runner, so a rebuild reuses it for every unchanged article.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain, count

import numpy as np

from generator import text as textlib
from generator.records import Article
from generator.runner import Runner

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_MONTH_DAY = re.compile(rf"\b{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b", re.I)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? {_MONTH}(?:,? (\d{{4}}))?\b", re.I)
_WEEKDAY_WORDS = tuple(re.compile(rf"\b{d}\b", re.I) for d in _WEEKDAYS)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


@dataclass(frozen=True)
class EventDay:
    """What an article tells about the day of the event it reports."""

    date: dt.date | None
    """Stated publication date."""
    not_before: dt.date | None
    """Latest date the text mentions: the event is on or after it."""
    weekday: int | None
    """Weekday named in the lead (0 is Monday)."""


def event_day(article: Article) -> EventDay:
    """Stated date, latest mentioned date and lead weekday of an article."""
    text = f"{article.title}\n{article.text}"
    years = Counter(_YEAR.findall(text))
    default_year = int(years.most_common(1)[0][0]) if years else (article.date.year if article.date else None)
    mentioned = _mentioned_dates(text, default_year)
    lead = " ".join(s.text for s in article.sentences[:2])
    named = [d for d, pattern in zip(_WEEKDAYS, _WEEKDAY_WORDS) if pattern.search(lead)]
    weekday = _WEEKDAYS.index(named[0]) if named else None
    if article.date and weekday is not None and weekday not in (article.date.weekday(), (article.date.weekday() - 1) % 7):
        weekday = None  # the lead names another day than the dateline's: trust the date
    return EventDay(article.date, max(mentioned) if mentioned else None, weekday)


def _mentioned_dates(text: str, default_year: int | None) -> list[dt.date]:
    found = []
    for match in _ISO.finditer(text):
        found.append(_date(*map(int, match.groups())))
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        for match in pattern.finditer(text):
            year = int(match.group(3)) if match.group(3) else default_year
            if year is None:
                continue
            month = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(match.group(month_group).lower()[:3]))
            found.append(_date(year, month, int(match.group(day_group))))
    return [d for d in found if d]


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class Features:
    """What the corpus-level stages read of one article."""

    terms: tuple[str, ...]
    """Content-word stems of the title and text, each once, in order of first use."""
    counts: tuple[int, ...]
    """How often each of `terms` occurs."""
    event_day: EventDay
    """What the article tells about the day of its event."""


@dataclass(frozen=True)
class TermTable:
    """The term counts of a run of articles as flat arrays: article i holds the entries
    starts[i]:starts[i] + sizes[i] of `ids` and `counts`."""

    terms: list[str]
    """Each term id's term; ids are numbered in order of first use."""
    ids: np.ndarray
    """Term id of each entry."""
    counts: np.ndarray
    """Count of each entry (floats)."""
    sizes: np.ndarray
    """Entries of each article."""

    def __len__(self) -> int:
        return len(self.sizes)


class FeatureSet(Mapping):
    """Article id to its features, with the term table of all of them made once for the stages
    that read every article's terms."""

    def __init__(self, by_id: dict[str, Features]):
        self._by_id = by_id
        self._table: TermTable | None = None

    def __getitem__(self, article_id: str) -> Features:
        return self._by_id[article_id]

    def __iter__(self):
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def table(self, articles: tuple[Article, ...]) -> TermTable:
        """The term table of `articles`, in their order."""
        if [a.id for a in articles] == list(self._by_id):
            if self._table is None:
                self._table = term_table([self._by_id[a.id] for a in articles])
            return self._table
        return term_table([self._by_id[a.id] for a in articles])


def term_table(features: list[Features]) -> TermTable:
    """The flat term table of articles' features, term ids in order of first use."""
    words = list(chain.from_iterable(f.terms for f in features))
    first: dict[str, int] = {}
    # each entry's position of first use, in one C-level pass; ranking those positions numbers the terms
    seen = np.fromiter(map(first.setdefault, words, count()), dtype=np.int64, count=len(words))
    positions, ids = np.unique(seen, return_inverse=True)
    counts = np.fromiter(chain.from_iterable(f.counts for f in features), dtype=float, count=len(words))
    sizes = np.fromiter((len(f.terms) for f in features), dtype=np.int64, count=len(features))
    return TermTable([words[p] for p in positions.tolist()], ids.reshape(-1).astype(np.int64), counts, sizes)


def article_features(articles: tuple[Article, ...], runner: Runner | None = None) -> FeatureSet:
    """Article id to its features."""
    results = (runner or Runner()).map("features", describe, articles)
    return FeatureSet({a.id: f for a, f in zip(articles, results)})


def describe(article: Article) -> Features:
    """The features of one article."""
    counted = Counter(textlib.article_terms(article))
    return Features(tuple(counted), tuple(counted.values()), event_day(article))
