"""Themes: seed phrases start the assignment, the corpus teaches the rest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.ingest import read_corpus
from generator.keywords import extract_keywords
from generator.records import Taxonomy, Theme
from generator.taxonomy import load_taxonomy
from generator.themes import MIN_EXAMPLES, assign_themes
from tests.conftest import make_article

TAXONOMY = Taxonomy(
    themes=(
        Theme("sport", "Sport", "Matches and players.", ("football", "match")),
        Theme("music", "Music", "Bands and records.", ("album", "band")),
    ),
    min_score=1.0,
    relative_score=0.3,
    source="inline",
)

SPORT = "The football match ended late. Our striker scored from the penalty spot in the second half. Supporters sang loudly."
MUSIC = "The band released a new album. The guitarist and the drummer recorded it in a studio in Berlin. Critics praised the lyrics."
UNSEEDED = "A striker missed a penalty in the second half. The supporters booed the referee for a long time after that."


def _corpus(examples: int):
    articles = [make_article(SPORT, f"s{i}.txt") for i in range(examples)]
    articles += [make_article(MUSIC, f"m{i}.txt") for i in range(examples)]
    return (*articles, make_article(UNSEEDED, "x.txt"))


def test_seed_words_alone_assign_the_seeded_articles():
    themes = assign_themes(_corpus(2), {}, TAXONOMY)
    assert themes["s0.txt"].primary == "sport"
    assert themes["m1.txt"].primary == "music"


def test_few_examples_teach_nothing():
    assert assign_themes(_corpus(MIN_EXAMPLES - 1), {}, TAXONOMY)["x.txt"].themes == ()


def test_words_learned_from_confident_articles_theme_an_unseeded_one():
    themes = assign_themes(_corpus(MIN_EXAMPLES), {}, TAXONOMY)
    assert themes["x.txt"].primary == "sport"
    assert themes["m0.txt"].primary == "music"


@pytest.fixture(scope="module")
def seed_themes():
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    articles = read_corpus(seeds).articles
    themes = assign_themes(articles, extract_keywords(articles), load_taxonomy())
    return {a.id[:3]: set(themes[a.id].themes) for a in articles}


def test_market_taxonomy_still_themes_the_seed_articles(seed_themes):
    assert all("ai-rally" in themes for themes in seed_themes.values())
    assert all("policy-thaw" in seed_themes[k] for k in ("000", "001", "002"))
    assert all("earnings" in seed_themes[k] for k in ("003", "004"))


def _dated(articles, day):
    from dataclasses import replace
    return tuple(replace(a, date=day) for a in articles)


def test_a_month_learns_from_itself_and_the_month_before_only(monkeypatch):
    import generator.volumes

    monkeypatch.setattr(generator.volumes, "MIN_CONTEXT", 0)
    examples = _dated(_corpus(MIN_EXAMPLES)[:-1], dt.date(2025, 1, 10))
    unseeded = make_article(UNSEEDED, "x.txt")
    for day, learned in ((dt.date(2025, 1, 20), True), (dt.date(2025, 2, 3), True), (dt.date(2025, 3, 3), False)):
        themes = assign_themes(examples + _dated((unseeded,), day), {}, TAXONOMY)
        assert (themes["x.txt"].primary == "sport") == learned, day


def test_articles_of_a_later_month_leave_an_earlier_months_scores_as_they_were():
    mixed = make_article("A striker missed a penalty. The guitarist recorded it in a studio in Berlin.", "y.txt")
    january = _dated((*_corpus(MIN_EXAMPLES), mixed), dt.date(2025, 1, 10))
    april = _dated([make_article(f"{SPORT} The guitarist and the drummer recorded it in a studio.", f"a{i}.txt")
                    for i in range(MIN_EXAMPLES)], dt.date(2025, 4, 1))
    before = assign_themes(january, {}, TAXONOMY)
    after = assign_themes(january + april, {}, TAXONOMY)
    assert all(after[a.id] == before[a.id] for a in january)
    assert after["a0.txt"].primary == "sport"


def test_a_month_of_a_thin_archive_learns_from_earlier_months():
    examples = _dated(_corpus(MIN_EXAMPLES)[:-1], dt.date(2025, 1, 10))
    themes = assign_themes(examples + _dated((make_article(UNSEEDED, "x.txt"),), dt.date(2025, 3, 3)), {}, TAXONOMY)
    assert themes["x.txt"].primary == "sport"
