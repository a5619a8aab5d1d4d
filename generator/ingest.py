"""Ingest: read every article under the seeds folder, strip page furniture, find its metadata.

One reader per file format (`.txt`, `.md`, `.html`) turns a file into a `Draft` (lines plus
whatever metadata the format states); the same cleaning then applies to every format. A file that
cannot be read is logged with its path and reason and listed in `Corpus.skipped`; the run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import yaml

from generator import text as textlib
from generator.records import Article, Corpus, Sentence, Skipped
from generator.runner import Runner, file_identity, name_group

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
"""Largest input file read; bigger files are skipped with a warning (never read whole)."""

MAX_TEXT_CHARS = 60_000
"""Longest article body analysed; the rest of a longer text is cut with a warning."""

MAX_SENTENCE_WORDS = 120
"""Longest sentence; a longer run of words without a sentence end is split with a warning."""

MIN_SENTENCE_WORDS = 4
"""An article needs one sentence of at least this many words; a file of short lines only is skipped."""

MAX_META_CHARS = 300
"""Longest metadata value (title, source, url); a longer one is cut with a warning."""

MIN_WORDS_FOR_LANGUAGE = 12
"""Fewest words for the language check; shorter texts are taken as English."""

ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to in is that for on with as was by at it from be has have are said its an this which were "
    "after but not or their will would been than more he she they who".split()
)
"""Commonest English words: a text in English has well over 5% of them, other languages almost none."""

SIDECAR_SUFFIX = ".meta.yaml"
"""`NAME.meta.yaml` beside `NAME` corrects that article's metadata."""

METADATA_KEYS = ("title", "source", "date", "url")

_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|^[\"“].*[\"”]$")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATELINE = re.compile(r"^([A-Z][A-Z .,'’-]{1,40}?)(?: \((?P<agency>[A-Z][\w. ]+)\))?\s*[:–—-]+\s+(?=[A-Z\"“])")
_LEAD_IN = re.compile(r"^(?P<name>[A-Z][\w.&'’ -]{1,40}?\.[a-z]{2,4})\s*--\s*")
_REPORTS = re.compile(r"\b(?P<name>[A-Z][\w.&]*(?:[ .][A-Z][\w.&]*){0,3}) reports\b")
_REWORKED = re.compile(r"reworked by the (?P<name>[A-Z][\w.&' ]{1,40}?) staff")
_CLAUSE = re.compile(
    r",|;|:| – | — | - | \(| on (?:optimism|hopes?|fears?|concerns?|expectations?)\b"
    r"| (?:amid|after|as|because|while|following|despite|which|that|buoyed|fuel(?:l)?ed|powered|driven|led|"
    r"heading|helped|citing|according)\b"
)


@dataclass(frozen=True)
class Draft:
    """What a format reader found in a file, before the shared cleaning."""

    lines: tuple[str, ...]
    """Text lines; an empty string marks a paragraph break."""
    meta: dict = field(default_factory=dict)
    """Metadata the format states (front matter, HTML meta tags)."""
    headline: str | None = None
    """A headline the format marks as such (HTML h1, Markdown heading)."""
    notes: tuple[str, ...] = ()
    """Caveats about reading the file, for the build report."""


FOLDER_GROUPS = 32
"""Groups the articles of one folder are kept in (`_group`)."""


def _group(rel: str) -> str:
    """The group a file's article is kept in (`Runner.map_grouped`): one of `FOLDER_GROUPS` of its
    folder's, by its name. Archives are often kept a folder per month or day, so that a day's new
    files store a few groups of their month's folder again, not every article."""
    folder, _, name = rel.rpartition("/")
    return f"{folder}/{name_group(name, FOLDER_GROUPS)}"


class Unreadable(Exception):
    """A file that is not an article; the message is the reason."""


def read_corpus(seeds: Path, runner: Runner | None = None, looked: dict[str, tuple | None] | None = None) -> Corpus:
    """Read every article under `seeds`, recursively, in path order.

    A file whose size, modification time and inode (and its metadata file's) are those the
    previous build recorded is not read again: its hash is taken from that record, and its article
    from the result cache. `looked`: the identities of files just looked at (`stamp.folder_identity`),
    by their path (`seeds/...`), which are not looked up again.
    """
    runner = runner or Runner()
    manifest_key = str(seeds.resolve())
    previous: dict[str, tuple] = runner.get("files", manifest_key, __name__) or {}
    current: dict[str, tuple] = {}
    skipped: list[Skipped] = []
    files: list[SourceFile] = []
    seen: dict[str, str] = {}
    for found in _walk(seeds, looked or {}):
        rel = _display_path(found.rel)
        try:
            if found.problem:
                raise Unreadable(found.problem)
            signature = found.signature
            known = previous.get(rel)
            if known is not None and known[0] == signature and signature[0] is not None:
                raw, sidecar, digest = None, None, known[1]
            else:
                raw, sidecar, digest = _read_source(Path(found.path))
            current[rel] = (signature, digest)
            if digest in seen:
                raise Unreadable(f"same bytes as '{seen[digest]}', which is on the site; kept once")
            seen[digest] = rel
        except Unreadable as exc:
            skipped.append(Skipped(rel, str(exc)))
            continue
        files.append(SourceFile(rel, found.suffix, raw, sidecar, digest, found.path))
    results = runner.map_grouped("ingest", read_file, files, [f"{f.rel}\0{f.digest}" for f in files],
                                 [_group(f.rel) for f in files], named=True)
    runner.put("files", manifest_key, current, __name__)
    articles, warnings = [], []
    for file, (article, notes) in zip(files, results):
        if article is None:
            skipped.append(Skipped(file.rel, notes[0]))
            continue
        articles.append(article)
        warnings.extend(Skipped(file.rel, note) for note in notes)
    skipped.sort(key=lambda s: s.path)
    for item in skipped:
        log.warning("%s: skipped: %s", item.path, item.reason)
    for item in warnings:
        log.warning("%s: %s", item.path, item.reason)
    return Corpus(tuple(articles), tuple(skipped), tuple(warnings))


@dataclass(frozen=True)
class SourceFile:
    """An input file's bytes, read by the build's own process."""

    rel: str
    """Path relative to the seeds folder."""
    suffix: str
    """Lower-cased file extension: picks the reader."""
    raw: bytes | None
    """The file's bytes (at most MAX_BYTES); None when it was not read (unchanged since the last build)."""
    sidecar: bytes | None
    """Bytes of its `.meta.yaml` file, if any (None as well when the file was not read)."""
    digest: str
    """Hash of both: equal for byte-identical articles."""
    path: str = ""
    """Where the file is, to read it when `raw` is None."""


def read_file(file: SourceFile) -> tuple[Article | None, tuple[str, ...]]:
    """An article and its caveats, or None and the reason it is not one."""
    try:
        if file.raw is None:
            file = _read_now(file)
        article, notes = _read_article(file)
        return replace(article, source_digest=file.digest), notes
    except Unreadable as exc:
        return None, (str(exc),)


def _read_now(file: SourceFile) -> SourceFile:
    """The file with its bytes, read now; it must still be the file its hash was recorded for."""
    raw, sidecar, digest = _read_source(Path(file.path))
    if digest != file.digest:
        raise Unreadable("changed while the build was reading it; build again")
    return replace(file, raw=raw, sidecar=sidecar)


def _read_source(path: Path) -> tuple[bytes, bytes | None, str]:
    """A file's bytes, its metadata file's bytes (if any) and the hash of both."""
    raw = _read_bytes(path)
    sidecar_path = path.with_name(path.name + SIDECAR_SUFFIX)
    sidecar = _read_bytes(sidecar_path) if sidecar_path.is_file() else None
    return raw, sidecar, hashlib.sha256(raw + b"\0" + (sidecar or b"")).hexdigest()


def _display_path(rel: str) -> str:
    """The path as text that can be written anywhere: bytes that are not UTF-8 shown as escapes."""
    return rel if rel.isascii() else os.fsencode(rel).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class _Found:
    """A file under the seeds folder, as the walk found it."""

    rel: str
    """Path relative to the seeds folder, `/`-separated."""
    path: str
    """Where it is."""
    problem: str | None
    """Why it is not read as an article; None for a readable one."""
    signature: tuple = (None, None)
    """Identity of the file and of its metadata file (None for each that is not there)."""
    suffix: str = ""
    """Lower-cased file extension of a readable article (`SourceFile.suffix`)."""


def _walk(seeds: Path, looked: dict[str, tuple | None]):
    """Yield every file under seeds, folder by folder (a folder's files before its subfolders, each
    in name order); each comes with its problem, or, when it is a readable article, its signature
    (from `looked` when the file is there)."""
    yield from _walk_folder(os.fspath(seeds), "", seeds.resolve(), looked)


def _identity(path: str, looked: dict[str, tuple | None]) -> tuple | None:
    return looked[path] if path in looked else file_identity(path)


def _walk_folder(folder: str, prefix: str, root: Path, looked: dict[str, tuple | None]):
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:  # a folder that cannot be listed holds nothing to read
        return
    folders, files = [], []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        (folders if is_folder else files).append(entry)
    below = []
    for entry in folders:
        rel, path = prefix + entry.name, f"{folder}/{entry.name}"
        if entry.name.startswith("."):
            yield _Found(rel, path, "hidden folder, not read")
        elif entry.is_symlink():
            yield _Found(rel, path, "symbolic link to a folder, not followed")
        else:
            below.append((path, rel + "/"))
    names = {entry.name for entry in files}
    for entry in files:
        name = entry.name
        rel, path = prefix + name, f"{folder}/{name}"
        if name.startswith("."):
            yield _Found(rel, path, "hidden file, not read")
        elif name.endswith(SIDECAR_SUFFIX):
            if not os.path.isfile(path[: -len(SIDECAR_SUFFIX)]):
                yield _Found(rel, path, f"metadata file for '{name[: -len(SIDECAR_SUFFIX)]}', which is not an article file")
        elif entry.is_symlink() and _resolved(Path(path)) is None:
            yield _Found(rel, path, "symbolic link that loops, not followed")
        elif entry.is_symlink() and not _inside(_resolved(Path(path)), root):
            yield _Found(rel, path, "symbolic link pointing outside the seeds folder, not followed")
        elif not _is_file(entry):
            yield _Found(rel, path, "not a regular file (broken link, device or pipe), not read")
        elif (suffix := _suffix(name).lower()) not in READERS:
            yield _Found(rel, path, f"unsupported file type '{_suffix(name) or name}' (expected .txt, .md or .html)")
        else:
            sidecar = name + SIDECAR_SUFFIX
            yield _Found(rel, path, None, (_identity(path, looked),
                                           _identity(f"{path}{SIDECAR_SUFFIX}", looked) if sidecar in names else None),
                         suffix)
    for path, rel in below:
        yield from _walk_folder(path, rel, root, looked)


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _suffix(name: str) -> str:
    """A file name's extension as `Path.suffix` gives it (`.txt`; empty for `name.` or none)."""
    name = name.rsplit("/", 1)[-1]
    cut = name.rfind(".")
    return name[cut:] if 0 < cut < len(name) - 1 else ""


def _inside(path: Path | None, root: Path) -> bool:
    return path is not None and (path == root or root in path.parents)


def _resolved(path: Path) -> Path | None:
    """Where a link leads, or None for a link that loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _read_bytes(path: Path) -> bytes:
    """A file's bytes, read no further than the size limit (a bigger file is never read whole)."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
            size = os.fstat(file.fileno()).st_size
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > MAX_BYTES:
        raise Unreadable(f"file is {max(size, len(raw)) / 1048576:.1f} MB, over the {MAX_BYTES // 1048576} MB limit")
    return raw


def _read_article(file: SourceFile) -> tuple[Article, tuple[str, ...]]:
    content, notes = decode(file.raw)
    if not content.strip():
        raise Unreadable("empty file" if not file.raw else "no text (whitespace only)")
    draft = READERS[file.suffix](content)
    draft = replace(draft, notes=notes + draft.notes)
    if file.sidecar is not None:
        name = file.rel.rsplit("/", 1)[-1] + SIDECAR_SUFFIX
        draft = replace(draft, meta={**draft.meta, **_read_sidecar(name, file.sidecar)})
    return clean(draft, file.rel)


def decode(raw: bytes) -> tuple[str, tuple[str, ...]]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _newlines(raw.decode("utf-16")), ()
        except UnicodeDecodeError as exc:
            raise Unreadable(f"not valid UTF-16 text ({exc.reason})") from None
    if b"\x00" in raw[:8192]:
        raise Unreadable("binary data, not text")
    try:
        return _newlines(raw.decode("utf-8-sig")), ()
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
        note = "not valid UTF-8; read as Windows-1252"
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        note = "not valid UTF-8; read as Latin-1"
    return _newlines(text), (note,)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------- format readers


def _load_yaml(text: str):
    """YAML as `yaml.safe_load` reads it, by libyaml when PyYAML was built with it (many times faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_plain(content: str) -> Draft:
    """A `.txt` file: lines as given; the first lines may be a headline or furniture."""
    return Draft(tuple(line.strip() for line in content.split("\n")))


def read_markdown(content: str) -> Draft:
    """A `.md` file: optional YAML front matter, then a Markdown body."""
    meta, notes = {}, ()
    match = re.match(r"^---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)", content, re.S)
    if match:
        content = content[match.end():]
        try:
            loaded = _load_yaml(match.group(1))
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" at line {where.line + 2}" if where else ""
            loaded, notes = None, (f"front matter is not valid YAML{line}; metadata ignored",)
        if loaded is not None and not isinstance(loaded, dict):
            loaded, notes = None, ("front matter is not a mapping of keys to values; metadata ignored",)
        meta = loaded or {}
    headline, lines = None, []
    for line in content.split("\n"):
        line = line.strip()
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*$", line)
        if heading and headline is None and not any(lines):
            headline = _markdown_inline(heading.group(1))
            continue
        lines.append(_markdown_inline(heading.group(1) if heading else line))
    return Draft(tuple(lines), meta, headline, notes)


def _markdown_inline(line: str) -> str:
    """Markdown markup removed from a line, leaving the words a reader sees."""
    line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"^(?:[-*+]|\d+[.)]|>)\s+", "", line)
    line = re.sub(r"(\*\*|__|`)(.+?)\1", r"\2", line)
    return line


def read_html(content: str) -> Draft:
    """An `.html` file: the main text only (article or main element), with its meta tags."""
    parser = _MainText()
    parser.feed(content)
    parser.close()
    return Draft(tuple(parser.lines()), parser.meta, parser.headline)


READERS = {".txt": read_plain, ".md": read_markdown, ".markdown": read_markdown, ".html": read_html, ".htm": read_html}


class _MainText(HTMLParser):
    """Collects the text blocks of an HTML page, skipping navigation, scripts and asides."""

    SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figure",
            "figcaption", "button", "svg", "iframe", "template", "select"}
    BLOCKS = {"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "td", "dd", "dt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict = {}
        self.headline: str | None = None
        self._skip_depth = 0
        self._blocks: list[tuple[str, str, int]] = []  # (tag, text, container depth)
        self._current: list[str] | None = None
        self._tag = ""
        self._container = 0  # 2 inside <article>, 1 inside <main>
        self._stack: list[str] = []
        self._title: list[str] | None = None
        self.title = ""

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if tag in ("meta", "link"):
            self._meta(tag, attrs)
            return
        if tag in ("br", "img", "hr", "input", "source", "wbr"):
            if tag == "br" and self._current is not None:
                self._current.append(" ")
            return
        self._stack.append(tag)
        if tag == "title":
            self._title = []
        if self._skip_depth or tag in self.SKIP:
            self._skip_depth += 1
            return
        if tag == "article":
            self._container = max(self._container, 2)
        elif tag == "main":
            self._container = max(self._container, 1)
        elif tag == "time" and "datetime" in attrs:
            self.meta.setdefault("date", attrs["datetime"][:10])
        if tag in self.BLOCKS:
            self._flush()
            self._current, self._tag = [], tag

    def handle_endtag(self, tag):
        if tag not in self._stack:
            return
        while self._stack:
            open_tag = self._stack.pop()
            if open_tag == "title" and self._title is not None:
                self.title = " ".join("".join(self._title).split())
                self._title = None
            if self._skip_depth:
                self._skip_depth -= 1
            elif open_tag in self.BLOCKS:
                self._flush()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._title is not None:
            self._title.append(data)
        if not self._skip_depth and self._current is not None:
            self._current.append(data)

    def _flush(self):
        if self._current is not None:
            words = " ".join("".join(self._current).split())
            if words:
                self._blocks.append((self._tag, words, self._container))
        self._current = None

    def _meta(self, tag, attrs):
        key = (attrs.get("property") or attrs.get("name") or attrs.get("rel") or "").lower()
        value = attrs.get("content") or attrs.get("href") or ""
        wanted = {"og:site_name": "source", "article:published_time": "date", "og:url": "url",
                  "canonical": "url", "og:title": "title", "date": "date"}
        if key in wanted and value:
            self.meta.setdefault(wanted[key], value[:10] if wanted[key] == "date" else value)

    def lines(self) -> list[str]:
        self._flush()
        best = max((depth for _, _, depth in self._blocks), default=0)
        blocks = [(tag, text) for tag, text, depth in self._blocks if depth == best]
        out = []
        for tag, text in blocks:
            if tag == "h1" and self.headline is None:
                self.headline = text
                continue
            out += [text, ""]
        if self.headline is None:
            self.headline = self.meta.pop("title", None) or self.title or None
        self.meta.pop("title", None)
        return out


# ---------------------------------------------------------------- metadata corrections


def _read_sidecar(name: str, raw: bytes) -> dict:
    try:
        data = _load_yaml(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise Unreadable(f"metadata file {name} is not valid YAML ({_first_line(exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise Unreadable(f"metadata file {name} must be a mapping of keys to values")
    unknown = sorted(set(map(str, data)) - set(METADATA_KEYS))
    if unknown:
        raise Unreadable(f"metadata file {name}: unknown key '{unknown[0]}' (expected {', '.join(METADATA_KEYS)})")
    return data


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _checked_meta(meta: dict) -> tuple[dict, tuple[str, ...]]:
    """Metadata values of the right type; a note for each value that is not."""
    out, notes = {}, []
    for key in METADATA_KEYS:
        if key not in meta or meta[key] is None:
            continue
        value = meta[key]
        if key == "date":
            parsed = _as_date(value)
            if parsed is None:
                notes.append(f"metadata 'date': expected a date like 2025-02-21, got {value!r}; date ignored")
                continue
            out[key] = parsed
        elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
            notes.append(f"metadata '{key}': expected text, got {type(value).__name__}; {key} ignored")
        elif key == "url" and not re.match(r"^https?://[^\s]+$", str(value).strip(), re.I):
            notes.append(f"metadata 'url': only http(s) links are kept, got {str(value)[:60]!r}; url ignored")
        elif str(value).strip():
            text = " ".join(str(value).split())
            if len(text) > MAX_META_CHARS and key == "url":
                notes.append(f"metadata 'url' is {len(text):,} characters long; url ignored")
                continue
            if len(text) > MAX_META_CHARS:
                notes.append(f"metadata '{key}' is {len(text):,} characters long; cut to {MAX_META_CHARS}")
                text = text[:MAX_META_CHARS].rstrip() + "…"
            out[key] = text
    return out, tuple(notes)


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                return None
    return None


# ---------------------------------------------------------------- cleaning shared by every format


@cache
def _furniture() -> dict[str, tuple[re.Pattern, ...]]:
    data = yaml.safe_load((resources.files("generator") / "data" / "furniture.yaml").read_text(encoding="utf-8"))
    return {
        kind: tuple(re.compile(p, re.I) for p in data.get(kind, ()))
        for kind in ("drop", "end", "strip")
    }


@cache
def _publishers() -> dict[str, str]:
    """Lower-cased name or alias to the publisher's display name."""
    data = yaml.safe_load((resources.files("generator") / "data" / "publishers.yaml").read_text(encoding="utf-8"))
    names = {}
    for entry in data:
        for alias in (entry["name"], *entry.get("aliases", ())):
            names[alias.lower()] = entry["name"]
    return names


def clean(draft: Draft, article_id: str) -> tuple[Article, tuple[str, ...]]:
    """Turn a draft into an article (furniture removed, metadata found, sentences split) and its caveats."""
    meta, notes = _checked_meta(draft.meta)
    lines = list(draft.lines)
    stated_date = _stated_date(lines)
    source = _source_from_text(lines)
    removed: list[str] = []
    lines = _drop_furniture(lines, removed)
    headline, lines = _leading_block(lines, removed, draft.headline)
    lines, lead_source, dateline = _lead_in(lines)
    paragraphs = _paragraphs(lines)
    if not paragraphs:
        raise Unreadable("no sentence of text after page furniture was removed")
    paragraphs, cut = _bounded(paragraphs)
    notes += cut
    _check_language(paragraphs)
    split = [(p, s) for p, para in enumerate(paragraphs) for s in textlib.sentences(para)]
    bounded = [(p, piece) for p, s in split for piece in _sentence_pieces(s)]
    if len(bounded) > len(split):
        notes += (f"a sentence of more than {MAX_SENTENCE_WORDS} words was split into pieces of at most "
                  f"{MAX_SENTENCE_WORDS} words",)
    sentences = tuple(Sentence(s, p, i) for i, (p, s) in enumerate(bounded))
    if not any(len(s.text.split()) >= MIN_SENTENCE_WORDS for s in sentences):
        raise Unreadable(f"no sentence of text, only short lines such as {sentences[0].text[:60]!r}"
                         if sentences else "no sentence of text")
    title = meta.get("title") or headline
    origin = "metadata" if meta.get("title") else ("headline" if headline else "lead")
    article = Article(
        id=article_id,
        title=_short(title) if title else _title_from_sentences(sentences, article_id),
        title_origin=origin,
        source=meta.get("source") or lead_source or source,
        date=meta.get("date") or stated_date,
        url=meta.get("url"),
        paragraphs=tuple(paragraphs),
        sentences=sentences,
        dateline=dateline,
        removed=tuple(removed),
    )
    return article, draft.notes + notes


def _short(title: str) -> str:
    return title if len(title) <= MAX_META_CHARS else title[:MAX_META_CHARS].rstrip() + "…"


def _bounded(paragraphs: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """The paragraphs cut to `MAX_TEXT_CHARS` characters in all, and a note when they were cut."""
    total = sum(len(p) for p in paragraphs)
    if total <= MAX_TEXT_CHARS:
        return paragraphs, ()
    kept, room = [], MAX_TEXT_CHARS
    for paragraph in paragraphs:
        if room <= 0:
            break
        piece = paragraph if len(paragraph) <= room else paragraph[:room].rsplit(" ", 1)[0] + "…"
        kept.append(piece)
        room -= len(piece)
    return kept, (f"text of {total:,} characters cut to the first {MAX_TEXT_CHARS:,}",)


def _sentence_pieces(sentence: str) -> list[str]:
    """A sentence, or pieces of at most `MAX_SENTENCE_WORDS` words when it is longer."""
    words = sentence.split()
    if len(words) <= MAX_SENTENCE_WORDS:
        return [sentence]
    return [" ".join(words[i:i + MAX_SENTENCE_WORDS]) for i in range(0, len(words), MAX_SENTENCE_WORDS)]


def _check_language(paragraphs: list[str]) -> None:
    """Refuse a text that is not in English: another script, or almost no English function words."""
    sample = " ".join(paragraphs)[:3_000]
    letters = list(filter(str.isalpha, sample))
    if letters and len(letters) - sum(map("\u024f".__ge__, letters)) > len(letters) / 2:
        raise Unreadable("written in a non-Latin script, not English; not processed (the digest is English only)")
    words = re.findall(r"\w+", sample.lower())
    if len(words) >= MIN_WORDS_FOR_LANGUAGE:
        share = sum(w in ENGLISH_FUNCTION_WORDS for w in words) / len(words)
        if share < 0.05:
            raise Unreadable(f"not in English (only {share:.0%} common English words); not processed "
                             "(the digest is English only)")


def _stated_date(lines: list[str]) -> dt.date | None:
    """An ISO date stated in the article's opening lines, or labelled as its date anywhere."""
    for i, line in enumerate(lines):
        for match in _ISO_DATE.finditer(line):
            labelled = re.search(r"\b(date|dated|published|updated|posted)\W*$", line[: match.start()], re.I)
            if i < 5 or labelled:
                try:
                    return dt.date(*map(int, match.groups()))
                except ValueError:
                    continue
    return None


def _source_from_text(lines: list[str]) -> str | None:
    """The publisher, recognised from a lead-in, a sign-off, a masthead or a disclaimer."""
    publishers = _publishers()
    text = "\n".join(lines)
    for pattern in (_REWORKED, _REPORTS):
        for match in pattern.finditer(text):
            name = match.group("name").strip()
            if name.lower() in publishers:
                return publishers[name.lower()]
            if pattern is _REWORKED or "." in name:
                return name
    stripped = [line for line in lines if line]
    for line in stripped[:3] + stripped[-3:]:
        if line.lower() in publishers:
            return publishers[line.lower()]
    return None


def _drop_furniture(lines: list[str], removed: list[str]) -> list[str]:
    rules = _furniture()
    publishers = _publishers()
    out = []
    for i, line in enumerate(lines):
        if any(p.fullmatch(line) for p in rules["end"]):
            removed.extend(rest for rest in lines[i:] if rest)
            break
        if line and (any(p.fullmatch(line) for p in rules["drop"]) or line.lower() in publishers):
            removed.append(line)
            continue
        for pattern in rules["strip"]:
            line = pattern.sub("", line).strip()
        if line or (out and out[-1]):
            out.append(line)
    return out


def _looks_like_sentence(line: str) -> bool:
    return bool(_TERMINAL.search(line)) and len(line.split()) >= 6


def _leading_block(lines: list[str], removed: list[str], headline: str | None) -> tuple[str | None, list[str]]:
    """Split off the lines before the story's first sentence: masthead, section, headline, caption."""
    for start, line in enumerate(lines):
        if line and (_looks_like_sentence(line) or _lead_in(_strip_date_prefix([line]))[0] != [line]):
            break
    else:
        start = 0
    lead = [line for line in lines[:start] if line]
    for line in lead:
        if headline is None and 4 <= len(line.split()) <= 25:
            headline = line
        else:
            removed.append(line)
    body = _strip_date_prefix(lines[start:])
    kept = []
    for i, line in enumerate(body):
        if line and not _looks_like_sentence(line) and len(line.split()) <= 20 and i > 0:
            removed.append(line)  # inline related-story link, caption or subhead
            continue
        kept.append(line)
    return headline, kept


def _strip_date_prefix(lines: list[str]) -> list[str]:
    if lines and (m := re.match(r"^(?:date|published|updated)\s+\d{4}-\d{2}-\d{2}\s*", lines[0], re.I)):
        return [lines[0][m.end():], *lines[1:]]
    return lines


def _lead_in(lines: list[str]) -> tuple[list[str], str | None, str | None]:
    """Remove a `Site.com--` or `CITY (Agency) -` lead-in from the first line; return what it named."""
    if not lines:
        return lines, None, None
    first, source, dateline = lines[0], None, None
    if m := _LEAD_IN.match(first):
        source = _publishers().get(m.group("name").lower(), m.group("name"))
        first = first[m.end():]
    if m := _DATELINE.match(first):
        dateline = m.group(1).strip().rstrip(",")
        if m.group("agency"):
            source = source or _publishers().get(m.group("agency").lower(), m.group("agency"))
        first = first[m.end():]
    return [first, *lines[1:]], source, dateline


def _paragraphs(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines; every other line is a paragraph of its own."""
    paragraphs: list[str] = []
    joinable = False
    for line in lines:
        if not line:
            joinable = False
            continue
        if joinable and paragraphs and not _TERMINAL.search(paragraphs[-1]) and line[:1].islower():
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        joinable = True
    return [html.unescape(p) if "&" in p and ";" in p else p for p in paragraphs]


def _title_from_sentences(sentences, article_id: str) -> str:
    """A title written from the first sentence that has one in it, else the file's name."""
    for sentence in sentences:
        title = title_from_lead(sentence.text)
        if any(ch.isalnum() for ch in title):
            return title
    return article_id.rsplit("/", 1)[-1]


def title_from_lead(lead: str, max_words: int = 14) -> str:
    """A headline written from the lead sentence: its main clause, up to `max_words` words."""
    words = lead.split()
    for match in _CLAUSE.finditer(lead):
        head = lead[: match.start()].strip()
        if len(head.split()) >= 5:
            words = head.split()
            break
    title = " ".join(words[:max_words]).rstrip(" .,;:")
    if len(words) > max_words:
        title += "…"
    return title[:1].upper() + title[1:]
