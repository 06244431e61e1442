"""How hospipost writes to people: every message a sentence."""

from __future__ import annotations

ENDINGS = ".!?…"


def sentence(text: str) -> str:
    """The text on one line, with a capital first letter and a full stop at the end.

    A first word that is a config key, a path or code (``networks.x.api_base``, `` `at:` ``)
    keeps its case: capitalising it would change what it names.
    """
    text = " ".join(str(text).split())
    if not text:
        return text
    if not any(mark in text.split(" ", 1)[0] for mark in "._`"):
        text = text[0].upper() + text[1:]
    return text if text[-1] in ENDINGS else text + "."
