"""Facebook's per-post figures through the real facebook-sdk, HTTP intercepted by `responses` as in
test_facebook.py: the multi-id lookup sent, the figures mapped, batching, a deleted post and every failure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from hospipost.metrics import FIGURES
from hospipost.networks.base import PermanentError, TransientError
from hospipost.networks.facebook import FIELDS, Facebook
from tests.networks.test_facebook import PAGE, TOKEN, graph_error, make_adapter

LOOKUP = "https://graph.facebook.com/v26.0/"
EXPECTED_FIELDS = (
    "insights.metric(post_media_view,post_total_media_view_unique,post_reactions_by_type_total),"
    "comments.summary(true).limit(0),shares"
)


def post(post_id: str) -> dict[str, Any]:
    """What Graph answers of a Page post: figures derived from its id (no ``shares`` field when none)."""
    n = int(post_id.rsplit("_", 1)[-1]) % 1000
    insights = [
        {"name": "post_media_view", "period": "lifetime", "values": [{"value": 100 + n}]},
        {"name": "post_total_media_view_unique", "period": "lifetime", "values": [{"value": 50 + n}]},
        {"name": "post_reactions_by_type_total", "period": "lifetime", "values": [{"value": {"like": n, "love": 2}}]},
    ]
    found = {"id": post_id, "insights": {"data": insights}, "comments": {"data": [], "summary": {"total_count": 3}}}
    return found | ({"shares": {"count": n % 7}} if n % 7 else {})


class Graph:
    """Answers ``GET /v26.0/?ids=…``: every id known but those in ``deleted`` (one of which fails the lookup)."""

    def __init__(self) -> None:
        self.deleted: set[str] = set()
        self.faults: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self.lookups: list[list[str]] = []

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        import json

        query = {key: values[0] for key, values in parse_qs(urlsplit(request.url).query).items()}
        assert "access_token" not in query and request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert query["fields"] == EXPECTED_FIELDS
        ids = query["ids"].split(",")
        self.lookups.append(ids)
        if self.faults:
            status, body, headers = self.faults.pop(0)
            return status, {"Content-Type": "application/json", **headers}, json.dumps(body)
        if unknown := [one for one in ids if one in self.deleted]:
            if len(ids) == 1:
                body = graph_error(100, 33, f"Unsupported get request. Object with ID '{ids[0]}' does not exist")
                return 400, {"Content-Type": "application/json"}, json.dumps(body)
            body = graph_error(803, None, f"(#803) Some of the aliases you requested do not exist: {unknown[0]}")
            return 404, {"Content-Type": "application/json"}, json.dumps(body)
        return 200, {"Content-Type": "application/json"}, json.dumps({one: post(one) for one in ids})


@pytest.fixture
def graph() -> Iterator[Graph]:
    answers = Graph()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, LOOKUP, callback=answers)
        yield answers


def ids(count: int) -> list[str]:
    return [f"{PAGE}_{1000 + n}" for n in range(count)]


def test_the_words_are_hospipost_figures() -> None:
    assert set(Facebook.metric_words) <= set(FIGURES) and Facebook.metrics_batch == 50
    assert FIELDS == EXPECTED_FIELDS


def test_120_posts_are_read_in_3_lookups_and_mapped(graph: Graph) -> None:
    posts = ids(120)
    batches = list(make_adapter().metrics(posts))

    assert graph.lookups == [posts[:50], posts[50:100], posts[100:]]
    assert [len(batch) for batch in batches] == [50, 50, 20]
    found = {key: value for batch in batches for key, value in batch.items()}
    assert found[f"{PAGE}_1003"] == {"views": 103, "reach": 53, "likes": 5, "comments": 3, "shares": 3}
    assert found[f"{PAGE}_1007"]["shares"] == 0  # Graph leaves ``shares`` out when there are none


def test_a_deleted_post_does_not_hide_the_others(graph: Graph) -> None:
    posts = ids(3)
    graph.deleted = {posts[1]}
    batches = list(make_adapter().metrics(posts))

    assert set(batches[0]) == {posts[0], posts[2]}
    assert graph.lookups == [posts, [posts[0]], [posts[1]], [posts[2]]]


def test_a_single_deleted_post_is_left_out(graph: Graph) -> None:
    adapter = make_adapter()
    adapter.metrics_batch = 1
    posts = ids(2)
    graph.deleted = {posts[0]}
    assert [set(batch) for batch in adapter.metrics(posts)] == [set(), {posts[1]}]


def test_a_video_post_is_not_asked(graph: Graph) -> None:
    """A video is recorded by its video id (no ``_``): its figures are the Video node's, not read yet."""
    assert list(make_adapter().metrics(["10150000000000001"])) == [{}]
    assert graph.lookups == []


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, graph_error(10, None, "(#10) This endpoint requires the 'read_insights' permission")),
        (400, graph_error(200, None, "(#200) Requires pages_read_engagement permission")),
        (403, graph_error(299, None, "(#299) Requires read_insights")),
    ],
)
def test_a_missing_permission_names_it(graph: Graph, status: int, body: dict) -> None:
    graph.faults.append((status, body, {}))
    with pytest.raises(PermanentError) as raised:
        list(make_adapter().metrics(ids(2)))
    message = str(raised.value)
    assert Facebook.metrics_permission in message
    assert "`hospipost stats fetch`" in message and TOKEN not in message


def test_read_insights_refused_names_the_permission(graph: Graph) -> None:
    graph.faults.append((403, graph_error(10, None, "(#10) Requires read_insights"), {}))
    with pytest.raises(PermanentError) as raised:
        list(make_adapter().metrics(ids(2)))
    assert "read_insights and pages_read_engagement (a Page token of someone with the ANALYZE task)" in str(
        raised.value
    )


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_a_graph_rate_limit_says_when(graph: Graph, code: int) -> None:
    usage = '{"1234567890": [{"type": "pages", "estimated_time_to_regain_access": 12}]}'
    graph.faults.append((400, graph_error(code, None, "Application request limit reached"), {"X-Page-Usage": usage}))
    with pytest.raises(TransientError) as raised:
        list(make_adapter().metrics(ids(2)))
    message = str(raised.value)
    assert re.search(
        r"rate limit was reached .*the next `hospipost stats fetch` tries again after \d\d:\d\d UTC", message
    )
    assert TOKEN not in message


def test_a_429_says_when(graph: Graph) -> None:
    graph.faults.append((429, graph_error(4, None, "Too many calls"), {"Retry-After": "120"}))
    with pytest.raises(TransientError, match=r"after \d\d:\d\d UTC"):
        list(make_adapter().metrics(ids(2)))


@pytest.mark.parametrize(
    ("status", "body"), [(500, {"error": {"message": "x"}}), (503, {}), (500, graph_error(2, None, "Please retry"))]
)
def test_server_errors_are_transient(graph: Graph, status: int, body: dict) -> None:
    graph.faults.append((status, body, {}))
    with pytest.raises(TransientError, match="hospipost stats fetch"):
        list(make_adapter().metrics(ids(2)))


def test_the_rate_limit_time_is_kept_by_the_classifier() -> None:
    """The adapter's own mapping gives the usage header's wait as the TransientError's retry_at."""
    from datetime import UTC, datetime, timedelta

    import facebook

    from hospipost.networks.base import Attempt, Step
    from hospipost.networks.facebook import Answered

    class Response:
        status_code = 400
        headers = {"X-App-Usage": '{"call_count": 100, "estimated_time_to_regain_access": 10}'}

    error = facebook.GraphAPIError(graph_error(4, None, "Application request limit reached"))
    mapped = make_adapter().failure(Answered(error, Response()), Attempt("reading the figures", Step.METRICS))
    assert isinstance(mapped, TransientError) and mapped.retry_at is not None
    assert timedelta(minutes=9) < mapped.retry_at - datetime.now(UTC) <= timedelta(minutes=10, seconds=5)
