"""Keywords: YAKE candidates, cleaned into phrases a reader would accept.

YAKE scores n-grams, but its raw output holds fragments that cut across a possessive or a clause
("Jinping rare meeting", "tech entrepreneurs foreshadowed") and overlapping pieces of one name
("Hang Seng Tech", "Seng Tech Index"). Each candidate is checked against the text it came from:
it must occur there word for word, read as a noun phrase, and a piece of a longer proper name is
grown into the whole name.
"""

from __future__ import annotations

import re
import statistics
import sys
from collections import Counter
from functools import cache, lru_cache
from types import ModuleType, SimpleNamespace

from generator import text as textlib
from generator.records import Article
from generator.runner import Runner

TOP = 10
"""Keywords kept per article."""

CANDIDATES = 30
"""YAKE candidates considered per article before cleaning."""

LEAD_WORDS = 70
"""YAKE reads the headline and this many words of the story: news puts what matters first.

At 70 words instead of 100, YAKE takes a quarter less time, and `make eval` scored themes and
summaries the same or a little better (theme macro-F1 0.953 against 0.952, ROUGE-L 0.479
against 0.478 on bbc-dev)."""

MAX_WORDS = 5
"""Longest keyword, in words, after a name is grown to its full length."""

_VERB_ENDINGS = ("ed",)
_ADJECTIVE_ENDINGS = ("ive", "ous", "ful", "less", "able", "ible")
_NOUNS_IN_ING = {"banking", "trading", "lending", "housing", "funding", "manufacturing", "mining", "shipping",
                 "spending", "pricing", "listing", "rating", "ratings", "earnings", "holdings", "building",
                 "marketing", "advertising", "streaming", "computing", "gaming", "financing", "offering"}
_NOUNS_LIKE_ADJECTIVES = {"executive", "executives", "initiative", "incentive", "alternative", "objective",
                          "derivative", "representative", "collective", "detective", "archive", "motive"}
_UNITS = {"cent", "percent", "pct", "bps", "basis", "points", "point", "billion", "million", "trillion"}


def extract_keywords(articles: tuple[Article, ...], runner: Runner | None = None) -> dict[str, tuple[str, ...]]:
    """Article id to its keywords, strongest first."""
    runner = runner or Runner()
    results = runner.map_grouped("keywords", article_keywords, articles, runner.sources(articles),
                                 runner.day_groups(articles), named=True)
    return {a.id: keywords for a, keywords in zip(articles, results)}


@cache
def _extractor():
    _plain_graph()  # YAKE is imported on first use: a rebuild with every article cached never needs it
    import yake

    # YAKE's own de-duplication compares every pair of candidates; clean_keywords does it for less
    return yake.KeywordExtractor(lan="en", n=3, top=CANDIDATES, dedup_lim=1.0)


YAKE_VERSION = "0.7.3"
"""The YAKE release whose internals `_plain_graph` knows (pinned in pyproject.toml)."""


def _plain_graph() -> None:
    """Import YAKE, letting it keep its word co-occurrence graph in plain dictionaries.

    YAKE 0.7.3 stores the graph as a networkx DiGraph but only adds nodes and edges, looks edges
    up and sums the weights of a word's edges; through networkx's views those calls are a third
    of its time on a news lead. `_Graph` does the same in insertion order, and the median of a
    word's positions is taken by `statistics.median` instead of numpy's (equal for the integer
    positions YAKE passes), so the keywords and their scores are the same to the last bit
    (tests/test_keywords.py checks it). As nothing of networkx is then used, YAKE is imported
    with a stand-in for it (importing networkx took 0.1 s of each process that extracts
    keywords); the stand-in is withdrawn once YAKE is in, so any later import of networkx gets
    the real one. Another YAKE release is imported and left as it is.
    """
    from importlib import metadata

    if metadata.version("yake") != YAKE_VERSION:
        import yake  # noqa: F401
        return
    stand_in = "networkx" not in sys.modules and "yake.data.core" not in sys.modules
    if stand_in:
        stand_in_module = ModuleType("networkx", "stand-in while YAKE is imported")
        stand_in_module.DiGraph = _Graph  # YAKE's annotations name it
        sys.modules["networkx"] = stand_in_module
    try:
        import yake.data.core
        import yake.data.single_word
    finally:
        if stand_in:
            del sys.modules["networkx"]
    yake.data.core.nx = SimpleNamespace(DiGraph=_Graph)
    yake.data.single_word.np = SimpleNamespace(median=statistics.median)


class _Graph:
    """The part of networkx's DiGraph that YAKE uses, over two dictionaries of dictionaries."""

    __slots__ = ("_succ", "_pred")

    def __init__(self):
        self._succ: dict = {}
        self._pred: dict = {}

    def add_node(self, node) -> None:
        if node not in self._succ:
            self._succ[node] = {}
            self._pred[node] = {}

    def add_edge(self, u, v, **attributes) -> None:
        self.add_node(u)
        self.add_node(v)
        data = self._succ[u].get(v)
        if data is None:
            data = self._succ[u][v] = self._pred[v][u] = {}
        data.update(attributes)

    def __getitem__(self, node) -> dict:
        return self._succ[node]

    def has_edge(self, u, v) -> bool:
        return v in self._succ.get(u, ())

    def out_edges(self, node, data: bool = False) -> list:
        edges = self._succ[node]
        return [(node, v, d) for v, d in edges.items()] if data else [(node, v) for v in edges]

    def in_edges(self, node, data: bool = False) -> list:
        edges = self._pred[node]
        return [(u, node, d) for u, d in edges.items()] if data else [(u, node) for u in edges]


def article_keywords(article: Article, extractor=None) -> tuple[str, ...]:
    """Keywords of one article, strongest first."""
    extractor = extractor or _extractor()
    raw = [kw for kw, _ in extractor.extract_keywords(_lead(article))]
    return tuple(clean_keywords(raw, article.text, TOP))


def _lead(article: Article) -> str:
    """The headline and the opening of the story, cut at a sentence end near LEAD_WORDS words."""
    out, count = [], 0
    for sentence in article.sentences:
        out.append(sentence.text)
        count += len(sentence.text.split())
        if count >= LEAD_WORDS:
            break
    return " ".join(out)


def clean_keywords(candidates: list[str], body: str, limit: int | None = None) -> list[str]:
    """Keep the candidates that read as whole phrases of `body`, grown to full names, without repeats."""
    body = body.replace("’", "'")
    kept: list[str] = []
    for candidate in candidates:
        if limit is not None and len(kept) >= limit:
            break
        phrase = _as_phrase(candidate, body)
        if phrase and not any(_same(phrase, k) or _contains(k, phrase) or _contains(phrase, k) for k in kept):
            kept.append(phrase)
    return kept


def merge_keywords(lists: list[tuple[str, ...]], top: int = TOP) -> tuple[str, ...]:
    """One ranking from several articles' keywords: shared and high-ranked keywords first."""
    score: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for keywords in lists:
        for rank, keyword in enumerate(keywords):
            key = _key(keyword)
            score[key] += 1.0 / (rank + 2)
            surface.setdefault(key, keyword)
    order = sorted(score, key=lambda k: (-score[k], surface[k].lower()))
    merged: list[str] = []
    for key in order:
        phrase = surface[key]
        if not any(_same(phrase, k) or _contains(k, phrase) for k in merged):
            merged.append(phrase)
    return tuple(merged[:top])


def _as_phrase(candidate: str, body: str) -> str | None:
    """The candidate as a whole phrase of body, or None when it is a fragment."""
    tokens = _drop_modifier(candidate.replace("’", "'").split())
    if not tokens or not _reads_as_noun_phrase(tokens):
        return None
    spans = _occurrences(tokens, body, case=False)
    if not spans:
        return None
    start, end = _grow_name(spans, body)
    phrase = body[start:end]
    if len(phrase.split()) > MAX_WORDS:
        return None
    phrase = _most_common_surface(phrase, body)
    return phrase if _reads_as_noun_phrase(phrase.split()) else None


_LISTED = re.compile(r"[\w.&]+-[a-z]+ed")
_NUMBER = re.compile(r"[\d.,%$]+")
_DESCRIBED_NAME = re.compile(r"C+l+C")
_DEMONYM = re.compile(r"[A-Z][a-z]+(ese|ian|ish)")


@cache
def _news_words() -> frozenset[str]:
    return frozenset(textlib.data_words("news_stopwords.txt"))


@cache
def _generic_words() -> frozenset[str]:
    return frozenset(textlib.data_words("generic_keywords.txt"))


def _drop_modifier(tokens: list[str]) -> list[str]:
    """`Hong Kong-listed Alibaba` and `benchmark Hang Seng Index` name the index or company: drop the modifier."""
    for i, token in enumerate(tokens):
        if _LISTED.fullmatch(token):
            return tokens[i + 1:]
    if len(tokens) > 2 and tokens[0].islower() and tokens[0].endswith("ed"):
        return tokens[1:]  # "continued investor interest": the interest is the thing
    lower = 0
    while lower < len(tokens) and tokens[lower].islower():
        lower += 1
    if 0 < lower and len(tokens) - lower >= 2 and all(t[:1].isupper() for t in tokens[lower:]):
        return tokens[lower:]
    return tokens


def _reads_as_noun_phrase(tokens: list[str]) -> bool:
    stop = textlib.stopwords()
    news = _news_words()
    first, last = tokens[0].lower(), tokens[-1].lower()
    if first in stop or last in stop or first in news or last in news:
        return False
    if any(t.lower() in _UNITS or _NUMBER.fullmatch(t) for t in tokens):
        return False
    interior = tokens[1:-1]
    if any(t.lower() in stop and not _is_name(tokens) for t in interior):
        return False
    if any(t.lower() in news for t in interior):
        return False
    if tokens[-1].islower() and (last.endswith(_VERB_ENDINGS) or last.endswith("ly")) and len(last) > 4:
        return False
    if len(tokens) == 1 and (len(tokens[0]) < 4 or first in _generic_words()):
        return False
    if tokens[0].islower() and first.endswith("ing") and first not in _NOUNS_IN_ING:
        return False  # "growing enthusiasm", "making large bets": a verb phrase
    cases = "".join("C" if t[:1].isupper() or t[:1].isdigit() else "l" for t in tokens)
    if _DESCRIBED_NAME.search(cases) and not all(t.lower() in stop for t, c in zip(tokens, cases) if c == "l"):
        return False  # "Index heavyweight Alibaba": a description between names
    if _DEMONYM.fullmatch(tokens[-1]):
        return False  # a demonym at the end qualifies a noun that is missing
    if tokens[-1].islower() and last.endswith(_ADJECTIVE_ENDINGS) and last not in _NOUNS_LIKE_ADJECTIVES:
        return False
    return True


def _is_name(tokens: list[str]) -> bool:
    return tokens[0][:1].isupper() and tokens[-1][:1].isupper()


def _occurrences(tokens: list[str], body: str, case: bool) -> list[tuple[int, int]]:
    """Spans of the words as a whole phrase of body, spaces or hyphens between them.

    The same matches as `_phrase_pattern`, found with `str.find` on the lower-cased body: compiling
    a pattern for every candidate phrase of every article cost more than the rest of the stage.
    """
    lower = _lower(body)
    if case or len(lower) != len(body) or any(t[:1] in _SEPARATORS for t in tokens[1:]):
        return [m.span() for m in _phrase_pattern(tuple(tokens), case).finditer(body)]
    first, rest = tokens[0].lower(), [t.lower() for t in tokens[1:]]
    spans = []
    i = lower.find(first)
    while i != -1:
        end = _phrase_end(lower, i, first, rest) if i == 0 or not _joins_word(body[i - 1]) else None
        if end is not None and _ends_phrase(body, end):
            spans.append((i, end))
            i = lower.find(first, end)
        else:
            i = lower.find(first, i + 1)
    return spans


_SEPARATORS = (" ", "\t", "-")


@lru_cache(maxsize=4)
def _lower(body: str) -> str:
    return body.lower()


def _is_word(char: str) -> bool:
    """Whether a character is a regular-expression word character (`\\w`)."""
    return char.isalnum() or char == "_"


def _joins_word(char: str) -> bool:
    return _is_word(char) or char in "'-"


def _phrase_end(lower: str, start: int, first: str, rest: list[str]) -> int | None:
    end = start + len(first)
    for token in rest:
        gap = end
        while gap < len(lower) and lower[gap] in _SEPARATORS:
            gap += 1
        if gap == end or not lower.startswith(token, gap):
            return None
        end = gap + len(token)
    return end


def _ends_phrase(body: str, end: int) -> bool:
    """Whether a phrase may end here: not inside a word, though a possessive `'s` may follow."""
    if end >= len(body):
        return True
    char = body[end]
    if _is_word(char) or char == "-":
        return False
    if char == "'" and end + 1 < len(body) and _is_word(body[end + 1]):
        return body[end + 1] in "sS" and (end + 2 >= len(body) or not _is_word(body[end + 2]))
    return True


@lru_cache(maxsize=1 << 14)
def _phrase_pattern(tokens: tuple[str, ...], case: bool) -> re.Pattern:
    """The words as a whole phrase, spaces or hyphens between them, as a pattern (for the rare cases
    `_occurrences` does not handle itself)."""
    pattern = r"(?<![\w'-])" + r"[ \t-]+".join(re.escape(t) for t in tokens) + r"(?![\w-]|'(?!s\b)\w)"
    return re.compile(pattern, 0 if case else re.I)


_CAP_WORD = re.compile(r"[A-Z][\w.&]*")
_LOOK_BACK = 200
"""Characters looked at before a phrase to find the word before it (a word is never longer)."""


def _grow_name(spans: list[tuple[int, int]], body: str) -> tuple[int, int]:
    """Extend a piece of a proper name to the capitalised words that surround it at every occurrence."""
    start, end = spans[0]
    mid_sentence = cache(lambda word: _capitalised_mid_sentence(word, body))
    if not body[start:start + 1].isupper() and not body[end - 1:end].isalnum():
        return start, end
    for _ in range(MAX_WORDS):
        before = {_word_before(body, s, mid_sentence) for s, _ in spans}
        if len(before) != 1 or not (word := before.pop()) or not _CAP_WORD.fullmatch(word):
            break
        if word.lower() in textlib.stopwords():
            break
        spans = [(s - len(word) - 1, e) for s, e in spans]
    for _ in range(MAX_WORDS):
        after = {_word_after(body, e) for _, e in spans}
        if len(after) != 1 or not (word := after.pop()) or not _CAP_WORD.fullmatch(word):
            break
        if word.lower() in textlib.stopwords() or word.lower() in _news_words():
            break
        spans = [(s, e + len(word) + 1) for s, e in spans]
    return spans[0]


def _word_before(body: str, start: int, mid_sentence) -> str | None:
    if start < 2 or body[start - 1] != " ":
        return None
    # the run of word characters, ".", "&" and "-" that ends the text before the space (or the
    # newline that ends it), as `re.search(r"[\w.&-]+$", ...)` finds it, within _LOOK_BACK characters
    window = max(0, start - 1 - _LOOK_BACK)
    end = start - 2 if body[start - 2] == "\n" and start - 2 >= window else start - 1
    begin = end
    while begin > window and (_is_word(body[begin - 1]) or body[begin - 1] in ".&-"):
        begin -= 1
    if begin == end:
        return None
    word = body[begin:end].rstrip(".")
    prefix = body[max(0, begin - _LOOK_BACK): begin].rstrip()
    if (not prefix or prefix[-1] in ".!?\"“\n") and not mid_sentence(word):
        return None  # a sentence starts here, and the word is not otherwise a name
    return word


def _capitalised_mid_sentence(word: str, body: str) -> bool:
    """Whether the word also stands after a word or a comma, not only at a sentence start."""
    if not word:
        return bool(re.search(r"[\w,;] \b", body))
    needle = " " + word
    i = body.find(needle, 1)
    while i != -1:
        after = i + len(needle)
        if (_is_word(body[i - 1]) or body[i - 1] in ",;") and \
                _is_word(body[after - 1]) != (after < len(body) and _is_word(body[after])):
            return True
        i = body.find(needle, i + 1)
    return False


def _word_after(body: str, end: int) -> str | None:
    if end >= len(body) - 1 or body[end] != " ":
        return None
    stop = end + 1
    while stop < len(body) and (_is_word(body[stop]) or body[stop] == "&"):
        stop += 1
    return body[end + 1:stop] or None


def _most_common_surface(phrase: str, body: str) -> str:
    spans = _occurrences(phrase.split(), body, case=False)
    forms = Counter(body[s:e] for s, e in spans)
    return " ".join(max(sorted(forms), key=lambda f: forms[f]).split()) if forms else phrase


@lru_cache(maxsize=1 << 16)
def _key(phrase: str) -> str:
    return " ".join(textlib.stem(w) for w in phrase.lower().replace("-", " ").split())


def _same(a: str, b: str) -> bool:
    return _key(a) == _key(b)


def _contains(longer: str, shorter: str) -> bool:
    long_key, short_key = f" {_key(longer)} ", f" {_key(shorter)} "
    return short_key in long_key and long_key != short_key
