"""Stories: group articles about the same event; fold syndicated near-copies into one.

Two articles can be one story only when what is known of their event days agrees: a stated date,
the latest date the text mentions (an article is written on or after what it reports), or the
weekday its lead names ("rallied on Tuesday"). Among compatible pairs, similarity is the cosine of
TF-IDF vectors, and clusters grow by average linkage above a threshold, so the number of stories is
found, not fixed. Candidate pairs come from an inverted index of each article's strongest terms,
so no stage compares all pairs of a large archive. Grouping runs volume by volume
(`generator.volumes`), each month's result kept in the cache, with stories carried across the
turn of a month and undated stories joined to the dated ones they report.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import partial

import numpy as np

from generator import text as textlib
from generator.features import EventDay, FeatureSet, article_features
from generator.records import Article, Story, ThemeAssignment, record_text
from generator.runner import Runner, item_key
from generator.volumes import next_month, volumes

THRESHOLD = 0.15
"""Average similarity two groups need to merge into one story."""

COPY_THRESHOLD = 0.8
"""Similarity above which an article is a near-copy of another (syndication)."""

DAY_WINDOW = 2
"""Most days between two articles' event dates for them to be one story."""

BLOCK_TERMS = 12
"""Strongest terms per article used to find candidate pairs."""

UNDATED_BLOCK = 400
"""An undated article is paired through a term only when at most this many articles share it."""


def group_stories(articles: tuple[Article, ...], themes: dict[str, ThemeAssignment],
                  features: FeatureSet | None = None, runner: Runner | None = None) -> tuple[Story, ...]:
    """Stories of the articles, newest first (features as `article_features` gives them): the
    stories of `group_months`, for a corpus grouped whole."""
    return group_months(articles, themes, features, runner).stories


def group_months(articles: tuple[Article, ...], themes: dict[str, ThemeAssignment],
                 features: FeatureSet | None = None, runner: Runner | None = None,
                 kept: tuple[MonthStories, ...] = ()) -> Grouping:
    """Stories of the articles, newest first, and what each month's grouping made.

    Articles are grouped volume by volume (`generator.volumes`): the undated ones together, then
    each month with TF-IDF weights learned from its volume's context. A story still open at
    the end of a month (all its articles within `DAY_WINDOW` days of the next) is carried into the
    next month's grouping, where articles may join it, so an event at the turn of a month stays one
    story. A story of undated articles then joins the dated story whose event it reports (`_attach`).
    Each step's stories are kept in the cache: a new article regroups its own month (and the next,
    when it is carried into it), not the corpus.

    `kept`: what an earlier build's grouping made of the first months, oldest first, which is what
    grouping them again would make (their articles, and those of every earlier month, being the
    same). Those months are not grouped again; grouping resumes with the stories left open at the
    end of the last of them, which must then be among `articles` (with the months the next one
    learns from), and the stories come out whole: theirs and those of the months grouped now.
    """
    if not articles:
        return Grouping((), tuple(kept))
    runner = runner or Runner()
    features = features or article_features(articles, runner)
    features = features.of(articles)
    keys = runner.sources(articles)  # by their identities
    run = partial(_run_step, runner, partial(_group_step, articles, features, themes), keys,
                  [a.id for a in articles], themes)
    done = {month.month for month in kept}
    months: list[MonthStories] = list(kept)
    undated: list[Story] = []
    ended: list[Story] = []  # stories left open by the month before, ended before the next one
    carried: tuple[OpenStory, ...] = kept[-1].carried if kept else ()
    carried_from: tuple[int, ...] = ()  # the articles of the month the carried stories come from
    carried_into = None  # the month they may join
    carried_month = kept[-1].month if kept else ""  # the month they come from
    for volume in volumes(articles):
        if volume.start is None:
            undated = run(_Step(volume.name, volume.context, volume.members, (), None))[0]
            continue
        if volume.name in done:  # grouped before: its stories are those kept
            carried_into, carried_from, carried_month = next_month(volume.start), volume.members, volume.name
            continue
        if carried and volume.start != carried_into:  # nothing dated the month after: they end there
            ended = run(_Step(carried_month, carried_from, (), carried, None))[0]
            carried = ()
        carried_into = next_month(volume.start)
        finished, carried = run(_Step(volume.name, volume.context, volume.members, carried, carried_into))
        months.append(MonthStories(volume.name, tuple(ended), tuple(finished), carried))
        ended = []
        carried_from, carried_month = volume.members, volume.name
    last = run(_Step(carried_month, carried_from, (), carried, None))[0] if carried else []
    dated = [story for month in months for story in (*month.ended, *month.finished)] + last
    stories = _unique_ids(_attach(undated, dated, articles, features, themes))
    return Grouping(tuple(sorted(stories, key=lambda s: (-(s.date or dt.date.min).toordinal(), s.id))), tuple(months))


@dataclass(frozen=True)
class MonthStories:
    """What grouping made of one month's articles."""

    month: str
    """The month, `YYYY-MM`."""
    ended: tuple[Story, ...]
    """Stories left open at the end of the month before, ended before this one: the month
    before had no next month in the corpus."""
    finished: tuple[Story, ...]
    """Stories its grouping finished (ids as grouping gave them, before `_unique_ids`)."""
    carried: tuple[OpenStory, ...]
    """Stories left open at its end, which the next month's articles may join."""


@dataclass(frozen=True)
class Grouping:
    """The stories of a corpus, and what each month's grouping made."""

    stories: tuple[Story, ...]
    """Every story, newest first, each with an id of its own."""
    months: tuple[MonthStories, ...]
    """Each dated month's grouping, oldest first."""


@dataclass(frozen=True)
class OpenStory:
    """A story at the end of a month that articles of the next month may still join."""

    articles: tuple[str, ...]
    """Ids of its articles (copies aside)."""
    copies: tuple[tuple[str, str], ...]
    """Near-copies folded into its articles: (copy id, kept id)."""


@dataclass(frozen=True)
class _Step:
    """One step of grouping: a volume's articles, with the stories carried into it."""

    month: str
    """The month it groups, or whose open stories it ends (`YYYY-MM`), or `undated`."""
    context: tuple[int, ...]
    """Positions of the articles the TF-IDF weights are learned from."""
    members: tuple[int, ...]
    """Positions of the articles to group."""
    carried: tuple[OpenStory, ...]
    """Stories of the month before that its articles may join."""
    next_month: dt.date | None
    """First day of the month after (None: nothing follows, every story ends here)."""


def _run_step(runner: Runner, group, keys: list[str], ids: list[str], themes: dict[str, ThemeAssignment],
              step: _Step) -> tuple[list[Story], tuple[OpenStory, ...]]:
    """The stories a step finishes and those it leaves open, from the cache when its inputs are
    those of an earlier build (the articles, their themes and the carried stories, not where they
    stand in the corpus). The key starts with the step's month, which a build that looks up some
    months only prunes by (`Runner.uses_part`)."""
    members = set(step.members)
    carried = [a for story in step.carried for a in story.articles]
    # written out as text (`record_text`): a step holds a month's articles
    key = f"{step.month}:" + item_key(tuple(f"{i in members:d}{keys[i]}" for i in step.context), tuple(map(record_text, step.carried)),
                   repr(step.next_month), tuple(record_text(themes.get(ids[i])) for i in step.members),
                   tuple(record_text(themes.get(a)) for a in carried))
    return runner.map("story-steps", group, [step], keys=[key])[0]


def _group_step(articles: tuple[Article, ...], features: FeatureSet, themes: dict[str, ThemeAssignment],
                step: _Step) -> tuple[list[Story], tuple[OpenStory, ...]]:
    """Group one step's articles, which may join the stories carried into it; the stories it
    finishes, and those left open for the next month."""
    position = {articles[i].id: i for i in step.context}
    carried = [[position[a] for a in story.articles] for story in step.carried]
    active = sorted(set(step.members).union(*carried))
    local = {i: k for k, i in enumerate(active)}
    row = {i: k for k, i in enumerate(step.context)}
    vectors = textlib.tfidf_rows(features.rows(step.context)).rows([row[i] for i in active])
    group_articles = tuple(articles[i] for i in active)
    group_days = [features.days[i] for i in active]
    fixed = [sorted(local[i] for i in story) for story in carried]
    was_carried = {k for story in fixed for k in story}
    pairs = [(i, j) for i, j in _candidate_pairs(vectors, group_days)
             if _compatible(group_days[i], group_days[j]) and not (i in was_carried and j in was_carried)]
    sims = textlib.cosines(vectors, pairs)
    lengths = [sum(map(len, a.paragraphs)) + 2 * max(len(a.paragraphs) - 1, 0) for a in group_articles]  # len(a.text)
    copies = _near_copies(group_articles, [(p, sim) for p, sim in zip(pairs, sims)
                                           if sim >= COPY_THRESHOLD or lengths[p[0]] == lengths[p[1]]])
    linked = [(p, sim) for p, sim in zip(pairs, sims) if sim >= THRESHOLD]
    clusters = _cluster([i for i in range(len(active)) if i not in copies], linked, vectors, group_days, fixed)
    finished, left_open = [], []
    for members in clusters:
        earlier = [pair for group, story in zip(fixed, step.carried) if group[0] in members for pair in story.copies]
        pairs_of = tuple(sorted([(group_articles[c].id, group_articles[k].id) for c, k in copies.items() if k in members]
                                + earlier))
        dates = [group_days[i].date for i in members]
        if (step.next_month and not was_carried.intersection(members) and all(dates)
                and min(dates) >= step.next_month - dt.timedelta(days=DAY_WINDOW)):
            left_open.append(OpenStory(tuple(group_articles[i].id for i in members), pairs_of))
        else:
            finished.append(_story(members, pairs_of, group_articles, group_days, vectors, themes))
    return finished, tuple(left_open)


def _attach(undated: list[Story], dated: list[Story], articles: tuple[Article, ...], features: FeatureSet,
            themes: dict[str, ThemeAssignment]) -> list[Story]:
    """All stories, each undated one that reports a dated story's event folded into it.

    An undated story joins the dated story it is most similar to on average (TF-IDF over the whole
    corpus), when that average reaches THRESHOLD, every pair of their articles can report the same
    day's event, and a pair of their articles is a candidate pair at least as similar.
    """
    if not undated or not dated:
        return dated + undated
    stories = dated + undated
    position = {a.id: i for i, a in enumerate(articles)}
    owner = {position[a]: k for k, story in enumerate(stories) for a in story.articles}
    active = sorted(owner)
    local_owner = [owner[i] for i in active]
    vectors = textlib.tfidf_rows(features.rows(np.arange(len(articles)))).rows(active)
    group_articles = tuple(articles[i] for i in active)
    group_days = [features.days[i] for i in active]
    members: list[list[int]] = [[] for _ in stories]
    for k, story in enumerate(local_owner):
        members[story].append(k)
    pairs = [(i, j) for i, j in _candidate_pairs(vectors, group_days, dated=False)
             if (local_owner[i] < len(dated)) != (local_owner[j] < len(dated))]
    links = sorted({tuple(sorted((local_owner[i], local_owner[j]))) for (i, j), sim
                    in zip(pairs, textlib.cosines(vectors, pairs)) if sim >= THRESHOLD})
    sums: dict[int, dict[str, float]] = {}

    def total(story: int) -> dict[str, float]:
        if story not in sums:
            sums[story] = textlib.vector_sum(vectors[k] for k in members[story])
        return sums[story]

    best: dict[int, tuple[float, str, int]] = {}
    for d, u in links:
        if not all(_compatible(group_days[x], group_days[y]) for x in members[d] for y in members[u]):
            continue
        average = textlib.cosine(total(d), total(u)) / (len(members[d]) * len(members[u]))
        if average >= THRESHOLD and (u not in best or (-average, stories[d].id) < best[u][:2]):
            best[u] = (-average, stories[d].id, d)
    joining: dict[int, list[int]] = {}
    for u, (_, _, d) in sorted(best.items()):
        joining.setdefault(d, []).append(u)
    out = []
    for k, story in enumerate(stories):
        if k in best:
            continue
        if k in joining:
            group = sorted(members[k] + [i for u in joining[k] for i in members[u]])
            copies = tuple(sorted(pair for s in (k, *joining[k]) for pair in stories[s].copies))
            story = _story(group, copies, group_articles, group_days, vectors, themes)
        out.append(story)
    return out


def _compatible(a: EventDay, b: EventDay) -> bool:
    """Whether two articles can report the same day's event."""
    if a.date and b.date:
        return abs((a.date - b.date).days) <= DAY_WINDOW
    if a.weekday is not None and b.weekday is not None and a.weekday != b.weekday:
        return False
    for x, y in ((a, b), (b, a)):
        if x.date and y.not_before and not 0 <= (x.date - y.not_before).days <= DAY_WINDOW:
            return False
        if x.date and y.weekday is not None and x.date.weekday() != y.weekday:
            return False
        if x.not_before and y.weekday is not None and (y.weekday - x.not_before.weekday()) % 7 > DAY_WINDOW:
            return False
    return True


def _candidate_pairs(vectors: textlib.SparseRows, days: list[EventDay],
                     dated: bool = True) -> list[tuple[int, int]]:
    """Pairs of articles that share one of their strongest terms (among terms found in two or more)
    and whose stated dates, when both have one, are at most DAY_WINDOW days apart (only pairs with
    an undated article, without `dated`)."""
    ids, weights, sizes = vectors.ids, vectors.weights, vectors.sizes
    docs = np.repeat(np.arange(len(vectors), dtype=np.int64), sizes)
    shared = np.bincount(ids, minlength=len(vectors.terms))[ids] > 1
    term_rank = np.argsort(np.argsort(np.array(vectors.terms, dtype=object), kind="stable"), kind="stable")
    ids, docs = _strongest(ids[shared], weights[shared], docs[shared], term_rank, len(vectors))
    order = np.lexsort((docs, ids))  # the articles of each term, in article order
    ids, docs = ids[order], docs[order]
    ordinal = np.array([days[i].date.toordinal() if days[i].date else -1 for i in range(len(days))], dtype=np.int64)
    found = [_dated_pairs(ids, docs, ordinal)] if dated else []
    bounds = np.flatnonzero(np.diff(np.concatenate(([-1], ids, [-1])))).tolist()
    undated = ordinal[docs] < 0
    for lo, hi in zip(bounds, bounds[1:]):
        if hi - lo < 2 or hi - lo > UNDATED_BLOCK or not undated[lo:hi].any():
            continue
        members = docs[lo:hi]
        partners = members if dated else members[~undated[lo:hi]]  # without `dated`: a dated one
        for i in members[undated[lo:hi]].tolist():
            others = partners[partners != i]
            found.append(np.minimum(i, others) * len(days) + np.maximum(i, others))
    codes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return list(zip((codes // len(days)).tolist(), (codes % len(days)).tolist()))


def _dated_pairs(ids: np.ndarray, docs: np.ndarray, ordinal: np.ndarray) -> np.ndarray:
    """Pairs of dated articles that share a term and whose dates are at most DAY_WINDOW days apart,
    each coded as i * count + j with i < j.

    The entries sorted by term, then date, are compared with the entry k places on, for k = 1, 2,
    ... until no entry k places on is of the same term within the window.
    """
    dated = ordinal[docs] >= 0
    ids, docs = ids[dated], docs[dated]
    day = ordinal[docs]
    order = np.lexsort((docs, day, ids))
    ids, docs, day = ids[order], docs[order], day[order]
    count = len(ordinal)
    found = []
    k = 1
    while k < len(ids):
        near = (ids[k:] == ids[:-k]) & (day[k:] - day[:-k] <= DAY_WINDOW)
        if not near.any():
            break
        a, b = docs[:-k][near], docs[k:][near]
        found.append(np.minimum(a, b) * count + np.maximum(a, b))
        k += 1
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _strongest(ids: np.ndarray, weights: np.ndarray, docs: np.ndarray, term_rank: np.ndarray,
               count: int) -> tuple[np.ndarray, np.ndarray]:
    """The BLOCK_TERMS strongest terms of each article (ties to the term first in sort order), as
    (term id, article) entries.

    One sort on article, then weight, finds each article's BLOCK_TERMS-th weight; the terms at
    least that strong (within rounding) are candidates, and an article with more candidates than
    BLOCK_TERMS (ties, or weights within rounding) has them ranked exactly.
    """
    order = np.argsort(docs * 2.0 - weights, kind="stable")  # by article, then strongest first
    ids, weights, docs = ids[order], weights[order], docs[order]
    position = np.arange(len(docs)) - np.searchsorted(docs, docs)
    floor = np.full(count, -np.inf)
    at = position == BLOCK_TERMS - 1
    floor[docs[at]] = weights[at]
    candidate = weights >= floor[docs] - 1e-9
    ids, weights, docs = ids[candidate], weights[candidate], docs[candidate]
    crowded = np.flatnonzero(np.bincount(docs, minlength=count) > BLOCK_TERMS)
    if not len(crowded):
        return ids, docs
    keep = ~np.isin(docs, crowded)
    extra_ids, extra_docs = [], []
    starts = np.searchsorted(docs, crowded)
    ends = np.searchsorted(docs, crowded, side="right")
    for doc, start, end in zip(crowded.tolist(), starts.tolist(), ends.tolist()):
        ranked = sorted(range(start, end), key=lambda k: (-weights[k], term_rank[ids[k]]))[:BLOCK_TERMS]
        extra_ids.extend(int(ids[k]) for k in ranked)
        extra_docs.extend([doc] * len(ranked))
    return (np.concatenate((ids[keep], np.array(extra_ids, dtype=np.int64))),
            np.concatenate((docs[keep], np.array(extra_docs, dtype=np.int64))))


def _near_copies(articles: tuple[Article, ...], pairs: list[tuple[tuple[int, int], float]]) -> dict[int, int]:
    """Index of each near-copy to the index of the article it copies (the earlier or first one),
    from the candidate pairs that are similar enough or whose texts are as long (and may be equal)."""
    copies: dict[int, int] = {}
    for (i, j), sim in sorted(pairs):
        if sim >= COPY_THRESHOLD or articles[i].text == articles[j].text:
            keep, copy = sorted((i, j), key=lambda k: (articles[k].date or dt.date.max, articles[k].id))
            while keep in copies:
                keep = copies[keep]
            if copy != keep and copy not in copies:
                copies[copy] = keep
    return copies


def _cluster(items: list[int], sims: list[tuple[tuple[int, int], float]], vectors: textlib.SparseRows,
             days: list[EventDay], fixed: list[list[int]] = ()) -> list[list[int]]:
    """Average-linkage clustering, trying candidate pairs (at least THRESHOLD similar) from the most
    similar down; `fixed` groups (sorted, among the items) start formed and never merge with each
    other.

    The average cosine over all pairs of two groups of unit vectors is the dot product of the
    groups' vector sums divided by the number of pairs, so each merge test costs one sparse dot
    product. Groups merge only when every pair across them can report the same day's event, and
    only through a candidate pair at least as similar as the threshold.
    """
    cluster_of = {i: i for i in items}
    members = {i: [i] for i in items}
    sums: dict[int, dict[str, float]] = {}  # each group's vector sum, made when the group first links
    for group in fixed:
        for k in group:
            cluster_of[k] = group[0]
            del members[k]
        members[group[0]] = list(group)
        sums[group[0]] = textlib.vector_sum(vectors[k] for k in group)
    formed = {group[0] for group in fixed}

    def total(group: int) -> dict[str, float]:
        if group not in sums:
            sums[group] = dict(vectors[group])
        return sums[group]

    for (i, j), sim in sorted(sims, key=lambda p: (-p[1], p[0])):
        if sim < THRESHOLD:
            break  # groups link through a pair at least as similar as the average they need
        if i not in cluster_of or j not in cluster_of:
            continue
        a, b = cluster_of[i], cluster_of[j]
        if a == b or (a in formed and b in formed):
            continue
        if len(members[a]) == 1 and len(members[b]) == 1:
            average = sim  # two single articles: their average similarity is the pair's own
        else:
            average = textlib.cosine(total(a), total(b)) / (len(members[a]) * len(members[b]))
        if average < THRESHOLD or not all(_compatible(days[x], days[y]) for x in members[a] for y in members[b]):
            continue
        a, b = min(a, b), max(a, b)
        if b in formed:
            formed.add(a)
        for k in members[b]:
            cluster_of[k] = a
        members[a] = sorted(members[a] + members.pop(b))
        merged = total(a)
        for term, weight in total(b).items():
            merged[term] = merged.get(term, 0.0) + weight
        del sums[b]
    return [members[k] for k in sorted(members)]


def _centralities(vectors: textlib.SparseRows, members: list[int]) -> list[float]:
    """Each member's mean cosine with the other members: its dot product with the members' vector
    sum, less its own length, over the number of others."""
    if len(members) == 1:
        return [0.0]
    rows = np.array(members, dtype=np.int64)
    sizes = vectors.sizes[rows]
    positions = textlib.ranges(vectors.starts[rows], sizes)
    terms, local = np.unique(vectors.ids[positions], return_inverse=True)
    weights = vectors.weights[positions]
    total = np.bincount(local, weights=weights, minlength=len(terms))
    owners = np.repeat(np.arange(len(members)), sizes)
    with_total = np.bincount(owners, weights=weights * total[local], minlength=len(members))
    with_self = np.bincount(owners, weights=weights * weights, minlength=len(members))
    return ((with_total - with_self) / (len(members) - 1)).tolist()


def _story(members, copies: tuple[tuple[str, str], ...], articles, days, vectors, themes) -> Story:
    centrality = dict(zip(members, _centralities(vectors, members)))
    ranked = sorted(members, key=lambda i: (-round(centrality[i], 6), articles[i].id))
    headed = [i for i in ranked if articles[i].title_origin != "lead"]
    headline = articles[(headed or ranked)[0]].title
    date, inferred = _story_date([days[i] for i in members])
    story_themes = _story_themes([articles[i].id for i in members], themes)
    # The id comes from the story's first article (earliest, then by path), which later articles
    # joining the story do not change: old links keep working as the story grows.
    first = min(members, key=lambda i: (articles[i].date or date or dt.date.max, articles[i].id))
    anchor_date = articles[first].date or date
    prefix = anchor_date.isoformat() if anchor_date else "undated"
    return Story(
        id=f"{prefix}-{textlib.slugify(articles[first].title, 8) or 'story'}",
        headline=headline,
        articles=tuple(articles[i].id for i in ranked),
        copies=copies,
        date=date,
        date_inferred=inferred,
        themes=story_themes,
    )


def _story_date(days: list[EventDay]) -> tuple[dt.date | None, bool]:
    stated = [d.date for d in days if d.date]
    if stated:
        return Counter(stated).most_common(1)[0][0] if len(set(stated)) > 1 else stated[0], False
    anchors = [d.not_before for d in days if d.not_before]
    weekdays = Counter(d.weekday for d in days if d.weekday is not None)
    if not anchors:
        return None, False
    anchor = max(anchors)
    if weekdays:
        weekday = min(weekdays, key=lambda w: (-weekdays[w], w))
        return anchor + dt.timedelta(days=(weekday - anchor.weekday()) % 7), True
    return anchor, True


def _story_themes(article_ids: list[str], themes: dict[str, ThemeAssignment]) -> tuple[str, ...]:
    weight: Counter[str] = Counter()
    for article_id in article_ids:
        assignment = themes.get(article_id)
        if not assignment:
            continue
        scores = dict(assignment.scores)
        for theme_id in assignment.themes:
            weight[theme_id] += scores[theme_id] + (100.0 if theme_id == assignment.primary else 0.0)
    return tuple(sorted(weight, key=lambda t: (-weight[t], t)))


def _unique_ids(stories: list[Story]) -> list[Story]:
    """Stories with distinct ids: the first of a name keeps it, the others get the next free `-N`."""
    ordered = sorted(stories, key=lambda s: (s.id, s.articles))
    used = {s.id for s in ordered}
    firsts = {s.id: i for i, s in reversed(list(enumerate(ordered)))}
    out = []
    for i, story in enumerate(ordered):
        if firsts[story.id] != i:
            n = 2
            while f"{story.id}-{n}" in used:
                n += 1
            used.add(f"{story.id}-{n}")
            story = Story(**{**story.__dict__, "id": f"{story.id}-{n}"})
        out.append(story)
    return out
