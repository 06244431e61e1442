"""Retraction across processes: a `retract` killed with SIGKILL after deleting one part of a thread,
then the next `publish` (cron) finishes it without deleting any part twice, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hospipost.ledger import Ledger
from tests import clock
from tests.fakes.netserver import running
from tests.test_exactly_once import SECRETS, make_site, publish

THREAD = """\
  - id: fil
    at: 2026-12-01 10:00
    text: Le CHU d'Angers ouvre un nouveau service d'accueil des familles.
    thread: ["Horaires : du lundi au vendredi, de 9 h à 18 h.", "Accès : hall B, rez-de-chaussée."]
"""


def deleting(config: Path, at: str, *args: str) -> subprocess.Popen:
    """The real CLI in a subprocess at ``at``, able to delete on the local server (tests.fakes.deleting)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.deleting", at, "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **SECRETS},
        cwd=clock.ROOT,
    )


@pytest.mark.timeout(120)
def test_a_retraction_killed_after_one_part_is_finished_by_the_next_run_without_deleting_twice(
    tmp_path: Path, ledger_url: str
) -> None:
    with running() as server:
        config = make_site(tmp_path / "site", server.url, ledger_url, posts=0, networks=("x",))
        (config.parent / "posts" / "news.yaml").write_text(
            "defaults:\n  networks: [x]\n  author: c.dupuis\n  approved_by: a.renier\nposts:\n" + THREAD,
            encoding="utf-8",
        )
        out, err = publish(config).communicate(timeout=60)
        ledger = Ledger.open(ledger_url)
        parts = ledger.get("fil:x:once").parts
        assert len(server.texts("x")) == 3 and len(parts) == 3, out + err

        server.delete_latency = 0.6  # each DELETE takes a while: the kill lands during the second one
        killed = deleting(config, "2026-12-01 10:40", "retract", "fil", "--reason", "Horaires erronés")
        deadline = time.monotonic() + 60
        while not [r for r in ledger.retractions("fil") if r.deleted] and time.monotonic() < deadline:
            time.sleep(0.02)
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        [half] = ledger.retractions("fil")
        assert half.state == "deleting" and half.deleted == (parts[2],)  # the last part went first

        server.delete_latency = 0.0
        out, err = deleting(config, "2026-12-01 10:41", "publish").communicate(timeout=60)
        assert "✔ retracted fil → x" in out, out + err
        again, _ = deleting(config, "2026-12-01 10:45", "publish").communicate(timeout=60)
        requests = [(post_id, status) for network, post_id, status in server.deletions if network == "x"]
    assert sorted(server.deleted("x")) == sorted(parts)  # each part deleted once
    assert [status for post_id, status in requests if post_id == parts[2]] == [200]  # recorded: never asked again
    assert len(requests) <= 4  # the part in flight when killed may be asked once more (404: already gone)
    [done] = ledger.retractions("fil")
    assert done.state == "retracted" and set(done.deleted) == set(parts)
    kinds = [event["kind"] for event in ledger.event_log(post_id="fil")]
    assert "retract-requeued" in kinds and kinds.count("retracted") == 1
    assert "fil" not in again
