"""Health alerts: the emergency number, the heat-wave line, an official link, an expiry.

An alert is read on each network as that network receives it: its variant (or the main
text) followed by the thread. So each check runs per "audience": the main text for the
networks without a variant, and each variant. A problem common to every audience is
reported once; otherwise it names the network that misses it. Alt texts do not count:
only screen-reader users would hear them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from hospipost.rules._text import find_urls, fold, host_matches, lowered_text, url_host
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext


def _audiences(post: Post) -> list[tuple[str, tuple[str, ...], str]]:
    """(field, networks, what those networks receive) for each distinct published text."""
    thread = "\n\n".join(post.thread)
    networks = tuple(post.networks)
    main_networks = tuple(n for n in networks if n not in post.variants) if networks else ()
    audiences = []
    if main_networks or not networks or not post.variants:
        audiences.append(("text", main_networks, post.text + "\n\n" + thread if thread else post.text))
    for network, variant in post.variants.items():
        if not networks or network in networks:
            audiences.append((f"variants.{network}", (network,), variant + "\n\n" + thread if thread else variant))
    return audiences


def _missing(post: Post, has_it: Callable[[str], bool], message: str) -> Iterator[Problem]:
    """One problem if no audience has it, else one per network that misses it."""
    audiences = _audiences(post)
    missing = [(field, nets) for field, nets, text in audiences if not has_it(text)]
    if not missing:
        return
    if len(missing) == len(audiences):
        yield Problem(message, None)
        return
    for field, nets in missing:
        for network in nets:
            yield Problem(f"{message} (on {network})", field, network=network)


# --- alert-emergency-number ---------------------------------------------------------

_MONTHS = "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
# 15 or 112 as a number to call, not "15 juillet", "15 %", "15 h", "15 degrés", "15 ans".
_NUMBER = (
    r"(?:15|112)(?![\d,.]?\d)(?!\s*(?:%|°|h\b|h\d|heures?\b|hrs?\b|degres|min\b|minutes?|mn\b|ans\b|jours?\b|"
    rf"km\b|kg\b|mg\b|ml\b|m\b|euros?\b|€|years?\b|days?\b|(?:er\s)?(?:{_MONTHS})\b))"
)
_EMERGENCY = re.compile(
    rf"""(?x)
    (?<![\w-])(?:
        # appelez le 15, composez le 112, faites le 15, appel au 15, call 112
        (?:appel\w*|compos\w*|fai(?:tes|re|s)|contact\w*|joindre|joignez|telephon\w*|sonnez|
           call(?:ing)?|dial(?:ling)?|ring|phone|text)
        (?:\s+(?:immediatement|vite|rapidement|directement|sans\s+attendre|sans\s+tarder|tout\s+de\s+suite|
               d'urgence|en\s+urgence|immediately|right\s+away|now))?
        \s+(?:le\s+|au\s+|du\s+|the\s+)?(?:numero\s+|number\s+)?
        (?:(?:samu|centre)\s*(?:-?\s*centre\s*)?(?:au\s+|\(|:|-|–)?\s*)?
        {_NUMBER}
        # SAMU : 15, SAMU (15), SAMU-Centre 15, SAMU au 15, centre 15
      | (?:samu|centre)\s*(?:-?\s*centre\s*)?(?:\(|:|-|–|=|,|au\b)?\s*{_NUMBER}
        # le 15 (SAMU), le 15 ou le 112
      | (?:le|au)\s+{_NUMBER}\s*(?:\(|-|–|:|,)?\s*(?:samu|urgences?|secours|ou\s+(?:le\s+)?(?:15|112)\b)
        # le 15 est joignable 24 h/24, le 15 répond
      | le\s+{_NUMBER}\s+(?:est\s+|reste\s+)?(?:joignable|disponible|a\s+votre\s+ecoute|repond)
        # Urgence : 15, en cas d'urgence, le 15, numéro d'urgence : 112, emergency: 112
      | (?:urgences?(?:\s+vitales?|\s+medicales?)?|numeros?\s+d'urgence|en\s+cas\s+d'urgence|vite|emergency|emergencies)
        \s*(?::|=|-|–|,|\?)?\s*(?:(?:le|au|composez\s+le|appelez\s+le|call|dial)\s+)?{_NUMBER}
    )
    """
)


def _tells_to_call(text: str) -> bool:
    return _EMERGENCY.search(fold(text)) is not None


@rule(
    "alert-emergency-number",
    Severity.ERROR,
    fix='Add the call to action, e.g. "En cas de malaise ou d\'urgence, appelez le 15 (ou le 112)."',
)
def alert_emergency_number(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """An alert that does not tell people to call 15 (SAMU) or 112.

    Checks:
      A post with `kind: alert` must say, in what each network receives (its text or
      variant, and the thread), to call 15 or 112: "appelez le 15", "composez le 15",
      "faites le 15", "appel au 15", "le 15 (SAMU)", "SAMU : 15", "SAMU-Centre 15",
      "en cas d'urgence : 15 ou 112", "call 112", "dial 15". A bare 15 that is a date, a
      time, a share or a temperature ("15 juillet", "15 h", "15 %", "15 degrés") does not
      count. When one network's variant lacks it, that network is named. The 114 (by
      SMS, for deaf and hard-of-hearing people) is welcome in addition, not instead.

    Why:
      "En cas d'urgence ou de malaise, il est recommandé d'appeler le 15" (ministère de la
      Santé); the ministère de l'Intérieur: "Appelez immédiatement le 15 si vous voyez
      quelqu'un victime d'un malaise". 15 is the SAMU, 112 the European emergency number
      (ARCEP list of free emergency numbers). A health alert without it leaves readers
      without the one action that saves lives.

    Fix:
      Add a sentence such as "En cas de malaise, appelez le 15 (ou le 112)." to the text
      and to each network's variant.

    Examples:
      flagged:  "Épidémie de bronchiolite : les urgences pédiatriques sont très sollicitées."
      passes:   "Épidémie de bronchiolite : en cas de difficulté à respirer, appelez le 15."
    """
    if post.kind != "alert":
        return
    yield from _missing(post, _tells_to_call, "alert without the emergency number: tell people to call 15 (or 112)")


# --- alert-canicule-line ------------------------------------------------------------

# Matched on the lowercased text (accents in classes, \s for non-breaking spaces): a
# heat-wave word is rare enough that folding the whole text would cost more than it saves.
_HEAT = re.compile(
    r"""(?x)
    (?<![\w-])(?:
        (?:fortes?|grandes?|tr[eè]s\s+fortes?|extr[eê]mes?|intenses?)\s+chaleurs?
      | chaleurs?\s+(?:extr[eê]mes?|intenses?|[eé]crasantes?)
      | (?:vagues?|[eé]pisodes?|pics?|coups?)\s+de\s+(?:forte\s+)?chaleur
      | plan\s+(?:grand(?:e|es)?\s+)?chaleurs?
      | heat\s?waves?|extreme\s+heat|heat\s?stroke|hot\s+weather
    )(?!\w)
    """
)
# 0 800 06 66 66 in any spacing: 0800066666, 0 800 06 66 66, 0800.06.66.66, +33 800 06 66 66.
_CANICULE_LINE = re.compile(r"(?<![\d+])(?:0|\+33\s*(?:\(0\)\s*)?)[\s.\-]*800[\s.\-]*06[\s.\-]*66[\s.\-]*66(?!\d)")


def _is_heat_wave(text: str) -> bool:
    lowered = lowered_text(text)
    if "canicul" in lowered:  # canicule, caniculaire: always about a heat wave
        return True
    return ("chaleur" in lowered or "heat" in lowered or "hot weather" in lowered) and _HEAT.search(lowered) is not None


def _has_canicule_line(text: str) -> bool:
    return "800" in text and _CANICULE_LINE.search(text) is not None


@rule(
    "alert-canicule-line",
    Severity.WARNING,
    fix='Add "Canicule info service : 0 800 06 66 66 (appel gratuit)".',
)
def alert_canicule_line(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A heat-wave post without the Canicule info service number 0 800 06 66 66.

    Checks:
      While `compliance.canicule_line_active` is true in config.yaml, any post (whatever
      its kind) that talks about a heat wave (canicule, caniculaire, fortes/grandes
      chaleurs, vague/épisode/pic/coup de chaleur, plan grand chaleur, heatwave,
      extreme heat) must give the national line 0 800 06 66 66, written with any spacing
      (0800066666, 0 800 06 66 66, 0800 06 66 66, +33 800 06 66 66), in what each network
      receives. With `canicule_line_active: false` the rule is silent.

    Why:
      Canicule info service (Santé publique France) is free from a landline and opened
      by the DGS per episode, from the first heat wave; its hours change from year to
      year, so do not write them from memory (9h-19h in 2022-2023, 8h-19h in 2025).

    Fix:
      Add "Canicule info service : 0 800 06 66 66 (appel gratuit)" to the text and to
      each network's variant.

    Examples:
      flagged:  "Fortes chaleurs : buvez de l'eau régulièrement et fermez les volets."
      passes:   "Fortes chaleurs : buvez régulièrement. Canicule info service : 0 800 06 66 66."
    """
    if not ctx.config.compliance.canicule_line_active:
        return
    audiences = _audiences(post)
    if not any(_is_heat_wave(text) for _, _, text in audiences):
        return
    yield from _missing(
        post, _has_canicule_line, "heat-wave post without the Canicule info service number 0 800 06 66 66"
    )


# --- alert-official-link ------------------------------------------------------------


@rule(
    "alert-official-link",
    Severity.WARNING,
    fix="Link to the official page behind the alert (santepubliquefrance.fr, ARS, Météo-France, the hospital's site).",
)
def alert_official_link(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """An alert without a link to an official source.

    Checks:
      A post with `kind: alert` must carry, in what each network receives, a link whose
      host is one of `compliance.official_domains` in config.yaml or a subdomain of one
      (www.santepubliquefrance.fr, pays-de-la-loire.ars.sante.fr …), with or without
      https://. A link elsewhere, or a shortened link, does not count.

    Why:
      Santé publique France publishes the reference advice for each alert (heat waves,
      epidemics); the Ordre des médecins' charter for health information asks for
      sources and references. A link lets readers check and find the updates; the
      Météo-France vigilance map changes at least twice a day.

    Fix:
      Add the official page, e.g. https://www.santepubliquefrance.fr/… or the
      hospital's own page, to the text and to each network's variant.

    Examples:
      flagged:  "Vigilance canicule orange : … appelez le 15." (no link)
      passes:   "… Les bons gestes : https://www.santepubliquefrance.fr/determinants-de-sante/climat/fortes-chaleurs-canicule"
    """
    if post.kind != "alert":
        return
    domains = ctx.config.compliance.official_domains

    def has_official_link(text: str) -> bool:
        return any(host_matches(url_host(url), domains) for _, _, url in find_urls(text))

    message = "alert without a link to an official source"
    if not domains:
        message += " (no official_domains in config.yaml's compliance section)"
    yield from _missing(post, has_official_link, message)


# --- alert-expiry -------------------------------------------------------------------


@rule(
    "alert-expiry",
    Severity.ERROR,
    fix="Give the alert `valid_until:` (when its advice stops being true), after its `at:`.",
)
def alert_expiry(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """An alert without an expiry (`valid_until`), or scheduled at or after it.

    Checks:
      A post with `kind: alert` must have `valid_until:`, the time after which it is
      never published (the publisher refuses it then, whatever the late window). Its
      `at:` must be before `valid_until`: an alert scheduled at or after its expiry can
      never go out.

    Why:
      An alert is true for one episode: the Météo-France vigilance map is updated at
      least at 6h and 16h, Canicule info service is opened per episode. An alert
      published late, after the episode, misinforms and wears out the public's
      attention for the next one.

    Fix:
      Add `valid_until: 2027-07-21 19:00` (local time), the end of the episode or of the
      vigilance level the alert is about; check that `at:` comes before it.

    Examples:
      flagged:  kind: alert, at: 2027-07-19 09:00, no valid_until
      flagged:  at: 2027-07-19 09:00, valid_until: 2027-07-18 19:00
      passes:   at: 2027-07-19 09:00, valid_until: 2027-07-21 19:00
    """
    if post.kind != "alert":
        return
    if post.valid_until is None:
        yield Problem("alert without `valid_until:` (when it stops being published)", None)
    elif post.at is not None and post.at >= post.valid_until:
        at = ctx.local(post.at).strftime("%Y-%m-%d %H:%M")
        until = ctx.local(post.valid_until).strftime("%Y-%m-%d %H:%M")
        yield Problem(
            f"alert scheduled at {at}, at or after its valid_until {until}: it can never be published", "valid_until"
        )
