"""approval-stale: an approval is of one content; reformatting keeps it, any change to what is published drops it.

Posts are approved with the real `hospipost approve` in real queue files, then edited."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.compliance import Finding, Severity, run_checks
from hospipost.config import Config
from hospipost.posts import load_queues
from hospipost.rules import all_rules
from tests.helpers import NOW, make_config

MEDIA = Path(__file__).resolve().parents[1] / "corpus" / "media"
ROLES = """\
approvals:
  roles: {communication: [a.renier, b.leroy], medical: [dr.martin]}
  required: {innovation: [communication, medical], news: [communication]}
"""
POST: dict[str, Any] = {
    "id": "p1",
    "at": "2026-12-01 10:00",
    "kind": "news",
    "language": "fr",
    "text": "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.",
    "variants": {"x": "Le CHU d'Angers ouvre une nouvelle salle d'attente en pédiatrie."},
    "thread": ["Elle est ouverte tous les jours de 8 h à 20 h."],
    "networks": ["x", "facebook", "mastodon"],
    "media": [
        {
            "file": "media/equipe-irm.jpg",
            "alt": "L'équipe d'imagerie devant la nouvelle IRM du CHU.",
            "captions": "media/irm.vtt",
        }
    ],
    "author": "c.dupuis",
}


def make_site(tmp_path: Path, extra: str = "") -> Config:
    config = make_config(tmp_path / "site", extra)
    (config.root / "media").mkdir()
    shutil.copy(MEDIA / "equipe-irm.jpg", config.root / "media" / "equipe-irm.jpg")
    (config.root / "media" / "irm.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nBonjour\n", encoding="utf-8")
    return config


def queue(config: Config) -> Path:
    return config.root / "posts" / "news.yaml"


def approve(config: Config, *args: str) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config.path), "approve", *args, "--now", "2026-11-23 11:00"])
    assert result.exit_code == 0, result.output


def approved(config: Config, post: dict[str, Any] = POST, who: str = "a.renier") -> list[dict[str, Any]]:
    """Write the post, approve it, and return its approvals as written."""
    queue(config).write_text(yaml.safe_dump({"posts": [post]}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    approve(config, post["id"], "--as", who)
    approvals: list[dict[str, Any]] = yaml.safe_load(queue(config).read_text(encoding="utf-8"))["posts"][0]["approvals"]
    return approvals


def stale(config: Config) -> list[Finding]:
    posts = [post for q in load_queues(config) for post in q.posts]
    return [f for f in run_checks(posts, config, NOW).findings if f.rule == "approval-stale"]


def test_severity_and_docs() -> None:
    rule = all_rules()["approval-stale"]
    assert rule.severity == Severity.ERROR
    assert rule.fix and not rule.ignorable


def test_an_approved_post_is_not_stale(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    [entry] = approved(config)
    assert entry["by"] == "a.renier" and entry["hash"].startswith("sha256:") and len(entry["hash"]) == 71
    assert set(entry["parts"]) == {"text", "media", "alt", "captions", "networks", "time", "language", "kind"}
    assert stale(config) == []


def _flow(post: dict[str, Any]) -> str:
    return yaml.safe_dump({"posts": [post]}, allow_unicode=True, default_flow_style=True, width=10_000)


def _reversed(post: dict[str, Any]) -> str:
    return yaml.safe_dump({"posts": [dict(reversed(list(post.items())))]}, allow_unicode=True, sort_keys=False)


def _in_defaults(post: dict[str, Any]) -> str:
    shared = {key: post[key] for key in ("kind", "language", "networks", "author")}
    own = {key: value for key, value in post.items() if key not in shared}
    return yaml.safe_dump({"defaults": shared, "posts": [own]}, allow_unicode=True, sort_keys=False)


def _by_hand(post: dict[str, Any]) -> str:
    entry = post["approvals"][0]
    return f"""\
# Actualités du CHU
posts:
  - id: "p1"   # la salle d'attente
    text: |
      Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
    at: "2026-12-01T10:00:00+01:00"
    networks:
      - mastodon
      - x
      - facebook
    variants: {{x: "Le CHU d'Angers ouvre une nouvelle salle d'attente en pédiatrie."}}
    thread: ['Elle est ouverte tous les jours de 8 h à 20 h.']
    media:
      - {{alt: "L'équipe d'imagerie devant la nouvelle IRM du CHU.", file: ./media/equipe-irm.jpg, captions: media/irm.vtt}}
    author: c.dupuis
    approvals:
      - {{by: a.renier, hash: '{entry["hash"]}', parts: {entry["parts"]}}}
"""


@pytest.mark.parametrize("rewrite", [_flow, _reversed, _in_defaults, _by_hand])
def test_the_hash_survives_reformatting(tmp_path: Path, rewrite) -> None:
    config = make_site(tmp_path)
    approvals = approved(config)
    queue(config).write_text(rewrite({**POST, "approvals": approvals}), encoding="utf-8")
    assert [p.approvals[0].hash for q in load_queues(config) for p in q.posts] == [approvals[0]["hash"]]
    assert stale(config) == []


def _edit(post: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**post, **changes}


CHANGES = {
    "text": ({"text": POST["text"] + " Bienvenue."}, "the text"),
    "variant": ({"variants": {"x": "Une salle d'attente neuve en pédiatrie."}}, "the text"),
    "thread": ({"thread": ["Elle est ouverte de 9 h à 19 h."]}, "the text"),
    "alt": ({"media": [{**POST["media"][0], "alt": "L'équipe d'imagerie et la nouvelle IRM."}]}, "the alt texts"),
    "networks": ({"networks": ["x", "facebook"]}, "the networks"),
    "time": ({"at": "2026-12-01 11:00"}, "the time"),
    "recurrence": ({"at": None, "every": "0 9 * * 1"}, "the time"),
    "language": ({"language": "en"}, "the language"),
    "kind": ({"kind": "event"}, "the kind"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_to_the_content_makes_the_approval_stale(tmp_path: Path, change: str) -> None:
    config = make_site(tmp_path)
    approvals = approved(config)
    changes, part = CHANGES[change]
    edited = {k: v for k, v in _edit(POST, **changes, approvals=approvals).items() if v is not None}
    queue(config).write_text(yaml.safe_dump({"posts": [edited]}, allow_unicode=True), encoding="utf-8")
    [finding] = stale(config)
    assert finding.message == (
        f"{part} changed since a.renier approved it: a.renier must approve it again (`hospipost approve p1`)"
    )
    assert finding.severity == Severity.ERROR and finding.line == 3  # the approval, under approvals: (sorted first)


@pytest.mark.parametrize(
    "file, part", [("equipe-irm.jpg", "the media files"), ("irm.vtt", "the captions")], ids=["image", "captions"]
)
def test_a_changed_file_makes_the_approval_stale(tmp_path: Path, file: str, part: str) -> None:
    config = make_site(tmp_path)
    approved(config)
    path = config.root / "media" / file
    path.write_bytes(path.read_bytes() + b"\n")
    [finding] = stale(config)
    assert finding.message.startswith(f"{part} changed since a.renier approved it")


def test_several_changes_are_all_named(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    approvals = approved(config)
    edited = _edit(POST, text="Autre texte pour la salle d'attente.", at="2026-12-02 10:00", approvals=approvals)
    queue(config).write_text(yaml.safe_dump({"posts": [edited]}, allow_unicode=True), encoding="utf-8")
    assert stale(config)[0].message.startswith("the text and the time changed since a.renier approved it")


def test_the_role_that_must_approve_again_is_named(tmp_path: Path) -> None:
    config = make_site(tmp_path, ROLES)
    approvals = approved(config, who="b.leroy")
    assert approvals[0]["role"] == "communication" and approvals[0]["by"] == "b.leroy"
    queue(config).write_text(
        yaml.safe_dump({"posts": [_edit(POST, kind="event", approvals=approvals)]}, allow_unicode=True),
        encoding="utf-8",
    )
    [finding] = stale(config)
    assert finding.message == (
        "the kind changed since b.leroy approved it as communication: "
        "communication (a.renier, b.leroy) must approve it again (`hospipost approve p1`)"
    )


def test_a_plain_approval_hash_says_the_content_changed(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    [entry] = approved(config)
    plain = {**POST, "approved_by": "a.renier", "approval": entry["hash"]}
    queue(config).write_text(yaml.safe_dump({"posts": [plain]}, allow_unicode=True), encoding="utf-8")
    assert stale(config) == []
    queue(config).write_text(yaml.safe_dump({"posts": [{**plain, "text": "Autre."}]}), encoding="utf-8")
    [finding] = stale(config)
    assert finding.message.startswith("the content changed since a.renier approved it")


def test_a_bare_approved_by_proves_nothing_and_is_never_stale(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    queue(config).write_text(yaml.safe_dump({"posts": [{**POST, "approved_by": "a.renier"}]}), encoding="utf-8")
    assert stale(config) == []


def test_an_ignore_entry_cannot_silence_it(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    approvals = approved(config)
    ignore = [{"rule": "approval-stale", "reason": "une virgule"}]
    edited = _edit(POST, text=POST["text"] + ",", approvals=approvals, ignore=ignore)
    queue(config).write_text(yaml.safe_dump({"posts": [edited]}, allow_unicode=True), encoding="utf-8")
    [finding] = stale(config)
    assert finding.ignored is None and "cannot be ignored" in finding.message
