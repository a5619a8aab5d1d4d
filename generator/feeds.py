"""Feeds: Atom feeds of the stories, one for the whole digest and one per theme.

Written as XML files under `digest/feeds/`; links are relative to the feed's own address, so the
feeds need no site URL and the build needs no network. Every text goes through ElementTree, which
escapes it, after characters that XML 1.0 does not allow are removed: article text is untrusted.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET

from generator.records import Digest, Story

FEEDS = "digest/feeds"
"""Folder under docs/ the feeds are written into."""
ALL = "index.xml"
"""File name of the whole digest's feed."""
MAX_ENTRIES = 50
"""Most stories in one feed, newest first."""
TITLE = "Market briefing"
"""Title of the whole digest's feed."""

_ATOM = "http://www.w3.org/2005/Atom"
_NAMESPACE = uuid.UUID("7a1f6b1e-3c2d-5e4f-8a9b-0c1d2e3f4a5b")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_feeds(digest: Digest) -> dict[str, str]:
    """Feed path (relative to docs/) to its Atom XML."""
    feeds = {f"{FEEDS}/{ALL}": _feed(digest, digest.stories, TITLE, "all", "../../", ALL)}
    for theme in digest.taxonomy.themes:
        stories = tuple(s for s in digest.stories if theme.id in s.themes)
        feeds[f"{FEEDS}/{theme.id}.xml"] = _feed(digest, stories, f"{TITLE}: {theme.name}", f"theme/{theme.id}",
                                                 f"../themes/{theme.id}/", f"{theme.id}.xml")
    return feeds


def feed_path(theme_id: str | None = None) -> str:
    """Path under docs/ of the whole digest's feed, or of a theme's feed."""
    return f"{FEEDS}/{theme_id}.xml" if theme_id else f"{FEEDS}/{ALL}"


def _feed(digest: Digest, stories: tuple[Story, ...], title: str, key: str, home: str, name: str) -> str:
    stories = tuple(sorted(stories, key=lambda s: -(s.date or dt.date.min).toordinal()))[:MAX_ENTRIES]
    updated = _timestamp(max((s.date for s in digest.stories if s.date), default=None))
    feed = ET.Element("feed", xmlns=_ATOM)
    _text(feed, "title", _escape(title), type="html")
    _text(feed, "id", _urn(f"feed/{key}"))
    _text(feed, "updated", updated)
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=name)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=home)
    _text(ET.SubElement(feed, "author"), "name", TITLE)
    for story in stories:
        summary = digest.summaries.stories[story.id]
        entry = ET.SubElement(feed, "entry")
        _text(entry, "title", _escape(story.headline), type="html")
        _text(entry, "id", _urn(f"story/{story.id}"))
        _text(entry, "updated", _timestamp(story.date) if story.date else updated)
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=f"../stories/{story.id}/")
        for theme_id in story.themes:
            ET.SubElement(entry, "category", term=theme_id, label=_clean(digest.taxonomy.get(theme_id).name))
        _text(entry, "summary", _escape(summary.dek), type="html")
        _text(entry, "content", _html([s.text for s in summary.sentences]), type="html")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> None:
    ET.SubElement(parent, tag, **attributes).text = _clean(text)


def _html(sentences: list[str]) -> str:
    """The entry's content as HTML source; ElementTree escapes it once more as element text."""
    return "<ul>" + "".join(f"<li>{_escape(s)}</li>" for s in sentences) + "</ul>"


def _escape(text: str) -> str:
    return _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _timestamp(day: dt.date | None) -> str:
    return f"{(day or dt.date(1970, 1, 1)).isoformat()}T00:00:00Z"


def _urn(key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"
