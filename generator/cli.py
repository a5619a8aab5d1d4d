"""Command line: `python -m generator build [--seeds DIR] [--docs DIR] [--themes FILE]`."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
from typing import NoReturn

from generator import __version__
from generator.build import STEPS, build
from generator.errors import DigestError
from generator.settings import SETTINGS, build_settings
from generator.watch import watch


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line."""

    def error(self, message):
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


class _OneLine(logging.Formatter):
    def format(self, record):
        return f"{record.levelname.lower()}: {' '.join(record.getMessage().split())}"


def parser() -> argparse.ArgumentParser:
    """The argument parser, built from the settings table."""
    top = _Parser(prog="digest", description="Market-briefing digest generator.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text in (("build", "build the digest pages from the seeds folder"),
                            ("watch", "build, then rebuild whenever the seeds or the templates change")):
        _add_build_options(commands.add_parser(name, help=help_text))
    return top


def _add_build_options(command: argparse.ArgumentParser) -> None:
    for setting in SETTINGS:
        if isinstance(setting.default, bool):
            command.add_argument(f"--{setting.name}", action="store_true", default=None, help=setting.help)
        else:
            metavar = {"themes": "FILE", "jobs": "N"}.get(setting.name, "DIR")
            default = setting.default if setting.default is not None else "bundled"
            command.add_argument(f"--{setting.name}", metavar=metavar, help=f"{setting.help} (default: {default})")
    command.add_argument("-q", "--quiet", action="store_true", help="print warnings only")
    if command.prog.endswith(" build"):
        command.add_argument("--timings", action="store_true",
                             help="print how long each step of the build took, on one line (with -q too)")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    root = logging.getLogger("generator")
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if args.quiet else logging.INFO)
    root.propagate = False
    started = time.perf_counter()
    try:
        settings = build_settings(**{s.name: getattr(args, s.name) for s in SETTINGS})
        if args.command == "watch":
            root.setLevel(logging.WARNING)
            watch(settings)
            return 0
        steps = Steps(_progress(args.quiet))
        result = build(settings, progress=steps)
        if args.timings:
            print(f"timings: {steps.summary()}", file=sys.stderr)
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the previous pages were left as they were", file=sys.stderr)
        return 130
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    if not args.quiet:
        counts = f"{result.stories} stories from {result.articles} articles ({result.skipped} skipped)"
        took = f"{time.perf_counter() - started:.1f} s"
        if result.digest is None:
            print(f"nothing changed since the last build: kept {counts} in {settings.docs} ({took})")
        else:
            print(f"built {counts} into {settings.docs} in {took}")
    return 0


def run() -> NoReturn:
    """The command line as a program (`python -m generator`, `digest`): exit with `main`'s code.

    The process ends without freeing the build's objects one by one, which is all an ordinary
    exit would still do once the pages are written and the cache is closed: millions of objects at
    archive size, 0.06 s of a one-article rebuild of bbc-dev. For the same reason a one-shot build
    leaves the cycle collector off after the build too: its first pass would walk every object the
    build made (0.04 s at bbc-dev), only for the process to end. The watch loop, which lives on,
    collects as usual between builds.
    """
    if sys.argv[1:2] == ["build"]:
        gc.disable()
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


class Steps:
    """A build's progress hook that notes when each step started, and passes it on to `show`."""

    def __init__(self, show=lambda step: None):
        self.show = show
        self.started = time.perf_counter()
        self.steps: list[tuple[str, float]] = []

    def __call__(self, step: str) -> None:
        self.steps.append((step, time.perf_counter()))
        self.show(step)

    def durations(self) -> list[tuple[str, float]]:
        """Each step and the seconds it took (the last one until now), in build order."""
        ends = [at for _, at in self.steps[1:]] + [time.perf_counter()]
        return [(step, end - at) for (step, at), end in zip(self.steps, ends)]

    def summary(self) -> str:
        """The steps' durations and the total, as one line."""
        return ", ".join(f"{step} {took:.2f} s" for step, took in
                         [*self.durations(), ("total", time.perf_counter() - self.started)])


def _progress(quiet: bool):
    """A one-line progress display on a terminal; silent otherwise."""
    if quiet or not sys.stderr.isatty():
        return lambda stage: None

    def show(stage: str) -> None:
        done = STEPS.index(stage) if stage in STEPS else 0
        bar = "#" * (done * 20 // len(STEPS))
        sys.stderr.write(f"\r\033[K[{bar:<20}] {stage}…")
        sys.stderr.flush()

    return show
