"""Tags: the themes and names a story is tagged with on the site.

Names come from the story's keywords for now (`story_names`): keywords written as proper names.
That function is the one place to switch the source of names, e.g. to an entity extractor.
Tag names end up in page front matter and, through the theme, in HTML that is not escaped, so
every tag is reduced to letters, digits, spaces and a few punctuation marks.
"""

from __future__ import annotations

import re

from generator.records import Digest, Story

MAX_NAMES = 6
"""Most names a story is tagged with."""

_UNSAFE = re.compile(r"[^\w .,'’-]+")
_NAME = re.compile(r"^[A-Z0-9]")


def story_tags(digest: Digest, story: Story) -> tuple[str, ...]:
    """Tags of a story: its themes' names, then its names, each once, made safe to print."""
    tags: list[str] = []
    for tag in (*(digest.taxonomy.get(t).name for t in story.themes), *story_names(digest, story)):
        tag = clean_tag(tag)
        if tag and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tuple(tags)


def story_names(digest: Digest, story: Story) -> tuple[str, ...]:
    """Names (companies, people, places, indexes) in a story: its keywords written like names."""
    keywords = digest.summaries.stories[story.id].keywords
    names = [k for k in keywords if all(_NAME.match(w) for w in k.split())]
    return tuple(names[:MAX_NAMES])


def clean_tag(text: str) -> str:
    """A tag as plain text: markup characters dropped, spaces collapsed, at most 40 characters."""
    text = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .,'’-")
    return text[:40].rstrip(" .,'’-")
