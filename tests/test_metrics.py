"""`stats fetch`: every published post's figures, read from each network in batches, networks in parallel,
kept as dated snapshots; a network that refuses or rate-limits stops alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hospipost.config import Config
from hospipost.ledger import Ledger
from hospipost.metrics import fetch, latest_figures, totals
from hospipost.networks.base import NotFoundError, PermanentError, TransientError
from hospipost.publisher import Publisher, candidates, plan
from tests.fakes.adapter import FakeNetworkSet
from tests.helpers import make_posts, post_with

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = AT + timedelta(days=1)


@pytest.fixture
def published(tmp_path: Path, config: Config):
    """Three posts sent to X and Mastodon (six deliveries), through the real publisher."""
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    networks = FakeNetworkSet()
    posts = make_posts(
        config,
        *(
            post_with(id=f"p{n}", at="2026-12-01 09:00", networks=["x", "mastodon"], kind=kind, text=text)
            for n, kind, text in (
                (1, "event", "Journée portes ouvertes de l'IFSI samedi 12 décembre, de 9 h à 17 h."),
                (2, "news", "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie."),
                (3, "news", "Nouveau parking visiteurs : 300 places de plus dès lundi devant les urgences."),
            )
        ),
    )
    Publisher(ledger, networks, lambda: AT).send(plan(candidates(posts, config, AT), config, AT))
    return config, ledger, networks, posts


def test_each_post_is_read_in_batches_and_kept_as_a_dated_snapshot(published) -> None:
    config, ledger, networks, _posts = published
    result = fetch(config, ledger, LATER, adapters=networks, clock=lambda: LATER)
    assert result.ok and [(r.network, r.asked, r.read) for r in result.readings] == [("mastodon", 3, 3), ("x", 3, 3)]
    assert [len(batch) for batch in networks["x"].metrics_requests] == [2, 1]  # metrics_batch = 2
    assert len(ledger.snapshots()) == 6
    fetch(config, ledger, LATER + timedelta(days=1), adapters=networks)
    assert len(ledger.snapshots()) == 12 and len(ledger.snapshots(latest=True)) == 6
    assert ledger.last_stats_fetch()["networks"]["x"]["read"] == 3


def test_posts_never_read_come_first_then_those_read_longest_ago(published) -> None:
    config, ledger, networks, _posts = published
    networks["x"].metrics_script = [None, TransientError("X's rate limit was reached")]
    fetch(config, ledger, LATER, adapters=networks, networks=["x"])
    first_read = networks["x"].metrics_requests[0]
    networks["x"].metrics_requests.clear()
    fetch(config, ledger, LATER, adapters=networks, networks=["x"])
    assert networks["x"].metrics_requests[0][0] not in first_read  # the post the rate limit left out


def test_a_rate_limit_or_a_refusal_stops_that_network_only(published) -> None:
    config, ledger, networks, _posts = published
    retry_at = LATER + timedelta(minutes=15)
    networks["x"].metrics_script = [TransientError("X's rate limit was reached; try after 09:15 UTC", retry_at)]
    with pytest.raises(TransientError) as raised:
        next(networks["x"].metrics(["x-1"]))
    assert raised.value.retry_at == retry_at  # kept through the redaction
    networks["x"].metrics_script = [TransientError("X's rate limit was reached; try after 09:15 UTC", retry_at)]
    networks["mastodon"].metrics_script = [PermanentError("refused: access_token=s3cr3t is not allowed")]
    result = fetch(config, ledger, LATER, adapters=networks)
    problems = {r.network: r.problem for r in result.readings}
    assert not result.ok and "rate limit" in problems["x"] and "s3cr3t" not in problems["mastodon"]
    assert ledger.snapshots() == []
    assert ledger.last_stats_fetch()["networks"]["x"]["problem"] == problems["x"]


def test_a_post_deleted_on_the_network_is_counted_without_figures(published) -> None:
    config, ledger, networks, _posts = published
    networks["x"].metrics_batch = 1  # type: ignore[misc]
    networks["x"].metrics_script = [None, NotFoundError("nothing at this address")]
    result = fetch(config, ledger, LATER, adapters=networks, networks=["x"])
    (reading,) = result.readings
    assert result.ok and (reading.read, reading.unread) == (2, 1)


def test_billed_reads_wait_for_the_config(published) -> None:
    config, ledger, networks, _posts = published
    networks["x"].metrics_billed = True  # type: ignore[misc]
    (reading,) = fetch(config, ledger, LATER, adapters=networks, networks=["x"]).readings
    assert "stats: {x: true}" in (reading.skipped or "") and networks["x"].metrics_requests == []
    config.stats.x = True
    (reading,) = fetch(config, ledger, LATER, adapters=networks, networks=["x"]).readings
    assert reading.read == 3


def test_a_bug_in_one_adapter_leaves_the_others(published) -> None:
    config, ledger, networks, _posts = published
    networks["x"].metrics_script = [ZeroDivisionError("oops")]
    result = fetch(config, ledger, LATER, adapters=networks)
    problems = {r.network: r.problem for r in result.readings}
    assert problems["mastodon"] is None and "Internal error" in (problems["x"] or "")


def test_networks_are_read_in_parallel(tmp_path: Path, config: Config) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    networks = FakeNetworkSet(together=2)  # each connection waits until both networks connect at once
    posts = make_posts(config, post_with(id="p1", at="2026-12-01 09:00", networks=["x", "mastodon"]))
    Publisher(ledger, FakeNetworkSet(), lambda: AT).send(plan(candidates(posts, config, AT), config, AT))
    for name in ("x", "mastodon"):
        networks[name].figures = {f"{name}-1": {"views": 5}}
    result = fetch(config, ledger, LATER, adapters=networks)
    assert result.ok and [r.read for r in result.readings] == [1, 1]


def test_old_and_retracted_posts_are_not_read(published) -> None:
    config, ledger, networks, _posts = published
    ledger.request_retraction("p1", None, "Chiffres erronés", "a.renier", LATER)
    result = fetch(config, ledger, AT + timedelta(days=20), adapters=networks)
    assert [r.asked for r in result.readings] == [2, 2]
    assert fetch(config, ledger, AT + timedelta(days=31), adapters=networks).readings == []
    assert [
        r.asked
        for r in fetch(config, ledger, AT + timedelta(days=31), adapters=networks, since=timedelta(days=60)).readings
    ] == [2, 2]


def test_the_latest_figures_are_summed_by_network_and_kind(published) -> None:
    config, ledger, networks, posts = published
    for name in ("x", "mastodon"):
        sent = {n: ledger.get(f"p{n}:{name}:once").remote_id for n in (1, 2, 3)}
        networks[name].figures = {sent[n]: {"views": 10, "likes": n} for n in (1, 2, 3)}
    fetch(config, ledger, LATER, adapters=networks)
    rows = latest_figures(ledger, posts)
    assert [row.interactions for row in rows] == [3, 3, 2, 2, 1, 1]
    by_kind = {total.name: total for total in totals(rows, "kind")}
    assert (by_kind["news"].posts, by_kind["news"].interactions, by_kind["event"].interactions) == (4, 10, 2)
    assert [(row.post_id, row.kind) for row in rows[:2]] == [("p3", "news"), ("p3", "news")]
    assert by_kind["news"].per_post("views") == 10 and by_kind["news"].per_post("saves") is None


def test_a_network_read_one_post_per_request_is_read_in_lanes(published) -> None:
    import threading

    config, ledger, networks, _posts = published
    x = networks["x"]
    x.metrics_batch, x.metrics_parallel = 1, 3  # type: ignore[misc]
    x.together = threading.Barrier(3)  # each lane's connection waits until the three lanes connect at once
    (reading,) = fetch(config, ledger, LATER, adapters=networks, networks=["x"]).readings
    assert (reading.read, reading.problem) == (3, None) and sorted(map(len, x.metrics_requests)) == [1, 1, 1]


def test_a_rate_limit_in_one_lane_stops_them_all_and_keeps_what_was_read(published) -> None:
    config, ledger, networks, _posts = published
    x = networks["x"]
    x.metrics_batch, x.metrics_parallel = 1, 2  # type: ignore[misc]
    x.metrics_script = [None, TransientError("X's rate limit was reached", LATER + timedelta(minutes=15))]
    (reading,) = fetch(config, ledger, LATER, adapters=networks, networks=["x"]).readings
    assert "rate limit" in (reading.problem or "") and 1 <= reading.read <= 2
    assert len(ledger.snapshots()) == reading.read
