"""Export: the digest as `digest.json`, for other tools (schema in the README)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from generator.factrecords import Move, Quote
from generator.records import Digest
from generator.runner import item_key

SCHEMA_VERSION = 1

_ENCODER = json.JSONEncoder(ensure_ascii=False)


@dataclass(frozen=True)
class Export:
    """Where the record lines of a `digest.json` written by `export_json` are in it."""

    lines: dict[bytes, tuple[int, int, int]]
    """The key of each record line (what made it) to where the text leading to it (a separator,
    and the record's id in an object) starts, where the line starts and where it ends, in bytes."""
    identity: tuple[int, int, int] | None = None
    """The file's size, modification time and inode once written into place (`runner.file_identity`)."""
    names: dict[str, bytes] = field(default_factory=dict)
    """The key of each story, article and facts line, by the record's kind and id."""
    chains: dict[str, str] = field(default_factory=dict)
    """The months' chains of the digest written (`Digest.months`)."""


def export_json(digest: Digest, path: Path, known: Callable[[object], str | None] | None = None,
                previous: tuple[Path, Export] | None = None) -> Export:
    """Write the digest as deterministic JSON (UTF-8) to `path`, one record (theme, story, article,
    entity, facts) per line.

    A line per record keeps diffs between builds readable, and lets the C encoder write each record
    (an indented dump goes through the pure-Python encoder, seconds at archive size). With `known`
    (`Runner.identity`), each story, article and facts line is keyed by what it is made from, its
    results standing for themselves by their identities. A line whose key the `previous` file
    (while it is as its `Export` found it) holds is copied from that file, not encoded again; runs
    of such lines are copied in one go, by the kernel: a rebuild that adds one article at 20,000
    encodes a few lines of 60,000 and copies the rest of the 80 MB without reading it.

    The lines of the stories the digest took whole with the closed months (`Digest.months`), and
    of their articles, are what they were in the `previous` file while their month's chain is the
    one it was written with (the same articles then, and earlier ones, made into the same results
    by the same code): their keys are taken from it by name, not made again.
    """
    named = (lambda value: _name(value, known)) if known is not None else None
    months = digest.months
    old = previous[1] if previous is not None and known is not None else Export({})
    same = {month for month in months.closed if old.chains.get(month) == months.chains[month]}
    settled = {sid for sid, month in months.stories.items() if month in same}
    story_of = digest.story_of

    def line(name: str, kept: bool, key: Callable[[], tuple], make: Callable[[], dict]) -> _Line:
        if known is None:  # without identities, no line is kept
            return _Line(None, make)
        found = old.names.get(name) if kept else None
        return _Line(key() if found is None else None, make, name, found)

    with _Out(path, previous) as out:
        market = digest.market
        data = {
            "schema": SCHEMA_VERSION,
            "themes": [
                {"id": t.id, "name": t.name, "description": t.description,
                 "stories": [s.id for s in digest.stories if t.id in s.themes]}
                for t in digest.taxonomy.themes
            ],
            "stories": [line(f"story\0{s.id}", s.id in settled, partial(_story_key, digest, s, named),
                             partial(_story_record, digest, s)) for s in digest.stories],
            "articles": [line(f"article\0{a.id}", story_of(a.id).id in settled, partial(_article_key, digest, a, named),
                              partial(_article_record, digest, a)) for a in digest.articles],
            "entities": [{"id": e.id, "name": e.name, "kind": e.kind, "tickers": list(e.tickers), "known": e.known}
                         for e in market.entities.values()],
            "facts": {
                "stories": {sid: line(f"story-facts\0{sid}", sid in settled,
                                      lambda sid=sid, f=f: ("story-facts", sid, named(f)), partial(_story_facts, f))
                            for sid, f in market.stories.items()},
                "articles": {aid: line(f"article-facts\0{aid}", story_of(aid).id in settled,
                                       lambda aid=aid, f=f: ("article-facts", aid, named(f)), partial(_article_facts, f))
                             for aid, f in market.articles.items()},
            },
            "skipped": [{"path": s.path, "reason": s.reason} for s in digest.skipped],
            "warnings": [{"path": s.path, "reason": s.reason} for s in digest.warnings],
        }
        _block(data, 0, out)
        out.text("\n")
    return Export(out.lines, None, out.names, dict(months.chains))


def _name(value, known: Callable[[object], str | None]) -> str:
    """A value in a line's key: its identity when it has one, else the hash of its content."""
    identity = known(value)
    return "=" + identity if identity is not None else item_key(value)


def _story_key(digest: Digest, s, named) -> tuple:
    return ("story", s.id, s.headline, s.date.isoformat() if s.date else None, s.date_inferred, s.themes,
            s.articles, s.copies, named(digest.summaries.stories[s.id]))


def _article_key(digest: Digest, a, named) -> tuple:
    assignment = digest.themes[a.id]
    return ("article", a.id, named(a), named(digest.keywords[a.id]), named(digest.summaries.articles[a.id]),
            assignment.themes, assignment.scores, digest.story_of(a.id).id)


class _Line:
    """A record's line to come: what it is made from (text, numbers, None and tuples of them; None
    when it is not kept, or when its key is known), how to make its text, its record's name, and
    the key the previous file gave it (when it is the same line)."""

    __slots__ = ("key", "make", "name", "known")

    def __init__(self, key: tuple | None, make: Callable[[], dict], name: str | None = None,
                 known: bytes | None = None):
        self.key, self.make, self.name, self.known = key, make, name, known


class _Out:
    """The file being written: text encoded here, and lines copied from the previous file where it
    holds them after the same leading text (consecutive ones in one copy)."""

    CHUNK = 1 << 20

    def __init__(self, path: Path, previous: tuple[Path, Export] | None):
        self.path, self.previous = path, previous
        self.lines: dict[bytes, tuple[int, int, int]] = {}
        self.names: dict[str, bytes] = {}
        self.size = 0
        self._pending: list[bytes] = []  # encoded, not yet written
        self._pending_size = 0
        self._copy: tuple[int, int] | None = None  # a run of the previous file, not yet copied
        self._old_fd: int | None = None
        self._old_lines: dict[bytes, tuple[int, int, int]] = {}

    def __enter__(self) -> _Out:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        if self.previous is not None:  # taken from only while it is the file its lines were found in
            old_path, old = self.previous
            try:
                self._old_fd = os.open(old_path, os.O_RDONLY)
                stat = os.fstat(self._old_fd)
            except OSError:
                stat = None
            if stat is not None and (stat.st_size, stat.st_mtime_ns, stat.st_ino) == old.identity:
                self._old_lines = old.lines
        return self

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self._flush()
        finally:
            os.close(self._fd)
            if self._old_fd is not None:
                os.close(self._old_fd)

    def text(self, text: str) -> None:
        self._add(text.encode("utf-8"))

    def record(self, lead: str, line: _Line) -> None:
        """A record's line after its leading text (a separator, and the record's id in an object)."""
        key = line.known
        if key is None:
            if line.key is None:
                self.text(lead)
                self._add(_ENCODER.encode(line.make()).encode("utf-8"))
                return
            # the text of plain values written out (`repr`) names them: hashed, it keys the line
            key = hashlib.blake2b(repr(line.key).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        lead_data = lead.encode("utf-8")
        start = self.size
        span = self._old_lines.get(key)
        if span is None:
            self._add(lead_data)
            self._add(_ENCODER.encode(line.make()).encode("utf-8"))
        elif span[1] - span[0] == len(lead_data):
            # the same leading text: a record's kind keeps to one list or object, where leads of
            # one length are one text (the first one's lacks the comma; an object's holds the id,
            # which its key holds too)
            self._copied(span[0], span[2])
        else:
            self._add(lead_data)
            self._copied(span[1], span[2])
        self.lines[key] = (start, start + len(lead_data), self.size)
        self.names[line.name] = key

    def _add(self, data: bytes) -> None:
        if self._copy is not None:
            self._flush()
        self._pending.append(data)
        self._pending_size += len(data)
        self.size += len(data)
        if self._pending_size >= self.CHUNK:
            self._flush()

    def _copied(self, start: int, end: int) -> None:
        if self._copy is not None and self._copy[1] == start:
            self._copy = (self._copy[0], end)
        else:
            self._flush()
            self._copy = (start, end)
        self.size += end - start

    def _flush(self) -> None:
        if self._pending:
            _write_all(self._fd, b"".join(self._pending))
            self._pending, self._pending_size = [], 0
        if self._copy is not None:
            _copy_range(self._old_fd, self._fd, *self._copy)
            self._copy = None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy_range(source: int, target: int, start: int, end: int) -> None:
    """Copy bytes start..end of one file to the end of what was written to another, in the kernel
    where it can (`copy_file_range`), else through a buffer."""
    while start < end:
        try:
            done = os.copy_file_range(source, target, end - start, start)
        except OSError:  # another file system, or a kernel without it
            done = 0
        if not done:
            data = os.pread(source, min(end - start, 1 << 22), start)
            if not data:
                raise OSError(f"the previous digest.json ended at {start} bytes, before {end}")
            _write_all(target, data)
            done = len(data)
        start += done


def _story_record(digest: Digest, s) -> dict:
    summary = digest.summaries.stories[s.id]
    return {
        "id": s.id,
        "title": s.headline,
        "dek": summary.dek,
        "date": s.date.isoformat() if s.date else None,
        "date_inferred": s.date_inferred,
        "themes": list(s.themes),
        "primary_theme": s.primary_theme,
        "summary": [{"text": x.text, "article": x.article} for x in summary.sentences],
        "keywords": list(summary.keywords),
        "articles": list(s.articles),
        "copies": [{"article": c, "copy_of": k} for c, k in s.copies],
    }


def _article_record(digest: Digest, a) -> dict:
    assignment = digest.themes[a.id]
    return {
        "id": a.id,
        "title": a.title,
        "title_origin": a.title_origin,
        "source": a.source,
        "date": a.date.isoformat() if a.date else None,
        "url": a.url,
        "themes": list(assignment.themes),
        "primary_theme": assignment.primary,
        "theme_scores": dict(assignment.scores),
        "story": digest.story_of(a.id).id,
        "keywords": list(digest.keywords[a.id]),
        "summary": [x.text for x in digest.summaries.articles[a.id]],
        "words": a.word_count,
    }


def _story_facts(f) -> dict:
    return {"key_moves": [{"entity": r.entity, "session": r.session, "disputed": r.disputed,
                           "figures": [_move(m) for m in r.figures]} for r in f.key_moves],
            "flows_and_forecasts": [_move(m) for m in f.others],
            "quotes": [_quote(q) for q in f.quotes], "entities": list(f.entities)}


def _article_facts(f) -> dict:
    return {"moves": [_move(m) for m in f.moves], "quotes": [_quote(q) for q in f.quotes],
            "entities": list(f.entities)}


def _block(value, depth: int, out: _Out, in_dict: bool = False, lead: str = "") -> None:
    """Write the text of a value (after `lead`): the top-level object and its lists and objects one
    entry per line; deeper values on one line.

    The objects of objects under `facts` (story id to facts) also get one entry per line.
    """
    if isinstance(value, _Line):
        out.record(lead, value)
        return
    expand = depth < 2 or (depth == 2 and in_dict and isinstance(value, dict))
    if not expand or not isinstance(value, (dict, list)) or not value:
        out.text(lead + _ENCODER.encode(value))
        return
    pad = " " * (depth + 1)
    close = "\n" + " " * depth + ("}" if isinstance(value, dict) else "]")
    out.text(lead + ("{" if isinstance(value, dict) else "["))
    if isinstance(value, dict):
        for n, (key, item) in enumerate(value.items()):
            _block(item, depth + 1, out, True, f"{',' if n else ''}\n{pad}{_ENCODER.encode(key)}: ")
    else:
        for n, item in enumerate(value):
            _block(item, depth + 1, out, lead=f",\n{pad}" if n else f"\n{pad}")
    out.text(close)


def _move(m: Move) -> dict:
    return {"kind": m.kind, "entity": m.entity, "direction": m.direction, "size": m.size, "size_high": m.size_high,
            "unit": m.unit, "qualifier": m.qualifier, "period": m.period, "level": m.level,
            "level_value": m.level_value, "article": m.article, "date": m.date.isoformat() if m.date else None,
            "sentence": m.sentence}


def _quote(q: Quote) -> dict:
    return {"text": q.text, "speaker": q.speaker, "affiliation": q.affiliation, "in_note": q.in_note,
            "entities": list(q.entities), "article": q.article}
