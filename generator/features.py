"""Features: what the corpus-level stages need to know of each article, worked out once per article.

Theme learning and story grouping compare every article with others, but what they read of one
article (its content words, what it says about the day of its event) depends on that article
alone. It is worked out here, in the runner, so a rebuild reuses it for every unchanged article.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

import numpy as np

from generator import text as textlib
from generator.records import Article
from generator.runner import Runner, item_key

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


@dataclass(frozen=True, eq=False)
class TermTable:
    """The term counts of a run of articles as flat arrays: article i holds the entries
    starts[i]:starts[i] + sizes[i] of `ids` and `counts`."""

    terms: list[str]
    """Each term id's term."""
    ids: np.ndarray
    """Term id of each entry."""
    counts: np.ndarray
    """Count of each entry (floats)."""
    sizes: np.ndarray
    """Entries of each article."""

    def __len__(self) -> int:
        return len(self.sizes)

    @property
    def starts(self) -> np.ndarray:
        return np.cumsum(self.sizes) - self.sizes

    def rows(self, rows: np.ndarray) -> TermTable:
        """The table of these articles (row numbers), in that order, with only the terms they use."""
        entries = textlib.ranges(self.starts[rows], self.sizes[rows])
        return _compact(self.terms, self.ids[entries], self.counts[entries], self.sizes[rows])


def _compact(terms: list[str], ids: np.ndarray, counts: np.ndarray, sizes: np.ndarray) -> TermTable:
    """A table over only the terms its entries use."""
    used = np.bincount(ids, minlength=len(terms)) > 0
    if used.all():
        return TermTable(terms, ids, counts, sizes)
    renumber = np.cumsum(used) - 1
    return TermTable([t for t, u in zip(terms, used.tolist()) if u], renumber[ids], counts, sizes)


@dataclass(frozen=True, eq=False)
class FeatureSet:
    """What the corpus-level stages read of every article: the term table and each one's event day."""

    articles: tuple[str, ...]
    """Article ids, in the order of the table's rows."""
    terms: TermTable
    """Term counts of the articles."""
    days: tuple[EventDay, ...]
    """Event day of each article."""

    def table(self, articles: tuple[Article, ...]) -> TermTable:
        """The term table of `articles`, in their order."""
        if len(articles) == len(self.articles) and all(a.id == b for a, b in zip(articles, self.articles)):
            return self.terms
        return self.terms.rows(np.array([self._rows[a.id] for a in articles], dtype=np.int64))

    def event_day(self, article_id: str) -> EventDay:
        return self.days[self._rows[article_id]]

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.articles)}


def article_features(articles: tuple[Article, ...], runner: Runner | None = None) -> FeatureSet:
    """The features of the articles.

    The previous build's table is kept in the cache: the rows of articles it already held are
    taken from it in a few array operations, and only new or changed articles' features are
    looked up or worked out, one by one.
    """
    runner = runner or Runner()
    keys = [item_key(a) for a in articles]
    state = runner.get("feature-table", "latest", __name__)
    if not isinstance(state, _State):
        state = _State((), TermTable([], np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)), ())
    known = {k: i for i, k in enumerate(state.keys)}
    missing = [i for i, k in enumerate(keys) if k not in known]
    found = runner.map("features", describe, [articles[i] for i in missing], keys=[keys[i] for i in missing],
                       keep=keys)
    new = dict(zip(missing, found))

    vocabulary = {t: i for i, t in enumerate(state.table.terms)}
    terms = list(state.table.terms)
    words = list(chain.from_iterable(f.terms for f in found))
    for word in words:
        if word not in vocabulary:
            vocabulary[word] = len(terms)
            terms.append(word)
    pool_ids = np.concatenate((state.table.ids, np.fromiter(map(vocabulary.__getitem__, words), np.int64, len(words))))
    pool_counts = np.concatenate((state.table.counts, np.fromiter(chain.from_iterable(f.counts for f in found),
                                                                  float, len(words))))
    old_starts, old_sizes = state.table.starts, state.table.sizes
    starts = np.empty(len(articles), dtype=np.int64)
    sizes = np.empty(len(articles), dtype=np.int64)
    days = []
    offset = len(state.table.ids)
    for i, key in enumerate(keys):
        if i in new:
            starts[i], sizes[i] = offset, len(new[i].terms)
            offset += sizes[i]
            days.append(new[i].event_day)
        else:
            row = known[key]
            starts[i], sizes[i] = old_starts[row], old_sizes[row]
            days.append(state.days[row])
    entries = textlib.ranges(starts, sizes)
    table = _compact(terms, pool_ids[entries], pool_counts[entries], sizes)
    if tuple(keys) != state.keys:
        runner.put("feature-table", "latest", _State(tuple(keys), table, tuple(days)), __name__)
    return FeatureSet(tuple(a.id for a in articles), table, tuple(days))


@dataclass(frozen=True, eq=False)
class _State:
    """The table a build made, kept for the next: each row's article key, the table, event days."""

    keys: tuple[str, ...]
    table: TermTable
    days: tuple[EventDay, ...]


def describe(article: Article) -> Features:
    """The features of one article."""
    counted = Counter(textlib.article_terms(article))
    return Features(tuple(counted), tuple(counted.values()), event_day(article))
