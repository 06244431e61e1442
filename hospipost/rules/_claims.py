"""What the claim rules share: how a claim quoted to be denied is recognised.

Detection runs in two steps so that a clean post costs a few microseconds: a cheap
prefilter on the lowercased text (stems with their accented forms), then, only when a
stem is present, the precise patterns on the folded text (lowercase, no accents, plain
apostrophes and spaces, same offsets as the original; see ``_text.fold``). Patterns are
written in folded form: "guérison" is ``guerison``, "cœur" is ``cour``.
"""

from __future__ import annotations

import re

# A claim quoted to be denied is prevention, not promotion: "il n'existe pas de remède
# miracle", "aucun traitement n'est sans risque", "le risque zéro n'existe pas".
DENIED_BEFORE = re.compile(
    r"(?<![\w'])(?:pas|aucun|aucune|jamais|ni|mefiez|mefie|mefiance|mefier|attention|gare|prudence|"
    r"mythes?|faux|fausses?|idees? recues?|fake|no|not|never|beware|myths?|false|isn't|aren't|doesn't|don't|"
    r"careful|wary)(?![\w'])"
)

_CLAUSE_START = re.compile(r"[.!?;:\n«»\"()]")


def sentence_before(folded: str, start: int, width: int = 45) -> str:
    before = folded[max(0, start - width) : start]
    cut = max((m.end() for m in _CLAUSE_START.finditer(before)), default=0)
    return before[cut:]
