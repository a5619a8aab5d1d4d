"""Property-based tests (hypothesis) for ingest, slugs and escaping."""

import html
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import markdown
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.ingest import (MAX_SENTENCE_WORDS, MAX_TEXT_CHARS, Unreadable, clean, decode, read_corpus,
                              read_markdown, read_plain)
from generator.records import Story
from generator.render import page_paths as _paths, markdown_text, page_title, plain_line
from generator.stories import _unique_ids
from generator.text import slugify

EXTENSIONS = ["attr_list", "tables", "toc"]  # as in mkdocs.yml
SLUG = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$")
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like an article now and then: words, punctuation, markup and odd characters.
pieces = st.sampled_from(["Shares", "rose", "on", "Monday", "after", "the", "bank", ".", ",", "\n", "\r\n", "\r", " ",
                          "---", "<script>", "[x](javascript:1)", "{{ x }}", "!!!", "é", "€", "中", "\t", "&amp;",
                          "\x00", "\ufeff", "#", "|", "*", "- ", "+ ", "1. ", "12.", "2) ", "> ", "=", "===", "~~~",
                          "```", "_", "\\", "`", "    ", "-", "'", '"', ":", "&", "<"])
article_text = st.one_of(st.text(), st.lists(pieces, max_size=80).map("".join))


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple] = []
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.data.append(data)


def elements(source: str) -> Elements:
    parser = Elements()
    parser.feed(markdown.markdown(source, extensions=EXTENSIONS))
    parser.close()
    return parser


# ---------------------------------------------------------------- ingest


@FAST
@given(st.binary(max_size=2000))
def test_decode_gives_text_or_a_reason(raw):
    try:
        text, notes = decode(raw)
    except Unreadable as exc:
        assert str(exc)
        return
    assert "\r" not in text and isinstance(notes, tuple)


@FAST
@given(st.text().filter(lambda t: "\x00" not in t), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_decode_round_trips_unicode_encodings(text, encoding):
    assume(not text.startswith("\ufeff"))
    decoded, notes = decode(text.encode(encoding, "surrogatepass") if encoding == "utf-16" else text.encode(encoding))
    assert decoded == text.replace("\r\n", "\n").replace("\r", "\n")
    assert notes == ()


@FAST
@given(st.lists(article_text, max_size=12))
def test_clean_gives_a_bounded_article_or_a_reason(lines):
    try:
        article, notes = clean(read_plain("\n".join(lines)), "a.txt")
    except Unreadable as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert article.sentences and article.title
    assert len(article.text) <= MAX_TEXT_CHARS + len(article.paragraphs)
    assert all(len(s.text.split()) <= MAX_SENTENCE_WORDS for s in article.sentences)
    assert all("\n" not in n for n in notes)


@FAST
@given(st.text(max_size=300), article_text)
def test_any_front_matter_is_read_or_noted(front, body):
    try:
        article, notes = clean(read_markdown(f"---\n{front}\n---\n{body}"), "a.md")
    except Unreadable:
        return
    assert article.url is None or re.match(r"^https?://", article.url)
    assert isinstance(article.title, str) and article.title


file_names = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1,
                     max_size=40).filter(lambda n: n not in (".", "..") and len(n.encode()) < 200)


@SLOW
@given(st.lists(st.tuples(file_names, st.binary(max_size=600) | article_text.map(str.encode)), max_size=6,
                unique_by=lambda f: f[0]))
def test_every_file_is_an_article_or_skipped_exactly_once(files):
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp)
        for name, data in files:
            (seeds / name).write_bytes(data)
        corpus = read_corpus(seeds)
    listed = [a.id for a in corpus.articles] + [s.path for s in corpus.skipped]
    assert sorted(listed) == sorted(name for name, _ in files)
    assert {w.path for w in corpus.warnings} <= {a.id for a in corpus.articles}


# ---------------------------------------------------------------- slugs


@FAST
@given(st.text(), st.integers(1, 12))
def test_slugs_are_safe_path_segments(text, max_words):
    slug = slugify(text, max_words)
    assert SLUG.match(slug)
    assert len(slug.split("-")) <= max_words if slug else True


def test_slugs_read_curly_apostrophes_and_accents_as_plain_letters():
    assert slugify("Dow’s “record” day") == slugify("Dow's \"record\" day") == "dows-record-day"
    assert slugify("Café Société’s shares") == "cafe-societes-shares"
    assert slugify("Rock’n’roll stocks") == slugify("Rock'n'roll stocks") == "rock-n-roll-stocks"


@FAST
@given(st.lists(st.text(), max_size=12))
def test_article_pages_get_distinct_safe_paths(titles):
    articles = tuple(SimpleNamespace(id=f"{i}.txt", title=t, date=None) for i, t in enumerate(titles))
    digest = SimpleNamespace(articles=articles, stories=(), taxonomy=SimpleNamespace(themes=()),
                             market=SimpleNamespace(entities={}))
    paths = list(_paths(digest).articles.values())
    assert len(set(paths)) == len(paths)
    assert all(re.fullmatch(r"digest/articles/[a-z0-9]+(-[a-z0-9]+)*\.md", p) for p in paths)


@FAST
@given(st.lists(st.sampled_from(["x", "x-2", "x-3", "y", "x-2-2"]), max_size=10))
def test_story_ids_are_distinct(ids):
    stories = [Story(i, "h", (f"a{n}",), (), None, False, ()) for n, i in enumerate(ids)]
    out = _unique_ids(stories)
    assert len({s.id for s in out}) == len(out)
    assert {s.id for s in out} >= set(ids)  # every story's own id is kept by one of them


# ---------------------------------------------------------------- escaping

CONTEXTS = {
    "paragraph": ("Before {} after.", ["p"]),
    "heading": ("# {}", ["h1"]),
    "table cell": ("| a | b |\n|---|---|\n| {} | x |", ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]),
    "list item": ("- {}", ["ul", "li"]),
    "link text": ("[{}](page.md)", ["p", "a"]),
    "emphasis": ("*{}*", ["p", "em"]),
    "line": ("{}", ["p"]),
    "line under a line": ("Before\n{}", ["p"]),
    "line in a list item": ("- Before\n\n    {}", ["ul", "li", "p", "p"]),
}


@FAST
@given(article_text, st.sampled_from(sorted(CONTEXTS)))
def test_escaped_text_is_never_markup(text, context):
    template, expected_tags = CONTEXTS[context]
    escaped = markdown_text(text)
    assume(plain_line(text))
    parsed = elements(template.format(escaped))
    assert parsed.tags == expected_tags, (context, escaped)
    assert all(name in ("href", "id") for name, _ in parsed.attrs)
    assert plain_line(text) in "".join(parsed.data)


@FAST
@given(article_text)
def test_page_titles_are_yaml_strings_of_escaped_html(text):
    title = page_title(text)
    loaded = yaml.safe_load(f"title: {title}\n")["title"]
    assert loaded == html.escape(plain_line(text))
    assert html.unescape(loaded) == plain_line(text)
    assert not re.search(r"[<>\"']", loaded)
