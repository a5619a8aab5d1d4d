import pytest

from generator.errors import ConfigError
from generator.taxonomy import load_taxonomy, parse_taxonomy
from generator.themes import assign_themes

TAXONOMY = {
    "min_score": 2.0,
    "relative_score": 0.3,
    "themes": [
        {"name": "Oil", "description": "Crude.", "keywords": ["oil", "crude", "OPEC", "barrel"]},
        {"name": "Rates", "description": "Central banks.", "keywords": ["interest rate", "central bank", "inflation"]},
        {"name": "Football", "description": "Sport.", "keywords": ["goal", "striker"]},
    ],
}


def test_articles_carry_every_strong_theme_and_the_strongest_is_primary(article_factory):
    taxonomy = parse_taxonomy(TAXONOMY, "test")
    article = article_factory(
        "Oil prices jumped as OPEC cut output and crude stocks fell by a million barrels. "
        "Traders said higher oil prices could push inflation up and delay an interest rate cut by the central bank.")
    assignment = assign_themes((article,), {}, taxonomy)[article.id]
    assert assignment.themes == ("oil", "rates")
    assert assignment.primary == "oil"
    assert "football" not in assignment.themes


def test_an_article_matching_nothing_has_no_theme(article_factory):
    taxonomy = parse_taxonomy(TAXONOMY, "test")
    article = article_factory("The museum opened a new wing for modern painting on Sunday afternoon.")
    assert assign_themes((article,), {}, taxonomy)[article.id].themes == ()


def test_a_weak_secondary_match_is_not_carried(article_factory):
    taxonomy = parse_taxonomy(TAXONOMY, "test")
    article = article_factory(
        "Oil rose. Crude oil rose again as OPEC met, and oil barrels were scarce; crude was in demand. "
        "Inflation was mentioned once.")
    assert assign_themes((article,), {}, taxonomy)[article.id].themes == ("oil",)


def test_bundled_taxonomy_has_the_market_themes():
    ids = [t.id for t in load_taxonomy().themes]
    assert {"policy-thaw", "ai-rally", "earnings"} <= set(ids)


@pytest.mark.parametrize("data,message", [
    ({"themes": [{"name": "A", "keywords": "oil"}]}, "'themes[0].keywords': expected list"),
    ({"themes": [{"name": "A", "keywords": ["oil"], "colour": "red"}]}, "'themes[0].colour': unknown key"),
    ({"themes": [{"keywords": ["oil"]}]}, "'themes[0].name': missing"),
    ({"themes": []}, "expected at least one theme"),
    ({"min_score": "high", "themes": [{"name": "A", "keywords": ["x"]}]}, "'min_score': expected float"),
    ({"themes": [{"name": "A", "keywords": ["x"]}, {"name": "A", "keywords": ["y"]}]}, "two themes have the id 'a'"),
    ([1, 2], "expected a mapping"),
])
def test_taxonomy_problems_name_the_file_and_key(data, message):
    with pytest.raises(ConfigError, match="^my.yaml: ") as info:
        parse_taxonomy(data, "my.yaml")
    assert message in str(info.value)


def test_taxonomy_file_errors(tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text("themes: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_taxonomy(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_taxonomy(tmp_path / "missing.yaml")
