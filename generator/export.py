"""Export: the digest as `digest.json`, for other tools (schema in the README)."""

from __future__ import annotations

import json

from generator.records import Digest

SCHEMA_VERSION = 1


def export_json(digest: Digest) -> str:
    """The digest as deterministic, pretty-printed JSON text."""
    data = {
        "schema": SCHEMA_VERSION,
        "themes": [
            {"id": t.id, "name": t.name, "description": t.description,
             "stories": [s.id for s in digest.stories if t.id in s.themes]}
            for t in digest.taxonomy.themes
        ],
        "stories": [
            {
                "id": s.id,
                "title": s.headline,
                "dek": digest.summaries.stories[s.id].dek,
                "date": s.date.isoformat() if s.date else None,
                "date_inferred": s.date_inferred,
                "themes": list(s.themes),
                "primary_theme": s.primary_theme,
                "summary": [{"text": x.text, "article": x.article} for x in digest.summaries.stories[s.id].sentences],
                "keywords": list(digest.summaries.stories[s.id].keywords),
                "articles": list(s.articles),
                "copies": [{"article": c, "copy_of": k} for c, k in s.copies],
            }
            for s in digest.stories
        ],
        "articles": [
            {
                "id": a.id,
                "title": a.title,
                "title_origin": a.title_origin,
                "source": a.source,
                "date": a.date.isoformat() if a.date else None,
                "url": a.url,
                "themes": list(digest.themes[a.id].themes),
                "primary_theme": digest.themes[a.id].primary,
                "theme_scores": dict(digest.themes[a.id].scores),
                "story": digest.story_of(a.id).id,
                "keywords": list(digest.keywords[a.id]),
                "summary": [x.text for x in digest.summaries.articles[a.id]],
                "words": a.word_count,
            }
            for a in digest.articles
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in digest.skipped],
        "warnings": [{"path": s.path, "reason": s.reason} for s in digest.warnings],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
