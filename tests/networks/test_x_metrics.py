"""Reading posts' figures on X (`hospipost stats fetch`): ``GET /2/tweets?ids=…&tweet.fields=public_metrics``
through the real tweepy, against the local server that behaves like X (tests/fakes/x_server.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from hospipost.networks.base import NotFoundError, PermanentError, TransientError
from hospipost.networks.x import X
from tests.fakes.x_server import FakeX, running
from tests.networks.test_x import CREDENTIALS, SECRET_VALUES, make_x

FIRST = 1_790_000_000_000_000_000


def ids(count: int) -> list[str]:
    return [str(FIRST + number) for number in range(count)]


def counts(seed: int, **missing: bool) -> dict[str, int]:
    """A post's public_metrics as X gives them."""
    found = {
        "impression_count": 1000 + seed,
        "like_count": 30 + seed,
        "retweet_count": 5 + seed,
        "reply_count": 3 + seed,
        "quote_count": 1 + seed,
        "bookmark_count": 2 + seed,
    }
    return {name: value for name, value in found.items() if not missing.get(name)}


def figures(seed: int) -> dict[str, int]:
    return {
        "views": 1000 + seed,
        "likes": 30 + seed,
        "shares": 5 + seed,
        "comments": 3 + seed,
        "quotes": 1 + seed,
        "bookmarks": 2 + seed,
    }


@pytest.fixture
def server() -> Iterator[FakeX]:
    with running(CREDENTIALS["HOSPIPOST_X_API_KEY"]) as fake:
        yield fake


def read(server: FakeX, remote_ids: list[str]) -> list[dict[str, dict[str, int]]]:
    return list(make_x(api_base=server.url).metrics(remote_ids))


def failure(server: FakeX, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    server.faults[("GET", "/2/tweets")] = (status, body, headers or {})
    with pytest.raises((PermanentError, TransientError)) as raised:
        read(server, ids(2))
    assert not any(secret in str(raised.value) for secret in SECRET_VALUES)
    return raised.value


def queries(server: FakeX) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(request.path).query) for request in server.requests]


def test_the_contract_x_declares() -> None:
    assert X.metric_words == {
        "views": "impressions",
        "likes": "likes",
        "shares": "reposts",
        "comments": "replies",
        "quotes": "quotes",
        "bookmarks": "bookmarks",
    }
    assert X.metrics_batch == 100
    assert X.metrics_billed is True  # read only with `stats: {x: true}` (metrics.fetch)
    assert X.metrics_permission == "tweet.read and users.read (user context)"


def test_one_signed_lookup_reads_each_post_figures_in_hospipost_names(server: FakeX) -> None:
    posts = ids(2)
    server.metrics = {posts[0]: counts(0), posts[1]: counts(7)}

    assert read(server, posts) == [{posts[0]: figures(0), posts[1]: figures(7)}]

    [request] = server.requests
    assert (request.method, request.path) == (
        "GET",
        f"/2/tweets?tweet.fields=public_metrics&ids={posts[0]}%2C{posts[1]}",
    )
    assert queries(server) == [{"ids": [",".join(posts)], "tweet.fields": ["public_metrics"]}]
    assert f'oauth_consumer_key="{CREDENTIALS["HOSPIPOST_X_API_KEY"]}"' in request.authorization  # user context
    assert not any(secret in request.path for secret in SECRET_VALUES)
    assert request.authorization.count(CREDENTIALS["HOSPIPOST_X_API_SECRET"]) == 0


def test_250_posts_take_three_lookups_of_at_most_100_ids_in_order(server: FakeX) -> None:
    posts = ids(250)
    server.metrics = {post_id: counts(number) for number, post_id in enumerate(posts)}

    batches = read(server, posts)

    assert [len(batch) for batch in batches] == [100, 100, 50]
    assert [query["ids"][0].split(",") for query in queries(server)] == [posts[:100], posts[100:200], posts[200:]]
    assert batches[2][posts[249]] == figures(249)


def test_a_deleted_post_is_left_out_without_hiding_the_others(server: FakeX) -> None:
    posts = ids(3)
    server.metrics = {posts[0]: counts(0), posts[2]: counts(2)}  # posts[1] is an `errors` entry of the 200

    assert read(server, posts) == [{posts[0]: figures(0), posts[2]: figures(2)}]


def test_a_lone_deleted_post_reads_as_nothing(server: FakeX) -> None:
    assert read(server, ids(1)) == [{}]


def test_a_figure_x_does_not_give_is_absent_never_zero(server: FakeX) -> None:
    [post] = ids(1)
    server.metrics = {post: counts(0, bookmark_count=True, impression_count=True)}

    [found] = read(server, [post])

    assert found[post] == {"likes": 30, "shares": 5, "comments": 3, "quotes": 1}


def test_a_refusal_names_the_permission_and_stats_fetch(server: FakeX) -> None:
    body = {
        "title": "Client Forbidden",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from"
        " a Twitter developer App that is attached to a Project.",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }
    error = failure(server, 403, body)
    assert type(error) is PermanentError
    assert "tweet.read and users.read (user context)" in str(error)
    assert "`hospipost stats fetch`" in str(error) and "no figures were read" in str(error)


def test_a_rate_limit_is_transient_until_x_rate_limit_reset(server: FakeX) -> None:
    reset = int(time.time()) + 600
    headers = {"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0", "x-rate-limit-limit": "15"}
    error = failure(server, 429, {"title": "Too Many Requests", "detail": "Too Many Requests"}, headers)
    assert type(error) is TransientError
    assert error.retry_at == datetime.fromtimestamp(reset, UTC)
    assert "the next `hospipost stats fetch` tries again" in str(error)


def test_a_usage_cap_says_when_stats_fetch_can_read_again(server: FakeX) -> None:
    body = {"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly", "period": "Monthly"}
    body["type"] = "https://api.twitter.com/2/problems/usage-capped"
    error = failure(server, 429, body, {"x-rate-limit-reset": str(int(time.time()) + 60)})
    assert type(error) is TransientError
    assert "monthly usage cap" in str(error) and "`hospipost stats fetch`" in str(error)
    assert "hospipost will try" not in str(error)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_transient(server: FakeX, status: int) -> None:
    error = failure(server, status, {"title": "Service Unavailable"})
    assert type(error) is TransientError and "`hospipost stats fetch`" in str(error)


def test_refused_credentials_name_the_permission_not_the_keys(server: FakeX) -> None:
    error = failure(server, 401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
    assert type(error) is PermanentError and "tweet.read" in str(error)


def test_a_404_of_a_lone_post_reads_as_nothing_and_of_a_batch_is_an_error(server: FakeX) -> None:
    server.faults[("GET", "/2/tweets")] = (404, {"title": "Not Found Error", "detail": "Not found"})
    assert read(server, ids(1)) == [{}]

    server.faults[("GET", "/2/tweets")] = (404, {"title": "Not Found Error", "detail": "Not found"})
    with pytest.raises(NotFoundError):
        read(server, ids(2))


def test_the_all_networks_server_answers_figures_from_the_post_id_and_forgets_deleted_posts() -> None:
    from hospipost.networks.base import Rendering
    from tests.fakes.netserver import running as netserver
    from tests.networks.kit import Parts

    with netserver() as fake:
        adapter, sent = make_x(api_base=fake.url, timeout=5), Parts()
        for number in range(3):
            adapter.publish(Rendering("x", [f"Post {number}"]), f"p{number}:x:once", [], sent)
        posts = [post_id for _, post_id in sent.calls]
        [first] = list(adapter.metrics(posts))
        adapter.retract([posts[1]], Parts())
        [second] = list(adapter.metrics(posts))

    assert sorted(first) == sorted(posts) and set(first[posts[0]]) == set(X.metric_words)
    assert second == {posts[0]: first[posts[0]], posts[2]: first[posts[2]]}  # the same figures, the deleted one out
