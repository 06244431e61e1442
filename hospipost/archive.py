"""The public archive of what was published (Code du patrimoine, L211-1 and L211-4).

A public hospital's posts are public archives: it must be able to produce what it published,
where and when, and what it deleted. ``export`` writes, into one folder:

- ``deliveries.jsonl``: one JSON object per delivery (a post on one network, one occurrence),
  sorted by the time it was sent (or due, for what never went out), keys in a fixed order: the
  exact content sent (texts, language, media with alt text, sha256 and size), the network's id and
  address, the times, who wrote and approved it, the checks at send time, the retraction with its
  reason, the metrics snapshots, and every event the ledger kept of it;
- ``media/<sha256>.<ext>``: each media file sent, named by its content (never by its file name,
  which may carry personal data), when the file is still the one that was sent;
- ``README.txt``: what the archive is and how to verify it (French first);
- ``MANIFEST.sha256``: the sha256 of every other file, in the format of ``sha256sum -c``.

``verify`` checks a folder against its manifest: every missing, extra or changed file.
Nothing here prints or knows Click: ``cli/archive.py`` is the command.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hospipost.errors import HospipostError

if TYPE_CHECKING:
    from hospipost.config import Config
    from hospipost.ledger import Delivery, Ledger, Retraction
    from hospipost.networks.base import Rendering
    from hospipost.posts import Post

FORMAT = "hospipost-archive/1"
DELIVERIES = "deliveries.jsonl"
MANIFEST = "MANIFEST.sha256"
README = "README.txt"
MEDIA = "media"

RECORDED = "recorded at send time"
RERENDERED = "not recorded at send time; re-rendered from the post file, whose content hash matches what was sent"
CHANGED = "not recorded; the post file changed since (only the hash of what was sent is known)"
GONE = "not recorded; the post is no longer in posts/ (only the hash of what was sent is known)"
NOT_SENT = "nothing was recorded as sent"
RECONCILED = "not recorded; a person marked it as sent (reconcile): what went out is not known"

_MEDIA_NAME = re.compile(r"^media/[0-9a-f]{64}(\.[a-z0-9]{1,10})?$")
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
_CHUNK = 1 << 20


class ArchiveError(HospipostError):
    """The folder cannot hold or be read as an archive (one line, exit 2)."""


@dataclass
class ExportResult:
    folder: Path
    deliveries: int = 0
    media: int = 0
    content_unknown: int = 0  # sent deliveries whose content is known only by its hash
    media_missing: int = 0  # media files no longer there (or changed): their hash only


@dataclass
class VerifyResult:
    folder: Path
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- export ----------------------------------------------------------------------------


def export(config: Config, ledger: Ledger | None, folder: Path, year: int | None = None) -> ExportResult:
    """Write the archive of every delivery (of ``year``, in the config's time zone) into ``folder``.

    ``ledger`` None: nothing was ever published here (an archive with no delivery). The folder
    must be missing, empty or a previous archive (which is replaced); files are written
    atomically, the manifest last.
    """
    from hospipost.queuefile import atomic_write

    _prepare(folder)
    posts = _current_posts(config)
    result = ExportResult(folder)
    records: list[dict[str, Any]] = []
    media: dict[str, Path] = {}  # archive path -> the file to copy
    if ledger is not None:
        events = _events_by_delivery(ledger)
        retractions = {item.id: item for item in ledger.retractions()}
        withdrawn = ledger.retracted_posts()
        snapshots = gather_snapshots(ledger)
        for item in ledger.all():
            when = item.sent_at or item.due_at
            if year is not None and when.astimezone(config.timezone).year != year:
                continue
            record = _record(config, item, posts.get(item.post_id), events.get(item.id, []), retractions, withdrawn)
            record["metrics"] = snapshots.get(item.id, [])
            post = posts.get(item.post_id)
            for entry in (record["content"] or {}).get("media", []):
                result.media_missing += _place(config, entry, [m.path for m in post.media] if post else [], media)
                if isinstance(entry.get("captions"), dict):  # a video's captions file, sent with it
                    captions = [m.captions_path for m in post.media if m.captions_path] if post else []
                    result.media_missing += _place(config, entry["captions"], captions, media)
            if item.state == "sent" and record["content_source"] not in (RECORDED, RERENDERED):
                result.content_unknown += 1
            records.append(record)
    records.sort(key=lambda record: (record["sent_at"] or record["due_at"], record["delivery"]))
    result.deliveries = len(records)

    try:
        (folder / MEDIA).mkdir(parents=True, exist_ok=True)
        written: dict[str, str] = {}
        for name, source in sorted(media.items()):
            data = source.read_bytes()
            if hashlib.sha256(data).hexdigest() != Path(name).stem:  # changed between the check and the copy
                continue
            atomic_write(folder / name, data)
            written[name] = Path(name).stem
        result.media = len(written)
        for name in _files(
            folder
        ):  # a previous export's media no longer referenced, an interrupted one's temporary files
            if name not in written and name not in (DELIVERIES, README, MANIFEST):
                (folder / name).unlink()
        lines = "".join(json.dumps(record, ensure_ascii=False, default=str) + "\n" for record in records)
        atomic_write(folder / DELIVERIES, lines.encode("utf-8"))
        atomic_write(folder / README, _readme(config, year, result).encode("utf-8"))
        written[DELIVERIES] = _sha256_file(folder / DELIVERIES)
        written[README] = _sha256_file(folder / README)
        manifest = "".join(f"{digest}  {name}\n" for name, digest in sorted(written.items()))
        atomic_write(folder / MANIFEST, manifest.encode("utf-8"))
    except OSError as error:
        raise ArchiveError(f"Cannot write the archive into {folder}: {error.strerror or error}.") from None
    return result


def gather_snapshots(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """The metrics snapshots the ledger holds (``Ledger.snapshots``: every one, oldest first), by delivery:
    when each was taken and the figures the network gave then."""
    found: dict[str, list[dict[str, Any]]] = {}
    for snapshot in ledger.snapshots():
        found.setdefault(snapshot.delivery_id, []).append(
            {"taken_at": _iso(snapshot.taken_at), "figures": dict(sorted(snapshot.figures.items()))}
        )
    return found


def _prepare(folder: Path) -> None:
    """Refuse a file, or a non-empty folder that is not a previous archive; create a missing one."""
    if folder.exists() and not folder.is_dir():
        raise ArchiveError(f"{folder} is a file: give a folder for the archive.")
    if folder.is_dir():
        names = _files(folder)
        if names and not (MANIFEST in names and all(_ours(name) for name in names)):
            raise ArchiveError(f"{folder} is not empty and is not a previous archive: give an empty or new folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArchiveError(f"Cannot create {folder}: {error.strerror or error}.") from None


def _ours(name: str) -> bool:
    """A file an export writes (or the temporary file of one that was interrupted)."""
    from hospipost.queuefile import TEMP_SUFFIX

    if Path(name).name.startswith(".") and name.endswith(TEMP_SUFFIX):
        return True
    return name in (DELIVERIES, README, MANIFEST) or bool(_MEDIA_NAME.match(name))


def _current_posts(config: Config) -> dict[str, Post]:
    """The posts as the queue files hold them now (unreadable files skipped: their posts count as gone)."""
    from hospipost.posts import readable_posts

    return {post.id: post for post in readable_posts(config)}


def _events_by_delivery(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for event in reversed(ledger.event_log()):  # oldest first
        if event.get("delivery_id"):
            found.setdefault(event["delivery_id"], []).append(event)
    return found


def _record(
    config: Config,
    item: Delivery,
    post: Post | None,
    events: list[dict[str, Any]],
    retractions: dict[str, Retraction],
    withdrawn: dict[str, set[str]],
) -> dict[str, Any]:
    """One line of deliveries.jsonl; keys in a fixed order."""
    sent_event = next((event for event in reversed(events) if event["kind"] == "sent"), None)
    detail = sent_event["detail"] if sent_event else {}
    content, source = _content(item, post, detail)
    zone = config.timezone
    return {
        "format": FORMAT,
        "delivery": item.id,
        "post": item.post_id,
        "queue": item.queue,
        "network": item.network,
        "occurrence": item.occurrence,
        "state": str(item.state),
        "due_at": _iso(item.due_at),
        "request_started_at": _iso(item.request_started_at),
        "sent_at": _iso(item.sent_at),
        "sent_at_local": item.sent_at.astimezone(zone).isoformat() if item.sent_at else None,
        "remote_id": item.remote_id,
        "url": item.remote_url,
        "remote_parts": list(detail.get("parts") or [p for p in item.parts if not p.startswith("staged:")]),
        "attempts": item.attempts,
        "last_error": item.last_error,
        "sent_hash": item.sent_hash,
        "content_source": source,
        "content": content,
        "checks": (
            {"warnings": detail.get("warnings", []), "ignored": detail.get("ignored", [])} if sent_event else None
        ),
        **_people(config, item, post, detail),
        "retraction": _retraction(item, retractions.get(item.id), withdrawn),
        "metrics": [],
        "events": [_event(event) for event in events],
    }


def _content(item: Delivery, post: Post | None, detail: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """What was sent and where that knowledge comes from."""
    from hospipost.publisher import content_hash, sent_content

    if isinstance(detail.get("content"), dict):
        return detail["content"], RECORDED
    if item.sent_hash is None:
        return None, RECONCILED if item.state == "sent" else NOT_SENT
    if post is None:
        return None, GONE
    rendering = _render(item.network, post)
    if rendering is None or content_hash(rendering) != item.sent_hash:
        return None, CHANGED
    return sent_content(rendering), RERENDERED


def _render(network: str, post: Post) -> Rendering | None:
    """The post as ``network`` receives it now (None: a network hospipost no longer knows)."""
    from hospipost.networks import network_class

    try:
        return network_class(network).render(post)
    except (KeyError, ValueError):
        return None


def _people(config: Config, item: Delivery, post: Post | None, detail: dict[str, Any]) -> dict[str, Any]:
    """Who wrote and approved it: as recorded when it was sent, else from the post file now."""
    if isinstance(detail.get("approvals"), list):
        approvals = [
            {**{key: entry.get(key) for key in ("by", "role", "at", "hash")}, "matches_sent": entry.get("current")}
            for entry in detail["approvals"]
        ]
        return {"author": detail.get("author"), "approvals": approvals, "author_and_approvals_from": RECORDED}
    return {
        "author": post.author if post else None,
        "approvals": _approvals(config, item, post),
        "author_and_approvals_from": "the post file at export time"
        if post
        else "unknown: the post is no longer in posts/",
    }


def _approvals(config: Config, item: Delivery, post: Post | None) -> list[dict[str, Any]]:
    """The post's approvals, and whether each approved what was sent: True or False when the post
    still renders to what was sent, None (unknown) when it changed since."""
    if post is None:
        return []
    from hospipost.approval import content_hash as approval_hash
    from hospipost.publisher import content_hash

    unchanged: bool | None = None
    if item.sent_hash is not None:
        rendering = _render(item.network, post)
        unchanged = rendering is not None and content_hash(rendering) == item.sent_hash
    now_hash = approval_hash(post, config).value
    found = []
    for approval in post.approvals:
        matches: bool | None = None
        if unchanged and approval.hash is not None:
            matches = approval.hash == now_hash
        found.append(
            {
                "by": approval.by,
                "role": approval.role,
                "at": approval.at,
                "hash": approval.hash,
                "matches_sent": matches,
            }
        )
    return found


def _retraction(item: Delivery, retraction: Retraction | None, withdrawn: dict[str, set[str]]) -> dict[str, Any] | None:
    from hospipost.ledger import EVERY_NETWORK

    if retraction is None:
        scope = withdrawn.get(item.post_id, set())
        if scope & {item.network, EVERY_NETWORK}:
            return {"state": "withdrawn", "note": "withdrawn from publication before it was sent"}
        return None
    return {
        "state": str(retraction.state),
        "reason": retraction.reason,
        "requested_by": retraction.requested_by,
        "requested_at": _iso(retraction.requested_at),
        "by_hand": retraction.by_hand,
        "retracted_at": _iso(retraction.retracted_at),
        "deleted_parts": list(retraction.deleted),
        "last_error": retraction.last_error,
    }


def _event(event: dict[str, Any]) -> dict[str, Any]:
    detail = {key: value for key, value in (event.get("detail") or {}).items() if key != "content"}
    return {"at": _iso(event["at"]), "kind": event["kind"], "actor": event["actor"], "detail": detail}


def _place(config: Config, entry: dict[str, Any], others: list[Path], media: dict[str, Path]) -> int:
    """Give a media (or captions) entry its place in the archive, ``media/<sha256>.<ext>``, and the file to
    copy there: where the entry names it or among ``others`` (the post's files now), if its bytes are still
    those sent. The entry loses its file name (a name on the team's disk, never published: it may name a
    person). 1 when no such file is left (only its hash is archived), else 0."""
    from hospipost.approval import file_digest

    digest = entry.get("sha256")
    candidates = [config.resolve(entry["file"])] if entry.get("file") else []
    found = None
    if isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest):
        found = next((path for path in [*candidates, *others] if file_digest(path) == digest), None)
    entry["archived_as"] = _archived_name(entry) if found is not None else None
    if found is not None:
        media[entry["archived_as"]] = found
    entry.pop("file", None)
    return 0 if found is not None else 1


def _archived_name(entry: dict[str, Any]) -> str:
    suffix = Path(str(entry.get("file") or "")).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
        suffix = ""
    return f"{MEDIA}/{entry['sha256']}{suffix}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _readme(config: Config, year: int | None, result: ExportResult) -> str:
    period = f"l'année {year}" if year is not None else "toute la période"
    period_en = f"the year {year}" if year is not None else "the whole period"
    organisation = config.organisation or "l'établissement"
    return f"""\
Archive des publications — {organisation}
Produite par hospipost ({FORMAT}), pour {period}, fuseau horaire {config.timezone_name}.

Les publications d'un établissement public sont des archives publiques (Code du patrimoine,
articles L211-1 et L211-4). Ce dossier contient, pour chaque publication sur chaque réseau :

  deliveries.jsonl   une ligne JSON par publication, dans l'ordre où elle a été envoyée :
                     le contenu exact envoyé (textes, langue, images et vidéos avec leur texte
                     alternatif, leur empreinte SHA-256 et leur taille), l'identifiant et l'adresse
                     sur le réseau, les heures, l'auteur et les validations, les contrôles au
                     moment de l'envoi (règles ignorées et pourquoi), les mesures d'audience,
                     les suppressions (retraits) avec leur motif, et l'historique du registre.
                     Les publications échouées, d'issue inconnue ou manquées y figurent aussi.
  media/             les fichiers envoyés, nommés par leur empreinte SHA-256 (jamais par leur nom
                     d'origine). Un fichier absent n'est plus disponible : seule son empreinte reste.
  MANIFEST.sha256    l'empreinte SHA-256 de chacun des fichiers ci-dessus.

Vérifier l'archive (tout octet modifié, tout fichier manquant ou ajouté est signalé) :

  hospipost archive verify DOSSIER
  ou, sans hospipost :  cd DOSSIER && sha256sum -c MANIFEST.sha256

{result.deliveries} publication(s), {result.media} fichier(s) média.

---

Archive of the posts published by {organisation}, made by hospipost for {period_en}.
deliveries.jsonl holds one JSON object per delivery (what was sent, where, when, by whom, its
checks, retraction and metrics); media/ the files sent, named by their SHA-256; MANIFEST.sha256 the
SHA-256 of every file. Verify with `hospipost archive verify DIR` or `sha256sum -c MANIFEST.sha256`.
"""


# --- verify ----------------------------------------------------------------------------


def verify(folder: Path) -> VerifyResult:
    """Every missing, extra or changed file of the archive in ``folder``, one problem each."""
    if not folder.is_dir():
        raise ArchiveError(f"{folder} is not a folder: give the folder of an archive.")
    manifest = folder / MANIFEST
    try:
        text = manifest.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArchiveError(
            f"{folder} has no {MANIFEST}: it is not an archive made by `hospipost archive export`."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ArchiveError(f"Cannot read {manifest}: {getattr(error, 'strerror', None) or error}.") from None
    result = VerifyResult(folder)
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MANIFEST_LINE.match(line)
        name = match.group(2) if match else None
        if match is None or name is None or not _safe(name):
            result.problems.append(f"changed: {MANIFEST} (line {number} is not `<sha256>  <file>`)")
            continue
        listed[name] = match.group(1)
    for name, expected in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            result.problems.append(f"missing: {name}")
        elif _sha256_file(path) != expected:
            result.problems.append(f"changed: {name}")
        else:
            result.files += 1
    for name in sorted(_files(folder)):
        if name != MANIFEST and name not in listed:
            result.problems.append(f"extra: {name}")
    if DELIVERIES not in listed:
        result.problems.append(f"missing: {DELIVERIES} (not listed in {MANIFEST})")
    return result


def _safe(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and "\\" not in name


def _files(folder: Path) -> list[str]:
    """Every file under ``folder``, as a relative POSIX path."""
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if not path.is_dir())


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
