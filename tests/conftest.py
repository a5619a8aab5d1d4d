"""Shared test helpers: articles made from inline text, the way ingest would make them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from generator.ingest import clean, read_plain
from generator.records import Article


def make_article(text: str, article_id: str = "a.txt", date: dt.date | None = None, title: str | None = None,
                 source: str | None = None) -> Article:
    """An article read from plain text, with optional metadata as a sidecar would give it."""
    article, _ = clean(read_plain(text), article_id)
    changes = {k: v for k, v in {"date": date, "title": title, "source": source}.items() if v is not None}
    if title:
        changes["title_origin"] = "metadata"
    return replace(article, **changes)


@pytest.fixture
def article_factory():
    return make_article
