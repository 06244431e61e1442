"""claim-absolute: a promise of certain cure, total efficacy or zero risk.

Two steps (see ``_claims``): a gate of stems on the lowercased text, then the precise
patterns on the folded text, written in folded form ("guérison" is ``guerison``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules._claims import DENIED_BEFORE, sentence_before
from hospipost.rules._text import any_of, fold, without_stems
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

# "100 %", "100%", "100 pour cent", "cent pour cent" (NBSP and narrow NBSP fold to spaces).
_P100 = r"(?:100\ ?%|100\ ?pour\ ?cents?|cent\ pour\ cent|100\ ?percent)"  # for (?x) patterns


# Stems, one of which every absolute claim contains once lowercased (accented or not):
# `in` tests on the lowercased text are cheaper than a regex alternation.
_ABSOLUTE_STEMS = (
    "guér",
    "guer",
    "mirac",
    "100",
    "cent pour",
    "efficac",
    "risqu",
    "danger",
    "effet",
    "garanti",
    "inoffensi",
    "infail",
    "risk",
    "effect",
    "cure",
    "safe",
    "harmless",
    "fool",
    "heals",
    "guarant",
    "infall",
    "rid of",
)
_ABSOLUTE_GATE = any_of(_ABSOLUTE_STEMS)

_ABSOLUTE = re.compile(
    rf"""(?x)
    (?<![\w-])(?:
        # French: the verb "to cure" in the present, future or conditional
        gueri(?:t|ssent|ssons|ssez|ra|ront|rait|raient)
      | (?:permet|permettent|permettra|permettre|promet|promettent|garantit|assure)\ de\ guerir
      | guerir\ (?:definitivement|a\ coup\ sur|a\ tous\ les\ coups|totalement|completement|a\ 100)
      | (?:garantie|assurance|promesse|certitude)s?\ de\ guerison
      | guerisons?\ (?:\w+\ )?(?:garantie|assuree|certaine|systematique|a\ coup\ sur)s?
      | (?:taux\ de\ )?guerison\ (?:de\ |a\ )?{_P100}
      | miracles?|miraculeu(?:x|se|ses|sement)
      # "100 % efficace", "efficace à 100 %", "100 % de guérison", "100 % sûr"
      | {_P100}\ (?:efficaces?|d'efficacite|de\ guerisons?|de\ succes\ therapeutique|sans\ (?:risques?|dangers?|effets?))
      | {_P100}\ sur(?:e|s|es)?(?![\w-])(?!\ ?(?:rendez|rdv|place|inscription|reservation|le\ |la\ |les\ |l'|un\ |une\ |des\ |ce\ |cette\ |votre\ |vos\ |nos\ |notre\ |internet|\d))
      | (?:efficaces?|efficacite|sure?s?|fiables?|prouvee?s?|garantie?s?)\ (?:a|de)\ {_P100}
      | (?:totalement|parfaitement|absolument|completement|entierement)\ (?:efficaces?|inoffensi(?:f|ve|fs|ves))
      # no risk, no danger, no side effects
      | (?P<safe>(?:sans|zero)\ (?:aucun\ |aucune\ |le\ moindre\ )?(?:risques?|dangers?))(?!\ de\ (?:se|me|te|nous|vous)\ tromper)
      | (?<!prenez\ )(?<!prendre\ )(?<!courez\ )(?<!courir\ )aucun\ (?:risque|danger)
      | risques?\ (?:zero|nul|inexistant)s?
      | (?:(?:sans|aucune?s?|zero|ni)\ (?:aucune?\ )?|pas\ d'|jamais\ d')effets?\ (?:secondaires?|indesirables?)
      | inoffensi(?:f|ve|fs|ves)|infaillibles?|infailliblement
      | (?:efficacite|resultats?|succes|soulagement|guerison|effets?)\ garanti(?:e|s|es)?
      | garanti(?:e|s|es)?\ sans\ (?:risques?|dangers?|effets?)
      # English
      | (?:it|that|which|this|treatment|therapy|drug|pill|vaccine|procedure|surgery|method|medicine)\ (?:cures|will\ cure|can\ cure|heals)
      | cures\ (?:cancer|diabetes|depression|arthritis|obesity|all|everything|any|every|your|you)
      | (?:guaranteed|miracle)\ (?:cure|recovery|healing)s?
      | (?:cure|recovery|results?|success|healing)\ guaranteed
      | guaranteed\ (?:results?|success|to\ (?:work|cure|heal))
      | heals\ (?:everything|all|any)
      | risk[-\ ]free|zero[-\ ]risk|no\ risks?(?!\ factors?)|without\ (?:any\ )?risks?|free\ (?:of|from)\ risks?
      | {_P100}\ (?:effective|safe|success(?:ful)?|cure)
      | (?:effective|safe)\ (?:at\ )?{_P100}
      | (?:no|zero|without\ (?:any\ )?|free\ (?:of|from)\ )\ ?side[-\ ]effects?
      | (?:completely|totally|perfectly|absolutely|entirely)\ (?:safe|harmless|effective|risk[-\ ]free)
      | infallible|foolproof|fool-proof
    )(?![\w])
    """
)

# English cures promised by a provider or with a deadline; searched only in texts that say
# "cure" or "rid of" (the main pattern stays short for the other texts).
_ENGLISH_CURE = re.compile(
    rf"""(?x)(?<![\w-])(?:
        (?:clinic|centre|center|programme|program|technique|approach|app|device|cream|supplement|acupuncture|hypnosis
         |diet|session|sessions|exercise|protocol|team|we)\ (?:cures|will\ cure|can\ cure|heals|cured|will\ heal|can\ heal)
      | (?:it|that|which|this|treatment|therapy|drug|pill|vaccine|procedure|surgery|method|medicine)\ (?:cured|will\ heal|can\ heal)
      # "cures back pain in three sessions": a cure with a deadline
      | (?:cures?|cured|gets?\ rid\ of)\ (?:(?!most\b|many\b|some\b|usually|often|generally|typically)[^.!?;\n]){{1,60}}?
        \ (?:in|within|after)\ (?:just\ |only\ |as\ few\ as\ |a\ single\ |a\ )?
        (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a\ few|few|single)
        \ (?:sessions?|treatments?|visits?|appointments?|days?|weeks?|months?|minutes?|hours?|consultations?|injections?|doses?)
      | (?:cures?|cured|heals?|healed)\ {_P100}\ of
      | {_P100}\ of\ (?:\w+\ )?(?:patients|cases|people|participants|users|clients)\ (?:\w+\ )?(?:are|were|get|got)\ (?:cured|healed)
    )(?![\w])"""
)

# Matched at the end of the claim: "… n'existe pas", "… n'a été observé" (a study's
# finding), a question, "guérit-il".
_DENIED_AFTER = re.compile(
    r"[^.!?;\n]{0,40}?(?:n'existe|n'est pas|ne sont pas|est un mythe|sont des mythes|"
    r"does ?n[o']t exist|is a myth|are myths|est impossible|illusoire|"
    r"n'(?:a|ont) ete (?:observ|signal|rapport|constat|notifi|declar|detect|mis en evidence)|"
    r"(?:was|were|has been|have been) (?:observed|reported|detected|found))|[^.!:;\n]{0,30}\?|\s*-(?:t-)?(?:il|elle|ils|elles|on)(?!\w)"
)
_NOT_CURED = re.compile(r"\s+(?:pas|jamais|plus|point|que|qu')(?!\w)")  # "ne guérit pas", "ne guérit que …"
# "Détecté tôt, le cancer colorectal se guérit dans 9 cas sur 10" (INCa): a figure, not a promise.
_QUANTIFIED = re.compile(
    r"[^.!?;\n]{0,40}?(?:\d+ (?:cas |fois )?sur \d+|\d+ ?%|la plupart|majorite|souvent|frequemment|"
    r"dans (?:\w+ )?(?:des |les )?cas|plus de|davantage|most|often|more)"
)
# "Jardiner sans danger", "prendre son traitement sans risque": how to do something safely
# (prevention), not a property claimed for a treatment ("un examen sans risque").
_HOW_TO_BEFORE = re.compile(
    r"(?<![\w'])(?!(?:cancer|laser|dossier|hiver|premier|dernier|quartier|fichier|clavier|centre|membre|chambre|"
    r"procedure|structure|cure|offre|lettre|notre|votre|autre|entre|contre)\b)"
    r"(?:\w+(?:er|ir)|\w*(?:prendre|faire|vivre|boire|suivre|conduire|lire|mettre|dire))(?:\s+[\w']+){0,3}?\s*$"
)
_HUNDRED = re.compile(rf"(?x){_P100}|\b(?:tous|toutes)\ (?:les|nos|ses)\ (?:patients|malades|cas|personnes)")
# "100 % des patients sont guéris", "tous les patients guérissent": an absolute in the same sentence.
_ALL_CURED = re.compile(
    rf"""(?x)(?<![\w-])(?:{_P100}|tous|toutes)\ (?:des\ |les\ |nos\ |de\ nos\ )(?:\w+\ ){{0,2}}?
    (?:patients|patientes|malades|cas|personnes|participants|participantes|enfants|utilisateurs|beneficiaires)
    [^.!?;\n]{{0,40}}?(?<![\w-])(?:sont\ |ont\ ete\ |seront\ |en\ sortent\ )?(?:gueri(?:e|s|es|ssent|ront)|guerison)(?![\w])"""
)


def _overlap(one: re.Match[str], other: re.Match[str]) -> bool:
    return one.start() < other.end() and other.start() < one.end()


def _figure_after(folded: str, end: int) -> bool:
    """A figure after "guérit" makes a statistic ("9 cas sur 10"), unless it is 100 %: "guérit
    100 % des patients" is the absolute claim itself."""
    figure = _QUANTIFIED.match(folded, end)
    return figure is not None and not _HUNDRED.search(figure.group())


def _absolute_claims(text: str) -> Iterator[tuple[int, int]]:
    if without_stems(_ABSOLUTE_GATE, text):
        return
    folded = fold(text)
    matches = list(_ABSOLUTE.finditer(folded))
    if "cure" in folded or "rid of" in folded:
        matches += [m for m in _ENGLISH_CURE.finditer(folded) if not any(_overlap(m, other) for other in matches)]
        matches.sort(key=lambda match: match.start())
    for match in matches:
        start, end = match.span()
        before = sentence_before(folded, start)
        if DENIED_BEFORE.search(before) or _DENIED_AFTER.match(folded, end):
            continue
        if match.groupdict().get("safe") and _HOW_TO_BEFORE.search(before):
            continue
        if "gueri" in match.group() and (_figure_after(folded, end) or _NOT_CURED.match(folded, end)):
            continue
        yield start, end
    for match in _ALL_CURED.finditer(folded) if "gueri" in folded else ():
        start, end = match.span()
        before = sentence_before(folded, start)
        if not (DENIED_BEFORE.search(before) or _DENIED_AFTER.match(folded, end)):
            yield start, end


@rule("claim-absolute", Severity.ERROR)
def claim_absolute(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A promise of certain cure, total efficacy or zero risk.

    Checks:
      Every published text (text, variants, thread, alt texts) for wording that presents
      a result as certain or a treatment as harmless: guérit, guérison garantie/assurée,
      miracle/miraculeux, 100 % efficace, efficace à 100 %, 100 % de guérison, sans
      risque, zéro risque, risque zéro, aucun danger, sans danger, inoffensif, sans effets
      secondaires/indésirables, infaillible, efficacité/résultats garantis; in English
      cures, miracle, risk-free, no side effects, 100% effective, guaranteed results,
      completely safe, foolproof, a cure with a deadline ("cures back pain in three
      sessions"). "guérit" followed by 100 % ("guérit 100 % des patients") and "100 %
      des patients sont guéris" are absolute, not figures. Accents, capitals, typographic apostrophes and
      non-breaking spaces ("100 %") do not matter.
      Not flagged: a claim quoted to deny it ("il n'existe pas de régime miracle",
      "aucun traitement n'est sans risque", "le risque zéro n'existe pas"), a question
      ("Un traitement miracle ?"), a figure ("se guérit dans 9 cas sur 10"), and other
      uses of the same words ("remboursé à 100 %", "pris en charge à 100 %", "100 % des
      patients", "sans rendez-vous", "sans dépassement d'honoraires", "ne prenez aucun
      risque", "100 % sur rendez-vous").

    Why:
      Code de la santé publique R5122-4: public information may not suggest an assured
      effect, the absence of adverse effects, nor cite "attestations de guérison".
      R4127-13: a doctor informing the public reports only confirmed data, with
      prudence; R4127-19-1: communication must be honest and not misleading. An
      over-promise about care is also the classic "bad buzz" for a hospital.

    Fix:
      State what is known, with its limits and its source ("réduit le risque de …
      selon l'étude …", "les effets indésirables les plus fréquents sont …").

    Examples:
      flagged:  "Ce nouveau traitement guérit l'arthrose, sans effets secondaires."
      flagged:  "Une technique 100 % efficace et sans risque."
      passes:   "Ce traitement réduit la douleur chez 7 patients sur 10 (étude 2026)."
      passes:   "Il n'existe pas de régime miracle : parlez-en à votre médecin."
    """
    for field_name, text in post.texts():
        for start, end in _absolute_claims(text):
            yield Problem(f"absolute medical claim: «{text[start:end]}»", field_name, (start, end))
