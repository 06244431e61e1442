"""The Instagram adapter against a local server imitating Meta's containers (tests/fakes/meta_server.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hospipost.networks import network_class
from hospipost.networks.base import MAX_WAIT, PermanentError, Rendering, Sent, TransientError, UnknownOutcome
from hospipost.networks.instagram import Instagram
from tests.fakes.meta_server import TOKEN, MetaServer, image, make_adapter
from tests.networks.kit import GPS_MARK, Parts, jpeg_with_exif, tiny_png

CAPTION = "Portes ouvertes de la maternité samedi 12 décembre, de 10 h à 16 h. #Maternité"
V = "/v27.0"
USER = "17841400000000001"


@pytest.fixture
def adapter(meta: MetaServer) -> Instagram:
    return make_adapter(Instagram, meta)


def photo(tmp_path: Path, name: str = "hall.jpg", alt: str | None = "Le hall d'accueil du CHU") -> Any:
    return image(tmp_path, name, jpeg_with_exif(), alt)


def publish(adapter: Instagram, media: list[Any], done: list[str] | None = None) -> tuple[Sent, Parts, list[str]]:
    parts, staged = Parts(), []
    sent = adapter.publish(
        Rendering("instagram", [CAPTION], media), "p1:instagram:once", done or [], parts, lambda i, s: staged.append(s)
    )
    return sent, parts, staged


def no_secret(meta: MetaServer, *texts: str) -> None:
    for request in meta.requests:
        assert request.headers.get("Authorization") == f"Bearer {TOKEN}"
        assert "access_token" not in request.query and "access_token" not in request.form
    assert all(TOKEN not in text for text in texts)


def test_one_image_is_a_container_polled_then_published(meta: MetaServer, adapter: Instagram, tmp_path: Path) -> None:
    sent, parts, staged = publish(adapter, [photo(tmp_path)])
    assert meta.shape() == [
        "GET content_publishing_limit",
        "POST media",
        "GET <id>",
        "POST media_publish",
        "GET <id>",
    ]
    limit, create, status, publish_call, permalink = meta.requests
    assert limit.path == f"{V}/{USER}/content_publishing_limit" and limit.query == {"fields": "quota_usage,config"}
    assert create.path == f"{V}/{USER}/media"
    assert create.form == {
        "image_url": f"{meta.url}/public/media_hall.jpg",
        "caption": CAPTION,
        "alt_text": "Le hall d'accueil du CHU",
    }
    [container] = meta.containers.values()
    assert status.path == f"{V}/{container.id}" and status.query == {"fields": "status_code,status"}
    assert publish_call.path == f"{V}/{USER}/media_publish" and publish_call.form == {"creation_id": container.id}
    assert permalink.query == {"fields": "permalink"}
    assert container.fetched is not None and GPS_MARK not in container.fetched  # Meta fetched the stripped bytes
    media_id = meta.published[0]["id"]
    assert sent == Sent(media_id, f"https://www.example.com/p/{media_id}/")
    assert parts.calls == [(0, media_id)] and staged == [container.id]
    no_secret(meta)


def test_a_carousel_is_made_of_item_containers_with_their_alt_texts(
    meta: MetaServer, adapter: Instagram, tmp_path: Path
) -> None:
    media = [photo(tmp_path, f"photo{n}.jpg", f"Photo {n} du service") for n in range(3)]
    publish(adapter, media)
    items, carousel = meta.created()[:3], meta.created()[3]
    assert [r.form for r in items] == [
        {
            "image_url": f"{meta.url}/public/media_photo{n}.jpg",
            "alt_text": f"Photo {n} du service",
            "is_carousel_item": "true",
        }
        for n in range(3)
    ]
    children = [c.id for c in list(meta.containers.values())[:3]]
    assert carousel.form == {"media_type": "CAROUSEL", "caption": CAPTION, "children": ",".join(children)}
    assert len(meta.published) == 1 and [c.status for c in meta.containers.values()][-1] == "PUBLISHED"


def test_a_post_without_image_is_refused_before_any_request(meta: MetaServer, adapter: Instagram) -> None:
    with pytest.raises(PermanentError, match="needs an image or a video"):
        publish(adapter, [])
    assert meta.requests == []
    assert Instagram.limits.requires_media and Instagram.limits.max_hashtags == 30
    assert Instagram.limits.max_mentions == 20


def test_without_public_media_the_error_says_what_to_set(meta: MetaServer, tmp_path: Path) -> None:
    adapter = make_adapter(Instagram, meta)
    adapter.public_media = None
    with pytest.raises(PermanentError, match="set media_url or media_store in config.yaml"):
        publish(adapter, [photo(tmp_path)])
    assert meta.requests == []


def test_public_media_is_opened_from_the_settings_on_first_use(
    meta: MetaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    from types import SimpleNamespace

    from tests.fakes.meta_server import FolderMedia

    opened: list[Any] = []
    module = SimpleNamespace(
        open_public_media=lambda settings, credentials: opened.append(settings) or FolderMedia(meta)
    )
    monkeypatch.setitem(sys.modules, "hospipost.publicmedia", module)
    adapter = make_adapter(Instagram, meta)
    adapter.public_media = None
    adapter.settings.public_media = "the site's media settings"  # type: ignore[attr-defined]
    publish(adapter, [photo(tmp_path)])
    publish(adapter, [photo(tmp_path, "b.jpg")])
    assert opened == ["the site's media settings"] and len(meta.published) == 2


def test_only_jpeg_is_accepted(meta: MetaServer, adapter: Instagram, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="accepts JPEG images"):
        publish(adapter, [image(tmp_path, "logo.png", tiny_png())])
    assert meta.requests == []


def test_a_container_in_progress_is_polled_until_finished(meta: MetaServer, adapter: Instagram, tmp_path: Path) -> None:
    meta.in_progress_polls = 3
    publish(adapter, [photo(tmp_path)])
    assert adapter.sleeps == [adapter.poll_every] * 3
    assert len(meta.seen("GET", next(iter(meta.containers)))) == 4 and len(meta.published) == 1


def test_a_container_still_processing_is_transient_and_the_retry_publishes_it(
    meta: MetaServer, adapter: Instagram, tmp_path: Path
) -> None:
    meta.in_progress_polls = 1000
    adapter.poll_for = 12
    with pytest.raises(TransientError, match="still processing") as caught:
        publish(adapter, [photo(tmp_path)])
    assert "nothing was published, hospipost will try again later" in str(caught.value)
    [container] = meta.containers.values()
    assert len(adapter.sleeps) == round(adapter.poll_for / adapter.poll_every) and meta.published == []
    container.polls_left = 0
    sent, _, _ = publish(adapter, [photo(tmp_path)], done=[f"staged:{container.id}"])
    assert len(meta.created()) == 1 and container.status == "PUBLISHED"
    assert sent.remote_id == meta.published[0]["id"]


def test_a_container_in_error_is_permanent_with_metas_reason(
    meta: MetaServer, adapter: Instagram, tmp_path: Path
) -> None:
    meta.finals = ["ERROR"]
    with pytest.raises(PermanentError, match="2207052") as caught:
        publish(adapter, [photo(tmp_path)])
    assert "nothing was published" in str(caught.value) and meta.seen("POST", "media_publish") == []


def test_an_expired_container_is_replaced_by_a_new_one(meta: MetaServer, adapter: Instagram, tmp_path: Path) -> None:
    meta.finals = ["EXPIRED"]
    _, _, staged = publish(adapter, [photo(tmp_path)])
    first, second = meta.containers.values()
    assert first.status == "EXPIRED" and second.status == "PUBLISHED"
    assert staged == [first.id, second.id]
    assert [r.form["creation_id"] for r in meta.seen("POST", "media_publish")] == [second.id]


def test_a_used_up_quota_is_transient_and_creates_nothing(meta: MetaServer, adapter: Instagram, tmp_path: Path) -> None:
    meta.quota_usage = 50
    with pytest.raises(TransientError, match="50 of 50 posts in 24 hours") as caught:
        publish(adapter, [photo(tmp_path)])
    assert caught.value.retry_at is not None
    assert caught.value.retry_at <= datetime.now(UTC) + MAX_WAIT
    assert meta.shape() == ["GET content_publishing_limit"]


def test_a_failure_after_the_container_is_staged_is_resumed_with_the_same_container(
    meta: MetaServer, adapter: Instagram, tmp_path: Path
) -> None:
    meta.fail("media_publish", 500, {"message": "An unknown error occurred", "code": 1, "is_transient": True})
    with pytest.raises(TransientError, match="temporary problem"):
        publish(adapter, [photo(tmp_path)])
    [container] = meta.containers.values()
    assert meta.published == []
    sent, parts, staged = publish(adapter, [photo(tmp_path)], done=[f"staged:{container.id}"])
    assert len(meta.created()) == 1 and staged == []
    assert [r.form["creation_id"] for r in meta.seen("POST", "media_publish")] == [container.id] * 2
    assert parts.calls == [(0, sent.remote_id)] and len(meta.published) == 1


def test_a_staged_container_in_error_is_replaced(meta: MetaServer, adapter: Instagram, tmp_path: Path) -> None:
    meta.containers["999"] = old = _container("999", "ERROR")
    _, _, staged = publish(adapter, [photo(tmp_path)], done=["staged:999"])
    assert old.status == "ERROR" and len(meta.created()) == 1 and len(staged) == 1


def test_a_staged_container_meta_no_longer_knows_is_replaced(
    meta: MetaServer, adapter: Instagram, tmp_path: Path
) -> None:
    _, _, staged = publish(adapter, [photo(tmp_path)], done=["staged:4242"])
    assert len(meta.created()) == 1 and len(meta.published) == 1 and staged != ["4242"]


def test_a_publish_timeout_is_unknown_and_lists_the_latest_posts(meta: MetaServer, tmp_path: Path) -> None:
    adapter = make_adapter(Instagram, meta, timeout=0.5)
    publish(adapter, [photo(tmp_path)])
    earlier = meta.published[0]
    meta.hang["media_publish"] = 1.5
    with pytest.raises(UnknownOutcome) as caught:
        publish(adapter, [photo(tmp_path)])
    message = str(caught.value)
    assert "may be online" in message and "hospipost reconcile" in message
    assert earlier["permalink"] in message and "latest posts" in message
    assert meta.seen("GET", "media")[-1].query == {"fields": "id,timestamp,permalink", "limit": "5"}
    # the retry finds the staged container published: unknown again, and no second container
    del meta.hang["media_publish"]
    staged_id = list(meta.containers)[-1]
    with pytest.raises(UnknownOutcome, match="already published the container"):
        publish(adapter, [photo(tmp_path)], done=[f"staged:{staged_id}"])
    assert len(meta.created()) == 2 and len(meta.published) == 2
    no_secret(meta, message)


def test_a_connection_broken_after_the_publish_left_is_unknown(
    meta: MetaServer, adapter: Instagram, tmp_path: Path
) -> None:
    meta.drop.add("media_publish")
    with pytest.raises(UnknownOutcome, match="connection to Instagram broke") as caught:
        publish(adapter, [photo(tmp_path)])
    assert meta.published[0]["permalink"] in str(caught.value) and len(meta.seen("POST", "media_publish")) == 1


def test_when_the_listing_fails_the_message_says_to_check_the_account(meta: MetaServer, tmp_path: Path) -> None:
    adapter = make_adapter(Instagram, meta, timeout=0.5)
    meta.hang["media_publish"] = 1.5
    meta.listing_fails = True
    with pytest.raises(UnknownOutcome, match="Check the Instagram account for it"):
        publish(adapter, [photo(tmp_path)])


def test_an_expired_token_is_permanent_and_names_the_variable(
    meta: MetaServer, adapter: Instagram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    meta.token_expired = True
    with pytest.raises(PermanentError) as caught:
        publish(adapter, [photo(tmp_path)])
    message = str(caught.value)
    assert "HOSPIPOST_INSTAGRAM_TOKEN" in message and "error 190, subcode 463" in message
    assert "invalid or expired" in message
    no_secret(meta, message, caplog.text)


@pytest.mark.parametrize(
    ("edge", "status", "error", "expected"),
    [
        ("media", 400, {"message": "Application request limit reached", "code": 4}, "rate limit"),
        ("media", 429, None, "rate limit"),
        (
            "media_publish",
            400,
            {"message": "publishing limit", "code": 9, "error_subcode": 2207042},
            "publishing limit",
        ),
        ("content_publishing_limit", 503, None, "server error"),
    ],
)
def test_limits_and_server_errors_are_transient(
    meta: MetaServer, adapter: Instagram, tmp_path: Path, edge: str, status: int, error: Any, expected: str
) -> None:
    meta.fail(edge, status, error)
    with pytest.raises(TransientError, match=expected) as caught:
        publish(adapter, [photo(tmp_path)])
    assert TOKEN not in str(caught.value) and meta.published == []


def test_a_missing_permission_is_permanent_and_says_which(meta: MetaServer, adapter: Instagram, tmp_path: Path) -> None:
    meta.fail("media", 400, {"message": "(#10) Application does not have permission for this action", "code": 10})
    with pytest.raises(PermanentError, match="instagram_content_publish"):
        publish(adapter, [photo(tmp_path)])


def test_the_dry_run_shows_every_request_in_order_without_the_token(adapter: Instagram, tmp_path: Path) -> None:
    media = [photo(tmp_path, "a.jpg", "Vue A"), photo(tmp_path, "b.jpg", "Vue B")]
    requests = adapter.payload(Rendering("instagram", [CAPTION], media))
    base = f"{adapter.api_base}{V}/{USER}"
    assert [(r["method"], r["url"]) for r in requests] == [
        ("GET", f"{base}/content_publishing_limit"),
        ("POST", f"{base}/media"),
        ("POST", f"{base}/media"),
        ("POST", f"{base}/media"),
        ("GET", f"{adapter.api_base}{V}/<container id>"),
        ("POST", f"{base}/media_publish"),
    ]
    assert requests[1]["data"] == {
        "image_url": "<public address of media/a.jpg>",
        "alt_text": "Vue A",
        "is_carousel_item": "true",
    }
    assert requests[3]["data"] == {
        "media_type": "CAROUSEL",
        "caption": CAPTION,
        "children": "<id of item 1>,<id of item 2>",
    }
    assert requests[5]["data"] == {"creation_id": "<container id>"}
    assert TOKEN not in str(requests)


def test_verify_reads_the_username(meta: MetaServer, adapter: Instagram) -> None:
    assert adapter.verify() == "@chu.angers"
    assert meta.requests[0].path == f"{V}/{USER}" and meta.requests[0].query == {"fields": "username"}


def test_graph_version_is_checked_and_normalised(meta: MetaServer) -> None:
    check = Instagram.config_keys["graph_version"].check
    assert check is not None and check("v27.0") is None and check("27") is None
    assert "not a Graph API version" in (check("latest") or "")
    assert make_adapter(Instagram, meta, graph_version="26").version == "v26.0"
    with pytest.raises(PermanentError, match="graph_version"):
        _ = make_adapter(Instagram, meta, graph_version="latest").version
    assert network_class("instagram") is Instagram


def _container(container_id: str, status: str) -> Any:
    from tests.fakes.meta_server import Container

    return Container(container_id, {}, status=status)
