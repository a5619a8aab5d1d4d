"""Themes: score every article against the taxonomy's seed phrases, then learn from the corpus.

1. **Seeds.** A theme's seed score for an article adds, for each of its seed phrases found in the
   text, one point plus the log of how often it occurs, weighted up for longer (more specific)
   phrases and for phrases that also stand among the article's keywords.
2. **Learning.** Articles the seeds assign confidently (a best theme reaching `min_score` and
   `CONFIDENT_MARGIN` times the runner-up) are examples of their theme. A naive Bayes model of the
   words of each theme is trained on them, then refined by expectation-maximisation over the
   corpus (Nigam et al., 2000): the confident examples keep their label, every other article counts
   for each theme by its posterior. A theme learns only when it has `MIN_EXAMPLES` examples, so a
   handful of articles are themed by their seeds alone. The model is learned per volume
   (`generator.volumes`: a month with the months before it, or the undated articles), so a new
   article leaves the models of other months as they were.
3. **Choice.** An article's score for a theme is its seed score plus `LEARNED_WEIGHT` times
   `min_score` times the model's posterior. It carries every theme that reaches the taxonomy's
   `min_score` and `relative_score` of its best theme; the best is primary.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from functools import partial

import numpy as np

from generator import text as textlib
from generator.features import FeatureSet, TermTable, article_features
from generator.records import Article, Taxonomy, ThemeAssignment
from generator.runner import Runner, item_key
from generator.volumes import Volume, volumes

log = logging.getLogger(__name__)

CONFIDENT_MARGIN = 1.5
"""A seed-assigned theme is confident when its score is this many times the runner-up's."""

MIN_EXAMPLES = 5
"""Confident articles a theme needs before it learns words from the corpus."""

LEARNED_WEIGHT = 3.0
"""What the learned model adds to a theme's score, in multiples of `min_score`, at posterior 1."""

ROUNDS = 3
"""Expectation-maximisation rounds after the first model."""

SMOOTHING = 0.1
"""Additive smoothing of the word probabilities."""


def assign_themes(
    articles: tuple[Article, ...], keywords: dict[str, tuple[str, ...]], taxonomy: Taxonomy,
    features: FeatureSet | None = None, runner: Runner | None = None, kept: dict[str, ThemeAssignment] | None = None,
) -> dict[str, ThemeAssignment]:
    """Article id to the themes it carries, strongest first (features as `article_features` gives them).

    `kept`: the themes of some of the articles, as an earlier build found them; a volume whose own
    articles all have theirs there learns nothing (its articles are then only what others learn
    from), and its articles are left out of the answer.
    """
    runner = runner or Runner()
    features = features or article_features(articles, runner)
    phrases = tuple((t.id, tuple(tuple(_stems(k)) for k in t.keywords)) for t in taxonomy.themes)
    jobs = [(a, keywords.get(a.id, ())) for a in articles]
    taxonomy_key = item_key(phrases)
    tail = runner.source_of(taxonomy_key)
    seed_sources = [a + runner.source_of(k) + tail  # by their identities
                    for a, (_, k) in zip(runner.sources(articles), jobs)]
    seed_scores = runner.map_grouped("theme-seeds", partial(seed_scores_of, phrases), jobs, seed_sources,
                                     runner.day_groups(articles))
    kept = kept or {}
    parts = [part for part in volumes(articles) if not all(articles[i].id in kept for i in part.members)]
    learning_key = item_key(taxonomy)
    learned = runner.map("theme-learning", partial(_learn_volume, features.of(articles), seed_scores, taxonomy),
                         parts, keys=[_volume_key(learning_key, seed_sources, part) for part in parts])
    assignments: list[ThemeAssignment | None] = [None] * len(articles)
    for part, found in zip(parts, learned):
        for i, assignment in zip(part.members, found):
            assignments[i] = assignment
    return {article.id: assignment for article, assignment in zip(articles, assignments) if assignment is not None}


def seed_scores_of(phrases: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...],
                   job: tuple[Article, tuple[str, ...]]) -> dict[str, float]:
    """Seed score of one article (with its keywords) for each theme, given the themes' stemmed phrases."""
    article, article_keywords = job
    tokens = _Positions(_stems(f"{article.title}\n{article.text}"))
    key_stems = {" ".join(_stems(k)) for k in article_keywords}
    return {tid: _score(tokens, [list(seed) for seed in seeds], key_stems) for tid, seeds in phrases}


def _stems(text: str) -> list[str]:
    return [textlib.stem(w) for w in textlib.words(text)]


class _Positions:
    """A token list with the positions of each token, to count phrases without scanning."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.at: dict[str, list[int]] = {}
        for i, token in enumerate(tokens):
            self.at.setdefault(token, []).append(i)


def _score(tokens: _Positions, seeds: list[list[str]], key_stems: set[str]) -> float:
    score = 0.0
    for seed in dict.fromkeys(tuple(s) for s in seeds if s):
        count = _count(tokens, list(seed))
        if count:
            weight = 1.0 + 0.5 * (len(seed) - 1)
            in_keywords = any(" ".join(seed) in k for k in key_stems)
            score += (1.0 + math.log(count)) * weight * (1.5 if in_keywords else 1.0)
    return round(score, 4)


def _count(tokens: _Positions, seed: list[str]) -> int:
    n = len(seed)
    return sum(1 for i in tokens.at.get(seed[0], ()) if n == 1 or tokens.tokens[i:i + n] == seed)


def _confident(scores: dict[str, float], taxonomy: Taxonomy) -> str | None:
    ranked = sorted(scores.items(), key=lambda p: (-p[1], p[0]))
    best, runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    return best[0] if best[1] >= taxonomy.min_score and best[1] >= CONFIDENT_MARGIN * runner_up else None


def _volume_key(learning_key: str, seed_sources: list[str], volume: Volume) -> str:
    """What a volume's learning depends on: the taxonomy, and which articles (with what their seed
    scores come from) it learns from and answers for; not where they stand in the corpus. It
    starts with the volume's name, which a build that looks up some months only prunes by
    (`Runner.uses_part`)."""
    members = set(volume.members)
    return f"{volume.name}:" + item_key(learning_key, tuple(f"{i in members:d}{seed_sources[i]}" for i in volume.context))


def _learn_volume(features: FeatureSet, seed_scores, taxonomy: Taxonomy, volume: Volume) -> list[ThemeAssignment]:
    """The themes of a volume's articles: each article's seed scores, raised by its posterior from a
    model learned on the volume's context (kept in the cache as they are, so a volume learned
    before costs a lookup)."""
    rows = np.array(volume.context, dtype=np.int64)
    posteriors = _learn(features.rows(rows), [seed_scores[i] for i in volume.context], taxonomy)
    members = set(volume.members)
    bonus = LEARNED_WEIGHT * taxonomy.min_score
    return [_choose({tid: round(s + bonus * posterior.get(tid, 0.0), 4) for tid, s in seed_scores[i].items()}, taxonomy)
            for i, posterior in zip(volume.context, posteriors) if i in members]


def _learn(table: TermTable, seed_scores, taxonomy) -> list[dict[str, float]]:
    """Each article's posterior over the themes that learned from the corpus (empty when none did)."""
    labels = [_confident(s, taxonomy) for s in seed_scores] if len(table) else []
    examples = Counter(label for label in labels if label)
    learning = [t.id for t in taxonomy.themes if examples[t.id] >= MIN_EXAMPLES]
    if len(learning) < 2:
        return [{} for _ in range(len(table))]
    corpus = _Bags(table)
    vocabulary = corpus.vocabulary
    fixed = np.array([[1.0 if label == t else 0.0 for t in learning] for label in labels])
    is_fixed = np.array([label in learning for label in labels])
    weights = fixed.copy()
    for _ in range(ROUNDS + 1):
        log_prior, log_word = _train(corpus, weights, vocabulary)
        posteriors = _posterior(corpus, log_prior, log_word)
        weights = np.where(is_fixed[:, None], fixed, posteriors)
    for theme_id in learning:
        log.info("theme %s learned from %d confident articles", theme_id, examples[theme_id])
    return [dict(zip(learning, map(float, row))) for row in posteriors]


class _Bags:
    """Term counts of all articles as flat arrays (article index, term index, count), over the
    vocabulary of terms found in two articles or more, numbered in sorted order."""

    def __init__(self, table: TermTable):
        df = np.bincount(table.ids, minlength=len(table.terms))
        kept = np.flatnonzero(df >= 2)
        names = [table.terms[t] for t in kept.tolist()]
        column = np.full(len(table.terms), -1, dtype=np.int64)
        column[kept[sorted(range(len(names)), key=names.__getitem__)]] = np.arange(len(names), dtype=np.int64)
        cols = column[table.ids]
        rows = np.repeat(np.arange(len(table), dtype=np.int64), table.sizes)
        known = cols >= 0
        self.docs = len(table)
        self.vocabulary = len(names)
        self.rows = rows[known]
        self.cols = cols[known]
        self.counts = table.counts[known]


def _train(corpus: _Bags, weights: np.ndarray, vocabulary: int) -> tuple[np.ndarray, np.ndarray]:
    """Log prior of each theme and log probability of each term in each theme (multinomial NB)."""
    weights = np.where(weights < 0.01, 0.0, weights)
    prior = weights.sum(axis=0)
    log_prior = np.log((prior + 1) / (prior.sum() + weights.shape[1]))
    log_word = np.empty((weights.shape[1], vocabulary))
    for t in range(weights.shape[1]):
        bag = np.bincount(corpus.cols, weights=weights[corpus.rows, t] * corpus.counts, minlength=vocabulary)
        log_word[t] = np.log((bag + SMOOTHING) / (bag.sum() + SMOOTHING * vocabulary))
    return log_prior, log_word


def _posterior(corpus: _Bags, log_prior: np.ndarray, log_word: np.ndarray) -> np.ndarray:
    """Each article's posterior over the themes."""
    likelihood = np.empty((corpus.docs, len(log_prior)))
    for t in range(len(log_prior)):
        likelihood[:, t] = log_prior[t] + np.bincount(corpus.rows, weights=corpus.counts * log_word[t, corpus.cols],
                                                      minlength=corpus.docs)
    likelihood -= likelihood.max(axis=1, keepdims=True)
    odds = np.exp(likelihood)
    return odds / odds.sum(axis=1, keepdims=True)


def _choose(scores: dict[str, float], taxonomy: Taxonomy) -> ThemeAssignment:
    ranked = sorted(((tid, s) for tid, s in scores.items() if s > 0), key=lambda p: (-p[1], p[0]))
    if not ranked or ranked[0][1] < taxonomy.min_score:
        return ThemeAssignment((), tuple(ranked))
    floor = max(taxonomy.min_score, taxonomy.relative_score * ranked[0][1])
    return ThemeAssignment(tuple(tid for tid, s in ranked if s >= floor), tuple(ranked))
