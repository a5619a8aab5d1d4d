"""Facts: price and index moves, flows, forecasts, names and quotes read from each article.

A sentence is scanned for figures (per cent, points, money); each figure is tied to the nearest word
of movement before it ("jumped", "fell", "gains of") or after it ("6% higher"), and to the
instruments named between the previous figure and that word. Instruments come from the entity
registry and from general patterns (`X Index`, `X ETF`, `X Inc`, `X shares`, `(EXCH:CODE)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache, partial

from generator.factrecords import ArticleFacts, Entity, EntityRegistry, MarketFacts, Move, Quote
from generator.records import Article
from generator.runner import Runner, item_key
from generator.text import data_words, slugify

INSTRUMENT_KINDS = {"company", "index", "etf", "commodity", "currency", "market"}
NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
PCT = r"(?:\s?%|\s?per\s?cent\b|\s?percent\b)"
CURRENCY = r"(?P<cur>HK\$|US\$|HKUSD|USD|HKD|\$|£|€|¥)"
MAGNITUDE = r"(?:\s?(?P<mag>trillion|billion|bn|million|m)\b)?"
FIGURE = re.compile(
    rf"between (?P<rlo>{NUM}){PCT}? and (?P<rhi>{NUM}){PCT}"
    rf"|(?P<dlo>{NUM}){PCT}?\s?[-–](?P<dhi>{NUM}){PCT}"
    rf"|(?P<pct>{NUM}){PCT}"
    rf"|(?P<pts>{NUM}) points\b"
    rf"|{CURRENCY}\s?(?P<money>{NUM}){MAGNITUDE}"
    rf"|(?<=\bto )(?P<plain>\d+(?:,\d{{3}})*\.\d+)\b"
)
UP_WORDS = (r"rose|rises?|risen|rising|jump(?:ed|s|ing)?|climb(?:ed|s|ing)?|surg(?:ed|es|ing)|surge|"
            r"rall(?:ied|ies|ying)|gain(?:ed|s|ing)?|advanc(?:ed|es|ing)|add(?:ed|s|ing)|soar(?:ed|s|ing)?|"
            r"edged up|up|higher|increased|increase|rebound(?:ed)?|firmed|leapt|leaped|spiked")
DOWN_WORDS = (r"fell|fall(?:s|en|ing)?|slip(?:ped|s|ping)?|tumbl(?:ed|es|ing)|drop(?:ped|s|ping)?|"
              r"declin(?:ed|es|ing)|decline|lost|los(?:es|ing)|loss(?:es)?|eased|slump(?:ed|s)?|plung(?:ed|es)|"
              r"sank|slid|down|lower|decreased|retreated|shed|dipped|weakened")
LEVEL_WORDS = r"closing at|closed at|ended at|hitting|hit|touched|reached|reaching|trading at"
CUE = re.compile(rf"\b(?:(?P<up>{UP_WORDS})|(?P<down>{DOWN_WORDS})|(?P<level>{LEVEL_WORDS}))\b", re.I)
QUALIFIER = re.compile(
    r"(?:\b(?P<q>more than|over|nearly|almost|about|around|roughly|some|just over|just under|close to|"
    r"less than|under|above|below|as much as|the daily limit of|a record)\s*)$", re.I)
LEVEL_TEXT = re.compile(
    r"^\s*(?:,\s*)?(?:to close |to )?(?:at |to |hitting |reaching )?(?P<t>(?:a |an |its |the |near |near a )?"
    r"(?:fresh |new |near |record |all-time )*[\w-]*\s?(?:high|low)(?:est|s)?"
    r"(?:\s(?:since|of|in)\s[\w$.\s-]+?)?)(?=\s(?:after|and|while|as|on|amid|in)\b|[,.;]|$)", re.I)
FUNDAMENTALS = re.compile(
    r"\b(?:profits?|revenues?|sales|earnings|output|production|inflation|unemployment|gdp|growth|rates?|"
    r"stake|workforce|jobs|margins?|debt|spending|taxe?s?|volume|subscribers|costs?|demand|orders|poverty|"
    r"economy|exports?|imports?|prices of|investment)\b", re.I)
PERIODS = (
    ("premarket", re.compile(r"pre-?market", re.I)),
    ("year to date", re.compile(r"so far this year|this year|year[- ]to[- ]date|(?:for|in) 20\d\d so far|so far in 20\d\d", re.I)),
    ("month", re.compile(r"\b(?:this|past|the|for the) month\b|\bmonthly\b", re.I)),
    ("week", re.compile(r"\bweek(?:’s|'s|ly)?\b", re.I)),
    ("year", re.compile(r"than a year (?:ago|earlier)|year-on-year|over the past year", re.I)),
    ("since", re.compile(r"\b[Ss]ince (?:mid-|early |late )?[A-Z][a-z]+")),
    ("intraday", re.compile(r"by \d{4} GMT|intraday|earlier in the session|in early trade", re.I)),
    ("close", re.compile(r"\bclos(?:e|ed|ing)\b|\bended\b|\bfinished\b", re.I)),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY = re.compile(r"\b(?:on )?(" + "|".join(WEEKDAYS) + r")\b")
CURRENCY_CODES = {"HK$": "HKD", "HKUSD": "HKD", "HKD": "HKD", "US$": "USD", "USD": "USD", "$": "USD", "£": "GBP",
                  "€": "EUR", "¥": "JPY"}
MAGNITUDES = {"trillion": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6, "m": 1e6}

TICKER = re.compile(r"\((?P<ex>[A-Z]{2,6}):(?P<code>[A-Z0-9.]{1,6})\)")
WORDCAP = r"(?:[A-Z][\w&'’.-]*|[a-z]+[A-Z][\w-]*)"
ETF_NAME = re.compile(rf"\b((?:{WORDCAP}\s+){{1,6}}ETF)\b")
INDEX_NAME = re.compile(rf"\b((?:{WORDCAP}\s+)(?:(?:{WORDCAP}|\d+|and|of)\s+){{0,6}})(?:[Ii]ndex|[Ii]ndexes)\b")
SUFFIX_NAME = re.compile(
    rf"\b((?:{WORDCAP}\s+){{1,4}}(?:Inc|Corp|Ltd|Holdings?|Group|Co|plc|PLC|Technologies|Securities|Techedu|AG)\b\.?)")
SHARES_NAME = re.compile(rf"\b((?:{WORDCAP}\s+){{0,3}}{WORDCAP})(?:’s|'s)?\s+(?:shares|stock|ADRs)\b")
SHARES_OF = re.compile(r"(?:^|[.;:]\s)Shares (?:of|in) ([^.;]*?)\s+(?:" + UP_WORDS + "|" + DOWN_WORDS + r"|have|has|were|was)\b")
GROUP = re.compile(
    r"\b(?P<name>(?:(?P<place>[A-Z][\w.’'-]*(?:\s[A-Z][\w’'-]*)?(?:-listed)?)\s+)?"
    r"(?:(?:tech|technology|internet|bank|banking|property|energy|mining|financial|blue-chip)\s+)?"
    r"(?:shares|stocks|equities))\b")
ANAPHORA = re.compile(
    r"\b(?P<index>[Tt]he (?:gauge|index|benchmark))\b|\b(?P<company>[Tt]he stock|[Ii]ts (?:shares|stock|ADRs)|"
    r"[Tt]he company(?:’s|'s) shares)\b|\b(?P<their>[Tt]heir shares)\b")
FLOW = re.compile(r"\b(?P<name>[A-Za-z]+)\s+(?:flows|inflows|outflows)\b")
FORECAST = re.compile(
    r"\b(?P<verb>raised|lifted|upgraded|cut|lowered|downgraded|set)\s+(?:its |their )?(?:price )?(?:forecasts?|targets?)"
    r"\s+for\s+(?P<rest>.+?)\s+to\s+(?P<to>" + NUM + r")(?:\s+from\s+(?P<from>" + NUM + r"))?")
QUOTE = re.compile(r"[“\"](?P<q>[^”\"]{20,}?)[”\"]")
SAID = r"(?:said|says|added|stated|reported|told [\w ]+?|noted|wrote)"


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    entity: Entity


def extract_facts(articles: tuple[Article, ...], registry: EntityRegistry, runner: Runner | None = None,
                  kept: dict[str, tuple[ArticleFacts, dict[str, Entity]]] | None = None) -> MarketFacts:
    """Moves, flows, forecasts, names and quotes of every article, with the entities they name.

    `kept`: what `article_facts` gave some of the articles in an earlier build; only the others are read.
    """
    runner = runner or Runner()
    kept = kept or {}
    todo = tuple(a for a in articles if a.id not in kept) if kept else articles
    registry_source = runner.source_of(item_key(registry))
    read = dict(zip((a.id for a in todo), runner.map_grouped(
        "facts", partial(article_facts, registry), todo, [a + registry_source for a in runner.sources(todo)],
        runner.day_groups(todo), named=True)))
    results = [read[a.id] if a.id in read else kept[a.id] for a in articles]
    # each name as its last article gives it; one the registry does not know, with every ticker
    # its articles give it (merged as they come, each entity made once at the end)
    latest: dict[str, Entity] = {}
    merged: dict[str, set[str]] = {}
    for _, named in results:
        for eid, entity in named.items():
            if eid in latest and not entity.known:
                tickers = merged.get(eid)
                if tickers is None:
                    tickers = merged[eid] = set(latest[eid].tickers)
                tickers.update(entity.tickers)
            else:
                merged.pop(eid, None)
            latest[eid] = entity
    entities = {eid: replace(entity, tickers=tuple(sorted(merged[eid]))) if eid in merged else entity
                for eid, entity in latest.items()}
    facts = {a.id: f for a, (f, _) in zip(articles, results)}
    return MarketFacts(entities=dict(sorted(entities.items())), articles=facts,
                       named={a.id: named for a, (_, named) in zip(articles, results)})


def article_facts(registry: EntityRegistry, article: Article) -> tuple[ArticleFacts, dict[str, Entity]]:
    """The facts of one article and the entities it names."""
    reader = _reader(registry)
    reader.entities = {}
    return reader.article(article), reader.entities


@cache
def _reader(registry: EntityRegistry) -> _Reader:
    return _Reader(registry)


class _Reader:
    """Reads articles one by one, collecting the entities they name (registry and unknown)."""

    def __init__(self, registry: EntityRegistry):
        self.registry = registry
        self.by_id = {e.id: e for e in registry.entities}
        self.by_ticker = {t: e for e in registry.entities for t in e.tickers}
        self.entities: dict[str, Entity] = {}
        self.alias = re.compile(r"(?<![\w&])" + _alias_pattern([alias for alias, _ in registry.aliases]) + r"(?![\w&])")
        self.alias_ids: dict[str, str] = {}
        for alias, eid in registry.aliases:
            for form in (alias, alias[:1].upper() + alias[1:]):
                self.alias_ids.setdefault(form, eid)
        self.places = frozenset(data_words("market_places.txt"))
        self.stop = frozenset(data_words("name_stopwords.txt"))

    def article(self, article: Article) -> ArticleFacts:
        moves: list[Move] = []
        named: dict[str, None] = {}
        context = _Context()
        for text in _sentences(article):
            mentions = self.mentions(text)
            for m in mentions:
                named[m.entity.id] = None
            moves.extend(self.sentence_moves(text, mentions, article, context))
            context.previous, context.previous_text = mentions, text
            for m in mentions:
                if m.entity.kind == "index":
                    context.index = m.entity
                elif m.entity.kind == "company" and m.start < 30:
                    context.company = m.entity
                elif m.entity.kind == "market":
                    context.group = m.entity
        quotes = self.quotes(article)
        for q in quotes:
            named.update(dict.fromkeys(q.entities))
        for eid in named:
            self.entities.setdefault(eid, self._entity(eid))
        return ArticleFacts(tuple(moves), tuple(quotes), tuple(named))

    def _entity(self, eid: str) -> Entity:
        return self.by_id.get(eid) or self.entities[eid]

    # Names -----------------------------------------------------------------------------------

    def mentions(self, text: str) -> list[_Mention]:
        """Entities named in a text, registry names first, longest first, without overlaps."""
        found: list[_Mention] = []
        for match in self.alias.finditer(text):
            eid = self.alias_ids[match.group()]
            found.append(_Mention(match.start(), match.end(), self.by_id[eid]))
        for match in TICKER.finditer(text):
            ticker = f"{match['ex']}:{match['code']}"
            entity = self.by_ticker.get(ticker)
            if entity:
                found.append(_Mention(match.start(), match.end(), entity))
            else:
                name = self._name_before(text[:match.start()])
                if name:
                    found.append(_Mention(match.start() - len(name) - 1, match.end(),
                                          self._unknown(name, "company", (ticker,))))
        patterns = [(ETF_NAME, "etf"), (INDEX_NAME, "index"), (SUFFIX_NAME, "company"), (SHARES_NAME, "company")]
        for pattern, kind in patterns:
            if not _may_match(pattern, text):
                continue
            for match in pattern.finditer(text):
                self._add_pattern(found, text, match.start(1), match.group(1), kind)
        for match in SHARES_OF.finditer(text):
            offset = match.start(1)
            for part in re.split(r",\s*|\s+and\s+", match.group(1)):
                name = self._trim(part.strip())
                if name:
                    self._add_pattern(found, text, offset + match.group(1).find(name), name, "company")
        for match in GROUP.finditer(text) if _may_match(GROUP, text) else ():
            place = (match["place"] or "").lower()
            if place and place in self.places:
                name = match["name"]
                found.append(_Mention(match.start("name"), match.end("name"),
                                      self._unknown(name[0].upper() + name[1:], "market")))
        return _without_overlaps(found)

    def _add_pattern(self, found: list[_Mention], text: str, start: int, raw: str, kind: str) -> None:
        name = self._trim(raw)
        if not name or name.lower() in self.places:
            return
        start += raw.find(name)
        known = self.alias.fullmatch(name) or self.alias.fullmatch(re.sub(r"\s+(?:index|Index|ETF)$", "", name))
        label = f"{name} Index" if kind == "index" and not name.lower().endswith("index") else name
        entity = self.by_id[self.alias_ids[known.group()]] if known else self._unknown(label, kind)
        found.append(_Mention(start, start + len(name), entity))

    def _trim(self, raw: str) -> str:
        for place in self.places:
            if raw.lower().startswith(place + " ") or raw.lower().startswith(place + "-listed "):
                raw = raw[raw.index(" ", len(place)) + 1:]
        words = raw.replace("’s", "").replace("'s", "").split()
        while words and (words[0].lower() in self.stop or words[0].lower() in self.places
                         or words[0].lower().endswith("-listed") or not words[0][:1].isupper()
                         and not re.match(r"[a-z]+[A-Z]", words[0])):
            words.pop(0)
        while words and words[-1].lower() in self.stop:
            words.pop()
        return " ".join(words)

    def _name_before(self, text: str) -> str:
        match = re.search(rf"((?:{WORDCAP}\s+){{0,3}}{WORDCAP})\s*$", text)
        return self._trim(match.group(1)) if match else ""

    def _unknown(self, name: str, kind: str, tickers: tuple[str, ...] = ()) -> Entity:
        name = name.rstrip(".") if not name.endswith(("Inc.", "Corp.", "Ltd.", "Co.")) else name
        eid = slugify(name) or "entity"
        if eid in self.by_id:
            return self.by_id[eid]
        old = self.entities.get(eid)
        entity = Entity(eid, name, kind, tuple(sorted({*(old.tickers if old else ()), *tickers})), known=False)
        self.entities[eid] = entity
        return entity

    # Moves -----------------------------------------------------------------------------------

    def sentence_moves(self, text: str, mentions: list[_Mention], article: Article, context) -> list[Move]:
        moves: list[Move] = []
        consumed = self._forecasts_and_flows(text, mentions, article, moves)
        figures = [f for f in FIGURE.finditer(text) if not any(a <= f.start() < b for a, b in consumed)] \
            if _DIGIT.search(text) else []
        cues = [c for c in CUE.finditer(text) if not any(m.start <= c.start() < m.end for m in mentions)] \
            if figures else []  # a cue only ever qualifies a figure
        previous_end, previous_entities, previous_move = 0, [], None
        for n, fig in enumerate(figures):
            size_kind = fig["pct"] or fig["rlo"] or fig["dlo"] or fig["pts"]
            before = [c for c in cues if c.end() <= fig.start() and c.end() > previous_end]
            after = re.match(r"\s*(?:\w+\s){0,1}(?P<d>higher|lower)\b", text[fig.end():])
            directional = [c for c in before if not c["level"]]
            if previous_move and not size_kind and not directional and previous_move.level_value is not None \
                    and before and (fig["money"] or fig["plain"]):
                made = self._moves(text, fig, previous_entities, None, _period(before[-1].group(0), article) or "day",
                                   article)
                moves.extend(made)
                previous_move, previous_end = made[-1], fig.end()
                continue
            if previous_move and not size_kind and not directional:
                previous_move = self._attach_level(moves, previous_move, fig)
                previous_end = fig.end()
                continue
            if previous_move and size_kind and not before and re.fullmatch(r"[\s,]*(?:and|or)?\s*", text[previous_end:fig.start()]):
                made = self._moves(text, fig, previous_entities, previous_move.direction, previous_move.period, article)
                moves.extend(made[:1] if "respectively" in text else made)
                previous_move, previous_end = moves[-1], fig.end()
                continue
            inside = bool(before) and re.match(r"\s+in\s", text[before[-1].end():]) is not None
            if before and len(text[before[-1].end():fig.start()].split()) <= (9 if inside else 7):
                cue = before[-1]
                direction = "up" if cue["up"] else "down" if cue["down"] else None
                region_end = cue.start()
            elif after and size_kind:
                cue, direction, region_end = None, "up" if after["d"].lower() == "higher" else "down", fig.start()
            else:
                previous_end = fig.end()
                continue
            if not size_kind and not (cue and re.search(r"\b(?:to|at|of|above|below)\b[^,;]{0,40}$", text[cue.end():fig.start()]))                     and not re.search(r"\b(?:to|at|above|below)\s+$", text[:fig.start()]):
                previous_end = fig.end()
                continue
            earlier_cues = [c for c in cues if previous_end <= c.end() <= region_end and c is not cue]
            region_start = max(previous_end, earlier_cues[-1].end() if earlier_cues and _has_instrument(
                mentions, earlier_cues[-1].end(), region_end) else previous_end)
            region = text[region_start:region_end]
            entities = [m.entity for m in mentions if region_start <= m.start < region_end and _instrument(m, text)]
            if entities and FUNDAMENTALS.search(text[max(m.end for m in mentions if m.entity in entities):region_end]):
                previous_end = fig.end()
                continue
            if not entities and FUNDAMENTALS.search(region):
                previous_end = fig.end()
                continue
            if not entities and cue is not None and inside:
                entities = [m.entity for m in mentions if cue.end() <= m.start < fig.start() and _instrument(m, text)]
            if not entities:
                entities = self._anaphora(region, context) or (previous_entities if previous_move else [])
            if not entities:
                previous_end = fig.end()
                continue
            entities = list(dict.fromkeys(entities))
            following = figures[n + 1].start() if n + 1 < len(figures) else len(text)
            next_cue = next((c.start() for c in cues if c.start() > fig.end()), len(text))
            comma = re.search(r"[,;]", text[fig.end():])
            stop = fig.end() + comma.start() if comma else len(text)
            segment = text[(cue.start() if cue else fig.start()):min(following, next_cue, stop)]
            level_text = LEVEL_TEXT.match(text[fig.end():])
            if level_text:
                segment = segment.replace(level_text["t"], "")
            period = _period(segment, article) or _period(region, article) or "day"
            made = self._moves(text, fig, entities, direction, period, article)
            if "respectively" in text[fig.end():fig.end() + 40] or (n and "respectively" in text[figures[n - 1].end():fig.start()]):
                made = made[:1]
            moves.extend(made)
            previous_move, previous_entities, previous_end = made[-1] if made else None, entities, fig.end()
        return _respectively(text, moves, mentions)

    def _moves(self, text, fig, entities, direction, period, article) -> list[Move]:
        size, high, unit = _size(fig)
        prefix = text[:fig.start()]
        qual = QUALIFIER.search(prefix.removesuffix("between ").rstrip() + " ")
        qualifier = " ".join(qual["q"].lower().split()) if qual else None
        level, level_value = None, None
        if fig["money"] or fig["plain"]:
            level, level_value, size, unit = fig.group(0), _number(fig["money"] or fig["plain"]), None, None
        else:
            match = LEVEL_TEXT.match(text[fig.end():])
            if match and re.search(r"high|low", match["t"], re.I):
                level = match["t"].strip()
        return [Move("move", e.id, direction, size, high, unit, qualifier, period, level, level_value,
                     article.id, article.date, text) for e in entities]

    def _attach_level(self, moves: list[Move], move: Move, fig) -> Move | None:
        if not (fig["money"] or fig["plain"]) or move.level_value is not None:
            return move
        value = _number(fig["money"] or fig["plain"])
        updated = [replace(m, level=fig.group(0), level_value=value) if m.sentence == move.sentence
                   and m.size == move.size and m.level_value is None else m for m in moves]
        moves[:] = updated
        return updated[-1]

    def _anaphora(self, region: str, context) -> list[Entity]:
        match = None
        for match in ANAPHORA.finditer(region):
            pass
        if match and match["index"] and context.index:
            return [context.index]
        if match and match["company"] and context.company:
            return [context.company]
        if match and match["their"]:
            companies = [m.entity for m in context.previous if m.entity.kind == "company"]
            spans = (self._trim(n) for n in re.findall(rf"(?:{WORDCAP}\s?)+", context.previous_text))
            return companies or [self._unknown(n, "company") for n in spans if n and n.lower() not in self.places]
        if re.search(r"\b(?:shares|stocks)\b", region) and context.group:
            return [context.group]
        return []

    def _forecasts_and_flows(self, text, mentions, article, moves) -> list[tuple[int, int]]:
        consumed = []
        for match in FORECAST.finditer(text):
            target = [m.entity for m in mentions if match.start("rest") <= m.start < match.end("rest")]
            if target:
                direction = "down" if match["verb"].lower() in ("cut", "lowered", "downgraded") else "up"
                qualifier = f"from {match['from']}" if match["from"] else None
                moves.append(Move("forecast", target[0].id, direction, _number(match["to"]), None, None, qualifier,
                                  "forecast", None, None, article.id, article.date, text))
                consumed.append((match.start(), match.end()))
        for match in FLOW.finditer(text):
            if match["name"].lower() in ("investment", "the", "fund", "of", "capital"):
                continue
            money = re.search(CURRENCY + r"\s?(?P<money>" + NUM + ")" + MAGNITUDE, text[match.end():])
            if not money:
                continue
            name = f"{match['name'].capitalize()} flows"
            entity = self._unknown(name, "market")
            amount = _number(money["money"]) * MAGNITUDES.get(money["mag"] or "", 1)
            since = re.search(r"\bsince [^,.;]+", text[match.end():])
            moves.append(Move("flow", entity.id, None, amount, None, CURRENCY_CODES[money["cur"]], None,
                              since.group(0) if since else "day", None, None, article.id, article.date, text))
            start = match.end() + money.start()
            consumed.append((start, match.end() + money.end()))
        return consumed

    # Quotes ----------------------------------------------------------------------------------

    def quotes(self, article: Article) -> list[Quote]:
        quotes: list[Quote] = []
        last = None
        for paragraph in article.paragraphs:
            cursor = 0
            for match in QUOTE.finditer(paragraph):
                last = _last_speaker(paragraph[cursor:match.start()]) or last
                after = paragraph[match.end():]
                before = paragraph[cursor:match.start()]
                speaker = _attribution_after(after) or _attribution_before(before)
                if speaker in ("he", "she", "they", None):
                    if last is None:
                        continue
                    speaker = last
                cursor = match.end()
                name, affiliation, in_note = speaker
                last = speaker
                ids = tuple(dict.fromkeys(m.entity.id for m in self.mentions(f"{name}, {affiliation or ''}")))
                if not ids and name[:1].isupper() and len(name.split()) in (2, 3) and "analyst" not in name:
                    ids = (self._unknown(name, "person").id,)
                quotes.append(Quote(match["q"].strip(" ,"), name, affiliation, in_note, ids, article.id))
            last = _last_speaker(paragraph[cursor:]) or last
        return quotes


def _sentences(article: Article) -> list[str]:
    """Sentences, with a split after an abbreviation (`Corp. rose`) joined back."""
    out: list[str] = []
    for sentence in article.sentences:
        if out and sentence.text[:1].islower():
            out[-1] = f"{out[-1]} {sentence.text}"
        else:
            out.append(sentence.text)
    return out


class _Context:
    """What earlier sentences of the article named, for `the gauge`, `the stock`, `their shares`."""

    def __init__(self):
        self.index = self.company = self.group = None
        self.previous: list[_Mention] = []
        self.previous_text = ""


_DIGIT = re.compile(r"\d")
_REQUIRED = {
    ETF_NAME: ("ETF",),
    INDEX_NAME: ("ndex",),
    SUFFIX_NAME: ("Inc", "Corp", "Ltd", "Holding", "Group", "Co", "plc", "PLC", "Technologies", "Securities",
                  "Techedu", "AG"),
    SHARES_NAME: ("shares", "stock", "ADRs"),
    GROUP: ("shares", "stocks", "equities"),
}
"""Words a pattern cannot match without: a sentence holding none of them is not scanned."""


def _may_match(pattern: re.Pattern, text: str) -> bool:
    return any(word in text for word in _REQUIRED[pattern])


def _alias_pattern(aliases: list[str]) -> str:
    """One pattern for all aliases (an alias in lower case also with a capital), as a trie.

    Tried at each position, the trie follows only the branches that match, where an alternation
    of hundreds of names tries each in turn; it finds the longest alias, as the longest-first
    alternation did.
    """
    trie: dict = {}
    for alias in aliases:
        for form in {alias, alias[:1].upper() + alias[1:]}:
            node = trie
            for char in form:
                node = node.setdefault(char, {})
            node[""] = {}
    return _trie_pattern(trie) or "(?!)"


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _without_overlaps(found: list[_Mention]) -> list[_Mention]:
    kept: list[_Mention] = []
    for m in sorted(found, key=lambda m: (-(m.end - m.start), m.entity.known is False, m.start)):
        if not any(m.start < k.end and k.start < m.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _instrument(mention: _Mention, text: str) -> bool:
    if mention.entity.kind in INSTRUMENT_KINDS:
        return True
    return mention.entity.kind == "institution" and bool(re.match(r"(?:’s|'s)?\s+(?:shares|stock)\b", text[mention.end:]))


def _has_instrument(mentions, start, end) -> bool:
    return any(start <= m.start < end and m.entity.kind in INSTRUMENT_KINDS for m in mentions)


def _respectively(text: str, moves: list[Move], mentions: list[_Mention]) -> list[Move]:
    """`A and B ... gains of 13% and 13.1%, respectively`: pair the names with the figures in order."""
    if "respectively" not in text:
        return moves
    out, used = [], set()
    for move in moves:
        if move.entity in used:
            names = [m.entity.id for m in mentions if m.entity.kind in INSTRUMENT_KINDS and m.entity.id not in used]
            if names:
                move = replace(move, entity=names[0])
        used.add(move.entity)
        out.append(move)
    return out


def _size(fig) -> tuple[float | None, float | None, str | None]:
    if fig["rlo"]:
        return _number(fig["rlo"]), _number(fig["rhi"]), "%"
    if fig["dlo"]:
        return _number(fig["dlo"]), _number(fig["dhi"]), "%"
    if fig["pct"]:
        return _number(fig["pct"]), None, "%"
    if fig["pts"]:
        return _number(fig["pts"]), None, "points"
    return None, None, None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _period(text: str, article: Article) -> str | None:
    for name, pattern in PERIODS:
        match = pattern.search(text)
        if match:
            return match.group(0) if name == "since" else name
    day = WEEKDAY.search(text)
    if day and article.date and day.group(1) != WEEKDAYS[article.date.weekday()]:
        return day.group(1)
    return None


def _attribution_after(text: str):
    text = text.lstrip(" ,.")
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", text, maxsplit=1)[0].rstrip(". ")
    if re.match(r"^(?:he|she|they) (?:said|says|added)\b", sentence, re.I):
        return sentence.split()[0].lower()
    match = re.match(rf"^{SAID}\s+(?:a |an |the )?(?P<who>.+)$", sentence)
    if match:
        return _speaker(match["who"])
    match = re.match(rf"^(?P<who>.+?)\s+{SAID}(?P<tail>.*)$", sentence)
    if match and len(match["who"].split()) <= 25:
        return _speaker(match["who"] + (" note" if "note" in match["tail"] else ""))
    return None


def _attribution_before(text: str):
    match = re.search(rf"(?P<who>[A-Z][^.“\"]*?)\s+{SAID}\s*:?\s*$", text)
    return _speaker(match["who"]) if match else None


def _speaker(text: str):
    in_note = bool(re.search(r"\bnotes?\b", text))
    text = re.sub(r"\s+(?:in a note|note)\b.*$", "", text)
    text = re.sub(r"\s+on (?:the|hedge|its)\b.*$", "", text).strip(" ,")
    name, _, affiliation = text.partition(", ")
    name = re.sub(r"^(?:a|an|the)\s+", "", name)
    return name.strip(), (affiliation.strip() or None), in_note


def _last_speaker(text: str):
    match = None
    for match in re.finditer(r"(?:said|says)\s+(?P<who>[A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2}(?:,\s[^.]+)?)", text):
        pass
    return _speaker(match["who"]) if match else None
