"""Retracting a post on Threads (``DELETE /{threads-media-id}``) and on Instagram (by hand), against the local
server imitating Meta's API (tests/fakes/meta_server.py)."""

from __future__ import annotations

from typing import Any

import pytest

from hospipost.networks.base import PermanentError, Rendering, TransientError
from hospipost.networks.instagram import Instagram
from hospipost.networks.threads import Threads
from tests.fakes.meta_server import TOKEN, MetaServer, make_adapter
from tests.networks.kit import Parts

THREAD = ["Semaine de la sécurité des patients 1/3", "Atelier hygiène des mains 2/3", "Quiz au hall B 3/3"]


@pytest.fixture
def adapter(meta: MetaServer) -> Threads:
    return make_adapter(Threads, meta)


def published(adapter: Threads, parts: list[str]) -> list[str]:
    sent = Parts()
    adapter.publish(Rendering("threads", parts), "p1:threads:once", [], sent)
    return [part_id for _, part_id in sent.calls]


def failure(meta: MetaServer, adapter: Threads, status: int, error: dict[str, Any]) -> PermanentError | TransientError:
    [post] = published(adapter, THREAD[:1])
    meta.fail(post, status, error)
    with pytest.raises((PermanentError, TransientError)) as raised:
        adapter.retract([post], Parts())
    assert TOKEN not in str(raised.value) and [p["id"] for p in meta.published] == [post]
    return raised.value


def test_a_thread_is_deleted_last_part_first(meta: MetaServer, adapter: Threads) -> None:
    ids, deleted = published(adapter, THREAD), Parts()

    adapter.retract(ids, deleted)

    assert deleted.calls == [(2, ids[2]), (1, ids[1]), (0, ids[0])]
    requests = meta.seen("DELETE")
    assert [r.path for r in requests] == [f"/v1.0/{part_id}" for part_id in ids[::-1]]
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" and not r.query and not r.form for r in requests)
    assert meta.published == []


def test_a_post_already_gone_counts_as_deleted(meta: MetaServer, adapter: Threads) -> None:
    ids = published(adapter, THREAD[:1])
    adapter.retract(ids, Parts())
    deleted = Parts()

    adapter.retract(ids, deleted)  # Meta: code 100, subcode 33

    assert deleted.calls == [(0, ids[0])] and len(meta.seen("DELETE")) == 2


def test_a_temporary_problem_is_transient(meta: MetaServer, adapter: Threads) -> None:
    error = failure(meta, adapter, 500, {"message": "Please retry", "code": 2, "is_transient": True})
    assert type(error) is TransientError


def test_the_daily_deletion_limit_is_transient_with_a_retry_time(meta: MetaServer, adapter: Threads) -> None:
    error = failure(meta, adapter, 400, {"message": "(#4) Application request limit reached", "code": 4})
    assert isinstance(error, TransientError) and error.retry_at is not None and "still online" in str(error)


def test_a_missing_permission_names_threads_delete(meta: MetaServer, adapter: Threads) -> None:
    error = failure(meta, adapter, 403, {"message": "(#10) Application does not have permission", "code": 10})
    assert type(error) is PermanentError and "threads_delete" in str(error) and "still online" in str(error)


def test_an_expired_token_is_permanent_and_names_the_variable(meta: MetaServer, adapter: Threads) -> None:
    [post] = published(adapter, THREAD[:1])
    meta.token_expired = True
    with pytest.raises(PermanentError, match="HOSPIPOST_THREADS_TOKEN") as raised:
        adapter.retract([post], Parts())
    assert TOKEN not in str(raised.value)


def test_instagram_says_how_to_delete_by_hand_and_sends_nothing(meta: MetaServer) -> None:
    deleted = Parts()
    with pytest.raises(PermanentError) as raised:
        make_adapter(Instagram, meta).retract(["17900000000000042"], deleted)
    message = str(raised.value)
    assert "17900000000000042" in message and "still online" in message
    assert "instagram.com" in message and "Delete" in message and "hospipost retract --by-hand" in message
    assert deleted.calls == [] and meta.requests == []
