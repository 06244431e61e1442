"""What the alert rules' tests share: an official link, the emergency call, an alert post."""

from __future__ import annotations

from hospipost.config import Config
from tests.helpers import findings, post_with

LINK = "https://www.santepubliquefrance.fr/maladies-et-traumatismes/maladies-et-infections-respiratoires/bronchiolite"
CALL = "En cas de difficulté à respirer, appelez le 15."


def alert(text: str, **changes) -> dict:
    return post_with(**{"kind": "alert", "text": text, "valid_until": "2026-12-03 19:00", **changes})


def rule_findings(config: Config, rule: str, post: dict):
    return findings(config, post, rule=rule)
