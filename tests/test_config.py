"""config.yaml: every mistake is one clear message with file:line."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from hospipost.config import load_config
from hospipost.errors import InputError
from tests.helpers import CONFIG_YAML, make_config


def test_the_brief_config_loads(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    assert config.organisation == "CHU d'Angers"
    assert config.timezone.key == "Europe/Paris"
    assert config.slots["monday"] == [time(9), time(12, 30), time(17, 30)]
    assert "saturday" not in config.slots
    assert config.enabled_networks() == ["x", "facebook", "mastodon", "bluesky", "linkedin"]
    assert config.networks["facebook"].options["graph_version"] == "v27.0"
    assert config.networks["facebook"].api_base == "https://graph.facebook.com"
    assert config.compliance.quiet_hours == (time(21), time(7, 30))
    assert config.compliance.election_periods[0].name == "municipales 2026"


def test_relative_paths_are_relative_to_the_config_folder(tmp_path: Path) -> None:
    config = make_config(tmp_path / "site")
    assert config.resolve(config.posts_dir) == (tmp_path / "site" / "posts").resolve()
    assert config.state_url == f"sqlite:///{(tmp_path / 'site' / '.hospipost' / 'state.db').resolve()}"


def test_the_posts_language_is_french_unless_config_says_otherwise(tmp_path: Path) -> None:
    assert make_config(tmp_path / "a").language == "fr"
    assert make_config(tmp_path / "b", "language: en-GB\n").language == "en-GB"


def test_durations_and_rule_overrides(tmp_path: Path) -> None:
    extra = "late_window: 90m\n"
    text = CONFIG_YAML.replace(
        "compliance:\n", "compliance:\n  rules:\n    a11y-emoji: {severity: suggestion}\n    a11y-caps: off\n"
    )
    config = make_config(tmp_path, extra, text=text)
    assert config.late_window == timedelta(minutes=90)
    assert config.compliance.rules["a11y-emoji"].severity == "suggestion"
    assert config.compliance.rules["a11y-caps"].enabled is False


@pytest.mark.parametrize(
    "yaml_text, line, message",
    [
        ("timezone: Europe/Pari\n", 1, "unknown time zone 'Europe/Pari'"),
        ("organisation: CHU\nlanguage: French\n", 2, "language must be a language tag such as fr, en or en-GB"),
        ("organisation: CHU\ncolour: blue\n", 2, "unknown key 'colour'"),
        ("networks:\n  twitter: {enabled: true}\n", 2, "unknown network 'twitter'"),
        ("networks:\n  facebook: {enabled: true}\n", 2, "networks.facebook is enabled but has no page_id"),
        ("networks:\n  x: {enabled: yes please}\n", 2, "networks.x.enabled must be true or false"),
        ("networks:\n  x:\n    enabled: true\n    api_key_env: sk-12345-secret\n", 4, "names an environment variable"),
        ("networks:\n  x: {enabled: true, token: abc}\n", 2, "unknown key 'token'"),
        ("slots:\n  weekdays: ['9h']\n", 2, "expected a time"),
        ("slots:\n  someday: ['09:00']\n", 2, "unknown key 'someday'"),
        ("state: mysql://x\n", 1, "state must be sqlite:///PATH or postgresql://"),
        ("late_window: soon\n", 1, "late_window must be a duration"),
        ("compliance:\n  canicule_line_active: 'oui'\n", 2, "must be true or false"),
        ("compliance:\n  allowed_phone_numbers: 02 41 35 36 37\n", 2, "must be a list"),
        (
            "compliance:\n  election_periods: [{name: x, start: 2026-03-22, end: 2025-09-01}]\n",
            2,
            "ends before it starts",
        ),
        ("compliance:\n  quiet_hours: {start: '25:00', end: '07:00'}\n", 2, "expected a time"),
        ("compliance:\n  rules:\n    a11y-emoji: loud\n", 3, "expected off or a severity"),
        ("- just\n- a list\n", 1, "the configuration must be a mapping"),
        ("timezone: [Europe/Paris\n", 2, "invalid YAML"),
    ],
)
def test_config_mistakes_name_file_and_line(tmp_path: Path, yaml_text: str, line: int, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.line == line
    assert message in caught.value.format_message()
    assert caught.value.format_message().startswith(f"{path}:{line}: ")


def test_an_empty_config_uses_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("# nothing yet\n")
    config = load_config(path)
    assert config.timezone.key == "Europe/Paris"
    assert config.networks == {}
