"""MkDocs hook (`serve.yml`): the search index stays whole when a dirty build rebuilds some pages.

`mkdocs serve --dirty` (what `make serve` runs) renders only the pages whose files changed, so the
search plugin sees only those. Material's plugin then merges them into the previous index on the
assumption that a single page changed: with more (a new article rewrites its story, day and
listing pages too), it repeats entries, and when the home page is among them it drops every
other page's entries. This hook hands the plugin the previous index's entries for every page that
still exists and was not rebuilt, followed by the rebuilt pages' own entries. The previous index
is the one this server built last, or the `search_index.json` of the site folder when a dirty
build runs in a fresh process.

A full build is left as it is.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.dirty_search")

_state: dict = {"dirty": False, "pages": set(), "built": set(), "previous": None}


def on_startup(command: str, dirty: bool) -> None:
    _state["dirty"] = dirty


def on_files(files, config):
    _state["pages"] = {file.url for file in files.documentation_pages()}
    _state["built"] = set()
    return files


def on_page_context(context, page, config, nav):
    _state["built"].add(page.url)
    return context


@event_priority(100)  # before the search plugin writes the index
def on_post_build(config) -> None:
    search = next((p for p in config.plugins.values() if hasattr(p, "search_index_prev")), None)
    if search is None or not getattr(search.config, "enabled", True):
        return
    if not _state["dirty"]:
        return
    site = Path(config.site_dir)
    remembered = _state["previous"]
    previous = remembered[1] if remembered and remembered[0] == site else _read_index(site / "search" / "search_index.json")
    pages, built = _state["pages"], _state["built"]
    kept = [entry for entry in previous if _page(entry) in pages and _page(entry) not in built]
    search.search_index.entries = kept + search.search_index.entries
    search.search_index_prev = None  # merged here: the plugin's own merge would undo it
    _state["previous"] = (site, list(search.search_index.entries))


def _page(entry: dict) -> str:
    """The page an index entry belongs to (its location without the section anchor)."""
    return str(entry.get("location", "")).split("#", 1)[0]


def _read_index(path: Path) -> list[dict]:
    try:
        docs = json.loads(path.read_text(encoding="utf-8")).get("docs", [])
    except FileNotFoundError:
        return []
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("%s: previous search index not read (%s); it will hold only the rebuilt pages", path, exc)
        return []
    return [entry for entry in docs if isinstance(entry, dict)]
