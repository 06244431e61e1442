"""Retracting a post on a Facebook Page: ``DELETE /{post-id}`` through facebook-sdk, HTTP intercepted by `responses`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from hospipost.networks.base import PermanentError, TransientError
from tests.networks.kit import Parts
from tests.networks.test_facebook import GRAPH, PAGE, TOKEN, graph_error, make_adapter

POST = f"{PAGE}_987654321"
URL = f"{GRAPH}/v26.0/{POST}"
GONE = graph_error(
    100,
    33,
    "Unsupported delete request. Object with ID '…' does not exist, cannot be loaded due to missing"
    " permissions, or does not support this operation",
    type="GraphMethodException",
)


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def retract(part_id: str = POST) -> Parts:
    deleted = Parts()
    make_adapter().retract([part_id], deleted)
    return deleted


def failure(http: responses.RequestsMock, status: int, body: dict) -> PermanentError | TransientError:
    http.delete(URL, status=status, json=body)
    with pytest.raises((PermanentError, TransientError)) as raised:
        retract()
    assert TOKEN not in str(raised.value)
    return raised.value


@pytest.mark.parametrize("part_id", [POST, "1790000000000042"])  # a post, or a photo or video posted alone
def test_the_delete_goes_to_the_pinned_version_with_the_token_in_a_header(
    http: responses.RequestsMock, part_id: str
) -> None:
    http.delete(f"{GRAPH}/v26.0/{part_id}", json={"success": True})

    assert retract(part_id).calls == [(0, part_id)]

    [call] = http.calls
    assert (call.request.method, call.request.url) == ("DELETE", f"{GRAPH}/v26.0/{part_id}")
    assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in call.request.url and not call.request.body
    assert call.request.req_kwargs["timeout"] == 7


def test_a_post_facebook_no_longer_has_counts_as_deleted_once_read_back(http: responses.RequestsMock) -> None:
    http.delete(URL, status=400, json=GONE)
    http.get(URL, status=400, json={"error": {**GONE["error"], "message": "Unsupported get request."}})

    assert retract().calls == [(0, POST)]

    assert [(c.request.method, c.request.url.split("?")[0]) for c in http.calls] == [("DELETE", URL), ("GET", URL)]
    assert "fields=id" in http.calls[1].request.url and TOKEN not in http.calls[1].request.url


def test_a_refused_delete_of_a_post_still_readable_is_permanent(http: responses.RequestsMock) -> None:
    http.get(URL, json={"id": POST})
    error = failure(http, 400, GONE)
    assert type(error) is PermanentError and "it is still online" in str(error)


def test_a_server_error_is_transient(http: responses.RequestsMock) -> None:
    http.delete(URL, status=500, body="<html>oops</html>", content_type="text/html")
    with pytest.raises(TransientError):
        retract()


def test_a_rate_limit_is_transient_with_a_retry_time(http: responses.RequestsMock) -> None:
    error = failure(http, 400, graph_error(32, message="Page request limit reached"))
    assert isinstance(error, TransientError) and error.retry_at is not None


def test_an_expired_token_is_permanent_and_names_the_variable(http: responses.RequestsMock) -> None:
    http.get(URL, status=400, json=graph_error(190, 463))
    error = failure(http, 400, graph_error(190, 463, "Error validating access token"))
    assert type(error) is PermanentError and "HOSPIPOST_FACEBOOK_TOKEN" in str(error)


def test_a_missing_permission_names_pages_manage_posts(http: responses.RequestsMock) -> None:
    http.get(URL, json={"id": POST})
    error = failure(http, 403, graph_error(200, message="Permissions error"))
    assert type(error) is PermanentError and "pages_manage_posts" in str(error)
