from generator import text as textlib
from generator.records import Story
from generator.summaries import pick_sentences, summarise

A = ("Oil prices jumped on Monday after OPEC agreed to cut crude output by two million barrels a day. "
     "Brent crude rose 4 per cent to 92 dollars a barrel, its highest level since January. "
     "The cut is the largest since the pandemic and takes effect in November. "
     "Analysts at a large bank said the decision would tighten an already strained market. "
     "Airline shares fell as jet fuel costs were expected to climb.")
B = ("Crude oil climbed on Monday as OPEC ministers backed a deep cut to crude output. "
     "Brent crude rose 4 per cent to 92 dollars a barrel, its highest level since January. "
     "The White House called the decision shortsighted and said it would consult Congress. "
     "US gasoline futures rose 3 per cent in early trading.")


def test_story_summary_has_3_to_5_sentences_from_its_articles_without_repeats(article_factory):
    a, b = article_factory(A, "a.txt"), article_factory(B, "b.txt")
    story = Story("s", "Oil jumps", ("a.txt", "b.txt"), (), None, False, ())
    summary = summarise((story,), (a, b), {"a.txt": ("OPEC",), "b.txt": ("OPEC",)}).stories["s"]
    texts = [s.text for s in summary.sentences]
    assert 3 <= len(texts) <= 5
    assert {s.article for s in summary.sentences} == {"a.txt", "b.txt"}
    assert sum("92 dollars a barrel" in t for t in texts) == 1  # the same fact twice is a repeat
    for s in summary.sentences:
        assert s.text in (a if s.article == "a.txt" else b).text
    vectors = textlib.tfidf([textlib.terms(t) for t in texts])
    assert max(textlib.cosine(vectors[i], vectors[j]) for i in range(len(texts)) for j in range(i)) < 0.5


def test_summary_reads_in_article_order_and_starts_with_a_lead(article_factory):
    a = article_factory(A, "a.txt")
    picked = pick_sentences([a], 3)
    positions = [c.position for c in picked]
    assert positions == sorted(positions) and positions[0] == 0


def test_only_one_lead_sentence_per_story(article_factory):
    a, b = article_factory(A, "a.txt"), article_factory(B, "b.txt")
    picked = pick_sentences([a, b], 5)
    assert sum(1 for c in picked if c.position == 0) == 1


def test_dek_is_one_short_line_and_not_the_headline(article_factory):
    a = article_factory(A, "a.txt")
    story = Story("s", "Oil prices jumped on Monday", ("a.txt",), (), None, False, ())
    dek = summarise((story,), (a,), {}).stories["s"].dek
    assert not dek.startswith("Oil prices jumped on Monday")
    assert len(dek.split()) <= 33


def test_article_summary_is_short(article_factory):
    a = article_factory(A, "a.txt")
    story = Story("s", "Oil", ("a.txt",), (), None, False, ())
    assert len(summarise((story,), (a,), {}).articles["a.txt"]) == 2
