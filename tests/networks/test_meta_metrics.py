"""Instagram's and Threads' per-post figures, through the adapters' HTTP against the local Meta server
(tests/fakes/meta_server.py): the requests sent, the figures mapped, batching and every failure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hospipost.metrics import FIGURES
from hospipost.networks.base import PermanentError, TransientError
from hospipost.networks.instagram import Instagram
from hospipost.networks.threads import Threads
from tests.fakes.meta_server import TOKEN, UNKNOWN, MetaServer, figure, make_adapter

IG_METRICS = "views,reach,likes,comments,shares,saved"
THREADS_METRICS = "views,likes,replies,reposts,quotes"


def online(meta: MetaServer, count: int) -> list[str]:
    """``count`` posts the server has published: their ids."""
    ids = [str(17_900_000_000_100_000 + n) for n in range(count)]
    meta.published += [{"id": one, "timestamp": "2026-12-01T09:00:00+0000", "permalink": "x"} for one in ids]
    return ids


def read(adapter: Any, ids: list[str]) -> list[dict[str, dict[str, int]]]:
    return list(adapter.metrics(ids))


def figures_read(batches: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    return {key: value for batch in batches for key, value in batch.items()}


def no_secret(meta: MetaServer, *texts: str) -> None:
    for request in meta.requests:
        assert request.headers.get("Authorization") == f"Bearer {TOKEN}"
        assert "access_token" not in request.query
    assert all(TOKEN not in text for text in texts)


def test_the_words_are_hospipost_figures() -> None:
    for cls in (Instagram, Threads):
        assert set(cls.metric_words) <= set(FIGURES)
        assert set(cls.insight_metrics.values()) == set(cls.metric_words)
    assert Instagram.metrics_batch == 50 and Threads.metrics_batch == 1


def test_instagram_reads_50_posts_per_ids_lookup(meta: MetaServer) -> None:
    ids = online(meta, 120)
    batches = read(make_adapter(Instagram, meta), ids)

    assert [len(batch) for batch in batches] == [50, 50, 20]
    assert [(r.method, r.path) for r in meta.requests] == [("GET", "/v27.0/")] * 3
    assert [r.query["ids"].split(",") for r in meta.requests] == [ids[:50], ids[50:100], ids[100:]]
    assert {r.query["fields"] for r in meta.requests} == {f"insights.metric({IG_METRICS})"}
    one = ids[7]
    assert figures_read(batches)[one] == {
        "views": figure(one, "views"),
        "reach": figure(one, "reach"),
        "likes": figure(one, "likes"),
        "comments": figure(one, "comments"),
        "shares": figure(one, "shares"),
        "saves": figure(one, "saved"),
    }
    no_secret(meta)


def test_threads_reads_each_post_s_insights(meta: MetaServer) -> None:
    ids = online(meta, 3)
    batches = read(make_adapter(Threads, meta), ids)

    assert len(batches) == 3
    asked = sorted((r.method, r.path, r.query["metric"]) for r in meta.requests)  # in lanes: any order
    assert asked == sorted(("GET", f"/v1.0/{one}/insights", THREADS_METRICS) for one in ids)
    one = ids[2]
    assert figures_read(batches)[one] == {
        "views": figure(one, "views"),
        "likes": figure(one, "likes"),
        "comments": figure(one, "replies"),
        "shares": figure(one, "reposts"),
        "quotes": figure(one, "quotes"),
    }
    no_secret(meta)


def test_a_deleted_instagram_post_does_not_hide_the_others(meta: MetaServer) -> None:
    ids = online(meta, 4)
    deleted = "17900000000999999"
    batches = read(make_adapter(Instagram, meta), [ids[0], deleted, *ids[1:]])

    assert set(figures_read(batches)) == set(ids)
    lookups = [r.query["ids"] for r in meta.requests]
    assert lookups == [",".join([ids[0], deleted, *ids[1:]]), ids[0], deleted, *ids[1:]]  # then one by one


@pytest.mark.parametrize("cls", [Instagram, Threads])
def test_a_single_deleted_post_is_left_out(meta: MetaServer, cls: type) -> None:
    ids = online(meta, 1)
    adapter = make_adapter(cls, meta)
    adapter.metrics_batch = 1
    assert read(adapter, ["17900000000999999", ids[0]]) == [{}, {ids[0]: figures_read(read(adapter, ids))[ids[0]]}]


def test_a_404_is_a_deleted_post_too(meta: MetaServer) -> None:
    online(meta, 1)
    meta.fail("insights", 404, {"message": "Not found", "code": 24, "error_subcode": 2207006})
    assert read(make_adapter(Threads, meta), [meta.published[0]["id"]]) == [{}]


@pytest.mark.parametrize(
    ("cls", "edge", "permission"),
    [
        (Instagram, "", "instagram_manage_insights (with pages_read_engagement)"),
        (Threads, "insights", "threads_manage_insights"),
    ],
)
@pytest.mark.parametrize(
    ("status", "error"),
    [
        (403, {"message": "(#10) Application does not have permission for this action", "code": 10}),
        (400, {"message": "(#200) Requires instagram_manage_insights permission", "code": 200}),
        (403, None),
    ],
)
def test_a_missing_permission_names_it(
    meta: MetaServer, cls: type, edge: str, permission: str, status: int, error: dict | None
) -> None:
    ids = online(meta, 2)
    meta.fail(edge, status, error)
    with pytest.raises(PermanentError) as raised:
        read(make_adapter(cls, meta), ids)
    message = str(raised.value)
    assert permission in message and "`hospipost stats fetch`" in message and "no figures were read" in message
    no_secret(meta, message)


@pytest.mark.parametrize(("cls", "edge"), [(Instagram, ""), (Threads, "insights")])
@pytest.mark.parametrize("code", [4, 17, 32, 613, 80002])
def test_a_graph_rate_limit_says_when(meta: MetaServer, cls: type, edge: str, code: int) -> None:
    ids = online(meta, 2)
    meta.fail(edge, 400, {"message": "(#4) Application request limit reached", "code": code})
    with pytest.raises(TransientError) as raised:
        read(make_adapter(cls, meta), ids)
    assert re.search(r"after \d\d:\d\d UTC", str(raised.value)) and raised.value.retry_at is not None
    assert "rate limit" in str(raised.value) and "the next `hospipost stats fetch` tries again" in str(raised.value)
    no_secret(meta, str(raised.value))


@pytest.mark.parametrize(("cls", "edge"), [(Instagram, ""), (Threads, "insights")])
def test_a_429_says_when(meta: MetaServer, cls: type, edge: str) -> None:
    ids = online(meta, 2)
    meta.fail(edge, 429)
    with pytest.raises(TransientError) as raised:
        read(make_adapter(cls, meta), ids)
    assert re.search(r"rate limit was reached .*; no figures were read, .* after \d\d:\d\d UTC", str(raised.value))


def test_usage_headers_give_the_time_to_regain_access(meta: MetaServer) -> None:
    """Meta's X-Business-Use-Case-Usage says how many minutes; that is the retry time."""
    from hospipost.networks.meta_containers import MetaError

    adapter = make_adapter(Instagram, meta)
    usage = '{"1784": [{"type": "instagram", "estimated_time_to_regain_access": 20}]}'
    error = MetaError(400, {"x-business-use-case-usage": usage}, {"message": "limit", "code": 80002})
    from hospipost.networks.base import Attempt, Step

    mapped = adapter.failure(error, Attempt("reading the figures of 2 posts", Step.METRICS))
    assert isinstance(mapped, TransientError) and mapped.retry_at is not None
    assert timedelta(minutes=19) < mapped.retry_at - datetime.now(UTC) <= timedelta(minutes=20, seconds=5)


@pytest.mark.parametrize(("cls", "edge"), [(Instagram, ""), (Threads, "insights")])
@pytest.mark.parametrize(
    ("status", "error"), [(500, None), (503, None), (500, {"message": "Please retry", "code": 2, "is_transient": True})]
)
def test_server_errors_are_transient(meta: MetaServer, cls: type, edge: str, status: int, error: dict | None) -> None:
    ids = online(meta, 2)
    meta.fail(edge, status, error)
    with pytest.raises(TransientError, match=r"(server error|temporary problem).*`hospipost stats fetch` tries again"):
        read(make_adapter(cls, meta), ids)


def test_an_expired_token_says_so(meta: MetaServer) -> None:
    ids = online(meta, 1)
    meta.token_expired = True
    with pytest.raises(PermanentError) as raised:
        read(make_adapter(Instagram, meta), ids)
    message = str(raised.value)
    assert "invalid or expired (the token expired)" in message and "run `hospipost stats fetch` again" in message
    no_secret(meta, message)


def test_an_unknown_object_error_in_a_single_read_is_a_deleted_post(meta: MetaServer) -> None:
    ids = online(meta, 1)
    meta.fail("insights", 400, UNKNOWN)
    assert read(make_adapter(Threads, meta), ids) == [{}]
