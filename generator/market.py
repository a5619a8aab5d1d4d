"""Market: the facts of each story reconciled across its articles (key moves, quotes, names)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from generator.factrecords import KeyMove, MarketFacts, Move, StoryFacts
from generator.records import Story
from generator.runner import Runner, code_fingerprint


def reconcile(stories: tuple[Story, ...], facts: MarketFacts, runner: Runner | None = None) -> MarketFacts:
    """The facts with one StoryFacts per story: one key-move row per instrument and session.

    With the runner that read the articles' facts, each story's facts are named by what they are
    made from (the story's articles and the identities of their facts; `Runner.identify`)."""
    reconciled = {s.id: _story(s, facts) for s in stories}
    if runner is not None:
        code = code_fingerprint(__name__)
        for story in stories:
            members = [*story.articles, *(c for c, _ in story.copies)]
            sources = [runner.identity(facts.articles.get(a)) for a in members]
            if all(sources):  # written out (`source_of`) and hashed: ten thousand stories at 20,000 articles
                text = runner.source_of(str(len(story.articles)), *story.articles, str(len(story.copies)),
                                        *(a for pair in story.copies for a in pair), *sources)
                key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
                runner.identify(reconciled[story.id], f"market@{code}/{key}")
    return replace(facts, stories=reconciled)


def _story(story: Story, facts: MarketFacts) -> StoryFacts:
    article_ids = [a for a in story.articles if a in facts.articles]
    article_ids += [c for c, _ in story.copies if c in facts.articles and c not in article_ids]
    rows: dict[tuple[str, str], list[Move]] = {}
    others: list[Move] = []
    for article_id in story.articles:
        for move in facts.articles[article_id].moves:
            row = rows.setdefault((move.entity, move.session), []) if move.kind == "move" else None
            if row is not None and not any(_same(move, m) for m in row):
                row.append(move)
            elif row is None:
                others.append(move)
    key_moves = tuple(KeyMove(entity, session, tuple(moves), _disputed(moves))
                      for (entity, session), moves in rows.items() if moves)
    quotes = tuple(q for a in story.articles for q in facts.articles[a].quotes)
    entities = tuple(dict.fromkeys(e for a in article_ids for e in facts.articles[a].entities))
    return StoryFacts(key_moves, tuple(others), quotes, entities)


def _disputed(moves: list[Move]) -> bool:
    """Sources disagree when two articles give different directions or sizes for one session."""
    by_article: dict[str, set] = {}
    for move in moves:
        by_article.setdefault(move.article, set()).add((move.direction, move.size, move.size_high, move.level_value))
    if len(by_article) < 2:
        return False
    figures = [f for fs in by_article.values() for f in fs]
    sizes = {(d, s, h) for d, s, h, _ in figures if s is not None}
    directions = {d for d, *_ in figures if d}
    return len(directions) > 1 or len(sizes) > 1


def _same(a: Move, b: Move) -> bool:
    """One article stating the same figure twice."""
    return (a.article, a.direction, a.size, a.size_high, a.level_value) == (
        b.article, b.direction, b.size, b.size_high, b.level_value)
