"""Names of people as a team writes them: "C. Dupuis", "c.dupuis", "claire.dupuis@chu-angers.fr"."""

from __future__ import annotations

import re
from functools import lru_cache

from hospipost.rules._text import fold

_SEPARATORS = re.compile(r"[\s._\-'’]+")


@lru_cache(maxsize=4096)  # a team has a handful of authors and approvers
def person_key(name: str) -> tuple[str, ...]:
    """A name as comparable tokens: "C. Dupuis", "c.dupuis", "c_dupuis@chu-angers.fr" -> ("c", "dupuis")."""
    name = fold(name.strip()).split("@", 1)[0]
    return tuple(token for token in _SEPARATORS.split(name) if token)


@lru_cache(maxsize=4096)
def same_person(first: str, second: str) -> bool:
    """Whether two ways of writing a name designate the same person.

    Equal once case, accents, spaces, dots, underscores and hyphens are ignored
    ("C. Dupuis" = "c.dupuis" = "cdupuis"); the same words in another order ("Dupuis
    Claire" = "claire.dupuis"); an initial for a first name ("c.dupuis" = "Claire Dupuis").
    """
    a, b = person_key(first), person_key(second)
    if not a or not b:
        return False
    if "".join(a) == "".join(b) or sorted(a) == sorted(b):
        return True
    return _initial_match(a, b) or _initial_match(b, a)


def _initial_match(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """("c", "dupuis") and ("claire", "dupuis"), in either order of first and last name."""
    if len(short) != 2 or len(full) != 2:
        return False
    for initial, surname in (short, short[::-1]):
        if len(initial) == 1 and len(surname) > 1:
            for given, family in (full, full[::-1]):
                if family == surname and given.startswith(initial) and len(given) > 1:
                    return True
    return False
