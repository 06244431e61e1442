"""`hospipost pause` and `resume`: every publisher sharing the ledger stops at once, alerts aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.daemon import Daemon
from hospipost.ledger import Ledger
from tests import clock
from tests.conftest import _postgresql_schema
from tests.fakes.adapter import FakeNetworkSet
from tests.fakes.netserver import running
from tests.test_exactly_once import SECRETS, make_site

ALERT = """\
  - id: canicule
    kind: alert
    at: 2026-12-01 09:50
    valid_until: 2026-12-01 20:00
    text: "Fortes chaleurs : appelez le 15 en cas de malaise. Canicule info service 0 800 06 66 66. https://www.santepubliquefrance.fr"
"""


def hospipost(config: Path, *args: str, at: str = "2026-12-01 10:30") -> Result:
    with clock.at(at):
        return CliRunner(env=SECRETS).invoke(cli, ["--config", str(config), *args])


def site_with_an_alert(tmp_path: Path, server_url: str, ledger_url: str | None = None) -> Path:
    config = make_site(
        tmp_path / "site", server_url, ledger_url or "sqlite:///.hospipost/state.db", posts=2, networks=("x",)
    )
    queue = config.parent / "posts" / "news.yaml"
    queue.write_text(queue.read_text(encoding="utf-8") + ALERT, encoding="utf-8")
    return config


def test_a_pause_holds_everything_but_alerts_until_resume(tmp_path: Path) -> None:
    with running() as server:
        config = site_with_an_alert(tmp_path, server.url)
        paused = hospipost(
            config, "pause", "--reason", "Deuil : hommage au Dr Martin", "--by", "a.renier", at="2026-12-01 10:00"
        )
        assert paused.exit_code == 0, paused.output
        assert "Paused. Nothing but alerts is published until `hospipost resume`" in paused.output

        during = hospipost(config, "publish")
        assert during.exit_code == 0, during.output
        assert server.texts("x") == [
            "Fortes chaleurs : appelez le 15 en cas de malaise. Canicule info service 0 800 06 66 66. https://www.santepubliquefrance.fr"
        ]
        assert (
            "‖ paused info-0 → x: Held by the pause of 2026-12-01 10:00 (a.renier: Deuil : hommage au Dr Martin)"
            in (" ".join(during.output.split()))
        )
        assert hospipost(config, "publish", "--quiet").output == ""  # cron mails nothing every minute

        status = hospipost(config, "status")
        assert status.output.startswith("‖ Publishing is paused since 2026-12-01 10:00 until `hospipost resume`")
        first = json.loads(hospipost(config, "status", "--format", "json").output)[0]
        assert first["state"] == "paused" and first["reason"] == "Deuil : hommage au Dr Martin"

        preview = hospipost(config, "publish", "--dry-run", "--now", "2026-12-01 10:31")
        assert (
            "Dry run: 0 deliveries would be sent" in preview.output
            and "‖ info-1 → x: Held by the pause" in preview.output
        )

        resumed = hospipost(config, "resume")
        assert "Resumed: the pause of 2026-12-01 10:00 (Deuil : hommage au Dr Martin) is over" in resumed.output
        hospipost(config, "publish")
        assert len(server.texts("x")) == 3  # the two held posts, each once, and the alert once
        history = Ledger.open(f"sqlite:///{config.parent / '.hospipost' / 'state.db'}", migrate=False)
        assert [e["kind"] for e in history.event_log(kinds=["paused", "resumed"])] == ["resumed", "paused"]


def test_all_holds_alerts_too_and_a_pause_ends_by_itself(tmp_path: Path) -> None:
    with running() as server:
        config = site_with_an_alert(tmp_path, server.url)
        hospipost(config, "pause", "--all", "--until", "+45m", "--reason", "Panne du standard", at="2026-12-01 10:00")
        hospipost(config, "publish", at="2026-12-01 10:30")
        assert server.texts("x") == []
        hospipost(config, "publish", at="2026-12-01 10:50")  # past --until: everything goes out
        assert len(server.texts("x")) == 3


def test_two_daemons_sharing_postgresql_obey_a_pause_decided_elsewhere(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    config = site_with_an_alert(tmp_path, "http://127.0.0.1:9", _postgresql_schema(request))
    networks = FakeNetworkSet()
    with clock.at("2026-12-01 10:00"):
        first, second = (Daemon(config, adapters=networks) for _ in range(2))
    hospipost(config, "pause", "--reason", "Crise en cours", at="2026-12-01 10:00")
    with clock.at("2026-12-01 10:30"):
        sent = [outcome for daemon in (first, second) for outcome in daemon.sweep() if outcome.state == "sent"]
    assert [outcome.post_id for outcome in sent] == ["canicule"]
    assert [key for key, _, _ in networks["x"].published] == ["canicule:x:once"]
    hospipost(config, "resume", at="2026-12-01 10:40")
    with clock.at("2026-12-01 10:41"):
        sent = [outcome.post_id for daemon in (first, second) for outcome in daemon.sweep() if outcome.state == "sent"]
    assert sorted(sent) == ["info-0", "info-1"]  # each by one daemon only
    assert len(networks["x"].published) == 3


def test_a_pause_needs_a_reason_and_a_future_end(tmp_path: Path) -> None:
    config = site_with_an_alert(tmp_path, "http://127.0.0.1:9")
    past = hospipost(config, "pause", "--reason", "Crise", "--until", "2026-11-30 10:00")
    assert past.exit_code == 2 and "--until is already past" in past.output
    blank = hospipost(config, "pause", "--reason", "  ")
    assert blank.exit_code == 2 and "--reason must say why" in blank.output
    assert hospipost(config, "resume").output == "Publishing was not paused.\n"
