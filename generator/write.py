"""Write: put the rendered pages into docs/ without touching hand-written pages.

The generator owns `docs/digest/` and `docs/digest.json`, and `docs/index.md` while that page
carries the generated marker. A build writes only the pages that changed: aside first, then renamed
into place with the pages they replace kept until all are in, so an interrupted build leaves the
previous pages as they were (or puts them back at the next build). A page whose bytes did not
change is not touched and keeps its modification time, so watchers and deploys see only what
changed, and a build that adds one article costs a few renames, not a copy of every page.
"""

from __future__ import annotations

import errno
import filecmp
import json
import logging
import os
import posixpath
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from generator.errors import BuildError
from generator.render import GENERATED, HOME, KEPT, MARKER, Kept
from generator.runner import file_identity, files_under

log = logging.getLogger(__name__)

NEW, OLD = f".{GENERATED}.new", f".{GENERATED}.old"
"""Folders beside the generated one: the changed pages written aside, the pages they replace."""
ASIDE = f".{GENERATED}.aside-"
"""Folder of the files a build writes while it goes on (`written_aside`), before `write_docs`
runs, followed by the build's process id (in the cache folder, or in docs/ without a cache)."""
JOURNAL = ".added.json"
"""In the folder of replaced pages while they are being replaced: the files and folders the build adds."""


_GROUP = "\0"
"""What the name of a group of pages starts with in the manifest (no page path does)."""
_TOKENS = _GROUP + "\0tokens"
"""Name of the manifest's entry of what the pages' items were (`PreviousPages.changed`)."""
_NOTES = _GROUP + "\0notes"
"""Name of the manifest's entry of what rendering noted for the next build (`PreviousPages.note`)."""


class PreviousPages:
    """The generated pages the previous build left in docs/, with the key each was made from.

    `render_pages` asks `matches(path, key)` for each page it could skip; the answer is yes when
    the previous build wrote that page from the same key and its file is untouched since (same
    size, modification time and inode). It tells `remember(path, key, kept)` the key of every such
    page, for the next build, and whether the previous file was kept (its identity is then known).
    With `changed`, it learns which of the items pages show (articles, stories, names) are not
    what they were, so that a page showing none of those can be kept without its key being made.
    """

    def __init__(self, docs: Path, manifest: dict[str, tuple] | None = None,
                 on_disk: dict[str, tuple | None] | None = None):
        """`on_disk`: the files' identities as `files_on_disk` found them a moment before, which
        are not looked up again."""
        self.docs = docs
        self._root = os.fspath(docs)  # a page's file is looked up as a string: no Path made per page
        self._on_disk = on_disk
        self.manifest = manifest or {}
        self.keys: dict[str, str] = {}
        self._kept: set[str] = set()  # pages kept as they were: linked as they are, so their identity stays
        self._tokens: dict[str, dict[str, str]] | None = None
        self._notes: dict | None = None

    def matches(self, path: str, key: str) -> bool:
        entry = self.manifest.get(path)
        if entry is None or entry[0] != key:
            return False
        identity = self._identity(path)
        return identity is not None and identity == tuple(entry[1:])

    def _identity(self, path: str) -> tuple | None:
        """A page file's identity now (as `files_on_disk` found it, when it was given)."""
        return self._on_disk.get(path) if self._on_disk is not None else file_identity(f"{self._root}/{path}")

    def remember(self, path: str, key: str, kept: bool = False) -> None:
        self.keys[path] = key
        if kept:
            self._kept.add(path)

    def keep(self, path: str) -> bool:
        entry = self.manifest.get(path)
        if entry is None or not self.matches(path, entry[0]):
            return False
        self.remember(path, entry[0], True)
        return True

    def keep_all(self, group: str, key: str, paths: list[str], unchanged: bool = True) -> bool:
        name = _GROUP + group
        self.keys[name] = key
        entry = self.manifest.get(name)
        if not unchanged or entry is None or entry[0] != key:
            return False
        # a group is most of an archive's pages (a month's articles): its pages are looked up in
        # bulk, each entry's identity against the file's (`matches`, without a call per page)
        entries = list(map(self.manifest.get, paths))
        if None in entries:
            return False
        if any(entry[1:] != self._identity(path) for path, entry in zip(paths, entries)):
            return False
        self.keys.update(zip(paths, (entry[0] for entry in entries)))
        self._kept.update(paths)
        return True

    def changed(self, tokens: dict[str, dict[str, str]]) -> dict[str, set[str]] | None:
        tokens_before = self.manifest.get(_TOKENS, (None,))[0]
        self._tokens = tokens
        if tokens_before is None or tokens_before.keys() != tokens.keys():
            return None
        # items (id, token) of now that were not items of before: C-level set work, no loop here
        return {kind: {item_id for item_id, _ in now.items() - tokens_before[kind].items()}
                for kind, now in tokens.items()}

    def recall(self) -> dict | None:
        tokens = self.manifest.get(_TOKENS, (None,))[0]
        notes = self.manifest.get(_NOTES, (None,))[0]
        return None if tokens is None or notes is None else {**notes, "tokens": tokens}

    def note(self, notes: dict) -> None:
        self._notes = notes

    def manifest_after_write(self) -> dict[str, tuple]:
        """The manifest for the next build: each keyed page's key and its file's identity now, the
        tokens of the items the pages showed (`changed`) and what rendering noted (`note`)."""
        out = {} if self._tokens is None else {_TOKENS: (self._tokens,)}
        if self._notes is not None:
            out[_NOTES] = (self._notes,)
        for path, key in self.keys.items():
            if path.startswith(_GROUP):  # a group of pages: its key alone
                out[path] = (key,)
                continue
            if path in self._kept:  # the same file, left as it was
                out[path] = self.manifest[path]
                continue
            identity = file_identity(f"{self._root}/{path}")
            if identity is not None:
                out[path] = (key, *identity)
        return out

    @staticmethod
    def identities(manifest: dict[str, tuple]) -> dict[str, tuple]:
        """The identity of each page file a manifest (`manifest_after_write`) names."""
        return {path: entry[1:] for path, entry in manifest.items() if not path.startswith(_GROUP)}


def files_on_disk(docs: Path) -> dict[str, tuple | None]:
    """The identity (`file_identity`) of every file under docs/ that a build writes, by its path
    there: each under the generated folder, the home page and `digest.json` (None for one that
    is a broken link; none for one that is not there).

    A build looks them up beside its first steps (`Background`, on the other core) and checks its
    pages against them: 33,000 files at 20,000 articles, 0.08 s looked up one by one."""
    root = os.fspath(docs)
    found = {f"{GENERATED}/{rel}": file_identity(f"{root}/{GENERATED}/{rel}") for rel in files_under(docs / GENERATED)}
    for path in (HOME, "digest.json"):
        identity = file_identity(f"{root}/{path}")
        if identity is not None:
            found[path] = identity
    return found


@contextmanager
def written_aside(root: Path, name: str) -> Iterator[Path]:
    """A path under `root` where a file can be written while the build goes on (by a background
    process: `digest.json`, which then never has to be copied into the build's own process), for
    `write_docs` to take over by renaming. `root` is best the cache folder: a file appearing under
    docs/ before the pages would set `mkdocs serve` rebuilding early. Whatever is still there on
    the way out (the build failed, or the file was unchanged) is removed, and so is what a build
    that was killed left there (by the next build here, or by `_recover` under docs/)."""
    folder = root / f"{ASIDE}{os.getpid()}"
    _remove_aside(root, keep=None)
    try:
        yield folder / name
    finally:
        _remove(folder)


def write_docs(pages: dict[str, str | Kept], files: dict[str, str | bytes | Path | Callable[[], str | bytes | Path]],
               docs: Path) -> list[str]:
    """Write pages (Markdown) and files (other text) under docs; return the paths written or kept.

    A file's text may be given encoded (UTF-8 bytes), as the path of a file already written
    (`written_aside`), or as a function giving either, called once the pages are written aside (so
    that work still going on elsewhere, such as `digest.json`, can finish while they are).

    Only what changed is written, aside first, into `.digest.new/`. Then the files are renamed into
    place, each file they replace (or that is no longer made) moved into `.digest.old/`, where a
    journal names the files and folders the build adds; the journal goes once all are in. A failure or a kill thus leaves
    the previous pages whole, or able to be put back whole (`_recover`, which every build runs first).
    """
    docs.mkdir(parents=True, exist_ok=True)
    _recover(docs)
    owned = {p: t for p, t in {**pages, **files}.items() if p.startswith(GENERATED + "/")}
    loose = {p: t for p, t in {**pages, **files}.items() if not p.startswith(GENERATED + "/")}
    for path in loose:
        if not _inside(docs / path, docs):
            raise BuildError(f"refusing to write outside {docs}: {path}")
    renames: list[tuple[Path, str]] = []  # (a file written aside, the path under docs it goes to)
    try:
        removed = _stage_owned(owned, docs, renames)
        _stage_loose(loose, docs, renames)
        _apply(renames, removed, docs)
    except OSError as exc:
        _recover(docs)
        where = exc.filename or docs
        raise BuildError(f"could not write {where}: {exc.strerror or exc}; the previous pages were left as they were") from None
    except BaseException:  # the text of a file failed, or the build was stopped: nothing is left half done
        _recover(docs)
        raise
    return sorted({**pages, **files})


def _stage_owned(owned: dict[str, str | Kept], docs: Path, renames: list[tuple[Path, str]]) -> list[str]:
    """Write the pages of the generated folder that changed into `.digest.new/`, adding each to
    `renames` (or, when there is no generated folder yet, the whole new folder); return the paths
    of the current pages that no page replaces."""
    current, fresh = docs / GENERATED, docs / NEW / GENERATED
    _remove(docs / NEW)
    fresh.mkdir(parents=True)
    whole = not current.is_dir() or current.is_symlink()
    existing = set() if whole else files_under(current)
    folders = set()
    prefix = len(GENERATED) + 1
    # the pages kept as they are (most of them, in a build that adds an article) first: each is a
    # file of the folder already, found unchanged a moment ago
    gone = [path for path, text in owned.items() if text is KEPT and path[prefix:] not in existing]
    if gone:
        raise BuildError(f"{docs / gone[0]}: the page to keep is gone; build again")
    for path, text in sorted((path, text) for path, text in owned.items() if text is not KEPT):
        rel = path[prefix:]
        if posixpath.normpath(rel) != rel or rel.startswith(("/", "..")):
            raise BuildError(f"refusing to write outside {docs}: {path}")
        data = text.encode("utf-8")
        if rel in existing and _same_bytes(current / rel, data):
            continue
        folder = posixpath.dirname(rel)
        if folder not in folders:
            os.makedirs(fresh / folder, exist_ok=True)
            folders.add(folder)
        if not whole:
            renames.append((fresh / rel, path))
        (fresh / rel).write_bytes(data)
    if whole:
        renames.append((fresh, GENERATED))
    return [f"{GENERATED}/{rel}" for rel in sorted(existing - {p[prefix:] for p in owned})]


def _stage_loose(loose: dict[str, str | bytes | Path | Callable[[], str | bytes | Path]], docs: Path,
                 renames: list[tuple[Path, str]]) -> None:
    """Write the files outside the generated folder that changed into `.digest.new/` (or take those
    written aside as they are), adding each to `renames`."""
    for path, text in sorted(loose.items()):
        target = docs / path
        if path == HOME and _hand_written(target):
            log.warning("%s: hand-written home page kept; the briefing home page was not written", target)
            continue
        text = text() if callable(text) else text
        temp = docs / NEW / path
        if isinstance(text, Path):  # written aside: moved beside the pages (copied from another file system)
            if target.is_file() and filecmp.cmp(target, text, shallow=False):
                continue
            temp.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(text, temp)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                shutil.copyfile(text, temp)
            renames.append((temp, path))
            continue
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        if target.is_file() and _same_bytes(target, data):
            continue
        temp.parent.mkdir(parents=True, exist_ok=True)
        renames.append((temp, path))
        temp.write_bytes(data)


def _apply(renames: list[tuple[Path, str]], removed: list[str], docs: Path) -> None:
    """Rename the files written aside into place and remove the pages no longer made.

    Each file replaced or removed is moved into `.digest.old/` first, under its path in docs, and
    the journal there names the files and folders that are new, so that until the journal goes,
    `_recover` can put the previous pages back exactly as they were.
    """
    old = docs / OLD
    added = [target for _, target in renames if not _exists(docs / target)]
    folders = sorted({f for _, target in renames for f in _parents(target) if not (docs / f).is_dir()})
    shutil.rmtree(old, ignore_errors=True)
    old.mkdir()
    journal, written = old / JOURNAL, old / (JOURNAL + ".tmp")
    written.write_text(json.dumps({"files": added, "folders": folders}), encoding="utf-8")
    os.replace(written, journal)  # whole or absent
    made = set()
    for source, target in [*renames, *((None, path) for path in removed)]:
        if _exists(docs / target):
            folder = posixpath.dirname(target)
            if folder not in made:
                os.makedirs(old / folder, exist_ok=True)
                made.add(folder)
            os.replace(docs / target, old / target)
        if source is not None:
            (docs / target).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, docs / target)
    journal.unlink()  # every new file stands: the previous ones are no longer needed
    for folder in sorted({posixpath.dirname(path) for path in removed}, key=len, reverse=True):
        _remove_empty(docs, folder)
    _remove(old)
    _remove(docs / NEW)


def _recover(docs: Path) -> None:
    """Put the previous pages back if a build stopped while renaming its files into place, and
    clear what any earlier build left aside."""
    current, old = docs / GENERATED, docs / OLD
    journal = old / JOURNAL
    if journal.exists():  # stopped while renaming: undo it
        added = _journal(journal)
        for path in added["files"]:
            if _inside(docs / path, docs):
                _remove(docs / path)
        for path in sorted(files_under(old) - {JOURNAL}):
            (docs / path).parent.mkdir(parents=True, exist_ok=True)
            os.replace(old / path, docs / path)
        for folder in sorted(added["folders"], key=len, reverse=True):
            if _inside(docs / folder, docs):
                _remove_empty(docs, folder)
    elif old.is_dir() and not current.exists():  # an earlier layout, stopped between two renames
        os.replace(old, current)
    _remove(old)
    _remove(docs / NEW)
    _remove_aside(docs, keep=f"{ASIDE}{os.getpid()}")  # another build's: it was killed


def _remove_aside(root: Path, keep: str | None) -> None:
    """Remove the folders of files written aside under root (`written_aside`), but `keep`."""
    if root.is_dir():
        for name in os.listdir(root):
            if name.startswith(ASIDE) and name != keep:
                _remove(root / name)


def _journal(path: Path) -> dict[str, list[str]]:
    """The files and folders an interrupted build added, as its journal names them; none when the
    journal cannot be read (the previous pages are still put back; a file it added stays until the
    next build, which removes what it does not make)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        return {name: [p for p in found[name] if isinstance(p, str)] for name in ("files", "folders")}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s: journal of an interrupted build not readable (%s); its previous pages are put back",
                    path, exc)
        return {"files": [], "folders": []}


def _hand_written(path: Path) -> bool:
    if not path.exists():
        return False
    head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    return MARKER not in head


def _inside(path: Path, root: Path) -> bool:
    resolved, base = path.resolve(), root.resolve()
    return resolved == base or base in resolved.parents


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        with open(path, "rb") as file:
            return os.fstat(file.fileno()).st_size == len(data) and file.read() == data
    except OSError:
        return False


def _parents(rel: str) -> list[str]:
    """The folders a relative path lies in, outermost first (not the root itself)."""
    parts = rel.split("/")[:-1]
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]


def _remove_empty(root: Path, folder: str) -> None:
    """Remove a folder under root, and the folders holding it, while they are empty."""
    while folder:
        try:
            os.rmdir(root / folder)
        except OSError:
            return
        folder = posixpath.dirname(folder)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)
