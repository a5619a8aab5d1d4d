"""Test helpers: a copy of the project with the digest generated from seeds/, built into a site."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.build import build
from generator.settings import build_settings

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ("digest", "digest.json", "index.md", ".digest.new", ".digest.old")
CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium, which `make test` installs; Playwright never downloads a browser here."""
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
"""How it is started headless on this machine: no sandbox, nothing fetched in the background."""


def make_project(target: Path, original_url: str | None = None) -> Path:
    """A copy of the project's site sources in `target`, with the digest generated from seeds/.

    With `original_url`, the first article without a sidecar file gets one giving it that link to
    its original, so source links can be followed.
    """
    shutil.copytree(ROOT / "seeds", target / "seeds")
    shutil.copytree(ROOT / "docs", target / "docs", ignore=lambda d, names: [n for n in names if n in GENERATED])
    shutil.copytree(ROOT / "templates", target / "templates")
    shutil.copytree(ROOT / "overrides", target / "overrides")
    shutil.copytree(ROOT / "hooks", target / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copy2(ROOT / "serve.yml", target / "serve.yml")
    if original_url:
        seeds = sorted(p for p in (target / "seeds").rglob("*") if p.is_file() and not p.name.endswith(".meta.yaml"))
        first = next(p for p in seeds if not p.with_name(p.name + ".meta.yaml").exists())
        first.with_name(first.name + ".meta.yaml").write_text(f"url: {original_url}\n", encoding="utf-8")
    build(build_settings(seeds=target / "seeds", docs=target / "docs", templates=target / "templates"))
    return target


def build_site(project: Path, tool: str = "mkdocs", *options: str, config: str = "mkdocs.yml") -> subprocess.CompletedProcess:
    """Build the project's site with `mkdocs build --strict` or `zensical build`, from its mkdocs.yml
    (or `config`), with more command-line `options`."""
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / "mkdocs"), "build"] if tool == "mkdocs" else [str(bin_dir / "zensical"), "build"]
    if tool == "mkdocs" and "--dirty" not in options:  # a dirty build always warns that it is one
        command.append("--strict")
    return subprocess.run([*command, *options, "-f", config], cwd=project, capture_output=True, text=True, timeout=300,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(project)})


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the name is the base class's
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve a folder on localhost in a thread; return the server and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
