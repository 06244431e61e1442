"""consent-image: media with people need a consent reference."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from tests.helpers import consent_record, findings, make_consents, post_with

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
def test_without_a_register_a_reference_is_not_an_error_but_cannot_be_verified(config, items: list) -> None:
    found = findings(config, post_with(media=items or None), rule=RULE)
    assert not [f for f in found if f.severity.value == "error"]
    for finding in found:
        assert finding.severity.value == "warning"
        assert "cannot be verified: there is no consents.yaml beside config.yaml" in finding.message


REGISTER = "consents:\n" + "".join(
    consent_record(reference) for reference in ("DAI-2027-014", "2027014", "AUT-IMG-0042", "DAI-1")
)


@pytest.mark.parametrize("items", [items for items in PASSING if "signé" not in str(items)])
def test_does_not_flag_references_of_the_register(config, items: list) -> None:
    make_consents(config, REGISTER)
    assert findings(config, post_with(media=items or None), rule=RULE) == []


def test_each_item_is_reported_at_its_own_line(config) -> None:
    make_consents(config, REGISTER)
    post = post_with(media=[media(people=True, consent="DAI-1"), media(people=True), media(people=True)])
    found = findings(config, post, rule=RULE)
    assert len(found) == 2
    assert found[0].line < found[1].line


# --- the register: the post of CLEAN_POST is on 2026-12-01, to x, facebook, mastodon, bluesky,
# linkedin; the tests' now is 2026-11-23.


def flagged_with(config, record: str, *, consent: str = "C-1", **post) -> list:
    make_consents(config, "consents:\n" + record)
    return findings(config, post_with(media=[media(people=True, consent=consent)], **post), rule=RULE)


def test_a_valid_consent_of_the_register_passes(config) -> None:
    assert flagged_with(config, consent_record("C-1", covers="[images]", valid_until="2026-12-01")) == []


@pytest.mark.parametrize(
    ("record", "consent", "message"),
    [
        (consent_record("C-1"), "C-2", "consent C-2 is not in consents.yaml"),
        (
            consent_record("C-1", valid_until="2026-11-30"),
            "C-1",
            "consent C-1 is valid until 2026-11-30 and the post is on 2026-12-01",
        ),
        (consent_record("C-1", withdrawn_on="2026-11-02"), "C-1", "consent C-1 was withdrawn on 2026-11-02"),
        (consent_record("C-1", withdrawn_on="2026-12-01"), "C-1", "consent C-1 was withdrawn on 2026-12-01"),
        (
            consent_record("C-1", networks="[x, facebook, mastodon]"),
            "C-1",
            "consent C-1 does not cover bluesky, linkedin",
        ),
        (
            consent_record("C-1", covers="[testimony, name]"),
            "C-1",
            "consent C-1 does not cover images (it covers testimony, name)",
        ),
    ],
    ids=["unknown", "expired", "withdrawn", "withdrawn-that-day", "networks", "covers"],
)
def test_the_register_says_what_is_wrong(config, record: str, consent: str, message: str) -> None:
    [found] = flagged_with(config, record, consent=consent)
    assert found.severity.value == "error"
    assert found.message == f"This image shows an identifiable person but {message}."
    assert "Jeanne" not in found.message and "Martin" not in found.message


def test_a_withdrawal_counts_for_a_post_already_published(config) -> None:
    [found] = flagged_with(config, consent_record("C-1", withdrawn_on="2026-11-20"), at="2026-11-01 10:00")
    assert "withdrawn on 2026-11-20" in found.message


def test_a_withdrawal_dated_after_the_post_and_after_today_does_not_count_yet(config) -> None:
    assert flagged_with(config, consent_record("C-1", withdrawn_on="2026-12-15")) == []
    [found] = flagged_with(config, consent_record("C-1", withdrawn_on="2026-12-15"), at="2026-12-15 09:00")
    assert "withdrawn on 2026-12-15" in found.message


def test_a_series_must_end_before_its_consent(config) -> None:
    record = consent_record("C-1", valid_until="2027-06-30")
    [found] = flagged_with(config, record, at=None, every="0 9 * * MON")
    assert "valid until 2027-06-30 and the series has no end" in found.message
    assert flagged_with(config, record, at=None, every="0 9 * * MON", until="2027-06-30") == []
    assert len(flagged_with(config, record, at=None, every="0 9 * * MON", until="2027-07-01")) == 1


def test_a_register_that_cannot_be_read_blocks_the_posts_that_rely_on_it(config) -> None:
    make_consents(config, "consents:\n  - id: C-1\n    who: Jeanne Martin\n    covers: [photos]\n")
    [found] = findings(config, post_with(media=[media(people=True, consent="C-1")]), rule=RULE)
    assert found.severity.value == "error"
    assert "consent C-1 cannot be verified" in found.message
    assert "consents.yaml:4: 'covers' of consent C-1: 'photos' is not one of images, testimony, name" in found.message
    assert "Jeanne" not in found.message


def test_a_severity_set_in_config_caps_the_unverifiable_warning(tmp_path) -> None:
    from tests.helpers import make_config

    config = make_config(tmp_path / "site", "  rules:\n    consent-image: {severity: suggestion}\n")
    [found] = findings(config, post_with(media=[media(people=True, consent="C-1")]), rule=RULE)
    assert found.severity.value == "suggestion"


def test_ignore_with_a_reason(config) -> None:
    post = post_with(media=[media(people=True)], ignore=[{"rule": RULE, "reason": "personne de dos, non identifiable"}])
    [found] = findings(config, post, rule=RULE)
    assert found.ignored == "personne de dos, non identifiable"


def test_documentation(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("Code civil art. 9", "226-1", "consents.yaml", "Danish DPA", "7(3)"):
        assert reference in doc
