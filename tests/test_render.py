import datetime as dt
from html.parser import HTMLParser

import markdown
import pytest

from generator.render import markdown_text, safe_url

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<iframe src='https://evil.example'></iframe>",
    "[click](javascript:alert(1))",
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    "**bold** _em_ `code`",
    "# heading",
    "---",
    "1. a list",
    "> quote",
    "| a | b |",
    "{{ config }} {% raw %}",
    "--8<-- 'secrets.txt'",
    "!!! note",
    ":material-alert: icon",
    "text { onclick=alert(1) }",
    "&lt;b&gt; entity",
    "<https://autolink.example>",
]


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def rendered(text: str) -> Elements:
    html = markdown.markdown(f"Before {markdown_text(text)} after.", extensions=["attr_list", "tables", "toc"])
    parser = Elements()
    parser.feed(html)
    return parser, html


@pytest.mark.parametrize("text", HOSTILE)
def test_untrusted_text_becomes_one_paragraph_of_the_same_characters(text):
    parser, html = rendered(text)
    assert [tag for tag, _ in parser.tags] == ["p"], html
    assert parser.tags[0][1] == []
    assert " ".join(text.split()) in _text_of(html)


def _text_of(html: str) -> str:
    import html as htmllib
    import re
    return htmllib.unescape(re.sub(r"<[^>]+>", "", html))


def test_dates_and_none():
    assert markdown_text(dt.date(2025, 2, 21)) == "2025-02-21"
    assert markdown_text(None) == ""


@pytest.mark.parametrize("url,expected", [
    ("https://example.com/a(b)'c", "https://example.com/a%28b%29%27c"),
    ("https://example.com/a b", None),
    ("http://example.com/x?y=1&z=2", "http://example.com/x?y=1&z=2"),
    ("javascript:alert(1)", None),
    ("data:text/html,hi", None),
    ("ftp://example.com/", None),
    (None, None),
])
def test_only_http_links_are_kept_and_encoded(url, expected):
    assert safe_url(url) == expected
