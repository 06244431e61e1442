"""Builders shared by the tests: a realistic CHU config, clean posts, rule findings."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from hospipost.compliance import Finding, run_checks
from hospipost.config import Config, load_config
from hospipost.posts import Post, parse_queue_text

# The tests' "now": Monday 23 November 2026, 10:00 UTC (11:00 in Paris).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

CONFIG_YAML = """\
organisation: CHU d'Angers
timezone: Europe/Paris
posts_dir: posts
state: sqlite:///.hospipost/state.db
slots:
  weekdays: ["09:00", "12:30", "17:30"]
networks:
  x: {enabled: true}
  facebook: {enabled: true, page_id: "1234567890"}
  mastodon: {enabled: true, instance: https://social.example.org}
  bluesky: {enabled: true, handle: chu.example.org}
  linkedin: {enabled: true, organization: "urn:li:organization:123"}
compliance:
  allowed_phone_numbers: ["02 41 35 36 37"]
  allowed_email_domains: [chu-angers.fr]
  official_domains: [santepubliquefrance.fr, sante.gouv.fr, has-sante.fr, ars.sante.fr, meteofrance.com, chu-angers.fr]
  canicule_line_active: true
  election_periods: [{name: municipales 2026, start: 2025-09-01, end: 2026-03-22}]
  quiet_hours: {start: "21:00", end: "07:30"}
"""

# A post that passes every rule; tests change one thing at a time.
CLEAN_POST: dict[str, Any] = {
    "id": "p1",
    "at": "2026-12-01 10:00",
    "kind": "news",
    "text": "Le CHU d'Angers ouvre une nouvelle salle d'attente pour les familles en pédiatrie.",
    "networks": ["x", "facebook", "mastodon", "bluesky", "linkedin"],
    "author": "c.dupuis",
    "approved_by": "a.renier",
}


def make_config(folder: Path, extra_yaml: str = "", text: str = CONFIG_YAML) -> Config:
    """Write config.yaml (plus extra top-level YAML) into folder and load it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "posts").mkdir(exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(text + extra_yaml, encoding="utf-8")
    return load_config(path)


def make_posts(config: Config, *posts: dict[str, Any], queue: str = "news") -> list[Post]:
    """Posts built from dicts through the real loader (as if read from posts/QUEUE.yaml)."""
    text = yaml.safe_dump({"posts": list(posts)}, allow_unicode=True, sort_keys=False)
    return parse_queue_text(text, config.resolve(config.posts_dir) / f"{queue}.yaml", config)


def post_with(**changes: Any) -> dict[str, Any]:
    """The clean post with some fields changed (None removes a field)."""
    post = {**CLEAN_POST, **changes}
    return {key: value for key, value in post.items() if value is not None}


def findings(config: Config, *posts: dict[str, Any], rule: str | None = None, now: datetime = NOW) -> list[Finding]:
    """Run the whole checklist; keep one rule's findings when ``rule`` is given."""
    report = run_checks(make_posts(config, *posts), config, now)
    return [f for f in report.findings if rule is None or f.rule == rule]


def rule_ids(config: Config, *posts: dict[str, Any], now: datetime = NOW) -> set[str]:
    return {f.rule for f in findings(config, *posts, now=now) if f.ignored is None}


# A consent register (consents.yaml) for the tests: one record per consent the posts use.
CONSENTS_YAML = """\
# Registre des consentements du CHU d'Angers
consents:
  - id: C-2026-014
    who: Jeanne Martin, patiente en cardiologie
    covers: [images, testimony, name]
    networks: all
    valid_until: 2027-12-31
    note: formulaire papier, classeur com 2026
"""


def make_consents(config: Config, text: str = CONSENTS_YAML) -> Path:
    """Write consents.yaml beside the config."""
    path = config.root / "consents.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def consent_record(reference: str, **fields: Any) -> str:
    """One record of consents.yaml (a block mapping item), defaults filled in."""
    values = {
        "who": "Jeanne Martin, patiente",
        "covers": "[images, testimony, name]",
        "networks": "all",
        "valid_until": "2027-12-31",
        **fields,
    }
    lines = [f"  - id: {reference}"] + [f"    {key}: {value}" for key, value in values.items() if value is not None]
    return "\n".join(lines) + "\n"


def chromium() -> str:
    """The Chromium binary; the test skips without one, except in CI (CI=true), where it must run."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs the Debian package)")
        pytest.skip("chromium is not installed")
    return found
