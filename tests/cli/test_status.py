"""`hospipost status`: what needs a human, with real files and a real (absent or SQLite) ledger."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from hospipost.cli import cli
from tests.helpers import CONFIG_YAML, make_config

NOW = "2026-11-23 11:00"
QUEUE = """\
posts:
  - id: vers-x
    at: 2026-11-24 10:00
    text: Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
    networks: [x, facebook]
    author: c.dupuis
    approved_by: a.renier
"""


def run(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config_path), *args, "--now", NOW])


def disabled_x_site(tmp_path: Path) -> Path:
    config = make_config(tmp_path / "site", text=CONFIG_YAML.replace("x: {enabled: true}", "x: {enabled: false}"))
    (config.root / "posts" / "news.yaml").write_text(QUEUE, encoding="utf-8")
    return config.path


def test_a_delivery_to_a_disabled_network_needs_a_human_not_next_due(tmp_path: Path) -> None:
    site = disabled_x_site(tmp_path)
    result = run(site, "status")
    assert result.exit_code == 1, result.output
    human, due = result.output.split("Next due")
    assert "vers-x → x  Blocked: x is not enabled in config.yaml" in human
    assert "vers-x  → facebook" in due and "→ x" not in due.replace("→ facebook", "")
    assert "0 deliveries sent, 1 needs a human, 0 retrying." in result.output


def test_status_json_marks_the_blocked_delivery(tmp_path: Path) -> None:
    rows = json.loads(run(disabled_x_site(tmp_path), "status", "--format", "json").output)
    assert {(row["network"], row["state"]) for row in rows} == {("x", "blocked"), ("facebook", "scheduled")}


def test_queue_list_and_show_never_say_scheduled_for_a_post_that_cannot_go_out(tmp_path: Path) -> None:
    site = disabled_x_site(tmp_path)
    listed = run(site, "queue", "list")
    assert listed.exit_code == 0, listed.output
    assert "blocked: x not enabled" in listed.output and "scheduled" not in listed.output
    shown = run(site, "queue", "show", "vers-x")
    assert "blocked: x not enabled" in shown.output and "scheduled" not in shown.output


BROKEN = "posts:\n  - id: vers-x\n    text: [unclosed\n"


def test_status_shows_what_a_daemon_keeps_running_from_a_broken_files_last_good_version(tmp_path: Path) -> None:
    from hospipost.daemon import Daemon
    from tests import clock
    from tests.fakes.adapter import FakeNetworkSet

    config = make_config(tmp_path / "site", text=CONFIG_YAML)
    queue = config.root / "posts" / "news.yaml"
    queue.write_text(QUEUE, encoding="utf-8")
    with clock.at("2026-11-23 11:00"):
        daemon = Daemon(config.path, adapters=FakeNetworkSet())
        queue.write_text(BROKEN, encoding="utf-8")
        daemon.reload()
        daemon.heartbeat()
        text = CliRunner().invoke(cli, ["--config", str(config.path), "status"])
        rows = json.loads(CliRunner().invoke(cli, ["--config", str(config.path), "status", "--format", "json"]).output)
    assert "✖ unreadable queue:" in text.output and "news.yaml:4: invalid YAML" in text.output
    due = text.output.split("Next due", 1)[1]
    assert "2026-11-24 10:00 vers-x → x, facebook (kept running by" in " ".join(due.split())
    assert "from the last good version of news.yaml)" in " ".join(due.split())
    kept = [row for row in rows if row.get("kept")]
    assert {(row["post"], row["network"], row["state"]) for row in kept} == {
        ("vers-x", "x", "scheduled"),
        ("vers-x", "facebook", "scheduled"),
    }
    with clock.at("2026-11-23 11:00"):
        daemon.heartbeat(stopped=True)  # a stopped daemon runs nothing: status no longer lists the post
        after = CliRunner().invoke(cli, ["--config", str(config.path), "status"])
    assert "vers-x" not in after.output.split("Next due", 1)[1]
