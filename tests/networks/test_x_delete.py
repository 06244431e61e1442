"""Retracting a post on X: ``DELETE /2/tweets/:id`` through tweepy, HTTP intercepted by `responses`."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from hospipost.networks.base import PermanentError, TransientError
from tests.networks.kit import Parts
from tests.networks.test_x import SECRET_VALUES, TWEETS, assert_signed, make_x

IDS = ["1790000000000000001", "1790000000000000002", "1790000000000000003"]
DELETED = {"json": {"data": {"deleted": True}}}


@pytest.fixture
def mock() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def delete(mock: responses.RequestsMock, tweet_id: str = IDS[0], **reply: Any) -> None:
    mock.delete(f"{TWEETS}/{tweet_id}", **(reply or DELETED))
    make_x().retract([tweet_id], Parts())


def failure(mock: responses.RequestsMock, **reply: Any) -> PermanentError | TransientError:
    with pytest.raises((PermanentError, TransientError)) as raised:
        delete(mock, **reply)
    assert not any(secret in str(raised.value) for secret in SECRET_VALUES)
    return raised.value


def test_a_thread_is_deleted_last_part_first_with_signed_requests(mock: responses.RequestsMock) -> None:
    for tweet_id in IDS:
        mock.delete(f"{TWEETS}/{tweet_id}", **DELETED)
    deleted = Parts()

    make_x().retract(IDS, deleted)

    assert deleted.calls == [(2, IDS[2]), (1, IDS[1]), (0, IDS[0])]
    assert [(c.request.method, c.request.url) for c in mock.calls] == [("DELETE", f"{TWEETS}/{i}") for i in IDS[::-1]]
    for call in mock.calls:
        assert_signed(call)
        assert not call.request.body
        assert not any(secret in call.request.url for secret in SECRET_VALUES)


def test_a_post_already_gone_counts_as_deleted(mock: responses.RequestsMock) -> None:
    delete(
        mock, status=404, json={"title": "Not Found Error", "type": "https://api.x.com/2/problems/resource-not-found"}
    )


def test_a_not_found_problem_beside_deleted_false_counts_as_deleted(mock: responses.RequestsMock) -> None:
    problem = {"title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found"}
    delete(mock, json={"data": {"deleted": False}, "errors": [problem]})


def test_deleted_false_without_a_reason_says_to_delete_by_hand(mock: responses.RequestsMock) -> None:
    error = failure(mock, json={"data": {"deleted": False}})
    assert type(error) is PermanentError
    assert "x.com" in str(error) and "hospipost retract --by-hand" in str(error)


def test_a_server_error_is_transient(mock: responses.RequestsMock) -> None:
    error = failure(mock, status=503, json={"title": "Service Unavailable"})
    assert type(error) is TransientError and "try again later" in str(error)


def test_a_rate_limit_is_transient_until_its_reset(mock: responses.RequestsMock) -> None:
    reset = int(time.time()) + 600
    headers = {"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"}
    error = failure(mock, status=429, headers=headers, json={"title": "Too Many Requests"})
    assert type(error) is TransientError
    assert error.retry_at == datetime.fromtimestamp(reset, UTC)


def test_refused_credentials_are_permanent(mock: responses.RequestsMock) -> None:
    error = failure(mock, status=401, json={"title": "Unauthorized", "detail": "Unauthorized"})
    assert type(error) is PermanentError and "regenerate the access token" in str(error)
    assert "it is still online" in str(error)


def test_a_refused_delete_names_the_permission(mock: responses.RequestsMock) -> None:
    detail = "You are not allowed to delete this Tweet."
    error = failure(mock, status=403, json={"title": "Forbidden", "detail": detail, "type": "about:blank"})
    assert type(error) is PermanentError and "Read and write" in str(error)
