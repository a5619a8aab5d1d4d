"""The immutable records of market facts: moves, names and quotes, per article and per story."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.packed import Packed


@dataclass(frozen=True)
class Entity:
    """A company, index, ETF, commodity, currency, person or institution."""

    id: str
    """Stable slug used in page addresses and digest.json."""
    name: str
    """Name shown to readers."""
    kind: str
    """`company`, `index`, `etf`, `commodity`, `currency`, `market`, `person` or `institution`."""
    tickers: tuple[str, ...] = ()
    """Tickers as `EXCHANGE:CODE`, from the registry and from the text."""
    known: bool = True
    """False when the name was found in the text but is not in the registry yet."""


@dataclass(frozen=True)
class EntityRegistry:
    """Names the extractor recognises, read from a YAML data file users extend."""

    entities: tuple[Entity, ...]
    """Every entity of the file, in file order."""
    aliases: tuple[tuple[str, str], ...]
    """(alias as written, entity id), longest alias first."""
    source: str
    """The file the registry was read from."""

    def get(self, entity_id: str) -> Entity:
        """The entity with this id."""
        return next(e for e in self.entities if e.id == entity_id)


@dataclass(frozen=True)
class Move:
    """One stated price or level move, flow or forecast of one instrument."""

    kind: str
    """`move` (a price or level change), `flow` (money moving into a market) or `forecast`."""
    entity: str
    """Id of the instrument's entity."""
    direction: str | None
    """`up`, `down`, or None when only a level is stated."""
    size: float | None
    """Size of the move (the low end of a range), or the amount of a flow, or the forecast value."""
    size_high: float | None
    """High end of a range (`between 3.2 and 5.5 per cent`), else None."""
    unit: str | None
    """`%`, `points`, or a currency code (`USD`, `HKD`...) for money figures."""
    qualifier: str | None
    """Words that bend the size: `over`, `nearly`, `by the daily limit of`, `from 75`..."""
    period: str
    """`day`, `close`, `intraday`, `premarket`, `week`, `month`, `year to date`, `year`, `since ...`, a weekday."""
    level: str | None
    """Level reached, as written (`a fresh three-year high`, `HK$48.15`), else None."""
    level_value: float | None
    """The level as a number when it is one, else None."""
    article: str
    """Id of the article stating it."""
    date: dt.date | None
    """Date of the article."""
    sentence: str
    """The sentence it was read from."""

    @property
    def session(self) -> str:
        """The period moves are compared on: a close and a day's move are the same session."""
        return "day" if self.period in ("day", "close") else self.period


@dataclass(frozen=True)
class Quote:
    """A direct quote with who said it."""

    text: str
    """The quoted words."""
    speaker: str
    """Person or institution it is attributed to (`analysts at UBS`, `Christopher Beddor`)."""
    affiliation: str | None
    """Role and organisation of the speaker, when stated."""
    in_note: bool
    """True when the words come from a written note, not a person speaking."""
    entities: tuple[str, ...]
    """Entity ids of the speaker and the affiliation."""
    article: str
    """Id of the article quoting it."""


@dataclass(frozen=True)
class ArticleFacts(Packed):
    """Market facts read from one article (its moves and quotes stored packed: `Packed`)."""

    PACKED = ("moves", "quotes")

    moves: tuple[Move, ...]
    """Moves, flows and forecasts in reading order."""
    quotes: tuple[Quote, ...]
    """Quotes in reading order."""
    entities: tuple[str, ...]
    """Ids of every entity the article names, in order of first mention."""

    def named_in(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """The entity of each move and the entities of each quote, in order (read without unpacking)."""
        return self._light_value("_named_in", lambda: (tuple(m.entity for m in self.moves),
                                                       tuple(q.entities for q in self.quotes)))

    def light(self) -> dict:
        return {"_named_in": self.named_in()}


@dataclass(frozen=True)
class KeyMove:
    """One row of a story's Key moves table: one instrument over one session, across sources."""

    entity: str
    """Id of the instrument."""
    session: str
    """Session or period the figures cover."""
    figures: tuple[Move, ...]
    """Every figure the story's articles give, in article order."""
    disputed: bool
    """True when the sources give different figures for the same session."""


@dataclass(frozen=True)
class StoryFacts(Packed):
    """Market facts of a story, reconciled across its articles (its rows and quotes stored packed: `Packed`)."""

    PACKED = ("key_moves", "others", "quotes")

    key_moves: tuple[KeyMove, ...]
    """Rows of the Key moves table."""
    others: tuple[Move, ...]
    """Flows and forecasts."""
    quotes: tuple[Quote, ...]
    """Quotes of all its articles."""
    entities: tuple[str, ...]
    """Ids of the entities its articles name."""

    def names(self) -> tuple[str, ...]:
        """Ids of every entity its facts show (its key moves', flows' and forecasts', and those its
        articles name), sorted (read without unpacking)."""
        return self._light_value("_names", lambda: tuple(sorted({
            *self.entities, *(row.entity for row in self.key_moves), *(m.entity for m in self.others)})))

    def light(self) -> dict:
        return {"_names": self.names()}


@dataclass(frozen=True)
class MarketFacts:
    """Everything the facts stages produced."""

    entities: dict[str, Entity] = field(default_factory=dict)
    """Entity id to entity (registry entries that were mentioned, and unknown names)."""
    articles: dict[str, ArticleFacts] = field(default_factory=dict)
    """Article id to its facts."""
    stories: dict[str, StoryFacts] = field(default_factory=dict)
    """Story id to its reconciled facts."""
    named: dict[str, dict[str, Entity]] = field(default_factory=dict, compare=False, repr=False)
    """Article id to the entities it names, as it gives them (what `entities` is merged from)."""
