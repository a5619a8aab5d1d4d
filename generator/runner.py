"""Runner: per-item work of a stage, cached by content and spread over the machine's cores.

A stage hands the runner a top-level function and its items; the runner returns the results in
the items' order. Each result is stored under the stage's name, a fingerprint of the generator's
code and bundled data, and a hash of the item itself, so a rebuild redoes only the items that
changed, and any change to the code or data starts afresh. Misses run in a process pool when
there are enough of them to pay for it.
"""

from __future__ import annotations

import copyreg
import datetime as dt
import hashlib
import io
import logging
import os
import pickle
import re
import sqlite3
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

from generator.helpers import Helpers, collect_own_garbage

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

CACHE_FILE = "cache.sqlite"
"""The result cache's file in the cache folder."""

_EARLIER_FILES = ("results.sqlite", "results.sqlite-wal", "results.sqlite-shm")

SHRINK_BYTES = 32 << 20
"""Free space in the cache file (a third of it or more) that has it rewritten (`Runner._shrink`)."""

LARGE_BYTES = 1 << 20
"""A result this large (pickled) or larger is kept in a file of its own beside the cache file, under
`LARGE_FOLDER` (`Runner._store`)."""
LARGE_FOLDER = "large"
_IN_FILE = b"\x00"
"""What the cache's row of a result kept in a file starts with (a pickle starts with 0x80)."""

HELPED_ITEMS = 2000
"""Up to this many misses are sent to the helper processes forked when the build started
(`Helpers`); more go to a pool forked then, whose workers inherit them unpickled."""

POOL_MIN_ITEMS = 64
"""Fewer misses than this run in the build's own process: a pool would cost more than it saves."""

PROBE_ITEMS = 8
"""Misses worked out in the build's own process first, to time them."""

POOL_WORTH = 0.25
"""Seconds the remaining misses must be expected to take (at the pace of the first ones) for a
process pool to be worth starting: forking a build that holds 20,000 articles costs a tenth of a
second and more, which a hundred cheap items never pay back."""


@cache
def code_fingerprint(module: str | None = None) -> str:
    """Hash of the generator's code and bundled data: results of other code are never reused.

    With a module named (`generator.keywords`), only that module's source and the sources of the
    generator modules it imports, directly or not, count (with the bundled data), so a change to
    rendering does not throw away the keywords of every article.
    """
    root, files = _package()
    paths = sorted(files)
    if module is not None and (module == "generator" or module.startswith("generator.")):
        sources = _imported(module)
        paths = [p for p in paths if p.suffix != ".py" or p in sources]
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(files[path])
    return digest.hexdigest()[:16]


@cache
def _package() -> tuple[Path, dict[Path, bytes]]:
    """The generator package's folder, and the bytes of each of its source and data files."""
    root = Path(str(resources.files("generator")))
    return root, {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".txt")}


_FROM_IMPORT = re.compile(rb"^[ \t]*from[ \t]+(generator(?:\.\w+)*)[ \t]+import[ \t]*(?:\(([^)]*)\)|([\w \t,]+))", re.M)
_IMPORT = re.compile(rb"^[ \t]*import[ \t]+(generator(?:\.\w+)*)", re.M)


_PLACEMENT = frozenset({"generator.helpers"})
"""Modules whose code decides where results are worked out, never what they are: a change to
them keeps every result (`code_fingerprint`)."""


def _imported(module: str) -> set[Path]:
    """The source files of `module`, of the package's `__init__`, and of every generator module
    they import, directly or through others (imports inside functions included), but those of
    `_PLACEMENT`."""
    root, files = _package()
    found: set[Path] = set()
    pending = [module, "generator"]
    while pending:
        name = pending.pop()
        folder = root.joinpath(*name.split(".")[1:])
        path = folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")
        if path in found or path not in files or name in _PLACEMENT:
            continue
        found.add(path)
        source = files[path]
        pending.extend(m.decode() for m in _IMPORT.findall(source))
        for package, enclosed, names in _FROM_IMPORT.findall(source):
            pending.append(package.decode())  # and each name, which may be a module of the package
            pending.extend(f"{package.decode()}.{n.split()[0]}" for n in (enclosed or names).decode().split(",")
                           if n.split())
    return found


def file_identity(path) -> tuple[int, int, int] | None:
    """Size, modification time and inode of a file (links followed), or None when there is none.

    A file whose identity is the one a build recorded is taken to be the file that build read or
    wrote, without reading it again.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def files_under(folder) -> set[str]:
    """Paths (relative, `/`-separated) of the files under a folder."""
    found = set()
    for top, _, names in os.walk(folder):
        rel = os.path.relpath(top, folder)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.update(prefix + name for name in names)
    return found


def _file_name(key: str) -> str:
    """The name of the file a large result is kept in, in its stage's folder (`Runner._write_file`)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def item_key(*parts: object) -> str:
    """A stable key for an item: the hash of its pickled parts, where an article stands for itself
    by its path, its source's hash and the fingerprint of the code that read it, wherever it is
    among the parts.

    The pickler runs without its memo, so equal values give equal bytes whether or not they share
    objects (a string read from the cache and the same string made afresh). Parts that are only
    text and identities (in tuples or not), as most stages' keys are, are not pickled but written
    out (`_plain_text`): the same key for the same parts, at a third of the cost.
    """
    if len(parts) == 1 and type(parts[0]) is _article_type() and parts[0].source_digest:
        # an article alone, which several stages key their results by: its key is found once
        article = parts[0]
        name = (article.id, article.source_digest)
        key = _ARTICLE_KEYS.get(name)
        if key is None:
            if len(_ARTICLE_KEYS) >= 1 << 17:
                _ARTICLE_KEYS.clear()
            key = _ARTICLE_KEYS[name] = _key_of(parts, _KeyPickler)
        return key
    return _plain_key(parts) or _key_of(parts, _KeyPickler)


def _plain_text(parts: tuple) -> str | None:
    """Parts made only of text, identities, whole numbers, booleans, None and tuples of them,
    written out so that no two differ in text unless they differ (each part tagged by its kind,
    text preceded by its length); None for parts holding anything else."""
    out = ["("]
    for part in parts:
        kind = type(part)
        if kind is str:
            out.append(f"s{len(part)}:{part}")
        elif kind is Identity:
            out.append(f"={len(part.name)}:{part.name}")
        elif kind is tuple:
            inner = _plain_text(part)
            if inner is None:
                return None
            out.append(f"t{len(inner)}:{inner}")
        elif kind is int:
            out.append(f"i{part};")
        elif part is None or kind is bool:
            out.append(_CONSTANTS[part])
        else:
            return None
    return "".join(out)


_CONSTANTS = {None: "N", True: "T", False: "F"}


def _plain_key(parts: tuple) -> str | None:
    """The key of plain parts (`_plain_text`), or None for others."""
    text = _plain_text(parts)
    # b"(" never starts a pickle: no plain text hashes like a pickle's bytes
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() if text is not None else None


_ARTICLE_KEYS: dict[tuple[str, str], str] = {}
"""The key of each article met, by its id and source hash (all its key depends on in a process)."""


@cache
def _article_type() -> type:
    from generator.records import Article

    return Article


def _key_of(parts: tuple, pickler: type[pickle.Pickler], *options) -> str:
    buffer = io.BytesIO()
    pickler(buffer, *options).dump(parts)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


class _KeyPickler(pickle.Pickler):
    """A pickler for keys: no memo, and articles reduced to what names their content."""

    def __init__(self, file):
        super().__init__(file, protocol=5)
        self.fast = True
        self.dispatch_table = _key_reducers()


@dataclass(frozen=True)
class Identity:
    """Stands for a value in a key: the name of the work that made it (`Runner.identity`)."""

    name: str


def _named(value, name: str | None):
    return value if name is None else Identity(name)


class RecordKeys:
    """`item_key` for many items that share large records (the pages of a digest share its stories).

    A record of one of `types` (immutable, as all records are) is hashed once, the first time it is
    met; wherever it appears afterwards, its hash stands for it. Keys differ from `item_key`'s but
    are as determined by content: equal records give equal keys, whether or not they are one object.
    With `known` (`Runner.identity`), a record the runner knows stands for itself by its identity,
    which names its content without it being hashed at all.
    """

    def __init__(self, types: Iterable[type], known: Callable[[object], str | None] | None = None):
        self.types = frozenset(types)
        self.known = known or (lambda value: None)
        self._hashes: dict[int, tuple[object, tuple]] = {}  # id -> (the record, kept alive; its stand-in)
        self._tokens: dict[int, tuple[object, str]] = {}  # id -> (the value, kept alive; its token)
        # the records' reducers in the pickler's table: no call into Python for other objects
        self.reducers = {**_key_reducers(), **{t: self._reduce for t in self.types}}

    def __call__(self, *parts: object) -> str:
        return _plain_key(parts) or _key_of(parts, _RecordPickler, self)

    def named(self, value):
        """The value, or its identity when the runner knows it (for values of any type)."""
        return _named(value, self.known(value))

    def _reduce(self, record) -> tuple:
        return tuple, (self.stand_in(record),)

    def token(self, value) -> str:
        """A short text standing for a value in keys made by joining texts: its identity when the
        runner knows it, else the key of its content (worked out once per object)."""
        if type(value) in self.types:  # its stand-in: ("=", identity) or (type, key)
            kind, text = self.stand_in(value)
            return "=" + text if kind == "=" else text
        found = self._tokens.get(id(value))
        if found is None or found[0] is not value:
            name = self.known(value)
            found = self._tokens[id(value)] = (value, "=" + name if name is not None else self(value))
        return found[1]

    def stand_in(self, record) -> tuple:
        found = self._hashes.get(id(record))
        if found is None or found[0] is not record:
            name = self.known(record)
            stand_in = ("=", name) if name is not None else (type(record).__qualname__, self(record.__reduce_ex__(5)))
            found = self._hashes[id(record)] = (record, stand_in)
        return found[1]


class _RecordPickler(_KeyPickler):
    def __init__(self, file, keys: RecordKeys):
        super().__init__(file)
        self.dispatch_table = keys.reducers


@cache
def _key_reducers() -> dict:
    from generator.records import Article

    table = copyreg.dispatch_table.copy()
    table[Article] = _article_key
    return table


def _article_key(article) -> tuple:
    # what ingest made of the source depends on ingest's code too: a later stage's results,
    # cached under that stage's own code, must not outlive a change to how articles are read
    if article.source_digest:
        return tuple, (("article", article.id, article.source_digest, code_fingerprint("generator.ingest")),)
    return article.__reduce_ex__(5)


class Runner:
    """Maps stage functions over items with a result cache and a process pool."""

    def __init__(self, cache_dir: Path | None = None, jobs: int = 1):
        self.jobs = max(1, jobs)
        self._helpers = Helpers(self.jobs - 1) if self.jobs > 1 else None  # forked first, while the build is small
        self._db: sqlite3.Connection | None = None
        self._large = cache_dir / LARGE_FOLDER if cache_dir is not None else None
        if cache_dir is not None:
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                for name in _EARLIER_FILES:  # a cache of an earlier layout: its results are not reused
                    (cache_dir / name).unlink(missing_ok=True)
                self._db = sqlite3.connect(cache_dir / CACHE_FILE, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                # Values (pickles of up to megabytes) live in the table's rows; the index holds only
                # (stage, key), so a lookup never reads a value it does not return. (With the values
                # inside the key's B-tree, each step of a search could read another result's
                # overflow pages: a lookup of a missing key took 0.2 ms to 50 ms in an 850 MB cache.)
                self._db.execute("CREATE TABLE IF NOT EXISTS results (id INTEGER PRIMARY KEY, stage TEXT NOT NULL, "
                                 "key TEXT NOT NULL, value BLOB)")
                self._db.execute("CREATE UNIQUE INDEX IF NOT EXISTS results_key ON results (stage, key)")
            except (OSError, sqlite3.Error) as exc:
                log.warning("%s: cache not usable (%s); building without it", cache_dir, exc)
                self._db = None
        self.hits = 0
        self.misses = 0
        self._names: set[str] = set()
        self._used: dict[str, set[str]] = {}  # keys each stage looked up (or keeps) in this build
        self._stored: set[str] = set()  # the stages that stored results in this build
        self._open: tuple[str, ...] | None = None  # the months this build looked up, when not all (`uses_part`)
        self._identities: dict[int, tuple[object, str]] = {}  # id -> (a value, kept alive; its identity)
        self._sources: tuple[Sequence, list[str]] | None = None  # the last sequence `sources` was asked for
        self._days: tuple[Sequence, list[str]] | None = None  # the last articles `day_groups` was asked for
        self._groups: tuple[Sequence, list[str], dict[str, list[int]]] | None = None  # the last groups mapped over

    @property
    def keeps_results(self) -> bool:
        """Whether results are kept between builds (a cache folder is in use)."""
        return self._db is not None

    def map(self, stage: str, func: Callable[[T], R], items: Sequence[T],
            keys: Iterable[str] | None = None, keep: Iterable[str] = (), named: bool = False) -> list[R]:
        """`func(item)` for every item, in order; cached results are reused. Results stored under
        keys neither among `keys` nor in `keep` may be dropped once the build ends. With `named`,
        each result gets its identity (`identity`), and so does each part of a result that is a
        tuple (`#0`, `#1`...); they are kept alive with it until the build ends: for the results
        later keys hold, not for those a stage uses up along the way."""
        keys = list(keys) if keys is not None else [item_key(item) for item in items]
        name = self._name(stage, getattr(func, "func", func).__module__)
        results: list = self._load(name, keys)
        todo = [i for i, r in enumerate(results) if r is _MISSING]
        self.hits += len(items) - len(todo)
        self.misses += len(todo)
        if todo:
            computed = self._compute(func, [items[i] for i in todo])
            for i, (value, _) in zip(todo, computed):
                results[i] = value
            self._store(name, [(keys[i], data) for i, (_, data) in zip(todo, computed)])
            self._stored.add(name)
        self._used.setdefault(name, set()).update(keys, keep)  # a stage may map several times in a build
        if named:
            self._name_results(name, results, keys)
        return results

    def map_grouped(self, stage: str, func: Callable[[T], R], items: Sequence[T], sources: Sequence[str],
                    groups: Sequence[str], named: bool = False) -> list[R]:
        """`func(item)` for every item, in order, the results kept in groups rather than one by one.

        `sources[i]` is text that determines item i's result (with the stage's code): the
        identities of the values it is made from (`source_of`). `groups[i]` names the group it is
        kept in: the articles of one day, say. A group whose items' sources are those of the
        previous build is taken whole from one entry of the cache, its items' keys unworked and
        its results unpickled in one go; the items of any other group are looked up by their key
        among the group's previous results, and only those not there are worked out. A group is
        stored again, whole, when any of its items changed: groups are kept small (a day's
        articles), so an addition costs its group, not the stage. With `named`, as `map`.
        """
        name = self._name(stage, getattr(func, "func", func).__module__)
        names, members = self._members(groups)
        results: list = [_MISSING] * len(items)
        keys: list = [None] * len(items)
        changed: list[tuple[str, str, list[int]]] = []
        todo: list[int] = []
        for group, kept in zip(names, self._load(name, names)):
            positions = members[group]
            check = _sources_key(sources[i] for i in positions)
            if type(kept) is _Group and kept.sources == check:
                for i, key, value in zip(positions, kept.keys, kept.values):
                    keys[i], results[i] = key, value
                continue
            before = dict(zip(kept.keys, kept.values)) if type(kept) is _Group else {}
            for i in positions:
                key = keys[i] = _source_key(sources[i])
                results[i] = before.get(key, _MISSING)
                if results[i] is _MISSING:
                    todo.append(i)
            changed.append((group, check, positions))
        first: dict[str, int] = {}  # items of one key are worked out once
        work = [i for i in todo if first.setdefault(keys[i], i) == i]
        self.hits += len(items) - len(work)
        self.misses += len(work)
        if work:
            for i, value in zip(work, self._parallel(func, [items[i] for i in work])):
                results[i] = value
            for i in todo:
                results[i] = results[first[keys[i]]]
        if changed and self._db is not None:
            self._store(name, [(group, pickle.dumps(_Group(check, tuple(keys[i] for i in positions),
                                                           [results[i] for i in positions]), protocol=5))
                               for group, check, positions in changed])
            self._stored.add(name)
        self._used.setdefault(name, set()).update(names)
        if named:
            self._name_results(name, results, keys)
        return results

    def _members(self, groups: Sequence[str]) -> tuple[list[str], dict[str, list[int]]]:
        """The groups' names in order, and the positions of each group's items (made once for a
        sequence of groups, which several stages share: `day_groups`)."""
        if self._groups is None or self._groups[0] is not groups:
            members: dict[str, list[int]] = {}
            for i, group in enumerate(groups):
                members.setdefault(group, []).append(i)
            self._groups = (groups, sorted(members), members)
        return self._groups[1], self._groups[2]

    def day_groups(self, articles: Sequence) -> list[str]:
        """`day_group` of each article, in order (a list not to change), made once a build for
        the build's articles, which four stages keep their results by."""
        if self._days is None or self._days[0] is not articles:
            self._days = (articles, [day_group(a.date, a.id) for a in articles])
        return self._days[1]

    def source_of(self, *parts) -> str:
        """Text that determines the parts (for `map_grouped`): each value by its identity when the
        runner knows it, text as it is, and anything else by its key (`item_key`)."""
        out = []
        for part in parts:
            if type(part) is str:
                out.append(f"s{len(part)}:{part}")
                continue
            text = self.identity(part)
            out.append(f"={len(text)}:{text}" if text is not None else f"k{item_key(part)}")
        return "".join(out)

    def sources(self, values: Sequence) -> list[str]:
        """`source_of(value)` for each value, in order (a list not to change). The sources of one
        sequence are made once a build: the stages of a build all ask for those of its articles,
        to which each adds the sources of its other parts (`source_of` joins the parts' sources)."""
        if self._sources is None or self._sources[0] is not values:
            self._sources = (values, [self.source_of(value) for value in values])
        return self._sources[1]

    def _name_results(self, name: str, results: list, keys: list) -> None:
        """Each result named by its stage and key, and each part of a tuple result by its place
        (`map`'s `named`: `identify` written out, since a rebuild names hundreds of thousands, and
        a call per value costs half as much again)."""
        identities = self._identities
        for value, key in zip(results, keys):
            kind = type(value)
            if value is None or kind in _UNNAMED or (kind in _CONTAINERS and not value):
                continue
            identity = identities[id(value)] = (value, f"{name}/{key}")
            if kind is tuple:
                for n, part in enumerate(value):
                    kind = type(part)
                    if not (part is None or kind in _UNNAMED or (kind in _CONTAINERS and not part)):
                        identities[id(part)] = (part, f"{identity[1]}#{n}")

    def identities(self, values: Iterable) -> tuple[str | None, ...]:
        """The identity of each value (`identity`), for a later build to give them back (`identify_each`)."""
        return tuple(map(self.identity, values))

    def identify_each(self, values: Iterable, identities: Iterable[str | None]) -> None:
        """`identify` each value with its identity: values an earlier build kept, with the
        identities it knew them by (`identities`). (One comprehension, not a call per value: a
        build taking a year's months whole gives 120,000 values their identities.)"""
        self._identities.update({
            id(value): (value, identity) for value, identity in zip(values, identities)
            if identity is not None and value is not None and type(value) not in _UNNAMED
            and (type(value) not in _CONTAINERS or value)})

    def identity(self, value) -> str | None:
        """The identity of a value this build's stages made or took from the cache: the stage and
        code that made it and the key of its input, which determine it (or None when unknown).
        Equal identities mean equal values, so a key can hold the identity instead of the value."""
        found = self._identities.get(id(value))
        return found[1] if found is not None and found[0] is value else None

    def identify(self, value, identity: str | None) -> None:
        """Give a value its identity: a stage names a part of a result, or a value it made from
        values of known identity, by what determines it. Plain values (numbers, text, empty
        containers), which other values may share, are never named."""
        if identity is None or value is None or type(value) in _UNNAMED or (type(value) in _CONTAINERS and not value):
            return
        self._identities[id(value)] = (value, identity)

    def get(self, stage: str, key: str, owner: str | None = None):
        """A value stored with `put`, or None (`owner`: the module whose code made it)."""
        found = self._load(self._name(stage, owner), [key])[0]
        return None if found is _MISSING else found

    def put(self, stage: str, key: str, value, owner: str | None = None) -> None:
        """Store one value (a stage's state between builds)."""
        self._store(self._name(stage, owner), [(key, pickle.dumps(value, protocol=5))])

    def _name(self, stage: str, module: str | None) -> str:
        """The stage's name in the cache: results of other code under the same name are stale."""
        name = f"{stage}@{code_fingerprint(module)}"
        self._names.add(name)
        return name

    def uses_part(self, months: Iterable[str]) -> None:
        """Say that this build looks up the results of these months only (`YYYY-MM`): those of the
        others it takes whole from the cache (`generator.months`). A stage's results that it did
        not use are then dropped only where their key starts with one of these months (a day's
        group, a month's model or grouping); the others wait for a build that looks up everything."""
        self._open = tuple(sorted(months))

    def _prune_months(self, name: str, used: set[str]) -> None:
        """Drop a stage's results that this build did not use, among those whose key starts with
        one of the months it looked up (`uses_part`)."""
        self._used_table(k for k in used if k.startswith(self._open))
        for month in self._open:  # keys are ASCII text: "\x7f" sorts after every key starting with the month
            self._db.execute("DELETE FROM results WHERE stage = ? AND key >= ? AND key < ? "
                             "AND key NOT IN (SELECT key FROM used)", (name, month, month + "\x7f"))

    def _prune(self, name: str, used: set[str]) -> None:
        """Drop a stage's results that this build did not use (articles removed or changed since),
        once they outnumber the used ones: the cache stays in proportion to the corpus. A stage of
        many small results (one per article) keeps up to 1000 more, so that it is not pruned on
        every build; one of few large results (one per volume) is pruned once its unused results
        reach twice its used ones."""
        (stored,) = self._db.execute("SELECT count(*) FROM results WHERE stage = ?", (name,)).fetchone()
        if stored <= 2 * len(used) + min(1000, len(used)):
            return
        self._used_table(used)
        self._db.execute("DELETE FROM results WHERE stage = ? AND key NOT IN (SELECT key FROM used)", (name,))

    def _used_table(self, keys: Iterable[str]) -> None:
        """These keys, and no others, in the temporary table `used` that pruning keeps results by."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM used")
        self._db.executemany("INSERT OR IGNORE INTO used VALUES (?)", [(k,) for k in keys])

    def close(self) -> None:
        """End the helpers, drop what this build's stages stored with other code, and close the cache."""
        if self._helpers is not None:
            self._helpers.close()
            self._helpers = None
        if self._db is not None:
            try:
                for name in sorted(self._names):
                    prefix = name[:name.index("@") + 1]  # names are ASCII: "\x7f" sorts after all of them
                    self._db.execute("DELETE FROM results WHERE stage > ? AND stage < ? AND stage != ?",
                                     (prefix, prefix + "\x7f", name))
                for name in sorted(self._stored):
                    if self._open is None:
                        self._prune(name, self._used[name])
                    else:
                        self._prune_months(name, self._used[name])
                self._sweep()
                self._shrink()
            except sqlite3.Error:
                pass
            self._db.close()
            self._db = None

    def _write_file(self, name: str, key: str, data: bytes) -> bytes:
        """A large result written to a file of its own (beside the cache file, in its stage's folder);
        what the cache's row holds instead: the file's size, modification time and inode, so that a
        file that is not the one written (replaced, cut short) is never read as the result. The
        data itself when the file cannot be written.

        SQLite stores a value of megabytes in a chain of pages and writes them twice (the log,
        then the file): at 20,000 articles, a rebuild's pages' manifest (10 MB) took 0.05 s to
        store, against under 0.01 s written to a file."""
        path = self._large / name / _file_name(key)
        temp = path.with_name(f"{path.name}.{os.getpid()}.new")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(data)
            os.replace(temp, path)
            stat = os.stat(path)
        except OSError:
            return data
        return _IN_FILE + f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ino}".encode()

    def _read_file(self, name: str, key: str, row: bytes) -> bytes:
        """The result `_write_file` wrote, while its file is the one the row names (else `OSError`)."""
        with open(self._large / name / _file_name(key), "rb") as file:
            stat = os.fstat(file.fileno())
            if row != _IN_FILE + f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ino}".encode():
                raise OSError(f"not the file written for {name} {key}")
            return file.read()

    def _sweep(self) -> None:
        """Remove the files of results the cache no longer holds (dropped, or stored with other
        code), and what a build that was stopped left half written."""
        try:
            folders = [f for f in self._large.iterdir() if f.is_dir()] if self._large.is_dir() else []
            for folder in folders:
                rows = self._db.execute("SELECT key, value FROM results WHERE stage = ? AND length(value) < 100",
                                        (folder.name,))
                kept = {_file_name(key) for key, value in rows if value[:1] == _IN_FILE}
                for file in folder.iterdir():
                    if file.name not in kept:
                        file.unlink(missing_ok=True)
                if not kept:
                    folder.rmdir()
        except OSError:
            pass

    def _shrink(self) -> None:
        """Give the space of dropped results back, once it is a third of the file: SQLite reuses a
        deleted row's pages but never returns them, so a cache whose results a code change dropped
        would keep the size of every result it ever held (844 MB, three quarters of it free, at
        20,000 articles). Rewriting the file costs about what reading the live results does. A
        build that replaced every result (after a code change) leaves half of the file free: it
        is rewritten then, at the end of a long build, not by the next short one that frees a
        little more."""
        (pages,) = self._db.execute("PRAGMA page_count").fetchone()
        (free,) = self._db.execute("PRAGMA freelist_count").fetchone()
        (size,) = self._db.execute("PRAGMA page_size").fetchone()
        if free * size >= SHRINK_BYTES and 3 * free >= pages:
            self._db.execute("VACUUM")

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _parallel(self, func: Callable[[T], R], items: list[T]) -> list[R]:
        """`func(item)` for every item, in order: with the helpers when there are a few, else
        `map_parallel`."""
        values = self._helped(func, items)
        return values if values is not None else map_parallel(func, items, self.jobs)

    def _compute(self, func, items: list) -> list[tuple[object, bytes]]:
        """Each item's result and its pickled bytes (the form the cache stores): with the helpers
        when there are a few items, in a process pool when there are many and the first ones show
        the rest would take long enough."""
        values = self._helped(func, items)
        if values is not None:
            return [(v, pickle.dumps(v, protocol=5) if self._db is not None else b"") for v in values]
        return _probed(partial(self._compute_here, func), items, self.jobs,
                       lambda rest: [(pickle.loads(b), b) for b in map_pickled(func, rest, self.jobs)])

    def _helped(self, func: Callable[[T], R], items: list[T]) -> list[R] | None:
        """`func(item)` for every item over the helpers and this process, when there are helpers
        and a few items (`HELPED_ITEMS`) to share and the function can be sent; else None."""
        if self._helpers is None or not 1 < len(items) <= HELPED_ITEMS:
            return None
        return self._helpers.map(func, items)

    def _compute_here(self, func, items: list) -> list[tuple[object, bytes]]:
        values = [func(item) for item in items]
        return [(v, pickle.dumps(v, protocol=5) if self._db is not None else b"") for v in values]

    def _load(self, name: str, keys: list[str]) -> list:
        out = [_MISSING] * len(keys)
        if self._db is None or not keys:
            return out
        where = {k: i for i, k in enumerate(keys)}
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            rows = self._db.execute(
                f"SELECT key, value FROM results WHERE stage = ? AND key IN ({','.join('?' * len(batch))})",
                (name, *batch))
            for key, value in rows:
                try:
                    if value[:1] == _IN_FILE:
                        value = self._read_file(name, key, value)
                    out[where[key]] = pickle.loads(value)
                except Exception:  # a damaged entry (or a missing file) is recomputed
                    continue
        for i, key in enumerate(keys):  # duplicate keys share one result
            if out[i] is _MISSING and out[where[key]] is not _MISSING:
                out[i] = out[where[key]]
        return out

    def _store(self, name: str, pairs: list[tuple[str, bytes]]) -> None:
        if self._db is None or not pairs:
            return
        rows = [(name, k, self._write_file(name, k, v) if len(v) >= LARGE_BYTES else v) for k, v in pairs]
        try:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO results (stage, key, value) VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            log.warning("cache write failed (%s); results are not kept for the next build", exc)
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass


UNDATED_GROUPS = 64
"""Groups the results of undated items are kept in (`day_group`)."""


def day_group(day: dt.date | None, name: str) -> str:
    """The group a dated item's results are kept in (`Runner.map_grouped`): its day, so that a
    day's addition stores its day's group again, not the stage's results; for an undated item, one
    of `UNDATED_GROUPS` groups, by its name."""
    return day.isoformat() if day is not None else f"undated-{name_group(name, UNDATED_GROUPS)}"


def name_group(name: str, count: int) -> int:
    """One of `count` groups, by a name's hash: the same from build to build and machine to machine."""
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % count


@dataclass(frozen=True)
class _Group:
    """A group's results as the cache keeps them (`Runner.map_grouped`)."""

    sources: str
    """Hash of its items' sources, in order."""
    keys: tuple[str, ...]
    """Each item's key."""
    values: list
    """Each item's result."""


def _sources_key(sources: Iterable[str]) -> str:
    """Hash of texts in order, no two lists of texts giving one text to hash."""
    return hashlib.sha256("".join(f"{len(s)}:{s}" for s in sources).encode("utf-8", "surrogatepass")).hexdigest()


def _source_key(source: str) -> str:
    """An item's key from its source (`Runner.map_grouped`)."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def map_parallel(func: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`func(item)` for every item, in order, over `jobs` processes when there are enough items
    and the first ones show the rest would take long enough to pay for the processes (`POOL_WORTH`)."""
    return _probed(lambda some: [func(item) for item in some], items, jobs,
                   lambda rest: [pickle.loads(b) for b in map_pickled(func, rest, jobs)])


def _probed(here: Callable[[Sequence], list], items: Sequence, jobs: int, pooled: Callable[[Sequence], list]) -> list:
    """`here(items)`, or, with `jobs` above one and enough items, `here` on the first
    `PROBE_ITEMS` and `pooled` on the rest when those show the rest would take `POOL_WORTH` or more."""
    if jobs == 1 or len(items) < POOL_MIN_ITEMS:
        return here(items)
    started = time.perf_counter()
    first = here(items[:PROBE_ITEMS])
    rest = items[PROBE_ITEMS:]
    if (time.perf_counter() - started) / PROBE_ITEMS * len(rest) < POOL_WORTH:
        return first + here(rest)
    return first + pooled(rest)


def map_pickled(func: Callable[[T], R], items: Sequence[T], jobs: int) -> list[bytes]:
    """`func(item)` for every item, pickled, computed in `jobs` forked processes.

    The workers inherit the function and the items (neither is pickled: a closure will do); only
    indices go to them, and each result comes back pickled once, in the worker.
    """
    global _WORK
    _WORK = (func, items)
    try:
        chunk = max(4, len(items) // (jobs * 32))  # small chunks: no worker idles long at the end
        with ProcessPoolExecutor(jobs, mp_context=get_context("fork"), initializer=collect_own_garbage) as pool:
            return list(pool.map(_run_pickled, range(len(items)), chunksize=chunk))
    finally:
        _WORK = None


class Background:
    """`func(*args)` worked out in a forked process while the build goes on (`jobs` above one), or
    at once in the build's own process; `result()` waits for it.

    A stage whose output no later stage reads (`digest.json`) can run beside the next one: the
    build's own process plans pages alone for a while, and the other core would otherwise idle.
    The process inherits the function and its arguments (nothing is pickled on the way in); the
    result, or the error, comes back pickled through a pipe.
    """

    def __init__(self, func: Callable[..., R], *args, jobs: int):
        self._process = None
        if jobs == 1:
            self._value = func(*args)
            return
        context = get_context("fork")
        self._reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_background, args=(writer, func, args))
        self._process.start()
        writer.close()

    def result(self):
        if self._process is None:
            return self._value
        try:
            failed, value = self._reader.recv()
        except EOFError:
            raise RuntimeError(f"background work ended without a result (exit code {self._process.exitcode})") from None
        finally:
            self.close()
        if failed:
            raise value
        return value

    def close(self) -> None:
        """Stop the work if it is still running (the build failed before it needed the result)."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._reader.close()
            self._process = None

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _run_background(writer, func: Callable, args: tuple) -> None:
    collect_own_garbage()
    try:
        outcome = (False, func(*args))
    except BaseException as exc:  # noqa: BLE001 - the build's own process raises it
        outcome = (True, exc)
    try:
        writer.send(outcome)
    except Exception as exc:  # the error itself would not pickle: send what it says
        writer.send((True, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}; {exc}")))
    writer.close()




_WORK: tuple[Callable, Sequence] | None = None
"""The function and items of the map in progress, which forked workers inherit."""


def _run_pickled(index: int) -> bytes:
    func, items = _WORK
    return pickle.dumps(func(items[index]), protocol=5)


_UNNAMED = frozenset({bool, int, float, str, bytes})
_CONTAINERS = frozenset({tuple, list, dict, frozenset, set})


class _Missing:
    def __repr__(self):
        return "<missing>"


_MISSING = _Missing()


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1
