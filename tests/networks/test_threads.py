"""The Threads adapter against a local server imitating Meta's containers (tests/fakes/meta_server.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from hospipost.networks import network_class
from hospipost.networks.base import PermanentError, Rendering, Sent, TransientError, UnknownOutcome
from hospipost.networks.threads import Threads
from tests.fakes.meta_server import TOKEN, MetaServer, image, make_adapter
from tests.networks.kit import Parts, jpeg_with_exif, tiny_png

TEXT = "Don du sang au CHU d'Angers jeudi de 9 h à 17 h : prenez rendez-vous sur https://dondesang.efs.sante.fr"
THREAD = ["Semaine de la sécurité des patients 1/3", "Atelier hygiène des mains 2/3", "Quiz au hall B 3/3"]
V = "/v1.0"
USER = "17841400000000001"


@pytest.fixture
def adapter(meta: MetaServer) -> Threads:
    return make_adapter(Threads, meta)


def publish(
    adapter: Threads, parts: list[str], media: list[Any] | None = None, done: list[str] | None = None
) -> tuple[Sent, Parts, list[tuple[int, str]]]:
    sent_parts, staged = Parts(), Parts()
    sent = adapter.publish(Rendering("threads", parts, media or []), "p1:threads:once", done or [], sent_parts, staged)
    return sent, sent_parts, staged.calls


def test_a_text_is_a_text_container_polled_then_published(
    meta: MetaServer, adapter: Threads, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sent, parts, staged = publish(adapter, [TEXT])
    assert meta.shape() == [
        "GET threads_publishing_limit",
        "POST threads",
        "GET <id>",
        "POST threads_publish",
        "GET <id>",
    ]
    limit, create, status, publish_call, _ = meta.requests
    assert limit.path == f"{V}/{USER}/threads_publishing_limit" and limit.query == {"fields": "quota_usage,config"}
    assert create.path == f"{V}/{USER}/threads" and create.form == {"media_type": "TEXT", "text": TEXT}
    [container] = meta.containers
    assert status.path == f"{V}/{container}" and status.query == {"fields": "status,error_message"}
    assert publish_call.path == f"{V}/{USER}/threads_publish" and publish_call.form == {"creation_id": container}
    media_id = meta.published[0]["id"]
    assert sent == Sent(media_id, f"https://www.example.com/p/{media_id}/")
    assert parts.calls == [(0, media_id)] and staged == [(0, container)]
    for request in meta.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}" and "access_token" not in request.query
    assert TOKEN not in caplog.text


def test_a_thread_of_three_parts_replies_to_each_previous_part(meta: MetaServer, adapter: Threads) -> None:
    sent, parts, staged = publish(adapter, THREAD)
    created = meta.created()
    ids = [p["id"] for p in meta.published]
    assert [r.form.get("text") for r in created] == THREAD
    assert [r.form.get("reply_to_id") for r in created] == [None, ids[0], ids[1]]
    assert parts.calls == [(0, ids[0]), (1, ids[1]), (2, ids[2])] and sent.remote_id == ids[0]
    assert [index for index, _ in staged] == [0, 1, 2]
    assert len(meta.seen("GET", "threads_publishing_limit")) == 3


def test_one_image_carries_its_alt_text_and_png_is_accepted(meta: MetaServer, adapter: Threads, tmp_path: Path) -> None:
    publish(adapter, [TEXT], [image(tmp_path, "logo.png", tiny_png(), "Logo du CHU")])
    [create] = meta.created()
    assert create.form == {
        "media_type": "IMAGE",
        "image_url": f"{meta.url}/public/media_logo.png",
        "alt_text": "Logo du CHU",
        "text": TEXT,
    }
    assert adapter.public_media.calls[0][2] == "image/png"


def test_a_carousel_of_images(meta: MetaServer, adapter: Threads, tmp_path: Path) -> None:
    media = [image(tmp_path, f"p{n}.jpg", jpeg_with_exif(), f"Photo {n}") for n in range(2)]
    publish(adapter, [TEXT], media)
    *items, carousel = meta.created()
    assert [r.form for r in items] == [
        {
            "media_type": "IMAGE",
            "image_url": f"{meta.url}/public/media_p{n}.jpg",
            "alt_text": f"Photo {n}",
            "is_carousel_item": "true",
        }
        for n in range(2)
    ]
    assert carousel.form == {"media_type": "CAROUSEL", "text": TEXT, "children": ",".join(list(meta.containers)[:2])}


def test_a_text_container_in_progress_is_polled(meta: MetaServer, adapter: Threads) -> None:
    meta.in_progress_polls = 2
    publish(adapter, [TEXT])
    assert adapter.sleeps == [adapter.poll_every] * 2 and len(meta.published) == 1


def test_a_thread_resumes_with_the_staged_container_of_the_next_part(meta: MetaServer, adapter: Threads) -> None:
    meta.fail("threads_publish", 500, after=1)
    with pytest.raises(TransientError, match="server error") as caught:
        publish(adapter, THREAD)
    assert "part 2 of 3" in str(caught.value) and "already online" in str(caught.value)
    first = meta.published[0]["id"]
    second = list(meta.containers)[1]
    _, parts, staged = publish(adapter, THREAD, done=[first, f"staged:{second}"])
    assert len(meta.created()) == 3 and [index for index, _ in staged] == [2]
    containers = list(meta.containers)
    published = [r.form["creation_id"] for r in meta.seen("POST", "threads_publish")]
    assert published == [containers[0], second, second, containers[2]]
    assert meta.created()[2].form["reply_to_id"] == parts.calls[0][1] and [i for i, _ in parts.calls] == [1, 2]


def test_a_publish_timeout_is_unknown_and_lists_the_latest_threads(meta: MetaServer, tmp_path: Path) -> None:
    adapter = make_adapter(Threads, meta, timeout=0.5)
    meta.hang["threads_publish"] = 1.5
    with pytest.raises(UnknownOutcome, match="may be online") as caught:
        publish(adapter, [TEXT])
    assert meta.seen("GET", "threads")[-1].query == {"fields": "id,timestamp,permalink", "limit": "5"}
    assert meta.seen("GET", "threads")[-1].path == f"{V}/{USER}/threads"
    assert TOKEN not in str(caught.value)


def test_a_used_up_quota_is_transient_and_creates_nothing(meta: MetaServer, adapter: Threads) -> None:
    meta.quota_usage, meta.quota_total = 250, 250
    with pytest.raises(TransientError, match="250 of 250 posts"):
        publish(adapter, [TEXT])
    assert meta.created() == []


def test_an_expired_token_names_the_variable(meta: MetaServer, adapter: Threads) -> None:
    meta.token_expired = True
    with pytest.raises(PermanentError, match="HOSPIPOST_THREADS_TOKEN") as caught:
        publish(adapter, [TEXT])
    assert TOKEN not in str(caught.value)


def test_a_missing_token_variable_is_said_before_any_request(meta: MetaServer) -> None:
    from hospipost.credentials import CredentialsError

    adapter = make_adapter(Threads, meta, environ={})
    with pytest.raises(CredentialsError, match="HOSPIPOST_THREADS_TOKEN"):
        publish(adapter, [TEXT])
    assert meta.requests == []


def test_the_dry_run_of_a_thread(adapter: Threads) -> None:
    requests = adapter.payload(Rendering("threads", THREAD[:2], []))
    base = f"{adapter.api_base}{V}/{USER}"
    assert [(r["method"], r["url"]) for r in requests] == [
        ("GET", f"{base}/threads_publishing_limit"),
        ("POST", f"{base}/threads"),
        ("GET", f"{adapter.api_base}{V}/<container id of part 1>"),
        ("POST", f"{base}/threads_publish"),
        ("GET", f"{base}/threads_publishing_limit"),
        ("POST", f"{base}/threads"),
        ("GET", f"{adapter.api_base}{V}/<container id of part 2>"),
        ("POST", f"{base}/threads_publish"),
    ]
    assert requests[5]["data"] == {"media_type": "TEXT", "text": THREAD[1], "reply_to_id": "<id of part 1>"}
    assert requests[7]["data"] == {"creation_id": "<container id of part 2>"}


def test_verify_reads_me(meta: MetaServer, adapter: Threads) -> None:
    assert adapter.verify() == "@chu.angers"
    assert meta.requests[0].path == f"{V}/me" and meta.requests[0].query == {"fields": "username"}
    assert network_class("threads") is Threads and Threads.limits.supports_threads
    assert Threads.limits.max_length == 500 and Threads.limits.max_images == 20


def test_through_the_publisher_and_its_ledger_a_staged_container_is_published_once(
    meta: MetaServer, tmp_path: Path
) -> None:
    """A 500 on threads_publish: the ledger keeps staged:<container>, the retry publishes that container."""
    from datetime import UTC, datetime

    from hospipost.config import NetworkSettings
    from hospipost.ledger import Ledger
    from hospipost.publisher import Publisher, candidates, plan
    from tests.helpers import make_config, make_posts, post_with

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    config = make_config(tmp_path / "site")
    adapter = make_adapter(Threads, meta)
    config.networks["threads"] = NetworkSettings("threads", True, dict(adapter.settings.options), 1)
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'state.db'}")
    clock = [now]
    publisher = Publisher(ledger, lambda name: adapter, lambda: clock[0])
    posts = make_posts(config, post_with(at="2026-12-01 09:00", networks=["threads"]))
    meta.fail("threads_publish", 500)
    [outcome] = publisher.send(plan(candidates(posts, config, now), config, now, None)).outcomes
    [container] = meta.containers
    assert outcome.state == "retry" and ledger.get("p1:threads:once").parts == (f"staged:{container}",)
    clock[0] = outcome.retry_at
    [outcome] = publisher.send(plan(candidates(posts, config, clock[0]), config, clock[0], None)).outcomes
    assert outcome.state == "sent" and outcome.url == meta.published[0]["permalink"]
    assert len(meta.created()) == 1 and len(meta.published) == 1
    assert [r.form["creation_id"] for r in meta.seen("POST", "threads_publish")] == [container, container]
