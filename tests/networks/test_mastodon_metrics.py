"""Reading published statuses' figures (`hospipost stats fetch`) through the real Mastodon.py, against the local
fake instance (tests/fakes/mastodon_server.py): 20 statuses per ``GET /api/v1/statuses?id[]=`` on Mastodon 4.3+,
one ``GET /api/v1/statuses/:id`` each before, and every failure as the shared classifier reads it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hospipost.metrics import in_own_words, missing_figures
from hospipost.networks.base import DeliveryError, PermanentError, Rendering, TransientError
from hospipost.networks.mastodon import Mastodon
from tests.fakes import netserver
from tests.fakes.mastodon_server import TOKEN, MastodonServer, running, status_figures
from tests.networks.kit import Parts
from tests.networks.test_mastodon import make_adapter

IDS = [str(113_000_000_000_000_000 + n) for n in range(45)]


@pytest.fixture
def server() -> Iterator[MastodonServer]:
    with running() as state:
        yield state


def adapter(server: MastodonServer, cache: Path, learn: bool = True) -> Mastodon:
    """The adapter on the fake instance; ``learn``: `networks check` ran first (the instance's version is known)."""
    made = make_adapter({"HOSPIPOST_MASTODON_TOKEN": TOKEN}, cache, api_base=server.url)
    if learn:
        made.verify()
        server.requests.clear()
    return made


def read(made: Mastodon, ids: list[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for batch in made.metrics(ids):
        found |= batch
    return found


def figures(status_id: str, quotes: bool = True) -> dict[str, int]:
    n = int(status_id)
    return {"comments": n % 7, "shares": n % 11, "likes": n % 13 + 1} | ({"quotes": n % 5} if quotes else {})


def test_45_statuses_take_3_requests_of_20_on_mastodon_4_3_and_later(server: MastodonServer, tmp_path: Path) -> None:
    found = read(adapter(server, tmp_path), IDS)

    assert found == {status_id: figures(status_id) for status_id in IDS}
    assert [(r.method, r.path, r.query) for r in server.requests] == [
        ("GET", "/api/v1/statuses", {"id[]": IDS[0:20]}),
        ("GET", "/api/v1/statuses", {"id[]": IDS[20:40]}),
        ("GET", "/api/v1/statuses", {"id[]": IDS[40:45]}),
    ]
    for request in server.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in str(request.query)


def test_an_instance_before_4_3_is_read_one_status_at_a_time(server: MastodonServer, tmp_path: Path) -> None:
    server.version = "4.2.10"
    found = read(adapter(server, tmp_path), IDS[:3])
    assert found == {status_id: figures(status_id, quotes=False) for status_id in IDS[:3]}
    assert [(r.method, r.path, r.query) for r in server.requests] == [
        ("GET", f"/api/v1/statuses/{status_id}", {}) for status_id in IDS[:3]
    ]


def test_an_unknown_version_tries_the_batch_once_then_reads_one_at_a_time(server: MastodonServer, tmp_path) -> None:
    server.version = "4.1.0"
    found = read(adapter(server, tmp_path, learn=False), IDS[:25])  # `networks check` never ran: no version known
    assert found == {status_id: figures(status_id, quotes=False) for status_id in IDS[:25]}
    paths = [r.path for r in server.requests]
    assert paths == ["/api/v1/statuses"] + [f"/api/v1/statuses/{status_id}" for status_id in IDS[:25]]


def test_quotes_are_left_out_where_the_instance_does_not_count_them(server: MastodonServer, tmp_path: Path) -> None:
    server.version = "4.4.0"  # GET /api/v1/statuses, but no quotes_count before 4.5
    found = read(adapter(server, tmp_path), IDS[:2])
    assert found == {status_id: figures(status_id, quotes=False) for status_id in IDS[:2]}
    assert all("quotes" not in counts for counts in found.values())  # absent, never 0
    likes, comments, shares = (found[IDS[0]][name] for name in ("likes", "comments", "shares"))
    assert in_own_words("mastodon", found[IDS[0]]) == f"{likes} favourites · {comments} replies · {shares} boosts"


def test_mastodon_says_it_gives_no_views() -> None:
    assert Mastodon.metrics_permission == "read:statuses" and Mastodon.metrics_batch == 20
    assert missing_figures(["mastodon"]) == ["Mastodon gives no views and no reach"]
    assert status_figures(IDS[0], (4, 4)).keys() == {"id", "url", "replies_count", "reblogs_count", "favourites_count"}


@pytest.mark.parametrize("version", ["4.5.0", "4.0.2"])
def test_a_deleted_status_is_left_out_and_the_others_read(server: MastodonServer, tmp_path: Path, version) -> None:
    server.version, server.gone = version, {IDS[1]}
    batches = list(adapter(server, tmp_path).metrics(IDS[:3]))
    quotes = version >= "4.5"
    assert batches == [{IDS[0]: figures(IDS[0], quotes), IDS[2]: figures(IDS[2], quotes)}]


def test_a_deleted_status_alone_in_its_batch_is_gone(server: MastodonServer, tmp_path: Path) -> None:
    server.version, server.gone = "4.0.2", {IDS[0]}
    assert list(adapter(server, tmp_path).metrics(IDS[:1])) == [{}]


def failure(server: MastodonServer, tmp_path: Path, status: int, body: dict, **headers: str) -> DeliveryError:
    server.fail("GET /api/v1/statuses", status, body, headers)
    with pytest.raises(DeliveryError) as raised:
        read(adapter(server, tmp_path), IDS[:3])
    assert TOKEN not in str(raised.value)
    return raised.value


@pytest.mark.parametrize(
    ("status", "said"),
    [(403, "This action is outside the authorized scopes"), (401, "The access token is invalid")],
)
def test_a_token_without_read_statuses_names_the_scope(server, tmp_path: Path, status: int, said: str) -> None:
    error = failure(server, tmp_path, status, {"error": said})
    assert type(error) is PermanentError
    assert str(error) == (  # Mastodon.py keeps no message of an error answering a list (GET /api/v1/statuses)
        f"The Mastodon instance refused reading the figures of 3 posts (HTTP {status}); no figures were read:"
        " the token needs read:statuses; give it, then run `hospipost stats fetch` again."
    )


def test_the_rate_limit_is_transient_until_its_reset(server: MastodonServer, tmp_path: Path) -> None:
    reset = (datetime.now(UTC) + timedelta(minutes=12)).replace(microsecond=0)
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()}
    error = failure(server, tmp_path, 429, {"error": "Too many requests"}, **headers)
    assert isinstance(error, TransientError) and error.retry_at == reset
    assert f"no figures were read, the next `hospipost stats fetch` tries again after {reset:%H:%M} UTC" in str(error)


def test_a_server_error_is_transient(server: MastodonServer, tmp_path: Path) -> None:
    error = failure(server, tmp_path, 503, {"error": "Service Unavailable"})
    assert type(error) is TransientError
    assert str(error) == (
        "The Mastodon instance had a server error (HTTP 503) while reading the figures of 3 posts; the next"
        " `hospipost stats fetch` tries again later."
    )


def test_a_refusal_of_one_status_quotes_the_instance(server: MastodonServer, tmp_path: Path) -> None:
    server.version = "4.2.0"
    error = failure(server, tmp_path, 403, {"error": "This action is outside the authorized scopes"})
    assert [r.path for r in server.requests] == [f"/api/v1/statuses/{IDS[0]}"]
    assert "(HTTP 403: This action is outside the authorized scopes); no figures were read: the token needs" in str(
        error
    )


def test_the_all_networks_server_gives_the_figures_of_the_statuses_online() -> None:
    with netserver.running() as fake:
        made = make_adapter(api_base=fake.url)
        sent = [made.publish(Rendering("mastodon", [f"Post {n}"]), f"p{n}:mastodon:once", [], Parts()) for n in (1, 2)]
        made.retract([sent[1].remote_id], Parts())
        kept = sent[0].remote_id
        replies, shares, likes, quotes = netserver.counts(kept)
        expected = {"comments": replies, "shares": shares, "likes": likes, "quotes": quotes}
        assert list(made.metrics([kept, sent[1].remote_id])) == [{kept: expected}]
        assert list(made.metrics([sent[1].remote_id])) == [{}]  # alone: 404, gone
