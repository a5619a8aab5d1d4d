"""Extraction scored against the hand-checked gold files in tests/gold/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.facts import extract_facts
from generator.ingest import clean, read_corpus, read_plain
from generator.registry import load_registry
from tests.scoring import score_companies, score_moves, score_quotes

GOLD = Path(__file__).parent / "gold"
SEEDS = Path(__file__).parent.parent / "seeds"
BBC = Path(__file__).parent.parent.parent / "shared" / "corpora" / "bbc-dev"
if not BBC.is_dir():
    BBC = Path("/work/shared/corpora/bbc-dev")


@pytest.fixture(scope="module")
def seed_facts():
    gold = yaml.safe_load((GOLD / "seeds.yaml").read_text(encoding="utf-8"))
    return gold, extract_facts(read_corpus(SEEDS).articles, load_registry())


def test_seed_moves_precision_and_recall(seed_facts):
    gold, facts = seed_facts
    score = score_moves(facts, gold)
    assert score.precision >= 0.95 and score.recall >= 0.95, score


def test_seed_flows_and_forecasts_are_their_own_kinds(seed_facts):
    gold, facts = seed_facts
    assert score_moves(facts, gold, "flow", "flows").recall == 1.0
    assert score_moves(facts, gold, "forecast", "forecasts").recall == 1.0


def test_seed_quotes(seed_facts):
    gold, facts = seed_facts
    score = score_quotes(facts, gold)
    assert score.recall >= 0.9 and score.precision >= 0.9, score


def test_seed_companies(seed_facts):
    gold, facts = seed_facts
    assert score_companies(facts, gold).recall >= 0.8


@pytest.mark.skipif(not BBC.is_dir(), reason="bbc-dev corpus not available")
def test_bbc_business_moves():
    gold = yaml.safe_load((GOLD / "bbc_business.yaml").read_text(encoding="utf-8"))
    folder = BBC / "articles" / "business"
    articles = tuple(clean(read_plain((folder / name).read_text(encoding="utf-8", errors="replace")), name)[0]
                     for name in gold["articles"])
    score = score_moves(extract_facts(articles, load_registry()), gold)
    assert score.precision >= 0.9 and score.recall >= 0.9, score
