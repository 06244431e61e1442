"""claim-innovation: an innovation post without a source for its evidence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


@rule("claim-innovation", Severity.ERROR)
def claim_innovation(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """An innovation post without a source for its evidence.

    Checks:
      A post with `kind: innovation` must carry `source:`, the evidence behind the news:
      a publication, a clinical trial registration, an evaluation report, a HAS or Santé
      publique France page. The source is for the reviewers and the record; it is not
      published. Other kinds are not checked (health advice is encouraged to link its
      source, see alert-official-link for alerts).

    Why:
      Code de la santé publique R4127-14: a new procedure that is not sufficiently proven
      must not be disclosed to the non-medical public without the necessary
      reservations; R4127-13: only confirmed data, with prudence. The Ordre des médecins'
      charter asks that sources and references be indicated.

    Fix:
      Add `source: https://…` (or a reference such as "Pediatr Radiol 2026;56:120").

    Examples:
      flagged:  kind: innovation, text: "Le babicoc, un cocon pour l'IRM des nourrissons …" (no source)
      passes:   the same post with `source: https://espaceinfirmier.fr/…/des-bebes-dans-leur-bulle.html`
    """
    if post.kind == "innovation" and not (post.source or "").strip():
        yield Problem("innovation post without a `source:` for its evidence", None)
