import shutil
import subprocess
import sys

from generator.cli import main
from tests.golden import ROOT


def test_build_succeeds_and_reports(tmp_path, capsys):
    assert main(["build", "--seeds", str(ROOT / "seeds"), "--docs", str(tmp_path / "docs"),
                 "--templates", str(ROOT / "templates")]) == 0
    assert "built 2 stories from 5 articles" in capsys.readouterr().out


def test_timings_name_each_step_of_the_build_in_order(tmp_path, capsys):
    args = ["build", "-q", "--timings", "--seeds", str(ROOT / "seeds"), "--docs", str(tmp_path / "docs"),
            "--cache", str(tmp_path / "cache"), "--templates", str(ROOT / "templates")]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("timings: ")
    steps = [part.rsplit(" ", 2) for part in err.removeprefix("timings: ").strip().split(", ")]
    assert [step for step, _, unit in steps] == [
        "looking for changes", "reading articles", "taking closed months", "extracting keywords", "assigning themes", "reading market facts",
        "grouping stories", "writing summaries", "exporting digest.json", "rendering pages", "writing pages",
        "keeping results", "total"]
    seconds = [float(took) for _, took, unit in steps if unit == "s"]
    assert len(seconds) == len(steps) and sum(seconds[:-1]) <= seconds[-1] + 0.01 * len(steps)
    # nothing changed: the build stops once it has looked
    assert main(args) == 0
    assert [p.rsplit(" ", 2)[0] for p in capsys.readouterr().err.removeprefix("timings: ").strip().split(", ")] == [
        "looking for changes", "total"]


def test_missing_seeds_folder_is_one_line_and_exit_1(tmp_path, capsys):
    assert main(["build", "--seeds", str(tmp_path / "nope"), "--docs", str(tmp_path / "docs")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"error: --seeds {tmp_path / 'nope'}: not a folder"


def test_bad_taxonomy_is_one_line_naming_file_and_key(tmp_path, capsys):
    bad = tmp_path / "themes.yaml"
    bad.write_text("themes:\n  - name: Oil\n    keywords: oil\n")
    code = main(["build", "--seeds", str(ROOT / "seeds"), "--docs", str(tmp_path / "docs"), "--themes", str(bad),
                 "--templates", str(ROOT / "templates")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and "\n" not in err
    assert err.startswith(f"error: {bad}: 'themes[0].keywords': expected list")


def test_a_custom_taxonomy_swaps_the_themes(tmp_path):
    themes = tmp_path / "themes.yaml"
    themes.write_text("min_score: 1\nthemes:\n  - name: Hong Kong\n    keywords: [Hong Kong, Hang Seng]\n")
    docs = tmp_path / "docs"
    assert main(["build", "-q", "--seeds", str(ROOT / "seeds"), "--docs", str(docs), "--themes", str(themes),
                 "--templates", str(ROOT / "templates")]) == 0
    assert (docs / "digest" / "themes" / "hong-kong.md").exists()
    assert not (docs / "digest" / "themes" / "earnings.md").exists()


def test_strict_fails_on_a_bad_file(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "empty.txt").write_text("")
    (seeds / "ok.txt").write_text("Oil prices jumped on Monday after producers agreed to cut output sharply.\n")
    assert main(["build", "--strict", "--seeds", str(seeds), "--docs", str(tmp_path / "docs"),
                 "--templates", str(ROOT / "templates")]) == 1
    assert "empty.txt: empty file" in capsys.readouterr().err


def test_bad_arguments_exit_non_zero():
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--nope"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "unrecognized arguments: --nope" in result.stderr


def test_the_program_exits_with_the_code_and_every_line_it_printed(tmp_path):
    seeds, docs = tmp_path / "seeds", tmp_path / "docs"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "empty.txt").write_text("", encoding="utf-8")
    common = [sys.executable, "-m", "generator", "build", "--seeds", str(seeds), "--docs", str(docs), "--cache", ""]
    built = subprocess.run(common, capture_output=True, text=True, cwd=ROOT)
    assert built.returncode == 0 and built.stdout.startswith("built ") and built.stdout.endswith("\n")
    assert "empty.txt" in built.stderr  # the warning went out before the process ended
    strict = subprocess.run([*common, "--strict"], capture_output=True, text=True, cwd=ROOT)
    assert strict.returncode == 1 and strict.stderr.startswith("warning: ") and "error: --strict" in strict.stderr


def test_console_script_runs(tmp_path):
    script = ROOT / ".venv" / "bin" / "digest"
    exe = str(script) if script.exists() else "digest"
    result = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("digest ")


def test_watch_rebuilds_after_a_new_article(tmp_path):
    import shutil
    import threading
    import time

    from generator.settings import build_settings
    from generator.watch import watch

    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    settings = build_settings(seeds=str(seeds), docs=str(tmp_path / "docs"), templates=str(ROOT / "templates"),
                              cache=str(tmp_path / "cache"), jobs=1)
    builds = []
    thread = threading.Thread(target=watch, args=(settings, 0.05, 60), kwargs={"on_build": lambda: builds.append(1)})
    thread.start()
    while not builds:
        time.sleep(0.05)
    # written beside the folder and moved in: a poll between the file's creation and its text
    # landing would see an empty file, then the full one, and rightly build twice
    (tmp_path / "new.txt").write_text("Copper prices jumped on Wednesday after a strike shut the largest mine in Chile.\n")
    (tmp_path / "new.txt").replace(seeds / "new.txt")
    thread.join()
    assert len(builds) == 2
    assert "new.txt" in (tmp_path / "docs" / "digest.json").read_text(encoding="utf-8")


def test_watch_starts_on_pages_that_are_up_to_date(tmp_path, caplog):
    import logging

    from generator.build import build
    from generator.settings import build_settings
    from generator.watch import watch

    settings = build_settings(seeds=str(ROOT / "seeds"), docs=str(tmp_path / "docs"), templates=str(ROOT / "templates"),
                              cache=str(tmp_path / "cache"), jobs=1)
    first = build(settings)
    builds = []
    with caplog.at_level(logging.WARNING, logger="generator"):
        watch(settings, 0.01, 2, on_build=lambda: builds.append(1))
    assert builds == [1]
    assert f"nothing changed: kept {first.stories} stories from {first.articles} articles" in caplog.text
