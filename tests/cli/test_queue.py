"""`hospipost queue add|list|show`, with real files: appends keep every byte, checks gate writes."""

from __future__ import annotations

import os
import subprocess
import sys
import time as _time
from datetime import UTC, datetime, time
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from hospipost import compliance
from hospipost.cli import cli
from hospipost.compliance import Problem, Rule, Severity
from hospipost.config import Config
from hospipost.posts import load_queue, parse_queue_text
from hospipost.publication import publication_state
from hospipost.queuefile import LOCK_NAME, TEMP_SUFFIX, append_item, make_post_id, next_free_slot, queue_lock
from hospipost.rules import all_rules
from tests.helpers import CONFIG_YAML, make_config, make_posts

PARIS = ZoneInfo("Europe/Paris")
NOW_LOCAL = "2026-11-23 11:00"  # Monday, as tests.helpers.NOW
TEXT = "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie."


@pytest.fixture
def site(config: Config) -> Config:
    return config


def invoke(config: Config, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config.path), *args], input=input)


def add(config: Config, *args: str, input: str | None = None, now: str = NOW_LOCAL) -> Result:
    return invoke(config, "queue", "add", *args, "--now", now, input=input)


def queue_file(config: Config, name: str = "news") -> Path:
    return config.root / "posts" / f"{name}.yaml"


def posts_of(config: Config, name: str = "news") -> list:
    return load_queue(queue_file(config, name), config).posts


def assert_one_line_error(result: Result, code: int = 2) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1, result.output


def assert_spliced(original: bytes, new: bytes) -> bytes:
    """``new`` is ``original`` with one chunk inserted at a line start; returns the chunk."""
    start = len(os.path.commonprefix([original, new]))
    start = original.rfind(b"\n", 0, start) + 1 if start < len(original) else start
    tail = original[start:]
    assert new.startswith(original[:start]) and new.endswith(tail)
    return new[start : len(new) - len(tail)]


def fake_rule(rule_id: str, severity: Severity, word: str) -> Rule:
    """A rule that flags texts containing ``word``: the queue logic tested apart from the real rules."""

    def check(post, ctx):
        if word in post.text:
            yield Problem(f"the text says {word}", "text", (post.text.index(word), post.text.index(word) + len(word)))

    return Rule(rule_id, severity, check, f"{rule_id} (test)")


@pytest.fixture
def flagging_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only two rules in force: 'miracle' is a content error, 'SANS-VALIDATION' a missing approval."""
    rules = [
        fake_rule("claim-absolute", Severity.ERROR, "miracle"),
        fake_rule("approval-required", Severity.ERROR, "SANS-VALIDATION"),
        fake_rule("a11y-caps", Severity.WARNING, "CRIE"),
    ]
    monkeypatch.setattr(compliance, "active_rules", lambda config: rules)


# --- add: where the post goes ---------------------------------------------------------


def test_add_creates_a_missing_queue(site: Config) -> None:
    result = add(
        site, "news", "--text", TEXT, "--network", "facebook", "--author", "c.dupuis", "--approved-by", "a.renier"
    )
    assert result.exit_code == 0, result.output
    [post] = posts_of(site)
    assert post.text == TEXT and post.networks == ("facebook",)
    assert (post.author, post.approved_by) == ("c.dupuis", "a.renier")
    assert post.at == datetime(2026, 11, 23, 12, 30, tzinfo=PARIS)  # the next free slot
    assert post.id == make_post_id("news", TEXT, "2026-11-23", set())
    assert f"Added post {post.id}" in result.output and "next free slot" in result.output


def test_add_writes_every_option(site: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = site.root / "media" / "salle.png"
    image.parent.mkdir()
    image.write_bytes((files("hospipost") / "examples" / "media" / "canicule.png").read_bytes())
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)  # --media is relative to where the command runs
    result = add(
        site,
        "alerts",
        "--text",
        "Fortes chaleurs : appelez le 15 en cas de malaise.\nSecond paragraphe.",
        "--at",
        "2026-12-01 09:00",
        "--kind",
        "alert",
        "-n",
        "x",
        "-n",
        "facebook",
        "--media",
        str(image),
        "--alt",
        "Infographie : les bons gestes",
        "--consent",
        "-",
        "--media",
        str(image),
        "--alt",
        "Une infirmière remet le dépliant canicule",
        "--consent",
        "CONS-2026-12",
        "--valid-until",
        "2026-12-02 19:00",
        "--source",
        "https://www.santepubliquefrance.fr/",
        "--thread",
        "Suite du fil",
        "--id",
        "canicule-test",
        "--author",
        "c.dupuis",
        "--approved-by",
        "a.renier",
        "--language",
        "fr-FR",
    )
    assert result.exit_code == 0, result.output
    [post] = posts_of(site, "alerts")
    assert post.id == "canicule-test" and post.kind == "alert" and post.networks == ("x", "facebook")
    assert post.text == "Fortes chaleurs : appelez le 15 en cas de malaise.\nSecond paragraphe."
    assert post.at == datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
    assert post.valid_until == datetime(2026, 12, 2, 19, 0, tzinfo=PARIS)
    assert post.thread == ["Suite du fil"] and post.source == "https://www.santepubliquefrance.fr/"
    assert post.language == "fr-FR"
    assert [(m.file, m.alt, m.people, m.consent) for m in post.media] == [
        ("media/salle.png", "Infographie : les bons gestes", False, None),
        ("media/salle.png", "Une infirmière remet le dépliant canicule", True, "CONS-2026-12"),
    ]
    written = queue_file(site, "alerts").read_text(encoding="utf-8")
    assert "    text: |\n      Fortes chaleurs" in written and "networks: [x, facebook]" in written


def test_add_with_an_offset_time_keeps_it(site: Config) -> None:
    result = add(site, "news", "--text", TEXT, "--at", "2026-12-01T09:00:00+01:00", "-n", "facebook")
    assert result.exit_code == 0, result.output
    assert posts_of(site)[0].at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_text_from_stdin_and_from_a_file(site: Config, tmp_path: Path) -> None:
    assert add(site, "news", "-n", "facebook", input=TEXT + "\r\n").exit_code == 0
    text_file = tmp_path / "post.txt"
    text_file.write_text("Journée portes ouvertes à l'école d'infirmiers samedi.\n", encoding="utf-8")
    assert add(site, "news", "-n", "facebook", "--text-file", str(text_file)).exit_code == 0
    assert [p.text for p in posts_of(site)] == [TEXT, "Journée portes ouvertes à l'école d'infirmiers samedi."]


def test_ids_are_made_unique(site: Config) -> None:
    for _ in range(3):
        assert add(site, "news", "--text", TEXT, "-n", "facebook").exit_code == 0
    ids = [p.id for p in posts_of(site)]
    digest = make_post_id("news", TEXT, "2026-11-23", set()).rsplit("-", 1)[1]
    assert ids == [f"news-2026-11-23-{digest}", f"news-2026-11-23-{digest}-2", f"news-2026-11-24-{digest}"]


def test_make_post_id() -> None:
    assert make_post_id("alert", "Fortes chaleurs : le CHU d'Angers active…", "2027-07-19", set()).startswith(
        "alert-2027-07-19-"
    )
    first = make_post_id("news", "🎉 !!", "2027-07-19", set())
    assert make_post_id("news", "🎉 !!", "2027-07-19", {first}) == f"{first}-2"
    assert make_post_id("health_alerts", "x", "2027-07-19", set()).startswith("health-alerts-2027-07-19-")


PATIENT_TEXT = "Merci à Mme Jeanne Martin, hospitalisée en cardiologie, pour son témoignage."


def test_an_automatic_id_carries_no_word_of_the_text(site: Config) -> None:
    result = add(site, "news", "--text", PATIENT_TEXT, "-n", "facebook", "--draft")
    assert result.exit_code == 0, result.output
    post_id = posts_of(site)[-1].id
    assert post_id.startswith("news-2026-11-23-")
    checked = invoke(site, "check", "--format", "json", "--now", NOW_LOCAL)
    text_checked = invoke(site, "check", "--now", NOW_LOCAL)
    for word in ("merci", "jeanne", "martin", "hospitalisee", "cardiologie"):
        assert word not in post_id
        for output in (result.output, checked.output, text_checked.output):
            assert word not in output.lower().replace("é", "e")


# --- add: the next free slot ----------------------------------------------------------


def test_slot_already_taken_is_skipped(site: Config) -> None:
    (site.root / "posts" / "other.yaml").write_text(
        "posts:\n  - {id: deja, at: 2026-11-23 12:30, text: Déjà prévu, networks: [facebook]}\n", encoding="utf-8"
    )
    assert add(site, "news", "--text", TEXT, "-n", "facebook").exit_code == 0
    assert add(site, "news", "--text", "Un autre texte", "-n", "facebook").exit_code == 0
    assert [p.at.time() for p in posts_of(site)] == [time(17, 30), time(9, 0)]
    assert posts_of(site)[1].at.date().isoformat() == "2026-11-24"


def test_day_without_slots_is_skipped(site: Config) -> None:
    result = add(site, "news", "--text", TEXT, "-n", "facebook", now="2026-11-27 18:00")  # Friday evening
    assert result.exit_code == 0, result.output
    assert posts_of(site)[0].at == datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)  # Monday


def test_slot_is_strictly_after_now(site: Config) -> None:
    assert add(site, "news", "--text", TEXT, "-n", "facebook", now="2026-11-23 12:30").exit_code == 0
    assert posts_of(site)[0].at == datetime(2026, 11, 23, 17, 30, tzinfo=PARIS)


def test_no_slots_and_no_at_is_a_clear_error(tmp_path: Path) -> None:
    config = make_config(
        tmp_path / "bare", text=CONFIG_YAML.replace('slots:\n  weekdays: ["09:00", "12:30", "17:30"]\n', "")
    )
    result = add(config, "news", "--text", TEXT)
    assert_one_line_error(result)
    assert "--at" in result.output and "slots" in result.output


def test_next_free_slot_skips_dst_gaps_and_taken_slots() -> None:
    slots = {day: [time(2, 30), time(9, 0)] for day in ("saturday", "sunday", "monday")}
    now = datetime(2027, 3, 27, 10, 0, tzinfo=PARIS)  # Saturday; 02:30 does not exist on Sunday 28
    taken = {datetime(2027, 3, 28, 7, 0, tzinfo=UTC)}  # Sunday 09:00 in Paris (summer time)
    assert next_free_slot(slots, PARIS, now, taken) == datetime(2027, 3, 29, 2, 30, tzinfo=PARIS)
    assert next_free_slot({}, PARIS, now, set()) is None


# --- add: the file is appended to, never rewritten ------------------------------------

EXISTING_POST = "text: |\n      Bonjour\n      #Hashtag\n    networks: [facebook]\n"

SHAPES = {
    "posts last, comments": (
        "# Actualités du CHU\n"
        "defaults:   # for every post\n"
        "  kind: news\n"
        "posts:\n"
        "  - id: a   # the first\n"
        "    at: '2026-12-01 10:00'\n"
        "    " + EXISTING_POST + "\n    # a comment at item level\n"
        "# a trailing comment\n"
    ),
    "posts not last": (
        "posts:\n"
        "- id: a\n"
        "  at: 2026-12-01 10:00\n"
        '  text: "Bonjour"  # quoted\n'
        "  networks: [facebook]\n"
        "\n"
        "# the defaults follow\n"
        "defaults:\n"
        "  kind: news\n"
    ),
    "empty flow list": "defaults: {kind: news}\nposts: []   # none yet\n",
    "only defaults": "defaults:\n  kind: news\n",
    "no trailing newline": "posts:\n  - id: a\n    at: 2026-12-01 10:00\n    " + EXISTING_POST.rstrip("\n"),
    "crlf": ("posts:\n  - id: a\n    at: 2026-12-01 10:00\n    " + EXISTING_POST).replace("\n", "\r\n"),
    "four spaces": (
        "defaults:\n    kind: news\nposts:\n    -   id: a\n        at: 2026-12-01 10:00\n"
        "        text: |\n            Bonjour\n        networks: [facebook]\n"
    ),
    "empty file": "",
    "comments only": "# nothing planned yet\n",
    "posts null": "posts:   # to come\n",
}


@pytest.mark.parametrize("shape", SHAPES, ids=list(SHAPES))
def test_append_keeps_the_file_and_adds_one_post(site: Config, shape: str) -> None:
    original = SHAPES[shape]
    path = queue_file(site)
    path.write_bytes(original.encode("utf-8"))
    before = [(p.id, p.text, p.at) for p in load_queue(path, site).posts] if original.strip() else []
    result = add(site, "news", "--text", TEXT + "\nDeuxième ligne", "-n", "facebook", "--id", "nouveau")
    assert result.exit_code == 0, result.output
    new = path.read_bytes()
    posts = load_queue(path, site).posts
    assert [(p.id, p.text, p.at) for p in posts[:-1]] == before
    assert posts[-1].id == "nouveau" and posts[-1].text == TEXT + "\nDeuxième ligne"
    if shape == "empty flow list":
        assert new.startswith(b"defaults: {kind: news}\nposts:   # none yet\n  - id: nouveau\n")
        return
    chunk = assert_spliced(original.encode("utf-8"), new)
    assert b"id: nouveau" in chunk
    if shape == "crlf":
        assert b"\n" not in new.replace(b"\r\n", b"")
    if shape == "four spaces":
        assert b"\n    -   id: nouveau\n        at: " in new


def test_append_after_a_text_ending_with_a_hashtag_line(site: Config) -> None:
    path = queue_file(site)
    path.write_text(SHAPES["posts last, comments"], encoding="utf-8")
    assert add(site, "news", "--text", TEXT, "-n", "facebook").exit_code == 0
    first, second = load_queue(path, site).posts
    assert first.text == "Bonjour\n#Hashtag"  # not taken for a comment and cut off
    assert path.read_text(encoding="utf-8").index("#Hashtag") < path.read_text(encoding="utf-8").index(second.id)


def test_append_after_an_alias(site: Config) -> None:
    path = queue_file(site)
    original = "defaults:\n  networks: &nets [facebook]\nposts:\n  - id: a\n    at: 2026-12-01 10:00\n    text: Bonjour\n    networks: *nets\n"
    path.write_text(original, encoding="utf-8")
    assert add(site, "news", "--text", TEXT, "--id", "b").exit_code == 0
    assert [p.networks for p in load_queue(path, site).posts] == [("facebook",), ("facebook",)]  # the defaults
    assert_spliced(original.encode(), path.read_bytes())


def test_append_keeps_a_byte_order_mark(site: Config) -> None:
    path = queue_file(site)
    original = "\ufeffposts:\n  - id: a\n    at: 2026-12-01 10:00\n    text: Bonjour\n"
    path.write_bytes(original.encode("utf-8"))
    assert add(site, "news", "--text", TEXT, "-n", "facebook").exit_code == 0
    assert_spliced(original.encode("utf-8"), path.read_bytes())
    assert len(load_queue(path, site).posts) == 2


@pytest.mark.parametrize(
    "original",
    [b"posts: [{id: a, at: 2026-12-01 10:00, text: Bonjour}]\n", b"{posts: []}\n"],
    ids=["flow list", "flow file"],
)
def test_flow_style_queues_are_refused_untouched(site: Config, original: bytes) -> None:
    path = queue_file(site)
    path.write_bytes(original)
    result = add(site, "news", "--text", TEXT)
    assert_one_line_error(result)
    assert path.read_bytes() == original


def test_a_broken_queue_is_reported_not_appended_to(site: Config) -> None:
    path = queue_file(site)
    path.write_bytes(b"posts:\n  - id: a\n    text: [unclosed\n")
    result = add(site, "news", "--text", TEXT)
    assert result.exit_code == 2 and "news.yaml:" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == b"posts:\n  - id: a\n    text: [unclosed\n"


TRICKY_TEXTS = [
    "yes",
    "null",
    "- une liste ?",
    "#Hashtag au début",
    "clé: valeur",
    "  indenté\nligne",
    "@compte et *étoile",
    "des \"guillemets\" et des 'apostrophes'",
    "espace en fin \nsuite",
    "emoji 🎉 et « guillemets »",
    "tab\tdedans",
    "%YAML",
    "multi\n\n\nlignes",
    "2026-12-01",
    "12:30",
    "un texte très long " * 40,
    "ligne\n#hashtag final",
    "Le CHU d'Angers : « ouvert »",
    "l'été: chaud",
    "d'accord",
    "'citation'",
    "fin d'une ligne \\",
]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_any_text_round_trips(config: Config, text: str) -> None:
    original = "posts:\n  - id: a\n    at: 2026-12-01 10:00\n    text: Bonjour\n"
    new = append_item(original, {"id": "b", "at": "2026-12-01 12:30", "text": text, "thread": [text]})
    first, second = parse_queue_text(new, config.root / "posts" / "news.yaml", config)
    assert first.text == "Bonjour" and second.text == text.strip() and second.thread == [text.strip()]


def test_libyaml_and_python_parsers_mark_the_same_characters() -> None:
    import yaml

    text = "a: 🎉 « é »\r\nb: |\r\n  🎉🎉\r\n\r\nc: [x, 'y']  # z\r\n"
    marks = [
        [(e.start_mark.index, e.end_mark.index, e.start_mark.column) for e in yaml.parse(text, Loader=loader)]
        for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    ]
    assert marks[0] == marks[1]


def test_append_item_text_level() -> None:
    text = append_item(
        "posts:\n  - id: a\n    at: x\n    text: t\n", {"id": "b", "at": "2026-12-01 09:00", "text": "u"}
    )
    assert (
        text == "posts:\n  - id: a\n    at: x\n    text: t\n  - id: b\n    at: 2026-12-01 09:00\n    text: |\n      u\n"
    )


# --- add: the check decides -----------------------------------------------------------


def test_content_error_is_refused_and_the_file_left_identical(site: Config, flagging_rules: None) -> None:
    path = queue_file(site)
    path.write_bytes(SHAPES["posts not last"].encode())
    result = add(site, "news", "--text", "Un traitement miracle", "-n", "facebook")
    assert result.exit_code == 1
    assert "Refused" in result.output and "claim-absolute: The text says miracle." in result.output
    assert "--draft" in result.output and "Traceback" not in result.output
    assert path.read_bytes() == SHAPES["posts not last"].encode()
    assert sorted(p.name for p in path.parent.iterdir()) == [LOCK_NAME, "news.yaml"]


def test_refusal_does_not_create_the_queue(site: Config, flagging_rules: None) -> None:
    assert add(site, "brand-new", "--text", "Un traitement miracle", "-n", "facebook").exit_code == 1
    assert not queue_file(site, "brand-new").exists()


def test_draft_is_written_despite_errors(site: Config, flagging_rules: None) -> None:
    result = add(site, "news", "--text", "Un traitement miracle", "-n", "facebook", "--draft")
    assert result.exit_code == 0, result.output
    [post] = posts_of(site)
    assert post.draft is True and "draft: true" in queue_file(site).read_text(encoding="utf-8")
    assert "claim-absolute" in result.output and "draft" in result.output


def test_missing_approval_does_not_block_queuing(site: Config, flagging_rules: None) -> None:
    result = add(site, "news", "--text", "Texte SANS-VALIDATION CRIE", "-n", "facebook")
    assert result.exit_code == 0, result.output
    assert "Not approved yet" in result.output and "a11y-caps" in result.output
    assert len(posts_of(site)) == 1


def test_checks_see_the_other_queues(site: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    def same_text(posts, ctx):
        seen: dict[str, object] = {}
        for post in posts:
            if post.text in seen:
                yield post, Problem("same text as another post")
            seen.setdefault(post.text, post)

    rule = Rule("duplicate-text", Severity.ERROR, same_text, "duplicate-text (test)", scope="all")
    monkeypatch.setattr(compliance, "active_rules", lambda config: [rule])
    (site.root / "posts" / "other.yaml").write_text(
        f'posts:\n  - {{id: o, at: 2026-12-01 10:00, text: "{TEXT}"}}\n', encoding="utf-8"
    )
    result = add(site, "news", "--text", TEXT, "-n", "facebook")
    assert result.exit_code == 1 and "duplicate-text" in result.output


def test_real_rules_refuse_a_self_approved_post(site: Config) -> None:
    if "to be written" in all_rules()["approval-self"].doc:
        pytest.skip("approval-self is not written yet")
    result = add(site, "news", "--text", TEXT, "-n", "facebook", "--author", "c.dupuis", "--approved-by", "c.dupuis")
    assert result.exit_code == 1 and "approval-self" in result.output
    assert not queue_file(site).exists()


@pytest.mark.parametrize(
    "at, expected",
    [
        ("now", datetime(2026, 11, 23, 11, 0, tzinfo=PARIS)),
        ("+10m", datetime(2026, 11, 23, 11, 10, tzinfo=PARIS)),
        ("+2h", datetime(2026, 11, 23, 13, 0, tzinfo=PARIS)),
    ],
)
def test_at_accepts_now_and_relative_times(site: Config, at: str, expected: datetime) -> None:
    result = add(site, "news", "--text", TEXT, "-n", "facebook", "--at", at)
    assert result.exit_code == 0, result.output
    assert posts_of(site)[-1].at == expected


def test_an_alert_without_at_goes_out_now_not_at_the_next_slot(site: Config) -> None:
    saturday = "2026-11-28 10:17"  # no weekend slot: the next one would be Monday 09:00
    text = "Alerte canicule : en cas de malaise, appelez le 15. Infos : https://www.santepubliquefrance.fr"
    result = add(
        site, "alerts", "--text", text, "-n", "facebook", "--kind", "alert", "--valid-until", "+6h", now=saturday
    )
    assert result.exit_code == 0, result.output
    [post] = posts_of(site, "alerts")
    assert post.at == datetime(2026, 11, 28, 10, 17, tzinfo=PARIS)
    assert post.id.startswith("alert-2026-11-28-")


def test_add_refuses_a_network_disabled_in_config(tmp_path: Path) -> None:
    config = make_config(tmp_path, text=CONFIG_YAML.replace("x: {enabled: true}", "x: {enabled: false}"))
    result = add(config, "news", "--text", TEXT, "-n", "x", "--at", "2026-12-01 10:00")
    assert_one_line_error(result)
    assert "--network 'x' is not enabled in config.yaml" in result.output
    assert not queue_file(config).exists()


# --- add: bad input is one clear line -------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (["news", "--text", TEXT, "--at", "demain"], "--at"),
        (["news", "--text", TEXT, "--at", "2026-12-01"], "give a time"),
        (["news", "--text", TEXT, "--at", "2026-13-01 09:00"], "--at"),
        (["news", "--text", TEXT, "--valid-until", "bientôt"], "--valid-until"),
        (["news", "--text", TEXT, "--network", "myspace"], "unknown network"),
        (["news", "--text", TEXT, "--kind", "promo"], "--kind"),
        (["news", "--text", TEXT, "--language", "anglais"], "--language must be a language tag"),
        (["news", "--text", TEXT, "--id", "Pas Bon"], "--id"),
        (["../etc/passwd", "--text", TEXT], "Bad queue name"),
        (["News.yaml", "--text", TEXT], "Bad queue name"),
        (["news", "--text", TEXT, "--alt", "sans image"], "--alt"),
        (["news", "--text", TEXT, "--media", "nulle-part.png"], "no such file"),
        (["news", "--text", TEXT, "--people"], "--people"),
        (["news", "--text", TEXT, "--text-file", "post.txt"], "not both"),
        (["news", "--text-file", "absent.txt"], "no such file"),
        (["news", "--text", "   "], "empty"),
        (["news"], "empty"),  # stdin is empty under the test runner
    ],
)
def test_bad_input_is_one_line_and_exit_2(site: Config, args: list[str], expected: str) -> None:
    result = add(site, *args, input="")
    assert_one_line_error(result)
    assert expected in result.output
    message = result.output.removeprefix("Error: ")
    # a sentence, or an option's name or a file's path first
    assert message[0].isupper() or message.startswith(("--", "absent.txt:")), message
    assert not queue_file(site).exists()


def test_duplicate_id_is_refused(site: Config) -> None:
    (site.root / "posts" / "other.yaml").write_text(
        "posts:\n  - {id: deja, at: 2026-12-01 10:00, text: Bonjour}\n", encoding="utf-8"
    )
    result = add(site, "news", "--text", TEXT, "--id", "deja")
    assert_one_line_error(result)
    assert "already used" in result.output and "other.yaml" in result.output


def test_bad_now_is_one_line(site: Config) -> None:
    assert_one_line_error(add(site, "news", "--text", TEXT, now="hier"))


def test_missing_config_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.yaml"), "queue", "add", "news", "--text", TEXT])
    assert_one_line_error(result)


def test_unreadable_text_file_is_one_line(site: Config, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Journée".encode("latin-1"))
    result = add(site, "news", "--text-file", str(bad))
    assert_one_line_error(result)
    assert "UTF-8" in result.output


# --- add: atomic and concurrent -------------------------------------------------------


def test_no_temporary_file_is_left_and_the_mode_is_kept(site: Config) -> None:
    path = queue_file(site)
    path.write_text(SHAPES["posts not last"], encoding="utf-8")
    path.chmod(0o640)
    assert add(site, "news", "--text", TEXT, "-n", "facebook").exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o640
    assert not [p for p in path.parent.iterdir() if p.name.endswith(TEMP_SUFFIX)]


def test_a_failed_write_leaves_the_file_and_no_temporary(site: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    path = queue_file(site)
    path.write_text(SHAPES["posts not last"], encoding="utf-8")

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    result = add(site, "news", "--text", TEXT, "-n", "facebook")
    assert_one_line_error(result)
    assert "No space left" in result.output
    assert path.read_text(encoding="utf-8") == SHAPES["posts not last"]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(TEMP_SUFFIX)]


def test_concurrent_adds_from_real_processes(site: Config) -> None:
    path = queue_file(site)
    path.write_text(SHAPES["posts not last"], encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "hospipost",
        "--config",
        str(site.path),
        "queue",
        "add",
        "news",
        "-n",
        "facebook",
        "--now",
        NOW_LOCAL,
    ]
    with queue_lock(path.parent):  # hold the lock until all four are waiting on it, then let them race
        processes = [
            subprocess.Popen(
                [*command, "--text", f"Annonce numéro {n} du CHU d'Angers"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for n in range(4)
        ]
        _time.sleep(1.5)
        assert all(process.poll() is None for process in processes)
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [p.returncode for p in processes] == [0] * 4, outputs
    posts = load_queue(path, site).posts
    assert len(posts) == 5
    assert sorted(p.text for p in posts[1:]) == [f"Annonce numéro {n} du CHU d'Angers" for n in range(4)]
    assert len({p.at for p in posts[1:]}) == 4  # four different slots
    assert path.read_text(encoding="utf-8").startswith(SHAPES["posts not last"].split("\n\n")[0])
    assert not [p for p in path.parent.iterdir() if p.name.endswith(TEMP_SUFFIX)]


# --- list -----------------------------------------------------------------------------


@pytest.fixture
def planned(site: Config) -> Config:
    (site.root / "posts" / "news.yaml").write_text(
        "posts:\n"
        "  - {id: passe, at: 2026-11-20 10:00, text: Un post passé, networks: [facebook], author: a, approved_by: b}\n"
        "  - {id: demain, at: 2026-11-24 09:00, text: Un post pour demain, networks: [facebook], author: a, approved_by: b}\n"
        "  - {id: brouillon, at: 2026-11-25 09:00, text: Un miracle, networks: [facebook], draft: true}\n",
        encoding="utf-8",
    )
    (site.root / "posts" / "alerts.yaml").write_text(
        "posts:\n  - {id: bientot, at: 2026-11-23 17:30, text: Bientôt, kind: alert, networks: [facebook, mastodon]}\n",
        encoding="utf-8",
    )
    return site


def test_list_shows_upcoming_posts_sorted(planned: Config, flagging_rules: None) -> None:
    result = invoke(planned, "queue", "list", "--now", NOW_LOCAL)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:3] == ["TIME", "(Europe/Paris)", "ID"]
    assert [line.split()[2] for line in lines[1:]] == ["bientot", "demain", "brouillon"]
    assert "2026-11-23 17:30" in lines[1] and "alerts" in lines[1] and "facebook, mastodon" in lines[1]
    assert lines[2].split()[-2:] == ["✓", "scheduled"]
    assert "1 error" in lines[3] and lines[3].endswith("draft")


def test_list_all_and_one_queue(planned: Config) -> None:
    result = invoke(planned, "queue", "list", "news", "--all", "--now", NOW_LOCAL)
    assert result.exit_code == 0, result.output
    ids = [line.split()[2] for line in result.output.strip().splitlines()[1:]]
    assert ids == ["passe", "demain", "brouillon"]
    assert "past, not published" in result.output


def test_list_json(planned: Config) -> None:
    import json

    result = invoke(planned, "queue", "list", "--format", "json", "--now", NOW_LOCAL)
    rows = json.loads(result.output)
    assert [row["id"] for row in rows] == ["bientot", "demain", "brouillon"]
    assert rows[0]["networks"] == ["facebook", "mastodon"] and rows[0]["state"] == "scheduled"


def test_list_unknown_queue_and_nothing_upcoming(planned: Config) -> None:
    assert_one_line_error(invoke(planned, "queue", "list", "nope", "--now", NOW_LOCAL))
    result = invoke(planned, "queue", "list", "--now", "2027-01-01 00:00")
    assert result.exit_code == 0 and "No upcoming posts" in result.output


def test_list_reports_a_broken_queue_as_exit_2(site: Config) -> None:
    queue_file(site).write_text("posts:\n  - id: Bad Id\n    at: 2026-12-01 10:00\n    text: x\n", encoding="utf-8")
    result = invoke(site, "queue", "list")
    assert_one_line_error(result)
    assert "news.yaml:2" in result.output


def test_publication_state(config: Config) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    past, future, draft = make_posts(
        config,
        {"id": "a", "at": "2026-11-20 10:00", "text": "a"},
        {"id": "b", "at": "2026-11-24 10:00", "text": "b"},
        {"id": "c", "at": "2026-11-20 10:00", "text": "c", "draft": True},
    )
    assert [publication_state(p, now) for p in (past, future, draft)] == ["past, not published", "scheduled", "draft"]


# --- show -----------------------------------------------------------------------------


def test_show_renders_each_network(planned: Config) -> None:
    image = planned.root / "media" / "b.png"
    image.parent.mkdir()
    image.write_bytes(b"\x89PNG" + b"0" * 2044)
    queue_file(planned, "thread").write_text(
        "posts:\n"
        "  - id: fil\n"
        "    at: 2026-12-01 10:00\n"
        "    text: Premier message du fil.\n"
        "    thread: [Deuxième message.]\n"
        "    networks: [mastodon, facebook]\n"
        "    media: [{file: media/b.png, alt: Le hall d'accueil du CHU}]\n"
        "    author: c.dupuis\n",
        encoding="utf-8",
    )
    result = invoke(planned, "queue", "show", "fil", "--now", NOW_LOCAL)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Mastodon part 1/2: 23 / 500 characters" in out and "Mastodon part 2/2: 17 / 500" in out
    assert "Facebook 42 / 63206 characters" in out  # no threads on Facebook: one text
    assert "media/b.png  2.0 KB" in out and "alt: Le hall d'accueil du CHU" in out
    assert "1 image (at most 4)" in out
    assert "2026-12-01 10:00 Europe/Paris · news · in fr · scheduled" in out


def test_show_uses_the_instance_limit_cached_by_networks_check(planned: Config) -> None:
    from hospipost.credentials import Credentials
    from hospipost.networks.mastodon import Mastodon

    Mastodon(planned.networks["mastodon"], Credentials(environ={}), planned.cache_dir).learn_limits(
        {"max_length": 1000}
    )
    text = "Le CHU d'Angers ouvre une nouvelle salle. " * 15 + "Bienvenue."  # over the default 500
    queue_file(planned, "long").write_text(
        f"posts:\n  - id: long\n    at: 2026-12-01 10:00\n    text: {text}\n    networks: [mastodon]\n",
        encoding="utf-8",
    )
    result = invoke(planned, "queue", "show", "long", "--now", NOW_LOCAL)
    assert result.exit_code == 0, result.output
    assert f"Mastodon {len(text)} / 1000 characters" in result.output and "over by" not in result.output
    checked = invoke(planned, "check", "--now", NOW_LOCAL)
    assert "network-length" not in checked.output


def test_show_lists_findings(planned: Config, flagging_rules: None) -> None:
    result = invoke(planned, "queue", "show", "brouillon", "--now", NOW_LOCAL)
    assert result.exit_code == 0, result.output
    assert "claim-absolute: line 4: The text says miracle." in result.output


def test_show_unknown_id_is_one_line(planned: Config) -> None:
    result = invoke(planned, "queue", "show", "inconnu")
    assert_one_line_error(result)
    assert "inconnu" in result.output


def test_queue_help_has_examples() -> None:
    for command in ("add", "list", "show"):
        result = CliRunner().invoke(cli, ["queue", command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, command
