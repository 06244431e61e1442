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
    extra = "late_window: 90m\nstats: {x: true, every: 12h, since: 90d}\n"
    text = CONFIG_YAML.replace(
        "compliance:\n", "compliance:\n  rules:\n    a11y-emoji: {severity: suggestion}\n    a11y-caps: off\n"
    )
    config = make_config(tmp_path, extra, text=text)
    assert config.late_window == timedelta(minutes=90)
    assert (config.stats.x, config.stats.every, config.stats.since) == (True, timedelta(hours=12), timedelta(days=90))
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
        ("stats:\n  x: 'oui'\n", 2, "stats.x must be true or false"),
        ("stats:\n  every: 10m\n", 2, "stats.every must be at least 1h"),
        ("stats:\n  since: 12h\n", 2, "stats.since must be at least 1d"),
        ("stats: {x: true, facebook: true}\n", 1, "unknown key 'facebook' in stats"),
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


MEDIA_STORE = """\
media_store:
  endpoint: https://s3.gra.io.cloud.ovh.net
  bucket: chu-media
  prefix: hospipost/
  region: gra
  access_key_env: HOSPIPOST_S3_KEY
  secret_key_env: HOSPIPOST_S3_SECRET
"""


def test_media_url_reaches_every_network(tmp_path: Path) -> None:
    config = make_config(tmp_path, "media_url: https://www.chu-exemple.fr/reseaux/media/\n")
    public = config.public_media
    assert public is not None and public.store is None
    assert public.media_url == "https://www.chu-exemple.fr/reseaux/media/"
    assert public.media_dir == tmp_path / "media"
    assert all(settings.public_media is public for settings in config.networks.values())


def test_media_store_with_its_defaults(tmp_path: Path) -> None:
    config = make_config(tmp_path, MEDIA_STORE)
    store = config.public_media.store if config.public_media else None
    assert store is not None and config.public_media is not None and config.public_media.media_url is None
    assert (store.endpoint, store.bucket, store.prefix, store.region) == (
        "https://s3.gra.io.cloud.ovh.net",
        "chu-media",
        "hospipost/",
        "gra",
    )
    assert (store.access_key_env, store.secret_key_env) == ("HOSPIPOST_S3_KEY", "HOSPIPOST_S3_SECRET")
    assert store.public_url is None and store.url_lifetime == timedelta(hours=24)
    assert config.networks["x"].public_media is config.public_media


def test_media_store_public_url_and_lifetime(tmp_path: Path) -> None:
    extra = MEDIA_STORE + "  public_url: https://chu-media.s3.gra.io.cloud.ovh.net/\n  url_lifetime: 2d\n"
    store = make_config(tmp_path, extra).public_media.store  # type: ignore[union-attr]
    assert store is not None
    assert store.public_url == "https://chu-media.s3.gra.io.cloud.ovh.net/"
    assert store.url_lifetime == timedelta(days=2)


def test_no_public_media_by_default(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    assert config.public_media is None and config.networks["x"].public_media is None


def test_local_http_is_for_tests_only(tmp_path: Path) -> None:
    config = make_config(tmp_path, "media_url: http://127.0.0.1:8080/media/\n")
    assert config.public_media is not None and config.public_media.media_url == "http://127.0.0.1:8080/media/"


@pytest.mark.parametrize(
    "yaml_text, line, message",
    [
        (
            "media_url: https://www.chu-exemple.fr/media/\n" + MEDIA_STORE,
            2,
            "media_url and media_store are two ways to put media online for Instagram and Threads: keep only one",
        ),
        ("media_url: http://www.chu-exemple.fr/media/\n", 1, "media_url must be an https:// address"),
        ("media_url: https://www.chu-exemple.fr/media\n", 1, "media_url must end with / (it is a folder)"),
        ("media_url: [a]\n", 1, "media_url must be a string"),
        ("media_url: https:///media/\n", 1, "media_url must be an address such as"),
        (MEDIA_STORE.replace("  bucket: chu-media\n", ""), 1, "media_store has no bucket (the bucket's name)"),
        (MEDIA_STORE.replace("  region: gra\n", ""), 1, "media_store has no region"),
        (MEDIA_STORE.replace("https://s3", "http://s3"), 2, "media_store.endpoint must be an https:// address"),
        (MEDIA_STORE.replace("chu-media", "CHU Media"), 3, "media_store.bucket must be a bucket name"),
        (
            MEDIA_STORE.replace("HOSPIPOST_S3_SECRET", "wJalrXUtnFEMI/K7MDENG"),
            7,
            "media_store.secret_key_env names an environment variable, not a value",
        ),
        (MEDIA_STORE + "  colour: blue\n", 8, "unknown key 'colour' in media_store"),
        (MEDIA_STORE + "  url_lifetime: 30d\n", 8, "media_store.url_lifetime must be between 1 minute and 7 days"),
        (MEDIA_STORE + "  url_lifetime: soon\n", 8, "media_store.url_lifetime must be a duration"),
        (MEDIA_STORE + "  public_url: https://cdn.example.org\n", 8, "media_store.public_url must end with /"),
        (MEDIA_STORE.replace("prefix: hospipost/", "prefix: /abs/"), 4, "media_store.prefix must be a folder inside"),
        ("media_store: chu-media\n", 1, "media_store must be a mapping"),
    ],
)
def test_public_media_mistakes_name_file_and_line(tmp_path: Path, yaml_text: str, line: int, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert message in caught.value.format_message()
    assert caught.value.format_message().startswith(f"{path}:{line}: ")


@pytest.mark.parametrize(
    "extra, line, message",
    [
        ("media_url: https://a.example/m/\n" + MEDIA_STORE, 21, "media_url and media_store are two ways"),
        ("media_url: http://www.chu-exemple.fr/media/\n", 20, "media_url must be an https:// address"),
        (MEDIA_STORE.replace("  bucket: chu-media\n", ""), 20, "media_store has no bucket"),
    ],
)
def test_check_stops_on_a_public_media_mistake(tmp_path: Path, extra: str, line: int, message: str) -> None:
    from click.testing import CliRunner

    from hospipost.cli import cli

    (tmp_path / "posts").mkdir()
    (tmp_path / "config.yaml").write_text(CONFIG_YAML + extra, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.yaml"), "check"])
    assert result.exit_code == 2, result.output
    [only] = result.output.strip().splitlines()
    assert f"{tmp_path / 'config.yaml'}:{line}: {message}" in only
