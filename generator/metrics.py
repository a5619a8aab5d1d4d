"""Scores that compare the generator's output with labelled data: ROUGE, macro-F1 and NMI.

Pure Python, no downloads. ROUGE follows Lin (2004) as the `rouge-score` package computes it
without stemming: text lower-cased and split into runs of letters and digits; ROUGE-N counts
clipped n-gram matches; ROUGE-L is the longest common subsequence of the two token sequences.
Every ROUGE figure is the F1 of precision and recall.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Hashable, Sequence

_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Overlap:
    """Precision, recall and F1 of a candidate against a reference."""

    precision: float
    """Share of the candidate's units found in the reference."""
    recall: float
    """Share of the reference's units found in the candidate."""

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def tokens(text: str) -> list[str]:
    """ROUGE tokens: lower-cased runs of letters and digits."""
    return _TOKEN.findall(text.lower())


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> Overlap:
    """ROUGE-N of two token sequences: clipped n-gram overlap."""
    cand, ref = _ngrams(candidate, n), _ngrams(reference, n)
    matches = sum((cand & ref).values())
    return _overlap(matches, sum(cand.values()), sum(ref.values()))


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> Overlap:
    """ROUGE-L of two token sequences: their longest common subsequence."""
    return _overlap(_lcs(candidate, reference), len(candidate), len(reference))


def _ngrams(seq: Sequence[str], n: int) -> Counter:
    return Counter(tuple(seq[i:i + n]) for i in range(len(seq) - n + 1))


def _overlap(matches: int, candidate_total: int, reference_total: int) -> Overlap:
    return Overlap(matches / candidate_total if candidate_total else 0.0,
                   matches / reference_total if reference_total else 0.0)


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def class_f1(gold: Sequence[Hashable], predicted: Sequence[Hashable | None]) -> dict[Hashable, float]:
    """F1 of each gold class, in sorted order; a missing prediction (None) counts as wrong."""
    out = {}
    for label in sorted(set(gold), key=str):
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        out[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def macro_f1(gold: Sequence[Hashable], predicted: Sequence[Hashable | None]) -> float:
    """Mean of the gold classes' F1 (`class_f1`)."""
    scores = class_f1(gold, predicted)
    return sum(scores.values()) / len(scores) if scores else 0.0


def nmi(labels: Sequence[Hashable], clusters: Sequence[Hashable]) -> float:
    """Normalised mutual information of two labellings (arithmetic-mean normalisation)."""
    n = len(labels)
    if n == 0:
        return 0.0
    joint = Counter(zip(labels, clusters))
    by_label, by_cluster = Counter(labels), Counter(clusters)
    mutual = sum(c / n * math.log(c * n / (by_label[a] * by_cluster[b])) for (a, b), c in joint.items())
    h_label, h_cluster = _entropy(by_label, n), _entropy(by_cluster, n)
    if h_label == 0 and h_cluster == 0:
        return 1.0
    return max(0.0, 2 * mutual / (h_label + h_cluster))


def _entropy(counts: Counter, n: int) -> float:
    return -sum(c / n * math.log(c / n) for c in counts.values())
