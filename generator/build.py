"""The build: the pipeline from the seeds folder to pages in docs/, one stage after another."""

from __future__ import annotations

import gc
import pickle
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from generator.errors import BuildError
from generator.export import Export, export_json
from generator.facts import extract_facts
from generator.features import article_features
from generator.feeds import render_feeds
from generator.ingest import read_corpus
from generator.keywords import extract_keywords
from generator.market import reconcile
from generator.months import join_months, plan_months
from generator.records import Digest
from generator.registry import load_registry
from generator.render import render_pages
from generator.runner import Background, Runner, file_identity, item_key
from generator.settings import BuildSettings
from generator.stamp import Notes, inputs_key, keep_stamp, last_stamp, repeat_notes
from generator.stories import group_months
from generator.summaries import summarise
from generator.taxonomy import load_taxonomy
from generator.themes import assign_themes
from generator.write import PreviousPages, files_on_disk, write_docs, written_aside


STEPS = ("looking for changes", "reading articles", "taking closed months", "extracting keywords", "assigning themes",
         "reading market facts", "grouping stories", "writing summaries", "exporting digest.json",
         "rendering pages", "writing pages", "keeping results")
"""The steps of a build, in order, as `build` tells its `progress` hook of each one starting."""


@dataclass(frozen=True)
class BuildResult:
    """What a build made."""

    digest: Digest | None
    """Everything the pages were rendered from; None when nothing had changed since the previous
    build, whose pages were left as they were."""
    pages: tuple[str, ...]
    """Paths written under docs/."""
    stories: int
    articles: int
    skipped: int


def build(settings: BuildSettings, progress=lambda stage: None) -> BuildResult:
    """Read the seeds, analyse them and write the digest's pages into docs/."""
    taxonomy = load_taxonomy(settings.themes)
    registry = load_registry()
    with (_no_cycle_collection(), Runner(settings.cache, settings.jobs) as runner, Notes() as notes,
          _looking_at_pages(settings, runner) as on_disk):
        progress("looking for changes")
        looked: dict[str, tuple | None] = {}  # the seeds' identities, looked at once
        inputs = inputs_key(settings, looked) if runner.keeps_results else None
        unchanged = last_stamp(runner, settings, inputs, on_disk) if inputs else None
        if unchanged is not None:
            repeat_notes(unchanged)
            if settings.strict and unchanged.problem:
                raise BuildError(f"--strict: {unchanged.problem}")
            return BuildResult(None, tuple(path for path, _ in unchanged.written), unchanged.stories,
                               unchanged.articles, unchanged.skipped)
        progress("reading articles")
        corpus = read_corpus(settings.seeds, runner, looked)
        first_problem = (corpus.skipped or corpus.warnings)[:1]
        problem = f"{first_problem[0].path}: {first_problem[0].reason}" if first_problem else None
        if settings.strict and problem:
            raise BuildError(f"--strict: {problem}")
        progress("taking closed months")  # those whose articles (and every earlier month's) are the previous build's
        months = plan_months(corpus.articles, runner, item_key(taxonomy, registry))
        progress("extracting keywords")
        keywords = {**months.keywords, **extract_keywords(months.fresh, runner)}
        features = article_features(months.window, runner)  # the stages after read those of the window only
        progress("assigning themes")
        themes = {**months.themes, **assign_themes(months.window, keywords, taxonomy, features, runner, months.themes)}
        progress("reading market facts")
        facts = extract_facts(corpus.articles, registry, runner, months.facts)
        progress("grouping stories")
        grouping = group_months(months.window, themes, features, runner, months.stories)
        stories = months.open_stories(grouping)
        market = reconcile(stories, facts, runner)
        progress("writing summaries")
        summaries = summarise(stories, months.window, keywords, runner, months.summaries)
        digest = join_months(runner, months, corpus, taxonomy, keywords, themes, grouping, summaries, market)
        progress("exporting digest.json")
        manifest_key = str(settings.docs.resolve())
        exported_before = _exported_before(runner, settings.docs, manifest_key)
        aside_root = settings.cache if runner.keeps_results else settings.docs  # not under docs/ when it can be
        # digest.json and the feeds are written beside the pages, on the other core
        with (written_aside(aside_root, "digest.json") as aside,
              Background(_beside, digest, aside, runner.identity, exported_before, jobs=settings.jobs) as beside):
            progress("rendering pages")
            previous = PreviousPages(settings.docs, runner.get("pages", manifest_key, PreviousPages.__module__),
                                     on_disk())
            pages = render_pages(digest, settings.templates, reuse=previous, jobs=settings.jobs, known=runner.identity,
                                 compiled=settings.cache / "templates" if settings.cache else None)
            exported, feeds = beside.result()
            progress("writing pages")
            written = write_docs(pages, {"digest.json": aside, **feeds}, settings.docs)
        progress("keeping results")
        manifest = previous.manifest_after_write()
        runner.put("pages", manifest_key, manifest, PreviousPages.__module__)
        runner.put("digest.json", manifest_key, (file_identity(settings.docs / "digest.json"), exported),
                   Export.__module__)
        result = BuildResult(digest, tuple(written), len(digest.stories), len(digest.articles), len(digest.skipped))
        if inputs:
            keep_stamp(runner, settings, inputs, notes, problem, result, PreviousPages.identities(manifest))
    return result


def _beside(digest: Digest, path: Path, known, previous: tuple[Path, tuple, bytes] | None) -> tuple[bytes, dict[str, str]]:
    """What is made beside the pages: `digest.json` (`_export`) and the feeds (`render_feeds`)."""
    return _export(digest, path, known, previous), render_feeds(digest)


def _export(digest: Digest, path: Path, known, previous: tuple[Path, tuple, bytes] | None) -> bytes:
    """`digest.json` written to `path` (`export_json`), and where its lines are in it (`Export`,
    pickled, without the identity the file gets once in place); a failure to write it told in one line.

    Where the lines of the file before are, and where this one's are, are dictionaries of 60,000
    entries at 20,000 articles: they are read and written in the process that writes the file
    (beside the build, `Background`), and pass through the build's own as bytes."""
    try:
        before = None
        if previous is not None:
            old, identity, lines = previous
            before = (old, replace(pickle.loads(lines), identity=identity))
        return pickle.dumps(export_json(digest, path, known, before), protocol=5)
    except OSError as exc:
        raise BuildError(f"could not write {path}: {exc.strerror or exc}; "
                         "the previous pages were left as they were") from None


def _exported_before(runner: Runner, docs: Path, key: str) -> tuple[Path, tuple, bytes] | None:
    """The `digest.json` the previous build wrote, its identity once in place, and where its lines
    are in it (pickled)."""
    kept = runner.get("digest.json", key, Export.__module__)
    if not isinstance(kept, tuple) or kept[0] is None:
        return None
    identity, lines = kept
    return docs / "digest.json", identity, lines


@contextmanager
def _looking_at_pages(settings: BuildSettings, runner: Runner):
    """What gives the files under docs/ that a build writes, with their identities
    (`write.files_on_disk`), looked up on the other core from the start of the build and waited
    for once, by the first step to need them; without a cache, which is where the previous pages'
    keys are, nothing is looked up (None)."""
    if not runner.keeps_results:
        yield lambda: None
        return
    with Background(files_on_disk, settings.docs, jobs=settings.jobs) as looking:
        yield cache(looking.result)


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused while the build runs.

    A build holds millions of long-lived objects (every article, its sentences and its results)
    and makes almost no cyclic garbage, so each pass of the collector walks them all for nothing:
    at 20,000 articles those passes were a quarter of a rebuild's time (22.5 s against 17.3 s),
    and pausing it raised the peak memory by 3 % (1.21 to 1.25 GB). Pool workers collect their own.

    Paused, the collector still counts what the build makes as its youngest generation, so the
    first pass after it resumes would walk all of it (0.23 s of a 2.5 s build at 20,000
    articles). What the build made is moved to the oldest generation first, which costs nothing:
    the next full collection, when enough new objects have come, still walks it, as it would
    anything else that lived through a build (`make serve` runs build after build in one process).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()  # every tracked object to the permanent generation...
            gc.unfreeze()  # ...and from there to the oldest, none of them walked
            gc.enable()
