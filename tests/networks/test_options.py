"""Network options are checked when config.yaml loads: one line with file:line, before any publish."""

from __future__ import annotations

from pathlib import Path

import pytest

from hospipost.config import load_config
from hospipost.errors import InputError


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        (
            "networks:\n  facebook:\n    enabled: true\n    page_id: '1'\n    graph_version: latest\n",
            5,
            "networks.facebook.graph_version 'latest' is not a Graph API version: set a current one such as v27.0",
        ),
        (
            "networks:\n  linkedin:\n    enabled: true\n    organization: '12345'\n",
            4,
            "networks.linkedin.organization '12345' is not an organization URN: set it to urn:li:organization:<id>"
            " (urn:li:organization:12345)",
        ),
        (
            "networks:\n  linkedin:\n    enabled: true\n    organization: urn:li:organization:1\n    version: '2026-10'\n",
            5,
            "networks.linkedin.version '2026-10' is not a LinkedIn-Version",
        ),
        (
            "networks:\n  linkedin:\n    enabled: true\n    organization: urn:li:organization:1\n    token_expires: soon\n",
            5,
            "networks.linkedin.token_expires 'soon' is not a date",
        ),
        (
            "networks:\n  mastodon:\n    enabled: true\n    instance: 'https://social example'\n",
            4,
            "networks.mastodon.instance 'https://social example' is not an http(s) URL",
        ),
        (
            "networks:\n  x:\n    enabled: true\n    api_base: ftp://api.x.com\n",
            4,
            "networks.x.api_base 'ftp://api.x.com' is not an http(s) URL",
        ),
    ],
)
def test_a_bad_network_option_is_refused_when_the_config_loads(
    tmp_path: Path, yaml_text: str, line: int, message: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.format_message().startswith(f"{path}:{line}: {message}")


def test_good_network_options_load(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "networks:\n  facebook:\n    enabled: true\n    page_id: '1'\n    graph_version: 26\n"
        "  linkedin:\n    enabled: true\n    organization: urn:li:organization:1\n    version: 202610\n"
        "    token_expires: 2027-01-31\n  mastodon:\n    enabled: true\n    instance: social.example.org\n",
        encoding="utf-8",
    )
    assert load_config(path).networks["linkedin"].options["version"] == "202610"
