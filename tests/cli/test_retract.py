"""`hospipost retract`: a published post deleted from every network it went to, exactly once, through
the same publish run as publications (here with the fake adapter, on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.daemon import Daemon
from hospipost.ledger import DueDelivery, Ledger
from hospipost.networks.base import PermanentError, TransientError
from tests import clock
from tests.fakes.adapter import FakeNetworkSet
from tests.test_exactly_once import SECRETS, make_site

THREAD = """\
  - id: fil
    at: 2026-12-01 10:00
    text: Le CHU d'Angers ouvre un nouveau service d'accueil des familles.
    thread: ["Horaires : du lundi au vendredi, de 9 h à 18 h.", "Accès : hall B, rez-de-chaussée."]
"""
LATER = """\
  - id: plus-tard
    at: 2026-12-03 10:00
    text: Journée portes ouvertes de l'IFSI du CHU d'Angers le 3 décembre.
"""


def hospipost(config: Path, *args: str, at: str = "2026-12-01 10:30") -> Result:
    with clock.at(at):
        return CliRunner(env=SECRETS).invoke(cli, ["--config", str(config), *args])


@pytest.fixture
def networks(monkeypatch: pytest.MonkeyPatch) -> FakeNetworkSet:
    """Every publish run (publish, retract) talks to these fake networks."""
    fakes = FakeNetworkSet()
    monkeypatch.setattr("hospipost.publisher.adapter_factory", lambda config, credentials: fakes)
    return fakes


@pytest.fixture
def site(tmp_path: Path, ledger_url: str, networks: FakeNetworkSet) -> Path:
    """A thread of three parts on X and Mastodon (one part on Facebook), published at 10:30."""
    config = make_site(tmp_path / "site", "http://127.0.0.1:9", ledger_url, 0, ("x", "facebook", "mastodon"))
    queue = config.parent / "posts" / "news.yaml"
    queue.write_text(queue.read_text(encoding="utf-8") + THREAD + LATER, encoding="utf-8")
    published = hospipost(config, "publish")
    assert published.exit_code == 0, published.output
    return config


def line(result: Result) -> str:
    return " ".join(result.output.split())


def test_a_thread_is_retracted_once_last_part_first_and_history_shows_it(
    site: Path, networks: FakeNetworkSet, ledger_url: str
) -> None:
    result = hospipost(
        site, "retract", "fil", "--reason", "Horaires erronés", "--by", "a.renier", at="2026-12-01 10:40"
    )
    assert result.exit_code == 0, result.output
    assert "Retracting fil from facebook, mastodon, x: Horaires erronés" in result.output
    for network in ("x", "mastodon"):
        assert f"✔ retracted fil → {network} deleted: 3 parts, the last first" in line(result)
    assert "✔ retracted fil → facebook deleted" in line(result)
    assert networks["x"].deleted == ["x-3", "x-2", "x-1"]  # the last part first
    assert networks["mastodon"].deleted == ["mastodon-3", "mastodon-2", "mastodon-1"]
    assert networks["facebook"].deleted == ["facebook-1"] and not networks["x"].online

    again = hospipost(site, "publish", at="2026-12-01 10:45")  # cron: nothing more to delete
    assert again.exit_code == 0 and len(networks["x"].deleted) == 3
    twice = hospipost(site, "retract", "fil", "--reason", "Encore", at="2026-12-01 10:50")
    assert twice.exit_code == 2 and "fil is already retracted from facebook, mastodon, x" in line(twice)

    history = json.loads(hospipost(site, "history", "--post", "fil", "--format", "json").output)
    assert {h["network"]: (h["state"], h["retraction"]["state"]) for h in history} == dict.fromkeys(
        ("x", "facebook", "mastodon"), ("sent", "retracted")
    )
    assert history[0]["retraction"]["reason"] == "Horaires erronés" and history[0]["retraction"]["by"] == "a.renier"
    text = hospipost(site, "history", "--post", "fil").output
    assert text.count("retracted") == 3 and "Horaires erronés (a.renier)" in text
    listed = {
        row["id"]: row["state"]
        for row in json.loads(hospipost(site, "queue", "list", "--all", "--format", "json").output)
    }
    assert listed["fil"] == "retracted"
    status = hospipost(site, "status")
    assert status.exit_code == 0 and "Needs a human" not in status.output
    kinds = [event["kind"] for event in Ledger.open(ledger_url).event_log(post_id="fil")]
    assert kinds.count("part-deleted") == 7 and kinds.count("retracted") == 3


def test_a_retracted_post_is_never_published_again(site: Path, networks: FakeNetworkSet) -> None:
    """A network still retrying when the post is retracted never gets it, nor does a later occurrence."""
    queue = site.parent / "posts" / "news.yaml"
    queue.write_text(queue.read_text(encoding="utf-8").replace("at: 2026-12-03 10:00", "at: 2026-12-01 10:50"))
    networks["facebook"].script = [TransientError("Facebook answered 503")]
    first = hospipost(site, "publish", at="2026-12-01 10:51")
    assert "↻ retry plus-tard → facebook" in line(first)
    retracted = hospipost(site, "retract", "plus-tard", "--reason", "Annulée", at="2026-12-01 10:52")
    assert retracted.exit_code == 0, retracted.output
    assert "Retracting plus-tard from mastodon, x" in retracted.output
    hospipost(site, "publish", at="2026-12-01 11:30")
    assert [text for _, text, _ in networks["facebook"].published if "IFSI" in text] == []
    history = {
        h["network"]: h["state"]
        for h in json.loads(hospipost(site, "history", "--post", "plus-tard", "--format", "json").output)
    }
    assert history == {"x": "sent", "facebook": "withdrawn", "mastodon": "sent"}
    listed = {
        row["id"]: row["state"]
        for row in json.loads(hospipost(site, "queue", "list", "--all", "--format", "json").output)
    }
    assert listed["plus-tard"] == "retracted"
    preview = hospipost(site, "publish", "--dry-run", "--now", "2026-12-01 11:30")
    assert "plus-tard" not in preview.output


def test_a_network_failing_for_a_while_is_tried_again_and_resumes_with_the_remaining_parts(
    site: Path, networks: FakeNetworkSet
) -> None:
    networks["x"].delete_script = [None, TransientError("X answered 503")]
    first = hospipost(site, "retract", "fil", "--network", "x", "--reason", "Doublon", at="2026-12-01 10:40")
    assert first.exit_code == 0, first.output
    assert "↻ retry fil → x: Not deleted yet from X. X answered 503. (next try at 10:41)" in line(first)
    assert networks["x"].deleted == ["x-3"] and networks["mastodon"].deleted == []
    status = hospipost(site, "status", at="2026-12-01 10:40")
    assert (
        "Retracting" in status.output
        and "fil → x next try 2026-12-01 10:41 (attempt 1): Not deleted yet from X. X answered 503." in line(status)
    )
    early = hospipost(site, "publish", at="2026-12-01 10:40")
    assert "fil" not in early.output  # not before its time
    later = hospipost(site, "publish", at="2026-12-01 10:42")
    assert "✔ retracted fil → x" in line(later)
    assert networks["x"].deleted == ["x-3", "x-2", "x-1"]  # each part once
    listed = {
        row["id"]: row["state"]
        for row in json.loads(hospipost(site, "queue", "list", "--all", "--format", "json").output)
    }
    assert listed["fil"] == "retracted on x; still sent on facebook, mastodon"


def test_a_permanent_failure_needs_a_human_who_records_the_deletion_by_hand(
    site: Path, networks: FakeNetworkSet, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    site.write_text(site.read_text() + f'notify:\n  command: "(cat; echo) >> {events}"\n')
    networks["mastodon"].delete_script = [PermanentError("the token lacks the write:statuses scope")]
    networks["facebook"].deletes = False  # an API that cannot delete
    result = hospipost(site, "retract", "fil", "--reason", "Erreur", at="2026-12-01 10:40")
    assert result.exit_code == 1
    said = line(result)
    assert "✔ retracted fil → x" in said
    assert "✖ failed fil → mastodon: Not deleted from Mastodon. The token lacks the write:statuses scope;" in said
    assert "`hospipost retract fil --network mastodon --by-hand --reason …`" in said
    assert (
        "✖ failed fil → facebook: Not deleted from Facebook. Fake does not let hospipost delete a post: delete it on"
        " Fake by hand, then record it with `hospipost retract fil --network facebook --by-hand --reason …`." in said
    )
    notified = [json.loads(text) for text in events.read_text().splitlines() if text.strip()]
    assert {(event["network"], event["action"]) for event in notified} == {
        ("mastodon", "retract"),
        ("facebook", "retract"),
    }
    status = hospipost(site, "status", at="2026-12-01 10:41")
    assert status.exit_code == 1 and "retraction failed" in status.output and "2 need a human" in line(status)

    by_hand = hospipost(
        site,
        "retract",
        "fil",
        "--network",
        "mastodon",
        "--by-hand",
        "--reason",
        "Supprimé à la main",
        at="2026-12-01 10:50",
    )
    assert by_hand.exit_code == 0 and "✔ fil → mastodon recorded as deleted by hand" in by_hand.output
    hospipost(site, "retract", "fil", "--network", "facebook", "--by-hand", "--reason", "Supprimé à la main")
    assert hospipost(site, "status", at="2026-12-01 10:51").exit_code == 0
    assert networks["mastodon"].deleted == []  # nothing was deleted by hospipost there
    history = json.loads(hospipost(site, "history", "--post", "fil", "--format", "json").output)
    assert {h["network"]: h["retraction"]["by_hand"] for h in history} == {
        "x": False,
        "facebook": True,
        "mastodon": True,
    }
    again = hospipost(site, "retract", "fil", "--reason", "Encore")
    assert again.exit_code == 2 and "already retracted" in again.output


def test_retracting_again_after_a_failure_asks_again(site: Path, networks: FakeNetworkSet) -> None:
    networks["x"].delete_script = [PermanentError("X answered 401: the token expired")]
    assert hospipost(site, "retract", "fil", "--network", "x", "--reason", "Erreur").exit_code == 1
    fixed = hospipost(site, "retract", "fil", "--network", "x", "--reason", "Erreur, token renouvelé")
    assert fixed.exit_code == 0 and "✔ retracted fil → x" in line(fixed)
    assert networks["x"].deleted == ["x-3", "x-2", "x-1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["retract", "nope", "--reason", "Erreur"], "No post 'nope' was ever published from this folder"),
        (["retract", "fil", "--network", "bluesky", "--reason", "Erreur"], "fil was never published to bluesky"),
        (["retract", "fil", "--reason", " "], "--reason must say why"),
        (["retract", "fil", "--by-hand", "--reason", "Supprimé"], "--by-hand needs --network"),
        (["retract", "fil"], "Missing option '--reason'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(site: Path, args: list[str], message: str) -> None:
    result = hospipost(site, *args)
    assert result.exit_code == 2 and message in line(result), result.output


def test_a_post_never_sent_and_a_folder_that_never_published(tmp_path: Path, networks: FakeNetworkSet) -> None:
    config = make_site(tmp_path / "site", "http://127.0.0.1:9", f"sqlite:///{tmp_path / 'state.db'}", 1, ("x",))
    queue = config.parent / "posts" / "news.yaml"
    queue.write_text(queue.read_text(encoding="utf-8") + LATER, encoding="utf-8")
    nothing = hospipost(config, "retract", "info-0", "--reason", "Erreur")
    assert nothing.exit_code == 2 and "Nothing was published from this folder yet" in line(nothing)
    assert not (tmp_path / "state.db").exists()
    hospipost(config, "publish")
    never = hospipost(config, "retract", "plus-tard", "--reason", "Erreur")
    assert never.exit_code == 2 and "plus-tard was never published: there is nothing to retract" in line(never)
    assert len(never.output.strip().splitlines()) == 1


def test_a_thread_sent_before_every_part_was_recorded_is_deleted_as_far_as_the_ledger_knows(
    site: Path, networks: FakeNetworkSet, ledger_url: str
) -> None:
    """A delivery sent by an older hospipost: the ledger kept the parts before the last one only."""
    ledger = Ledger.open(ledger_url)
    with ledger.write() as connection:
        connection.execute(
            sa.text("update deliveries set parts = :parts where id = 'fil:x:once'"), {"parts": '["x-1", "x-2"]'}
        )
        old = json.dumps({"url": "https://x.example/x-1", "remote_id": "x-1", "hash": "0" * 64})
        connection.execute(
            sa.text("update events set detail = :detail where delivery_id = 'fil:x:once' and kind = 'sent'"),
            {"detail": old},
        )
    result = hospipost(site, "retract", "fil", "--network", "x", "--reason", "Erreur", at="2026-12-01 10:40")
    assert result.exit_code == 1 and networks["x"].deleted == ["x-2", "x-1"] and networks["x"].online == ["x-3"]
    assert (
        "✖ failed fil → x: Partly deleted from X. Deleted the 2 parts the ledger knew, but this thread was sent before"
        " hospipost recorded its last part: open https://x.example/x-1 and delete what remains by hand; once it is"
        " gone, record it with `hospipost retract fil --network x --by-hand --reason …`." in line(result)
    )


def test_the_daemon_carries_out_a_retraction_like_cron(site: Path, networks: FakeNetworkSet) -> None:
    networks["x"].delete_script = [TransientError("X answered 503")]
    first = hospipost(site, "retract", "fil", "--network", "x", "--reason", "Doublon", at="2026-12-01 10:40")
    assert first.exit_code == 0 and networks["x"].deleted == []
    with clock.at("2026-12-01 10:40"):
        daemon = Daemon(site, adapters=networks)
    with clock.at("2026-12-01 10:45"):
        outcomes = daemon.sweep()
    assert [(o.post_id, o.network, o.state, o.action) for o in outcomes] == [("fil", "x", "retracted", "retract")]
    assert networks["x"].deleted == ["x-3", "x-2", "x-1"]


def test_a_post_being_published_when_retracted_is_deleted_once_it_is_recorded(
    site: Path, networks: FakeNetworkSet, ledger_url: str
) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 1, 9, 40, tzinfo=UTC)
    ledger = Ledger.open(ledger_url, actor="elsewhere:1")  # another publisher, sending it right now
    ledger.ensure([DueDelivery("plus-tard", "news", "x", "once", now)], now)
    [item] = ledger.claim(["plus-tard:x:once"], now, timedelta(minutes=15))
    result = hospipost(site, "retract", "plus-tard", "--reason", "Annulée", at="2026-12-01 10:40")
    assert result.exit_code == 0 and "plus-tard → x is being published right now" in line(result)
    networks["x"].online.append("x-99")
    ledger.mark_sent(item, now, "x-99", "https://x.example/x-99", "0" * 64, parts=["x-99"])
    later = hospipost(site, "publish", at="2026-12-01 10:41")
    assert "✔ retracted plus-tard → x deleted" in line(later) and networks["x"].deleted == ["x-99"]


def test_a_network_down_for_hours_gives_up_after_eight_attempts_even_when_nothing_is_due(
    site: Path, networks: FakeNetworkSet
) -> None:
    """The next day nothing is due to publish: the run still finds the retraction in the ledger."""
    networks["x"].delete_script = [TransientError("X answered 503") for _ in range(8)]
    hospipost(site, "retract", "fil", "--network", "x", "--reason", "Doublon", at="2026-12-01 10:40")
    for minute in range(0, 7 * 61, 61):  # each run a minute after the longest wait (an hour)
        result = hospipost(site, "publish", at=f"2026-12-02 {13 + minute // 60}:{minute % 60:02d}")
    assert result.exit_code == 1 and networks["x"].deleted == []
    assert (
        "✖ failed fil → x: Not deleted from X. Gave up after 8 attempts: X answered 503; once it is gone, record it"
        " with `hospipost retract fil --network x --by-hand --reason …`." in line(result)
    )
    assert hospipost(site, "publish", at="2026-12-02 21:00").output == "Nothing is due.\n"


def test_the_idle_runs_cheap_read_agrees_with_the_ledger(site: Path, networks: FakeNetworkSet, ledger_url: str) -> None:
    """Cron's idle `publish` asks SQLite directly whether a retraction waits (no SQLAlchemy): the same
    answer as the ledger's own query, before, during and after a retraction."""
    from hospipost.ledgerpeek import retractions_waiting

    def both() -> tuple[bool | None, bool]:
        ledger = Ledger.open(ledger_url, migrate=False)
        try:
            return retractions_waiting(ledger_url), ledger.retractions_to_do()
        finally:
            ledger.close()

    expected_peek = (lambda answer: answer) if ledger_url.startswith("sqlite") else (lambda answer: None)
    assert both() == (expected_peek(False), False)
    networks["x"].delete_script = [TransientError("X answered 503")]
    hospipost(site, "retract", "fil", "--network", "x", "--reason", "Horaires erronés", at="2026-12-01 10:40")
    assert both() == (expected_peek(True), True)  # the retraction waits for its next attempt
    hospipost(site, "publish", at="2026-12-01 11:40")
    assert both() == (expected_peek(False), False)  # done
