"""Exactly once, with real processes: concurrent `publish` runs and SIGKILLs, on SQLite
and PostgreSQL, against a local HTTP server standing in for the seven networks.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from hospipost.ledger import Ledger
from tests import clock
from tests.fakes.netserver import INSTAGRAM_USER, THREADS_USER, running
from tests.helpers import CONFIG_YAML

SECRETS = {
    "HOSPIPOST_X_API_KEY": "SECRET-X-KEY-7f3a",
    "HOSPIPOST_X_API_SECRET": "SECRET-X-APISECRET-91bc",
    "HOSPIPOST_X_ACCESS_TOKEN": "SECRET-X-TOKEN-55de",
    "HOSPIPOST_X_ACCESS_TOKEN_SECRET": "SECRET-X-TOKENSECRET-0a1b",
    "HOSPIPOST_FACEBOOK_TOKEN": "EAAB-SECRET-FB-TOKEN-c0ffee",
    "HOSPIPOST_MASTODON_TOKEN": "SECRET-MASTODON-TOKEN-beef",
    "HOSPIPOST_LINKEDIN_TOKEN": "SECRET-LINKEDIN-TOKEN-f00d",
    "HOSPIPOST_BLUESKY_APP_PASSWORD": "secr-etbl-uesk-y123",
    "HOSPIPOST_INSTAGRAM_TOKEN": "IGQ-SECRET-INSTAGRAM-TOKEN-d00d",
    "HOSPIPOST_THREADS_TOKEN": "THQ-SECRET-THREADS-TOKEN-cafe",
}
HOSPIPOST = str(Path(sys.executable).with_name("hospipost"))
ALL_FIVE = ("x", "facebook", "mastodon", "bluesky", "linkedin")
SEVEN = (*ALL_FIVE, "instagram", "threads")


def make_site(
    folder: Path, server_url: str, ledger_url: str, posts: int, networks: tuple[str, ...] = ("x", "facebook")
) -> Path:
    """A site whose networks talk to the local server (the others disabled), with posts to those networks.

    With Instagram or Threads, every post carries a JPEG image (Instagram takes no post without one),
    served by the local server as media_url (it serves the site's media/ under /public/)."""
    config = CONFIG_YAML.replace("state: sqlite:///.hospipost/state.db", f"state: {ledger_url}")
    config = config.replace("  x: {enabled: true}", f"  x: {{enabled: true, api_base: '{server_url}', timeout: 5}}")
    config = config.replace(
        'facebook: {enabled: true, page_id: "1234567890"}',
        f'facebook: {{enabled: true, page_id: "1234567890", api_base: "{server_url}", timeout: 5}}',
    )
    for name in ("mastodon", "bluesky", "linkedin"):
        config = config.replace(
            f"  {name}: {{enabled: true", f"  {name}: {{enabled: true, api_base: '{server_url}', timeout: 5"
        )
    for name in ("x", "facebook", "mastodon", "bluesky", "linkedin"):
        if name not in networks:
            config = config.replace(f"  {name}: {{enabled: true", f"  {name}: {{enabled: false")
    meta = [name for name in ("instagram", "threads") if name in networks]
    for name, user in (("instagram", INSTAGRAM_USER), ("threads", THREADS_USER)):
        if name in meta:
            section = f"  {name}: {{enabled: true, user_id: '{user}', api_base: '{server_url}', timeout: 5}}\n"
            config = config.replace("networks:\n", "networks:\n" + section, 1)
    if meta:
        config += f"media_url: {server_url}/public/\n"
    (folder / "posts").mkdir(parents=True)
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    media = ""
    if meta:
        (folder / "media").mkdir()
        (folder / "media" / "affiche.jpg").write_bytes(_jpeg())
        media = '    media: [{file: media/affiche.jpg, alt: "Affiche de la journée portes ouvertes du CHU."}]\n'
    lines = [f"defaults:\n  networks: [{', '.join(networks)}]\n  author: c.dupuis\n  approved_by: a.renier\nposts:\n"]
    for number in range(posts):
        lines.append(
            f"  - id: info-{number}\n    at: 2026-12-01 09:{number % 60:02d}\n"
            f"    text: Information numéro {number} du CHU d'Angers sur l'accueil des familles.\n{media}"
        )
    (folder / "posts" / "news.yaml").write_text("".join(lines), encoding="utf-8")
    return folder / "config.yaml"


def _jpeg() -> bytes:
    """A small JPEG without metadata: what the web server serves is then the file itself."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def publish(config: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, **SECRETS}
    return subprocess.Popen(
        clock.command("2026-12-01 10:30", "--config", str(config), "publish", *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=clock.ROOT,
    )


def ledger_dump(ledger_url: str) -> str:
    ledger = Ledger.open(ledger_url)
    with ledger.engine.connect() as connection:
        rows = [
            str(tuple(row))
            for table in ("deliveries", "events", "hospipost_meta")
            for row in connection.execute(sa.text(f"select * from {table}"))
        ]
    ledger.close()
    return "\n".join(rows)


@pytest.mark.timeout(240)
def test_concurrent_publish_runs_send_each_delivery_once(tmp_path: Path, ledger_url: str) -> None:
    with running(latency=0.02) as server:
        config = make_site(tmp_path / "site", server.url, ledger_url, posts=30, networks=ALL_FIVE)
        processes = [publish(config) for _ in range(4)]
        outputs = [process.communicate(timeout=180) for process in processes]
        for process, (_, err) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, err
        for network in ALL_FIVE:
            counts = Counter(server.texts(network))
            assert len(counts) == 30 and set(counts.values()) == {1}, network
    ledger = Ledger.open(ledger_url)
    assert Counter(item.state for item in ledger.all()) == {"sent": 150}
    everything = "\n".join(out + err for out, err in outputs) + ledger_dump(ledger_url)
    for secret in SECRETS.values():
        assert secret not in everything


@pytest.mark.parametrize("networks", [ALL_FIVE, SEVEN], ids=["five", "seven"])
def test_sigkill_at_random_points_never_sends_twice(tmp_path: Path, ledger_url: str, networks: tuple[str, ...]) -> None:
    """Killed anywhere, Meta's between a container and its publication included: nothing twice."""
    rng = random.Random(7)
    with running(latency=0.03, public=tmp_path / "site" / "media") as server:
        config = make_site(tmp_path / "site", server.url, ledger_url, posts=20, networks=networks)
        for _ in range(8):
            process = publish(config)
            time.sleep(rng.uniform(0.3, 1.2))
            process.send_signal(signal.SIGKILL)
            process.wait()
        final = publish(config)
        out, err = final.communicate(timeout=120)
        received = {network: Counter(server.texts(network)) for network in networks}
    for network, counts in received.items():
        assert all(count == 1 for count in counts.values()), f"{network} received a post twice"
    states = Counter(item.state for item in Ledger.open(ledger_url).all())
    assert set(states) <= {"sent", "unknown"} and sum(states.values()) == 20 * len(networks), states
    sent_texts = sum(len(counts) for counts in received.values())
    assert sent_texts >= states["sent"]
    if states["unknown"]:
        status = subprocess.run([HOSPIPOST, "--config", str(config), "status"], capture_output=True, text=True)
        assert status.returncode == 1 and "Needs a human" in status.stdout and "reconcile" in status.stdout


FAN_OUT = ALL_FIVE


def test_a_post_to_every_network_one_failing_the_others_sent_once(tmp_path: Path) -> None:
    with running(latency=0.02) as server:
        config = make_site(
            tmp_path / "site", server.url, f"sqlite:///{tmp_path / 'state.db'}", posts=0, networks=FAN_OUT
        )
        (config.parent / "posts" / "news.yaml").write_text(
            "posts:\n  - id: partout\n    at: 2026-12-01 10:00\n    author: c.dupuis\n    approved_by: a.renier\n"
            f"    networks: [{', '.join(FAN_OUT)}]\n"
            '    text: "Le CHU d\'Angers recrute des aides-soignants (CDI) : https://www.chu-angers.fr/recrutement"\n',
            encoding="utf-8",
        )
        server.fail_next("linkedin", 401, {"status": 401, "message": "Invalid access token"})
        runs = [publish(config) for _ in range(3)]
        outputs = [process.communicate(timeout=120) for process in runs]
        for network in FAN_OUT:
            expected = 0 if network == "linkedin" else 1
            assert len(server.texts(network)) == expected, (network, outputs)
    states = {item.network: item.state for item in Ledger.open(f"sqlite:///{tmp_path / 'state.db'}").all()}
    assert states == {"x": "sent", "facebook": "sent", "mastodon": "sent", "bluesky": "sent", "linkedin": "failed"}
    everything = "\n".join(out + err for out, err in outputs)
    assert "HOSPIPOST_LINKEDIN_TOKEN" in everything
    for secret in SECRETS.values():
        assert secret not in everything


def test_a_network_down_while_the_others_are_up(tmp_path: Path) -> None:
    from tests.networks.kit import free_port

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused
    with running() as server:
        config = make_site(
            tmp_path / "site", server.url, f"sqlite:///{tmp_path / 'state.db'}", posts=1, networks=ALL_FIVE
        )
        config.write_text(
            config.read_text().replace(
                f"x: {{enabled: true, api_base: '{server.url}'", f"x: {{enabled: true, api_base: '{dead}'"
            )
        )
        out, err = publish(config).communicate(timeout=120)
        assert "↻ retry    info-0 → x" in out and "Could not reach X" in out
        assert all(len(server.texts(network)) == 1 for network in ALL_FIVE if network != "x")
    states = {item.network: item.state for item in Ledger.open(f"sqlite:///{tmp_path / 'state.db'}").all()}
    assert states.pop("x") == "pending" and set(states.values()) == {"sent"}


def test_a_post_to_all_five_networks_previews_with_dry_run(tmp_path: Path) -> None:
    import json

    with running() as server:
        config = make_site(
            tmp_path / "site", server.url, f"sqlite:///{tmp_path / 'state.db'}", posts=1, networks=ALL_FIVE
        )
        result = subprocess.run(
            [
                HOSPIPOST,
                "--config",
                str(config),
                "publish",
                "--dry-run",
                "--format",
                "json",
                "--now",
                "2026-12-01 10:30",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **SECRETS},
        )
        assert server.received == []
    previews = json.loads(result.stdout)
    assert sorted(p["network"] for p in previews) == sorted(ALL_FIVE)
    for preview in previews:
        assert preview["requests"] and preview["parts"][0]["length"] <= preview["parts"][0]["limit"]
    assert not (tmp_path / "state.db").exists()
    for secret in SECRETS.values():
        assert secret not in result.stdout + result.stderr
