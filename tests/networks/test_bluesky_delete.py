"""Retracting a post on Bluesky: ``com.atproto.repo.deleteRecord`` through atproto, HTTP intercepted by `respx`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import respx

from hospipost.networks.base import PermanentError, TransientError
from tests.networks.kit import Parts
from tests.networks.test_bluesky import ACCESS, APP_PASSWORD, DID, POST, Server, cid, make, uri

RKEYS = ["3lbq2aaaaaaa2", "3lbq2aaaaaab2", "3lbq2aaaaaac2"]
IDS = [f"{uri(rkey)} {cid(number)}" for number, rkey in enumerate(RKEYS, 1)]
COMMIT = {"commit": {"cid": cid(99), "rev": "3kzzzzzzzzzz2"}}


@pytest.fixture
def server() -> Iterator[Server]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield Server(router)


def deletes(server: Server, *answers: httpx.Response) -> respx.Route:
    route = server.mock.post(f"{server.base}/com.atproto.repo.deleteRecord")
    return route.mock(side_effect=list(answers)) if len(answers) > 1 else route.mock(return_value=answers[0])


def failure(server: Server, tmp_path: Path, *answers: httpx.Response) -> PermanentError | TransientError:
    deletes(server, *answers)
    with pytest.raises((PermanentError, TransientError)) as raised:
        make(tmp_path).retract([IDS[0]], Parts())
    assert APP_PASSWORD not in str(raised.value) and ACCESS not in str(raised.value)
    return raised.value


def test_a_thread_is_deleted_last_part_first_after_one_login(server: Server, tmp_path: Path) -> None:
    route = deletes(server, httpx.Response(200, json=COMMIT))
    deleted = Parts()

    make(tmp_path).retract(IDS, deleted)

    assert deleted.calls == [(2, IDS[2]), (1, IDS[1]), (0, IDS[0])]
    assert server.login.call_count == 1
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert bodies == [{"repo": DID, "collection": POST, "rkey": rkey} for rkey in RKEYS[::-1]]
    for call in route.calls:
        assert call.request.headers["Authorization"] == f"Bearer {ACCESS}"
        assert call.request.url.query == b""


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={}),  # the PDS's no-op for a record that does not exist
        httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"}),
    ],
)
def test_a_record_already_gone_counts_as_deleted(server: Server, tmp_path: Path, answer: httpx.Response) -> None:
    deletes(server, answer)
    deleted = Parts()
    make(tmp_path).retract([IDS[0]], deleted)
    assert deleted.calls == [(0, IDS[0])]


def test_a_part_recorded_without_its_cid_is_deleted_too(server: Server, tmp_path: Path) -> None:
    route = deletes(server, httpx.Response(200, json=COMMIT))
    make(tmp_path).retract([uri(RKEYS[0])], Parts())
    assert json.loads(route.calls[0].request.content)["rkey"] == RKEYS[0]


def test_a_server_error_is_transient(server: Server, tmp_path: Path) -> None:
    error = failure(server, tmp_path, httpx.Response(502, json={"error": "UpstreamFailure", "message": "Bad gateway"}))
    assert type(error) is TransientError


def test_a_rate_limit_is_transient_until_its_reset(server: Server, tmp_path: Path) -> None:
    reset = int(time.time()) + 900
    limited = httpx.Response(
        429,
        json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"ratelimit-reset": str(reset)},
    )
    error = failure(server, tmp_path, limited)
    assert isinstance(error, TransientError) and error.retry_at == datetime.fromtimestamp(reset, UTC)
    assert "still online" in str(error)


def test_a_session_refused_even_after_a_new_login_is_permanent(server: Server, tmp_path: Path) -> None:
    refused = httpx.Response(401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
    error = failure(server, tmp_path, refused, refused)
    assert type(error) is PermanentError and "app password" in str(error)
    assert server.login.call_count == 2


def test_a_forbidden_delete_is_permanent(server: Server, tmp_path: Path) -> None:
    error = failure(server, tmp_path, httpx.Response(403, json={"error": "Forbidden", "message": "Account taken down"}))
    assert type(error) is PermanentError and "still online" in str(error)


def test_a_recorded_id_that_is_not_an_at_uri_is_permanent(server: Server, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="hospipost reconcile"):
        make(tmp_path).retract(["3lbq2aaaaaaa2"], Parts())
