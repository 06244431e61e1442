"""`publish`, `status`, `history`, `reconcile` and `networks check` end to end, against a
local HTTP server standing in for X and Facebook."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from tests import clock
from tests.fakes.netserver import running
from tests.test_exactly_once import SECRETS, ledger_dump

NOW = "2026-12-01 10:30"
QUEUE = """\
defaults:
  networks: [x, facebook]
  author: c.dupuis
  approved_by: a.renier
posts:
  - id: salle-attente
    at: 2026-12-01 10:00
    text: Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
  - id: plus-tard
    at: 2026-12-03 10:00
    text: Journée portes ouvertes de l'institut de formation en soins infirmiers.
"""


EXPIRED_TOKEN = {
    "error": {
        "message": "Error validating access token: Session has expired",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
    }
}


@pytest.fixture
def server():
    with running() as fake:
        yield fake


@pytest.fixture
def site(tmp_path: Path, server, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.test_exactly_once import make_site

    config = make_site(tmp_path / "site", server.url, f"sqlite:///{tmp_path / 'site' / 'state.db'}", posts=0)
    (config.parent / "posts" / "news.yaml").write_text(QUEUE, encoding="utf-8")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return config


def run(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def run_at(local: str, config: Path, *args: str):
    """Run a command with the clock set to a Paris time (real publishing has no --now)."""
    with clock.at(local):
        return run(config, *args)


def test_dry_run_shows_the_payloads_and_writes_nothing(site: Path, server) -> None:
    result = run(site, "publish", "--dry-run", "--now", NOW)
    assert result.exit_code == 0
    assert "salle-attente → X" in result.output and "salle-attente → Facebook" in result.output
    assert f"POST {server.url}/2/tweets" in result.output
    assert f"POST {server.url}/v27.0/1234567890/feed" in result.output
    assert "/ 280 weighted characters" in result.output
    assert "plus-tard" not in result.output
    assert "nothing was sent or written" in result.output
    assert not (site.parent / "state.db").exists() and server.received == []
    for secret in SECRETS.values():
        assert secret not in result.output


def test_dry_run_json_and_until(site: Path) -> None:
    result = run(site, "publish", "--dry-run", "--format", "json", "--now", NOW, "--until", "2026-12-04 00:00")
    previews = json.loads(result.output)
    assert [(p["post"], p["network"]) for p in previews] == [
        ("salle-attente", "x"),
        ("salle-attente", "facebook"),
        ("plus-tard", "x"),
        ("plus-tard", "facebook"),
    ]
    assert previews[0]["parts"][0]["limit"] == 280 and previews[0]["requests"][0]["json"]["text"].startswith("Le CHU")


def test_a_post_goes_out_tagged_with_its_language(tmp_path: Path, server, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_exactly_once import make_site

    config = make_site(
        tmp_path / "site", server.url, f"sqlite:///{tmp_path / 'state.db'}", posts=0, networks=("mastodon", "bluesky")
    )
    queue = QUEUE.replace("[x, facebook]", "[mastodon, bluesky]").replace("  author:", "  language: en-GB\n  author:")
    (config.parent / "posts" / "news.yaml").write_text(queue, encoding="utf-8")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)

    preview = json.loads(run(config, "publish", "--dry-run", "--format", "json", "--now", NOW).output)
    requests = {p["network"]: p["requests"][-1] for p in preview}
    assert requests["mastodon"]["data"]["language"] == "en" and requests["bluesky"]["json"]["record"]["langs"] == [
        "en-GB"
    ]

    assert run_at(NOW, config, "publish").exit_code == 0
    [status] = server.posts("mastodon")
    [record] = server.posts("bluesky")
    assert status.body["language"] == "en" and record.body["record"]["langs"] == ["en-GB"]


def test_dry_run_leaves_an_existing_ledger_untouched(site: Path) -> None:
    assert run_at(NOW, site, "publish").exit_code == 0
    before = ledger_dump(f"sqlite:///{site.parent / 'state.db'}")
    result = run(site, "publish", "--dry-run", "--now", "2026-12-03 10:05")
    assert "plus-tard → X" in result.output and "salle-attente" not in result.output
    assert ledger_dump(f"sqlite:///{site.parent / 'state.db'}") == before


def test_publish_sends_once_and_status_and_history_show_it(site: Path, server) -> None:
    first = run_at(NOW, site, "publish")
    assert first.exit_code == 0, first.output
    assert "✔ sent     salle-attente → x  https://x.com/i/web/status/" in first.output
    assert run_at(NOW, site, "publish").output == ""
    assert len(server.texts("x")) == 1 and len(server.texts("facebook")) == 1
    history = json.loads(run(site, "history", "--format", "json").output)
    assert {(h["post"], h["network"], h["state"], h["attempts"]) for h in history} == {
        ("salle-attente", "x", "sent", 1),
        ("salle-attente", "facebook", "sent", 1),
    }
    assert all(h["url"].startswith("https://") and h["error"] is None for h in history)
    status = run(site, "status", "--now", NOW)
    assert status.exit_code == 0 and "2 deliveries sent, 0 need a human" in status.output
    assert "Last run by" in status.output and "(nothing to do)" in status.output  # the second run
    assert "plus-tard" in status.output
    text_history = run(site, "history", "--post", "salle-attente").output
    assert "https://www.facebook.com/1234567890_" in text_history


def test_idle_publish_opens_no_ledger(site: Path) -> None:
    result = run_at("2026-11-30 10:00", site, "publish")
    assert result.exit_code == 0 and result.output == "Nothing is due.\n"
    assert not (site.parent / "state.db").exists()
    assert run_at("2026-11-30 10:00", site, "publish", "--quiet").output == ""


def test_faults_end_in_the_right_state_and_never_block_the_other_network(site: Path, server) -> None:
    server.fail_next("x", 503, {"title": "Service Unavailable", "detail": "Service Unavailable", "status": 503})
    server.fail_next("facebook", 400, EXPIRED_TOKEN)
    result = run_at(NOW, site, "publish")
    assert result.exit_code == 1
    assert "↻ retry    salle-attente → x" in result.output and "next try at" in result.output
    assert "✖ failed   salle-attente → facebook" in result.output and "HOSPIPOST_FACEBOOK_TOKEN" in result.output
    status = run(site, "status", "--now", NOW)
    assert status.exit_code == 1 and "Needs a human" in status.output and "Retrying" in status.output
    history = {line.split()[3]: line.split()[4] for line in run(site, "history").output.splitlines()[1:]}
    assert history == {"x": "retrying", "facebook": "failed"}  # status's words, not the ledger's "pending"


def test_a_rate_limit_waits_for_the_reset_time(site: Path, server) -> None:
    with clock.at(NOW):
        reset = int(time.time()) + 600
        server.fail_next(
            "x",
            429,
            {"title": "Too Many Requests", "type": "about:blank", "status": 429},
            {"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"},
        )
        result = run(site, "publish", "--network", "x", "--format", "json")
    [outcome] = json.loads(result.output)
    assert outcome["state"] == "retry"
    assert outcome["retry_at"] >= time.strftime("%Y-%m-%dT%H:%M", time.gmtime(reset - 60))


def test_a_timeout_after_the_request_left_is_unknown_then_reconciled(site: Path, server) -> None:
    config = site.read_text().replace("timeout: 5}", "timeout: 0.5}", 1)
    site.write_text(config)
    server.latency = 1.5
    result = run_at(NOW, site, "publish", "--network", "x")
    assert result.exit_code == 1 and "? unknown  salle-attente → x" in result.output
    server.latency = 0
    assert run_at(NOW, site, "publish", "--network", "x").output == ""
    status = run(site, "status", "--now", NOW)
    assert "reconcile salle-attente --network x" in status.output
    done = run(site, "reconcile", "salle-attente", "--network", "x", "--sent", "https://x.com/chu/status/1")
    assert done.exit_code == 0 and "recorded as sent" in done.output
    history = json.loads(run(site, "history", "--format", "json", "--post", "salle-attente").output)
    assert next(h for h in history if h["network"] == "x")["url"] == "https://x.com/chu/status/1"


def test_reconcile_not_sent_sends_it_at_the_next_run(site: Path, server) -> None:
    server.fail_next(
        "facebook", 400, {"error": {"message": "Duplicate status message", "type": "OAuthException", "code": 506}}
    )
    run_at(NOW, site, "publish", "--network", "facebook")
    assert run(site, "reconcile", "salle-attente", "--network", "facebook", "--not-sent").exit_code == 0
    result = run_at(NOW, site, "publish", "--network", "facebook")
    assert "✔ sent     salle-attente → facebook" in result.output
    assert len(server.texts("facebook")) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["reconcile", "salle-attente", "--network", "x"], "say either --sent URL or --not-sent"),
        (["reconcile", "nope", "--network", "x", "--not-sent"], "nothing was published yet"),
        (["publish", "--dry-run", "--post", "nope", "--now", NOW], "No post with id 'nope'"),
        (["publish", "--post", "nope"], "No post with id 'nope'"),
        (["publish", "--until", "+7d"], "--until previews: use it with --dry-run"),
        (["publish", "--dry-run", "--now", "demain"], "--now: 'demain' is not a date and time"),
        (["publish", "--now", NOW], "--now is for rehearsals and never sends: use it with --dry-run"),
        (["publish", "--dry-run", "--until", "+7 semaines"], "--until: '+7 semaines' is not a relative time"),
    ],
)
def test_bad_usage(site: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["--config", str(site), *args])
    assert result.exit_code == 2 and message in result.output


def test_reconcile_refuses_a_sent_delivery(site: Path) -> None:
    run_at(NOW, site, "publish")
    result = CliRunner().invoke(
        cli, ["--config", str(site), "reconcile", "salle-attente", "--network", "x", "--not-sent"]
    )
    assert result.exit_code == 2 and "is sent: there is nothing to reconcile" in result.output


def test_a_broken_queue_does_not_stop_the_others(site: Path, server) -> None:
    (site.parent / "posts" / "broken.yaml").write_text("posts: [\n")
    result = run_at(NOW, site, "publish")
    assert result.exit_code == 2
    assert "broken.yaml:2: invalid YAML" in result.output and "this queue is skipped" in result.output
    assert len(server.texts("x")) == 1


def test_networks_check(site: Path, server, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(site, "networks", "check")
    assert result.exit_code == 0 and "✔ X: @chu_test" in result.output and "✔ Facebook: CHU Test" in result.output
    monkeypatch.delenv("HOSPIPOST_FACEBOOK_TOKEN")
    result = run(site, "networks", "check")
    assert result.exit_code == 1 and "✖ Facebook" in result.output and "HOSPIPOST_FACEBOOK_TOKEN" in result.output
    for secret in SECRETS.values():
        assert secret not in result.output


def test_no_secret_in_any_output_even_when_the_network_echoes_it(site: Path, server) -> None:
    echo = " ".join(SECRETS.values())
    server.fail_next("x", 401, {"title": "Unauthorized", "detail": f"bad keys {echo}", "status": 401})
    server.fail_next(
        "facebook",
        400,
        {"error": {"message": f"Invalid OAuth access token {echo}", "type": "OAuthException", "code": 190}},
    )
    outputs = [
        run_at(NOW, site, *args).output
        for args in (
            ("publish",),
            ("publish", "--dry-run"),
            ("status",),
            ("history",),
            ("history", "--format", "json"),
            ("status", "--format", "json"),
        )
    ]
    everything = "\n".join(outputs) + ledger_dump(f"sqlite:///{site.parent / 'state.db'}")
    assert "failed" in everything
    for secret in SECRETS.values():
        assert secret not in everything


def test_now_never_publishes_ahead_of_time(site: Path, server) -> None:
    """A rehearsal at a future time sends nothing and writes no ledger: --now needs --dry-run."""
    result = CliRunner().invoke(cli, ["--config", str(site), "publish", "--now", "2026-12-03 10:05"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--now is for rehearsals" in result.output
    assert server.received == [] and not (site.parent / "state.db").exists()


def test_a_broken_queue_makes_every_publish_variant_exit_2(site: Path) -> None:
    (site.parent / "posts" / "broken.yaml").write_text("posts: [\n")
    for args in (
        ("--dry-run", "--now", NOW),
        ("--dry-run", "--now", NOW, "--until", "+7d"),
        ("--dry-run", "--now", "2026-11-30 10:00"),
    ):
        result = run(site, "publish", *args)
        assert result.exit_code == 2, (args, result.output)
        assert "broken.yaml:2: invalid YAML" in result.output


def test_the_week_preview_shows_each_delivery_time(site: Path) -> None:
    weekly = (
        QUEUE
        + """  - id: hebdo
    every: "0 9 * * 3"
    at: 2026-12-02 09:00
    text: La permanence d'accueil des familles est ouverte chaque mercredi matin au CHU d'Angers.
"""
    )
    (site.parent / "posts" / "news.yaml").write_text(weekly, encoding="utf-8")
    result = run(site, "publish", "--dry-run", "--now", NOW, "--until", "+15d")
    assert result.exit_code == 0, result.output
    assert "hebdo → X, 2026-12-02 09:00" in result.output
    assert "hebdo → X, 2026-12-09 09:00" in result.output
    assert "plus-tard → X, 2026-12-03 10:00" in result.output


def test_cron_publish_notifies_like_the_daemon(site: Path, server) -> None:
    """One run for cron and the daemon: a blocked post runs notify.command from `publish` too."""
    events = site.parent / "events.jsonl"
    config = site.read_text() + f"notify:\n  command: 'cat >> {events}; echo >> {events}'\n  when: [blocked, failed]\n"
    site.write_text(config)
    queue = (site.parent / "posts" / "news.yaml").read_text()
    (site.parent / "posts" / "news.yaml").write_text(
        queue
        + """  - id: sans-relecture
    at: 2026-12-01 10:05
    approved_by: c.dupuis
    text: Le self du personnel ferme exceptionnellement à 14 h ce mardi au CHU d'Angers.
"""
    )
    server.fail_next("facebook", 400, EXPIRED_TOKEN)
    result = run_at(NOW, site, "publish")
    assert "⏸ blocked  sans-relecture" in result.output
    sent = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    assert sorted((event["post"], event["state"]) for event in sent) == [
        ("salle-attente", "failed"),
        ("sans-relecture", "blocked"),
    ]


def test_check_knows_what_the_ledger_sent(site: Path) -> None:
    """schedule-past asks the ledger: a published post is not "never published" the day after."""
    assert run_at(NOW, site, "publish").exit_code == 0
    result = run(site, "check", "--strict", "--now", "2026-12-02 11:00")
    assert "salle-attente" not in result.output and result.exit_code == 0, result.output
    (site.parent / "state.db").unlink()
    result = run(site, "check", "--strict", "--now", "2026-12-02 11:00")
    assert "never published" in result.output and result.exit_code == 1


def test_an_unsafe_credentials_file_stops_publishing_before_any_claim(
    site: Path, server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14.5: a credentials file readable by others is one line, checked once, up front:
    nothing is claimed, so no delivery turns `unknown`."""
    secrets = tmp_path / "credentials"
    secrets.write_text("".join(f"{name}={value}\n" for name, value in SECRETS.items()))
    secrets.chmod(0o644)
    for name in SECRETS:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOSPIPOST_CREDENTIALS_FILE", str(secrets))
    result = run_at(NOW, site, "publish")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
    assert "credentials" in result.output.lower() and server.received == []
    history = json.loads(run(site, "history", "--format", "json").output or "[]")
    assert all(item["state"] == "pending" for item in history)
    secrets.chmod(0o600)
    assert run_at(NOW, site, "publish").exit_code == 0 and len(server.texts("x")) == 1


def test_the_dry_run_shows_a_video_as_a_video_with_its_captions(tmp_path: Path) -> None:
    from tests.fakes.video import make_video
    from tests.helpers import CONFIG_YAML, make_config

    config = make_config(tmp_path / "site", text=CONFIG_YAML)
    size = make_video(config.root / "media" / "visite.mp4").stat().st_size
    (config.root / "media" / "visite.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nBienvenue.\n")
    (config.root / "posts" / "news.yaml").write_text(
        "posts:\n  - id: visite\n    at: 2026-12-07 09:00\n    networks: [x]\n    author: c.dupuis\n"
        "    approved_by: a.renier\n    text: Visite du nouveau bloc opératoire du CHU d'Angers.\n"
        "    media: [{file: media/visite.mp4, alt: Visite du bloc opératoire., captions: media/visite.vtt}]\n",
        encoding="utf-8",
    )
    args = ["--config", str(config.path), "publish", "--dry-run", "--now", "2026-12-07 09:00"]
    result = CliRunner().invoke(cli, args)
    assert f"video media/visite.mp4 ({size:,} bytes), alt: Visite du bloc opératoire., captions: media/visite.vtt" in (
        result.output
    )
