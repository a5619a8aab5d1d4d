"""A fixed piece of work, timed at points of the benchmark run: how fast the machine is then.

This machine's speed drifts by tens of per cent within an hour. The same work timed at the start,
between the corpora and at the end says which figures of a run were measured on a slower machine,
and lets two runs be compared: a build that took longer while the reference work did too was
slowed by the machine, not by its code. The work is what cold builds spend most of their time on:
YAKE over articles' text, in one process.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from bench.corpora import Source

ARTICLES = 100
"""Articles of the corpus the work extracts keywords from (the first ones, in path order)."""

ROUNDS = 3
"""Times the work is done at each point; the fastest counts (the others met the machine busier)."""


@dataclass(frozen=True)
class Reference:
    label: str
    """When it was timed (`start`, `after bbc-dev`...)."""
    seconds: float
    """The fastest of its rounds."""


def time_reference(sources: list[Source], label: str) -> Reference:
    """The reference work's time now: YAKE over the first `ARTICLES` sources, best of `ROUNDS`."""
    import yake

    texts = ["\n".join((s.headline, *s.paragraphs)) for s in sources[:ARTICLES]]
    if not texts:
        raise ValueError("the corpus has no articles to time the reference work on")
    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    took = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for text in texts:
            extractor.extract_keywords(text)
        took.append(time.perf_counter() - started)
    return Reference(label, min(took))


def reference_line(references: list[Reference]) -> str:
    """The references as one line of BENCHMARKS.md, each against the first."""
    if not references:
        return ""
    first = references[0].seconds
    timed = "; ".join(f"{r.label} {r.seconds:.2f} s" + ("" if r is references[0] else f" ({r.seconds / first:.2f}×)")
                      for r in references)
    spread = max(r.seconds for r in references) / min(r.seconds for r in references)
    return (f"\nMachine speed through the run (the same work timed at each point: YAKE over the corpus's first "
            f"{ARTICLES} articles in one process, the fastest of {ROUNDS} rounds; a higher figure is a slower machine): "
            f"{timed}. Slowest / fastest: {spread:.2f}; median {statistics.median(r.seconds for r in references):.2f} s.\n")
