"""Baseline extractive summarisers the article summariser is measured against.

Both take an article's sentences and a count and return the chosen sentences in reading order.

- `lead`: the first sentences, the classic news baseline.
- `textrank`: Mihalcea and Tarau (2004): PageRank over a graph of the sentences, weighted by the
  words two sentences share divided by the sum of the logs of their lengths; the top sentences.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from generator import text as textlib

Baseline = Callable[[Sequence[str], int], list[str]]


def lead(sentences: Sequence[str], count: int) -> list[str]:
    """The first `count` sentences."""
    return list(sentences[:count])


def textrank(sentences: Sequence[str], count: int, damping: float = 0.85, iterations: int = 50) -> list[str]:
    """The `count` most central sentences by TextRank, in reading order."""
    n = len(sentences)
    if n <= count:
        return list(sentences)
    bags = [set(textlib.stem(w) for w in textlib.words(s)) for s in sentences]
    matrix = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            shared = len(bags[i] & bags[j])
            norm = math.log(len(bags[i]) or 1) + math.log(len(bags[j]) or 1)
            if shared and norm > 0:
                matrix[i, j] = matrix[j, i] = shared / norm
    rank = textlib.pagerank(matrix, damping, iterations)
    top = sorted(range(n), key=lambda i: (-round(float(rank[i]), 12), i))[:count]
    return [sentences[i] for i in sorted(top)]


BASELINES: dict[str, Baseline] = {"Lead-N": lead, "TextRank": textrank}
"""Baseline name to summariser."""
