"""The rule registry: every rule id, in the order of the checklist, and its module.

One module per rule, named after its id (`claim-absolute` is ``claim_absolute.py``); what
several rules share lives in a private module (``_text``, ``_claims``, ``_alerts``,
``_a11y``, ``_people``, ``_cron``).

Explicit on purpose (as in yamllint): grep a rule id and you find its module.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from hospipost.rules.contracts import Rule, RuleOption

RULE_MODULES = {
    "pii-nir": "pii_nir",
    "pii-record-id": "pii_record_id",
    "pii-phone": "pii_phone",
    "pii-email": "pii_email",
    "pii-room-bed": "pii_room_bed",
    "pii-date-person": "pii_date_person",
    "pii-patient-name": "pii_patient_name",
    "pii-address": "pii_address",
    "pii-video-location": "pii_video_location",
    "consent-image": "consent_image",
    "claim-absolute": "claim_absolute",
    "claim-comparative": "claim_comparative",
    "claim-innovation": "claim_innovation",
    "drug-brand": "drug_brand",
    "alert-emergency-number": "alert_emergency_number",
    "alert-canicule-line": "alert_canicule_line",
    "alert-official-link": "alert_official_link",
    "alert-expiry": "alert_expiry",
    "election-reserve": "election_reserve",
    "a11y-alt-text": "a11y_alt_text",
    "a11y-video-captions": "a11y_video_captions",
    "a11y-hashtag-case": "a11y_hashtag_case",
    "a11y-emoji": "a11y_emoji",
    "a11y-fancy-unicode": "a11y_fancy_unicode",
    "a11y-caps": "a11y_caps",
    "network-enabled": "network_enabled",
    "network-length": "network_length",
    "network-media": "network_media",
    "link-shortener": "link_shortener",
    "approval-required": "approval_required",
    "approval-self": "approval_self",
    "approval-stale": "approval_stale",
    "schedule-past": "schedule_past",
    "schedule-quiet-hours": "schedule_quiet_hours",
    "schedule-dst": "schedule_dst",
    "duplicate-text": "duplicate_text",
}


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule by id, in checklist order."""
    return {rule_id: _rule(rule_id) for rule_id in RULE_MODULES}


def declared_options(rule_id: str) -> dict[str, RuleOption] | None:
    """The options a rule declares, by name (None for an unknown id); imports that rule's
    module only, so loading a config that sets an option stays cheap."""
    if rule_id not in RULE_MODULES:
        return None
    return {option.name: option for option in _rule(rule_id).options}


def _rule(rule_id: str) -> Rule:
    module_name = RULE_MODULES[rule_id]
    module = import_module(f"{__name__}.{module_name}")
    found = [v for v in vars(module).values() if isinstance(v, Rule)]
    if len(found) != 1 or found[0].id != rule_id:
        raise LookupError(f"module {module_name} must define exactly one rule, {rule_id!r}")
    return found[0]
