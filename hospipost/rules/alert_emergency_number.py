"""alert-emergency-number: an alert that does not tell people to call 15 (SAMU) or 112.

Per audience, see ``_alerts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules._alerts import missing
from hospipost.rules._text import fold
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

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


@rule("alert-emergency-number", Severity.ERROR)
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
    yield from missing(post, _tells_to_call, "alert without the emergency number: tell people to call 15 (or 112)")
