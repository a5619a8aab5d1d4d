"""Benchmark corpora: bbc-dev read in place, and an archive made from it deterministically."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

SEED = 20250221
START = dt.date(2024, 1, 1)


@dataclass(frozen=True)
class Source:
    category: str
    headline: str
    paragraphs: tuple[str, ...]


def read_sources(corpus: Path) -> list[Source]:
    """Every article of a bbc-dev style corpus (articles/<category>/<n>.txt), in path order."""
    out = []
    for path in sorted((corpus / "articles").glob("*/*.txt")):
        lines = path.read_bytes().decode("utf-8", errors="replace").split("\n")
        paragraphs = tuple(line.strip() for line in lines[1:] if line.strip())
        if paragraphs:
            out.append(Source(path.parent.name, lines[0].strip(), paragraphs))
    return out


def make_archive(sources: list[Source], target: Path, count: int, first: int = 0, day: dt.date | None = None) -> None:
    """Write `count` articles (numbered from `first`) of recombined paragraphs, new titles and dates.

    The same arguments always give the same files. Dates spread over a year from START unless
    `day` fixes them.
    """
    by_category: dict[str, list[Source]] = {}
    for source in sources:
        by_category.setdefault(source.category, []).append(source)
    categories = sorted(by_category)
    for n in range(first, first + count):
        rng = random.Random(SEED * 1_000_003 + n)
        category = rng.choice(categories)
        donors = rng.sample(by_category[category], 3)
        paragraphs = [p for d in donors for p in rng.sample(d.paragraphs, min(2, len(d.paragraphs)))]
        date = day or START + dt.timedelta(days=rng.randrange(365))
        title = f"{donors[0].headline}: {donors[1].headline[:1].lower()}{donors[1].headline[1:]}"
        path = target / f"{date:%Y-%m}" / f"{n:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        front = f"---\ntitle: {json.dumps(title)}\nsource: Bench Wire\ndate: {date.isoformat()}\n---\n\n"
        path.write_text(front + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
