"""A seeded, time-bounded fuzz of queue files and config.yaml through the CLI.

Realistic files (the ones `hospipost init` writes) are mutated: YAML tags with impossible
values, merge keys on non-mappings, huge strings, control characters, calendar-edge
dates, type swaps, truncation. Every run must end with exit 0, 1 or 2, no traceback,
and any error printed as a single line.
"""

from __future__ import annotations

import random
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli

SEED = 20261205
CASES = 60
TIME_BUDGET = 25.0
COMMANDS = (["check"], ["queue", "list"], ["status", "--now"], ["publish", "--dry-run", "--now"])
NOWS = ("2026-11-23 11:00",) * 6 + ("+99999999999d", "9999-12-31 23:59", "0001-01-01 00:00", "+999999m")

TAG_VALUES = (
    "!!float abc",
    "!!int x1",
    "!!bool maybe",
    "!!omap [a: 1]",
    "!!set [1, 2]",
    "!!binary '@@'",
    "!!timestamp 2027-13-45",
    "!!null x",
    "!!python/object:os.system x",
    "!!str",
    "!!pairs [a: 1]",
    "!!map [1]",
    "!!seq {a: 1}",
    "!!float .nanx",
    "!!int 99999999999999999999999999",
)
EDGE_VALUES = (
    "0001-01-01 00:00",
    "9999-12-31 23:59",
    "0001-01-01",
    "9999-12-31",
    "2027-02-30",
    "1970-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "+99999999999d",
    '"2027-02-01"',
    "2027-02-01",
    "25:99",
    "-1",
    "1e400",
    "0",
    "[]",
    "{}",
    "''",
    "null",
    "true",
    "<<: [1, 2]",
    "{<<: 3}",
    "*nope",
    "&a [*a]",
)
# The keys whose values reach date arithmetic, file names or scans of long text.
FAVOURED = (
    "at",
    "valid_until",
    "until",
    "every",
    "timezone",
    "posts_dir",
    "late_window",
    "start",
    "end",
    "alt",
    "text",
    "file",
)
CONTROL = ("\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\u2028", "\ufeff", "\t", "\r")


def _values(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(TAG_VALUES)
    if pick < 0.7:
        return rng.choice(EDGE_VALUES)
    if pick < 0.85:
        return '"' + rng.choice(("a", "https://x.fr ", "é")) * rng.choice((300, 150_000)) + '"'
    return '"x' + rng.choice(CONTROL) + 'y"'


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 3)):
        how = rng.random()
        candidates = [i for i, line in enumerate(lines) if re.match(r"\s*-?\s*[a-z_]+:", line)]
        favoured = [i for i in candidates if re.match(rf"\s*-?\s*({'|'.join(FAVOURED)}):", lines[i])]
        if favoured and rng.random() < 0.5:
            candidates = favoured
        if how < 0.6 and candidates:
            i = rng.choice(candidates)
            key = re.match(r"(\s*-?\s*[a-z_]+:)", lines[i]).group(1)
            lines[i] = f"{key} {_values(rng)}\n"
        elif how < 0.7 and candidates:
            i = rng.choice(candidates)
            indent = re.match(r"(\s*)", lines[i]).group(1)
            lines.insert(i, f"{indent}<<: {rng.choice(('[1, 2]', '3', 'abc', '[[a]]', '{a: 1}'))}\n")
        elif how < 0.8:
            i = rng.randrange(len(lines))
            cut = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:cut] + rng.choice(CONTROL) + lines[i][cut:]
        elif how < 0.9:
            lines = lines[: rng.randrange(1, len(lines) + 1)]
            if lines:
                lines[-1] = lines[-1][: rng.randrange(len(lines[-1]) + 1)]
        else:
            i = rng.randrange(len(lines))
            lines[i] = lines[i].replace(": ", rng.choice((": [", ": {", ":: ", ": !!str ", ":\t")), 1)
    return "".join(lines)


def run_case(template: Path, work: Path, rng: random.Random, target: str) -> list[str]:
    """Mutate one file of a copy of the site, run every command; the problems found."""
    site = work / f"site{rng.randrange(10**9)}"
    shutil.copytree(template, site)
    files = [site / "config.yaml"] if target == "config" else sorted((site / "posts").glob("*.yaml"))
    path = rng.choice(files)
    path.write_text(mutate(path.read_text(encoding="utf-8"), rng), encoding="utf-8", errors="surrogatepass")
    problems = []
    now = rng.choice(NOWS)
    for command in COMMANDS:
        command = [*command, now] if command[-1] == "--now" else command
        result = CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), *command])
        where = f"{' '.join(command)} on {path.name}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problems.append(f"{where}: {type(result.exception).__name__}: {result.exception}")
        elif result.exit_code not in (0, 1, 2):
            problems.append(f"{where}: exit {result.exit_code}")
        elif result.exit_code == 2 and not _one_line_per_error(result.stderr):
            problems.append(f"{where}: an error of several lines: {result.stderr[:300]!r}")
        if "Traceback" in result.output:
            problems.append(f"{where}: traceback in output")
    shutil.rmtree(site)
    return problems


def _one_line_per_error(stderr: str) -> bool:
    """Each error is one line (publish reports a skipped queue and goes on with the others)."""
    lines = stderr.strip().splitlines()
    return bool(lines) and all(line.startswith("Error: ") for line in lines)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("fuzz") / "site"
    result = CliRunner().invoke(cli, ["init", str(site)])
    assert result.exit_code == 0, result.output
    return site


def fuzz(template: Path, work: Path, cases: int, budget: float, seed: int = SEED) -> tuple[int, list[str]]:
    rng = random.Random(seed)
    started, done, problems = time.monotonic(), 0, []
    for case in range(cases):
        if time.monotonic() - started > budget:
            break
        target = "config" if case % 3 == 0 else "queue"
        problems += run_case(template, work, rng, target)
        done += 1
    return done, problems


def test_fuzzed_queue_files_and_configs_never_crash(template: Path, tmp_path: Path) -> None:
    done, problems = fuzz(template, tmp_path, CASES, TIME_BUDGET)
    assert done >= 10
    assert problems == []
