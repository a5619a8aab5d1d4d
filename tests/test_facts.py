"""Facts and reconciliation on small inline articles."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.errors import ConfigError
from generator.facts import extract_facts
from generator.market import reconcile
from generator.records import Story
from generator.registry import load_registry
from tests.conftest import make_article


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def facts_of(registry, *texts):
    articles = tuple(make_article(t, f"{n}.txt", date=dt.date(2025, 2, 21)) for n, t in enumerate(texts))
    return articles, extract_facts(articles, registry)


def moves(facts, article="0.txt"):
    return [(m.entity, m.direction, m.size, m.size_high, m.qualifier, m.period)
            for m in facts.articles[article].moves if m.kind == "move"]


def test_several_names_share_one_move(registry):
    _, facts = facts_of(registry, "The blue-chip CSI300 and the Shanghai Composite indexes fell 0.9 per cent each.")
    assert moves(facts) == [("csi-300", "down", 0.9, None, None, "day"),
                            ("shanghai-composite-index", "down", 0.9, None, None, "day")]


def test_range_qualifier_and_session(registry):
    _, facts = facts_of(registry, "Shares of Nvidia and Tesla jumped between 2 per cent and 4.5 per cent in "
                                  "premarket trading. Microsoft rose by the daily limit of 10% on Thursday.")
    assert moves(facts) == [("nvidia", "up", 2.0, 4.5, None, "premarket"), ("tesla", "up", 2.0, 4.5, None, "premarket"),
                            ("microsoft", "up", 10.0, None, "the daily limit of", "Thursday")]


def test_fundamentals_are_not_moves(registry):
    _, facts = facts_of(registry, "Apple said quarterly profits rose 12% to $20bn. Inflation fell to 2.1%.")
    assert moves(facts) == []


def test_unknown_names_and_tickers_are_kept(registry):
    _, facts = facts_of(registry, "Acme Widgets (NYSE:ACME) shares slipped 3% while the Foo Bar Index gained 1.5%.")
    names = {e.id: e for e in facts.entities.values()}
    assert moves(facts) == [("acme-widgets", "down", 3.0, None, None, "day"),
                            ("foo-bar-index", "up", 1.5, None, None, "day")]
    assert names["acme-widgets"].tickers == ("NYSE:ACME",) and not names["acme-widgets"].known


def test_level_flow_and_forecast_are_kept_apart(registry):
    _, facts = facts_of(registry, "Gold prices jumped to $2,950.50 an ounce. Goldman Sachs raised its forecast for "
                                  "the S&P 500 to 6,500 from 6,200. Northbound flows totalled US$2 billion.")
    kinds = [(m.kind, m.entity, m.size, m.level_value) for m in facts.articles["0.txt"].moves]
    assert kinds == [("move", "gold", None, 2950.5), ("forecast", "s-p-500", 6500.0, None),
                     ("flow", "northbound-flows", 2e9, None)]


def test_quote_from_a_note_and_a_person(registry):
    _, facts = facts_of(registry, "“Valuations still look cheap for the sector,” analysts at Morgan Stanley said in a note.\n\n"
                                  "“We expect more gains ahead this year,” said Jane Doe, chief strategist at Acme Capital.")
    quotes = facts.articles["0.txt"].quotes
    assert [(q.speaker, q.in_note) for q in quotes] == [("analysts at Morgan Stanley", True), ("Jane Doe", False)]
    assert quotes[1].affiliation == "chief strategist at Acme Capital"


def test_disagreeing_sources_are_disputed_but_sessions_are_not(registry):
    articles, facts = facts_of(registry, "Tencent rose 2% on Friday. Tencent is up 20% this year.",
                               "Tencent jumped 2.3% on Friday.")
    story = Story("s", "h", ("0.txt", "1.txt"), (), dt.date(2025, 2, 21), False, ())
    rows = {(r.entity, r.session): r for r in reconcile((story,), facts).stories["s"].key_moves}
    assert rows[("tencent", "day")].disputed and len(rows[("tencent", "day")].figures) == 2
    assert not rows[("tencent", "year to date")].disputed


def test_registry_errors_name_file_and_key(tmp_path):
    path = tmp_path / "entities.yaml"
    path.write_text("entities:\n  - {name: Foo, kind: company, colour: red}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"entities.yaml: entities\[0\].colour: unknown key"):
        load_registry(path)
