import subprocess
import sys

from generator.keywords import CANDIDATES, article_keywords, clean_keywords, merge_keywords
from tests.golden import ROOT

BODY = (
    "Chinese stocks rallied on hopes that President Xi Jinping's rare meeting with founders "
    "foreshadowed a regulatory U-turn. The Hang Seng Tech Index climbed 2.5 per cent, and the "
    "Hang Seng Tech Index is up 30 per cent this month. Analysts said the tech entrepreneurs foreshadowed change."
)


def test_fragment_across_a_possessive_is_rejected():
    assert clean_keywords(["Jinping rare meeting"], BODY) == []


def test_phrase_ending_in_a_verb_is_rejected():
    assert clean_keywords(["tech entrepreneurs foreshadowed"], BODY) == []


def test_pieces_of_one_name_grow_into_the_whole_name_once():
    assert clean_keywords(["Hang Seng Tech", "Seng Tech Index"], BODY) == ["Hang Seng Tech Index"]


def test_whole_phrases_are_kept_with_their_surface_form():
    assert clean_keywords(["regulatory u-turn", "President Xi Jinping"], BODY) == ["regulatory U-turn", "President Xi Jinping"]


def test_a_phrase_inside_a_kept_phrase_is_not_repeated():
    assert clean_keywords(["Hang Seng Tech Index", "Tech Index"], BODY) == ["Hang Seng Tech Index"]


def test_generic_single_words_and_units_are_not_keywords():
    assert clean_keywords(["stocks", "cent", "per cent"], BODY) == []


def test_leading_modifier_is_dropped_from_a_name():
    body = "Hong Kong-listed Alibaba rose. Alibaba said sales grew."
    assert clean_keywords(["Hong Kong-listed Alibaba"], body) == ["Alibaba"]


def test_article_keywords_come_from_yake_and_are_clean(article_factory):
    article = article_factory(BODY)
    keywords = article_keywords(article)
    assert "Hang Seng Tech Index" in keywords
    assert not any(k in keywords for k in ("Jinping rare meeting", "Seng Tech Index", "Hang Seng Tech"))


def test_merge_ranks_shared_keywords_first_and_drops_contained_ones():
    merged = merge_keywords([("Alibaba", "Hang Seng Index"), ("Hang Seng Index", "Lenovo"), ("Hang Seng",)])
    assert merged[0] == "Hang Seng Index"
    assert "Hang Seng" not in merged and set(merged) == {"Alibaba", "Hang Seng Index", "Lenovo"}


def test_yake_on_plain_dictionaries_gives_the_same_keywords_and_scores(monkeypatch):
    import networkx
    import numpy
    import yake.data.core
    import yake.data.single_word

    from generator.keywords import _extractor

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").rglob("*")) if p.is_file()]
    texts += [BODY, "Shares rose. Shares fell. Shares rose again as Hang Seng rose and Hang Seng Tech fell.", ""]
    fast = _extractor()
    assert yake.data.core.nx is not networkx  # the plain graph is in use
    ours = [fast.extract_keywords(text) for text in texts]
    monkeypatch.setattr(yake.data.core, "nx", networkx)
    monkeypatch.setattr(yake.data.single_word, "np", numpy)
    reference = yake.KeywordExtractor(lan="en", n=3, top=CANDIDATES, dedup_lim=1.0)
    assert ours == [reference.extract_keywords(text) for text in texts]
    assert sum(len(k) for k in ours) > 100


def _in_a_fresh_process(*lines: str) -> None:
    """Run the lines as a script in a new interpreter (with nothing imported yet); fail with its error."""
    result = subprocess.run([sys.executable, "-c", "import sys\n" + "\n".join(lines)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_yake_is_imported_without_networkx_and_networkx_stays_importable():
    _in_a_fresh_process(
        "from generator.keywords import _extractor",
        f"found = [k.lower() for k, _ in _extractor().extract_keywords({BODY!r})]",
        "assert 'hang seng tech' in found, found",
        "assert 'networkx' not in sys.modules",
        "import networkx",
        "assert networkx.DiGraph().number_of_nodes() == 0",
    )


def test_reading_terms_imports_neither_yake_nor_networkx():
    _in_a_fresh_process(
        "from generator.text import terms",
        "assert terms('The Hang Seng Index rose on Tuesday') == ['hang', 'seng', 'index', 'rose']",
        "assert 'yake' not in sys.modules and 'networkx' not in sys.modules, sorted(sys.modules)",
    )
