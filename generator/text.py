"""Small text helpers shared by the stages: sentences, tokens, stems, slugs."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import re
import unicodedata
from collections import Counter
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from segtok.segmenter import MAY_CROSS_ONE_LINE, split_multi

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’&.-]*[A-Za-z0-9]|[A-Za-z]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences (segtok, no downloaded models)."""
    body = paragraph.strip()
    if not MAY_CROSS_ONE_LINE.search(body):
        # no place segtok could split at (a sentence terminal before a space, or a blank line):
        # one sentence, without the cost of segtok's passes over it
        return [body] if body else []
    _search_abbreviations_at_the_end()
    out = []
    for sentence in split_multi(paragraph):
        sentence = sentence.strip()
        if sentence:
            out.append(sentence)
    return out


SEGTOK_ABBREVIATIONS = "03a504173a4bbde6"
"""Hash of the pattern segtok 1.5.11 uses to find an abbreviation before a full stop."""


@cache
def _search_abbreviations_at_the_end() -> None:
    """Let segtok look for an abbreviation only near the end of the text before a full stop.

    Before joining two pieces at a full stop, segtok searches the whole first piece for an
    abbreviation that ends it (a pattern ending in `$`); that search was two thirds of its time.
    Every match of the pattern is at most 17 characters long, and the two alternatives anchored
    at the start (a one-character or all-digit piece) cannot match a long piece that does not
    start with a digit, so searching from 64 characters before the end finds a match exactly when
    the whole search does (tests/test_ingest.py compares them). Only the pattern this analysis is
    about is replaced.
    """
    import segtok.segmenter

    pattern = segtok.segmenter.ABBREVIATIONS
    if hashlib.sha256(getattr(pattern, "pattern", "").encode()).hexdigest()[:16] == SEGTOK_ABBREVIATIONS:
        segtok.segmenter.ABBREVIATIONS = _EndSearch(pattern)


class _EndSearch:
    """A pattern whose matches all end the text, searched for only near the end of long texts."""

    WINDOW = 64

    def __init__(self, pattern):
        self.pattern = pattern

    def search(self, text: str):
        if len(text) > self.WINDOW and not text[:1].isdigit():
            return self.pattern.search(text, len(text) - self.WINDOW)
        return self.pattern.search(text)


@cache
def stopwords() -> frozenset[str]:
    """English stopwords: YAKE's list plus news words that carry no topic."""
    # found without importing YAKE, which would import all of it (and networkx) into every process
    # that reads terms
    package = importlib.util.find_spec("yake")
    if package is None or not package.submodule_search_locations:
        raise ImportError("yake is not installed")
    path = Path(package.submodule_search_locations[0]) / "core" / "StopwordsList" / "stopwords_en.txt"
    words = {w.strip().lower() for w in path.read_text(encoding="utf-8", errors="replace").split()}
    words |= set(data_words("news_stopwords.txt"))
    return frozenset(words)


@cache
def data_words(name: str) -> tuple[str, ...]:
    """Words of a bundled one-word-per-line data file (comments start with #)."""
    text = (resources.files("generator") / "data" / name).read_text(encoding="utf-8")
    return tuple(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def words(text: str) -> list[str]:
    """Words of a text, apostrophes and hyphens kept inside words."""
    return _WORD.findall(text if text.isascii() else text.translate(_QUOTES))  # (a mapping's translate is slow)


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """A light, rule-based stem: lower case, possessive and plural endings removed."""
    w = word.lower().translate(_QUOTES)
    if w.endswith("'s"):
        w = w[:-2]
    w = w.rstrip("'")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def terms(text: str) -> list[str]:
    """Content-word stems of a text, stopwords and numbers dropped."""
    known = _TERM_OF
    if len(known) > 1 << 18:
        known.clear()
    out = []
    for w in words(text):
        term = known.get(w)
        if term is None:
            lw = w.lower()
            term = known[w] = "" if lw in stopwords() or len(lw) < 2 else stem(lw)
        if term:
            out.append(term)
    return out


_TERM_OF: dict[str, str] = {}
"""Word (as written) to its term, or "" for a word that is not one: a text's words are mostly known."""


def article_terms(article) -> tuple[str, ...]:
    """Content-word stems of an article's title and text."""
    return tuple(terms(f"{article.title}\n{article.text}"))


def tfidf(docs: list[list[str]]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors (log tf, smoothed idf) for tokenised documents."""
    counted = [Counter(doc) for doc in docs]
    df = Counter(t for counts in counted for t in counts)
    n = len(docs)
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
    vectors = []
    for counts in counted:
        vec = {t: (1 + math.log(c)) * idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors


def vector_sum(vectors) -> dict[str, float]:
    """The sum of sparse vectors, added in the order given."""
    total: dict[str, float] = {}
    for vector in vectors:
        for term, weight in vector.items():
            total[term] = total.get(term, 0.0) + weight
    return total


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two sparse vectors (their cosine when both have unit length).

    Only the terms of the shorter vector are visited; the products are added with `math.fsum`,
    whose result does not depend on the order.
    """
    if len(b) < len(a):
        a, b = b, a
    return math.fsum([weight * b[t] for t, weight in a.items() if t in b])


class SparseRows:
    """Unit-length sparse vectors as flat arrays: row i holds ids[starts[i]:starts[i] + sizes[i]]."""

    def __init__(self, terms: list[str], ids: np.ndarray, weights: np.ndarray, sizes: np.ndarray):
        self.terms = terms
        """Term of each id."""
        self.ids = ids
        self.weights = weights
        self.sizes = sizes
        self.starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        self._rows: dict[int, dict[str, float]] = {}

    def __len__(self) -> int:
        return len(self.sizes)

    def rows(self, rows: list[int]) -> SparseRows:
        """These rows (by number), in this order."""
        rows = np.asarray(rows, dtype=np.int64)
        positions = ranges(self.starts[rows], self.sizes[rows])
        return SparseRows(self.terms, self.ids[positions], self.weights[positions], self.sizes[rows])

    def __getitem__(self, i: int) -> dict[str, float]:
        """Row i as a term-to-weight dict (made on first use)."""
        row = self._rows.get(i)
        if row is None:
            start, end = int(self.starts[i]), int(self.starts[i] + self.sizes[i])
            terms = self.terms
            row = dict(zip([terms[t] for t in self.ids[start:end].tolist()], self.weights[start:end].tolist()))
            self._rows[i] = row
        return row


def tfidf_rows(table) -> SparseRows:
    """Unit-length TF-IDF vectors (log tf, smoothed idf) of the articles of a term table
    (`features.TermTable`)."""
    ids, counts, sizes = table.ids, table.counts, table.sizes
    df = np.bincount(ids, minlength=len(table.terms))
    idf = np.log((1 + len(sizes)) / (1 + df)) + 1
    weights = (1 + np.log(counts)) * idf[ids]
    norms = np.zeros(len(sizes))
    nonempty = sizes > 0
    if nonempty.any():
        norms[nonempty] = np.sqrt(np.add.reduceat(weights * weights, (np.cumsum(sizes) - sizes)[nonempty]))
    norms[norms == 0] = 1.0
    return SparseRows(table.terms, ids, weights / np.repeat(norms, sizes), sizes)


def cosines(vectors: SparseRows, pairs: list[tuple[int, int]], cells: int = 1 << 21) -> list[float]:
    """Cosine of each pair (i, j) of rows, computed together.

    A few rows at a time go into a dense block (at most `cells` numbers), and each pair's product
    is gathered from the block and summed in one pass.
    """
    if not pairs:
        return []
    ids, weights, sizes, starts = vectors.ids, vectors.weights, vectors.sizes, vectors.starts
    width = max(len(vectors.terms), 1)
    pair_array = np.array(pairs, dtype=np.int64)
    order = np.argsort(pair_array[:, 0], kind="stable")
    left, right = pair_array[order, 0], pair_array[order, 1]
    out = np.zeros(len(pairs))
    rows = max(1, cells // width)
    block = np.zeros((rows, width))
    bounds = np.searchsorted(left, np.arange(0, len(vectors) + rows, rows))
    for b in range(len(bounds) - 1):
        lo, hi = bounds[b], bounds[b + 1]
        if lo == hi:
            continue
        first = b * rows
        members = np.arange(first, min(first + rows, len(vectors)))
        member_pos = ranges(starts[members], sizes[members])
        member_rows = np.repeat(members - first, sizes[members])
        block[member_rows, ids[member_pos]] = weights[member_pos]
        others = right[lo:hi]
        lengths = sizes[others]
        pos = ranges(starts[others], lengths)
        products = block[np.repeat(left[lo:hi] - first, lengths), ids[pos]] * weights[pos]
        nonempty = lengths > 0
        if nonempty.any():
            segment_starts = (np.cumsum(lengths) - lengths)[nonempty]
            out[order[lo:hi][nonempty]] = np.add.reduceat(products, segment_starts)
        block[member_rows, ids[member_pos]] = 0.0
    return out.tolist()


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated index ranges [start, start + length)."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(total, dtype=np.int64)


def pagerank(matrix, damping: float = 0.85, iterations: int = 50):
    """PageRank scores over a weighted, undirected graph given as a square numpy matrix."""
    n = len(matrix)
    sums = matrix.sum(axis=1)
    sums[sums == 0] = 1.0
    transition = matrix / sums[:, None]
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        rank = (1 - damping) / n + damping * transition.T @ rank
    return rank


def slugify(text: str, max_words: int = 10) -> str:
    """A readable ASCII slug: lower case words joined by hyphens."""
    if not text.isascii():  # (ASCII text, most titles, has no curly quotes and is its own decomposition)
        text = unicodedata.normalize("NFKD", text.translate(_QUOTES)).encode("ascii", "ignore").decode("ascii")
    return "-".join(_SLUG_WORD.findall(_POSSESSIVE.sub("s", text.lower()))[:max_words])


_POSSESSIVE = re.compile(r"'s\b")
_SLUG_WORD = re.compile(r"[a-z0-9]+")


def shorten(sentence: str, max_words: int) -> str:
    """The sentence cut to at most `max_words` words, at a clause boundary when one is near."""
    tokens = sentence.split()
    if len(tokens) <= max_words:
        return sentence
    head = " ".join(tokens[:max_words])
    cut = max(head.rfind(", "), head.rfind("; "), head.rfind(" – "), head.rfind(" — "))
    if cut > len(head) // 2:
        head = head[:cut]
    return head.rstrip(" ,;:-–—") + "…"
