"""Summaries: an extractive summary per story (several articles) and per article.

Sentences are scored by centrality (LexRank: PageRank over the TF-IDF cosine graph of the
sentences), by how early they stand in their article (news puts the point first) and by how many
of the story's keywords they hold. Sentences are then picked by maximal marginal relevance, so no
two say the same thing, and put back in reading order: earlier in its article first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from generator import text as textlib
from generator.keywords import merge_keywords
from generator.runner import Runner, day_group
from generator.records import Article, Story, StorySummary, Summaries, SummarySentence

STORY_SENTENCES = (3, 5)
"""Fewest and most sentences in a story summary."""

ARTICLE_SENTENCES = 2
"""Sentences in an article's short summary."""

REDUNDANT = 0.45
"""Cosine above which a sentence repeats one already picked."""

WEIGHTS = (0.6, 0.2, 0.2)
"""Weights of a sentence's centrality, lead position and keyword coverage in its score."""

DEK_WORDS = 32
"""Longest dek, in words."""

_DANGLING = re.compile(
    r"^(he|she|they|it|its|this|that|these|those|his|her|their|however|but|and|also|meanwhile|"
    r"as stated|as with|concurrently|still|yet|so)\b", re.I)


@dataclass(frozen=True)
class _Candidate:
    text: str
    article: str
    position: int
    relative: float
    terms: tuple[str, ...]


def summarise(
    stories: tuple[Story, ...], articles: tuple[Article, ...], keywords: dict[str, tuple[str, ...]],
    runner: Runner | None = None,
    kept: dict[str, tuple[tuple[SummarySentence, ...], StorySummary | None]] | None = None,
) -> Summaries:
    """Summaries of every story and of every article not in `kept`.

    An article's job also summarises it as a story of its own, since most stories have one
    article; only stories of several articles get a job of their own. `kept`: what
    `article_summary` gave some of the articles in an earlier build, which a story of one of them
    takes its summary from (None for an article no story here is made of alone).
    """
    runner = runner or Runner()
    by_id = {a.id: a for a in articles}
    todo = tuple(a for a in articles if a.id not in kept) if kept else articles
    article_jobs = [(a, keywords.get(a.id, ())) for a in todo]
    source = runner.source_of  # an article and its keywords stand for themselves by their identities
    found = runner.map_grouped("article-summary", article_summary, article_jobs,
                               [a + source(k) for a, (_, k) in zip(runner.sources(todo), article_jobs)],
                               runner.day_groups(todo),
                               named=True)
    article_results = {**(kept or {}), **dict(zip((a.id for a in todo), found))}
    shared = [s for s in stories if len(s.articles) > 1]
    story_jobs = [(story.headline, tuple(by_id[i] for i in story.articles),
                   tuple(keywords.get(i, ()) for i in story.articles)) for story in shared]
    story_sources = [source(headline, *members, *member_keywords) for headline, members, member_keywords in story_jobs]
    shared_summaries = dict(zip((s.id for s in shared),
                                runner.map_grouped("story-summary", story_summary, story_jobs, story_sources,
                                                   [day_group(s.date, s.articles[0]) for s in shared], named=True)))
    return Summaries({s.id: shared_summaries[s.id] if s.id in shared_summaries else article_results[s.articles[0]][1]
                      for s in stories},
                     {a.id: article_results[a.id][0] for a in todo}, {a.id: article_results[a.id][1] for a in todo})


def story_summary(job: tuple[str, tuple[Article, ...], tuple[tuple[str, ...], ...]]) -> StorySummary:
    """Dek, summary sentences and keywords of a story (headline, member articles, their keywords)."""
    headline, members, member_keywords = job
    story_keywords = merge_keywords(list(member_keywords))
    size = min(STORY_SENTENCES[1], STORY_SENTENCES[0] + len(members) - 1)
    picked = pick_sentences(list(members), size, story_keywords)
    return _story_summary(picked, headline, story_keywords)


def _story_summary(picked: list[_Candidate], headline: str, story_keywords: tuple[str, ...]) -> StorySummary:
    return StorySummary(
        dek=_dek(picked, headline),
        sentences=tuple(SummarySentence(c.text, c.article) for c in picked),
        keywords=story_keywords,
    )


def article_summary(job: tuple[Article, tuple[str, ...]]) -> tuple[tuple[SummarySentence, ...], StorySummary]:
    """The short summary of one article (given its keywords), and its summary as a story of its own."""
    article, article_keywords = job
    story_keywords = merge_keywords([article_keywords])
    ranked = _ranked([article], STORY_SENTENCES[0], story_keywords)
    if story_keywords != tuple(article_keywords):
        short = _ranked([article], ARTICLE_SENTENCES, article_keywords)
    else:  # picking is greedy: the first picks of a longer summary are the shorter summary
        short = ranked[:ARTICLE_SENTENCES]
    alone = _story_summary(_reading_order(ranked, [article]), article.title, story_keywords)
    return tuple(SummarySentence(c.text, c.article) for c in _reading_order(short, [article])), alone


def pick_sentences(articles: list[Article], count: int, keywords: tuple[str, ...] = ()) -> list[_Candidate]:
    """The `count` sentences that best sum up the articles, in reading order."""
    return _reading_order(_ranked(articles, count, keywords), articles)


def _ranked(articles: list[Article], count: int, keywords: tuple[str, ...] = ()) -> list[_Candidate]:
    """The `count` sentences that best sum up the articles, in the order they were picked."""
    candidates = _candidates(articles)
    if not candidates:
        return []
    vectors = textlib.tfidf([list(c.terms) for c in candidates])
    similarity = _similarity(vectors)
    centrality = _lexrank(similarity)
    keyword_terms = [set(textlib.terms(k)) for k in keywords]
    scores = []
    for i, c in enumerate(candidates):
        covered = sum(1 for k in keyword_terms if k and k <= set(c.terms)) / (len(keyword_terms) or 1)
        lead = 1.0 / (1.0 + c.position)
        dangling = 0.5 if _DANGLING.match(c.text) and c.position else 1.0
        scores.append((WEIGHTS[0] * centrality[i] + WEIGHTS[1] * lead + WEIGHTS[2] * covered) * dangling)
    chosen: list[int] = []
    closest = None  # each sentence's greatest similarity to one already chosen
    overlaps = [0.0] * len(candidates)
    while len(chosen) < count:
        best, best_value = None, None
        leads = sum(1 for j in chosen if candidates[j].position == 0)
        for i in range(len(candidates)):
            if i in chosen or (leads and candidates[i].position == 0):
                continue  # the leads of articles on one event say the same thing: one is enough
            overlap = overlaps[i]
            if overlap > REDUNDANT:
                continue
            value = scores[i] - 0.3 * overlap
            if best_value is None or value > best_value + 1e-12:
                best, best_value = i, value
        if best is None:
            break
        chosen.append(best)
        closest = similarity[:, best] if closest is None else np.maximum(closest, similarity[:, best])
        overlaps = closest.tolist()
    return [candidates[i] for i in chosen]


def _reading_order(picked: list[_Candidate], articles: list[Article]) -> list[_Candidate]:
    """Picked sentences put back in reading order: earlier in its article first."""
    order = {a.id: k for k, a in enumerate(articles)}
    return sorted(picked, key=lambda c: (round(c.relative, 3), order[c.article], c.position))


def _candidates(articles: list[Article]) -> list[_Candidate]:
    out = []
    for article in articles:
        total = max(len(article.sentences), 1)
        for s in article.sentences:
            n = len(s.text.split())
            if n < 6 or n > 60:
                continue
            terms = tuple(textlib.terms(s.text))
            if len(terms) < 3:
                continue
            out.append(_Candidate(s.text, article.id, s.position, s.position / total, terms))
    if not out:  # very short articles: take what there is
        out = [_Candidate(s.text, a.id, s.position, s.position / max(len(a.sentences), 1),
                          tuple(textlib.terms(s.text))) for a in articles for s in a.sentences]
    return out


def _similarity(vectors: list[dict[str, float]]) -> np.ndarray:
    """Cosine of every pair of unit-length sparse vectors, zero on the diagonal."""
    index: dict[str, int] = {}
    for vec in vectors:
        for term in vec:
            index.setdefault(term, len(index))
    dense = np.zeros((len(vectors), max(len(index), 1)))
    for row, vec in enumerate(vectors):
        for term, weight in vec.items():
            dense[row, index[term]] = weight
    matrix = dense @ dense.T
    np.fill_diagonal(matrix, 0.0)
    return matrix


def _lexrank(similarity: np.ndarray) -> list[float]:
    """Centrality of each sentence (LexRank), the most central scoring 1."""
    if len(similarity) == 1:
        return [1.0]
    rank = textlib.pagerank(similarity)
    top = rank.max() or 1.0
    return [float(r / top) for r in rank]


def _dek(picked: list[_Candidate], headline: str) -> str:
    """One line under the headline: the summary's opening sentence, unless it only repeats the headline."""
    for candidate in picked:
        if not candidate.text.lower().startswith(headline.rstrip("…").lower()[:40]):
            return textlib.shorten(candidate.text, DEK_WORDS)
    return textlib.shorten(picked[0].text, DEK_WORDS) if picked else ""
