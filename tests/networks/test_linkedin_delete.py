"""Retracting a post on LinkedIn: ``DELETE /rest/posts/{encoded URN}``, HTTP intercepted by `responses`."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from hospipost.networks.base import PermanentError, TransientError
from tests.networks.kit import Parts
from tests.networks.test_linkedin import POST_URN, POSTS, TOKEN, assert_api_headers, error_body, make_adapter

URL = f"{POSTS}/urn%3Ali%3Ashare%3A7240000000000000001"


@pytest.fixture
def http() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def retract(part_id: str = POST_URN) -> list[tuple[int, str]]:
    """What ``Network.retract`` reported deleted."""
    make_adapter().retract([part_id], deleted := Parts())
    return deleted.calls


def failure(http: responses.RequestsMock, status: int, **reply: Any) -> PermanentError | TransientError:
    http.delete(URL, status=status, **reply)
    with pytest.raises((PermanentError, TransientError)) as raised:
        retract()
    assert TOKEN not in str(raised.value)
    return raised.value


@pytest.mark.parametrize(
    ("urn", "encoded"),
    [(POST_URN, "urn%3Ali%3Ashare%3A7240000000000000001"), ("urn:li:ugcPost:72", "urn%3Ali%3AugcPost%3A72")],
)
def test_the_delete_carries_the_encoded_urn_the_version_and_restli_headers(
    http: responses.RequestsMock, urn: str, encoded: str
) -> None:
    http.delete(f"{POSTS}/{encoded}", status=204)

    assert retract(urn) == [(0, urn)]

    [call] = http.calls
    assert (call.request.method, call.request.url) == ("DELETE", f"{POSTS}/{encoded}")
    assert_api_headers(call)
    assert call.request.headers["X-RestLi-Method"] == "DELETE"
    assert TOKEN not in call.request.url and not call.request.body


@pytest.mark.parametrize("status", [404, 410])
def test_a_post_already_gone_counts_as_deleted(http: responses.RequestsMock, status: int) -> None:
    http.delete(URL, status=status, json=error_body(status, "Not Found"))
    assert retract() == [(0, POST_URN)]


def test_a_server_error_is_transient(http: responses.RequestsMock) -> None:
    assert type(failure(http, 503, json=error_body(503, "Service Unavailable"))) is TransientError


def test_a_rate_limit_is_transient_with_its_retry_time(http: responses.RequestsMock) -> None:
    error = failure(http, 429, json=error_body(429, "Resource level throttle"), headers={"Retry-After": "120"})
    assert isinstance(error, TransientError) and error.retry_at is not None and "still online" in str(error)


def test_an_expired_token_is_permanent(http: responses.RequestsMock) -> None:
    error = failure(http, 401, json=error_body(401, "Expired access token", code="EXPIRED_ACCESS_TOKEN"))
    assert type(error) is PermanentError and "HOSPIPOST_LINKEDIN_TOKEN" in str(error)


def test_a_refused_delete_names_the_scope_and_the_role(http: responses.RequestsMock) -> None:
    error = failure(http, 403, json=error_body(403, "Not enough permissions to access: partnerApiPosts.DELETE"))
    assert type(error) is PermanentError
    assert "w_organization_social" in str(error) and "administrator" in str(error) and "still online" in str(error)
