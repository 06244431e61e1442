"""consent-image: an image showing an identifiable person without a consent record."""

from __future__ import annotations

from collections.abc import Iterator

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
    """An image showing an identifiable person must reference a signed consent.

    Checks
      Each media item marked `people: true` (an identifiable person appears: patient,
      relative, visitor or staff member) has a `consent:` reference to the signed
      consent record (e.g. "DAI-2027-014"). A placeholder ("todo", "à venir", "en
      attente", "n/a", "?", "non", "aucun"…) counts as no consent, and so does a bare
      yes ("oui", "true", "signé"): the consent must be findable.
      The rule trusts `people:`: it does not look at the image, so an item wrongly
      marked `people: false` is not caught.

    Why
      Everyone has a right to their image (Code civil art. 9); capturing or passing on
      the image of a person in a private place without consent is an offence (Code
      pénal 226-1: one year, 45 000 EUR).
      Consent must be express and specific to the use (Cass. civ. 1, 11 déc. 2008);
      without it the person "sera présumé avoir refusé toute forme de diffusion" (ARS
      Auvergne-Rhône-Alpes); a minor's consent is signed by a holder of parental
      authority. Staff have image rights too. HIPAA Safe Harbor lists full-face
      photographs (45 CFR 164.514(b)(2)(Q)); a US operator paid $182,000 for posting
      residents' photos without authorisation.

    Fix
      Get the consent form signed for this use (networks, purpose, period) and write
      its reference in `consent:`, or choose an image where nobody can be identified.

    Examples
      flagged: media: [{file: media/portrait.png, alt: "…", people: true}]
      passes:  media: [{file: media/portrait.png, alt: "…", people: true, consent: DAI-2027-014}]
    """
    for index, item in enumerate(post.media):
        if not item.people:
            continue
        consent = (item.consent or "").strip()
        if not consent or consent.lower() in _PLACEHOLDERS:
            what = "no consent reference" if not consent else "a placeholder instead of a consent reference"
            yield Problem(f"This image shows an identifiable person but has {what}.", f"media[{index}]")
