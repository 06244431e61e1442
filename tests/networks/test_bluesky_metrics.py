"""Reading published posts' figures (`hospipost stats fetch`) through the real atproto client: 25 posts per
``app.bsky.feed.getPosts``, answered by a fake AppView (respx: the local PDS of tests/bluesky_pds has no AppView,
so it cannot serve getPosts), and by the all-networks server (tests/fakes/netserver.py) over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from hospipost.metrics import missing_figures
from hospipost.networks.base import DeliveryError, PermanentError, Rendering, TransientError
from hospipost.networks.bluesky import Bluesky
from tests.fakes import netserver
from tests.networks.kit import Parts
from tests.networks.test_bluesky import ACCESS, API, APP_PASSWORD, REFRESH, Server, make, uri
from tests.networks.test_bluesky import mock as mock  # the respx router fixture
from tests.networks.test_bluesky import server as server  # its PDS routes

URIS = [uri(f"3lbx{n:09d}") for n in range(60)]


def figures(post_uri: str, quotes: bool = True) -> dict[str, int]:
    n = int(post_uri[-9:])
    return {"likes": n % 13 + 1, "shares": n % 11, "comments": n % 7} | ({"quotes": n % 5} if quotes else {})


class AppView:
    """``app.bsky.feed.getPosts`` on the respx PDS: post views of the uris asked for (those not ``gone``)."""

    def __init__(self, mock: respx.MockRouter, gone: set[str] | None = None, quotes: bool = True) -> None:
        self.asked: list[list[str]] = []
        self.gone, self.quotes = gone or set(), quotes
        self.route = mock.get(url__startswith=f"{API}/app.bsky.feed.getPosts").mock(side_effect=self.answer)

    def answer(self, request: httpx.Request) -> httpx.Response:
        uris = request.url.params.get_list("uris")
        self.asked.append(uris)
        assert request.headers["Authorization"] == f"Bearer {ACCESS}"
        return httpx.Response(200, json={"posts": [self.view(u) for u in uris if u not in self.gone]})

    def view(self, post_uri: str) -> dict:
        counts = figures(post_uri, self.quotes)
        names = {"likes": "likeCount", "shares": "repostCount", "comments": "replyCount", "quotes": "quoteCount"}
        return {
            "uri": post_uri,
            "cid": "bafyreibvjvcv745gig4mvqs4hctx4zfkono4rjejm2ta6gtyzkqxfjeily",
            "author": {"did": post_uri.split("/")[2], "handle": "chu.example.org"},
            "record": {"$type": "app.bsky.feed.post", "text": "…", "createdAt": "2026-12-01T09:00:00.000Z"},
            "indexedAt": "2026-12-01T09:00:01.000Z",
            **{names[name]: value for name, value in counts.items()},
        }


def read(adapter: Bluesky, ids: list[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for batch in adapter.metrics(ids):
        found |= batch
    return found


def test_60_posts_take_3_requests_of_at_most_25(mock: respx.MockRouter, server: Server) -> None:
    view = AppView(mock)
    assert read(make(), URIS) == {post_uri: figures(post_uri) for post_uri in URIS}
    assert view.asked == [URIS[0:25], URIS[25:50], URIS[50:60]]
    assert server.login.call_count == 1  # one login for the whole reading


def test_a_recorded_id_with_its_cid_is_read_by_its_uri(mock: respx.MockRouter, server: Server) -> None:
    view = AppView(mock)
    recorded = f"{URIS[0]} bafyreicid01aaaa"
    assert read(make(), [recorded]) == {recorded: figures(URIS[0])}
    assert view.asked == [[URIS[0]]]


def test_quotes_are_left_out_when_the_appview_does_not_count_them(mock: respx.MockRouter, server: Server) -> None:
    AppView(mock, quotes=False)
    found = read(make(), URIS[:2])
    assert found == {post_uri: figures(post_uri, quotes=False) for post_uri in URIS[:2]}


def test_bluesky_says_it_gives_no_views() -> None:
    assert Bluesky.metrics_batch == 25 and Bluesky.metrics_permission == "an app password of the account"
    assert missing_figures(["bluesky"]) == ["Bluesky gives no views and no reach"]


def test_a_deleted_post_is_left_out_and_the_others_read(mock: respx.MockRouter, server: Server) -> None:
    AppView(mock, gone={URIS[1]})
    assert list(make().metrics(URIS[:3])) == [{URIS[0]: figures(URIS[0]), URIS[2]: figures(URIS[2])}]


def failure(mock: respx.MockRouter, response: httpx.Response) -> DeliveryError:
    mock.get(url__startswith=f"{API}/app.bsky.feed.getPosts").mock(return_value=response)
    with pytest.raises(DeliveryError) as raised:
        read(make(), URIS[:3])
    for secret in (APP_PASSWORD, ACCESS, REFRESH):
        assert secret not in str(raised.value)
    return raised.value


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_names_the_app_password_and_stats_fetch(mock: respx.MockRouter, server: Server, status) -> None:
    body = {"error": "AuthRequired" if status == 401 else "Forbidden", "message": "Not allowed"}
    error = failure(mock, httpx.Response(status, json=body))
    assert type(error) is PermanentError
    assert str(error).startswith(f"Bluesky refused reading the figures of 3 posts (HTTP {status}:")
    assert str(error).endswith(
        "no figures were read: the token needs an app password of the account; give it, then run"
        " `hospipost stats fetch` again."
    )


def test_the_rate_limit_is_transient_until_its_reset(mock: respx.MockRouter, server: Server) -> None:
    reset = (datetime.now(UTC) + timedelta(minutes=9)).replace(microsecond=0)
    headers = {"ratelimit-reset": str(int(reset.timestamp())), "ratelimit-remaining": "0"}
    body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    error = failure(mock, httpx.Response(429, headers=headers, json=body))
    assert isinstance(error, TransientError) and error.retry_at == reset
    assert f"the next `hospipost stats fetch` tries again after {reset:%H:%M} UTC" in str(error)


def test_a_server_error_is_transient(mock: respx.MockRouter, server: Server) -> None:
    error = failure(mock, httpx.Response(502, json={"error": "UpstreamFailure", "message": "Upstream Failure"}))
    assert type(error) is TransientError and "server error (HTTP 502: UpstreamFailure: Upstream Failure)" in str(error)


def test_the_all_networks_server_gives_the_figures_of_the_posts_online() -> None:
    with netserver.running() as fake:
        adapter = make(api_base=fake.url)
        sent = [adapter.publish(Rendering("bluesky", [f"Post {n}"]), f"p{n}:bluesky:once", [], Parts()) for n in (1, 2)]
        adapter.retract([sent[1].remote_id], Parts())
        kept = sent[0].remote_id
        replies, reposts, likes, quotes = netserver.counts(kept)
        expected = {"likes": likes, "shares": reposts, "comments": replies, "quotes": quotes}
        assert list(make(api_base=fake.url).metrics([kept, sent[1].remote_id])) == [{kept: expected}]
