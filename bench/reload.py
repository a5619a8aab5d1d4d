"""Time from a new article landing in the seeds folder to its page being served by `mkdocs serve`.

This is what `make serve` runs: the generator's watch loop and `mkdocs serve`, which reloads the
browser as soon as its rebuild is done. The figure is measured by polling the served site for the
new article's page.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROBE = """---
title: Reload probe {n} lifts copper miners
source: Bench Wire
date: 2025-01-02
---

Copper miners rallied on Thursday after a strike shut the largest mine in Chile, lifting the price
of the metal 3.1% to a six-month high as traders bet on tight supplies for weeks.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except (urllib.error.URLError, OSError):
        return 0


def _indexed(url: str) -> list[str] | None:
    """The locations of the served search index's entries, or None when it cannot be read."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return [entry["location"] for entry in json.loads(response.read()).get("docs", [])]
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError):
        return None


def measure_reload(seeds: Path, work: Path, root: Path, prepare_site, dirty: bool = True, probes: int = 3,
                   timeout: float = 240.0) -> tuple[float, bool] | None:
    """Seconds from writing a new article into a copy of `seeds` to its page being served (the
    median over `probes` articles written one after another), and whether the served search index
    then still held every page it held before, each once, after every one of them.

    With `dirty` (what `make serve` runs), `mkdocs serve --dirty -f serve.yml` rebuilds only the
    pages whose files changed; without, `mkdocs serve` rebuilds the whole site on each change."""
    project = work / "reload"
    shutil.rmtree(project, ignore_errors=True)
    copy = project / "seeds"
    shutil.copytree(seeds, copy)
    docs, cache = project / "docs", project / "cache"
    docs.mkdir(parents=True)
    common = ["--seeds", str(copy), "--docs", str(docs), "--cache", str(cache), "--templates", str(root / "templates")]
    subprocess.run([sys.executable, "-m", "generator", "build", "-q", *common], cwd=root, check=True,
                   capture_output=True)
    prepare_site(project)
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    watcher = subprocess.Popen([sys.executable, "-m", "generator", "watch", *common], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    config = project / ("serve.yml" if dirty else "mkdocs.yml")
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-q", "-f", str(config),
                               "-a", f"127.0.0.1:{port}", *(["--dirty"] if dirty else [])], cwd=project, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        while _get(f"http://127.0.0.1:{port}/") != 200:
            if time.monotonic() - started > timeout or server.poll() is not None:
                return None
            time.sleep(0.2)
        time.sleep(3)  # let the watcher's first (warm) build and the server settle
        index = f"http://127.0.0.1:{port}/search/search_index.json"
        times, whole = [], True
        for n in range(1, probes + 1):
            before = _indexed(index)
            (copy / f"reload-probe-{n}.md").write_text(PROBE.format(n=n), encoding="utf-8")
            landed = time.monotonic()
            page = f"digest/articles/reload-probe-{n}-lifts-copper-miners/"
            while _get(f"http://127.0.0.1:{port}/{page}") != 200:
                if time.monotonic() - landed > timeout:
                    return None
                time.sleep(0.05)
            times.append(time.monotonic() - landed)
            after = _indexed(index)
            while after is None or not any(loc.split("#")[0] == page for loc in after):
                # the page is served as soon as it is written; the index is written at the end of the build
                if time.monotonic() - landed > timeout:
                    break
                time.sleep(0.2)
                after = _indexed(index)
            whole = whole and (before is not None and after is not None and len(set(after)) == len(after)
                               and {loc.split("#")[0] for loc in before} <= {loc.split("#")[0] for loc in after})
            time.sleep(2)  # let the rebuild finish before the next article lands
        return statistics.median(times), whole
    finally:
        for process in (watcher, server):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
