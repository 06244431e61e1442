"""The delivery ledger, on SQLite and PostgreSQL: claims, transitions, recovery, schema."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from hospipost.ledger import SCHEMA_VERSION, DueDelivery, Ledger, LedgerError, redact_url

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=15)


def due(post_id: str = "p1", network: str = "x") -> DueDelivery:
    return DueDelivery(post_id, "news", network, "once", NOW)


def test_a_delivery_is_claimed_once(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    ledger.ensure([due()], NOW)
    ledger.ensure([due()], NOW)
    first = ledger.claim([due().id], NOW, LEASE)
    second = ledger.claim([due().id], NOW, LEASE)
    assert [item.id for item in first] == ["p1:x:once"] and second == []
    assert first[0].state == "sending" and first[0].attempts == 1 and first[0].lease_owner == ledger.actor


def test_concurrent_claims_never_share_a_delivery(ledger_url: str) -> None:
    ledgers = [Ledger.open(ledger_url, actor=f"worker-{n}") for n in range(6)]
    items = [due(f"p{n}", network) for n in range(40) for network in ("x", "facebook")]
    ledgers[0].ensure(items, NOW)
    ids = [item.id for item in items]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda ledger: ledger.claim(ids, NOW, LEASE), ledgers))
    claimed = [item.id for batch in results for item in batch]
    assert sorted(claimed) == sorted(ids)


def test_sent_is_final_with_url_hash_and_history(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    ledger.ensure([due()], NOW)
    [item] = ledger.claim([due().id], NOW, LEASE)
    ledger.request_started(item, NOW)
    ledger.mark_sent(item, NOW, "123", "https://x.com/i/web/status/123", "abc")
    stored = ledger.get(item.id)
    assert (stored.state, stored.remote_id, stored.remote_url, stored.sent_hash) == (
        "sent",
        "123",
        "https://x.com/i/web/status/123",
        "abc",
    )
    assert ledger.claim([item.id], NOW + timedelta(hours=1), LEASE) == []
    kinds = [event["kind"] for event in reversed(ledger.event_log(post_id="p1"))]
    assert kinds == ["claimed", "request", "sent"]


def test_retry_waits_for_its_time(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    ledger.ensure([due()], NOW)
    [item] = ledger.claim([due().id], NOW, LEASE)
    ledger.mark_retry(item, NOW, "X answered 503", NOW + timedelta(minutes=2))
    assert ledger.claim([item.id], NOW + timedelta(minutes=1), LEASE) == []
    [again] = ledger.claim([item.id], NOW + timedelta(minutes=2), LEASE)
    assert again.attempts == 2 and again.last_error == "X answered 503"


def test_thread_parts_are_remembered(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    ledger.ensure([due()], NOW)
    [item] = ledger.claim([due().id], NOW, LEASE)
    ledger.record_part(item, 0, "111", NOW)
    ledger.record_part(item, 1, "222", NOW)
    assert ledger.get(item.id).parts == ("111", "222")


def test_a_dead_owner_before_the_request_is_requeued(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url, actor="host:1")
    ledger.ensure([due()], NOW)
    ledger.claim([due().id], NOW, LEASE)
    recovered = Ledger.open(ledger_url, actor="host:2").recover(NOW, owner_alive=lambda owner: False)
    assert [item.id for item in recovered] == ["p1:x:once"]
    assert ledger.get("p1:x:once").state == "pending"


def test_a_dead_owner_after_the_request_left_is_unknown(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url, actor="host:1")
    ledger.ensure([due()], NOW)
    [item] = ledger.claim([due().id], NOW, LEASE)
    ledger.request_started(item, NOW)
    Ledger.open(ledger_url, actor="host:2").recover(NOW, owner_alive=lambda owner: False)
    stored = ledger.get(item.id)
    assert stored.state == "unknown" and "reconcile" in stored.last_error


def test_a_live_owner_keeps_its_claim_until_the_lease_expires(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url, actor="host:1")
    ledger.ensure([due()], NOW)
    ledger.claim([due().id], NOW, LEASE)
    assert ledger.recover(NOW + timedelta(minutes=5), owner_alive=lambda owner: True) == []
    assert ledger.recover(NOW + LEASE, owner_alive=lambda owner: True) != []


def test_missed_is_recorded_once_and_stops_retries(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    assert ledger.record_missed(due("late"), NOW, "more than 6 h late")
    assert not ledger.record_missed(due("late"), NOW, "more than 6 h late")
    assert ledger.get("late:x:once").state == "failed"
    ledger.ensure([due("retrying")], NOW)
    [item] = ledger.claim([due("retrying").id], NOW, LEASE)
    ledger.mark_retry(item, NOW, "503", NOW + timedelta(hours=1))
    assert ledger.record_missed(due("retrying"), NOW, "more than 6 h late")
    assert ledger.get("retrying:x:once").state == "failed"


def test_reconcile_sent_and_not_sent(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    ledger.ensure([due("a"), due("b")], NOW)
    for item in ledger.claim(["a:x:once", "b:x:once"], NOW, LEASE):
        ledger.mark_unknown(item, NOW, "timed out")
    ledger.reconcile(ledger.get("a:x:once"), NOW, "https://x.com/chu/status/9", "c.dupuis")
    ledger.reconcile(ledger.get("b:x:once"), NOW, None, "c.dupuis")
    assert ledger.get("a:x:once").state == "sent" and ledger.get("a:x:once").remote_url == "https://x.com/chu/status/9"
    assert ledger.get("b:x:once").state == "pending"
    verdicts = [e["detail"]["verdict"] for e in ledger.event_log(kinds=["reconciled"])]
    assert sorted(verdicts) == ["not sent", "sent"]


def test_schema_version_is_recorded_and_a_newer_ledger_is_refused(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    with ledger.write() as connection:
        assert connection.execute(
            sa.text("select value from hospipost_meta where key='schema_version'")
        ).scalar() == str(SCHEMA_VERSION)
        connection.execute(sa.text("update hospipost_meta set value='99' where key='schema_version'"))
    with pytest.raises(LedgerError, match="newer than this hospipost"):
        Ledger.open(ledger_url)


def test_reopening_keeps_the_data(ledger_url: str) -> None:
    Ledger.open(ledger_url).ensure([due()], NOW)
    assert [item.id for item in Ledger.open(ledger_url).all()] == ["p1:x:once"]


def test_a_missing_sqlite_ledger_is_not_created_when_reading(tmp_path) -> None:
    with pytest.raises(LedgerError, match="no ledger"):
        Ledger.open(f"sqlite:///{tmp_path / 'none.db'}", create=False)
    assert not (tmp_path / "none.db").exists()


def test_an_unreachable_postgresql_is_one_clear_error() -> None:
    with pytest.raises(LedgerError, match="The ledger postgresql.*could not be"):
        Ledger.open("postgresql://hospipost:s3cret@127.0.0.1:1/none")


def test_redact_url_hides_the_password() -> None:
    assert "s3cret" not in redact_url("postgresql://hospipost:s3cret@db.example/ledger")


def test_a_version_1_ledger_is_migrated(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    ledger.ensure([due()], NOW)
    with ledger.write() as connection:
        connection.execute(sa.text("drop table daemons"))
        connection.execute(sa.text("update hospipost_meta set value='1' where key='schema_version'"))
    migrated = Ledger.open(ledger_url)
    assert [item.id for item in migrated.all()] == ["p1:x:once"]
    migrated.heartbeat(NOW, NOW, [])
    assert [d["name"] for d in migrated.daemon_list()] == [migrated.actor]


def test_a_version_2_ledger_is_read_before_it_is_migrated_then_retracts(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url)
    ledger.ensure([due()], NOW)
    with ledger.write() as connection:
        connection.execute(sa.text("drop table retractions"))
        connection.execute(sa.text("drop table retracted_posts"))
        connection.execute(sa.text("update hospipost_meta set value='2' where key='schema_version'"))
    reader = Ledger.open(ledger_url, migrate=False)  # status or history right after an upgrade
    assert [item.retraction for item in reader.all()] == [None]
    assert reader.retractions() == [] and reader.retracted_posts() == {} and not reader.retractions_to_do()
    migrated = Ledger.open(ledger_url)
    migrated.request_retraction("p1", None, "Chiffres erronés", "a.renier", NOW)
    assert migrated.retracted_posts() == {"p1": {"*"}}
    assert migrated.get("p1:x:once").state == "withdrawn"  # never sent: never will be
    assert migrated.claim(["p1:x:once"], NOW, timedelta(minutes=15)) == []


def test_a_version_3_ledger_is_read_before_it_is_migrated_then_keeps_snapshots(ledger_url: str) -> None:
    from hospipost.ledger import Snapshot

    ledger = Ledger.open(ledger_url)
    ledger.ensure([due()], NOW)
    with ledger.write() as connection:
        connection.execute(sa.text("drop table metric_snapshots"))
        connection.execute(sa.text("update hospipost_meta set value='3' where key='schema_version'"))
    assert Ledger.open(ledger_url, migrate=False).snapshots() == []  # `stats` right after an upgrade
    migrated = Ledger.open(ledger_url)
    migrated.record_snapshots([Snapshot("p1:x:once", "p1", "x", NOW, {"views": 10, "likes": 2})])
    assert migrated.snapshots() == [Snapshot("p1:x:once", "p1", "x", NOW, {"likes": 2, "views": 10})]


def test_snapshots_are_kept_in_order_and_the_latest_of_each_delivery_is_found(ledger_url: str) -> None:
    from hospipost.ledger import Snapshot

    ledger = Ledger.open(ledger_url)
    later = NOW + timedelta(days=1)
    ledger.record_snapshots(
        [
            Snapshot("p1:x:once", "p1", "x", NOW, {"views": 10}),
            Snapshot("p2:mastodon:once", "p2", "mastodon", NOW, {"likes": 1}),
        ]
    )
    ledger.record_snapshots([Snapshot("p1:x:once", "p1", "x", later, {"views": 25})])
    assert [s.figures for s in ledger.snapshots(delivery_id="p1:x:once")] == [{"views": 10}, {"views": 25}]
    assert {(s.delivery_id, s.taken_at) for s in ledger.snapshots(latest=True)} == {
        ("p1:x:once", later),
        ("p2:mastodon:once", NOW),
    }
    assert [s.taken_at for s in ledger.snapshots(since=later)] == [later]


def test_one_daemon_takes_the_scheduled_stats_fetch(ledger_url: str) -> None:
    first, second = Ledger.open(ledger_url, actor="a:1"), Ledger.open(ledger_url, actor="b:2")
    day = timedelta(days=1)
    assert first.claim_stats_fetch(NOW, day) and not second.claim_stats_fetch(NOW + timedelta(hours=1), day)
    assert second.claim_stats_fetch(NOW + day, day)
    first.record_stats_fetch({"at": NOW.isoformat(), "networks": {}})
    assert second.last_stats_fetch() == {"at": NOW.isoformat(), "networks": {}}


def test_heartbeats(ledger_url: str) -> None:
    ledger = Ledger.open(ledger_url, actor="host-a:101")
    ledger.heartbeat(NOW, NOW, [])
    ledger.heartbeat(NOW + timedelta(seconds=10), NOW, ["posts/broken.yaml:3: invalid YAML"])
    [daemon] = ledger.daemon_list()
    assert (daemon["host"], daemon["pid"], daemon["last_seen"]) == ("host-a", 101, NOW + timedelta(seconds=10))
    assert daemon["problems"] == ["posts/broken.yaml:3: invalid YAML"] and daemon["stopped_at"] is None
    ledger.heartbeat(NOW + timedelta(seconds=20), NOW, [], stopped=True)
    assert ledger.daemon_list()[0]["stopped_at"] == NOW + timedelta(seconds=20)


def test_delivery_states_are_an_enum_stored_as_strings(ledger_url: str) -> None:
    import json

    from hospipost.ledger import DeliveryState

    ledger = Ledger.open(ledger_url)
    ledger.ensure([due()], NOW)
    (item,) = ledger.claim([due().id], NOW, LEASE)
    ledger.mark_sent(item, NOW, "1", "https://x.com/chu/status/1", "h")
    with ledger.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT state FROM deliveries")).scalar_one()
    assert stored == "sent" and type(stored) is str
    assert ledger.get(due().id).state is DeliveryState.SENT and json.dumps(ledger.get(due().id).state) == '"sent"'
