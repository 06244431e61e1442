"""election-reserve: institutional promotion during a pre-election period."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from hospipost.rules._text import fold, lowered_text
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.config import ElectionPeriod
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

_PREFILTER = re.compile(
    r"inaugur|pierre|ruban|bilan|r[eé]alisations|maire|d[eé]put|s[eé]nat|pr[eé]sident|ministr|secr[eé]taire d|"
    r"conseill|[eé]lu|mayor|minister|senator|parliament|councill?or|ribbon|groundbreak|foundation stone"
)
_PROMOTION = re.compile(
    r"""(?x)
    (?<![\w-])(?:
        # inaugurations and ceremonies
        inaugur\w*
      | (?:pose|poser|posera|posee|posons)\ (?:de\ )?la\ premiere\ pierre|premiere\ pierre
      | (?:coupe|couper|coupera|coupure)\ (?:du|le)\ ruban|ruban\ inaugural
      # the record of an administration (not a "bilan de santé" or a "bilan sanguin")
      | bilan\ (?:annuel|d'activite|de\ (?:l'annee|mandat|la\ mandature|l'action|nos\ actions|l'exercice|fin\ d'annee)
               |du\ mandat|des\ (?:realisations|actions|projets|travaux|investissements|\d+\ (?:ans|dernieres\ annees))
               |(?:19|20)\d\d(?:-(?:19|20)?\d\d)?|positif|tres\ positif|flatteur|exceptionnel|remarquable)
      | (?:nos|ses|leurs|les|des|de\ nos|de\ ses)\ realisations
      | realisations?\ (?:du\ mandat|de\ la\ (?:mandature|municipalite|majorite))
      # "réalisations" (plural) is a record whatever stands before it, but for care acts
      | realisations(?!\ (?:d'(?:examens|actes|analyses|prelevements|interventions)|de\ (?:soins|gestes|prelevements)))
      # "bilan" as the record of a team or a period, not a medical work-up
      | (?:notre|nos|son|ses|leur|leurs|un|le|ce|quel|beau|bon)\ bilans?\ (?:(?:de|des|d'|du|sur)\ )?
        (?:l'annee|(?:\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quinze|vingt)\ (?:ans|annees|dernieres\ annees)
          |(?:ces|nos|les)\ (?:\w+\ )?(?:dernieres\ )?annees|la\ periode|la\ decennie|la\ direction|notre\ action|nos\ actions
          |dont|qui\ parle|est\ (?:la|clair|positif|eloquent))
      | (?:notre|nos)\ bilans?(?!\ (?:carbone|energetique|ges|sanguins?|de\ sante|biologiques?|medica(?:l|ux)|de\ prevention))
      | bilans?\ (?:des\ )?(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quinze|vingt)\ (?:ans|annees|dernieres\ annees)
      | l'heure\ (?:du|des)\ bilans?
      | bilans?\ (?:historique|record|eloquent|impressionnant|encourageant|satisfaisant|solide)s?
      # elected officials
      | maires?|(?:premiere?\ )?adjointe?s?\ (?:au|a\ la)\ maire
      | (?:euro)?deputee?s?|senat(?:eur|rice)s?
      | presidente?\ (?:du\ conseil\ (?:departemental|regional|general|de\ surveillance)|de\ (?:la\ )?region
                     |de\ l'agglomeration|de\ (?:la\ )?metropole|d'angers\ loire\ metropole
                     |de\ la\ communaute\ (?:urbaine|d'agglomeration|de\ communes)|de\ la\ republique)
      | ministres?|secretaire\ d'etat
      | conseill(?:er|ere)s?\ (?:municipa(?:l|le|ux|les)|departementa(?:l|le|ux|les)|regiona(?:l|le|ux|les)
                               |communautaires?|metropolitaine?s?)
      | elue?s?\ (?:locaux|locales|municipaux|municipales|regionaux|regionales|departementaux|departementales
                  |du\ territoire|de\ la\ (?:ville|region|metropole))
      # English
      | mayors?|ministers?|senators?|members?\ of\ parliament|councill?ors?
      | inaugurat\w*|ribbon[-\ ]cutting|groundbreaking|foundation\ stone
    )(?!\w)
    """
)


def _period(post: Post, ctx: CheckContext) -> ElectionPeriod | None:
    """The election period the post goes out in (local dates, both ends included)."""
    periods = ctx.config.compliance.election_periods
    if not periods:
        return None
    if post.every:  # a recurring post: any occurrence from now (or its start) to its end
        first = ctx.local(post.at or ctx.now).date()
        last = ctx.local(post.until).date() if post.until else date.max
        return next((p for p in periods if first <= p.end and last >= p.start), None)
    if post.at is None:
        return None
    day = ctx.local(post.at).date()
    return next((p for p in periods if p.start <= day <= p.end), None)


@rule("election-reserve", Severity.WARNING)
def election_reserve(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """Institutional promotion (inauguration, record, elected officials) in a pre-election period.

    Checks:
      Only posts scheduled inside one of `compliance.election_periods` (config.yaml;
      start and end dates included, in the config's time zone; a recurring post when
      any occurrence can fall inside). Their published texts are searched for
      promotion of the institution or of elected officials: inauguration / inaugure /
      inaugurer, pose de la première pierre, couper le ruban, bilan (annuel, d'activité,
      de mandat, des réalisations, 2026 …), nos/les réalisations, maire, adjoint·e au
      maire, député·e, sénateur·rice, président·e du conseil départemental / régional /
      de surveillance / de la métropole / de la République, ministre, secrétaire d'État,
      conseiller·ère municipal·e / départemental·e / régional·e, élus locaux; in English
      mayor, minister, senator, member of parliament, councillor, inauguration,
      ribbon-cutting. Medical "bilans" (bilan de santé, bilan sanguin) and a single
      "réalisation" (of an exam) are not flagged. Outside the periods, nothing is.

    Why:
      Code électoral L52-1 al. 2: from the first day of the sixth month before the month
      of a general election, no campaign promoting the achievements or the management of
      a collectivité may be organised on its territory; L52-8: no legal person other than
      a party may help a candidate. A CHU is not a collectivité, but elected officials
      sit in its governance (the mayor often chairs its conseil de surveillance): case
      law asks for neutrality, precedent, regularity and an unchanged identity of
      institutional communication. Whether L52-1 binds a CHU is unverified, hence a
      warning and a review by the communication director or legal counsel.

    Fix:
      Move the post after the poll, or keep to neutral service information (what opens,
      for whom, from when) without ceremony, record or elected officials; record the
      decision with `ignore:` and a reason when counsel agrees.

    Examples:
      flagged (2026-02-10):  "Inauguration du nouveau bâtiment en présence du maire."
      passes (2026-02-10):   "Le nouveau service d'hémodialyse accueille ses premiers patients le 10 février."
      passes (2026-06-10):   "Inauguration du nouveau bâtiment en présence du maire." (outside the period)
    """
    period = _period(post, ctx)
    if period is None:
        return
    name = f"{period.name} ({period.start:%Y-%m-%d} to {period.end:%Y-%m-%d})".strip()
    for field_name, text in post.texts():
        if not _PREFILTER.search(lowered_text(text)):
            continue
        for match in _PROMOTION.finditer(fold(text)):
            start, end = match.span()
            yield Problem(
                f"institutional promotion during the pre-election period {name}: «{text[start:end]}»",
                field_name,
                (start, end),
            )
