"""Tables and long lines in a real terminal (rich, FORCE_COLOR, COLUMNS): at 80 and 120
columns no line is wider than the terminal and no state word is cut."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.config import Config
from tests.helpers import CONFIG_YAML, make_config

NOW = "2026-11-23 11:00"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
FIVE = "[x, facebook, mastodon, bluesky, linkedin]"
QUEUE = f"""\
defaults:
  author: c.dupuis
  approved_by: a.renier
posts:
  - id: news-2026-11-20-3fa9
    at: 2026-11-20 10:00
    text: Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
    networks: {FIVE}
  - id: journee-portes-ouvertes-institut-formation-soins-infirmiers-2026-11-24
    at: 2026-11-24 10:00
    text: Journée portes ouvertes de l'institut de formation en soins infirmiers.
    networks: {FIVE}
  - id: vers-x-desactive
    at: 2026-11-25 10:00
    text: Vaccination contre la grippe, les professionnels du CHU se mobilisent.
    networks: [x, facebook]
  - id: brouillon
    at: 2026-11-26 10:00
    text: Ce traitement guérit à 100 % sans effets secondaires !
    draft: true
    networks: {FIVE}
  - id: chaque-lundi
    every: "0 9 * * 1"
    text: Rappel hebdomadaire, les visites sont ouvertes de 12 h à 20 h.
    networks: [facebook, mastodon]
"""


@pytest.fixture
def site(tmp_path: Path) -> Config:
    config = make_config(tmp_path / "site", text=CONFIG_YAML.replace("x: {enabled: true}", "x: {enabled: false}"))
    (config.root / "posts" / "news.yaml").write_text(QUEUE, encoding="utf-8")
    return config


def in_terminal(config: Config, width: int, *args: str) -> Result:
    env = {"FORCE_COLOR": "1", "COLUMNS": str(width), "NO_COLOR": None}
    return CliRunner().invoke(cli, ["--config", str(config.path), *args, "--now", NOW], env=env)


def plain(result: Result) -> str:
    return ANSI.sub("", result.output)


@pytest.mark.parametrize("width", [80, 120])
def test_queue_list_fits_the_terminal_and_keeps_every_state_whole(site: Config, width: int) -> None:
    rows = json.loads(
        CliRunner()
        .invoke(cli, ["--config", str(site.path), "queue", "list", "--all", "--format", "json", "--now", NOW])
        .output
    )
    states = {row["state"] for row in rows}
    assert {"past, not published", "scheduled", "draft", "blocked: x not enabled"} <= states
    result = in_terminal(site, width, "queue", "list", "--all")
    assert result.exit_code == 0, result.output
    lines = plain(result).splitlines()
    assert max(len(line) for line in lines) <= width, "\n".join(lines)
    words = set(" ".join(lines).split())
    for state in states:
        assert set(state.split()) <= words, (state, "\n".join(lines))
    for row in rows:  # an id of ordinary length stays whole; a very long one folds, its start shown
        assert (row["id"] if len(row["id"]) <= 24 else row["id"][:16]) in words or row["id"][:16] in plain(result)


def test_queue_list_at_120_columns_shows_every_column(site: Config) -> None:
    header = " ".join(plain(in_terminal(site, 120, "queue", "list")).split("─")[0].split()).split()
    assert header == ["time", "(Europe/Paris)", "id", "queue", "networks", "kind", "check", "state"]


def test_queue_list_at_80_columns_drops_low_priority_columns_not_the_state(site: Config) -> None:
    out = plain(in_terminal(site, 80, "queue", "list"))
    header = out.split("─")[0].split()
    assert {"time", "id", "check", "state"} <= set(header)
    assert "scheduled" in out and "sched…" not in out and "…" not in out


def test_outside_a_terminal_the_list_is_never_wrapped(site: Config) -> None:
    result = CliRunner().invoke(cli, ["--config", str(site.path), "queue", "list", "--now", NOW])
    assert "x, facebook, mastodon, bluesky, linkedin" in result.output


@pytest.mark.parametrize("width", [80, 120])
def test_long_check_findings_wrap_under_their_message(site: Config, width: int) -> None:
    result = in_terminal(site, width, "check")
    lines = plain(result).splitlines()
    assert max(len(line) for line in lines) <= width, "\n".join(lines)
    findings = lines[lines.index("  news-2026-11-20-3fa9  (line 5)") + 1 :]
    continued = [line for line in findings[1:4] if line.strip()]
    assert continued and all(line.startswith(" " * 44) for line in continued), "\n".join(findings)
    joined = " ".join(" ".join(lines).split())
    assert "and never published: it will not go out automatically." in joined


def test_check_output_in_a_pipe_has_no_trailing_spaces(site: Config) -> None:
    result = CliRunner().invoke(cli, ["--config", str(site.path), "check", "--now", NOW])
    assert all(line == line.rstrip() for line in result.output.splitlines())


@pytest.mark.parametrize("width", [80, 120])
def test_status_lines_wrap_under_their_text(site: Config, width: int) -> None:
    lines = plain(in_terminal(site, width, "status")).splitlines()
    assert max(len(line) for line in lines) <= width, "\n".join(lines)
    assert all(
        line.startswith("  ") or line.endswith(("human", "Next due")) or line[:1].isdigit()
        for line in lines
        if not line.startswith(("Needs", "Next", "Daemons", "Last run"))
    ), "\n".join(lines)
