import datetime as dt

import pytest

from generator.ingest import decode, read_corpus, title_from_lead


def read(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding)
    return read_corpus(tmp_path)


LEAD = "Shares of the miner rose 4 per cent on Monday after it raised its full-year output forecast."


def test_headline_line_becomes_title_and_masthead_is_not_text(tmp_path):
    corpus = read(tmp_path, "a.txt", f"Reuters\nMarkets\n\nMiner lifts forecast as copper prices climb\n\n{LEAD}\n")
    article = corpus.articles[0]
    assert article.title == "Miner lifts forecast as copper prices climb"
    assert article.title_origin == "headline"
    assert article.source == "Reuters"
    assert article.paragraphs == (LEAD,)


def test_title_is_written_from_the_lead_when_there_is_no_headline(tmp_path):
    article = read(tmp_path, "a.txt", LEAD + "\nThe company said demand was strong.\n").articles[0]
    assert article.title_origin == "lead"
    assert article.title == "Shares of the miner rose 4 per cent on Monday"


def test_title_from_lead_cuts_at_a_clause_and_stays_short():
    assert title_from_lead("Oil prices fell on Tuesday, extending losses as stockpiles grew.") == "Oil prices fell on Tuesday"
    long = " ".join(["word"] * 30) + "."
    assert title_from_lead(long).endswith("…") and len(title_from_lead(long).split()) == 14


@pytest.mark.parametrize("line", [
    "ALSO READ: Bank raises rates again", "Also Read", "What's New", "Leave a Comment", ")",
    "* By using this form you agree with the storage of your data.", "date 2025-02-21 + ↺ − 16 px",
])
def test_furniture_lines_are_removed(tmp_path, line):
    article = read(tmp_path, "a.txt", f"{LEAD}\n{line}\nThe company said demand was strong in Asia.\n").articles[0]
    assert line not in article.text
    assert "demand was strong" in article.text or line == "What's New"


def test_everything_after_an_end_marker_is_sidebar(tmp_path):
    text = f"{LEAD}\n\nWhat's New\n\nStart-up of the Week: robots\n\nCorrespondent\n"
    article = read(tmp_path, "a.txt", text).articles[0]
    assert article.paragraphs == (LEAD,)
    assert "Start-up of the Week: robots" in article.removed


def test_syndication_disclaimer_is_cut_and_names_the_source(tmp_path):
    text = (f"{LEAD} (Only the headline and picture of this report may have been reworked by the "
            "Daily Ledger staff; the rest of the content is auto-generated from a syndicated feed.)\n")
    article = read(tmp_path, "a.txt", text).articles[0]
    assert article.text == LEAD
    assert article.source == "Daily Ledger"


def test_lead_in_and_reports_name_the_source(tmp_path):
    a = read(tmp_path / "x", "a.txt", f"Marketwire.com-- {LEAD}\n").articles[0]
    assert a.source == "Marketwire.com" and a.text == LEAD
    b = read(tmp_path / "y", "b.txt", f"{LEAD} Shares fell, Ledger.Az reports, citing Bloomberg.\n").articles[0]
    assert b.source == "Ledger.Az"


def test_iso_date_in_the_opening_lines_and_dateline(tmp_path):
    article = read(tmp_path, "a.txt", f" date 2025-02-21 LONDON: {LEAD}\n").articles[0]
    assert article.date == dt.date(2025, 2, 21)
    assert article.dateline == "LONDON"
    assert article.text == LEAD


def test_no_date_is_guessed(tmp_path):
    assert read(tmp_path, "a.txt", LEAD).articles[0].date is None


def test_markdown_front_matter(tmp_path):
    text = f"---\ntitle: Miner lifts forecast\nsource: Example News\ndate: 2025-03-04\nurl: https://example.com/a\n---\n{LEAD}\n"
    article = read(tmp_path, "a.md", text).articles[0]
    assert (article.title, article.source, article.date, article.url) == (
        "Miner lifts forecast", "Example News", dt.date(2025, 3, 4), "https://example.com/a")


def test_front_matter_with_wrong_types_is_ignored_with_a_warning(tmp_path):
    corpus = read(tmp_path, "a.md", f"---\ntitle: [1, 2]\ndate: yesterday\nurl: javascript:alert(1)\n---\n{LEAD}\n")
    article = corpus.articles[0]
    assert article.title_origin == "lead" and article.date is None and article.url is None
    reasons = " ".join(w.reason for w in corpus.warnings)
    assert "'title'" in reasons and "'date'" in reasons and "'url'" in reasons


def test_malformed_front_matter_keeps_the_body(tmp_path):
    corpus = read(tmp_path, "a.md", f"---\ntitle: [unclosed\n---\n{LEAD}\n")
    assert corpus.articles[0].text == LEAD
    assert "not valid YAML" in corpus.warnings[0].reason


def test_html_main_text_only(tmp_path):
    page = f"""<html><head><title>Site</title><meta property="og:site_name" content="Example News">
    <meta property="article:published_time" content="2025-03-04T10:00:00Z"></head>
    <body><nav><p>Home | Markets</p></nav><article><h1>Miner lifts forecast</h1><p>{LEAD}</p>
    <figure><figcaption>A mine.</figcaption></figure><script>alert(1)</script>
    <p>The company said demand was strong in Asia and Europe.</p></article><footer><p>Copyright</p></footer></body></html>"""
    article = read(tmp_path, "a.html", page).articles[0]
    assert article.title == "Miner lifts forecast"
    assert article.source == "Example News" and article.date == dt.date(2025, 3, 4)
    assert article.paragraphs == (LEAD, "The company said demand was strong in Asia and Europe.")


def test_sidecar_corrects_metadata(tmp_path):
    (tmp_path / "a.txt.meta.yaml").write_text("title: Corrected title\nsource: Fixed Source\ndate: 2025-01-02\n")
    article = read(tmp_path, "a.txt", LEAD).articles[0]
    assert (article.title, article.source, article.date) == ("Corrected title", "Fixed Source", dt.date(2025, 1, 2))


def test_sidecar_with_unknown_key_skips_the_article_with_the_reason(tmp_path):
    (tmp_path / "a.txt.meta.yaml").write_text("titel: typo\n")
    corpus = read(tmp_path, "a.txt", LEAD)
    assert not corpus.articles
    assert "unknown key 'titel'" in corpus.skipped[0].reason


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t\n", "whitespace only"),
    ("binary.txt", b"\x00\x01\x02PNG\x00", "binary"),
    (".hidden.txt", LEAD.encode(), "hidden"),
    ("data.csv", b"a,b\n1,2\n", "unsupported file type"),
])
def test_unreadable_files_are_skipped_with_a_reason(tmp_path, name, content, reason):
    corpus = read(tmp_path, name, content)
    assert not corpus.articles
    assert corpus.skipped[0].path == name and reason in corpus.skipped[0].reason


def test_windows_1252_is_decoded_and_noted():
    text, notes = decode("Profits rose to €5m – a record.".encode("cp1252"))
    assert text == "Profits rose to €5m – a record." and "Windows-1252" in notes[0]


def test_bom_utf16_and_line_ends():
    assert decode("\ufeffA\r\nB\rC".encode("utf-8"))[0] == "A\nB\nC"
    assert decode("Été".encode("utf-16"))[0] == "Été"


def test_nested_folders_give_slash_ids(tmp_path):
    corpus = read(tmp_path, "2025/feb/a.txt", LEAD)
    assert corpus.articles[0].id == "2025/feb/a.txt"


def test_sentences_are_segtoks_sentences_whether_or_not_segtok_runs():
    import random

    from segtok.segmenter import split_multi

    from generator.text import sentences

    pieces = ["Shares", "rose", " ", ".", "!", "?", '"', "'", ")", "]", "\n", "\n\n", "Mr.", "U.S.", "3.5", "\u3002",
              "\u2019", "\t", "etc.", "e.g.", "Apple Inc. said"]
    rng = random.Random(7)
    paragraphs = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 16))) for _ in range(20000)]
    fast = sum(1 for p in paragraphs if len(sentences(p)) == 1)
    assert fast > 1000
    for paragraph in paragraphs:
        assert sentences(paragraph) == [s.strip() for s in split_multi(paragraph) if s.strip()], repr(paragraph)


def test_segtoks_abbreviation_search_near_the_end_finds_what_the_whole_search_finds():
    import random

    import segtok.segmenter

    from generator.text import _EndSearch, _search_abbreviations_at_the_end

    _search_abbreviations_at_the_end()
    fast = segtok.segmenter.ABBREVIATIONS
    assert isinstance(fast, _EndSearch)  # segtok is the release the end-only search was worked out for
    whole = fast.pattern
    pieces = ["Mr", "Dr", "No", "U.S", "e.g", "approx", "Professor ", "Commander ", "Señorita ", "by ", ", and ",
              " and ", ", ", "(", "[", "A", "B.", "A.-B", "ʰ", "x", "word ", " ", "\n", "1", "22", ".", "St", "z.B"]
    rng = random.Random(5)
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.4:
            text = "".join(rng.choice(pieces) for _ in range(30)) + text
        if rng.random() < 0.02:
            text = "1" * rng.randint(60, 90) + rng.choice(["", "\n", " x"])
        expected = whole.search(text) is not None
        assert (fast.search(text) is not None) == expected, repr(text)
        found += expected and len(text) > _EndSearch.WINDOW
    assert found > 200


def test_a_stored_article_reads_back_equal_its_body_unpacked_only_when_read(tmp_path):
    import pickle

    from tests.golden import ROOT

    articles = read_corpus(ROOT / "seeds").articles
    for article in articles:
        stored = pickle.dumps(article, protocol=5)
        loaded = pickle.loads(stored)
        assert "paragraphs" not in loaded.__dict__ and "sentences" not in loaded.__dict__
        assert len(stored) < len(article.text.encode("utf-8"))  # the body is stored compressed
        assert pickle.dumps(loaded, protocol=5) == stored  # stored again as it was: keys stay the same
        assert loaded.word_count == article.word_count
        assert "paragraphs" not in loaded.__dict__  # the word count is kept beside the body
        assert loaded.sentences == article.sentences and loaded.paragraphs == article.paragraphs
        assert loaded == article and loaded.text == article.text
