"""Export: the digest as `digest.json`, for other tools (schema in the README)."""

from __future__ import annotations

import json
from functools import partial
from itertools import accumulate

from generator.factrecords import Move, Quote
from generator.records import Digest

SCHEMA_VERSION = 1

_ENCODER = json.JSONEncoder(ensure_ascii=False)


def export_json(digest: Digest) -> bytes:
    """The digest as deterministic JSON (UTF-8), one record (theme, story, article, entity, facts) per line.

    A line per record keeps diffs between builds readable, and lets the C encoder write each record
    (an indented dump goes through the pure-Python encoder, seconds at archive size). The build
    runs it in a process of its own, beside the pages (`build._export`).
    """
    market = digest.market
    makers = ([partial(_story_record, digest, s) for s in digest.stories]
              + [partial(_article_record, digest, a) for a in digest.articles]
              + [partial(_story_facts, f) for f in market.stories.values()]
              + [partial(_article_facts, f) for f in market.articles.values()])
    encoded = _encode(makers)
    ends = list(accumulate((len(digest.stories), len(digest.articles), len(market.stories), len(market.articles))))
    stories, articles = encoded[:ends[0]], encoded[ends[0]:ends[1]]
    story_facts, article_facts = encoded[ends[1]:ends[2]], encoded[ends[2]:]
    data = {
        "schema": SCHEMA_VERSION,
        "themes": [
            {"id": t.id, "name": t.name, "description": t.description,
             "stories": [s.id for s in digest.stories if t.id in s.themes]}
            for t in digest.taxonomy.themes
        ],
        "stories": [_Encoded(line) for line in stories],
        "articles": [_Encoded(line) for line in articles],
        "entities": [{"id": e.id, "name": e.name, "kind": e.kind, "tickers": list(e.tickers), "known": e.known}
                     for e in market.entities.values()],
        "facts": {
            "stories": {sid: _Encoded(line) for sid, line in zip(market.stories, story_facts)},
            "articles": {aid: _Encoded(line) for aid, line in zip(market.articles, article_facts)},
        },
        "skipped": [{"path": s.path, "reason": s.reason} for s in digest.skipped],
        "warnings": [{"path": s.path, "reason": s.reason} for s in digest.warnings],
    }
    parts: list[str] = []
    _block(data, 0, parts)
    parts.append("\n")
    return "".join(parts).encode("utf-8")  # one copy of the whole text, made once, and encoded where it was made


class _Encoded(str):
    """A value already encoded as JSON."""


def _encode(makers) -> list[str]:
    return [_ENCODER.encode(make()) for make in makers]


def _story_record(digest: Digest, s) -> dict:
    summary = digest.summaries.stories[s.id]
    return {
        "id": s.id,
        "title": s.headline,
        "dek": summary.dek,
        "date": s.date.isoformat() if s.date else None,
        "date_inferred": s.date_inferred,
        "themes": list(s.themes),
        "primary_theme": s.primary_theme,
        "summary": [{"text": x.text, "article": x.article} for x in summary.sentences],
        "keywords": list(summary.keywords),
        "articles": list(s.articles),
        "copies": [{"article": c, "copy_of": k} for c, k in s.copies],
    }


def _article_record(digest: Digest, a) -> dict:
    assignment = digest.themes[a.id]
    return {
        "id": a.id,
        "title": a.title,
        "title_origin": a.title_origin,
        "source": a.source,
        "date": a.date.isoformat() if a.date else None,
        "url": a.url,
        "themes": list(assignment.themes),
        "primary_theme": assignment.primary,
        "theme_scores": dict(assignment.scores),
        "story": digest.story_of(a.id).id,
        "keywords": list(digest.keywords[a.id]),
        "summary": [x.text for x in digest.summaries.articles[a.id]],
        "words": a.word_count,
    }


def _story_facts(f) -> dict:
    return {"key_moves": [{"entity": r.entity, "session": r.session, "disputed": r.disputed,
                           "figures": [_move(m) for m in r.figures]} for r in f.key_moves],
            "flows_and_forecasts": [_move(m) for m in f.others],
            "quotes": [_quote(q) for q in f.quotes], "entities": list(f.entities)}


def _article_facts(f) -> dict:
    return {"moves": [_move(m) for m in f.moves], "quotes": [_quote(q) for q in f.quotes],
            "entities": list(f.entities)}


def _block(value, depth: int, out: list[str], in_dict: bool = False) -> None:
    """Append the text of a value to `out`: the top-level object and its lists and objects one entry
    per line; deeper values on one line.

    The objects of objects under `facts` (story id to facts) also get one entry per line.
    """
    if isinstance(value, _Encoded):
        out.append(value)
        return
    expand = depth < 2 or (depth == 2 and in_dict and isinstance(value, dict))
    if not expand or not isinstance(value, (dict, list)) or not value:
        out.append(_ENCODER.encode(value))
        return
    pad = " " * (depth + 1)
    close = "\n" + " " * depth + ("}" if isinstance(value, dict) else "]")
    if isinstance(value, dict):
        out.append("{")
        for n, (key, item) in enumerate(value.items()):
            out.append(f"{',' if n else ''}\n{pad}{_ENCODER.encode(key)}: ")
            _block(item, depth + 1, out, True)
    else:
        out.append("[")
        for n, item in enumerate(value):
            out.append(f",\n{pad}" if n else f"\n{pad}")
            _block(item, depth + 1, out)
    out.append(close)


def _move(m: Move) -> dict:
    return {"kind": m.kind, "entity": m.entity, "direction": m.direction, "size": m.size, "size_high": m.size_high,
            "unit": m.unit, "qualifier": m.qualifier, "period": m.period, "level": m.level,
            "level_value": m.level_value, "article": m.article, "date": m.date.isoformat() if m.date else None,
            "sentence": m.sentence}


def _quote(q: Quote) -> dict:
    return {"text": q.text, "speaker": q.speaker, "affiliation": q.affiliation, "in_note": q.in_note,
            "entities": list(q.entities), "article": q.article}
