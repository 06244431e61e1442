"""alert-canicule-line: a heat-wave post without the Canicule info service number.

Per audience, see ``_alerts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hospipost.rules._alerts import audiences_of, missing
from hospipost.rules._text import lowered_text
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

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


@rule("alert-canicule-line", Severity.WARNING)
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
    audiences = audiences_of(post)
    if not any(_is_heat_wave(text) for _, _, text in audiences):
        return
    yield from missing(
        post, _has_canicule_line, "heat-wave post without the Canicule info service number 0 800 06 66 66"
    )
