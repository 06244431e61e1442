"""`hospipost stats`: top posts and totals in each network's own words, at 80 and 120 columns, and as JSON;
`stats fetch` against the local server that imitates every network."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.config import Config
from hospipost.ledger import Ledger
from hospipost.metrics import fetch
from hospipost.posts import load_queues
from hospipost.publisher import Publisher, candidates, plan
from tests.fakes.adapter import FakeNetworkSet
from tests.helpers import make_config

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOW = "2026-12-03 10:00"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
QUEUE = """\
defaults:
  author: c.dupuis
  approved_by: a.renier
posts:
  - id: prevention-chutes
    kind: event
    at: 2026-12-01 10:00
    text: Journée de prévention des chutes chez les seniors, samedi au CHU d'Angers, de 9 h à 17 h, entrée libre.
    networks: [x, facebook, mastodon]
  - id: salle-attente
    kind: news
    at: 2026-12-01 10:00
    text: Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
    networks: [x, facebook, mastodon]
"""


@pytest.fixture
def site(tmp_path: Path) -> Config:
    config = make_config(tmp_path / "site")
    (config.root / "posts" / "news.yaml").write_text(QUEUE, encoding="utf-8")
    return config


def with_figures(config: Config, networks: FakeNetworkSet | None = None) -> None:
    """Both posts published (through the real publisher, to in-memory networks) and their figures read."""
    posts = [post for queue in load_queues(config) for post in queue.posts]
    networks = networks or FakeNetworkSet()
    ledger = Ledger.open_for_publishing(config)
    try:
        Publisher(ledger, networks, lambda: AT).send(plan(candidates(posts, config, AT), config, AT))
        for name in ("x", "facebook", "mastodon"):
            sent = {p: ledger.get(f"{p}:{name}:once").remote_id for p in ("prevention-chutes", "salle-attente")}
            seen = {} if name == "mastodon" else {"views": 12_400}  # Mastodon gives no views
            networks[name].figures = {
                sent["prevention-chutes"]: {**seen, "likes": 310, "comments": 42, "shares": 96},
                sent["salle-attente"]: {**seen, "likes": 57, "comments": 4, "shares": 9},
            }
        fetch(config, ledger, AT + timedelta(days=1), adapters=networks)
    finally:
        ledger.close()


def run(config: Config, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config.path), "stats", *args, "--now", NOW], env=env)


def test_without_figures_it_says_how_to_get_them(site: Config) -> None:
    result = run(site)
    assert result.exit_code == 0 and "run `hospipost stats fetch`" in result.output


@pytest.mark.parametrize("width", [80, 120])
def test_top_posts_and_totals_in_the_networks_own_words(site: Config, width: int) -> None:
    with_figures(site)
    result = run(site, env={"FORCE_COLOR": "1", "COLUMNS": str(width), "NO_COLOR": None})
    assert result.exit_code == 0, result.output
    screen = ANSI.sub("", result.output)
    assert max(len(line) for line in screen.splitlines()) <= width
    assert "Top posts" in screen and "Per network" in screen and "Per kind of post" in screen
    flat = " ".join(screen.split())
    assert "prevention-chutes" in flat and "reactions" in flat and "boosts" in flat and "favourites" in flat
    assert "Mastodon gives no views" in flat
    assert screen.index("prevention-chutes") < screen.index("salle-attente")  # more interactions first


def test_by_kind_compares_kinds_per_post(site: Config) -> None:
    with_figures(site)
    result = run(site, "--by", "kind", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    kinds = {group["name"]: group for group in document["totals"]["kind"]}
    assert kinds["event"]["posts"] == 3 and kinds["event"]["interactions"] == 3 * (310 + 42 + 96)
    assert list(document["totals"]) == ["kind"] and document["top"][0]["post"] == "prevention-chutes"
    mastodon = next(row["figures"] for row in document["top"] if row["network"] == "mastodon")
    assert "views" not in mastodon  # Mastodon gives no views: absent, never 0


def test_since_leaves_older_posts_out(site: Config) -> None:
    with_figures(site)
    result = run(site, "--since", "2026-12-02", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output)["top"] == []
    assert run(site, "--since", "7d", "--format", "json").output.count('"post"') == 6


@pytest.mark.parametrize("since", ["soon", "-3d", "2026-13-01", "30x"])
def test_a_bad_since_is_one_line(site: Config, since: str) -> None:
    result = run(site, "--since", since)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1 and "--since" in result.output
    assert "Traceback" not in result.output


def test_fetch_before_anything_was_published_creates_no_ledger(site: Config) -> None:
    result = CliRunner().invoke(cli, ["--config", str(site.path), "stats", "fetch"])
    assert result.exit_code == 0 and "Nothing was published" in result.output
    assert not (site.root / ".hospipost").exists()


@pytest.mark.timeout(240)
def test_fetch_reads_the_seven_networks_and_a_refusal_stops_only_its_own(tmp_path: Path) -> None:
    """Real processes against the local server standing in for the seven networks: publish, then fetch."""
    import os
    import subprocess

    from tests import clock
    from tests.fakes.netserver import running
    from tests.test_exactly_once import SECRETS, SEVEN, make_site

    def hospipost(*args: str) -> subprocess.CompletedProcess[str]:
        command = clock.command("2026-12-01 10:30", "--config", str(config), *args)
        env = {**os.environ, **SECRETS}
        return subprocess.run(command, env=env, capture_output=True, text=True, cwd=clock.ROOT, timeout=180)

    with running(public=tmp_path / "site" / "media") as server:
        config = make_site(tmp_path / "site", server.url, f"sqlite:///{tmp_path}/state.db", 3, SEVEN)
        with config.open("a", encoding="utf-8") as file:
            file.write("stats: {x: true}\n")
        assert hospipost("publish", "--quiet").returncode == 0
        echoed = f"Not enough permissions for {SECRETS['HOSPIPOST_LINKEDIN_TOKEN']}"  # a server echoing the token
        server.fail_next_read("linkedin", 403, {"message": echoed, "status": 403})
        fetched = hospipost("stats", "fetch")
    assert fetched.returncode == 1, fetched.stderr
    lines = {line.split(":", 1)[0]: line for line in fetched.stdout.splitlines()}
    assert sorted(lines) == sorted(["X", "Facebook", "Instagram", "Threads", "LinkedIn", "Mastodon", "Bluesky"])
    for label in ("X", "Facebook", "Instagram", "Threads", "Mastodon", "Bluesky"):
        assert f"{label}: 3 of 3 posts read" in lines[label]
    assert "rw_organization_admin" in lines["LinkedIn"] and "`hospipost stats fetch`" in lines["LinkedIn"]
    assert "Not enough permissions for" in lines["LinkedIn"]  # the answer is quoted, its token redacted
    ledger = (tmp_path / "state.db").read_bytes()  # the fetch's problems are kept for `stats` and `status`
    assert not any(secret in fetched.stdout + fetched.stderr for secret in SECRETS.values())
    assert not any(secret.encode() in ledger for secret in SECRETS.values())
    shown = hospipost("stats", "--top", "100", "--format", "json")
    figures = {row["network"]: row["figures"] for row in json.loads(shown.stdout)["top"]}
    assert set(figures) == {"x", "facebook", "instagram", "threads", "mastodon", "bluesky"}
    assert "views" not in figures["mastodon"] and "views" in figures["facebook"]


def test_status_says_when_figures_were_read_and_what_stopped_a_network(site: Config) -> None:
    from hospipost.networks.base import PermanentError

    networks = FakeNetworkSet()
    networks["x"].metrics_script = [
        PermanentError("X refused reading the figures (HTTP 403): the token needs tweet.read")
    ]
    with_figures(site, networks)
    result = CliRunner().invoke(cli, ["--config", str(site.path), "status", "--now", NOW])
    assert "Figures last read 2026-12-02 10:00" in result.output
    assert "✖ figures: X refused reading the figures (HTTP 403): the token needs tweet.read." in result.output
