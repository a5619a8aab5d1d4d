"""Hostile articles: a real site is built from them, and nothing they contain is executed or interpreted.

Every payload carries a marker (`ZQX` and a number). The built HTML is parsed (not grepped): no element
may wrap a marker unless it is one the templates put around text, no attribute may carry a marker
unless it is a slug the generator made, and every payload must reach the reader as the same characters.
"""

import html
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.golden import ROOT
from tests.robust_corpus import build_docs

PAYLOADS = [
    "<script>alert('ZQX01')</script>",
    '<img src=x onerror="alert(ZQX02)">',
    "<iframe src='https://evil.example/ZQX03'></iframe>",
    "[click ZQX04](javascript:alert(1))",
    "![pic ZQX05](data:text/html;base64,PHNjcmlwdD4=)",
    "<div onclick='ZQX06'>raw html block</div>",
    "**bold ZQX07** _em_ `code` ~~gone~~",
    "{{ 7*7 }} ZQX08 {% if true %}yes{% endif %}",
    "--8<-- 'README.md' ZQX09",
    "!!! note \"ZQX10\"",
    ":material-alert: ZQX11 :smile:",
    "<a href=\"javascript:alert('ZQX12')\">link</a>",
    "text ZQX13 { onclick=alert(1) }",
    "[ZQX14]: https://evil.example/ref",
    "<https://autolink.example/ZQX15>",
    "&lt;b&gt;ZQX16&lt;/b&gt; &amp;",
    "<!-- ZQX17 comment -->",
    "</td></tr></table><script>ZQX18</script>",
]
# Lines that change Markdown only at the start of a line, each a paragraph of its own.
LINE_PAYLOADS = ["---", "# ZQX19 heading", "| ZQX20 | cell |", "> ZQX21 quote", "    ZQX22 indented code",
                 "!!! warning \"ZQX23\"", "--8<-- \"mkdocs.yml\"", "<script>ZQX24</script>", "1. ZQX25 list", "***"]
BAD_URLS = ["javascript:alert('ZQX26')", "data:text/html;base64,PHNjcmlwdD4=", "JaVaScRiPt:alert(1)",
            " javascript:alert(1)", "vbscript:msgbox(1)", "https://example.com/a\"onmouseover=\"ZQX27"]
FILE_NAMES = ["<img src=x onerror=alert(ZQX28)>.txt", "[x](javascript:alert(ZQX29)).txt", "{{ ZQX30 }}.txt",
              "%2e%2e%2fescape ZQX31.txt", "!!! note ZQX32.txt", ":material-alert: ZQX33.txt"]
ESCAPE_TITLES = ["../../../../../../tmp/escape ZQX34", "/etc/passwd ZQX35", "..\\..\\windows ZQX36"]

ALLOWED_AROUND_TEXT = {"p", "li", "td", "h1", "h3", "a", "em", "small", "title", "span"}
"""Elements the templates (and the theme's navigation) put around article text."""
SAFE_ATTRIBUTE = re.compile(r"^(?:\.\./)*[#a-z0-9_./-]*$")
"""An attribute value made by the generator or the theme from a slug."""
HTTP_LINK = re.compile(r"^https?://[^\s\"'<>]+$")
"""An original-article link: http(s), percent-encoded."""
MARKER = re.compile(r"zqx\d\d", re.I)


def sentence(payload: str) -> str:
    return f"Shares of the lender rose sharply on Monday after {payload} appeared in its filing today."


def write_hostile_corpus(seeds: Path) -> dict[str, list[str]]:
    """Hostile articles; return file name to the payload texts that must reach the reader."""
    seeds.mkdir(parents=True)
    shown: dict[str, list[str]] = {}
    starts = [f"{p} and shares of the lender rose sharply on Monday." for p in LINE_PAYLOADS]
    body = "\n\n".join([sentence(p) for p in PAYLOADS] + starts)
    (seeds / "body.txt").write_text(body + "\n\nThe bank said profit rose 4 per cent in the year.\n")
    # plain text copied from a web page keeps its entities decoded: `&lt;b&gt;` is read as `<b>`
    shown["body.txt"] = [html.unescape(p) for p in PAYLOADS] + [p.strip() for p in starts]
    for i, line in enumerate(LINE_PAYLOADS):
        name = f"line-{i:02d}.md"
        front = json.dumps({"title": line, "source": line})
        (seeds / name).write_text(f"---\n{front}\n---\n{sentence(f'line {i}')}\n")
        shown[name] = [line.strip()]
    for i, payload in enumerate(PAYLOADS):
        title = payload.replace("\n", " ")
        front = json.dumps({"title": f"Title {title}", "source": f"Source {title}", "date": "2025-03-04",
                            "url": BAD_URLS[i % len(BAD_URLS)]})
        name = f"front-{i:02d}.md"
        (seeds / name).write_text(f"---\n{front}\n---\n{sentence('nothing odd')}\nThe bank said profit rose "
                                  f"{i + 1} per cent in the year to March.\n")
        shown[name] = [f"Title {title}", f"Source {title}"]
    (seeds / "page.html").write_text(
        "<html><head><title>x</title><meta property=\"og:site_name\" content=\"&lt;script&gt;ZQX37&lt;/script&gt;\">"
        "<link rel=\"canonical\" href=\"javascript:alert('ZQX38')\"></head><body><article>"
        "<h1>&lt;img src=x onerror=alert(ZQX39)&gt; headline here</h1>"
        f"<p>{sentence('&lt;iframe src=x&gt;ZQX40&lt;/iframe&gt;')}</p><script>alert('ZQX41')</script>"
        "<p>The bank said profit rose 4 per cent in the year to March.</p></article></body></html>")
    shown["page.html"] = ["<iframe src=x>ZQX40</iframe>", "<img src=x onerror=alert(ZQX39)> headline here"]
    for i, name in enumerate(FILE_NAMES):
        (seeds / name).write_text(f"{sentence(f'file {i}')}\nThe bank said profit rose {i + 2} per cent in a year.\n")
        shown[name] = [name]
    for i, title in enumerate(ESCAPE_TITLES):
        name = f"escape-{i}.md"
        (seeds / name).write_text(f"---\ntitle: {json.dumps(title)}\n---\n{sentence(f'escape {i}')}\n")
        shown[name] = [title]
    return shown


class Page(HTMLParser):
    """Every element, attribute and text run of a page, with the elements that enclose each text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[tuple[str, tuple[str, ...]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        self.texts.append((data, tuple(self.stack)))

    def handle_comment(self, data):
        self.comments.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(t for t, _ in self.texts).split())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def problems(page: Page, bare_text: bool = False) -> list[str]:
    """Elements and attributes that came from article text (`bare_text`: text outside any element is fine)."""
    found = []
    for tag, attrs in page.elements:
        if MARKER.search(tag):
            found.append(f"element <{tag}>")
        for name, value in attrs:
            if MARKER.search(name) or name.lower().startswith("on"):
                found.append(f"attribute {name}={value!r} on <{tag}>")
            elif value and MARKER.search(value) and not (SAFE_ATTRIBUTE.match(value) or HTTP_LINK.match(value)):
                found.append(f"attribute {name}={value!r} on <{tag}>")
            elif name in ("href", "src", "action", "formaction") and value and re.match(
                    r"^\W*(javascript|data|vbscript):", value, re.I):
                found.append(f"link {name}={value!r} on <{tag}>")
        if tag in ("iframe", "object", "embed", "img", "textarea", "base", "frame", "applet"):
            found.append(f"element <{tag}>")
    for text, stack in page.texts:
        if MARKER.search(text) and (stack[-1] not in ALLOWED_AROUND_TEXT if stack else not bare_text):
            found.append(f"text {text.strip()[:60]!r} inside <{'><'.join(stack[-3:])}>")
        if MARKER.search(text) and any(t in ("script", "style", "code", "pre", "strong", "h2", "h4", "h5", "h6",
                                              "blockquote", "table", "del", "svg") for t in stack[-1:]):
            found.append(f"text {text.strip()[:60]!r} inside <{stack[-1]}>")
    found += [f"comment {c!r}" for c in page.comments if MARKER.search(c)]
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    shown = write_hostile_corpus(work / "seeds")
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", work / "overrides")
    shutil.copytree(ROOT / "docs", work / "docs", ignore=shutil.ignore_patterns("digest", "digest.json", "index.md", ".digest*"))
    before = sorted(p.relative_to(work) for p in work.rglob("*") if not p.is_relative_to(work / "docs"))
    digest = build_docs(work / "seeds", work / "docs")
    after = sorted(p.relative_to(work) for p in work.rglob("*") if not p.is_relative_to(work / "docs"))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(work / "mkdocs.yml")],
                            capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": ""})
    assert result.returncode == 0, result.stderr
    return work, shown, digest, (before, after)


def test_every_hostile_article_is_on_the_site(hostile_site):
    _, shown, digest, _ = hostile_site
    assert sorted(a["id"] for a in digest["articles"]) == sorted(shown)
    assert digest["skipped"] == []


def test_no_element_or_attribute_in_the_built_html_came_from_an_article(hostile_site):
    work, _, _, _ = hostile_site
    pages = sorted((work / "site").rglob("*.html"))
    assert len(pages) > len(FILE_NAMES)
    report = {str(p.relative_to(work)): found for p in pages if (found := problems(parse(p.read_text(encoding="utf-8"))))}
    assert report == {}


def test_every_payload_reaches_the_reader_as_the_characters_it_is(hostile_site):
    work, shown, digest, _ = hostile_site
    pages = {p: parse(p.read_text(encoding="utf-8")).text for p in (work / "site" / "digest" / "articles").rglob("*.html")}
    for article in digest["articles"]:
        page = next(text for text in pages.values() if f"File {article['id']}" in text)
        for payload in shown[article["id"]]:
            assert " ".join(payload.split()) in page, (article["id"], payload)


def test_only_http_links_reach_the_original_article_link(hostile_site):
    work, _, digest, _ = hostile_site
    assert all(a["url"] is None or re.match(r"^https?://", a["url"]) for a in digest["articles"])
    for path in (work / "site").rglob("*.html"):
        for tag, attrs in parse(path.read_text(encoding="utf-8")).elements:
            for name, value in attrs:
                if name == "href" and value and not value.startswith("#") and ":" in value.split("/")[0]:
                    assert re.match(r"^https?://", value), (path, value)


def test_digest_json_holds_the_text_as_data(hostile_site):
    work, shown, digest, _ = hostile_site
    titles = {a["id"]: a["title"] for a in digest["articles"]}
    for i, payload in enumerate(PAYLOADS):
        assert titles[f"front-{i:02d}.md"] == f"Title {payload}"
    raw = (work / "docs" / "digest.json").read_text(encoding="utf-8")
    assert json.loads(raw) == digest


def test_search_index_and_feeds_carry_no_markup_from_articles(hostile_site):
    work, _, _, _ = hostile_site
    index = json.loads((work / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        for field in ("title", "text"):
            assert problems(parse(doc.get(field, "")), bare_text=True) == [], (doc["location"], field)
    feeds = [p for p in (work / "site").rglob("*") if p.suffix in (".xml", ".rss", ".atom")]
    for feed in feeds:  # the sitemap, and any feed a plugin adds
        root = ET.parse(feed).getroot()
        for element in root.iter():
            assert not MARKER.search(element.tag) and not any(MARKER.search(k) for k in element.attrib)
            if element.text and MARKER.search(element.text):
                assert problems(parse(element.text), bare_text=True) == [], feed


def test_no_write_lands_outside_the_docs_folder(hostile_site):
    work, _, _, (before, after) = hostile_site
    assert before == after
    hand_written = {rel for rel in (p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*") if p.is_file())
                    if not rel.startswith(("digest/", ".digest")) and rel not in ("index.md", "digest.json")}
    written = [p.relative_to(work / "docs").as_posix() for p in (work / "docs").rglob("*")
               if p.is_file() and p.relative_to(work / "docs").as_posix() not in hand_written]
    assert all(p in ("about.md", "index.md", "digest.json") or p.startswith("digest/") for p in written)
    assert all(re.fullmatch(r"digest/(articles|stories|themes|days|names)/[a-z0-9-]+(/page-[0-9]+)?\.md"
                            r"|digest/feeds/[a-z0-9-]+\.xml|digest/(report|tags)\.md|digest/report/page-[0-9]+\.md", p)
               for p in written if p.startswith("digest/")), written
