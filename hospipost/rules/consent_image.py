"""consent-image: an image showing an identifiable person without a valid consent of the register."""

from __future__ import annotations

from collections.abc import Iterator

from hospipost.rules._consent import consent_problem
from hospipost.rules.contracts import Problem, Severity, rule

# Values that say "no consent yet" rather than name a consent record.
_PLACEHOLDERS = frozenset(
    """
    no non none null nil n/a na - -- ? ?? todo tbd tbc à venir a venir en attente en cours pending missing
    aucun aucune sans false faux x xx xxx true yes oui ok vrai signé signe signed
    """.split()
) | {"à venir", "a venir", "en attente", "en cours", "à faire", "a faire", "to do", "pas encore"}


@rule("consent-image", Severity.ERROR)
def consent_image(post, ctx) -> Iterator[Problem]:
    """An image showing an identifiable person must reference a valid consent of the register.

    Checks
      Each media item marked `people: true` (an identifiable person appears: patient,
      relative, visitor or staff member) has a `consent:` reference to a record of the
      consent register, consents.yaml beside config.yaml (e.g. "C-2026-014"). A
      placeholder ("todo", "à venir", "en attente", "n/a", "?", "non", "aucun"…) counts
      as no consent, and so does a bare yes ("oui", "true", "signé"): the consent must be
      findable.
      The record must exist, cover images, cover every network of the post, be valid on
      the post's day (a recurring post: its last day; a series without end is never
      covered by a consent that ends) and not be withdrawn (`hospipost consent
      withdraw`): a withdrawal dated today or earlier counts for every post, published
      ones included.
      Without consents.yaml the reference cannot be verified: a warning (it fails `check
      --strict`), not an error. A consents.yaml that cannot be read is an error for every
      post that relies on it (and `check` stops with its file:line).
      The rule trusts `people:`: it does not look at the image, so an item wrongly
      marked `people: false` is not caught. Messages name the reference, never the
      person (who consented stays in consents.yaml).

    Why
      Everyone has a right to their image (Code civil art. 9); capturing or passing on
      the image of a person in a private place without consent is an offence (Code
      pénal 226-1: one year, 45 000 EUR).
      Consent must be express and specific to the use: the places, the uses, the period
      (Cass. civ. 1, 11 déc. 2008); use for another purpose is a breach (Cass. civ. 1,
      30 mai 2000); without it the person "sera présumé avoir refusé toute forme de
      diffusion" (ARS Auvergne-Rhône-Alpes); a minor's consent is signed by a holder of
      parental authority. Staff have image rights too. Consent can be withdrawn at any
      time (RGPD art. 7(3)), and a patient's consent to a hospital is fragile: the
      Danish DPA held that a hospital cannot rely on it (Aarhus University Hospital had to
      delete Instagram posts) — so the register is checked at every run, not trusted once.
      HIPAA Safe Harbor lists full-face photographs (45 CFR 164.514(b)(2)(Q)); a US
      operator paid $182,000 for posting residents' photos without authorisation.

    Fix
      Get the consent form signed for this use (images, these networks, this period),
      record it in consents.yaml and write its id in `consent:`; or choose an image where
      nobody can be identified. A withdrawn or expired consent cannot be fixed by the
      post: remove the image (and retract what was published).

    Examples
      flagged: media: [{file: media/portrait.png, alt: "…", people: true}]
      flagged: media: [{…, people: true, consent: C-2026-014}] where C-2026-014 covers only facebook
      passes:  media: [{file: media/portrait.png, alt: "…", people: true, consent: C-2026-014}]
               with consents.yaml: {id: C-2026-014, who: …, covers: [images], networks: all, valid_until: 2027-12-31}
    """
    for index, item in enumerate(post.media):
        if not item.people:
            continue
        consent = (item.consent or "").strip()
        if not consent or consent.lower() in _PLACEHOLDERS:
            what = "no consent reference" if not consent else "a placeholder instead of a consent reference"
            yield Problem(f"This image shows an identifiable person but has {what}.", f"media[{index}]")
            continue
        found = consent_problem(post, ctx, consent, ("images",))
        if found:
            message, severity = found
            yield Problem(
                f"This image shows an identifiable person but {message}.", f"media[{index}]", severity=severity
            )
