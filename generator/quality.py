"""`make eval`: score the generator on a labelled corpus; write EVALUATION.md and the site's page.

    python -m generator.quality [--corpus DIR] [--themes FILE] [--out FILE] [--page FILE]

Prints the scores, writes them as Markdown to `--out` (EVALUATION.md) and to `--page`, the site's
"How good is it?" page, and says whether the targets are met.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import jinja2

from generator.errors import DigestError
from generator.evaluate import GENERATOR, Evaluation, evaluate
from generator.render import Trusted, markdown_text

TEMPLATES_DEFAULT = Path(__file__).resolve().parent.parent / "templates"
"""The project's templates folder."""

TARGET_MACRO_F1 = 0.92
"""Smallest acceptable macro-F1 of the primary theme."""

DEFAULTS = {
    "corpus": ("../shared/corpora/bbc-dev", "labelled corpus folder (articles/ and summaries/)"),
    "themes": ("eval/bbc-themes.yaml", "taxonomy file whose theme ids are the corpus labels"),
    "out": ("EVALUATION.md", "Markdown file the scores are written to"),
    "page": ("docs/quality.md", "site page the scores are written to"),
    "templates": ("templates", "folder of the Jinja2 page templates"),
}


def render_quality(evaluation: Evaluation, templates: Path) -> str:
    """The scores as a Markdown page."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)), finalize=markdown_text, autoescape=False,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["score"] = lambda value: Trusted(f"{value:.3f}")
    env.filters["trusted"] = lambda value: Trusted(str(value))
    return env.get_template("quality.md.j2").render(e=evaluation, targets={"macro_f1": TARGET_MACRO_F1})


def shortfalls(evaluation: Evaluation) -> list[str]:
    """The targets the evaluation misses, one line each."""
    misses = []
    if evaluation.theme_macro_f1 < TARGET_MACRO_F1:
        misses.append(f"theme macro-F1 {evaluation.theme_macro_f1:.3f} is below {TARGET_MACRO_F1}")
    ours = next(r for r in evaluation.rouge if r.summariser == GENERATOR)
    for other in (r for r in evaluation.rouge if r.summariser != GENERATOR):
        for field in ("rouge1", "rouge2", "rouge_l"):
            if getattr(ours, field) <= getattr(other, field):
                misses.append(f"{field} {getattr(ours, field):.4f} does not beat {other.summariser}'s "
                              f"{getattr(other, field):.4f}")
    return misses


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return 0 when every target is met, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m generator.quality", description=__doc__.splitlines()[0])
    for name, (default, help_text) in DEFAULTS.items():
        parser.add_argument(f"--{name}", default=default, help=f"{help_text} (default: {default})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s", stream=sys.stderr)
    started = time.perf_counter()
    try:
        evaluation = evaluate(Path(args.corpus), Path(args.themes))
        page = render_quality(evaluation, Path(args.templates))
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for target in (Path(args.out), Path(args.page)):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    print(page)
    print(f"evaluated {evaluation.articles} articles in {time.perf_counter() - started:.1f} s; "
          f"wrote {args.out} and {args.page}")
    misses = shortfalls(evaluation)
    for miss in misses:
        print(f"target missed: {miss}", file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
