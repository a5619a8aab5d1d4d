"""Rebuilds follow what changed: unchanged article and story pages are kept, not rendered again, and
the result is always the same bytes a build from scratch gives."""

import logging
import os
import re
import shutil
from pathlib import Path

import pytest

import generator.build
import generator.write
from generator.build import build
from generator.errors import BuildError
from generator.render import KEPT, page_paths
from generator.settings import build_settings
from tests.golden import ROOT, generated_files

NEW_ARTICLE = """Copper prices jumped on Wednesday after a strike shut the largest copper mine in Chile, \
and traders said supplies would stay tight for weeks.

The benchmark contract on the London Metal Exchange rose 3.1% to a six-month high, while shares of \
mining companies climbed across Asia as investors bet on higher prices.
"""


def _build(seeds: Path, docs: Path, cache: Path | None, templates: Path = ROOT / "templates"):
    return build(build_settings(seeds=str(seeds), docs=str(docs), templates=str(templates),
                                cache=str(cache) if cache else "", jobs=1))


@pytest.fixture
def kept(monkeypatch):
    """Paths whose previous page was kept in each build, one set per build."""
    answers: list[set[str]] = []
    original = generator.build.render_pages

    def render_pages(*args, **kwargs):
        pages = original(*args, **kwargs)
        if not answers or answers[-1] is None:
            answers.append(set())
        answers[-1].update(path for path, page in pages.items() if page is KEPT)
        return pages

    monkeypatch.setattr(generator.build, "render_pages", render_pages)
    return answers


def _new_build(answers):
    answers.append(None)


def _dated_seeds(seeds: Path, days: list[str]) -> None:
    """The seed articles written into `seeds` as Markdown files dated `days` (one each, in order)."""
    seeds.mkdir()
    sources = sorted((ROOT / "seeds").iterdir())
    assert len(sources) == len(days)
    for n, (source, day) in enumerate(zip(sources, days)):
        (seeds / f"{n}.md").write_text(f"---\ndate: {day}\n---\n{source.read_text(encoding='utf-8')}", encoding="utf-8")


def _own_pages(paths, folder: str) -> set[str]:
    """The article or story pages among paths (not the listing of the folder)."""
    return {p for p in paths if p.startswith(f"digest/{folder}/") and p.count("/") == 2
            and not p.endswith("/index.md") and "/page-" not in p}


def _page_count(docs: Path, folder: str) -> int:
    return sum(1 for p in (docs / "digest" / folder).glob("*.md") if not p.name.startswith("page-") and p.name != "index.md")


def test_a_rebuild_that_finds_every_article_unchanged_keeps_every_article_and_story_page(tmp_path, kept):
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    _build(seeds, docs, cache)
    first = generated_files(docs)
    inodes = {p: (docs / p).stat().st_ino for p in first}
    _touch(sorted(seeds.iterdir())[0])  # a new modification time, the same bytes: the build runs
    _new_build(kept)
    assert _build(seeds, docs, cache).digest is not None
    assert generated_files(docs) == first
    articles, stories = _page_count(docs, "articles"), _page_count(docs, "stories")
    assert articles and stories
    kept_now = kept[-1]
    assert len(_own_pages(kept_now, "articles")) == articles
    assert len(_own_pages(kept_now, "stories")) == stories
    assert "digest/articles/index.md" in kept_now  # listings are kept too
    assert "index.md" not in kept_now  # the home page reads the whole digest: always rendered
    assert all((docs / p).stat().st_ino == inodes[p] for p in kept_now)
    _touch(sorted(seeds.iterdir())[0])  # once more: what this build kept, the next keeps again
    _new_build(kept)
    _build(seeds, docs, cache)
    assert kept[-1] == kept_now


def _touch(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def _identities(docs: Path) -> dict[str, tuple]:
    return {p.relative_to(docs).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in docs.rglob("*") if p.is_file()}


def test_a_build_with_nothing_changed_touches_no_file_and_says_the_same(tmp_path, caplog):
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "empty.txt").write_text("", encoding="utf-8")
    first = _build(seeds, docs, cache)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    before = _identities(docs)
    caplog.clear()
    again = _build(seeds, docs, cache)
    assert again.digest is None
    assert (again.stories, again.articles, again.skipped, again.pages) == \
           (len(first.digest.stories), len(first.digest.articles), len(first.digest.skipped), first.pages)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == said
    assert any("empty.txt" in line for line in said)
    assert _identities(docs) == before
    with pytest.raises(BuildError, match="--strict: empty.txt"):
        build(build_settings(seeds=str(seeds), docs=str(docs), templates=str(ROOT / "templates"),
                             cache=str(cache), jobs=1, strict=True))


def test_a_build_whose_warnings_were_silenced_leaves_no_stamp(tmp_path, caplog):
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "empty.txt").write_text("", encoding="utf-8")
    quiet = logging.getLogger("generator.ingest")
    quiet.setLevel(logging.ERROR)
    try:
        _build(seeds, docs, cache)
    finally:
        quiet.setLevel(logging.NOTSET)
    caplog.clear()
    again = _build(seeds, docs, cache)
    assert again.digest is not None  # it could not have said what the silenced build said
    assert any("empty.txt" in r.getMessage() for r in caplog.records)
    assert _build(seeds, docs, cache).digest is None


@pytest.mark.parametrize("change", ["seed touched", "seed edited", "seed added", "template edited", "theme file",
                                    "page deleted", "page added", "home page edited"])
def test_any_change_to_what_the_pages_come_from_or_to_the_pages_builds_again(tmp_path, change):
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    templates, themes = tmp_path / "templates", tmp_path / "themes.yaml"
    shutil.copytree(ROOT / "seeds", seeds)
    shutil.copytree(ROOT / "templates", templates)
    themes.write_bytes((ROOT / "generator" / "data" / "themes.yaml").read_bytes())

    def run():
        return build(build_settings(seeds=str(seeds), docs=str(docs), templates=str(templates),
                                    themes=str(themes), cache=str(cache), jobs=1))

    run()
    assert run().digest is None
    stray = docs / "digest" / "articles" / "stray.md"
    if change == "seed touched":
        _touch(sorted(seeds.iterdir())[0])
    elif change == "seed edited":  # its facts, summary and keywords change, and its story's with them
        edited = sorted(p for p in seeds.iterdir() if p.suffix == ".txt")[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n\nCopper rose 3% to $9,800 a tonne on Tuesday, "
                          "its biggest gain in a month, traders in London said.\n", encoding="utf-8")
    elif change == "seed added":
        (seeds / "copper.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    elif change == "template edited":
        (templates / "article.md.j2").write_text((templates / "article.md.j2").read_text(encoding="utf-8") + "\n",
                                                 encoding="utf-8")
    elif change == "theme file":
        _touch(themes)
    elif change == "page deleted":
        sorted((docs / "digest" / "stories").glob("*.md"))[0].unlink()
    elif change == "page added":
        stray.write_text("left here by hand", encoding="utf-8")
    elif change == "home page edited":
        (docs / "index.md").write_text((docs / "index.md").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = run()
    assert result.digest is not None
    assert generated_files(docs) == generated_files(_scratch(tmp_path, seeds, templates, themes))
    assert not stray.exists()
    assert run().digest is None


def _scratch(tmp_path: Path, seeds: Path, templates: Path, themes: Path) -> Path:
    docs = tmp_path / "scratch"
    build(build_settings(seeds=str(seeds), docs=str(docs), templates=str(templates), themes=str(themes),
                         cache="", jobs=1))
    return docs


def test_a_new_article_gives_the_same_pages_as_a_build_from_scratch(tmp_path, kept):
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    _build(seeds, docs, cache)
    old_articles = _page_count(docs, "articles")
    (seeds / "copper.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    _new_build(kept)
    _build(seeds, docs, cache)
    _build(seeds, tmp_path / "scratch", None)
    assert generated_files(docs) == generated_files(tmp_path / "scratch")
    kept_articles = _own_pages(kept[-1], "articles")
    assert len(kept_articles) == old_articles  # the old articles' pages; the new one is rendered
    assert _page_count(docs, "articles") == old_articles + 1


def test_a_months_article_pages_are_kept_together_while_nothing_they_show_changes(tmp_path, monkeypatch):
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    _dated_seeds(seeds, ["2025-01-10"] * 2 + ["2025-02-21"] * 3)
    groups = []
    original = generator.write.PreviousPages.keep_all

    def keep_all(self, group, key, paths, unchanged=True):
        kept = original(self, group, key, paths, unchanged)
        if group.startswith("articles/"):
            groups.append((group, len(paths), kept))
        return kept

    monkeypatch.setattr(generator.write.PreviousPages, "keep_all", keep_all)
    _build(seeds, docs, cache)
    assert [kept for *_, kept in groups] == [False, False]  # nothing to keep yet
    groups.clear()
    (seeds / "copper.md").write_text(f"---\ndate: 2025-02-25\n---\n{NEW_ARTICLE}", encoding="utf-8")
    _build(seeds, docs, cache)
    assert sorted(groups) == [("articles/2025-01", 2, True), ("articles/2025-02", 4, False)]
    edited = docs / page_paths(_build(seeds, tmp_path / "scratch", None).digest).articles["0.md"]
    edited.write_text(edited.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    groups.clear()
    _build(seeds, docs, cache)
    assert sorted(groups) == [("articles/2025-01", 2, False), ("articles/2025-02", 4, True)]
    assert generated_files(docs) == generated_files(tmp_path / "scratch")


def test_a_page_edited_by_hand_is_written_again(tmp_path, kept):
    seeds, docs, cache = ROOT / "seeds", tmp_path / "docs", tmp_path / "cache"
    _build(seeds, docs, cache)
    page = sorted((docs / "digest" / "articles").glob("*.md"))[0]
    original = page.read_bytes()
    page.write_bytes(original + b"\nedited by hand\n")
    _build(seeds, docs, cache)
    assert page.read_bytes() == original


def test_a_template_change_renders_the_pages_again(tmp_path, kept):
    seeds, docs, cache = ROOT / "seeds", tmp_path / "docs", tmp_path / "cache"
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    _build(seeds, docs, cache, templates)
    assert list((cache / "templates").iterdir())  # compiled templates are kept between builds
    article = templates / "article.md.j2"
    article.write_text(article.read_text(encoding="utf-8").replace("## Summary", "## In short"), encoding="utf-8")
    _new_build(kept)
    _build(seeds, docs, cache, templates)
    assert not _own_pages(kept[-1], "articles")
    assert all(b"## In short" in (docs / "digest" / "articles" / p.name).read_bytes()
               for p in (docs / "digest" / "articles").glob("*.md") if p.name != "index.md")


def test_a_template_that_reads_beyond_its_view_fails_with_one_line(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    article = templates / "article.md.j2"
    article.write_text(article.read_text(encoding="utf-8") + "\n{{ digest.articles[1].title }}\n", encoding="utf-8")
    with pytest.raises(BuildError) as error:
        _build(ROOT / "seeds", tmp_path / "docs", None, templates)
    message = str(error.value)
    assert "\n" not in message and "article.md.j2" in message and "part of the digest" in message


def test_unchanged_files_are_not_read_again_and_a_changed_one_is(tmp_path, monkeypatch):
    import generator.ingest

    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    _build(seeds, docs, cache)
    read, original = [], generator.ingest._read_bytes
    monkeypatch.setattr(generator.ingest, "_read_bytes", lambda path: read.append(path.name) or original(path))
    _build(seeds, docs, cache)
    assert read == []
    changed = sorted(p for p in seeds.iterdir() if p.is_file())[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nZQX marker paragraph added later by the desk.\n",
                       encoding="utf-8")
    digest = _build(seeds, docs, cache).digest
    assert read == [changed.name]
    assert "ZQX marker" in digest.article(changed.name).text


def test_a_build_looks_at_each_seed_file_once(tmp_path, monkeypatch):
    import generator.ingest
    import generator.stamp
    from generator.runner import file_identity

    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    sidecar = sorted(p for p in seeds.iterdir() if p.is_file())[0]
    sidecar.with_name(sidecar.name + ".meta.yaml").write_text("source: Desk Wire\n", encoding="utf-8")
    looked: list[str] = []

    def counted(path):
        looked.append(os.path.relpath(path, seeds))
        return file_identity(path)

    for module in (generator.ingest, generator.stamp):
        monkeypatch.setattr(module, "file_identity", counted)
    _build(seeds, docs, cache)
    (seeds / "extra.txt").write_text(NEW_ARTICLE, encoding="utf-8")  # a full build, with the cache
    looked.clear()
    digest = _build(seeds, docs, cache).digest
    files = sorted(p.relative_to(seeds).as_posix() for p in seeds.rglob("*") if p.is_file())
    assert sorted(p for p in looked if not p.startswith("..")) == files  # each once, the metadata file too
    assert digest.article(sidecar.name).source == "Desk Wire" and "extra.txt" in {a.id for a in digest.articles}


def test_pages_rendered_over_two_processes_are_the_pages_rendered_in_one(tmp_path, monkeypatch):
    import generator.render
    import generator.runner
    from generator.render import render_pages

    digest = _build(ROOT / "seeds", tmp_path / "docs", None).digest
    serial = render_pages(digest, ROOT / "templates", jobs=1)
    monkeypatch.setattr(generator.runner, "POOL_MIN_ITEMS", 2)
    monkeypatch.setattr(generator.render, "POOL_MIN_ITEMS", 2)
    assert render_pages(digest, ROOT / "templates", jobs=2) == serial


@pytest.mark.parametrize("worth", [0.0, 1e9])
def test_misses_go_to_a_pool_only_when_the_first_ones_show_it_is_worth_it(tmp_path, monkeypatch, worth):
    import generator.runner
    from generator.runner import PROBE_ITEMS, Runner

    monkeypatch.setattr(generator.runner, "POOL_WORTH", worth)
    monkeypatch.setattr(generator.runner, "HELPED_ITEMS", 0)  # as many misses as a first build's
    items = list(range(generator.runner.POOL_MIN_ITEMS + 6))
    with Runner(tmp_path, jobs=2) as runner:
        found = runner.map("where", _where, items)
    assert [n for n, _ in found] == items
    here = [pid == os.getpid() for _, pid in found]
    assert all(here[:PROBE_ITEMS])  # timed in the build's own process
    assert all(here) == (worth > 0)  # the rest: in a pool only when worth it


def _where(n: int) -> tuple[int, int]:
    return n, os.getpid()


def _slow_where(n: int) -> tuple[int, int]:
    import time

    time.sleep(0.005)
    if n < 0:
        raise ValueError(f"item {n} is bad")
    return n, os.getpid()


def test_a_few_misses_are_shared_with_the_helpers_forked_at_the_start_and_come_back_in_order(tmp_path):
    from generator.runner import Runner

    items = list(range(40))
    with Runner(tmp_path, jobs=2) as runner:
        found = runner.map("where", _slow_where, items)
        assert [n for n, _ in found] == items
        pids = {pid for _, pid in found}
        assert os.getpid() in pids and len(pids) == 2  # this process and its helper both worked
        with pytest.raises(ValueError, match="item -3 is bad"):  # raised here, wherever it happened
            runner.map("where", _slow_where, [*range(100, 130), -3, *range(130, 140)])
        again = runner.map_grouped("where-grouped", _slow_where, items[::-1], [str(n) for n in items[::-1]],
                                   ["one"] * len(items))
        assert [n for n, _ in again] == items[::-1] and len({pid for _, pid in again}) == 2  # the helper lives on
        closure_pid = os.getpid()
        here = runner.map("closure", lambda n: (n, os.getpid() == closure_pid), [1, 2, 3])
        assert here == [(1, True), (2, True), (3, True)]  # a closure cannot be sent: worked out here


def test_a_stage_fingerprint_covers_the_modules_it_imports_and_no_others():
    import generator.runner as runner

    keywords = {p.name for p in runner._imported("generator.keywords")}
    render = {p.name for p in runner._imported("generator.render")}
    assert {"keywords.py", "text.py", "records.py", "__init__.py"} <= keywords
    assert "render.py" not in keywords and "stories.py" not in keywords
    assert {"render.py", "briefing.py", "records.py"} <= render
    assert runner.code_fingerprint("generator.keywords") != runner.code_fingerprint("generator.render")
    # where results are worked out is no part of what they are: the helper processes' code is left out
    assert "runner.py" in keywords and "helpers.py" not in keywords | render


def test_a_change_to_how_articles_are_read_changes_every_key_holding_an_article(monkeypatch, tmp_path):
    import generator.runner as runner
    from generator.ingest import read_corpus

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    article = read_corpus(tmp_path / "seeds").articles[0]
    before = runner.item_key(("keywords", article))
    original = runner.code_fingerprint
    monkeypatch.setattr(runner, "code_fingerprint",
                        lambda module=None: "changed" if module == "generator.ingest" else original(module))
    assert runner.item_key(("keywords", article)) != before


def test_keys_written_out_as_text_differ_whenever_their_parts_do():
    from generator.records import Story
    from generator.runner import Identity, RecordKeys, item_key

    cases = [("a", "b"), ("ab",), (("a", "b"),), ("a", ("b",)), (Identity("a"), "b"), (Identity("a"), Identity("b")),
             ("a", 1), ("a", "1"), ("a", True), ("a", 1.0), ("a", None), ("a", "N"), ("a", ["b"]), ("a", ("b", "")),
             ("a\x00b",), ("a", "\x00b"), ("as", "b"), ("a", "sb")]
    for key in (item_key, RecordKeys([Story])):
        keys = [key(*parts) for parts in cases]
        assert len(set(keys)) == len(cases)
        assert key("".join(["a", "b"]), (Identity("x"), 2)) == key("ab", (Identity("x"), 2))  # by value, not object


def test_closing_the_cache_drops_only_stale_results_of_the_stages_that_ran(monkeypatch, tmp_path):
    import generator.runner as runner

    versions = {"generator.keywords": "old", "generator.render": "old"}
    monkeypatch.setattr(runner, "code_fingerprint", lambda module=None: versions[module])
    with runner.Runner(tmp_path) as first:
        first.put("keywords", "k", 1, "generator.keywords")
        first.put("pages", "k", 2, "generator.render")
    versions["generator.keywords"] = "new"
    with runner.Runner(tmp_path) as second:
        assert second.get("keywords", "k", "generator.keywords") is None  # other code: not reused
        second.put("keywords", "k", 3, "generator.keywords")
    versions["generator.keywords"] = "old"
    with runner.Runner(tmp_path) as third:
        assert third.get("pages", "k", "generator.render") == 2  # a stage whose code did not change kept
        assert third.get("keywords", "k", "generator.keywords") is None  # the stale version was dropped


def test_a_stage_of_few_results_drops_its_unused_ones_once_they_double_it(tmp_path):
    import sqlite3

    import generator.runner as runner

    def stored() -> int:
        with sqlite3.connect(tmp_path / runner.CACHE_FILE) as db:
            return db.execute("SELECT count(*) FROM results WHERE stage LIKE 'volumes@%'").fetchone()[0]

    counts = []
    for n in range(8):  # each build uses three results, one of them new (a month that changed)
        with runner.Runner(tmp_path) as cache:
            cache.map("volumes", str, ["kept"])  # a stage may look its results up in several calls
            cache.map("volumes", str, ["also kept", f"new-{n}"])
            assert cache.hits == (2 if n else 0)
        counts.append(stored())
    assert counts[:4] == [3, 4, 5, 6] and max(counts) <= 9 and counts[-1] < counts[3]


def test_a_build_adding_articles_stores_their_rows_beside_the_kept_table_until_they_grow(tmp_path):
    from generator.features import article_features
    from generator.ingest import read_corpus
    from generator.runner import Runner

    seeds = tmp_path / "seeds"
    _dated_seeds(seeds, ["2025-02-21"] * 5)  # a month's articles

    def build(month="2025-02"):
        with Runner(tmp_path / "cache") as runner:
            articles = read_corpus(seeds, runner).articles
            features = article_features(articles, runner)
            kept = [runner.get("feature-table", f"{month}/{part}", "generator.features") for part in ("base", "added")]
        assert _terms_of(features, articles) == _terms_of(article_features(articles), articles)
        return [len(table.keys) for table in kept]

    def add(name, text, day="2025-02-22"):
        (seeds / name).write_text(f"---\ndate: {day}\n---\n{text}", encoding="utf-8")

    assert build() == [5, 0]
    add("new-copper.md", NEW_ARTICLE)
    assert build() == [5, 1]  # the base is not written again
    add("later.md", NEW_ARTICLE.replace("Copper", "Tin"), "2025-03-03")
    assert build() == [5, 1] and build("2025-03") == [1, 0]  # another month's rows are kept apart
    for name in ("zinc-1.md", "zinc-2.md"):
        add(name, NEW_ARTICLE.replace("Copper", "Zinc") + ZINC + name)
    assert build() == [8, 0]  # three rows beside five: a new base


def _terms_of(features, articles):
    table = features.table(articles)
    out = []
    for start, size in zip(table.starts.tolist(), table.sizes.tolist()):
        ids, counts = table.ids[start:start + size].tolist(), table.counts[start:start + size].tolist()
        out.append(sorted((table.terms[i], c) for i, c in zip(ids, counts)))
    return out


ZINC = ("\n\nZinc futures soared in Lusaka after a strike at the largest mine in Zambia cut supplies, and "
        "traders said the shortage would last for several weeks as smelters ran down their stocks.\n")


def test_the_feature_table_kept_between_builds_equals_one_made_afresh(tmp_path):
    from generator.features import article_features
    from generator.ingest import read_corpus
    from generator.runner import Runner

    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    with Runner(tmp_path / "cache") as runner:
        article_features(read_corpus(seeds, runner).articles, runner)
    files = sorted(p for p in seeds.iterdir() if p.suffix in (".txt", ".md", ".html"))
    files[0].unlink()
    files[1].write_text(files[1].read_text(encoding="utf-8") + ZINC, encoding="utf-8")
    (seeds / "new-copper.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    with Runner(tmp_path / "cache") as runner:
        articles = read_corpus(seeds, runner).articles
        kept = article_features(articles, runner)
    fresh = article_features(articles)
    assert _terms_of(kept, articles) == _terms_of(fresh, articles)
    assert any(("zinc", 1) in row for row in _terms_of(kept, articles))
    assert [kept.event_day(a.id) for a in articles] == [fresh.event_day(a.id) for a in articles]
    assert len(kept.table(articles).terms) == len(fresh.table(articles).terms)  # no term of a removed article left
    reordered = tuple(reversed(articles))
    assert _terms_of(kept, reordered) == list(reversed(_terms_of(fresh, articles)))


def test_the_cache_drops_results_no_build_uses_any_more(tmp_path):
    from generator.runner import Runner

    def double(n):
        return 2 * n

    with Runner(tmp_path) as runner:
        assert runner.map("double", double, list(range(3000))) == [2 * n for n in range(3000)]
    with Runner(tmp_path) as runner:  # most items gone, one new: the results of the old ones are dropped
        assert runner.map("double", double, [5, 7, 9999]) == [10, 14, 19998]
    with Runner(tmp_path) as runner:
        assert runner.map("double", double, [5, 7, 9999]) == [10, 14, 19998]
        assert runner.misses == 0
        (stored,) = runner._db.execute("SELECT count(*) FROM results").fetchone()
    assert stored == 3


def test_a_large_result_is_kept_in_a_file_of_its_own_read_only_while_it_is_that_file(tmp_path):
    from generator.runner import CACHE_FILE, LARGE_BYTES, LARGE_FOLDER, Runner

    large, small = {"pages": "x" * LARGE_BYTES}, {"pages": "y"}
    with Runner(tmp_path) as runner:
        runner.put("manifest", "docs", large, "generator.write")
        runner.put("manifest", "other", small, "generator.write")
    files = [p for p in (tmp_path / LARGE_FOLDER).rglob("*") if p.is_file()]
    assert len(files) == 1  # the large one alone, beside the cache file, which holds a few bytes for it
    assert (tmp_path / CACHE_FILE).stat().st_size < LARGE_BYTES
    with Runner(tmp_path) as runner:
        assert runner.get("manifest", "docs", "generator.write") == large
        assert runner.get("manifest", "other", "generator.write") == small
        (files[0].parent / "stray.new").write_bytes(b"left by a build that was stopped")
    assert [p.name for p in files[0].parent.iterdir()] == [files[0].name]  # removed on the way out
    files[0].write_bytes(files[0].read_bytes()[:-1])  # not the file written: never read as the result
    with Runner(tmp_path) as runner:
        assert runner.get("manifest", "docs", "generator.write") is None
    with Runner(tmp_path) as runner:
        runner.put("manifest", "docs", large, "generator.render")  # the same stage, other code
    with Runner(tmp_path) as runner:
        assert runner.get("manifest", "docs", "generator.render") == large
    # the result stored with the first code was dropped with its row, and its file with it
    assert len([p for p in (tmp_path / LARGE_FOLDER).rglob("*") if p.is_file()]) == 1


def test_a_cache_of_the_earlier_layout_is_replaced_and_results_are_found_again(tmp_path):
    import sqlite3

    from generator.runner import CACHE_FILE, Runner

    earlier = sqlite3.connect(tmp_path / "results.sqlite")
    earlier.execute("CREATE TABLE results (stage TEXT, key TEXT, value BLOB, PRIMARY KEY (stage, key)) WITHOUT ROWID")
    earlier.commit()
    earlier.close()
    with Runner(tmp_path) as runner:
        assert runner.map("square", _square, list(range(100))) == [n * n for n in range(100)]
        runner.put("state", "latest", {"big": b"x" * 100_000})
    assert not (tmp_path / "results.sqlite").exists()
    with Runner(tmp_path) as runner:
        assert runner.map("square", _square, list(range(100))) == [n * n for n in range(100)]
        assert runner.misses == 0 and runner.hits == 100
        assert runner.get("state", "latest") == {"big": b"x" * 100_000}
    assert (tmp_path / CACHE_FILE).is_file()


def _square(n):
    return n * n


def test_the_import_scan_finds_what_pythons_own_parser_finds():
    import ast

    import generator.runner as runner

    root, _ = runner._package()

    def parsed(module):
        found, pending = set(), [module, "generator"]
        while pending:
            name = pending.pop()
            folder = root.joinpath(*name.split(".")[1:])
            path = folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")
            if path in found or not path.is_file() or name in runner._PLACEMENT:  # (left out by design)
                continue
            found.add(path)
            for node in ast.walk(ast.parse(path.read_bytes())):
                if isinstance(node, ast.Import):
                    pending.extend(a.name for a in node.names if a.name.split(".")[0] == "generator")
                elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "generator":
                    pending.extend([node.module, *(f"{node.module}.{a.name}" for a in node.names)])
        return found

    for source in sorted(root.glob("*.py")):
        module = "generator" if source.stem == "__init__" else f"generator.{source.stem}"
        assert runner._imported(module) == parsed(module), module


def test_cycle_collection_is_paused_while_a_build_runs_and_resumed_after(tmp_path, monkeypatch):
    import gc

    import generator.build

    seen = []
    original = generator.build.group_months

    def grouping(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(generator.build, "group_months", grouping)
    assert gc.isenabled()
    _build(ROOT / "seeds", tmp_path / "docs", None)
    assert seen == [False] and gc.isenabled()
    broken = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", broken)
    (broken / "article.md.j2").write_text("{{ digest.articles[1].title }}\n", encoding="utf-8")
    with pytest.raises(BuildError):
        _build(ROOT / "seeds", tmp_path / "docs", None, templates=broken)
    assert gc.isenabled()


def test_record_keys_follow_the_content_of_the_records_they_stand_in_for():
    import datetime as dt

    from generator.records import Story
    from generator.runner import RecordKeys

    def story(headline: str, articles=("a.md", "b.md")) -> Story:
        return Story("2025-01-02-copper", headline, tuple(articles), (), dt.date(2025, 1, 2), False, ("earnings",))

    keys = RecordKeys((Story,))
    first = story("Copper jumps")
    same = story("Copper jumps")
    assert first is not same
    assert keys("page", [first]) == keys("page", [same]) == RecordKeys((Story,))("page", [same])
    assert keys("page", [first]) != keys("page", [story("Copper slides")])
    assert keys("page", [first]) != keys("page", [story("Copper jumps", ("a.md",))])
    assert keys("page", [first]) != keys("page", [first, first])
    assert keys("page", {"story": first}) != keys("page", {"story": story("Copper jumps", ("b.md", "a.md"))})


def test_results_are_named_by_their_stage_and_input_and_keys_hold_the_name(tmp_path):
    from generator.records import Story
    from generator.runner import RecordKeys, Runner

    with Runner(tmp_path) as runner:
        made = runner.map("stories", _story_of, ["Copper jumps", "Copper slides", ""], named=True)
        unnamed = runner.map("other stories", _story_of, ["Copper jumps"])  # used up by its stage: not named
        assert runner.identity(unnamed[0]) is None
        names = [runner.identity(value) for value in made]
        assert None not in names and len(set(names)) == 3
        assert runner.identity(Story(*_story_fields("Copper jumps"))) is None  # an equal record it did not make
        runner.identify(made[0].articles, f"{names[0]}#articles")  # a part, named by its result
        assert runner.identity(made[0].articles) == f"{names[0]}#articles"
        runner.identify((), "empty")  # plain and empty values are shared by others: never named
        assert runner.identity(()) is None
        keys = RecordKeys((Story,), runner.identity)
        assert keys(made[0]) == RecordKeys((Story,), runner.identity)(made[0])
        assert keys(made[0]) != RecordKeys((Story,))(made[0])  # the name stands in, not the content
    with Runner(tmp_path) as runner:
        again = runner.map("stories", _story_of, ["Copper jumps", "Copper slides", ""], named=True)
        assert runner.hits == 3
        assert [runner.identity(value) for value in again] == names  # from the cache, the same names
        assert RecordKeys((Story,), runner.identity)(again[0]) == keys(made[0])


def _story_fields(headline: str) -> tuple:
    import datetime as dt

    return ("2025-01-02-copper", headline, ("a.md",), (), dt.date(2025, 1, 2), False, ())


def _story_of(headline: str):
    from generator.records import Story

    return Story(*_story_fields(headline))


def test_an_article_joining_a_story_leaves_the_pages_of_its_other_articles_alone(tmp_path, kept):
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    first = _build(seeds, docs, cache).digest
    story = first.stories[0]
    member = first.article(story.articles[0])
    follow_up = "\n\n".join(member.paragraphs[:4]) + "\n\nTraders said the move could run for weeks.\n"
    (seeds / "follow-up.txt").write_text(follow_up, encoding="utf-8")
    _new_build(kept)
    second = _build(seeds, docs, cache).digest
    joined = second.story_of("follow-up.txt")
    assert joined.id == story.id and joined != story  # the story grew; its id is kept
    _build(seeds, tmp_path / "scratch", None)
    assert generated_files(docs) == generated_files(tmp_path / "scratch")
    paths = page_paths(second)
    assert paths.article(member.id) in kept[-1]  # the page of an article already in the story
    assert f"digest/stories/{story.id}.md" not in kept[-1]


def test_an_article_joining_a_story_of_one_puts_the_first_ones_summary_back_in_search(tmp_path, kept):
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    dated = "---\ntitle: {}\nsource: Test Wire\ndate: 2025-03-0{}\n---\n\n{}"
    (seeds / "copper.md").write_text(dated.format("Copper jumps as a strike shuts a Chilean mine", 5, NEW_ARTICLE),
                                     encoding="utf-8")
    first = _build(seeds, docs, cache).digest
    assert first.story_of("copper.md").articles == ("copper.md",)
    page = docs / page_paths(first).article("copper.md")
    assert "## Summary { data-search-exclude }" in page.read_text(encoding="utf-8")
    (seeds / "copper-follow-up.md").write_text(dated.format(
        "Copper extends its rally as the Chilean mine strike goes on", 6,
        "Copper prices extended their rally on Thursday as the strike at the largest copper mine in Chile "
        "entered a second day, and traders said supplies would stay tight for weeks.\n\nShares of mining "
        "companies climbed again across Asia, while the benchmark contract on the London Metal Exchange held "
        "near its six-month high as union leaders rejected a new wage offer.\n"), encoding="utf-8")
    _new_build(kept)
    second = _build(seeds, docs, cache).digest
    assert set(second.story_of("copper.md").articles) == {"copper.md", "copper-follow-up.md"}  # not a near-copy
    _build(seeds, tmp_path / "scratch", None)
    assert generated_files(docs) == generated_files(tmp_path / "scratch")
    page = page_paths(second).article("copper.md")
    assert page not in kept[-1]
    assert "## Summary\n" in (docs / page).read_text(encoding="utf-8")


def test_a_build_over_two_processes_writes_what_a_build_in_one_writes(tmp_path):
    one = build(build_settings(seeds=str(ROOT / "seeds"), docs=str(tmp_path / "one"), cache="", jobs=1,
                               templates=str(ROOT / "templates")))
    two = build(build_settings(seeds=str(ROOT / "seeds"), docs=str(tmp_path / "two"), cache="", jobs=2,
                               templates=str(ROOT / "templates")))
    assert one.pages == two.pages
    assert generated_files(tmp_path / "one") == generated_files(tmp_path / "two")
    assert (tmp_path / "two" / "digest.json").stat().st_size > 1000


def _fails(message: str):
    raise ValueError(message)


def test_background_work_gives_its_result_or_its_error_and_can_be_stopped():
    import time

    from generator.runner import Background

    assert Background(sorted, [3, 1, 2], jobs=2).result() == Background(sorted, [3, 1, 2], jobs=1).result() == [1, 2, 3]
    with pytest.raises(ValueError, match="export broke"):
        Background(_fails, "export broke", jobs=2).result()
    started = time.monotonic()
    with Background(time.sleep, 30, jobs=2):
        pass  # the build failed before it needed the result: the work is stopped, not waited for
    assert time.monotonic() - started < 10


def test_digest_json_copies_the_lines_of_records_that_kept_their_inputs_and_encodes_the_rest(tmp_path, monkeypatch):
    import generator.export

    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    shutil.copytree(ROOT / "seeds", seeds)
    encoded: list[str] = []
    for name in ("_story_record", "_article_record"):
        original = getattr(generator.export, name)
        monkeypatch.setattr(generator.export, name,
                            lambda digest, record, original=original: encoded.append(record.id) or original(digest, record))
    first = _build(seeds, docs, cache)
    assert len(encoded) == len(first.digest.stories) + len(first.digest.articles)
    (seeds / "copper.txt").write_text(NEW_ARTICLE, encoding="utf-8")  # in a month of its own: nothing else changes
    (seeds / "copper.txt.meta.yaml").write_text("date: 2025-03-05\n", encoding="utf-8")
    encoded.clear()
    second = _build(seeds, docs, cache)
    new_story = second.digest.story_of("copper.txt").id
    assert sorted(encoded) == sorted(["copper.txt", new_story])  # the rest copied from the previous file
    _build(seeds, tmp_path / "scratch", None)
    assert (docs / "digest.json").read_bytes() == (tmp_path / "scratch" / "digest.json").read_bytes()
    with open(docs / "digest.json", "ab") as file:  # edited by hand: nothing is taken from it
        file.write(b" ")
    encoded.clear()
    _build(seeds, docs, cache)
    assert len(encoded) == len(second.digest.stories) + len(second.digest.articles)
    assert (docs / "digest.json").read_bytes() == (tmp_path / "scratch" / "digest.json").read_bytes()


def test_digest_json_takes_the_line_keys_of_the_closed_months_settled_stories_by_name(tmp_path, monkeypatch):
    import generator.export

    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    _dated_seeds(seeds, ["2025-01-10"] * 2 + ["2025-02-21"] * 3)
    first = _build(seeds, docs, cache)
    keyed: list[str] = []
    for name in ("_story_key", "_article_key"):
        original = getattr(generator.export, name)
        monkeypatch.setattr(generator.export, name,
                            lambda digest, record, named, original=original: keyed.append(record.id)
                            or original(digest, record, named))
    (seeds / "copper.md").write_text(f"---\ndate: 2025-03-05\n---\n{NEW_ARTICLE}", encoding="utf-8")
    second = _build(seeds, docs, cache)
    settled = second.digest.months.stories
    assert settled  # the stories of the closed months, taken whole
    # keys made only for the records of the open month and of stories not taken whole
    expected = [s.id for s in second.digest.stories if s.id not in settled]
    expected += [a.id for a in second.digest.articles if second.digest.story_of(a.id).id not in settled]
    assert sorted(keyed) == sorted(expected) and len(keyed) < len(first.digest.stories) + len(first.digest.articles)
    _build(seeds, tmp_path / "scratch", None)
    assert (docs / "digest.json").read_bytes() == (tmp_path / "scratch" / "digest.json").read_bytes()


def test_a_listing_items_token_covers_what_the_item_brings_into_a_pages_view(tmp_path):
    from dataclasses import replace

    from generator.factrecords import Entity, StoryFacts
    from generator.records import Story, StorySummary
    from generator.render import _ItemTokens
    from generator.runner import RecordKeys

    digest = _build(ROOT / "seeds", tmp_path / "docs", None).digest
    paths = page_paths(digest)

    def tokens(of=digest, where=paths) -> _ItemTokens:
        return _ItemTokens(of, where, RecordKeys((Story, StorySummary, StoryFacts, Entity)))

    article = digest.articles[0]
    story = digest.story_of(article.id)
    move = next(m for f in digest.market.articles.values() for m in f.moves if m.entity in paths.entities)
    moved = digest.article(move.article)
    before = tokens()
    assert [before(article), before(story), before(move)] == [tokens()(article), tokens()(story), tokens()(move)]

    renamed = replace(story, headline=story.headline + " (updated)")
    retold = replace(digest, stories=tuple(renamed if s is story else s for s in digest.stories))
    assert tokens(retold)(article) != before(article)  # the article's page links its story by headline
    assert tokens(retold)(renamed) != before(story)

    entity = digest.market.entities[move.entity]
    market = replace(digest.market, entities={**digest.market.entities, entity.id: replace(entity, name="Renamed")})
    assert tokens(replace(digest, market=market))(move) != before(move)  # the move links its name

    elsewhere = replace(paths, articles={**paths.articles, moved.id: "digest/articles/elsewhere.md"})
    assert tokens(where=elsewhere)(move) != before(move)  # and its article
    assert tokens(where=elsewhere)(digest.article(moved.id)) != before(digest.article(moved.id))


_WORKED: list[str] = []


def _shout(word: str) -> tuple[str, tuple[str, ...]]:
    _WORKED.append(word)
    return word.upper(), tuple(word[::-1])


def test_a_group_whose_items_came_from_the_same_sources_is_taken_whole_and_a_changed_one_redoes_its_changes(tmp_path):
    from generator.runner import Runner

    words = ["copper", "gold", "oil", "zinc", "tin"]
    groups = ["2025-01-02", "2025-01-02", "2025-01-03", "2025-01-03", "2025-01-04"]
    stored: list[list[str]] = []

    def build(items, sources, item_groups):
        _WORKED.clear()
        with Runner(tmp_path) as runner:
            store = runner._store
            runner._store = lambda name, pairs: (stored.append([key for key, _ in pairs]), store(name, pairs))
            results = runner.map_grouped("shout", _shout, items, sources, item_groups, named=True)
            return results, [runner.identity(r) for r in results], [runner.identity(r[1]) for r in results]

    first, names, parts = build(words, [f"v1 {w}" for w in words], groups)
    assert first == [(w.upper(), tuple(w[::-1])) for w in words] and sorted(_WORKED) == sorted(words)
    assert None not in names and len(set(names)) == 5 and parts == [f"{n}#1" for n in names]
    assert stored[-1] == sorted(set(groups))

    again, again_names, _ = build(words, [f"v1 {w}" for w in words], groups)
    assert again == first and again_names == names
    assert _WORKED == [] and stored[-1:] == [sorted(set(groups))]  # nothing worked out or stored again

    # a new item in one group, another item's source changed in another: only those two are worked
    # out, and only their groups are stored again; every other result keeps its name
    sources = [f"v1 {w}" for w in words] + ["v1 lead"]
    sources[4] = "v2 tin"
    more, more_names, _ = build(words + ["lead"], sources, groups + ["2025-01-02"])
    assert more == first + [("LEAD", tuple("dael"))]
    assert sorted(_WORKED) == ["lead", "tin"]
    assert stored[-1] == ["2025-01-02", "2025-01-04"]
    assert more_names[:4] == names[:4] and more_names[4] != names[4]


def test_items_of_one_source_are_worked_out_once_and_undated_items_spread_over_groups_by_name():
    import datetime as dt

    from generator.runner import UNDATED_GROUPS, Runner, day_group

    _WORKED.clear()
    runner = Runner()  # no cache: worked out all the same
    assert runner.map_grouped("shout", _shout, ["oil", "oil", "gas"], ["s oil", "s oil", "s gas"],
                              ["a", "b", "a"]) == [("OIL", tuple("lio")), ("OIL", tuple("lio")), ("GAS", tuple("sag"))]
    assert sorted(_WORKED) == ["gas", "oil"]
    assert day_group(dt.date(2025, 1, 2), "markets/a.md") == "2025-01-02"
    undated = {day_group(None, f"markets/{n}.md") for n in range(1000)}
    assert len(undated) == UNDATED_GROUPS and day_group(None, "markets/7.md") == day_group(None, "markets/7.md")


def test_a_source_names_a_value_by_its_identity_and_differs_whenever_a_part_does(tmp_path):
    from generator.runner import Runner

    with Runner(tmp_path) as runner:
        made = runner.map("shout", _shout, ["copper"], named=True)[0]
        source = runner.source_of(made, "taxonomy")
        assert runner.identity(made) in source
        assert runner.source_of(("COPPER", tuple("reppoc")), "taxonomy") != source  # an equal value it did not make
        assert runner.source_of("ab", "c") != runner.source_of("a", "bc")
        assert runner.source_of(made) != runner.source_of(made, "")


def test_the_cache_file_gives_back_the_space_of_results_it_dropped(tmp_path, monkeypatch):
    import generator.runner
    from generator.runner import CACHE_FILE, Runner

    monkeypatch.setattr(generator.runner, "SHRINK_BYTES", 1 << 20)
    with Runner(tmp_path) as runner:
        runner.map("pad", _padded, list(range(2000)))  # 2000 results of 4 KB
    full = (tmp_path / CACHE_FILE).stat().st_size
    assert full > 8 << 20
    items = [*range(10), 99999]
    with Runner(tmp_path) as runner:  # the articles gone but ten, one new: the other results are dropped
        assert runner.map("pad", _padded, items) == [_padded(n) for n in items]
    assert (tmp_path / CACHE_FILE).stat().st_size < full // 4
    with Runner(tmp_path) as runner:
        runner.map("pad", _padded, items)
        assert runner.misses == 0
    with Runner(tmp_path) as runner:
        runner.map("pad", _padded, list(range(2000)))
    full = (tmp_path / CACHE_FILE).stat().st_size
    monkeypatch.setattr(generator.runner, "code_fingerprint", lambda module=None: "other code")
    with Runner(tmp_path) as runner:  # other code: each result replaced, half the file left free
        runner.map("pad", _padded, list(range(2000)))
        assert runner.misses == 2000
    assert (tmp_path / CACHE_FILE).stat().st_size < full * 5 // 4


def _padded(n: int) -> bytes:
    return n.to_bytes(4, "big") * 1024


def _change_figure(path: Path, which: int) -> None:
    """One percentage of an article (the first or the last) made larger."""
    text = path.read_text(encoding="utf-8")
    found = list(re.finditer(r"\d+(?:\.\d+)?(?= per cent|%)", text))
    assert found, f"{path}: no percentage to change"
    figure = found[which]
    path.write_text(f"{text[:figure.start()]}{float(figure.group()) + 3:g}{text[figure.end():]}", encoding="utf-8")


def test_pages_kept_because_nothing_they_show_changed_are_those_a_build_from_scratch_gives(tmp_path, monkeypatch):
    """Story and name pages are kept, without being keyed, while none of the articles, stories and
    names they show changed; after each kind of change the pages are a build from scratch's."""
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    seeds.mkdir()
    sources = sorted((ROOT / "seeds").iterdir())
    for n, source in enumerate(sources):
        header = "" if n == 4 else f"---\ndate: {'2025-01-10' if n < 2 else '2025-02-21'}\n---\n"
        (seeds / f"{n}.md").write_text(header + source.read_text(encoding="utf-8"), encoding="utf-8")
    outcomes: list[tuple[str, bool]] = []
    keep, keep_all = generator.write.PreviousPages.keep, generator.write.PreviousPages.keep_all

    def kept_page(self, path):
        outcomes.append((path, keep(self, path)))
        return outcomes[-1][1]

    def kept_group(self, group, key, paths, unchanged=True):
        outcomes.append((group, keep_all(self, group, key, paths, unchanged)))
        return outcomes[-1][1]

    monkeypatch.setattr(generator.write.PreviousPages, "keep", kept_page)
    monkeypatch.setattr(generator.write.PreviousPages, "keep_all", kept_group)

    def same_as_from_scratch(step: str):
        outcomes.clear()
        digest = _build(seeds, docs, cache).digest
        shutil.rmtree(tmp_path / "scratch", ignore_errors=True)
        _build(seeds, tmp_path / "scratch", None)
        assert generated_files(docs) == generated_files(tmp_path / "scratch"), step
        return digest, {name for name, kept in outcomes if kept}

    first, _ = same_as_from_scratch("first build")
    old_story = first.story_of("0.md")
    (seeds / "copper.md").write_text(f"---\ndate: 2025-02-25\n---\n{NEW_ARTICLE}", encoding="utf-8")
    digest, kept = same_as_from_scratch("an article added to the newest month")
    assert f"digest/stories/{old_story.id}.md" in kept  # a story the new article is not in
    assert f"digest/stories/{digest.story_of('copper.md').id}.md" not in kept
    assert any(name.startswith("names/") for name in kept)  # a name the new article does not mention
    for step, change in [
        ("an article added to an older month",
         lambda: (seeds / "older.md").write_text(f"---\ndate: 2025-01-11\n---\n{NEW_ARTICLE.replace('Chile', 'Peru')}",
                                                 encoding="utf-8")),
        ("an article's first figure changed", lambda: _change_figure(seeds / "0.md", 0)),
        ("an article's last figure changed (far from its summary)", lambda: _change_figure(seeds / "0.md", -1)),
        ("an undated article added",
         lambda: (seeds / "undated.md").write_text(NEW_ARTICLE.replace("copper", "nickel"), encoding="utf-8")),
        ("an article removed", lambda: (seeds / "1.md").unlink()),
    ]:
        change()
        same_as_from_scratch(step)
    story_page = docs / page_paths(digest).story(old_story)
    name_page = sorted((docs / "digest" / "names").glob("*.md"))[0]
    originals = {page: page.read_bytes() for page in (story_page, name_page)}
    for page in originals:
        page.write_bytes(page.read_bytes() + b"\nedited by hand\n")
    same_as_from_scratch("pages edited by hand")
    assert {page: page.read_bytes() for page in originals} == originals


def test_a_story_changed_changes_the_pages_of_its_articles(tmp_path):
    """An article's page and rows show its story (headline, link): when the story changes and the
    article does not, the article's pages are made again, not kept as they were."""
    from dataclasses import replace

    from generator.render import KEPT, render_pages
    from generator.write import PreviousPages, write_docs

    digest = _build(ROOT / "seeds", tmp_path / "scratch", None).digest
    docs = tmp_path / "docs"
    previous = PreviousPages(docs)
    write_docs(render_pages(digest, ROOT / "templates", reuse=previous), {}, docs)
    story = digest.stories[-1]
    renamed = replace(story, headline=f"{story.headline} (updated)")
    changed = replace(digest, stories=tuple(renamed if s is story else s for s in digest.stories))
    again = PreviousPages(docs, previous.manifest_after_write())
    pages = render_pages(changed, ROOT / "templates", reuse=again)
    article_page = page_paths(changed).article(story.articles[0])
    assert pages[article_page] is not KEPT and renamed.headline in pages[article_page]
    assert any(page is KEPT for page in pages.values())  # pages of other stories stand
    from_scratch = render_pages(changed, ROOT / "templates")
    assert {path: (docs / path).read_text(encoding="utf-8") if page is KEPT else page
            for path, page in pages.items()} == from_scratch


def test_an_article_that_comes_later_with_the_same_title_leaves_the_first_its_page(tmp_path):
    """Page paths come from titles; when a newer article's title is an older one's, the older
    keeps its path (old links keep working) wherever the newer one's file sorts."""
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    seeds.mkdir()
    source = sorted((ROOT / "seeds").iterdir())[0]
    (seeds / "m.md").write_text(f"---\ndate: 2025-01-10\n---\n{source.read_text(encoding='utf-8')}", encoding="utf-8")
    digest = _build(seeds, docs, cache).digest
    (first,) = digest.articles
    path = page_paths(digest).article(first.id)
    (seeds / "a.md").write_text(f"---\ntitle: {first.title}\ndate: 2025-02-03\n---\n{NEW_ARTICLE}", encoding="utf-8")
    digest = _build(seeds, docs, cache).digest
    paths = page_paths(digest)
    assert digest.article("a.md").title == first.title
    assert paths.article(first.id) == path and paths.article("a.md") != path
    assert (docs / path).is_file()


def test_a_listing_page_is_kept_only_while_it_lists_the_same_items_in_the_same_places():
    """What stands for a listing page's items in the key it is kept by (besides the change set):
    their ids, in order, list by list; a page listing anything the change set does not cover is
    never kept this way."""
    from dataclasses import replace

    from generator.render import _listed

    first, second = _story_of("Copper jumps"), replace(_story_of("Gold slips"), id="2025-01-02-gold")
    text, ids = _listed({"stories": [first, second]})
    assert ids["stories"] == [first.id, second.id] and not ids["articles"] and not ids["names"]
    assert _listed({"stories": [second, first]})[0] != text  # the same items, in other places
    assert _listed({"stories": [first], "more": [second]})[0] != text  # one moved to another list
    assert _listed({"stories": [first, second]})[0] == text
    assert _listed({"stories": [first], "days": ["2025-01-02"]}) is None


def test_results_and_their_parts_are_named_alike_whatever_the_mix_of_kinds(tmp_path):
    from generator.records import Story
    from generator.runner import Runner

    story, other = Story(*_story_fields("Copper jumps")), Story(*_story_fields("Copper slides"))
    mixes = {
        "records": [story, other],
        "pairs": [(story, "text"), (other, ())],  # a plain and an empty part are never named
        "keywords": [("copper", "jumps"), ("gold",)],  # tuples of text: no part named
        "ragged": [(story,), (other, story.articles)],
        "with gaps": [story, None, (), "text", (other, 1)],
    }
    for label, results in mixes.items():
        with Runner(tmp_path / label.replace(" ", "-")) as runner:
            made = runner.map("mix", results.__getitem__, range(len(results)), named=True)
            assert made == results
            names = [runner.identity(value) for value in made]
            for value, name in zip(made, names):
                named = value is not None and type(value) not in (str, int) and value != ()
                assert (name is not None) == named, (label, value)
                if named and type(value) is tuple:
                    for n, part in enumerate(value):
                        part_named = type(part) not in (str, int) and part != ()
                        assert runner.identity(part) == (f"{name}#{n}" if part_named else None), (label, part)
            named_ones = [name for name in names if name is not None]
            assert len(set(named_ones)) == len(named_ones)  # each result its own name


def test_months_whose_articles_did_not_change_are_taken_whole_and_the_pages_are_a_build_from_scratchs(
        tmp_path, monkeypatch):
    """A build runs the stages on the first month whose articles changed and on every later one
    (with the months they learn from beside them); the pages it writes, taking the other months'
    results from the cache, are those of a build from scratch, after every kind of change."""
    import generator.briefing
    import generator.build
    import generator.volumes

    monkeypatch.setattr(generator.volumes, "MIN_CONTEXT", 1)  # a month learns from itself and the one before
    worked: list[set[str]] = []
    original = generator.build.extract_keywords

    def extract_keywords(articles, runner=None):
        worked.append({a.id for a in articles})
        return original(articles, runner)

    monkeypatch.setattr(generator.build, "extract_keywords", extract_keywords)
    tagged: list[str] = []  # the articles of the stories whose tags were worked out
    story_tags = generator.briefing.story_tags

    def tags_of(digest, story):
        tagged.extend(story.articles)
        return story_tags(digest, story)

    monkeypatch.setattr(generator.briefing, "story_tags", tags_of)
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    seeds.mkdir()

    def put(name: str, day: str | None, text: str) -> None:
        (seeds / name).write_text((f"---\ndate: {day}\n---\n" if day else "") + text, encoding="utf-8")

    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").iterdir())]
    for n, (source, day) in enumerate(zip(sources, ["2025-01-10", "2025-01-31", "2025-02-14", "2025-03-03",
                                                    "2025-04-22"])):
        put(f"{n}.md", day, source)
    put("turn-a.md", "2025-01-31", NEW_ARTICLE)  # one event either side of the turn of a month
    put("turn-b.md", "2025-02-01", NEW_ARTICLE.replace("Wednesday", "Thursday"))

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)

    def same_as_from_scratch(step: str) -> set[str]:
        worked.clear()
        tagged.clear()
        _build(seeds, docs, cache, templates)
        (fresh,) = worked
        if step == "an article added to the newest month":  # the pages take the other stories' tags as they were
            assert set(tagged) == fresh, step
        shutil.rmtree(tmp_path / "scratch", ignore_errors=True)
        _build(seeds, tmp_path / "scratch", None, templates)
        assert generated_files(docs) == generated_files(tmp_path / "scratch"), step
        return fresh

    assert len(same_as_from_scratch("first build")) == 7
    nickel = NEW_ARTICLE.replace("Copper", "Nickel").replace("copper", "nickel").replace("Chile", "Indonesia")
    put("april.md", "2025-04-23", nickel)
    assert same_as_from_scratch("an article added to the newest month") == {"4.md", "april.md"}
    put("february.md", "2025-02-02", NEW_ARTICLE.replace("Chile", "Peru"))
    assert same_as_from_scratch("an article added to a month in the middle") == {
        "turn-b.md", "2.md", "february.md", "3.md", "4.md", "april.md"}
    put("1.md", "2025-01-31", sources[1].replace("%", " per cent", 1))
    assert len(same_as_from_scratch("an article of the first month changed")) == 9
    story = templates / "story.md.j2"
    story.write_text(story.read_text(encoding="utf-8") + "\nEnd of story.\n", encoding="utf-8")
    assert same_as_from_scratch("a template changed") == set()
    (seeds / "3.md").unlink()
    assert same_as_from_scratch("the only article of a month removed") == {"4.md", "april.md"}
    put("june.md", "2025-06-05", nickel.replace("Indonesia", "the Philippines"))
    assert same_as_from_scratch("a month added after a gap") == {"june.md"}
    put("undated.md", None, NEW_ARTICLE.replace("copper", "zinc"))
    assert len(same_as_from_scratch("an undated article added")) == 10
    (seeds / "undated.md").unlink()
    # every month is as the build before the undated article left it, and is taken from the cache
    assert same_as_from_scratch("the undated article removed") == set()


def test_a_build_that_takes_months_from_the_cache_drops_only_unused_results_of_the_months_it_opened(
        tmp_path, monkeypatch):
    import sqlite3

    import generator.volumes
    from generator.runner import CACHE_FILE

    monkeypatch.setattr(generator.volumes, "MIN_CONTEXT", 1)
    seeds, docs, cache = tmp_path / "seeds", tmp_path / "docs", tmp_path / "cache"
    seeds.mkdir()
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").iterdir())]
    for n, (source, day) in enumerate(zip(sources, ["2025-01-10", "2025-01-20", "2025-02-14", "2025-03-03",
                                                    "2025-03-05"])):
        (seeds / f"{n}.md").write_text(f"---\ndate: {day}\n---\n{source}", encoding="utf-8")

    def keys(stage: str) -> set[str]:
        with sqlite3.connect(cache / CACHE_FILE) as db:
            return {k for (k,) in db.execute("SELECT key FROM results WHERE stage LIKE ?", (f"{stage}@%",))}

    _build(seeds, docs, cache)
    first = {stage: keys(stage) for stage in ("theme-learning", "story-steps")}
    assert {k[:7] for k in first["theme-learning"]} == {"2025-01", "2025-02", "2025-03"}
    for n, day in enumerate(["2025-03-20", "2025-03-21", "2025-03-22"]):  # each opens March alone
        (seeds / f"march-{n}.md").write_text(f"---\ndate: {day}\n---\n{NEW_ARTICLE.replace('Chile', f'Chile {n}')}",
                                             encoding="utf-8")
        _build(seeds, docs, cache)
        for stage, before in first.items():
            now = keys(stage)
            assert {k for k in before if not k.startswith("2025-03")} <= now, stage  # closed months' stand
            assert len([k for k in now if k.startswith("2025-03")]) == len(
                [k for k in before if k.startswith("2025-03")]), stage  # March's replaced, not piled up
