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
from generator.runner import Runner
from generator.volumes import month_name

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
    """What the corpus-level stages read of every article: its term counts and its event day.

    The term counts stay in the tables they were found in (those kept by earlier builds, and the
    rows of articles described in this build), each over its own terms; a table of some articles
    (`rows`) is put together from their rows alone. A rebuild relearns a month or two, and never
    pays for joining and copying the whole corpus's table (a quarter of a gigabyte at 20,000
    articles) to read a tenth of it.
    """

    articles: tuple[str, ...]
    """Article ids, in corpus order."""
    sources: tuple
    """Tables holding the articles' rows (`_Part` or `TermTable`: each has `rows`)."""
    source: np.ndarray
    """For each article, the index in `sources` of the table holding its row."""
    row: np.ndarray
    """For each article, its row in that table."""
    days: tuple[EventDay, ...]
    """Event day of each article."""

    def rows(self, positions) -> TermTable:
        """The term table of the articles at these positions (in corpus order), in that order."""
        positions = np.asarray(positions, dtype=np.int64)
        which, rows = self.source[positions], self.row[positions]
        pieces, order = [], []
        for index in np.unique(which).tolist():
            picked = np.flatnonzero(which == index)
            pieces.append(self.sources[index].rows(rows[picked]))
            order.append(picked)
        if len(pieces) <= 1:
            return pieces[0] if pieces else TermTable([], np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))
        joined = _join(pieces[0], pieces[1:])  # rows grouped by table: put back in the order asked for
        return joined.rows(np.argsort(np.concatenate(order), kind="stable"))

    def table(self, articles: tuple[Article, ...]) -> TermTable:
        """The term table of `articles`, in their order."""
        return self.rows([self._rows[a.id] for a in articles])

    def of(self, articles: tuple[Article, ...]) -> FeatureSet:
        """The features of `articles` (some of these), in their order: positions in `articles` are
        then positions here."""
        if len(articles) == len(self.articles) and all(a.id == b for a, b in zip(articles, self.articles)):
            return self
        index = np.array([self._rows[a.id] for a in articles], dtype=np.int64)
        return FeatureSet(tuple(a.id for a in articles), self.sources, self.source[index], self.row[index],
                          tuple(self.days[i] for i in index.tolist()))

    def event_day(self, article_id: str) -> EventDay:
        return self.days[self._rows[article_id]]

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.articles)}


def article_features(articles: tuple[Article, ...], runner: Runner | None = None) -> FeatureSet:
    """The features of the articles.

    The tables of earlier builds are kept in the cache, a month's articles apart from another's:
    the rows of articles they already hold are read from them, and only new or changed articles'
    features are looked up or worked out, one by one. Only the months of the articles given are
    read (a rebuild gives those of the months it works out and learns from: `months.MonthPlan.window`).
    Each month is kept as a base table and the rows added since (`_Kept`), so a build that adds a
    few articles stores those rows, not the month's table again.
    """
    runner = runner or Runner()
    keys = runner.sources(articles)  # by their identities
    by_month: dict[str, list[int]] = {}
    for i, article in enumerate(articles):
        by_month.setdefault(_month(article), []).append(i)
    kept = {month: _Kept.load(runner, month) for month in by_month}
    sources: list = []
    source = np.zeros(len(articles), dtype=np.int64)
    row = np.zeros(len(articles), dtype=np.int64)
    days: list = [None] * len(articles)
    missing: list[int] = []
    for month, positions in by_month.items():
        tables = kept[month].base, kept[month].added
        rows = [{k: n for n, k in enumerate(table.keys)} for table in tables]
        first = len(sources)
        sources.extend(tables)
        for i in positions:
            key = keys[i]
            for t, (table, found) in enumerate(zip(tables, rows)):
                n = found.get(key)
                if n is not None:
                    source[i], row[i], days[i] = first + t, n, table.days[n]
                    break
            else:
                missing.append(i)
    found = runner.map("features", describe, [articles[i] for i in missing], keys=[keys[i] for i in missing],
                       keep=keys)
    for n, i in enumerate(missing):
        source[i], row[i], days[i] = len(sources), n, found[n].event_day
    sources.append(_table_of(found))
    features = FeatureSet(tuple(a.id for a in articles), tuple(sources), source, row, tuple(days))
    for month, positions in by_month.items():
        kept[month].store(runner, month, [keys[i] for i in positions], positions, features)
    return features


def _month(article: Article) -> str:
    """The month an article's row is kept with (`YYYY-MM`, or `undated`)."""
    return month_name(article.date)


def _table_of(found: list[Features]) -> TermTable:
    """The term table of newly described articles."""
    terms: dict[str, int] = {}
    words = list(chain.from_iterable(f.terms for f in found))
    ids = np.fromiter((terms.setdefault(w, len(terms)) for w in words), np.int64, len(words))
    counts = np.fromiter(chain.from_iterable(f.counts for f in found), float, len(words))
    return TermTable(list(terms), ids, counts, np.array([len(f.terms) for f in found], dtype=np.int64))


def _join(first: TermTable, others: list[TermTable]) -> TermTable:
    """The rows of the tables one after another, over one vocabulary (the first table's, extended)."""
    vocabulary = {t: i for i, t in enumerate(first.terms)}
    terms, ids = list(first.terms), [first.ids]
    for other in others:
        for term in other.terms:
            if term not in vocabulary:
                vocabulary[term] = len(terms)
                terms.append(term)
        ids.append(np.fromiter(map(vocabulary.__getitem__, other.terms), np.int64, len(other.terms))[other.ids]
                   if len(other.ids) else np.zeros(0, dtype=np.int64))
    return TermTable(terms, np.concatenate(ids), np.concatenate([first.counts, *(o.counts for o in others)]),
                     np.concatenate([first.sizes, *(o.sizes for o in others)]))


@dataclass(frozen=True, eq=False)
class _Part:
    """A table kept in the cache: each row's article key, the table (ids and counts in small
    types), event days."""

    keys: tuple[str, ...]
    terms: list[str]
    ids: np.ndarray
    counts: np.ndarray
    sizes: np.ndarray
    days: tuple[EventDay, ...]

    @classmethod
    def of(cls, keys, table: TermTable, days) -> _Part:
        table = _compact(table.terms, table.ids, table.counts, table.sizes)
        ids = table.ids.astype(np.int32 if len(table.terms) < 2 ** 31 else np.int64)
        counts = table.counts.astype(np.float32) if (table.counts < 2 ** 24).all() else table.counts
        return cls(tuple(keys), table.terms, ids, counts, table.sizes.astype(np.int32), tuple(days))

    def rows(self, rows: np.ndarray) -> TermTable:
        """The table of these rows, in that order, with only the terms they use (as `TermTable.rows`)."""
        sizes = self.sizes.astype(np.int64)
        entries = textlib.ranges((np.cumsum(sizes) - sizes)[rows], sizes[rows])
        return _compact(self.terms, self.ids[entries].astype(np.int64), self.counts[entries].astype(float), sizes[rows])


_EMPTY = _Part((), [], np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int32), ())


@dataclass(frozen=True, eq=False)
class _Kept:
    """The tables earlier builds kept of a month's articles: a base, and the rows added since."""

    base: _Part
    added: _Part

    @classmethod
    def load(cls, runner: Runner, month: str) -> _Kept:
        base = runner.get("feature-table", f"{month}/base", __name__)
        added = runner.get("feature-table", f"{month}/added", __name__) if isinstance(base, _Part) else None
        return cls(base if isinstance(base, _Part) else _EMPTY, added if isinstance(added, _Part) else _EMPTY)

    def store(self, runner: Runner, month: str, keys: list[str], positions: list[int], features: FeatureSet) -> None:
        """Keep this build's table of the month (its articles' `keys`, at `positions` in `features`)
        for the next: only the rows the base lacks, unless they, or the base's rows no longer used,
        have grown to a quarter of it; then the whole table as the base."""
        in_base = set(self.base.keys)
        fresh = [n for n, key in enumerate(keys) if key not in in_base]
        unused = len(in_base) - (len(keys) - len(fresh))
        if max(len(fresh), unused) * 4 > len(in_base):
            if tuple(keys) != self.base.keys or self.added.keys:
                whole = _Part.of(keys, features.rows(positions), [features.days[i] for i in positions])
                runner.put("feature-table", f"{month}/base", whole, __name__)
                runner.put("feature-table", f"{month}/added", _EMPTY, __name__)
            return
        added = tuple(keys[n] for n in fresh)
        if added != self.added.keys:
            rows = _Part.of(added, features.rows([positions[n] for n in fresh]),
                            [features.days[positions[n]] for n in fresh])
            runner.put("feature-table", f"{month}/added", rows, __name__)


def describe(article: Article) -> Features:
    """The features of one article."""
    counted = Counter(textlib.article_terms(article))
    return Features(tuple(counted), tuple(counted.values()), event_day(article))
