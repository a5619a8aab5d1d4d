"""The baseline summarisers the generator is measured against."""

from __future__ import annotations

from generator.baselines import lead, textrank

SENTENCES = [
    "Apple sold more phones this quarter.",
    "The weather in London was mild.",
    "Apple phones sold well in China this quarter.",
    "Analysts said Apple phones sold better than expected.",
]


def test_lead_takes_the_first_sentences():
    assert lead(SENTENCES, 2) == SENTENCES[:2]


def test_textrank_picks_the_connected_sentences_in_reading_order():
    assert textrank(SENTENCES, 2) == [SENTENCES[0], SENTENCES[2]]
    assert SENTENCES[1] not in textrank(SENTENCES, 3)


def test_textrank_returns_everything_when_asked_for_more():
    assert textrank(SENTENCES[:2], 5) == SENTENCES[:2]
