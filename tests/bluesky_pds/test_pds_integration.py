"""hospipost's Bluesky adapter against a real Bluesky server (the reference PDS, on loopback).

Everything is read back from the server: the records it stored (getRecord, listRecords) and
the blobs (sync.getBlob). Skipped without the local server (see conftest.py), failed in CI.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from hospipost.config import NetworkSettings
from hospipost.credentials import Credentials
from hospipost.networks.base import PermanentError, Rendering
from hospipost.networks.bluesky import Bluesky, record_key
from hospipost.posts import Media
from tests.bluesky_pds.conftest import LocalPDS

POST = "app.bsky.feed.post"
ENV = "HOSPIPOST_BLUESKY_APP_PASSWORD"


def make(pds: LocalPDS, cache: Path | None, password: str | None = None, handle: str | None = None) -> Bluesky:
    options = {
        "enabled": True,
        "handle": handle or pds.chu.handle,
        "app_password_env": ENV,
        "api_base": pds.url,
        "timeout": 20,
    }
    environ = {} if password is None else {ENV: password}
    return Bluesky(NetworkSettings("bluesky", True, options, 1), Credentials(environ), cache)


class Parts:
    def __init__(self, crash_at: int | None = None) -> None:
        self.calls: list[tuple[int, str]] = []
        self.crash_at = crash_at

    def __call__(self, index: int, remote_id: str) -> None:
        if index == self.crash_at:
            raise KeyboardInterrupt("simulated crash before the ledger recorded the part")
        self.calls.append((index, remote_id))


def stored(pds: LocalPDS, uri: str) -> dict:
    did, collection, rkey = uri[len("at://") :].split("/")
    return pds.xrpc("com.atproto.repo.getRecord", repo=did, collection=collection, rkey=rkey)


def all_posts(pds: LocalPDS) -> list[dict]:
    return pds.xrpc("com.atproto.repo.listRecords", repo=pds.chu.did, collection=POST, limit="100")["records"]


def byte_range(text: str, fragment: str) -> dict[str, int]:
    start = text.encode("utf-8").index(fragment.encode("utf-8"))
    return {"byteStart": start, "byteEnd": start + len(fragment.encode("utf-8"))}


def media(tmp_path: Path, name: str, data: bytes, alt: str) -> Media:
    path = tmp_path / name
    path.write_bytes(data)
    return Media(file=f"media/{name}", path=path, alt=alt, people=False, consent=None, line=1)


def png(width: int, height: int, noise: bool = False) -> bytes:
    image = (
        Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
        if noise
        else Image.new("RGB", (width, height), (200, 30, 40))
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# ---------------------------------------------------------------------- tests


def test_verify_logs_in_with_the_app_password(local_pds: LocalPDS, tmp_path: Path) -> None:
    assert (
        make(local_pds, tmp_path, local_pds.chu.app_password).verify()
        == f"@{local_pds.chu.handle} ({local_pds.chu.did})"
    )
    assert (tmp_path / "bluesky-session").stat().st_mode & 0o777 == 0o600


def test_text_with_facets_on_accented_text_and_emoji(local_pds: LocalPDS, tmp_path: Path) -> None:
    text = (
        f"Canicule\u00a0: «\u00a0restez au frais\u00a0» 🌡️🩺 — conseils sur santepubliquefrance.fr/canicule "
        f"avec @{local_pds.other.handle} et @inconnu.test. #RechercheEnSoins #Santé, urgence\u00a0: #15 "
        "https://www.chu-angers.fr/été?x=1"
    )
    parts = Parts()

    sent = make(local_pds, tmp_path, local_pds.chu.app_password).publish(
        Rendering("bluesky", [text]), "fac:bluesky:once", [], parts
    )

    rkey = record_key("fac:bluesky:once", 0)
    assert sent.remote_id == f"at://{local_pds.chu.did}/{POST}/{rkey}"
    assert sent.url == f"https://bsky.app/profile/{local_pds.chu.handle}/post/{rkey}"
    record = stored(local_pds, sent.remote_id)
    assert parts.calls == [(0, f"{sent.remote_id} {record['cid']}")]
    value = record["value"]
    assert value["text"] == text
    facets = [(facet["index"], facet["features"][0]) for facet in value["facets"]]
    assert facets == [
        (
            byte_range(text, "santepubliquefrance.fr/canicule"),
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://santepubliquefrance.fr/canicule"},
        ),
        (
            byte_range(text, f"@{local_pds.other.handle}"),
            {"$type": "app.bsky.richtext.facet#mention", "did": local_pds.other.did},
        ),
        (byte_range(text, "#RechercheEnSoins"), {"$type": "app.bsky.richtext.facet#tag", "tag": "RechercheEnSoins"}),
        (byte_range(text, "#Santé"), {"$type": "app.bsky.richtext.facet#tag", "tag": "Santé"}),
        (
            byte_range(text, "https://www.chu-angers.fr/été?x=1"),
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://www.chu-angers.fr/été?x=1"},
        ),
    ]
    # The byte ranges really cut the UTF-8 text where the links, mention and tags are.
    encoded = text.encode("utf-8")
    cuts = [encoded[index["byteStart"] : index["byteEnd"]].decode("utf-8") for index, _ in facets]
    assert cuts == [
        "santepubliquefrance.fr/canicule",
        f"@{local_pds.other.handle}",
        "#RechercheEnSoins",
        "#Santé",
        "https://www.chu-angers.fr/été?x=1",
    ]
    assert value["embed"]["$type"] == "app.bsky.embed.external"
    assert value["embed"]["external"] == {
        "uri": "https://santepubliquefrance.fr/canicule",
        "title": "santepubliquefrance.fr/canicule",
        "description": "",
    }


def test_images_with_alt_text_and_a_3_mb_one_downscaled(local_pds: LocalPDS, tmp_path: Path) -> None:
    small = png(400, 300)
    big = png(1000, 1000, noise=True)
    assert len(big) > 2_900_000
    items = [
        media(tmp_path, "plan.png", small, "Plan d'accès aux urgences pédiatriques"),
        media(tmp_path, "bruit.png", big, "Infographie : les bons gestes en cas de fortes chaleurs"),
    ]

    sent = make(local_pds, tmp_path, local_pds.chu.app_password).publish(
        Rendering("bluesky", ["Fortes chaleurs : appelez le 15 en cas d'urgence."], items),
        "img:bluesky:once",
        [],
        Parts(),
    )

    value = stored(local_pds, sent.remote_id)["value"]
    assert value["embed"]["$type"] == "app.bsky.embed.images"
    first, second = value["embed"]["images"]
    assert first["alt"] == "Plan d'accès aux urgences pédiatriques"
    assert first["aspectRatio"] == {"width": 400, "height": 300}
    assert first["image"]["mimeType"] == "image/png" and first["image"]["size"] == len(small)
    assert local_pds.blob(local_pds.chu.did, first["image"]["ref"]["$link"]) == small  # byte-identical
    assert second["alt"] == "Infographie : les bons gestes en cas de fortes chaleurs"
    assert second["image"]["mimeType"] == "image/jpeg"
    assert second["image"]["size"] <= 1_000_000
    data = local_pds.blob(local_pds.chu.did, second["image"]["ref"]["$link"])
    assert len(data) == second["image"]["size"]
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.format == "JPEG"
        assert decoded.size == (second["aspectRatio"]["width"], second["aspectRatio"]["height"])


def test_a_three_part_thread_replies_to_root_and_parent(local_pds: LocalPDS, tmp_path: Path) -> None:
    parts = Parts()
    sent = make(local_pds, tmp_path, local_pds.chu.app_password).publish(
        Rendering(
            "bluesky", ["1/3 Innovation : le babicoc 👶", "2/3 Un cocon pour les IRM", "3/3 Merci aux équipes #CHU"]
        ),
        "thread:bluesky:once",
        [],
        parts,
    )

    uris = [remote_id.split(" ")[0] for _, remote_id in parts.calls]
    assert uris == [f"at://{local_pds.chu.did}/{POST}/{record_key('thread:bluesky:once', i)}" for i in range(3)]
    records = [stored(local_pds, uri) for uri in uris]
    assert sent.remote_id == uris[0]
    root = {"uri": uris[0], "cid": records[0]["cid"]}
    assert "reply" not in records[0]["value"]
    assert records[1]["value"]["reply"] == {"root": root, "parent": root}
    assert records[2]["value"]["reply"] == {"root": root, "parent": {"uri": uris[1], "cid": records[1]["cid"]}}


def test_a_thread_resumed_after_a_crash_is_complete_and_not_duplicated(local_pds: LocalPDS, tmp_path: Path) -> None:
    rendering = Rendering("bluesky", ["Part A", "Part B", "Part C"])
    key = "crash:bluesky:once"
    before = len(all_posts(local_pds))
    crashed = Parts(crash_at=1)  # part B is online but the crash hides it from the ledger
    with pytest.raises(KeyboardInterrupt):
        make(local_pds, tmp_path, local_pds.chu.app_password).publish(rendering, key, [], crashed)
    done = [remote_id for _, remote_id in crashed.calls]
    assert len(done) == 1

    resumed = Parts()
    sent = make(local_pds, tmp_path, local_pds.chu.app_password).publish(rendering, key, done, resumed)

    assert [index for index, _ in resumed.calls] == [1, 2]
    assert len(all_posts(local_pds)) == before + 3  # B was found under its key, not posted again
    a, b, c = (stored(local_pds, remote_id.split(" ")[0]) for remote_id in done + [r for _, r in resumed.calls])
    assert sent.remote_id == a["uri"]
    assert c["value"]["reply"] == {
        "root": {"uri": a["uri"], "cid": a["cid"]},
        "parent": {"uri": b["uri"], "cid": b["cid"]},
    }


def test_publishing_the_same_delivery_twice_creates_one_post(local_pds: LocalPDS, tmp_path: Path) -> None:
    rendering = Rendering("bluesky", ["Journée portes ouvertes de l'IFSI samedi."])
    before = len(all_posts(local_pds))
    first = make(local_pds, tmp_path, local_pds.chu.app_password).publish(rendering, "twice:bluesky:once", [], Parts())
    again = make(local_pds, tmp_path, local_pds.chu.app_password).publish(rendering, "twice:bluesky:once", [], Parts())
    assert again == first
    assert len(all_posts(local_pds)) == before + 1


def test_the_saved_session_is_reused_without_the_password(local_pds: LocalPDS, tmp_path: Path) -> None:
    make(local_pds, tmp_path, local_pds.chu.app_password).verify()
    saved = (tmp_path / "bluesky-session").read_text()
    assert local_pds.chu.app_password not in saved

    # No password in the environment: only the saved session can log in.
    sent = make(local_pds, tmp_path, password=None).publish(
        Rendering("bluesky", ["Session reprise"]), "reuse:bluesky:once", [], Parts()
    )
    assert stored(local_pds, sent.remote_id)["value"]["text"] == "Session reprise"


def test_a_revoked_session_logs_in_again_with_the_app_password(local_pds: LocalPDS, tmp_path: Path) -> None:
    import json

    make(local_pds, tmp_path, local_pds.chu.app_password).verify()
    path = tmp_path / "bluesky-session"
    saved = json.loads(path.read_text())
    handle, did, access, refresh, endpoint = saved["session"].split(":::")
    header, payload, _ = access.split(".")
    saved["session"] = ":::".join([handle, did, f"{header}.{payload}.forged", refresh, endpoint])  # bad signature
    path.write_text(json.dumps(saved))
    path.chmod(0o600)

    assert make(local_pds, tmp_path, local_pds.chu.app_password).verify().startswith(f"@{local_pds.chu.handle}")
    assert json.loads(path.read_text())["session"] != saved["session"]


def test_the_main_password_is_refused(local_pds: LocalPDS, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="app password") as refused:
        make(local_pds, tmp_path, local_pds.chu.password).verify()
    assert local_pds.chu.password not in str(refused.value)
    assert not (tmp_path / "bluesky-session").exists()


def test_a_wrong_app_password_names_the_variable(local_pds: LocalPDS, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match=ENV) as refused:
        make(local_pds, tmp_path, "aaaa-bbbb-cccc-dddd").publish(
            Rendering("bluesky", ["x"]), "bad:bluesky:once", [], Parts()
        )
    assert "aaaa-bbbb-cccc-dddd" not in str(refused.value)
