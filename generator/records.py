"""The immutable records that flow between the pipeline stages."""

from __future__ import annotations

import datetime as dt
import pickle
import zlib
from dataclasses import dataclass, field
from functools import cached_property

from generator.factrecords import MarketFacts
from generator.packed import Packed


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article's cleaned text."""

    text: str
    """The sentence as it reads in the article."""
    paragraph: int
    """Index of the paragraph it belongs to (0 is the lead)."""
    position: int
    """Index of the sentence within the whole article."""


@dataclass(frozen=True)
class Article:
    """One input article, cleaned of page furniture, with its metadata."""

    id: str
    """Path relative to the seeds folder, with `/` separators."""
    title: str
    """Headline: from metadata, the headline line, or written from the lead."""
    title_origin: str
    """Where the title came from: `metadata`, `headline` or `lead`."""
    source: str | None
    """Publisher, when known."""
    date: dt.date | None
    """Publication date, when stated; never guessed from the file."""
    url: str | None
    """Link to the original article (http or https only)."""
    paragraphs: tuple[str, ...]
    """Cleaned body text, one string per paragraph."""
    sentences: tuple[Sentence, ...]
    """The body split into sentences."""
    dateline: str | None = None
    """Place line that opened the story (`HONG KONG`), when there was one."""
    removed: tuple[str, ...] = ()
    """Lines dropped as page furniture, kept for the build report."""
    source_digest: str = ""
    """Hash of the file it was read from (and its metadata file): names its content in caches."""

    @property
    def text(self) -> str:
        """The cleaned body as plain text, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        """Number of words in the cleaned body."""
        found = self.__dict__.get(_WORDS)
        if found is None:
            found = sum(len(p.split()) for p in self.paragraphs)
            object.__setattr__(self, _WORDS, found)
        return found

    # An article is stored with its body (paragraphs and sentences, the sentences packed: their
    # texts in one string) compressed: a build that takes most articles from the cache reads the
    # body of none of them, and at 20,000 articles the bodies were four fifths of what it loaded
    # (130 MB), twice over (paragraphs and sentences). The body is unpacked the first time it is read.

    def __reduce__(self):
        fields = {name: value for name, value in self.__dict__.items() if name not in _STORED_APART}
        body = self.__dict__.get(_BODY)
        if body is None:
            packed = self.__dict__.get(_PACKED) or _pack(self.__dict__["sentences"])
            body = zlib.compress(pickle.dumps((self.__dict__["paragraphs"], packed), protocol=5), 1)
        return _unpacked_article, (fields, body, self.word_count)

    def __getattr__(self, name: str):
        found = self.__dict__
        if name == "paragraphs" or name == "sentences":
            if "paragraphs" not in found and _BODY in found:
                paragraphs, found[_PACKED] = pickle.loads(zlib.decompress(found[_BODY]))
                object.__setattr__(self, "paragraphs", paragraphs)
            if name == "paragraphs" and "paragraphs" in found:
                return found["paragraphs"]
            if name == "sentences" and _PACKED in found:
                sentences = _unpack(found[_PACKED])
                object.__setattr__(self, "sentences", sentences)
                return sentences
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


_BODY, _PACKED, _WORDS = "_body", "_packed_sentences", "_word_count"
_DERIVED = frozenset({_BODY, _PACKED, _WORDS})
"""What an article keeps besides its fields: its stored body, its packed sentences, its word count."""
_STORED_APART = _DERIVED | {"paragraphs", "sentences"}


def record_text(record) -> str:
    """A record of plain fields (text, numbers, dates, tuples of them) as text that differs
    whenever a field does: its fields' values written out, with no pickling or hashing ("None"
    for no record). Keys made of such texts cost a third of pickled ones."""
    return repr(tuple(vars(record).values())) if record is not None else "None"


def _pack(sentences: tuple[Sentence, ...]) -> tuple:
    """Sentences as their texts in one string and the paragraph of each, or as they are when they
    do not fit that form (a text with a line break, positions out of order)."""
    if sentences and all(s.position == i and "\n" not in s.text for i, s in enumerate(sentences)):
        return "\n".join(s.text for s in sentences), tuple(s.paragraph for s in sentences)
    return (sentences,)


def _unpack(packed: tuple) -> tuple[Sentence, ...]:
    if len(packed) == 1:
        return packed[0]
    texts, paragraphs = packed
    return tuple(Sentence(text, paragraph, i) for i, (text, paragraph) in enumerate(zip(texts.split("\n"), paragraphs)))


def _unpacked_article(fields: dict, body: bytes, words: int) -> Article:
    """An article from its stored form: its body left compressed until it is read."""
    article = object.__new__(Article)
    article.__dict__.update(fields)
    article.__dict__[_BODY] = body
    article.__dict__[_WORDS] = words
    return article


@dataclass(frozen=True)
class Skipped:
    """An input file that is not on the site, and why."""

    path: str
    """Path relative to the seeds folder."""
    reason: str
    """One line a person can act on."""


@dataclass(frozen=True)
class Corpus:
    """What ingest read from the seeds folder."""

    articles: tuple[Article, ...]
    """Articles in path order."""
    skipped: tuple[Skipped, ...]
    """Files that were not read as articles."""
    warnings: tuple[Skipped, ...] = ()
    """Articles that were read but with a caveat (for the build report)."""


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy."""

    id: str
    """Slug used in URLs and in digest.json."""
    name: str
    """Name shown to readers."""
    description: str
    """One or two sentences saying what belongs in the theme."""
    keywords: tuple[str, ...]
    """Seed keywords and phrases that signal the theme."""


@dataclass(frozen=True)
class Taxonomy:
    """The themes articles are sorted into, read from a YAML file."""

    themes: tuple[Theme, ...]
    """Themes in the order the file lists them."""
    min_score: float
    """Smallest score for an article to carry a theme."""
    relative_score: float
    """A secondary theme needs at least this fraction of the primary's score."""
    source: str
    """The file the taxonomy was read from."""

    def get(self, theme_id: str) -> Theme:
        """The theme with this id."""
        return next(t for t in self.themes if t.id == theme_id)


@dataclass(frozen=True)
class ThemeAssignment:
    """The themes one article carries."""

    themes: tuple[str, ...]
    """Theme ids, strongest first; empty when no theme fits."""
    scores: tuple[tuple[str, float], ...]
    """Score of every theme that matched at all, strongest first."""

    @property
    def primary(self) -> str | None:
        """The strongest theme, or None."""
        return self.themes[0] if self.themes else None


@dataclass(frozen=True)
class Story:
    """Articles about the same event."""

    id: str
    """Stable, readable slug (date and headline)."""
    headline: str
    """Headline shown for the story."""
    articles: tuple[str, ...]
    """Ids of the articles it draws on, most central first."""
    copies: tuple[tuple[str, str], ...]
    """Near-copies folded into another article: (copy id, kept id)."""
    date: dt.date | None
    """Day of the event."""
    date_inferred: bool
    """True when the date was worked out from the text, not stated as metadata."""
    themes: tuple[str, ...]
    """Theme ids carried by its articles, strongest first."""

    @property
    def primary_theme(self) -> str | None:
        """The story's strongest theme, or None."""
        return self.themes[0] if self.themes else None


@dataclass(frozen=True)
class SummarySentence:
    """One sentence of a summary, with the article it comes from."""

    text: str
    """The sentence."""
    article: str
    """Id of the article it was taken from."""


@dataclass(frozen=True)
class StorySummary(Packed):
    """Extractive summary of a story (its sentences stored packed: `Packed`)."""

    PACKED = ("sentences",)

    dek: str
    """One line under the headline."""
    sentences: tuple[SummarySentence, ...]
    """Three to five sentences in reading order."""
    keywords: tuple[str, ...]
    """Keywords of the story, strongest first."""


@dataclass(frozen=True)
class Summaries:
    """What the summaries stage produced."""

    stories: dict[str, StorySummary] = field(default_factory=dict)
    """Story id to its summary."""
    articles: dict[str, tuple[SummarySentence, ...]] = field(default_factory=dict)
    """Article id to its short summary."""
    alone: dict[str, StorySummary] = field(default_factory=dict, compare=False, repr=False)
    """Article id to its summary as a story of its own (which a story of that article alone has)."""


@dataclass(frozen=True)
class Months:
    """Which months' results a build took whole from an earlier build (`generator.months`)."""

    chains: dict[str, str] = field(default_factory=dict)
    """Each dated month's chain: a hash of its articles and every earlier month's, and of what
    else their results depend on; where two builds' chains of a month are equal, so are their
    results of that month and of every earlier one. Empty when months are not told apart (a
    corpus with undated articles)."""
    closed: tuple[str, ...] = ()
    """The months whose results were taken whole from an earlier build, oldest first."""
    stories: dict[str, str] = field(default_factory=dict)
    """The stories taken whole with them, by id (which no later story took): the closed month
    that ended or finished each."""


@dataclass(frozen=True)
class Digest:
    """Everything the pages are rendered from."""

    articles: tuple[Article, ...]
    """Articles in path order."""
    keywords: dict[str, tuple[str, ...]]
    """Article id to its keywords."""
    taxonomy: Taxonomy
    """The themes in use."""
    themes: dict[str, ThemeAssignment]
    """Article id to its themes."""
    stories: tuple[Story, ...]
    """Stories, newest first."""
    summaries: Summaries
    """Story and article summaries."""
    skipped: tuple[Skipped, ...]
    """Input files not on the site."""
    warnings: tuple[Skipped, ...] = ()
    """Articles on the site that came with a caveat."""
    market: MarketFacts = field(default_factory=MarketFacts)
    """Moves, names and quotes per article and per story."""
    months: Months = field(default_factory=Months)
    """Which months were taken whole from an earlier build (what pages made of their stories and
    articles then stands)."""

    def article(self, article_id: str) -> Article:
        """The article with this id."""
        return self._articles_by_id[article_id]

    def story_of(self, article_id: str) -> Story:
        """The story an article belongs to (as itself or as a copy)."""
        return self._stories_by_article[article_id]

    @cached_property
    def _articles_by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self.articles}

    @cached_property
    def _stories_by_article(self) -> dict[str, Story]:
        index = {}
        for story in self.stories:
            for article_id in (*story.articles, *(c for c, _ in story.copies)):
                index[article_id] = story
        return index
