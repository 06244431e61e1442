"""`hospipost approve` and approvals: in config.yaml, with real files: the edit stays inside the
post, roles are enforced, an edited post waits for a new approval."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.compliance import run_checks
from hospipost.config import Config, load_config
from hospipost.errors import InputError
from hospipost.posts import load_queues
from tests.helpers import CONFIG_YAML, NOW, make_config

NOW_LOCAL = "2026-11-23 11:00"
ROLES = """\
approvals:
  roles:
    communication: [a.renier, b.leroy]
    medical: [dr.martin, a.renier]
    legal: [j.blanc]
  required:
    innovation: [communication, medical]
    alert: {one_of: [communication, medical]}
    news: [communication]
"""
QUEUE = """\
# Actualités du CHU d'Angers: relire avant publication
defaults:
  author: c.dupuis  # la chargée de communication
  networks: [facebook, mastodon]

posts:
  - id: salle-attente
    at: 2026-12-01 10:00   # mardi matin
    text: |
      Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.
      #Pédiatrie
    # la photo viendra plus tard

  - id: robot-chirurgie
    kind: innovation
    at: "2026-12-02 10:00"
    text: 'Le CHU d''Angers opère avec un nouveau robot chirurgical, une première dans la région (source : HAS).'
    source: https://www.has-sante.fr/robot
    approved_by: j.blanc   # avant la mise en place des rôles

  - id: alerte-canicule
    kind: alert
    at: 2026-12-03 09:00
    valid_until: 2026-12-03 19:00
    text: "Canicule : buvez de l'eau régulièrement. Canicule info service : 0 800 06 66 66."
"""


@pytest.fixture
def site(tmp_path: Path) -> Config:
    config = make_config(tmp_path / "site")
    queue_file(config).write_text(QUEUE, encoding="utf-8")
    return config


@pytest.fixture
def roles(tmp_path: Path) -> Config:
    config = make_config(tmp_path / "site", ROLES)
    queue_file(config).write_text(QUEUE, encoding="utf-8")
    return config


def queue_file(config: Config) -> Path:
    return config.root / "posts" / "news.yaml"


def invoke(config: Config, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config.path), *args, "--now", NOW_LOCAL], env=env)


def approve(config: Config, *args: str) -> Result:
    return invoke(config, "approve", *args)


def approvals_of(config: Config, post_id: str) -> list[dict]:
    data = yaml.safe_load(queue_file(config).read_text(encoding="utf-8"))
    post = next(p for p in data["posts"] if p["id"] == post_id)
    return list(post.get("approvals", []))


def approval_findings(config: Config, post_id: str) -> list[str]:
    posts = [post for q in load_queues(config) for post in q.posts]
    return [
        f"{f.rule}: {f.message}"
        for f in run_checks(posts, config, NOW).findings
        if f.rule.startswith("approval") and f.post.id == post_id
    ]


def assert_one_line_error(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1, result.output


def edited_span(before: bytes, after: bytes) -> tuple[bytes, bytes]:
    """The bytes that differ between two versions: (removed, added), whole lines."""
    start = len(os.path.commonprefix([before, after]))
    start = before.rfind(b"\n", 0, start) + 1
    end = len(os.path.commonprefix([before[::-1], after[::-1]]))
    while end and before[len(before) - end - 1 : len(before) - end] != b"\n":
        end -= 1
    return before[start : len(before) - end], after[start : len(after) - end]


# --- without approvals: in config.yaml ---------------------------------------------------


def test_approve_writes_one_entry_inside_the_post_and_nothing_else(site: Config) -> None:
    before = queue_file(site).read_bytes()
    result = approve(site, "salle-attente", "--as", "a.renier")
    assert result.exit_code == 0, result.output
    assert result.output == "Approved post salle-attente by a.renier: written to " + str(queue_file(site)) + ".\n"
    after = queue_file(site).read_bytes()
    removed, added = edited_span(before, after)
    assert removed == b""
    # Right after the post's last written line, before its trailing comment and the next post.
    assert after.index(added) == before.index(b"    # la photo viendra plus tard")
    assert re.fullmatch(
        rb"    approvals:\n      - by: a\.renier\n        at: 2026-11-23 11:00\n"
        rb"        hash: sha256:[0-9a-f]{64}\n        parts: \{text: [0-9a-f]{8}, media: [0-9a-f]{8}, .*\}\n",
        added,
    ), added
    assert approval_findings(site, "salle-attente") == []


def test_approve_replaces_a_plain_approved_by_in_place(site: Config) -> None:
    before = queue_file(site).read_bytes()
    assert approve(site, "robot-chirurgie", "--as", "a.renier").exit_code == 0
    removed, added = edited_span(before, queue_file(site).read_bytes())
    assert removed == "    approved_by: j.blanc   # avant la mise en place des rôles\n".encode()
    assert added.startswith(b"    approvals:\n      - by: a.renier\n")
    [post] = [p for q in load_queues(site) for p in q.posts if p.id == "robot-chirurgie"]
    assert post.approved_by is None and [a.by for a in post.approvals] == ["a.renier"]


def test_the_approval_follows_the_author_and_leaves_the_defaults_alone(site: Config) -> None:
    queue_file(site).write_text(
        "defaults:\n  approved_by: j.blanc\nposts:\n"
        "  - id: p1\n    at: 2026-12-01 10:00\n    author: c.dupuis\n    text: Bonjour\n    source: https://x.fr\n",
        encoding="utf-8",
    )
    assert approve(site, "p1", "--as", "a.renier").exit_code == 0
    lines = queue_file(site).read_text(encoding="utf-8").splitlines()
    assert lines[:7] == [
        "defaults:",
        "  approved_by: j.blanc",
        "posts:",
        "  - id: p1",
        "    at: 2026-12-01 10:00",
        "    author: c.dupuis",
        "    approvals:",
    ]
    assert lines[-2:] == ["    text: Bonjour", "    source: https://x.fr"]
    [post] = [p for q in load_queues(site) for p in q.posts]
    assert [a.by for a in post.approvals] == ["a.renier"]  # the post's approvals, not the defaults' approved_by


@pytest.mark.parametrize("newline, bom", [("\r\n", ""), ("\n", ""), ("\n", "\ufeff")], ids=["crlf", "lf", "bom"])
def test_line_endings_and_a_missing_final_newline_are_kept(site: Config, newline: str, bom: str) -> None:
    text = bom + QUEUE.rstrip("\n").replace("\n", newline)
    queue_file(site).write_bytes(text.encode())
    assert approve(site, "alerte-canicule", "--as", "a.renier").exit_code == 0
    after = queue_file(site).read_bytes().decode()
    assert after.startswith(text) and after.count("\n") == after.count(newline)
    assert approval_findings(site, "alerte-canicule") == []


def test_an_edited_post_waits_for_a_new_approval(site: Config) -> None:
    assert approve(site, "salle-attente", "--as", "a.renier").exit_code == 0
    path = queue_file(site)
    path.write_text(path.read_text(encoding="utf-8").replace("pour les familles", "pour les parents"), "utf-8")
    assert approval_findings(site, "salle-attente") == [
        "approval-stale: the text changed since a.renier approved it: "
        "a.renier must approve it again (`hospipost approve salle-attente`)"
    ]
    assert invoke(site, "check").exit_code == 1
    assert approve(site, "salle-attente", "--as", "b.leroy").exit_code == 0
    assert [a["by"] for a in approvals_of(site, "salle-attente")] == ["b.leroy"]  # the stale one is replaced
    assert approval_findings(site, "salle-attente") == []


def test_publish_holds_a_post_edited_after_its_approval(site: Config) -> None:
    due = ["publish", "--dry-run", "--post", "salle-attente", "--now", "2026-12-01 10:05"]
    assert approve(site, "salle-attente", "--as", "a.renier").exit_code == 0
    assert "would be sent" in CliRunner().invoke(cli, ["--config", str(site.path), *due]).output
    path = queue_file(site)
    path.write_text(path.read_text(encoding="utf-8").replace("#Pédiatrie", "#Pédiatrie #Angers"), "utf-8")
    held = CliRunner().invoke(cli, ["--config", str(site.path), *due]).output
    assert "salle-attente: not sent, check errors (approval-stale)" in held
    show = invoke(site, "queue", "show", "salle-attente").output
    assert "approved by: a.renier" in show and "The text changed since a.renier approved it" in show


def test_approving_again_an_unchanged_post_writes_nothing(site: Config) -> None:
    assert approve(site, "salle-attente", "--as", "a.renier").exit_code == 0
    before = queue_file(site).read_bytes()
    result = approve(site, "salle-attente", "--as", "A. Renier")
    assert result.exit_code == 0
    assert result.output == "Post salle-attente is already approved for its current content; nothing written.\n"
    assert queue_file(site).read_bytes() == before


def test_the_default_approver_is_the_git_email_of_the_folder(site: Config) -> None:
    subprocess.run(["git", "init", "-q", str(site.root)], check=True)
    subprocess.run(["git", "-C", str(site.root), "config", "user.email", "a.renier@chu-angers.fr"], check=True)
    assert approve(site, "salle-attente").exit_code == 0
    assert approvals_of(site, "salle-attente")[0]["by"] == "a.renier@chu-angers.fr"


def test_the_default_approver_is_the_os_user_outside_a_repository(site: Config) -> None:
    env = {"LOGNAME": "b.leroy", "USER": "b.leroy", "LNAME": None, "USERNAME": None}
    assert invoke(site, "approve", "salle-attente", env=env).exit_code == 0
    assert approvals_of(site, "salle-attente")[0]["by"] == "b.leroy"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["salle-attente", "--as", "C. Dupuis"],
            "Error: C. Dupuis wrote post salle-attente: someone else must approve it",
        ),
        (["nulle-part", "--as", "a.renier"], "Error: No post with id 'nulle-part'"),
        (["salle-attente", "--as", "  "], "Error: --as: give the approver's name"),
        (["salle-attente", "--as", "a.renier", "--role", "medical"], "Error: --role: config.yaml has no approvals:"),
    ],
)
def test_mistakes_are_one_line_and_write_nothing(site: Config, args: list[str], message: str) -> None:
    before = queue_file(site).read_bytes()
    result = approve(site, *args)
    assert_one_line_error(result)
    assert result.output.startswith(message)
    assert queue_file(site).read_bytes() == before


def test_a_post_written_as_a_flow_mapping_is_refused(site: Config) -> None:
    queue_file(site).write_text(
        "posts:\n  - {id: p1, at: 2026-12-01 10:00, text: Bonjour, author: c.dupuis}\n", encoding="utf-8"
    )
    before = queue_file(site).read_bytes()
    result = approve(site, "p1", "--as", "a.renier")
    assert_one_line_error(result)
    assert "not a block mapping" in result.output and queue_file(site).read_bytes() == before


def test_a_failed_write_leaves_the_file_whole(site: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    before = queue_file(site).read_bytes()

    def full_disk(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    result = approve(site, "salle-attente", "--as", "a.renier")
    assert_one_line_error(result)
    assert "No space left on device" in result.output
    assert queue_file(site).read_bytes() == before
    assert [p.name for p in queue_file(site).parent.iterdir() if p.name.endswith(".hospipost-tmp")] == []


# --- roles and levels -----------------------------------------------------------------


def test_a_news_post_needs_communication(roles: Config) -> None:
    assert approval_findings(roles, "salle-attente") == [
        "approval-required: waits for the approval of communication (a.renier, b.leroy): "
        "`hospipost approve salle-attente`"
    ]
    result = approve(roles, "salle-attente", "--as", "b.leroy")
    assert result.exit_code == 0, result.output
    assert "as communication by b.leroy" in result.output
    assert [(a["by"], a["role"]) for a in approvals_of(roles, "salle-attente")] == [("b.leroy", "communication")]
    assert approval_findings(roles, "salle-attente") == []


@pytest.mark.parametrize(
    "who, message",
    [
        ("dr.martin", "Error: dr.martin (medical) cannot approve a news post: it needs communication"),
        ("j.blanc", "Error: j.blanc (legal) cannot approve a news post: it needs communication"),
        (
            "x.inconnu",
            "Error: x.inconnu is in no approval role in config.yaml (approvals.roles: "
            "communication: a.renier, b.leroy; medical: dr.martin, a.renier; legal: j.blanc)",
        ),
    ],
)
def test_someone_outside_the_required_roles_is_refused(roles: Config, who: str, message: str) -> None:
    before = queue_file(roles).read_bytes()
    result = approve(roles, "salle-attente", "--as", who)
    assert_one_line_error(result)
    assert result.output.strip() == message
    assert queue_file(roles).read_bytes() == before


def test_an_innovation_needs_one_approval_per_role(roles: Config) -> None:
    result = approve(roles, "robot-chirurgie", "--as", "b.leroy")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "It still waits for the approval of medical (dr.martin, a.renier)."
    assert approval_findings(roles, "robot-chirurgie") == [
        "approval-required: waits for the approval of medical (dr.martin, a.renier): "
        "`hospipost approve robot-chirurgie`"
    ]
    assert approve(roles, "robot-chirurgie", "--as", "Dr Martin").exit_code == 0
    entries = [(a["by"], a["role"]) for a in approvals_of(roles, "robot-chirurgie")]
    assert entries == [("b.leroy", "communication"), ("dr.martin", "medical")]  # named as config.yaml writes them
    assert approval_findings(roles, "robot-chirurgie") == []


def test_someone_in_two_roles_approves_in_each_or_in_the_one_asked(roles: Config) -> None:
    assert approve(roles, "robot-chirurgie", "--as", "a.renier", "--role", "medical").exit_code == 0
    assert [a["role"] for a in approvals_of(roles, "robot-chirurgie")] == ["medical"]
    assert approve(roles, "robot-chirurgie", "--as", "a.renier").exit_code == 0
    assert [a["role"] for a in approvals_of(roles, "robot-chirurgie")] == ["medical", "communication"]
    result = approve(roles, "salle-attente", "--as", "a.renier", "--role", "legal")
    assert_one_line_error(result)
    assert "a.renier is not in role legal" in result.output


def test_a_plain_approved_by_does_not_count_once_roles_are_set(roles: Config) -> None:
    assert approval_findings(roles, "robot-chirurgie") == [
        "approval-required: waits for the approval of communication (a.renier, b.leroy) and medical "
        "(dr.martin, a.renier) (`approved_by:` is not enough when config.yaml has approvals:): "
        "`hospipost approve robot-chirurgie`"
    ]


def test_a_hand_written_approval_outside_its_role_does_not_count(roles: Config) -> None:
    assert approve(roles, "salle-attente", "--as", "b.leroy").exit_code == 0
    path = queue_file(roles)
    path.write_text(path.read_text(encoding="utf-8").replace("by: b.leroy", "by: j.blanc"), encoding="utf-8")
    assert approval_findings(roles, "salle-attente")[0] == (
        "approval-required: the approval by j.blanc (role 'communication') does not count: "
        "config.yaml's approvals.roles does not name them in that role"
    )


def test_an_alert_may_go_out_on_one_role_when_config_says_so(roles: Config) -> None:
    assert approve(roles, "alerte-canicule", "--as", "dr.martin").exit_code == 0
    assert approval_findings(roles, "alerte-canicule") == []
    strict = roles.path.read_text().replace("{one_of: [communication, medical]}", "[communication, medical]")
    roles.path.write_text(strict)
    assert approval_findings(load_config(roles.path), "alerte-canicule") == [
        "approval-required: waits for the approval of communication (a.renier, b.leroy): "
        "`hospipost approve alerte-canicule`"
    ]


def test_a_kind_not_listed_needs_one_approver_of_any_role(roles: Config) -> None:
    path = queue_file(roles)
    path.write_text(path.read_text(encoding="utf-8").replace("    kind: innovation\n", "    kind: event\n"), "utf-8")
    [message] = approval_findings(roles, "robot-chirurgie")
    assert "communication (a.renier, b.leroy) or medical (dr.martin, a.renier) or legal (j.blanc)" in message
    assert approve(roles, "robot-chirurgie", "--as", "j.blanc").exit_code == 0
    assert approval_findings(roles, "robot-chirurgie") == []


def test_self_approval_within_a_role_is_refused_and_flagged(roles: Config) -> None:
    path = queue_file(roles)
    path.write_text(path.read_text(encoding="utf-8").replace("author: c.dupuis", "author: b.leroy"), "utf-8")
    assert_one_line_error(approve(roles, "salle-attente", "--as", "b.leroy"))
    assert approve(roles, "salle-attente", "--as", "a.renier").exit_code == 0
    path.write_text(path.read_text(encoding="utf-8").replace("by: a.renier", "by: b.leroy"), "utf-8")
    assert (
        "approval-self: approved as communication by its own author ('b.leroy' is 'b.leroy'): ask someone else"
        in approval_findings(roles, "salle-attente")
    )


# --- approvals: in config.yaml ---------------------------------------------------------


@pytest.mark.parametrize(
    "yaml_text, line, message",
    [
        ("approvals:\n  required: {news: [communication]}\n", 2, "approvals has no roles:"),
        ("approvals:\n  roles: {}\n", 2, "approvals.roles names no role"),
        ("approvals:\n  roles: {Com Team: [a.renier]}\n", 2, "a role is a lowercase word"),
        ("approvals:\n  roles:\n    communication: []\n", 3, "must list the people of that role"),
        ("approvals:\n  roles:\n    communication: [a.renier, [x]]\n", 3, "must be a list of strings"),
        ("approvals:\n  roles: {communication: [a.renier]}\n  levels: 2\n", 3, "unknown key 'levels' in approvals"),
        (
            "approvals:\n  roles: {communication: [a.renier]}\n  required:\n    breaking: [communication]\n",
            4,
            "approvals.required: unknown kind 'breaking'; kinds: alert, innovation",
        ),
        (
            "approvals:\n  roles: {communication: [a.renier]}\n  required:\n    news:\n      - communication\n      - medical\n",
            6,
            "approvals.required.news: unknown role 'medical'; approvals.roles has communication",
        ),
        (
            "approvals:\n  roles: {communication: [a.renier]}\n  required:\n    news: communication\n",
            4,
            "approvals.required.news must be a list of roles: write [communication]",
        ),
        (
            "approvals:\n  roles: {communication: [a.renier]}\n  required:\n    alert: {any: [communication]}\n",
            4,
            "unknown key 'any' in approvals.required.alert",
        ),
        (
            "approvals:\n  roles: {communication: [a.renier]}\n  required:\n    alert: {one_of: []}\n",
            4,
            "approvals.required.alert.one_of names no role",
        ),
        ("approvals: [communication]\n", 1, "approvals must be a mapping"),
    ],
)
def test_approvals_mistakes_name_file_and_line(tmp_path: Path, yaml_text: str, line: int, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.format_message().startswith(f"{path}:{line}: ")
    assert message in caught.value.format_message()


def test_an_approvals_mistake_stops_the_commands_with_exit_2(tmp_path: Path) -> None:
    config = make_config(tmp_path / "site")
    config.path.write_text(
        CONFIG_YAML + "approvals:\n  roles: {communication: a.renier}\n  required: {news: [medical]}\n"
    )
    result = CliRunner().invoke(cli, ["--config", str(config.path), "approve", "x", "--as", "a.renier"])
    assert_one_line_error(result)
    assert f"{config.path}:{CONFIG_YAML.count(chr(10)) + 3}: approvals.required.news: unknown role 'medical'" in (
        result.output
    )


@pytest.mark.parametrize(
    "post, line, message",
    [
        ("approval: sha256:abc", 5, "'approval' must be sha256: and 64 hex digits"),
        (f"approval: sha256:{'0' * 64}", 5, "'approval' is the hash an approver approved: it needs 'approved_by:'"),
        ("approvals: [{by: a.renier}]", 5, "an approval's 'hash' must be sha256:"),
        (f"approvals: [{{hash: 'sha256:{'0' * 64}'}}]", 5, "an approval needs 'by:'"),
        (f"approvals: [{{by: a, hash: 'sha256:{'0' * 64}', when: x}}]", 5, "unknown key 'when' in an approval"),
        (
            f"approvals: [{{by: a, hash: 'sha256:{'0' * 64}', parts: [x]}}]",
            5,
            "an approval's 'parts' must map each part",
        ),
        ("approvals: a.renier", 5, "'approvals' must be a list"),
    ],
)
def test_approval_mistakes_in_a_queue_name_file_and_line(site: Config, post: str, line: int, message: str) -> None:
    queue_file(site).write_text(f"posts:\n  - id: p1\n    at: 2026-12-01 10:00\n    text: Bonjour\n    {post}\n")
    result = invoke(site, "check")
    assert result.exit_code == 2, result.output
    assert f"news.yaml:{line}: {message}" in result.output


def test_approvals_do_not_belong_in_defaults(site: Config) -> None:
    queue_file(site).write_text(f"defaults:\n  approval: sha256:{'0' * 64}\nposts: []\n")
    result = invoke(site, "check")
    assert result.exit_code == 2 and "news.yaml:2: 'approval' proves one post's content" in result.output


# --- queue list --pending-approval --------------------------------------------------------


def in_terminal(config: Config, width: int, *args: str) -> Result:
    env = {"FORCE_COLOR": "1", "COLUMNS": str(width), "NO_COLOR": None}
    return CliRunner().invoke(cli, ["--config", str(config.path), *args, "--now", NOW_LOCAL], env=env)


def pending_rows(config: Config) -> list[dict]:
    rows: list[dict] = json.loads(invoke(config, "queue", "list", "--pending-approval", "--format", "json").output)
    return rows


def test_pending_approval_says_who_and_why(roles: Config) -> None:
    assert approve(roles, "robot-chirurgie", "--as", "b.leroy").exit_code == 0
    assert approve(roles, "salle-attente", "--as", "b.leroy").exit_code == 0
    path = queue_file(roles)
    path.write_text(path.read_text(encoding="utf-8").replace("      #Pédiatrie\n", ""), encoding="utf-8")
    rows = [(row["id"], row["waits_for"], row["why"]) for row in pending_rows(roles)]
    assert rows == [
        (
            "salle-attente",
            "communication (a.renier, b.leroy), again",
            "the text changed since b.leroy approved it",
        ),
        ("robot-chirurgie", "medical (dr.martin, a.renier)", "not approved"),
        ("alerte-canicule", "communication (a.renier, b.leroy) or medical (dr.martin, a.renier)", "not approved"),
    ]
    plain = invoke(roles, "queue", "list", "--pending-approval").output.splitlines()
    assert plain[0].split() == ["time", "(Europe/Paris)", "id", "kind", "waits", "for", "why"]
    assert re.fullmatch(
        r"2026-12-02 10:00 +robot-chirurgie +innovation +medical \(dr\.martin, a\.renier\) +not approved", plain[2]
    )


def test_pending_approval_without_roles(site: Config) -> None:
    assert [(r["id"], r["waits_for"]) for r in pending_rows(site)] == [
        ("salle-attente", "anyone but c.dupuis"),
        ("alerte-canicule", "anyone but c.dupuis"),
    ]
    assert approve(site, "salle-attente", "--as", "a.renier").exit_code == 0
    assert approve(site, "alerte-canicule", "--as", "a.renier").exit_code == 0
    assert invoke(site, "queue", "list", "--pending-approval").output == "No post waits for an approval.\n"


@pytest.mark.parametrize("width", [80, 120])
def test_pending_approval_fits_the_terminal(roles: Config, width: int) -> None:
    path = queue_file(roles)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "id: robot-chirurgie", "id: robot-chirurgical-da-vinci-bloc-operatoire-2026"
        ),
        encoding="utf-8",
    )
    result = in_terminal(roles, width, "queue", "list", "--pending-approval")
    assert result.exit_code == 0, result.output
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.output).splitlines()
    assert max(len(line) for line in lines) <= width, "\n".join(lines)
    words = set(" ".join(lines).split())
    assert {"2026-12-01", "10:00", "medical", "(dr.martin,", "a.renier)", "approved"} <= words
    assert ("innovation" in words) == (width >= 100)  # a narrow terminal leaves the kind out
