"""`hospipost consent list|withdraw` and the register as every command reads it: real files,
a real SQLite ledger, through the command line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.config import Config
from tests.helpers import CONSENTS_YAML, make_config, make_consents

NOW = "2026-11-23 11:00"
WHO = "Ysolde Quintrec"  # in consents.yaml only: never in any output but `consent list --show-names`

REGISTER = """\
# Registre des consentements du CHU d'Angers — service communication.
# Tenu par c.dupuis ; les formulaires signés sont au classeur com 2026.

consents:
  - id: C-2026-014          # formulaire papier
    who: Ysolde Quintrec, patiente en cardiologie (signé par elle-même)
    covers: [images, testimony, name]
    networks: all
    valid_until: 2027-12-31
    note: |
      Signé le 2026-10-02 ; accepte photo et témoignage.

  # Le Dr Renier, pour la campagne de recrutement.
  - id: C-2026-015
    who: Dr Aline Kerbrat
    covers: [images]
    networks: [facebook, linkedin]
    valid_until: 2027-06-30
  - {id: C-2026-016, who: "Paul Durand, aidant", covers: [testimony], networks: all, valid_until: 2027-01-31}
  - id: C-2026-017
    who: Lucie Bernard
    covers: [images]
    networks: all
    valid_until: 2027-03-31
    withdrawn_on:
"""

QUEUE = """\
posts:
  - id: portrait-jeanne
    at: 2026-11-20 10:00
    text: Le service de cardiologie du CHU d'Angers présente sa nouvelle salle de rééducation.
    networks: [x, facebook]
    media:
      - {file: media/portrait.png, alt: "Une patiente sourit dans la salle de rééducation", people: true, consent: C-2026-014}
    author: c.dupuis
    approved_by: a.renier
  - id: temoignage-jeanne
    at: 2026-12-01 10:00
    text: Une patiente de 84 ans raconte sa rééducation après une opération du cœur.
    networks: [facebook]
    consent: C-2026-014
    author: c.dupuis
    approved_by: a.renier
  - id: recrutement
    at: 2026-12-02 10:00
    text: Le CHU d'Angers recrute des infirmières et des infirmiers en cardiologie.
    networks: [facebook, linkedin]
    media:
      - {file: media/equipe.png, alt: "L'équipe de cardiologie", people: true, consent: C-2026-015}
    author: c.dupuis
    approved_by: a.renier
"""


def run(config: Config, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config.path), *args])


def site(tmp_path: Path, register: str | None = REGISTER) -> Config:
    config = make_config(tmp_path / "site")
    if register is not None:
        make_consents(config, register)
    (config.root / "posts" / "news.yaml").write_text(QUEUE, encoding="utf-8")
    from PIL import Image

    (config.root / "media").mkdir()
    for name in ("portrait.png", "equipe.png"):
        Image.new("RGB", (64, 48), (200, 120, 90)).save(config.root / "media" / name)
    return config


def record_sent(config: Config, post_id: str, network: str, at: str) -> str:
    """The ledger says ``post_id`` went out to ``network`` (as a publish run records it)."""
    from hospipost.ledger import DueDelivery, Ledger

    due_at = datetime.fromisoformat(at).replace(tzinfo=ZoneInfo("Europe/Paris"))
    url = f"https://social.example.org/{network}/{post_id}"
    ledger = Ledger.open_for_publishing(config)
    try:
        due = DueDelivery(post_id, "news", network, "once", due_at)
        ledger.ensure([due], due_at)
        [item] = ledger.claim([due.id], due_at, timedelta(minutes=15))
        ledger.request_started(item, due_at)
        ledger.mark_sent(item, due_at, "1", url, "h")
    finally:
        ledger.close()
    return url


# --- consent list ------------------------------------------------------------------------


def test_list_shows_the_register_without_who_unless_asked(tmp_path: Path) -> None:
    config = site(tmp_path)
    result = run(config, "consent", "list")
    assert result.exit_code == 0, result.output
    for reference in ("C-2026-014", "C-2026-015", "C-2026-016", "C-2026-017"):
        assert reference in result.output
    assert "images, testimony, name" in result.output and "facebook, linkedin" in result.output
    assert WHO not in result.output and "Kerbrat" not in result.output and "Signé" not in result.output
    shown = run(config, "consent", "list", "--show-names")
    assert WHO in shown.output and "Dr Aline Kerbrat" in shown.output


def test_list_as_json(tmp_path: Path) -> None:
    config = site(tmp_path)
    listed = json.loads(run(config, "consent", "list", "--format", "json").output)
    assert [record["id"] for record in listed["consents"]] == ["C-2026-014", "C-2026-015", "C-2026-016", "C-2026-017"]
    assert listed["consents"][1] == {
        "id": "C-2026-015",
        "covers": ["images"],
        "networks": ["facebook", "linkedin"],
        "valid_until": "2027-06-30",
        "withdrawn_on": None,
        "state": "valid",
    }
    assert WHO not in json.dumps(listed)
    named = json.loads(run(config, "consent", "list", "--format", "json", "--show-names").output)
    assert named["consents"][0]["who"].startswith(WHO)


def test_list_without_a_register(tmp_path: Path) -> None:
    config = site(tmp_path, register=None)
    result = run(config, "consent", "list")
    assert result.exit_code == 0 and "No consent register" in result.output
    assert json.loads(run(config, "consent", "list", "--format", "json").output)["exists"] is False


# --- malformed records: one line, file:line, exit 2, for every command that reads them ----------


def record(**fields: str | None) -> str:
    values = {
        "id": "C-1",
        "who": f"{WHO}, patiente",
        "covers": "[images]",
        "networks": "all",
        "valid_until": "2027-12-31",
        **fields,
    }
    lines = [f"{key}: {value}" for key, value in values.items() if value is not None]
    return "consents:\n  - " + "\n    ".join(lines) + "\n"


MALFORMED = [
    ("consents: {id: C-1}\n", 1, "'consents:' must be a list of records"),
    ("- id: C-1\n", 1, "consents.yaml must be a mapping with a 'consents:' list"),
    ("consent:\n  - id: C-1\n", 1, "unknown key 'consent'; consents.yaml has one key, 'consents:'"),
    ("consents:\n  - C-1\n", 2, "each consent record must be a mapping"),
    (record(id=None), 2, "a consent record needs 'id:'"),
    (record(id=f'"{WHO}"'), 2, "'id' must be a reference that carries no personal data"),
    (record(id="c-2026-1"), 2, "'id' must be a reference that carries no personal data"),
    (record(who=None), 2, "consent C-1 needs 'who:'"),
    (record(who='""'), 3, "consent C-1 needs 'who:'"),
    (record(covers=None), 2, "consent C-1 needs 'covers:'"),
    (record(covers="[]"), 4, "'covers' of consent C-1 is empty"),
    (record(covers="[images, photos]"), 4, "'covers' of consent C-1: 'photos' is not one of images, testimony, name"),
    (record(networks=None), 2, "consent C-1 needs 'networks:'"),
    (record(networks="[facebook, tiktok]"), 5, "unknown network 'tiktok'"),
    (record(networks="[]"), 5, "'networks' of consent C-1 is empty"),
    (record(valid_until=None), 2, "consent C-1 needs 'valid_until:'"),
    (record(valid_until="31/12/2027"), 6, "'valid_until' of consent C-1 must be a date such as 2027-12-31"),
    (record(valid_until="2027-02-30"), 6, "impossible date"),
    (record(withdrawn_on="bientôt"), 7, "'withdrawn_on' of consent C-1 must be a date"),
    (record(note="[a, b]"), 7, "'note' of consent C-1 must be a text"),
    (record(signed_by="parent"), 7, "unknown key 'signed_by' in a consent record"),
    (record() + record().removeprefix("consents:\n"), 7, "duplicate consent id C-1 (first at line 2)"),
    (record(who="Ysolde: patiente"), 3, "invalid YAML"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_every_malformed_record_is_one_line_with_file_and_line(tmp_path: Path, text: str, line: int, message: str):
    config = site(tmp_path, register=text)
    for command in (["consent", "list"], ["check", "--now", NOW], ["consent", "withdraw", "C-1"]):
        result = run(config, *command)
        assert result.exit_code == 2, (command, result.output)
        [printed] = result.output.splitlines()
        assert printed.startswith(f"Error: {config.root / 'consents.yaml'}:{line}: "), printed
        assert message in printed
        assert "Ysolde" not in printed and "Quintrec" not in printed  # never echoed, even when misplaced


def test_an_empty_register_is_valid(tmp_path: Path) -> None:
    config = site(tmp_path, register="# nothing yet\n")
    assert run(config, "consent", "list").exit_code == 0


def test_networks_all_may_be_written_as_a_list(tmp_path: Path) -> None:
    config = site(tmp_path, register=record(networks="[all]"))
    listed = json.loads(run(config, "consent", "list", "--format", "json").output)
    assert listed["consents"][0]["networks"] == "all"


# --- check and status never show who ---------------------------------------------------------


def test_who_never_appears_in_check_or_status(tmp_path: Path) -> None:
    config = site(tmp_path)
    register = (config.root / "consents.yaml").read_text(encoding="utf-8")
    make_consents(
        config,
        register.replace("    withdrawn_on:\n", "").replace("valid_until: 2027-06-30", "valid_until: 2026-11-01"),
    )
    assert run(config, "consent", "withdraw", "C-2026-014", "--on", "2026-11-21").exit_code == 0
    outputs = [run(config, "check", "--now", NOW, "--format", fmt) for fmt in ("text", "json", "sarif", "github")]
    assert all(result.exit_code == 1 for result in outputs), [r.output for r in outputs]
    text = outputs[0].output
    assert "consent C-2026-014 was withdrawn on 2026-11-21" in text
    assert "consent C-2026-015 is valid until 2026-11-01" in text
    for result in [
        *outputs,
        run(config, "status", "--now", NOW),
        run(config, "status", "--now", NOW, "--format", "json"),
    ]:
        for personal in ("Ysolde", "Quintrec", "Kerbrat", "Signé le"):
            assert personal not in result.output


def test_check_without_a_register_warns_that_references_cannot_be_verified(tmp_path: Path) -> None:
    config = site(tmp_path, register=None)
    result = run(config, "check", "--now", NOW, "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    problems = found["findings"] if isinstance(found, dict) else found
    messages = {(p["post"], p["severity"]) for p in problems if "cannot be verified" in p["message"]}
    assert messages == {("portrait-jeanne", "warning"), ("temoignage-jeanne", "warning"), ("recrutement", "warning")}
    assert run(config, "check", "--now", NOW, "--strict").exit_code == 1


# --- consent withdraw -------------------------------------------------------------------------


def test_withdraw_lists_published_and_unpublished_posts_and_the_retract_commands(tmp_path: Path) -> None:
    config = site(tmp_path)
    x_url = record_sent(config, "portrait-jeanne", "x", "2026-11-20 10:00")
    facebook_url = record_sent(config, "portrait-jeanne", "facebook", "2026-11-20 10:00")
    result = run(config, "consent", "withdraw", "C-2026-014", "--on", "2026-11-22")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Consent C-2026-014 withdrawn on 2026-11-22 (recorded in {config.root / 'consents.yaml'}:12)."
    assert lines[1] == "2 posts use it:"
    assert lines[2] == "  news/portrait-jeanne  networks: x, facebook  published on facebook, x"
    assert f"      x: {x_url}" in lines and f"      facebook: {facebook_url}" in lines
    assert (
        "  news/temoignage-jeanne  networks: facebook  not published (`check` and `publish` block it from 2026-11-22)"
        in lines
    )
    assert lines[-2:] == [
        "Retract each published post:",
        '  hospipost retract portrait-jeanne --reason "consent C-2026-014 withdrawn"',
    ]
    assert "recrutement" not in result.output
    assert "Ysolde Quintrec" not in result.output and "Signé" not in result.output
    # From now on the check blocks both posts.
    checked = run(config, "check", "--now", NOW)
    assert checked.output.count("consent C-2026-014 was withdrawn on 2026-11-22") == 2


def test_withdraw_keeps_every_other_byte_of_the_file(tmp_path: Path) -> None:
    config = site(tmp_path)
    path = config.root / "consents.yaml"
    before = path.read_bytes()
    assert run(config, "consent", "withdraw", "C-2026-014", "--on", "2026-11-22").exit_code == 0
    after = path.read_bytes()
    # One line added after the record's last line (the end of its block note), nothing else.
    cut = before.index(b"\n\n  # Le Dr Renier") + 1
    assert after == before[:cut] + b"    withdrawn_on: 2026-11-22\n" + before[cut:]


def test_withdraw_a_flow_record_and_a_record_with_an_empty_withdrawn_on(tmp_path: Path) -> None:
    config = site(tmp_path)
    path = config.root / "consents.yaml"
    before = path.read_text(encoding="utf-8")
    assert run(config, "consent", "withdraw", "C-2026-016", "--on", "2026-11-22").exit_code == 0
    flow = path.read_text(encoding="utf-8")
    assert flow == before.replace("valid_until: 2027-01-31}", "valid_until: 2027-01-31, withdrawn_on: 2026-11-22}")
    assert run(config, "consent", "withdraw", "C-2026-017", "--on", "2026-11-22").exit_code == 0
    filled = path.read_text(encoding="utf-8")
    assert filled == flow.replace("    withdrawn_on:\n", "    withdrawn_on: 2026-11-22\n")


def test_withdraw_keeps_windows_line_endings_and_a_missing_final_newline(tmp_path: Path) -> None:
    config = make_config(tmp_path / "site")
    text = CONSENTS_YAML.replace("\n", "\r\n").rstrip("\r\n")
    path = make_consents(config, "")
    path.write_bytes(text.encode("utf-8"))
    assert run(config, "consent", "withdraw", "C-2026-014", "--on", "2026-11-22").exit_code == 0
    assert path.read_bytes() == (text + "\r\n    withdrawn_on: 2026-11-22\r\n").encode("utf-8")


def test_withdraw_twice_leaves_the_file_alone(tmp_path: Path) -> None:
    config = site(tmp_path)
    path = config.root / "consents.yaml"
    assert run(config, "consent", "withdraw", "C-2026-015", "--on", "2026-11-22").exit_code == 0
    once = path.read_bytes()
    again = run(config, "consent", "withdraw", "C-2026-015", "--on", "2026-11-25")
    assert again.exit_code == 0
    assert "was already withdrawn on 2026-11-22" in again.output and "the file is unchanged" in again.output
    assert "news/recrutement" in again.output
    assert path.read_bytes() == once


def test_withdraw_an_unknown_reference_or_without_a_register(tmp_path: Path) -> None:
    config = site(tmp_path)
    before = (config.root / "consents.yaml").read_bytes()
    result = run(config, "consent", "withdraw", "C-2099-001")
    assert result.exit_code == 2 and "no consent C-2099-001" in result.output
    assert (config.root / "consents.yaml").read_bytes() == before
    assert run(config, "consent", "withdraw", "C-1", "--on", "demain").exit_code == 2
    bare = site(tmp_path / "other", register=None)
    result = run(bare, "consent", "withdraw", "C-1")
    assert result.exit_code == 2 and "no such file" in result.output
    assert not (bare.root / "consents.yaml").exists()


def test_withdraw_without_date_uses_today_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    config = site(tmp_path)
    result = run(config, "consent", "withdraw", "C-2026-015")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in config.root.iterdir()) == ["config.yaml", "consents.yaml", "media", "posts"]
    listed = json.loads(run(config, "consent", "list", "--format", "json").output)
    assert listed["consents"][1]["withdrawn_on"] is not None


def test_withdraw_still_records_when_a_queue_cannot_be_read(tmp_path: Path) -> None:
    config = site(tmp_path)
    (config.root / "posts" / "broken.yaml").write_text("posts:\n  - id: [\n", encoding="utf-8")
    result = run(config, "consent", "withdraw", "C-2026-014", "--on", "2026-11-22")
    assert result.exit_code == 2
    assert "withdrawn on 2026-11-22" in result.output and "broken.yaml" in result.output
    assert "withdrawn_on: 2026-11-22" in (config.root / "consents.yaml").read_text(encoding="utf-8")


def test_help_does_not_import_the_register() -> None:
    import subprocess
    import sys

    code = "import sys; from hospipost.cli import cli\ntry: cli(['--help'])\nexcept SystemExit: pass\nprint('hospipost.consents' in sys.modules, 'yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "False False"
