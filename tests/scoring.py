"""Scoring of extracted facts against a hand-checked gold file: precision and recall."""

from __future__ import annotations

from dataclasses import dataclass

from generator.factrecords import MarketFacts, Move


@dataclass(frozen=True)
class Score:
    """Matches between extracted items and gold items."""

    matched: int
    extracted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0


def _names(facts: MarketFacts, entity_id: str) -> set[str]:
    entity = facts.entities.get(entity_id)
    return {entity_id, entity.name.lower()} if entity else {entity_id}


def _figure(item) -> float | None:
    if isinstance(item, Move):
        return item.size if item.size is not None else item.level_value
    return item.get("size", item.get("level"))


def _matches(facts: MarketFacts, move: Move, gold: dict) -> bool:
    names = {n.strip().lower() for n in gold["instrument"].split("|")}
    if not names & _names(facts, move.entity):
        return False
    if gold.get("direction") and gold["direction"] != move.direction:
        return False
    figure = _figure(move)
    return figure is not None and abs(figure - float(_figure(gold))) < 1e-6 * max(1.0, abs(figure))


def score_moves(facts: MarketFacts, gold: dict, kind: str = "move", key: str = "moves") -> Score:
    """Moves of each gold article against the gold moves; repeats of one statement count once."""
    matched = extracted = total = 0
    for article_id, expected in gold["articles"].items():
        got = [m for m in facts.articles[article_id].moves if m.kind == kind]
        unique = list({(m.entity, m.direction, _figure(m)): m for m in got}.values())
        wanted = list(expected.get(key) or [])
        free = list(wanted)
        for move in unique:
            hit = next((g for g in free if _matches(facts, move, g)), None)
            if hit is not None:
                free.remove(hit)
                matched += 1
        extracted += len(unique)
        total += len(wanted)
    return Score(matched, extracted, total)


def score_quotes(facts: MarketFacts, gold: dict) -> Score:
    """Speakers quoted per article (one per speaker), against the gold speakers."""
    matched = extracted = total = 0
    for article_id, expected in gold["articles"].items():
        speakers = {q.speaker.lower() for q in facts.articles[article_id].quotes}
        wanted = [g["speaker"].lower() for g in expected.get("quotes", [])]
        matched += sum(any(w in s for s in speakers) for w in wanted)
        extracted += len(speakers)
        total += len(wanted)
    return Score(matched, extracted, total)


def score_companies(facts: MarketFacts, gold: dict) -> Score:
    """Gold companies and institutions found among each article's entities (recall only is meaningful)."""
    matched = total = extracted = 0
    for article_id, expected in gold["articles"].items():
        names = {n for e in facts.articles[article_id].entities for n in _names(facts, e)}
        wanted = [c.lower() for c in expected.get("companies", [])]
        matched += sum(w in names for w in wanted)
        total += len(wanted)
        extracted += sum(facts.entities[e].kind in ("company", "institution")
                         for e in facts.articles[article_id].entities)
    return Score(matched, extracted, total)
