"""Tags: the themes and registry names on the site, as Material tags and as chips on story pages.

Material's tags index lists every page that carries a tag, so tags go on pages that stand for a
tag, not on every story: each theme page carries its theme's name, and each page of a name the
entity registry knows carries that name. The tags index then lists one page per tag, whatever the
size of the archive. Story pages show their themes and registry names as chips linking to those pages.
Tag names end up in page front matter and, through the theme, in HTML that is not escaped, so
every tag is reduced to letters, digits, spaces and a few punctuation marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from generator.factrecords import Entity
from generator.records import Digest, Story, Theme

MAX_NAMES = 6
"""Most names a story is tagged with."""

_UNSAFE = re.compile(r"[^\w .,'’-]+")
_NAMES = re.compile(r"\s*+(?:[A-Z0-9]\S*+\s*+)*+")
"""Text whose every word starts with a capital or a digit (written like a name)."""


@dataclass(frozen=True)
class Tag:
    """A theme or a registry name shown as a tag, with the page it stands for."""

    name: str
    """The tag as printed, made safe by `clean_tag`."""
    theme: str | None = None
    """Id of the theme the tag stands for, or None for a name."""
    entity: str | None = None
    """Id of the registry entity the tag stands for, or None for a theme."""


def story_tags(digest: Digest, story: Story) -> tuple[Tag, ...]:
    """Tags of a story: its themes, then the registry names it mentions, each once, made safe to print."""
    facts = digest.market.stories.get(story.id)
    known = [digest.market.entities[e] for e in (facts.entities if facts else ()) if digest.market.entities[e].known]
    candidates = [*(_tag(theme_tag(digest.taxonomy.get(t)), t, None) for t in story.themes),
                  *(_tag(entity_tag(e), None, e.id) for e in known[:MAX_NAMES])]
    tags: list[Tag] = []
    seen: set[str] = set()
    for tag in candidates:
        folded = tag.name.lower()
        if tag.name and folded not in seen:
            seen.add(folded)
            tags.append(tag)
    return tuple(tags)


@lru_cache(maxsize=1 << 14)  # a few themes and names tag thousands of stories: each tag made once
def _tag(name: str, theme: str | None, entity: str | None) -> Tag:
    return Tag(name, theme, entity)


def theme_tag(theme: Theme) -> str:
    """The tag of a theme page: the theme's name."""
    return clean_tag(theme.name)


def entity_tag(entity: Entity) -> str:
    """The tag of a name's page: the name, for names the registry knows; empty for the others."""
    return clean_tag(entity.name) if entity.known else ""


def story_names(digest: Digest, story: Story) -> tuple[str, ...]:
    """Names (companies, people, places, indexes) in a story: its keywords written like names."""
    keywords = digest.summaries.stories[story.id].keywords
    return tuple([k for k in keywords if _NAMES.fullmatch(k)][:MAX_NAMES])


@lru_cache(maxsize=1 << 14)  # the same theme and company names come up on every story
def clean_tag(text: str) -> str:
    """A tag as plain text: markup characters dropped, spaces collapsed, at most 40 characters."""
    text = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .,'’-")
    return text[:40].rstrip(" .,'’-")
