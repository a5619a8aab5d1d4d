"""Themes: score every article against the taxonomy's seed phrases, then learn from the corpus.

1. **Seeds.** A theme's seed score for an article adds, for each of its seed phrases found in the
   text, one point plus the log of how often it occurs, weighted up for longer (more specific)
   phrases and for phrases that also stand among the article's keywords.
2. **Learning.** Articles the seeds assign confidently (a best theme reaching `min_score` and
   `CONFIDENT_MARGIN` times the runner-up) are examples of their theme. A naive Bayes model of the
   words of each theme is trained on them, then refined by expectation-maximisation over the whole
   corpus (Nigam et al., 2000): the confident examples keep their label, every other article counts
   for each theme by its posterior. A theme learns only when it has `MIN_EXAMPLES` examples, so a
   handful of articles are themed by their seeds alone.
3. **Choice.** An article's score for a theme is its seed score plus `LEARNED_WEIGHT` times
   `min_score` times the model's posterior. It carries every theme that reaches the taxonomy's
   `min_score` and `relative_score` of its best theme; the best is primary.
"""

from __future__ import annotations

import logging
import math
from collections import Counter

from generator import text as textlib
from generator.records import Article, Taxonomy, ThemeAssignment

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
    articles: tuple[Article, ...], keywords: dict[str, tuple[str, ...]], taxonomy: Taxonomy
) -> dict[str, ThemeAssignment]:
    """Article id to the themes it carries, strongest first."""
    phrases = {t.id: [_stems(k) for k in t.keywords] for t in taxonomy.themes}
    seed_scores = []
    for article in articles:
        tokens = _Positions(_stems(f"{article.title}\n{article.text}"))
        key_stems = {" ".join(_stems(k)) for k in keywords.get(article.id, ())}
        seed_scores.append({tid: _score(tokens, seeds, key_stems) for tid, seeds in phrases.items()})
    posteriors = _learn(articles, seed_scores, taxonomy)
    bonus = LEARNED_WEIGHT * taxonomy.min_score
    out = {}
    for article, seeds, posterior in zip(articles, seed_scores, posteriors):
        scores = {tid: round(s + bonus * posterior.get(tid, 0.0), 4) for tid, s in seeds.items()}
        out[article.id] = _choose(scores, taxonomy)
    return out


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
    for seed in {tuple(s) for s in seeds if s}:
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


def _learn(articles, seed_scores, taxonomy) -> list[dict[str, float]]:
    """Each article's posterior over the themes that learned from the corpus (empty when none did)."""
    labels = [_confident(s, taxonomy) for s in seed_scores] if articles else []
    examples = Counter(label for label in labels if label)
    learning = [t.id for t in taxonomy.themes if examples[t.id] >= MIN_EXAMPLES]
    if len(learning) < 2:
        return [{} for _ in articles]
    docs = [Counter(textlib.article_terms(a)) for a in articles]
    df = Counter(term for doc in docs for term in doc)
    vocabulary = sorted(term for term, n in df.items() if n >= 2)
    docs = [{term: n for term, n in doc.items() if df[term] >= 2} for doc in docs]
    fixed = [{label: 1.0} if label in learning else None for label in labels]
    weights = [w or {} for w in fixed]
    for _ in range(ROUNDS + 1):
        model = _train(docs, weights, learning, vocabulary)
        posteriors = [_posterior(model, doc) for doc in docs]
        weights = [w or p for w, p in zip(fixed, posteriors)]
    for theme_id in learning:
        log.info("theme %s learned from %d confident articles", theme_id, examples[theme_id])
    return posteriors


def _train(docs, weights, themes, vocabulary):
    counts = {t: Counter() for t in themes}
    prior = Counter()
    for doc, weight in zip(docs, weights):
        for theme_id, w in weight.items():
            if w < 0.01:
                continue
            prior[theme_id] += w
            bag = counts[theme_id]
            for term, n in doc.items():
                bag[term] += w * n
    total_prior = sum(prior.values())
    model = {}
    for theme_id in themes:
        bag = counts[theme_id]
        total = sum(bag.values()) + SMOOTHING * len(vocabulary)
        model[theme_id] = (
            math.log((prior[theme_id] + 1) / (total_prior + len(themes))),
            {term: math.log((bag[term] + SMOOTHING) / total) for term in vocabulary},
        )
    return model


def _posterior(model, doc: dict[str, int]) -> dict[str, float]:
    likelihood = {t: log_prior + sum(n * words[term] for term, n in doc.items()) for t, (log_prior, words) in model.items()}
    top = max(likelihood.values())
    odds = {t: math.exp(v - top) for t, v in likelihood.items()}
    total = sum(odds.values())
    return {t: v / total for t, v in odds.items()}


def _choose(scores: dict[str, float], taxonomy: Taxonomy) -> ThemeAssignment:
    ranked = sorted(((tid, s) for tid, s in scores.items() if s > 0), key=lambda p: (-p[1], p[0]))
    if not ranked or ranked[0][1] < taxonomy.min_score:
        return ThemeAssignment((), tuple(ranked))
    floor = max(taxonomy.min_score, taxonomy.relative_score * ranked[0][1])
    return ThemeAssignment(tuple(tid for tid, s in ranked if s >= floor), tuple(ranked))
