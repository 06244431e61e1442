"""A Bluesky video post on the real PDS: its service tokens, its blobs and the lexicon validation of the
``app.bsky.embed.video`` record are the reference server's; the video service is the local fake, which
stores the video on that PDS with the upload's token, as video.bsky.app does."""

from __future__ import annotations

from pathlib import Path

from hospipost.networks.base import Rendering
from hospipost.posts import Media
from tests.bluesky_pds.conftest import LocalPDS
from tests.bluesky_pds.test_pds_integration import make, stored
from tests.fakes.bluesky_video import DONE, ENCODING, running
from tests.fakes.video import make_video
from tests.networks.kit import Parts

VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour, bienvenue aux urgences.\n"


def test_a_video_with_captions_is_stored_and_embedded_on_a_real_pds(local_pds: LocalPDS, tmp_path: Path) -> None:
    path = make_video(tmp_path / "visite.mp4", seconds=1.0, width=160, height=90)
    (tmp_path / "visite.vtt").write_bytes(VTT)
    alt = "Une infirmière montre la salle d'attente."
    item = Media("media/visite.mp4", path, alt, False, None, 1, "media/visite.vtt", tmp_path / "visite.vtt")
    with running() as service:
        service.pds_url, service.pds_did, service.states = local_pds.url, "did:web:localhost", [ENCODING, DONE]
        bluesky = make(local_pds, tmp_path, local_pds.chu.app_password)
        bluesky.settings.options["video_service"] = service.url
        bluesky.settings.options["api_base"] = local_pds.host_url  # the PDS is did:web:localhost (no didDoc here)
        bluesky.sleep = lambda seconds: None  # type: ignore[method-assign]
        sent = bluesky.publish(Rendering("bluesky", ["Visite des urgences."], [item], "fr"), "v:bluesky", [], Parts())

    embed = stored(local_pds, sent.remote_id)["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.video" and embed["alt"] == alt
    assert embed["aspectRatio"] == {"width": 160, "height": 90}
    assert local_pds.blob(local_pds.chu.did, embed["video"]["ref"]["$link"]) == path.read_bytes()
    [caption] = embed["captions"]
    assert caption["lang"] == "fr" and local_pds.blob(local_pds.chu.did, caption["file"]["ref"]["$link"]) == VTT
