"""consent-image: media with people need a consent reference."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from tests.helpers import findings, post_with

RULE = "consent-image"
ALT = "Portrait d'une infirmière souriante dans le hall du CHU"


def media(**fields) -> dict:
    return {"file": "media/portrait.png", "alt": ALT, **fields}


FLAGGED = [
    [media(people=True)],
    [media(people=True, consent="")],
    [media(people=True, consent="todo")],
    [media(people=True, consent="à venir")],
    [media(people=True, consent="En attente")],
    [media(people=True, consent="n/a")],
    [media(people=True, consent="?")],
    [media(people=True, consent="non")],
    [media(people=True, consent="oui")],
]

PASSING = [
    [],
    [media()],
    [media(people=False)],
    [media(people=True, consent="DAI-2027-014")],
    [media(people=True, consent="consentement signé 2027-03-02, dossier com/2027/014")],
    [media(people=True, consent=2027014)],
    [media(people=False, consent=None)],
    [media(people=True, consent="AUT-IMG-0042"), media(people=False)],
]


@pytest.mark.parametrize("items", FLAGGED)
def test_flags_people_without_consent(config, items: list) -> None:
    [found] = findings(config, post_with(media=items), rule=RULE)
    assert found.severity.value == "error"
    assert "identifiable person" in found.message
    assert found.excerpt is None


@pytest.mark.parametrize("items", PASSING)
def test_does_not_flag(config, items: list) -> None:
    assert findings(config, post_with(media=items or None), rule=RULE) == []


def test_each_item_is_reported_at_its_own_line(config) -> None:
    post = post_with(media=[media(people=True, consent="DAI-1"), media(people=True), media(people=True)])
    found = findings(config, post, rule=RULE)
    assert len(found) == 2
    assert found[0].line < found[1].line


def test_ignore_with_a_reason(config) -> None:
    post = post_with(media=[media(people=True)], ignore=[{"rule": RULE, "reason": "personne de dos, non identifiable"}])
    [found] = findings(config, post, rule=RULE)
    assert found.ignored == "personne de dos, non identifiable"


def test_documentation(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("Code civil art. 9", "226-1"):
        assert reference in doc
