"""Reading posts' figures on LinkedIn (`hospipost stats fetch`): ``GET /rest/organizationalEntityShareStatistics``
with Rest.li 2.0 ``List(…)`` of URL-encoded URNs, over requests, against the local server that behaves like
LinkedIn (tests/fakes/linkedin_server.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials
from hospipost.networks.base import NotFoundError, PermanentError, TransientError
from hospipost.networks.linkedin import LinkedIn
from tests.fakes.linkedin_server import TOKEN, LinkedInServer, running

ORG = "urn:li:organization:123"
PATH = "/rest/organizationalEntityShareStatistics"


def make_adapter(api_base: str) -> LinkedIn:
    options = {"organization": ORG, "token_env": "LI_TOKEN", "version": "202610", "api_base": api_base, "timeout": 5}
    return LinkedIn(NetworkSettings("linkedin", True, options, 1), Credentials(environ={"LI_TOKEN": TOKEN}))


def shares(count: int, kind: str = "share") -> list[str]:
    return [f"urn:li:{kind}:{7_240_000_000_000_000_000 + number}" for number in range(count)]


def totals(seed: int) -> dict[str, Any]:
    """A post's totalShareStatistics as LinkedIn gives them (engagement is a rate, not a count)."""
    return {
        "impressionCount": 1204 + seed,
        "uniqueImpressionsCount": 800 + seed,
        "clickCount": 41 + seed,
        "likeCount": 37 + seed,
        "commentCount": 4 + seed,
        "shareCount": 2 + seed,
        "engagement": 0.0697,
    }


def figures(seed: int) -> dict[str, int]:
    return {
        "views": 1204 + seed,
        "reach": 800 + seed,
        "clicks": 41 + seed,
        "likes": 37 + seed,
        "comments": 4 + seed,
        "shares": 2 + seed,
    }


@pytest.fixture
def server() -> Iterator[LinkedInServer]:
    with running() as fake:
        yield fake


def read(server: LinkedInServer, urns: list[str]) -> list[dict[str, dict[str, int]]]:
    return list(make_adapter(server.url).metrics(urns))


def failure(server: LinkedInServer, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    server.fail("statistics", status, body, headers)
    with pytest.raises((PermanentError, TransientError)) as raised:
        read(server, shares(2))
    assert TOKEN not in str(raised.value)
    return raised.value


def encoded(urns: list[str]) -> str:
    return ",".join(urn.replace(":", "%3A") for urn in urns)


def test_the_contract_linkedin_declares() -> None:
    assert LinkedIn.metric_words == {
        "views": "impressions",
        "reach": "members reached",
        "clicks": "clicks",
        "likes": "reactions",
        "comments": "comments",
        "shares": "reposts",
    }
    assert LinkedIn.metrics_batch == 20
    assert LinkedIn.metrics_billed is False
    assert LinkedIn.metrics_permission == "rw_organization_admin (and an administrator of the organisation)"


def test_one_request_lists_the_encoded_share_urns_with_the_version_headers(server: LinkedInServer) -> None:
    posts = shares(2)
    server.statistics = {posts[0]: totals(0), posts[1]: totals(9)}

    assert read(server, posts) == [{posts[0]: figures(0), posts[1]: figures(9)}]

    [request] = server.requests
    assert (request.method, request.path) == ("GET", PATH)
    assert request.raw_query == (
        f"q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A123&shares=List({encoded(posts)})"
    )
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["LinkedIn-Version"] == "202610"
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert TOKEN not in request.raw_query and not request.body


def test_shares_and_ugc_posts_are_never_mixed_in_one_request(server: LinkedInServer) -> None:
    share, ugc = shares(1)[0], shares(1, "ugcPost")[0]
    server.statistics = {share: totals(1), ugc: totals(2)}

    assert read(server, [ugc, share]) == [{share: figures(1), ugc: figures(2)}]

    assert [request.raw_query.rsplit("&", 1)[1] for request in server.requests] == [
        f"shares=List({encoded([share])})",
        f"ugcPosts=List({encoded([ugc])})",
    ]


def test_45_posts_take_three_requests_of_at_most_20(server: LinkedInServer) -> None:
    posts = shares(45)
    server.statistics = {urn: totals(number) for number, urn in enumerate(posts)}

    batches = read(server, posts)

    assert [len(batch) for batch in batches] == [20, 20, 5]
    listed = [request.raw_query.rsplit("shares=", 1)[1] for request in server.requests]
    assert listed == [f"List({encoded(posts[a:b])})" for a, b in ((0, 20), (20, 40), (40, 45))]
    assert max(len(request.raw_query) for request in server.requests) < 1000
    assert batches[2][posts[44]] == figures(44)


def test_a_post_linkedin_does_not_return_is_left_out_without_hiding_the_others(server: LinkedInServer) -> None:
    posts = shares(3)
    server.statistics = {posts[0]: totals(0), posts[2]: totals(2)}  # posts[1] deleted, or older than 12 months

    assert read(server, posts) == [{posts[0]: figures(0), posts[2]: figures(2)}]


def test_a_figure_linkedin_does_not_give_is_absent_never_zero(server: LinkedInServer) -> None:
    [post] = shares(1)
    server.statistics = {post: {"impressionCount": 10, "likeCount": 2, "clickCount": None}}

    assert read(server, [post]) == [{post: {"views": 10, "likes": 2}}]


def test_a_refusal_names_the_scope_the_role_and_stats_fetch(server: LinkedInServer) -> None:
    body = {
        "status": 403,
        "serviceErrorCode": 100,
        "code": "ACCESS_DENIED",
        "message": "Not enough permissions to access: organizationalEntityShareStatistics.FINDER-organizationalEntity",
    }
    error = failure(server, 403, body)
    assert type(error) is PermanentError
    assert "rw_organization_admin (and an administrator of the organisation)" in str(error)
    assert "`hospipost stats fetch`" in str(error) and "no figures were read" in str(error)


def test_a_rate_limit_is_transient_until_retry_after(server: LinkedInServer) -> None:
    when = datetime.fromtimestamp(int(time.time()) + 900, UTC)
    headers = {"Retry-After": format_datetime(when, usegmt=True)}
    error = failure(server, 429, {"status": 429, "message": "Resource level throttle APPLICATION DAY limit"}, headers)
    assert type(error) is TransientError and error.retry_at == when
    assert "the next `hospipost stats fetch` tries again" in str(error)


@pytest.mark.parametrize("status", [500, 503, 504])
def test_a_server_error_is_transient(server: LinkedInServer, status: int) -> None:
    error = failure(server, status, {"status": status, "message": "Internal Server Error"})
    assert type(error) is TransientError and "`hospipost stats fetch`" in str(error)


def test_an_answer_without_elements_is_unreadable_so_transient(server: LinkedInServer) -> None:
    error = failure(server, 200, {"paging": {"start": 0, "count": 10}})
    assert type(error) is TransientError and "unreadable" in str(error)


def test_a_retired_version_is_permanent(server: LinkedInServer) -> None:
    error = failure(server, 426, {"status": 426, "code": "NONEXISTENT_VERSION", "message": "Requested version 202301"})
    assert type(error) is PermanentError and "networks.linkedin.version" in str(error)


def test_a_404_of_a_lone_post_reads_as_nothing_and_of_a_batch_is_an_error(server: LinkedInServer) -> None:
    server.fail("statistics", 404, {"status": 404, "message": "Not Found"})
    assert read(server, shares(1)) == [{}]

    server.fail("statistics", 404, {"status": 404, "message": "Not Found"})
    with pytest.raises(NotFoundError) as raised:
        read(server, shares(2))
    assert TOKEN not in str(raised.value)


def test_the_all_networks_server_answers_figures_from_the_post_id_and_forgets_deleted_posts() -> None:
    from hospipost.networks.base import Rendering
    from tests.fakes.netserver import running as netserver
    from tests.networks import test_linkedin
    from tests.networks.kit import Parts

    with netserver() as fake:
        adapter, sent = test_linkedin.make_adapter(api_base=fake.url), Parts()
        for number in range(3):
            adapter.publish(Rendering("linkedin", [f"Post {number}"]), f"p{number}:linkedin:once", [], sent)
        posts = [urn for _, urn in sent.calls]
        [first] = list(adapter.metrics(posts))
        adapter.retract([posts[1]], Parts())
        [second] = list(adapter.metrics(posts))

    assert sorted(first) == sorted(posts) and set(first[posts[0]]) == set(LinkedIn.metric_words)
    assert second == {posts[0]: first[posts[0]], posts[2]: first[posts[2]]}
