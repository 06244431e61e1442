"""The publisher: what is due, and sending it exactly once, whatever the networks do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hospipost.config import Config
from hospipost.credentials import CredentialsError
from hospipost.ledger import Ledger
from hospipost.networks.base import PermanentError, TransientError, UnknownOutcome
from hospipost.publisher import MAX_ATTEMPTS, Publisher, candidates, plan
from tests.fakes.adapter import FakeNetworkSet
from tests.helpers import make_posts, post_with

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def planned(config: Config, *posts: dict, now: datetime = AT, network: str | None = None):
    loaded = make_posts(config, *posts)
    return plan(candidates(loaded, config, now), config, now, network)


@pytest.fixture
def setup(tmp_path: Path, config: Config):
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    networks = FakeNetworkSet()
    clock = Clock(AT)
    return config, ledger, networks, clock, Publisher(ledger, networks, clock)


def test_plan_due_future_draft_missed_blocked(config: Config) -> None:
    work = planned(
        config,
        post_with(id="due", at="2026-12-01 09:30", networks=["x", "facebook"]),
        post_with(id="future", at="2026-12-01 11:00"),
        post_with(id="draft", at="2026-12-01 09:00", draft=True, text="Brouillon de la lettre d'information."),
        post_with(id="late", at="2026-12-01 03:00", text="Ouverture du nouveau parking visiteurs au CHU d'Angers."),
        post_with(
            id="unapproved", at="2026-12-01 09:00", approved_by=None, text="Journée portes ouvertes à l'IFSI samedi."
        ),
    )
    assert [(d.post.id, d.network) for d in work.due] == [("due", "x"), ("due", "facebook")]
    assert [(d.post.id, d.network) for d, _ in work.missed][:1] == [("late", "x")]
    assert "more than 6 h late" in work.missed[0][1]
    assert [(post.id, "approval-required" in reason) for post, reason in work.blocked] == [("unapproved", True)]


def test_an_alert_is_due_until_valid_until_then_missed(config: Config) -> None:
    alert = post_with(
        id="canicule",
        kind="alert",
        at="2026-12-01 01:00",
        valid_until="2026-12-01 20:00",
        networks=["x"],
        text="Fortes chaleurs : appelez le 15 en cas de malaise. Canicule info service 0 800 06 66 66. https://www.santepubliquefrance.fr",
    )
    assert [d.post.id for d in planned(config, alert).due] == ["canicule"]
    late = planned(config, alert, now=datetime(2026, 12, 1, 20, 30, tzinfo=UTC))
    assert late.due == [] and "the alert expired" in late.missed[0][1]


def test_a_disabled_network_is_reported(config: Config) -> None:
    config.networks["mastodon"].enabled = False
    work = planned(config, post_with(networks=["mastodon"], at="2026-12-01 09:00"))
    assert work.due == [] and "mastodon is not enabled" in work.blocked[0][1]


def test_each_delivery_is_sent_once(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    work = planned(config, post_with(at="2026-12-01 09:00", networks=["x", "facebook"]))
    first = publisher.send(work).outcomes
    assert sorted((o.network, o.state) for o in first) == [("facebook", "sent"), ("x", "sent")]
    assert publisher.send(work).outcomes == []
    assert len(networks["x"].published) == 1 and len(networks["facebook"].published) == 1
    stored = ledger.get("p1:x:once")
    assert stored.state == "sent" and stored.remote_url == "https://x.example/x-1" and len(stored.sent_hash) == 64


def test_the_networks_of_a_post_go_out_in_parallel(tmp_path: Path, config: Config) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    networks = FakeNetworkSet(together=5)  # each publish waits until all five networks publish at once
    publisher = Publisher(ledger, networks, Clock(AT))
    outcomes = publisher.send(planned(config, post_with(at="2026-12-01 09:00"))).outcomes
    assert len(outcomes) == 5 and all(o.state == "sent" for o in outcomes), [o.message for o in outcomes]
    assert not networks.barrier.broken


def test_one_network_failing_never_blocks_the_others(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    networks["facebook"].script = [PermanentError("the Page token is invalid or expired")]
    networks["x"].script = [TransientError("X answered 503")]
    outcomes = {o.network: o for o in publisher.send(planned(config, post_with(at="2026-12-01 09:00"))).outcomes}
    assert outcomes["facebook"].state == "failed" and "Page token" in outcomes["facebook"].message
    assert outcomes["x"].state == "retry" and outcomes["x"].retry_at == AT + timedelta(minutes=1)
    assert {outcomes[n].state for n in ("mastodon", "bluesky", "linkedin")} == {"sent"}


def test_transient_failures_back_off_then_give_up(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    work = planned(config, post_with(at="2026-12-01 09:00", networks=["x"]))
    networks["x"].script = [TransientError("X answered 503") for _ in range(MAX_ATTEMPTS)]
    delays = []
    for _ in range(MAX_ATTEMPTS):
        [outcome] = publisher.send(work).outcomes
        if outcome.state == "retry":
            delays.append(outcome.retry_at - clock.now)
            clock.now = outcome.retry_at
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)] and max(delays) <= timedelta(hours=1)
    assert outcome.state == "failed" and f"Gave up after {MAX_ATTEMPTS} attempts" in outcome.message


def test_a_rate_limit_reset_time_is_honoured(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    networks["x"].script = [TransientError("X rate limit", retry_at=AT + timedelta(minutes=14))]
    [outcome] = publisher.send(planned(config, post_with(at="2026-12-01 09:00", networks=["x"]))).outcomes
    assert outcome.retry_at == AT + timedelta(minutes=14)


def test_an_unknown_outcome_is_never_retried(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    work = planned(config, post_with(at="2026-12-01 09:00", networks=["x"]))
    networks["x"].script = [UnknownOutcome("X did not answer within 30 s")]
    assert [o.state for o in publisher.send(work).outcomes] == ["unknown"]
    clock.now += timedelta(hours=1)
    assert publisher.send(work).outcomes == [] and networks["x"].published == []


def test_missing_credentials_fail_with_the_variable_name(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    networks["x"].script = [CredentialsError("X credentials: set the environment variable HOSPIPOST_X_API_KEY")]
    [outcome] = publisher.send(planned(config, post_with(at="2026-12-01 09:00", networks=["x"]))).outcomes
    assert outcome.state == "failed" and "HOSPIPOST_X_API_KEY" in outcome.message


def test_a_bug_in_an_adapter_makes_the_delivery_unknown_not_lost(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    networks["x"].script = [ZeroDivisionError("oops")]
    [outcome] = publisher.send(planned(config, post_with(at="2026-12-01 09:00", networks=["x"]))).outcomes
    assert outcome.state == "unknown" and "Internal error" in outcome.message


def test_a_thread_resumes_after_the_parts_already_sent(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    post = post_with(
        at="2026-12-01 09:00", networks=["x"], thread=["Deuxième partie du fil.", "Troisième partie du fil."]
    )
    work = planned(config, post)
    networks["x"].script = [None, TransientError("X answered 503 on part 2")]
    [outcome] = publisher.send(work).outcomes
    assert outcome.state == "retry" and ledger.get("p1:x:once").parts == ("x-1",)
    clock.now = outcome.retry_at
    [outcome] = publisher.send(work).outcomes
    assert outcome.state == "sent" and outcome.url == "https://x.example/x-1"
    texts = [text for _, text, _ in networks["x"].published]
    assert texts == [post["text"], "Deuxième partie du fil.", "Troisième partie du fil."]
    assert ledger.get("p1:x:once").parts == ("x-1", "x-2", "x-3")  # every part once sent: what `retract` deletes


def test_a_part_prepared_before_a_failure_is_published_by_the_retry_not_prepared_again(setup) -> None:
    """A Meta container recorded before `media_publish`: the retry publishes that one, never a second post."""
    config, ledger, networks, clock, publisher = setup
    work = planned(config, post_with(at="2026-12-01 09:00", networks=["x"]))
    networks["x"].prepares = True
    networks["x"].script = [TransientError("the network answered 503 to the publish request")]
    [outcome] = publisher.send(work).outcomes
    assert outcome.state == "retry" and ledger.get("p1:x:once").parts == ("staged:x-container-1",)
    clock.now = outcome.retry_at
    [outcome] = publisher.send(work).outcomes
    assert outcome.state == "sent" and networks["x"].prepared == ["x-container-1"]
    assert len(networks["x"].published) == 1


def test_missed_and_blocked_are_reported_and_missed_recorded_once(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    work = planned(
        config,
        post_with(id="late", at="2026-12-01 02:00", networks=["x"]),
        post_with(
            id="bad", at="2026-12-01 09:00", approved_by=None, text="Concert de Noël pour les enfants hospitalisés."
        ),
    )
    states = sorted((o.post_id, o.state) for o in publisher.send(work).outcomes)
    assert states == [("bad", "blocked"), ("late", "missed")]
    assert [o.state for o in publisher.send(work).outcomes] == ["blocked"]
    assert ledger.get("late:x:once").state == "failed"


def test_an_edited_post_is_not_sent_again(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    publisher.send(planned(config, post_with(at="2026-12-01 09:00", networks=["x"])))
    edited = post_with(
        at="2026-12-01 09:10",
        networks=["x"],
        text="Le CHU d'Angers ouvre une nouvelle salle d'attente (texte corrigé).",
    )
    clock.now = AT + timedelta(minutes=20)
    assert publisher.send(planned(config, edited, now=clock.now)).outcomes == []
    assert len(networks["x"].published) == 1


def test_check_results_and_ignored_rules_are_recorded_at_send_time(setup) -> None:
    config, ledger, networks, clock, publisher = setup
    post = post_with(
        at="2026-12-01 09:00",
        networks=["x"],
        approved_by="C. Dupuis",
        ignore=[{"rule": "approval-self", "reason": "directrice seule en poste cette semaine"}],
    )
    [outcome] = publisher.send(planned(config, post)).outcomes
    assert outcome.state == "sent"
    [sent] = ledger.event_log(kinds=["sent"])
    assert sent["detail"]["ignored"] == [{"rule": "approval-self", "reason": "directrice seule en poste cette semaine"}]
    assert sent["actor"] == ledger.actor and sent["detail"]["hash"] == ledger.get("p1:x:once").sent_hash
    [run] = ledger.last_runs()
    assert run["counts"] == {"sent": 1} and run["actor"] == ledger.actor


def test_a_claim_taken_over_is_never_sent(setup, tmp_path: Path) -> None:
    config, ledger, networks, clock, publisher = setup
    work = planned(config, post_with(at="2026-12-01 09:00", networks=["x"]))
    ledger.ensure([due.as_due_delivery() for due in work.due], AT)
    [item] = ledger.claim([work.due[0].id], AT, timedelta(minutes=15))
    # A peer judged this publisher dead and re-queued its claim before the request left.
    Ledger.open(f"sqlite:///{tmp_path / 'state.db'}", actor="peer:1").recover(AT, owner_alive=lambda owner: False)
    outcome = publisher.deliver(item, work.due[0])
    assert outcome.state == "skipped" and networks["x"].published == []
