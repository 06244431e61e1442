"""The daemon's jobs, driven with an injectable clock: reload, sweeps, recurring posts
across DST, heartbeats; and a real daemon process publishing on time and stopping cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.daemon import Daemon
from hospipost.ledger import Ledger
from tests.fakes.adapter import FakeNetworkSet
from tests.helpers import CLEAN_POST, CONFIG_YAML

PARIS = ZoneInfo("Europe/Paris")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def write_queue(site: Path, name: str, *posts: dict, raw: str | None = None) -> Path:
    path = site / "posts" / f"{name}.yaml"
    path.write_text(
        raw if raw is not None else yaml.safe_dump({"posts": list(posts)}, allow_unicode=True), encoding="utf-8"
    )
    stamp = time.time() + len(list(site.glob("posts/*"))) + time.perf_counter() % 1  # a new mtime, always
    os.utime(path, (stamp, stamp))
    return path


def post(post_id: str, at: str, **changes) -> dict:
    return {
        **CLEAN_POST,
        "id": post_id,
        "at": at,
        "networks": ["x"],
        "text": f"Information {post_id} du CHU d'Angers pour les familles.",
        **changes,
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "posts").mkdir()
    (tmp_path / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    return tmp_path


@pytest.fixture
def make_daemon(site: Path):
    def make(now: datetime) -> tuple[Daemon, Clock, FakeNetworkSet]:
        clock, networks = Clock(now), FakeNetworkSet()
        return Daemon(site / "config.yaml", clock=clock, adapters=networks), clock, networks

    return make


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def test_a_sweep_publishes_what_is_due_once(site: Path, make_daemon) -> None:
    write_queue(site, "news", post("a", "2026-12-01 10:00"), post("b", "2026-12-01 11:00"))
    daemon, clock, networks = make_daemon(local(2026, 12, 1, 10, 0, 1))
    assert [(o.post_id, o.state) for o in daemon.sweep()] == [("a", "sent")]
    assert daemon.sweep() == []
    clock.now = local(2026, 12, 1, 11, 0, 0)
    assert [o.post_id for o in daemon.sweep()] == ["b"]
    assert len(networks["x"].published) == 2


def test_the_daemons_fetch_figures_once_per_stats_every_between_them(site: Path, make_daemon) -> None:
    write_queue(site, "news", post("a", "2026-12-01 10:00"))
    first, clock, networks = make_daemon(local(2026, 12, 1, 10, 0, 1))
    second = Daemon(site / "config.yaml", clock=clock, adapters=networks)  # another host, the same ledger
    first.sweep()
    result = first.fetch_stats()
    assert result is not None and [(r.network, r.read) for r in result.readings] == [("x", 1)]
    clock.now += timedelta(hours=23)
    assert second.fetch_stats() is None and first.fetch_stats() is None  # stats.every: 1 day by default
    clock.now += timedelta(hours=1)
    assert second.fetch_stats() is not None and first.fetch_stats() is None
    assert len(first.ledger.snapshots()) == 2


def test_exact_times_are_the_distinct_upcoming_instants(site: Path, make_daemon) -> None:
    write_queue(
        site,
        "news",
        post("a", "2026-12-01 10:00"),
        post("b", "2026-12-01 10:00", text="Autre texte du CHU."),
        post("c", "2026-12-01 12:30"),
        post("far", "2026-12-09 10:00"),
    )
    daemon, _, _ = make_daemon(local(2026, 12, 1, 9, 0))
    assert daemon.exact_times(local(2026, 12, 1, 9, 0)) == [local(2026, 12, 1, 10, 0), local(2026, 12, 1, 12, 30)]


def test_new_edited_moved_and_removed_posts_are_picked_up(site: Path, make_daemon) -> None:
    write_queue(site, "news", post("a", "2026-12-01 10:00"))
    daemon, clock, networks = make_daemon(local(2026, 12, 1, 9, 0))
    assert daemon.reload() is False
    write_queue(site, "news", post("a", "2026-12-01 09:30"), post("b", "2026-12-01 09:45"))
    write_queue(site, "events", post("c", "2026-12-01 09:50"))
    assert daemon.reload() is True
    assert sorted(p.id for p in daemon.posts()) == ["a", "b", "c"]
    assert daemon.exact_times(clock.now)[0] == local(2026, 12, 1, 9, 30)
    (site / "posts" / "events.yaml").unlink()
    assert daemon.reload() is True and sorted(p.id for p in daemon.posts()) == ["a", "b"]
    clock.now = local(2026, 12, 1, 9, 55)
    assert sorted(o.post_id for o in daemon.sweep()) == ["a", "b"]


def test_a_broken_queue_keeps_its_last_good_version_and_is_reported(site: Path, make_daemon) -> None:
    write_queue(site, "news", post("a", "2026-12-01 10:00"))
    write_queue(site, "events", post("c", "2026-12-01 10:30"))
    daemon, clock, networks = make_daemon(local(2026, 12, 1, 9, 0))
    write_queue(site, "news", raw="posts:\n  - id: a\n    text: [unclosed\n")
    assert daemon.reload() is False
    [problem] = daemon.problems.values()
    assert "news.yaml:4: invalid YAML" in problem and "last good version keeps running" in problem
    daemon.heartbeat()
    assert daemon.ledger.daemon_list()[0]["problems"] == [problem]
    clock.now = local(2026, 12, 1, 10, 30)
    assert sorted(o.post_id for o in daemon.sweep()) == ["a", "c"]
    write_queue(site, "news", post("a", "2026-12-01 10:00"))
    daemon.reload()
    assert daemon.problems == {}


def test_a_duplicate_id_in_an_edited_queue_is_refused(site: Path, make_daemon) -> None:
    write_queue(site, "news", post("a", "2026-12-01 10:00"))
    daemon, _, _ = make_daemon(local(2026, 12, 1, 9, 0))
    write_queue(site, "events", post("a", "2026-12-01 11:00"))
    daemon.reload()
    assert "duplicate post id 'a'" in next(iter(daemon.problems.values()))
    assert [p.queue for p in daemon.posts()] == ["news"]


def test_config_edits_apply_and_a_broken_config_keeps_the_old_one(site: Path, make_daemon) -> None:
    write_queue(site, "news", post("a", "2026-12-01 03:00"))
    daemon, clock, _ = make_daemon(local(2026, 12, 1, 10, 0))
    config = site / "config.yaml"
    config.write_text(CONFIG_YAML + "late_window: 12h\n")
    os.utime(config, (time.time() + 5, time.time() + 5))
    assert daemon.reload() is True and daemon.config.late_window == timedelta(hours=12)
    config.write_text(CONFIG_YAML + "late_window: soon\n")
    os.utime(config, (time.time() + 10, time.time() + 10))
    daemon.reload()
    assert daemon.config.late_window == timedelta(hours=12)
    assert "late_window must be a duration" in daemon.problems[config]
    assert [o.state for o in daemon.sweep()] == ["sent"]


def test_a_weekly_post_follows_local_time_across_dst(site: Path, make_daemon) -> None:
    write_queue(site, "prevention", post("lundi", "2027-03-01 00:00", every="0 9 * * MON", kind="prevention"))
    daemon, clock, networks = make_daemon(local(2027, 3, 22, 8, 0))
    assert daemon.exact_times(clock.now)[0] == local(2027, 3, 22, 9, 0)
    for day in (22, 29):  # before and after the change to summer time
        clock.now = local(2027, 3, day, 9, 0, 0)
        assert [o.state for o in daemon.sweep()] == ["sent"]
    keys = [key for key, _, _ in networks["x"].published]
    assert keys == ["lundi:x:20270322T0800Z", "lundi:x:20270329T0700Z"]


def test_stopping_makes_no_new_claims(site: Path, make_daemon) -> None:
    write_queue(site, "news", post("a", "2026-12-01 10:00"))
    daemon, clock, networks = make_daemon(local(2026, 12, 1, 10, 1))
    daemon.stopping.set()
    assert daemon.sweep() == [] and daemon.ledger.all() == []


def test_status_shows_the_daemons(site: Path, make_daemon) -> None:
    write_queue(site, "news", post("a", "2026-12-01 10:00"))
    daemon, _, _ = make_daemon(datetime.now(UTC))
    daemon.heartbeat()
    result = CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "status"])
    assert "Daemons" in result.output and f"{daemon.ledger.actor}  alive" in result.output
    daemon.heartbeat(stopped=True)
    result = CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "status"])
    assert "stopped at" in result.output and "no daemon is alive" in result.output


def test_a_real_daemon_publishes_on_time_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    from tests.fakes.netserver import running
    from tests.test_exactly_once import SECRETS, make_site

    with running() as server:
        config = make_site(tmp_path / "site", server.url, f"sqlite:///{tmp_path / 'state.db'}", posts=0)
        text = config.read_text() + "daemon: {sweep_seconds: 30, reload_seconds: 0.2, heartbeat_seconds: 1}\n"
        config.write_text(text)
        env = {**os.environ, **SECRETS}
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("hospipost")),
                "--config",
                str(config),
                "daemon",
                "--log-format",
                "json",
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            time.sleep(1.5)  # started, first sweep done
            due = datetime.now(PARIS).replace(microsecond=0) + timedelta(seconds=4)
            (config.parent / "posts" / "news.yaml").write_text(
                yaml.safe_dump(
                    {"posts": [post("ponctuel", due.isoformat(), networks=["x", "facebook"])]}, allow_unicode=True
                )
            )
            deadline = due.timestamp() + 5
            while len(server.posts()) < 2 and time.time() < deadline:
                time.sleep(0.05)
            arrival = time.time()
            assert len(server.posts()) == 2, "the post did not go out"
            assert arrival - due.timestamp() < 1.0  # the exact-time job, not the 30 s sweep
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert '"outcome": "sent"' in err and '"post": "ponctuel"' in err and "daemon stopped" in err
    offset = datetime.now(PARIS).isoformat()[-6:]  # the config's timezone, as in every other output
    assert all(json.loads(line)["time"].endswith(offset) for line in err.splitlines() if line.startswith("{"))
    [daemon] = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}").daemon_list()
    assert daemon["stopped_at"] is not None
    for secret in SECRETS.values():
        assert secret not in err
