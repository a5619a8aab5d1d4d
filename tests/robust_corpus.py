"""A mixed corpus of good and bad input files, for the robustness tests.

`write_mixed_corpus` writes every kind of bad input the digest must survive next to good articles
and returns, per file, what must become of it: on the site, or skipped with a reason.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import markdown

from generator.build import build
from generator.settings import build_settings
from tests.golden import ROOT

COMPANIES = ["Acme Mining", "Borealis Bank", "Cobalt Motors", "Delta Foods", "Evergreen Power", "Falcon Air",
             "Granite Steel", "Harbor Shipping", "Ionic Chips", "Juniper Retail", "Kestrel Media", "Lumen Labs"]
MOVES = ["rose", "fell", "jumped", "slipped", "climbed", "dropped"]
REASONS = ["after it raised its full-year forecast", "after quarterly profit beat estimates",
           "as regulators opened a probe into its accounts", "after it agreed to buy a smaller rival",
           "as demand in Asia weakened", "after its chief executive resigned"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def good_article(rng: random.Random) -> str:
    """A short, plausible market-news article in English."""
    company = rng.choice(COMPANIES)
    lines = [f"{company} shares {rng.choice(MOVES)} {rng.randint(2, 19)} per cent on {rng.choice(DAYS)} "
             f"{rng.choice(REASONS)}."]
    for _ in range(rng.randint(1, 4)):
        lines.append(f"Analysts said the {rng.choice(['move', 'news', 'deal', 'result'])} would weigh on "
                     f"{rng.choice(COMPANIES)} and its peers for the rest of the quarter.")
    return "\n\n".join(lines) + "\n"


@dataclass(frozen=True)
class Expect:
    """What must become of one input file."""

    on_site: bool
    """True when the file must be an article page; False when it must be skipped."""
    reason: str = ""
    """Words the skip reason or the warning must contain (empty: any)."""


def write_mixed_corpus(seeds: Path, seed: int = 0) -> dict[str, Expect]:
    """Write good and bad files under `seeds`; return relative path (or folder) to what must become of it."""
    rng = random.Random(seed)
    seeds.mkdir(parents=True, exist_ok=True)
    expect: dict[str, Expect] = {}

    def put(rel: str, data: bytes | str, outcome: Expect) -> None:
        path = seeds / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expect[rel] = outcome

    for i in range(rng.randint(4, 8)):
        put(f"good/{i:02d}.txt", good_article(rng), Expect(True))
    lead = good_article(rng)
    put("empty.txt", b"", Expect(False, "empty file"))
    put("whitespace.txt", b" \n\t\r\n  \n", Expect(False, "whitespace only"))
    put("binary.txt", bytes(range(256)) * 4, Expect(False, "binary"))
    put("latin1.txt", ("The brasserie chain's profit rose to £5m, the café owner said on Monday, "
                       "after a strong summer season.\n").encode("latin-1"), Expect(True, "Windows-1252"))
    put("cp1252.txt", ("Profits at the lender rose to €5m – a record – the bank said on Tuesday "
                       "after a strong year.\n").encode("cp1252"), Expect(True, "Windows-1252"))
    put("bom.txt", "\ufeff" + good_article(rng), Expect(True))
    put("utf16.txt", good_article(rng).encode("utf-16"), Expect(True))
    put("crlf.txt", good_article(rng).replace("\n", "\r\n"), Expect(True))
    put("cr.txt", good_article(rng).replace("\n", "\r"), Expect(True))
    put("one-line.txt", "Traders bought shares of banks and miners as the market rose again " * 15000,
        Expect(True, "cut to the first"))
    put("malformed.md", f"---\ntitle: [unclosed\nsource: {{bad\n---\n{good_article(rng)}", Expect(True, "not valid YAML"))
    put("wrong-types.md", f"---\ntitle: [1, 2]\ndate: yesterday\n---\n{good_article(rng)}", Expect(True, "'date'"))
    put("copy-a.txt", lead, Expect(True))
    put("copy-b.txt", lead, Expect(False, "same bytes as 'copy-a.txt'"))
    put(".hidden.txt", good_article(rng), Expect(False, "hidden file"))
    put(".hidden-folder/inside.txt", good_article(rng), Expect(False, "hidden folder"))
    expect[".hidden-folder"] = expect.pop(".hidden-folder/inside.txt")
    put("name with spaces.txt", good_article(rng), Expect(True))
    put("éte accentué.txt", good_article(rng), Expect(True))
    put("市场新闻.txt", good_article(rng), Expect(True))
    put("Alibaba!.txt", f"Alibaba shares rally on cloud hopes\n\n{good_article(rng)}", Expect(True))
    put("alibaba.txt", f"Alibaba shares rally on cloud hopes\n\n{good_article(rng)}", Expect(True))
    put("no-sentence.txt", "Markets\nHome\nNews\n", Expect(False, "no sentence"))
    put("german.txt", "Die Aktien der Deutschen Bank stiegen am Montag deutlich, nachdem das Institut einen "
                      "höheren Gewinn gemeldet hatte. Die Anleger waren erleichtert und kauften Bankaktien.\n",
        Expect(False, "not in English"))
    put("chinese.txt", "腾讯股价周五上涨，此前该集团公布的游戏收入好于预期。投资者松了一口气，并买入了其他科技股。\n",
        Expect(False, "non-Latin script"))
    put("notes.csv", b"a,b\n1,2\n", Expect(False, "unsupported file type"))
    outside = seeds.parent / f"{seeds.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("Secret shares soared on Monday after the outside file was read by mistake.\n")
    os.symlink(outside / "secret.txt", seeds / "link-outside.txt")
    expect["link-outside.txt"] = Expect(False, "outside the seeds folder")
    os.symlink(outside, seeds / "link-folder")
    expect["link-folder"] = Expect(False, "not followed")
    os.symlink("loop.txt", seeds / "loop.txt")
    expect["loop.txt"] = Expect(False, "loops")
    os.symlink("missing.txt", seeds / "broken.txt")
    expect["broken.txt"] = Expect(False, "not a regular file")
    return expect


def input_paths(seeds: Path) -> list[str]:
    """Every file, link and folder entry under seeds, relative, without following links."""
    found = []
    for dirpath, dirnames, filenames in os.walk(seeds):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if name in filenames or path.is_symlink():
                found.append(path.relative_to(seeds).as_posix())
    return sorted(found)


def build_docs(seeds: Path, docs: Path, strict: bool = False) -> dict:
    """Build the digest of `seeds` into `docs`; return digest.json."""
    build(build_settings(seeds=str(seeds), docs=str(docs), templates=str(ROOT / "templates"), strict=strict))
    return json.loads((docs / "digest.json").read_text(encoding="utf-8"))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def page_text(markdown_page: str) -> str:
    """What a reader sees of a generated Markdown page: rendered to HTML, then its text."""
    parser = _Text()
    parser.feed(markdown.markdown(markdown_page, extensions=["attr_list", "md_in_html", "tables", "toc"]))  # as mkdocs.yml
    return " ".join(" ".join(parser.parts).split())
