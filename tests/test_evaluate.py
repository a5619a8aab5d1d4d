"""Evaluation on a tiny labelled corpus written inline."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from generator.evaluate import GENERATOR, evaluate, reference_sentences
from generator.quality import TEMPLATES_DEFAULT, main, render_quality, shortfalls

TAXONOMY = """\
min_score: 1.0
themes:
  - id: sport
    name: Sport
    description: Matches and players.
    keywords: [football, match, striker]
  - id: music
    name: Music
    description: Bands and records.
    keywords: [album, band, singer]
"""

ARTICLES = {
    "sport/001.txt": ("Cup *final* won late",
                      "The football match in Leeds was settled by a late goal from the young striker. "
                      "Fans had waited for three hours in the cold rain outside the old ground. "
                      "The striker said the winning goal was the best moment of his football career."),
    "sport/003.txt": ("Derby match ends level",
                      "The derby match between the two city clubs ended in a goalless draw on Sunday. "
                      "Neither striker found the net although both teams had many chances in the match."),
    "music/001.txt": ("Band *tops* the chart",
                      "The band from Glasgow went straight to number one with its second album this week. "
                      "The singer thanked fans who had bought the album on the day of its release. "
                      "A tour of thirty cities will follow in the spring and summer."),
    "music/003.txt": ("Singer plans new album",
                      "The singer told reporters that a new album with the band would come out next year. "
                      "Recording will start in a small studio in Dublin after the Christmas break."),
}
SUMMARIES = {
    "sport/001.txt": "The striker said the winning goal was the best moment of his football career."
                     "The football match in Leeds was settled by a late goal from the young striker.",
    "sport/003.txt": "The derby match between the two city clubs ended in a goalless draw on Sunday.",
    "music/001.txt": "The singer thanked fans who had bought the album on the day of its release.",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    for article_id, (title, body) in ARTICLES.items():
        path = tmp_path / "bbc" / "articles" / article_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    copy = tmp_path / "bbc" / "articles" / "music" / "005.txt"
    copy.write_text((tmp_path / "bbc" / "articles" / "music" / "001.txt").read_text(encoding="utf-8"), encoding="utf-8")
    for article_id, text in SUMMARIES.items():
        path = tmp_path / "bbc" / "summaries" / article_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "themes.yaml").write_text(TAXONOMY, encoding="utf-8")
    return tmp_path


def test_reference_sentences_tell_closing_from_opening_quotes():
    assert reference_sentences('He said "no."Then he left."Why?" she asked.') == [
        'He said "no."', "Then he left.", '"Why?" she asked.']


def test_reference_sentences_split_where_sentences_were_joined():
    assert reference_sentences('Sales rose 2.5% to $10.9bn.For the year, "it was fine."The end.') == [
        "Sales rose 2.5% to $10.9bn.", 'For the year, "it was fine."', "The end."]


def test_evaluate_scores_themes_summaries_and_duplicates(corpus, caplog):
    with caplog.at_level(logging.WARNING):
        evaluation = evaluate(corpus / "bbc", corpus / "themes.yaml")
    assert evaluation.articles == 4  # the byte-identical copy is kept once, and listed as a duplicate
    assert evaluation.theme_macro_f1 == 1.0
    assert dict(evaluation.theme_f1) == {"music": 1.0, "sport": 1.0}
    assert [(d.copy, d.kept) for d in evaluation.duplicates] == [("music/005.txt", "music/001.txt")]
    assert evaluation.summaries == 3
    assert evaluation.reference_sentences == pytest.approx(4 / 3)
    assert [r.summariser for r in evaluation.rouge] == [GENERATOR, "Lead-N", "TextRank"]
    assert all(0.0 < r.rouge1 <= 1.0 and r.rouge_l <= r.rouge1 for r in evaluation.rouge)
    assert "music/003.txt: no reference summary; summary not scored" in caplog.text
    assert "music/005.txt" in caplog.text  # no reference either


def test_quality_page_escapes_headlines_and_lists_every_table(corpus):
    page = render_quality(evaluate(corpus / "bbc", corpus / "themes.yaml"), TEMPLATES_DEFAULT)
    assert page.startswith("# How good is it?")
    assert "| music/005.txt | music/001.txt | Band \\*tops\\* the chart | Band \\*tops\\* the chart |" in page
    assert "| Generator |" in page and "| TextRank |" in page
    assert "| Macro-F1 of the primary theme against the labels | 1.000 | ≥ 0.920 |" in page


def test_shortfalls_name_a_missed_target(corpus):
    evaluation = evaluate(corpus / "bbc", corpus / "themes.yaml")
    best = max(evaluation.rouge, key=lambda r: r.rouge1)
    misses = shortfalls(evaluation)
    assert (best.summariser == GENERATOR) == (not any("rouge1" in m for m in misses))


def test_command_writes_both_files_and_fails_on_a_missing_corpus(corpus, capsys):
    out, page = corpus / "EVALUATION.md", corpus / "docs" / "quality.md"
    main(["--corpus", str(corpus / "bbc"), "--themes", str(corpus / "themes.yaml"), "--out", str(out), "--page", str(page)])
    assert out.read_text(encoding="utf-8") == page.read_text(encoding="utf-8")
    assert main(["--corpus", str(corpus / "nowhere"), "--themes", str(corpus / "themes.yaml")]) == 1
    assert "error:" in capsys.readouterr().err
