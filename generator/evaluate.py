"""Evaluation: run the generator's stages on a labelled corpus and score what they produce.

A labelled corpus is a folder with `articles/<label>/<name>.txt` (the folder names the label) and
`summaries/<label>/<name>.txt`, each article's reference extractive summary. The same stages as a
build run on it (ingest, keywords, themes, stories, summaries); then:

- themes: macro-F1 of each article's primary theme against its label (theme ids are the labels);
- stories: NMI of the story each article falls in against the labels;
- summaries: ROUGE-1, ROUGE-2 and ROUGE-L (F1, averaged over articles) of each article's summary,
  as long as its reference in sentences, beside the baselines run on the same sentences;
- duplicates: the near-copies the stories stage folded, for a person to check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from generator import metrics
from generator.baselines import BASELINES
from generator.errors import InputError
from generator.ingest import Unreadable, decode, read_corpus
from generator.keywords import extract_keywords
from generator.records import Article, Story
from generator.features import article_features
from generator.stories import group_stories
from generator.summaries import pick_sentences
from generator.taxonomy import load_taxonomy
from generator.themes import assign_themes

log = logging.getLogger(__name__)

GENERATOR = "Generator"
"""Name of the generator's own summariser in the results."""

_JOINED = re.compile(r"[.!?](?=[A-Z‘“(])|[.!?]([\"'’”])(?=[A-Z\"‘“])")


@dataclass(frozen=True)
class Rouge:
    """Mean ROUGE F1 scores of one summariser over the corpus."""

    summariser: str
    """Name of the summariser (the generator's or a baseline's)."""
    rouge1: float
    """Mean ROUGE-1 F1."""
    rouge2: float
    """Mean ROUGE-2 F1."""
    rouge_l: float
    """Mean ROUGE-L F1."""


@dataclass(frozen=True)
class Duplicate:
    """A near-copy the stories stage folded into another article."""

    copy: str
    """Id of the article folded away."""
    kept: str
    """Id of the article it copies."""
    copy_title: str
    """Headline of the copy."""
    kept_title: str
    """Headline of the article kept."""


@dataclass(frozen=True)
class DatedRun:
    """Themes and stories of the same corpus with dates spread over some months."""

    months: int
    """Months the dates spread over."""
    theme_macro_f1: float
    """Macro-F1 of the primary theme against the labels."""
    stories: int
    """Number of stories found."""
    story_nmi: float
    """NMI of the stories against the labels."""


DATED_MONTHS = (3, 12)
"""Spreads of the dated runs: a month then holds about a third, or a twelfth, of the corpus."""

DATED_FROM = dt.date(2024, 1, 1)
"""First day of the dated runs."""


@dataclass(frozen=True)
class Evaluation:
    """Every score of one evaluation run."""

    corpus: str
    """Name of the corpus folder."""
    taxonomy: str
    """The taxonomy file used."""
    articles: int
    """Articles read and scored."""
    skipped: tuple[str, ...]
    """Input files left out or read with a caveat, each with its reason."""
    theme_macro_f1: float
    """Macro-F1 of the primary theme against the labels."""
    theme_f1: tuple[tuple[str, float], ...]
    """F1 of each label, in label order."""
    unthemed: int
    """Articles with no theme at all (counted as wrong)."""
    stories: int
    """Number of stories found."""
    story_nmi: float
    """NMI of the stories against the labels."""
    story_purity: float
    """Share of articles whose story's most common label is their own."""
    summaries: int
    """Articles whose summary was scored (those with a reference)."""
    reference_sentences: float
    """Mean length of the reference summaries, in sentences."""
    rouge: tuple[Rouge, ...]
    """The generator's scores first, then each baseline's."""
    duplicates: tuple[Duplicate, ...]
    """Near-duplicate pairs found."""
    dated: tuple[DatedRun, ...] = ()
    """The same corpus dated, which theme learning and story grouping take month by month
    (`generator.volumes`), where the undated corpus is learned from as a whole."""


def evaluate(corpus: Path, taxonomy_path: Path) -> Evaluation:
    """Run the stages on a labelled corpus and score them."""
    taxonomy = load_taxonomy(taxonomy_path)
    if not (corpus / "articles").is_dir():
        raise InputError(f"{corpus}: expected an 'articles' folder of labelled articles")
    documents = read_corpus(corpus / "articles")
    articles = documents.articles
    keywords = extract_keywords(articles)
    features = article_features(articles)
    themes = assign_themes(articles, keywords, taxonomy, features)
    stories = group_stories(articles, themes, features)
    labels = [_label(a) for a in articles]
    predicted = [themes[a.id].primary for a in articles]
    story_of = _story_of(stories)
    clusters = [story_of[a.id] for a in articles]
    rouge, scored, mean_length = _summary_scores(articles, keywords, corpus / "summaries")
    return Evaluation(
        corpus=corpus.name,
        taxonomy=taxonomy_path.as_posix(),
        articles=len(articles),
        skipped=tuple(f"{s.path}: {s.reason}" for s in (*documents.skipped, *documents.warnings)),
        theme_macro_f1=metrics.macro_f1(labels, predicted),
        theme_f1=tuple(metrics.class_f1(labels, predicted).items()),
        unthemed=sum(1 for p in predicted if p is None),
        stories=len(stories),
        story_nmi=metrics.nmi(labels, clusters),
        story_purity=_purity(labels, clusters),
        summaries=scored,
        reference_sentences=mean_length,
        rouge=rouge,
        duplicates=_duplicates(stories, {a.id: a for a in articles}, documents.skipped),
        dated=tuple(_dated_run(articles, keywords, taxonomy, months) for months in DATED_MONTHS),
    )


def _dated_run(articles: tuple[Article, ...], keywords, taxonomy, months: int) -> DatedRun:
    """Themes and stories of the articles, each dated by the hash of its path within `months`
    months (so the same article always gets the same date)."""
    days = 30 * months
    dated = tuple(replace(a, date=DATED_FROM + dt.timedelta(days=int(hashlib.sha256(a.id.encode()).hexdigest(), 16)
                                                               % days)) for a in articles)
    features = article_features(dated)
    themes = assign_themes(dated, keywords, taxonomy, features)
    stories = group_stories(dated, themes, features)
    labels = [_label(a) for a in dated]
    story_of = _story_of(stories)
    return DatedRun(months, metrics.macro_f1(labels, [themes[a.id].primary for a in dated]), len(stories),
                    metrics.nmi(labels, [story_of[a.id] for a in dated]))


def _label(article: Article) -> str:
    return article.id.split("/", 1)[0]


def _story_of(stories: tuple[Story, ...]) -> dict[str, str]:
    return {a: s.id for s in stories for a in (*s.articles, *(c for c, _ in s.copies))}


def _purity(labels: list[str], clusters: list[str]) -> float:
    members: dict[str, Counter] = {}
    for label, cluster in zip(labels, clusters):
        members.setdefault(cluster, Counter())[label] += 1
    return sum(c.most_common(1)[0][1] for c in members.values()) / len(labels) if labels else 0.0


def reference_sentences(text: str) -> list[str]:
    """Sentences of a reference summary whose sentences were joined with no space.

    A sentence ends at `.`, `!` or `?` followed by a capital letter or an opening bracket or quote.
    A straight double quote after the stop closes the sentence when the sentence holds an odd
    number of them, and opens the next one otherwise.
    """
    out, start = [], 0
    for match in _JOINED.finditer(text):
        end = match.start() + 1
        quote = match.group(1)
        if quote and (quote != '"' or text[start:end].count('"') % 2 == 1):
            end += 1
        out.append(text[start:end])
        start = end
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def _summary_scores(articles, keywords, summaries: Path) -> tuple[tuple[Rouge, ...], int, float]:
    totals: dict[str, list[float]] = {name: [0.0, 0.0, 0.0] for name in (GENERATOR, *BASELINES)}
    scored, lengths = 0, 0
    for article in articles:
        reference = _read_reference(summaries / article.id, article.id)
        if not reference:
            continue
        count = len(reference)
        sentences = [s.text for s in article.sentences]
        outputs = {GENERATOR: [c.text for c in pick_sentences([article], count, keywords.get(article.id, ()))]}
        outputs.update({name: baseline(sentences, count) for name, baseline in BASELINES.items()})
        gold = metrics.tokens(" ".join(reference))
        for name, chosen in outputs.items():
            candidate = metrics.tokens(" ".join(chosen))
            total = totals[name]
            total[0] += metrics.rouge_n(candidate, gold, 1).f1
            total[1] += metrics.rouge_n(candidate, gold, 2).f1
            total[2] += metrics.rouge_l(candidate, gold).f1
        scored += 1
        lengths += count
    n = scored or 1
    rouge = tuple(Rouge(name, t[0] / n, t[1] / n, t[2] / n) for name, t in totals.items())
    return rouge, scored, lengths / n


def _read_reference(path: Path, article_id: str) -> list[str]:
    try:
        text, _ = decode(path.read_bytes())
    except FileNotFoundError:
        log.warning("%s: no reference summary; summary not scored", article_id)
        return []
    except (OSError, Unreadable) as exc:
        log.warning("%s: reference summary unreadable (%s); summary not scored", article_id, exc)
        return []
    sentences = reference_sentences(text)
    if not sentences:
        log.warning("%s: empty reference summary; summary not scored", article_id)
    return sentences


def _duplicates(stories: tuple[Story, ...], by_id: dict[str, Article], skipped) -> tuple[Duplicate, ...]:
    """Near-copies folded into stories, and byte-identical files ingest kept once."""
    pairs = [pair for s in stories for pair in s.copies]
    for item in skipped:
        match = re.match(r"same bytes as '(.+)', which is on the site", item.reason)
        if match and match.group(1) in by_id:
            pairs.append((item.path, match.group(1)))
    titles = {k: a.title for k, a in by_id.items()}
    return tuple(Duplicate(c, k, titles.get(c, titles[k]), titles[k]) for c, k in sorted(pairs))

