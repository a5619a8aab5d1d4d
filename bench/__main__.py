"""`make bench`: time the whole pipeline on bbc-dev and on a 20,000-article archive; write BENCHMARKS.md.

Every figure comes from this run on this machine. Corpora are read in place or made in a
temporary work folder (never inside the repository).
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.corpora import make_archive, read_sources
from bench.reference import reference_line, time_reference
from bench.search import SearchTimes, measure_search, query_for

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    wall: float
    """Seconds from start to end."""
    user: float
    """Processor seconds in the generator's own code (its processes together): a steadier figure
    than the wall time on a machine whose speed varies from run to run."""
    system: float
    """Processor seconds in the kernel on its behalf (mostly page faults and file system calls)."""
    steps: tuple[tuple[str, float], ...] = ()
    """Seconds each step of the build took (`--timings`), in build order."""

    @staticmethod
    def median(runs: list[Run]) -> Run:
        """Each figure's median over runs (each step's over the runs that had it)."""
        steps: dict[str, list[float]] = {}
        for run in runs:
            for step, took in run.steps:
                steps.setdefault(step, []).append(took)
        return Run(statistics.median(r.wall for r in runs), statistics.median(r.user for r in runs),
                   statistics.median(r.system for r in runs),
                   tuple((step, statistics.median(took)) for step, took in steps.items()))


@dataclass
class Row:
    name: str
    articles: int
    cold: float | None = None
    warm: float | None = None
    added: dict[str, Run] = field(default_factory=dict)
    """Each addition's times: the medians of its runs' wall, user and system times."""
    mkdocs: float | None = None
    peak_mb: float = 0.0
    search_kb: float | None = None
    largest_kb: float | None = None
    largest_page: str = ""
    search: SearchTimes | None = None
    """A reader's wait in headless Chromium for a first search result, and for a second query."""


def generate(seeds: Path, docs: Path, cache: Path, row: Row) -> Run:
    """Run the generator as a user would; return its times and keep its peak memory.

    The file system is synced first, so that writing back what earlier steps left in memory (the
    previous run's work folder deleted, a cold build's gigabyte of cache) does not land in the
    timed run; the run's own writes still do."""
    os.sync()
    cmd = ["/usr/bin/time", "-f", "%e %M %U %S", sys.executable, "-m", "generator", "build", "-q", "--timings",
           "--seeds", str(seeds), "--docs", str(docs), "--cache", str(cache), "--templates", str(ROOT / "templates")]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"generator failed on {seeds}: {result.stderr.strip().splitlines()[-1]}")
    lines = result.stderr.strip().splitlines()
    seconds, kb, user, system = lines[-1].split()
    row.peak_mb = max(row.peak_mb, int(kb) / 1024)
    timings = next((line for line in lines if line.startswith("timings: ")), "")
    steps = tuple((step, float(took)) for step, took in re.findall(r"(?:timings: |, )(.+?) ([0-9.]+) s", timings)
                  if step != "total")
    return Run(float(seconds), float(user), float(system), steps)


def prepare_site(project: Path) -> None:
    """The MkDocs configuration and the hand-written pages beside generated docs in `project`."""
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copy(ROOT / "serve.yml", project / "serve.yml")
    for folder in ("overrides", "hooks"):
        if not (project / folder).exists():
            shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for page in (ROOT / "docs").iterdir():
        if page.name not in ("digest", "digest.json", "index.md") and not page.name.startswith("."):
            target = project / "docs" / page.name
            if page.is_dir():
                shutil.copytree(page, target, dirs_exist_ok=True)
            else:
                shutil.copy(page, target)


def build_site(project: Path, row: Row) -> None:
    """`mkdocs build` of the generated docs; sizes of the search index and the largest page."""
    prepare_site(project)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml")],
                            capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    row.mkdocs = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"mkdocs build failed: {result.stderr.strip()[-500:]}")
    site = project / "site"
    row.search_kb = (site / "search" / "search_index.json").stat().st_size / 1024
    largest = max(site.rglob("*.html"), key=lambda p: p.stat().st_size)
    row.largest_kb = largest.stat().st_size / 1024
    row.largest_page = largest.relative_to(site).as_posix()
    row.search = measure_search(site, query_for(project / "docs" / "digest.json"))


def measure(name: str, seeds: Path, work: Path, additions, with_site: bool, repeat: int = 1,
            repeat_added: int | None = None) -> Row:
    """Cold and warm generation, then each addition, then the site.

    An addition is (label, prepare, add): `prepare()` gives the seeds folder the additions go to
    (built once, unmeasured, when it is not `seeds`), and `add(k)` adds the k-th batch to it. With
    `repeat` above one, each figure is the median of that many runs (cold runs start empty); the
    additions' figures are the median of `repeat_added` runs (`repeat` unless given), each batch
    added to what the one before left.
    """
    project = work / name
    docs, cache = project / "docs", project / "cache"
    row = Row(name, sum(1 for p in seeds.rglob("*") if p.is_file()))

    def fresh() -> None:
        shutil.rmtree(docs, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        docs.mkdir(parents=True)

    colds = []
    for _ in range(repeat):
        fresh()
        colds.append(generate(seeds, docs, cache, row).wall)
    row.cold = statistics.median(colds)
    row.warm = statistics.median(generate(seeds, docs, cache, row).wall for _ in range(repeat))
    for label, prepare, add in additions:
        target = prepare()
        if target != seeds:
            generate(target, docs, cache, row)  # a new folder: its first build records its files
        runs = [generate(add(k), docs, cache, row) for k in range(repeat if repeat_added is None else repeat_added)]
        row.added[label] = Run.median(runs)
    if with_site:
        build_site(project, row)
    return row


def fmt(value, unit="s", digits=1):
    return "n/a" if value is None else f"{value:.{digits}f} {unit}"


def table(rows: list[Row], baseline: dict | None, bbc_cold: float | None) -> str:
    lines = ["| corpus | articles | cold | warm | added | mkdocs build | peak memory | search_index.json | largest page |",
             "|---|---:|---:|---:|---|---:|---:|---:|---|"]
    for r in rows:
        added = "; ".join(f"{k}: {v.wall:.2f} s (user {v.user:.2f} s, system {v.system:.2f} s)"
                          for k, v in r.added.items()) or "n/a"
        lines.append(f"| {r.name} | {r.articles:,} | {fmt(r.cold)} | {fmt(r.warm, 's', 2)} | {added} | "
                     f"{fmt(r.mkdocs)} | {r.peak_mb:.0f} MB | {fmt(r.search_kb, 'KB', 0)} | "
                     f"{fmt(r.largest_kb, 'KB', 0)} ({r.largest_page}) |")
    out = "\n".join(lines) + "\n"
    searched = [r for r in rows if r.search is not None]
    if searched:
        out += ("\nSearch as a reader waits for it (headless Chromium on localhost; median of two visits, each "
                "opening the home page in a fresh context): " + "; ".join(
                    f"{r.name} ({r.search_kb / 1024:.1f} MB index, query \"{r.search.query}\") first result "
                    f"{r.search.first:.1f} s after opening, a second query {r.search.again:.1f} s" for r in searched)
                + "\n")
    per = {r.name: r.cold / r.articles * 1000 for r in rows if r.cold}
    if per:
        out += "\nPer article, cold: " + ", ".join(f"{k} {v:.2f} ms" for k, v in per.items())
        if "bbc-dev" in per and "archive" in per:
            out += f" (archive / bbc-dev: {per['archive'] / per['bbc-dev']:.2f}×)"
        out += "\n"
    if baseline and bbc_cold:
        out += (f"\nBaseline on bbc-dev (YAKE on every full article, TextRank per article, TF-IDF + average-link "
                f"clustering of all pairs; one process, no pages written): {baseline['seconds']:.1f} s for "
                f"{baseline['articles']} articles. Generator cold / baseline: **{bbc_cold / baseline['seconds']:.2f}**\n")
    return out


def steps_table(rows: list[Row]) -> str:
    """Where each addition's time went: the median seconds of each step of the build (`--timings`)."""
    columns = [(f"{r.name} {label}", run) for r in rows for label, run in r.added.items() if run.steps]
    if not columns:
        return ""
    steps = list(dict.fromkeys(step for _, run in columns for step, _ in run.steps))
    lines = ["| step | " + " | ".join(name for name, _ in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for step in steps:
        lines.append(f"| {step} | " + " | ".join(fmt(dict(run.steps).get(step), "s", 2) for _, run in columns) + " |")
    lines.append("| whole run (wall) | " + " | ".join(f"**{run.wall:.2f} s**" for _, run in columns) + " |")
    return ("\nWhere an addition's time goes (`build --timings`, median seconds per step; the whole run adds "
            "starting Python and loading the generator):\n\n" + "\n".join(lines) + "\n")


def _reload(result) -> str:
    if result is None:
        return "n/a (timed out)"
    took, whole = result
    return f"{took:.1f} s" + ("" if whole else " (the search index then missed pages)")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem = next((int(line.split()[1]) / 1048576 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0.0)
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc-dev")
    parser.add_argument("--archive", type=int, default=20_000, help="articles in the archive (0 to skip)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "digest-bench")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-reload", action="store_true", help="skip the make serve reload timing")
    parser.add_argument("--repeat", type=int, default=3, help="runs per bbc-dev figure and per archive addition (the median is shown)")
    args = parser.parse_args()
    work = args.work
    # the generator's modules compiled to bytecode first, as Python does on their first import
    # (here they may be installed in place, with bytecode writing turned off: each run would
    # compile them again, 0.05 s)
    compileall.compile_dir(ROOT / "generator", quiet=1)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sources = read_sources(args.corpus)
    references = [time_reference(sources, "start")]

    plus_one = work / "bbc-plus-one"

    def bbc_copy() -> Path:
        # bbc-dev itself is read in place; a copy outside the repository gets the new articles
        shutil.copytree(args.corpus / "articles", plus_one)
        return plus_one

    def bbc_add(k: int) -> Path:
        make_archive(sources, plus_one / "new", 1, first=900_000 + k)
        return plus_one

    rows = [measure("bbc-dev", args.corpus / "articles", work, [("+1 article", bbc_copy, bbc_add)], True,
                    repeat=args.repeat)]
    print(table(rows, None, None), flush=True)

    baseline = None
    if not args.no_baseline:  # right after bbc-dev's own runs: the machine's speed drifts over minutes
        from bench.baseline import run
        os.sync()
        baseline = run(args.corpus / "articles")
    references.append(time_reference(sources, "after bbc-dev"))

    if args.archive:
        archive = work / "archive-seeds"
        started = time.perf_counter()
        make_archive(sources, archive, args.archive)
        print(f"archive of {args.archive:,} articles made in {time.perf_counter() - started:.1f} s", flush=True)
        # each batch a day after the one before, from the first day after the archive's year: the
        # +100 batches on three days, then one article on each of the days after
        def add(count: int, first: int, day: dt.date):
            def adder(k: int) -> Path:
                make_archive(sources, archive, count, first=first + k * count, day=day + dt.timedelta(days=k))
                return archive
            return adder

        runs = args.repeat
        new_day = dt.date(2025, 1, 1)
        additions = [("+100 (one day)", lambda: archive, add(100, args.archive, new_day)),
                     ("+1", lambda: archive, add(1, args.archive + 100 * runs, new_day + dt.timedelta(days=runs)))]
        rows.append(measure("archive", archive, work, additions, True, repeat_added=runs))
        print(table(rows, None, None), flush=True)
        references.append(time_reference(sources, "after the archive"))

    text = table(rows, baseline, rows[0].cold) + steps_table(rows)
    if not args.no_reload:
        from bench.reload import measure_reload
        reloads = {name: measure_reload(seeds, work, ROOT, prepare_site, dirty, args.repeat)
                   for name, seeds, dirty in (("seeds", ROOT / "seeds", True),
                                              ("bbc-dev", args.corpus / "articles", True),
                                              ("bbc-dev rebuilding the whole site (`SERVE_FLAGS=`)",
                                               args.corpus / "articles", False))}
        text += ("\nReload (`make serve`: the watch loop and `mkdocs serve --dirty -f serve.yml`), from a new article "
                 "written into the seeds folder to its page being served (median of "
                 f"{args.repeat}, written one after another): " + "; ".join(
                     f"{name} {_reload(r)}" for name, r in reloads.items()) + "\n")
    references.append(time_reference(sources, "end"))
    text += reference_line(references)
    print(text)
    args.out.write_text(
        "# Benchmarks\n\nWritten by `make bench` (`python -m bench`); every figure is from that run.\n\n"
        f"Machine: {machine()}. Date: {dt.date.today().isoformat()}.\n\n"
        "Generation is `python -m generator build` (all cores, result cache in the work folder, the generator's "
        "modules compiled to bytecode first): cold with an "
        "empty cache, warm with nothing changed (the build checks its stamp and stops), then after adding articles. On bbc-dev each figure is the "
        f"median of {args.repeat} runs (this machine's speed varies from run to run); the articles are added "
        "to a copy of bbc-dev outside the repository, built once before the timed runs. The archive's cold and "
        f"warm figures are single runs; each of its additions is the median of {args.repeat}, added one after "
        "another: 100 articles on each of three successive days from 2025-01-01 (after the archive's last "
        "day), then one article on each of the three days after. The file system is synced before each timed run; beside an addition's wall time are the medians of its runs' "
        "processor time, user and system (the generator and its worker processes together), steadier figures than the wall time. mkdocs build is `mkdocs build` of the generated docs. Peak memory is the largest "
        "resident set of any generator run.\n\n" + text,
        encoding="utf-8")
    print(f"written to {args.out}")
    (work / "bench.json").write_text(json.dumps([asdict(r) for r in rows], indent=1, default=str))


if __name__ == "__main__":
    main()
