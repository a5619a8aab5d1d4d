"""Presentation helpers for market facts: figure labels, direction marks and the build-time SVG bars."""

from __future__ import annotations

import datetime as dt

from generator.factrecords import KeyMove, MarketFacts, Move
from generator.records import Digest

GENERATED_NAMES = "digest/names"
COLOURS = {"up": "#1a7f37", "down": "#cf222e", None: "#6e7781"}


def entity_paths(market: MarketFacts) -> dict[str, str]:
    """Entity id to its page, relative to docs/."""
    return {eid: f"{GENERATED_NAMES}/{eid}.md" for eid in market.entities}


def figure_label(move: Move) -> str:
    """A move as readers see it: `+3.3%`, `−5% (over)`, `+3.2% to +5.5%`, `at HK$48.15`."""
    sign = {"up": "+", "down": "−"}.get(move.direction, "")
    if move.kind == "flow":
        return f"{move.unit} {move.size:,.0f}"
    if move.kind == "forecast":
        return f"forecast {move.size:g}" + (f" ({move.qualifier})" if move.qualifier else "")
    if move.size is None:
        text = f"{sign}at {move.level}" if move.level else sign
    else:
        unit = "%" if move.unit == "%" else f" {move.unit}"
        text = f"{sign}{move.size:g}{unit}"
        if move.size_high is not None:
            text += f" to {sign}{move.size_high:g}{unit}"
        if move.qualifier:
            text = f"{move.qualifier} {text}"
    return text


def direction_mark(direction: str | None) -> str:
    """A coloured arrow for a direction, as inline HTML built from fixed strings."""
    arrow = {"up": "▲", "down": "▼"}.get(direction, "●")
    return f'<span style="color:{COLOURS[direction]}">{arrow}</span>'


def bar_svg(move: Move, scale: float) -> str:
    """A small horizontal bar, its length the move's size against the largest on the board."""
    width = 60
    length = 0 if not move.size or not scale else max(2, round(width * min(move.size, scale) / scale))
    colour = COLOURS[move.direction]
    x = width if move.direction == "up" else width - length
    return (f'<svg width="{2 * width}" height="10" viewBox="0 0 {2 * width} 10" role="img" '
            f'aria-label="{move.direction or "level"}">'
            f'<line x1="{width}" y1="0" x2="{width}" y2="10" stroke="#999"/>'
            f'<rect x="{x}" y="2" width="{length}" height="6" fill="{colour}"/></svg>')


def market_board(digest: Digest) -> tuple[dt.date | None, list[tuple[str, KeyMove]]]:
    """The latest dated day's day-session moves, one row per instrument, biggest first."""
    dated = [s for s in digest.stories if s.date]
    if not dated:
        return None, []
    day = max(s.date for s in dated)
    rows: dict[str, KeyMove] = {}
    for story in dated:
        if story.date != day or story.id not in digest.market.stories:
            continue
        for row in digest.market.stories[story.id].key_moves:
            if row.session == "day" and row.entity not in rows:
                rows[row.entity] = row
    ordered = sorted(rows.values(), key=lambda r: (-(r.figures[0].size or 0), r.entity))
    return day, [(r.entity, r) for r in ordered]


def board_scale(rows) -> float:
    """The largest size on the board, for the bars."""
    return max((m.size or 0 for _, r in rows for m in r.figures), default=0.0)


def mentions(digest: Digest) -> dict[str, tuple[list, list[tuple[str, int]], list[tuple[str, int]]]]:
    """Entity id to the stories that name it, and the moves and quotes that name it (each as its
    article's id and its place among that article's moves or quotes: `mentioned`), in digest order.
    Found without unpacking any article's facts (`ArticleFacts.named_in`)."""
    index: dict[str, tuple[list, list, list]] = {eid: ([], [], []) for eid in digest.market.entities}

    def lists(eid: str) -> tuple[list, list, list]:
        found = index.get(eid)  # (not `setdefault`, which would make three lists for every mention)
        if found is None:
            found = index[eid] = ([], [], [])
        return found

    for story in digest.stories:
        story_facts = digest.market.stories.get(story.id)
        for eid in dict.fromkeys(story_facts.entities if story_facts else ()):
            lists(eid)[0].append(story)
    article_facts = digest.market.articles
    for article in digest.articles:
        facts = article_facts.get(article.id)
        if facts is None:
            continue
        moves, quotes = facts.named_in()
        aid = article.id
        for n, eid in enumerate(moves):
            lists(eid)[1].append((aid, n))
        for n, eids in enumerate(quotes):
            for eid in (dict.fromkeys(eids) if len(eids) > 1 else eids):
                lists(eid)[2].append((aid, n))
    return index


def mentioned(digest: Digest, moves: list[tuple[str, int]], quotes: list[tuple[str, int]]) -> tuple[list[Move], list]:
    """The moves and quotes `mentions` points to."""
    facts = digest.market.articles
    return [facts[aid].moves[n] for aid, n in moves], [facts[aid].quotes[n] for aid, n in quotes]
