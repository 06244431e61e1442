"""Retracting a post on Mastodon: ``DELETE /api/v1/statuses/:id`` through Mastodon.py, HTTP intercepted by `responses`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import responses

from hospipost.networks.base import PermanentError, TransientError
from tests.networks.kit import Parts
from tests.networks.test_mastodon import STATUSES, TOKEN, make_adapter, status

IDS = ["113000000000000001", "113000000000000002", "113000000000000003"]


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def failure(http: responses.RequestsMock, status_code: int, **reply: object) -> PermanentError | TransientError:
    http.delete(f"{STATUSES}/{IDS[0]}", status=status_code, **reply)  # type: ignore[arg-type]
    with pytest.raises((PermanentError, TransientError)) as raised:
        make_adapter().retract([IDS[0]], Parts())
    assert TOKEN not in str(raised.value)
    return raised.value


def test_a_thread_is_deleted_last_part_first_with_the_token_in_a_header(http: responses.RequestsMock) -> None:
    for status_id in IDS:
        http.delete(f"{STATUSES}/{status_id}", json=status(status_id))
    deleted = Parts()

    make_adapter().retract(IDS, deleted)

    assert deleted.calls == [(2, IDS[2]), (1, IDS[1]), (0, IDS[0])]
    assert [(c.request.method, c.request.url) for c in http.calls] == [("DELETE", f"{STATUSES}/{i}") for i in IDS[::-1]]
    for call in http.calls:
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in call.request.url
        assert call.request.req_kwargs["timeout"] == 7


def test_a_status_already_gone_counts_as_deleted(http: responses.RequestsMock) -> None:
    http.delete(f"{STATUSES}/{IDS[0]}", status=404, json={"error": "Record not found"})
    deleted = Parts()
    make_adapter().retract([IDS[0]], deleted)
    assert deleted.calls == [(0, IDS[0])]


def test_a_server_error_is_transient(http: responses.RequestsMock) -> None:
    assert type(failure(http, 503, json={"error": "Service Unavailable"})) is TransientError


def test_the_deletion_rate_limit_is_transient_until_its_reset(http: responses.RequestsMock) -> None:
    reset = (datetime.now(UTC) + timedelta(minutes=20)).replace(microsecond=0)
    headers = {"X-RateLimit-Limit": "30", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()}
    error = failure(http, 429, json={"error": "Too many requests"}, headers=headers)
    assert isinstance(error, TransientError) and error.retry_at == reset
    assert "still online" in str(error)


def test_a_revoked_token_is_permanent(http: responses.RequestsMock) -> None:
    error = failure(http, 401, json={"error": "The access token is invalid"})
    assert type(error) is PermanentError and "write:statuses" in str(error)


def test_a_missing_scope_is_permanent_and_names_it(http: responses.RequestsMock) -> None:
    error = failure(http, 403, json={"error": "This action is outside the authorized scopes"})
    assert type(error) is PermanentError and "write:statuses" in str(error) and "still online" in str(error)
