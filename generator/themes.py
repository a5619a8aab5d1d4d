"""Themes: score every article against every theme's seed phrases; keep the strong ones.

A theme's score for an article adds, for each of its seed phrases found in the text, one point
plus the log of how often it occurs, weighted up for longer (more specific) phrases and for
phrases that also stand among the article's keywords. An article carries every theme that
reaches the taxonomy's `min_score` and `relative_score` of its best theme; the best is primary.
"""

from __future__ import annotations

import math

from generator import text as textlib
from generator.records import Article, Taxonomy, ThemeAssignment


def assign_themes(
    articles: tuple[Article, ...], keywords: dict[str, tuple[str, ...]], taxonomy: Taxonomy
) -> dict[str, ThemeAssignment]:
    """Article id to the themes it carries, strongest first."""
    phrases = {t.id: [_stems(k) for k in t.keywords] for t in taxonomy.themes}
    out = {}
    for article in articles:
        tokens = _stems(f"{article.title}\n{article.text}")
        key_stems = {" ".join(_stems(k)) for k in keywords.get(article.id, ())}
        scores = {tid: _score(tokens, seeds, key_stems) for tid, seeds in phrases.items()}
        out[article.id] = _choose(scores, taxonomy)
    return out


def _stems(text: str) -> list[str]:
    return [textlib.stem(w) for w in textlib.words(text)]


def _score(tokens: list[str], seeds: list[list[str]], key_stems: set[str]) -> float:
    score = 0.0
    for seed in {tuple(s) for s in seeds if s}:
        count = _count(tokens, list(seed))
        if count:
            weight = 1.0 + 0.5 * (len(seed) - 1)
            in_keywords = any(" ".join(seed) in k for k in key_stems)
            score += (1.0 + math.log(count)) * weight * (1.5 if in_keywords else 1.0)
    return round(score, 4)


def _count(tokens: list[str], seed: list[str]) -> int:
    n = len(seed)
    first = seed[0]
    return sum(1 for i, t in enumerate(tokens) if t == first and tokens[i:i + n] == seed)


def _choose(scores: dict[str, float], taxonomy: Taxonomy) -> ThemeAssignment:
    ranked = sorted(((tid, s) for tid, s in scores.items() if s > 0), key=lambda p: (-p[1], p[0]))
    if not ranked or ranked[0][1] < taxonomy.min_score:
        return ThemeAssignment((), tuple(ranked))
    floor = max(taxonomy.min_score, taxonomy.relative_score * ranked[0][1])
    return ThemeAssignment(tuple(tid for tid, s in ranked if s >= floor), tuple(ranked))
