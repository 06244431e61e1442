"""`hospipost init`: a working folder whose examples pass the checklist, never an overwrite."""

from __future__ import annotations

import struct
import zlib
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.compliance import Severity, run_checks
from hospipost.config import ElectionPeriod, load_config
from hospipost.networks import NETWORK_NAMES, network_class
from hospipost.posts import load_queues
from hospipost.scaffold import MANIFEST, create_site, example_values, next_weekday, render_examples
from hospipost.timeutil import utcnow

EXPECTED_FILES = sorted(MANIFEST)


def run_init(*args: str) -> Result:
    return CliRunner().invoke(cli, ["init", *args])


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def loud_findings(folder: Path, now: datetime, election: bool = False) -> list[str]:
    """Every error and warning the checklist finds in the folder's posts."""
    config = load_config(folder / "config.yaml")
    posts = [post for queue in load_queues(config) for post in queue.posts]
    if election:  # as if the posts fell in a pre-election period: none of them is institutional promotion
        config.compliance.election_periods.append(ElectionPeriod("test", date(2000, 1, 1), date(2100, 1, 1)))
    report = run_checks(posts, config, now)
    return [
        f"{f.post.id}: {f.rule}: {f.message}"
        for f in report.findings
        if f.ignored is None and f.severity >= Severity.WARNING
    ]


def test_init_creates_the_folder_and_its_files(tmp_path: Path) -> None:
    target = tmp_path / "new" / "chu"
    result = run_init(str(target))
    assert result.exit_code == 0, result.output
    assert sorted(files_under(target)) == EXPECTED_FILES
    for relative in EXPECTED_FILES:
        assert relative in result.output
    assert "hospipost check" in result.output


def test_init_without_dir_uses_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_init()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "config.yaml").is_file()


def test_examples_pass_the_checklist_today(tmp_path: Path) -> None:
    assert run_init(str(tmp_path / "site")).exit_code == 0
    assert loud_findings(tmp_path / "site", utcnow()) == []
    assert loud_findings(tmp_path / "site", utcnow(), election=True) == []


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 11, 27),  # a Friday: the examples move to next week
        date(2026, 11, 28),  # a Saturday
        date(2026, 12, 31),  # the year changes
        date(2027, 3, 26),  # the week of the spring DST change
        date(2027, 10, 29),  # the week of the autumn DST change
        date(2028, 2, 28),  # a leap year
    ],
)
def test_examples_pass_the_checklist_whatever_the_day(tmp_path: Path, today: date) -> None:
    create_site(tmp_path, today)
    late_that_day = datetime.combine(today, time(23, 59), tzinfo=ZoneInfo("Europe/Paris"))
    assert loud_findings(tmp_path, late_that_day) == []
    assert loud_findings(tmp_path, late_that_day, election=True) == []


def test_examples_are_dated_on_the_next_weekdays() -> None:
    values = example_values(date(2026, 11, 27))  # Friday
    assert values["alert_at"] == "2026-11-30 09:00"  # Monday
    assert values["innovation_at"] == "2026-12-01 12:30"
    assert values["event_post_at"] == "2026-12-02 17:30"
    assert values["event_date_fr"] == "mercredi 16 décembre 2026"
    assert next_weekday(date(2026, 11, 23)) == date(2026, 11, 24)


def test_example_posts_are_realistic(tmp_path: Path) -> None:
    create_site(tmp_path, date(2026, 11, 23))
    config = load_config(tmp_path / "config.yaml")
    posts = {post.queue: post for queue in load_queues(config) for post in queue.posts}
    assert set(posts) == {"health-alerts", "innovation", "events"}
    alert = posts["health-alerts"]
    assert alert.kind == "alert" and alert.valid_until is not None
    for text in (alert.text, alert.variants["x"]):
        assert "appelez le 15" in text and "0 800 06 66 66" in text and "santepubliquefrance.fr" in text
    assert alert.media[0].path.is_file() and len(alert.media[0].alt) > 40
    assert posts["innovation"].kind == "innovation" and posts["innovation"].source
    assert "babicoc" in posts["innovation"].text
    assert posts["events"].kind == "event" and "HospiLike" in posts["events"].text
    assert all(post.author and post.approved_by and post.author != post.approved_by for post in posts.values())
    for post in posts.values():
        for name in post.networks:
            limits = network_class(name).limits
            assert all(limits.count(part) <= limits.max_length for part in network_class(name).render(post).parts)


def test_templates_leave_no_placeholder() -> None:
    for relative, data in render_examples(date(2026, 11, 23)).items():
        if relative.endswith(".yaml"):
            assert "${" not in data.decode("utf-8"), relative


def test_config_describes_every_network_with_the_adapters_keys(tmp_path: Path) -> None:
    create_site(tmp_path, date(2026, 11, 23))
    data = yaml.safe_load((tmp_path / "config.yaml").read_text(encoding="utf-8"))
    assert set(data["networks"]) == set(NETWORK_NAMES)
    for name, section in data["networks"].items():
        accepted = set(network_class(name).all_config_keys())
        assert set(section) <= accepted, name
        assert set(network_class(name).config_keys) | {"enabled", "timeout"} <= set(section), name
        assert section["enabled"] is (name in ("x", "facebook"))
        for key, value in section.items():
            if key.endswith("_env"):
                assert value.startswith("HOSPIPOST_") and value.isupper()
    config = load_config(tmp_path / "config.yaml")
    assert config.enabled_networks() == ["x", "facebook"]
    assert config.compliance.allowed_phone_numbers == ["02 41 35 36 37"]
    assert "chu-angers.fr" in config.compliance.official_domains
    assert config.compliance.election_periods and config.compliance.quiet_hours
    assert config.slots["monday"] == [time(9, 0), time(12, 30), time(17, 30)]


def test_example_image_is_a_real_png(tmp_path: Path) -> None:
    create_site(tmp_path, date(2026, 11, 23))
    data = (tmp_path / "media" / "canicule.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) < 1_000_000  # fits every network's image limit
    chunks, offset = {}, 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks[kind] = body
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)


def test_init_refuses_a_folder_with_a_config(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("organisation: déjà là\n", encoding="utf-8")
    before = files_under(tmp_path)
    result = run_init(str(tmp_path))
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert "config.yaml" in result.output and "Traceback" not in result.output
    assert files_under(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_init_never_overwrites_a_file(tmp_path: Path) -> None:
    mine = tmp_path / "posts" / "events.yaml"
    mine.parent.mkdir()
    mine.write_bytes(b"# our own events\nposts: []\n")
    result = run_init(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert mine.read_bytes() == b"# our own events\nposts: []\n"
    assert "posts/events.yaml (already there, kept as it is)" in result.output
    assert (tmp_path / "posts" / "health-alerts.yaml").is_file()


def test_init_into_a_file_is_one_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    result = run_init(str(target))
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1


def test_init_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["init", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
