"""Several daemons on one ledger (PostgreSQL across machines, SQLite on one machine):
each delivery is sent by exactly one of them; when one is killed, the others carry on and
only what was in flight in the dead one can end `unknown`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hospipost.ledger import Ledger
from tests.fakes.netserver import running
from tests.test_exactly_once import SECRETS, make_site

HOSPIPOST = str(Path(sys.executable).with_name("hospipost"))
POSTS = 150  # x 2 networks = 300 deliveries
SPREAD = 60  # seconds over which they fall due


def write_posts(config: Path, start: datetime) -> None:
    lines = ["defaults:\n  networks: [x, facebook]\n  author: c.dupuis\n  approved_by: a.renier\nposts:\n"]
    for number in range(POSTS):
        at = start + timedelta(seconds=SPREAD * number / POSTS)
        lines.append(
            f"  - id: info-{number}\n    at: {at.isoformat()}\n"
            f"    text: Information numéro {number} du CHU d'Angers sur l'accueil des familles.\n"
        )
    (config.parent / "posts" / "news.yaml").write_text("".join(lines), encoding="utf-8")


def start_daemon(config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [HOSPIPOST, "--config", str(config), "daemon"],
        env={**os.environ, **SECRETS},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.timeout(240)
def test_two_daemons_one_killed_midway(tmp_path: Path, ledger_url: str) -> None:
    with running(latency=0.05) as server:
        config = make_site(tmp_path / "site", server.url, ledger_url, posts=0)
        config.write_text(config.read_text() + "daemon: {sweep_seconds: 5, reload_seconds: 1, heartbeat_seconds: 2}\n")
        start = datetime.now(ZoneInfo("Europe/Paris")).replace(microsecond=0) + timedelta(seconds=8)
        write_posts(config, start)
        daemons = [start_daemon(config) for _ in range(2)]
        try:
            time.sleep(8 + SPREAD / 2)
            daemons[0].send_signal(signal.SIGKILL)
            daemons[0].wait()
            deadline = time.time() + SPREAD / 2 + 20
            while time.time() < deadline:
                states = Counter(item.state for item in Ledger.open(ledger_url).all())
                if sum(states[s] for s in ("sent", "unknown")) == POSTS * 2:
                    break
                time.sleep(1)
        finally:
            daemons[1].send_signal(signal.SIGTERM)
            _, err = daemons[1].communicate(timeout=60)
        received = {network: Counter(server.texts(network)) for network in ("x", "facebook")}
    assert daemons[1].returncode == 0, err
    for network, counts in received.items():
        assert set(counts.values()) == {1}, f"{network} received a post twice"
    items = Ledger.open(ledger_url).all()
    states = Counter(item.state for item in items)
    assert set(states) <= {"sent", "unknown"} and sum(states.values()) == POSTS * 2, states
    assert states["unknown"] <= 8, "only what was in flight in the killed daemon may be unknown"
    assert sum(len(c) for c in received.values()) >= states["sent"]
    owners = {e["actor"] for e in Ledger.open(ledger_url).event_log(kinds=["sent"])}
    assert len(owners) == 2, "both daemons published"
