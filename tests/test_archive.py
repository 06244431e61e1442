"""The public archive: every delivery published through the real publisher (fake networks, a real
SQLite ledger), exported with its content, media, approvals and retractions, and verified."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from hospipost.approval import approve_post
from hospipost.archive import (
    CHANGED,
    DELIVERIES,
    MANIFEST,
    NOT_SENT,
    RECORDED,
    RERENDERED,
    ArchiveError,
    export,
    verify,
)
from hospipost.config import Config
from hospipost.ledger import Ledger, events
from hospipost.networks.base import PermanentError
from hospipost.posts import load_queues
from hospipost.publisher import Publisher, candidates, plan
from tests.fakes.adapter import FakeNetworkSet

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris

QUEUE = """\
defaults:
  author: c.dupuis
posts:
  - id: salle-attente
    at: 2026-12-01 10:00
    text: Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie. 🎈🎈🎈🎈
    networks: [x, mastodon]
    media:
      - {file: media/Jeanne-Martin-salle.png, alt: "La nouvelle salle d'attente, lumineuse, avec des jeux.", people: false}
    ignore:
      - {rule: a11y-emoji, reason: "campagne nationale, visuel imposé"}
  - id: portes-ouvertes
    at: 2026-12-01 10:00
    text: Journée portes ouvertes de l'IFSI du CHU d'Angers le 3 décembre, de 9 h à 17 h.
    networks: [facebook]
"""


SECOND = "  - id: portes-ouvertes"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


def queue_file(config: Config) -> Path:
    return config.resolve(config.posts_dir) / "news.yaml"


def publish(config: Config, ledger: Ledger, networks: FakeNetworkSet, now: datetime = AT) -> None:
    posts = [post for queue in load_queues(config) for post in queue.posts]
    work = plan(candidates(posts, config, now), config, now)
    assert not work.blocked, work.blocked
    Publisher(ledger, networks, Clock(now)).send(work)


@pytest.fixture
def site(tmp_path: Path, config: Config):
    """Two posts (one with an image, approved with proof) published at 10:00 Paris time."""
    (config.root / "media").mkdir()
    (config.root / "media" / "Jeanne-Martin-salle.png").write_bytes(_png())
    queue_file(config).write_text(QUEUE, encoding="utf-8")
    for post_id in ("salle-attente", "portes-ouvertes"):
        approve_post(config, post_id, "a.renier", None, AT - timedelta(days=1))
    ledger = Ledger.open(config.state_url)
    networks = FakeNetworkSet()
    publish(config, ledger, networks)
    yield config, ledger, networks
    ledger.close()


def lines(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / DELIVERIES).read_text(encoding="utf-8").splitlines()]


def by_delivery(folder: Path) -> dict[str, dict]:
    return {record["delivery"]: record for record in lines(folder)}


def test_the_sent_event_records_what_was_sent(site) -> None:
    config, ledger, _ = site
    [event] = [e for e in ledger.event_log(post_id="salle-attente", kinds=["sent"]) if e["network"] == "x"]
    content = event["detail"]["content"]
    assert content["parts"] == [
        "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie. 🎈🎈🎈🎈"
    ]
    assert content["language"] == "fr"
    [media] = content["media"]
    assert media["file"] == "media/Jeanne-Martin-salle.png" and len(media["sha256"]) == 64 and media["bytes"] > 0
    assert media["alt"].startswith("La nouvelle salle")


def test_export_round_trips_and_holds_what_happened(site, tmp_path: Path) -> None:
    config, ledger, _ = site
    folder = tmp_path / "archive"
    result = export(config, ledger, folder)
    assert (result.deliveries, result.media, result.content_unknown) == (3, 1, 0)
    assert verify(folder).ok and verify(folder).files == 3
    records = by_delivery(folder)
    x = records["salle-attente:x:once"]
    assert x["state"] == "sent" and x["content_source"] == RECORDED
    assert x["url"] == "https://x.example/x-1" and x["remote_id"] and x["sent_at"].startswith("2026-12-01T09:00")
    assert x["sent_at_local"].startswith("2026-12-01T10:00") and x["sent_at_local"].endswith("+01:00")
    ignored = {(entry["rule"], entry["reason"]) for entry in x["checks"]["ignored"]}
    assert ignored == {("a11y-emoji", "campagne nationale, visuel imposé")}
    assert x["author"] == "c.dupuis"
    assert [(a["by"], a["matches_sent"]) for a in x["approvals"]] == [("a.renier", True)]
    [media] = x["content"]["media"]
    assert media["archived_as"] == f"media/{media['sha256']}.png"
    assert (folder / media["archived_as"]).read_bytes() == (
        config.root / "media" / "Jeanne-Martin-salle.png"
    ).read_bytes()
    assert [e["kind"] for e in x["events"]][-1] == "sent" and x["metrics"] == []
    # Privacy: no original file name among the archive's files, nor in what it says of them.
    assert not any("Jeanne" in path.name for path in folder.rglob("*"))
    assert "Jeanne" not in (folder / "deliveries.jsonl").read_text(encoding="utf-8") and "file" not in media
    # Sorted by sent time, keys in a fixed order on every line.
    assert [list(record) for record in lines(folder)] == [list(x)] * 3


def test_a_changed_byte_or_file_is_detected(site, tmp_path: Path) -> None:
    config, ledger, _ = site
    folder = tmp_path / "archive"
    export(config, ledger, folder)
    [media] = list((folder / "media").iterdir())
    data = bytearray(media.read_bytes())
    data[len(data) // 2] ^= 1
    media.write_bytes(bytes(data))
    assert verify(folder).problems == [f"changed: media/{media.name}"]

    export(config, ledger, folder)  # a previous archive is replaced: intact again
    assert verify(folder).ok
    text = (folder / DELIVERIES).read_text(encoding="utf-8")
    (folder / DELIVERIES).write_text(text.replace("salle d'attente", "salle d'attenta", 1), encoding="utf-8")
    (folder / "README.txt").unlink()
    (folder / "media" / "extra.png").write_bytes(b"x")
    assert verify(folder).problems == ["missing: README.txt", "changed: deliveries.jsonl", "extra: media/extra.png"]


def test_the_manifest_is_sha256sum_compatible(site, tmp_path: Path) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("no sha256sum on this system")
    config, ledger, _ = site
    folder = tmp_path / "archive"
    export(config, ledger, folder)
    checked = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=folder, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == 3


def test_year_filter_in_local_time(site, tmp_path: Path) -> None:
    config, ledger, networks = site
    text = queue_file(config).read_text(encoding="utf-8")
    queue_file(config).write_text(
        text
        + """\
  - id: reveillon
    at: 2027-01-01 00:30
    text: Le CHU d'Angers vous souhaite une bonne année 2027, avec toutes ses équipes soignantes.
    networks: [mastodon]
""",
        encoding="utf-8",
    )
    approve_post(config, "reveillon", "a.renier", None, AT)
    publish(config, ledger, networks, datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 in Paris, 2027
    assert [r["post"] for r in lines(export(config, ledger, tmp_path / "a2027", 2027).folder)] == ["reveillon"]
    assert len(lines(export(config, ledger, tmp_path / "a2026", 2026).folder)) == 3
    assert lines(export(config, ledger, tmp_path / "a2025", 2025).folder) == []
    assert verify(tmp_path / "a2025").ok


def test_a_retraction_and_its_reason_are_archived(site, tmp_path: Path) -> None:
    config, ledger, networks = site
    ledger.request_retraction("portes-ouvertes", None, "Date erronée", "a.renier", AT + timedelta(hours=1))
    Publisher(ledger, networks, Clock(AT + timedelta(hours=1))).send(plan([], config, AT))
    export(config, ledger, tmp_path / "archive")
    retraction = by_delivery(tmp_path / "archive")["portes-ouvertes:facebook:once"]["retraction"]
    assert retraction["reason"] == "Date erronée" and retraction["requested_by"] == "a.renier"
    assert retraction["state"] == "retracted" and retraction["retracted_at"] and retraction["by_hand"] is False
    assert by_delivery(tmp_path / "archive")["salle-attente:x:once"]["retraction"] is None


def test_failed_deliveries_are_archived_with_their_error(tmp_path: Path, config: Config) -> None:
    queue_file(config).write_text(QUEUE.split("  - id: salle-attente")[0] + SECOND + QUEUE.split(SECOND)[1], "utf-8")
    approve_post(config, "portes-ouvertes", "a.renier", None, AT)
    ledger = Ledger.open(config.state_url)
    networks = FakeNetworkSet()
    networks["facebook"].script = [PermanentError("the Page token is invalid or expired")]
    publish(config, ledger, networks)
    export(config, ledger, tmp_path / "archive")
    [record] = lines(tmp_path / "archive")
    assert record["state"] == "failed" and "Page token" in record["last_error"]
    assert record["content_source"] == NOT_SENT and record["content"] is None and record["checks"] is None
    ledger.close()


def _forget_content(ledger: Ledger) -> None:
    """A ledger from before content and approvals were recorded: the sent events keep only the hash and checks."""
    with ledger.write() as connection:
        for row in connection.execute(sa.select(events.c.id, events.c.detail).where(events.c.kind == "sent")):
            detail = json.loads(row.detail)
            for key in ("content", "author", "approvals"):
                detail.pop(key)
            connection.execute(events.update().where(events.c.id == row.id).values(detail=json.dumps(detail)))


def test_deliveries_sent_before_content_was_recorded(site, tmp_path: Path) -> None:
    config, ledger, _ = site
    _forget_content(ledger)
    result = export(config, ledger, tmp_path / "same")
    x = by_delivery(tmp_path / "same")["salle-attente:x:once"]
    assert x["content_source"] == RERENDERED and x["content"]["parts"][0].startswith("Le CHU d'Angers ouvre")
    assert x["content"]["media"][0]["archived_as"] and result.content_unknown == 0

    text = queue_file(config).read_text(encoding="utf-8")
    queue_file(config).write_text(text.replace("nouvelle salle", "grande salle"), encoding="utf-8")
    result = export(config, ledger, tmp_path / "changed")
    x = by_delivery(tmp_path / "changed")["salle-attente:x:once"]
    assert x["content_source"] == CHANGED and x["content"] is None and len(x["sent_hash"]) == 64
    assert [a["matches_sent"] for a in x["approvals"]] == [None]
    assert result.content_unknown == 2 and verify(tmp_path / "changed").ok


def test_approvals_are_those_recorded_when_it_was_sent(site, tmp_path: Path) -> None:
    config, ledger, _ = site
    text = queue_file(config).read_text(encoding="utf-8")
    queue_file(config).write_text(text.replace("networks: [x, mastodon]", "networks: [x, mastodon, bluesky]"), "utf-8")
    export(config, ledger, tmp_path / "archive")
    x = by_delivery(tmp_path / "archive")["salle-attente:x:once"]
    assert [(a["by"], a["matches_sent"]) for a in x["approvals"]] == [("a.renier", True)]  # what was sent, approved
    assert (x["author"], x["author_and_approvals_from"]) == ("c.dupuis", RECORDED)


def test_without_a_record_a_stale_approval_does_not_match(site, tmp_path: Path) -> None:
    config, ledger, _ = site
    _forget_content(ledger)
    text = queue_file(config).read_text(encoding="utf-8")
    queue_file(config).write_text(text.replace("networks: [x, mastodon]", "networks: [x, mastodon, bluesky]"), "utf-8")
    export(config, ledger, tmp_path / "archive")
    x = by_delivery(tmp_path / "archive")["salle-attente:x:once"]
    assert [a["matches_sent"] for a in x["approvals"]] == [False]  # approved before the networks changed
    assert x["author_and_approvals_from"] == "the post file at export time"


def test_a_media_file_changed_since_keeps_its_hash_only(site, tmp_path: Path) -> None:
    config, ledger, _ = site
    (config.root / "media" / "Jeanne-Martin-salle.png").write_bytes(_png() + b"\0")
    result = export(config, ledger, tmp_path / "archive")
    [media] = by_delivery(tmp_path / "archive")["salle-attente:x:once"]["content"]["media"]
    assert media["archived_as"] is None and len(media["sha256"]) == 64
    assert result.media == 0 and result.media_missing == 2 and verify(tmp_path / "archive").ok


def test_bad_folders_are_refused(site, tmp_path: Path) -> None:
    config, ledger, _ = site
    (tmp_path / "file").write_text("x")
    with pytest.raises(ArchiveError, match="is a file"):
        export(config, ledger, tmp_path / "file")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("x")
    with pytest.raises(ArchiveError, match="not a previous archive"):
        export(config, ledger, tmp_path / "foreign")
    assert sorted(p.name for p in (tmp_path / "foreign").iterdir()) == ["notes.txt"]
    with pytest.raises(ArchiveError, match="no MANIFEST"):
        verify(tmp_path / "foreign")
    with pytest.raises(ArchiveError, match="not a folder"):
        verify(tmp_path / "missing")


def test_no_ledger_is_an_empty_archive(config: Config, tmp_path: Path) -> None:
    result = export(config, None, tmp_path / "archive")
    assert result.deliveries == 0 and verify(tmp_path / "archive").ok


def test_metrics_snapshots_are_archived_per_delivery(site, tmp_path: Path) -> None:
    from hospipost.ledger import Snapshot

    config, ledger, _ = site
    ledger.record_snapshots(
        [
            Snapshot("salle-attente:x:once", "salle-attente", "x", AT + timedelta(hours=1), {"views": 120, "likes": 4}),
            Snapshot("salle-attente:x:once", "salle-attente", "x", AT + timedelta(days=1), {"views": 900, "likes": 31}),
        ]
    )
    export(config, ledger, tmp_path / "archive")
    records = by_delivery(tmp_path / "archive")
    assert records["salle-attente:x:once"]["metrics"] == [
        {"taken_at": "2026-12-01T10:00:00+00:00", "figures": {"likes": 4, "views": 120}},
        {"taken_at": "2026-12-02T09:00:00+00:00", "figures": {"likes": 31, "views": 900}},
    ]
    assert records["salle-attente:mastodon:once"]["metrics"] == []


def test_an_interrupted_export_is_finished_by_the_next(site, tmp_path: Path) -> None:
    config, ledger, _ = site
    folder = tmp_path / "archive"
    export(config, ledger, folder)
    (folder / ".deliveries.jsonl.x1y2.hospipost-tmp").write_text("half")
    (folder / "media" / f"{'0' * 64}.png").write_bytes(b"from a previous export")
    assert sorted(verify(folder).problems) == [
        "extra: .deliveries.jsonl.x1y2.hospipost-tmp",
        f"extra: media/{'0' * 64}.png",
    ]
    export(config, ledger, folder)
    assert verify(folder).ok and len(list((folder / "media").iterdir())) == 1


def test_a_video_is_archived_with_its_captions_under_their_hashes(tmp_path: Path, config: Config) -> None:
    from tests.fakes.video import make_video

    video = make_video(config.root / "media" / "Jeanne-Martin-interview.mp4")
    captions = config.root / "media" / "Jeanne-Martin-interview.vtt"
    captions.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nBienvenue au CHU d'Angers.\n", encoding="utf-8")
    queue_file(config).write_text(
        "defaults:\n  author: c.dupuis\nposts:\n  - id: visite-bloc\n    at: 2026-12-01 10:00\n"
        "    text: Visite du nouveau bloc opératoire du CHU d'Angers, en vidéo.\n    networks: [mastodon]\n"
        "    media:\n      - {file: media/Jeanne-Martin-interview.mp4, alt: Visite du bloc opératoire.,"
        " captions: media/Jeanne-Martin-interview.vtt, people: false}\n",
        encoding="utf-8",
    )
    approve_post(config, "visite-bloc", "a.renier", None, AT - timedelta(days=1))
    ledger = Ledger.open(config.state_url)
    publish(config, ledger, FakeNetworkSet())
    folder = tmp_path / "archive"
    export(config, ledger, folder)
    ledger.close()
    [media] = lines(folder)[0]["content"]["media"]
    assert (folder / media["archived_as"]).read_bytes() == video.read_bytes()
    assert media["captions"]["archived_as"] == f"media/{media['captions']['sha256']}.vtt"
    assert (folder / media["captions"]["archived_as"]).read_bytes() == captions.read_bytes()
    assert verify(folder).ok and verify(folder).files == 4
    assert "Jeanne" not in (folder / DELIVERIES).read_text(encoding="utf-8")
