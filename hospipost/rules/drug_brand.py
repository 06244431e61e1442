"""drug-brand: a medicine's brand name in a post meant for the public.

The brands live in ``data/drug_brands.txt`` ("Brand | DCI" per line), read once, on the
first check. A text is lowercased, cut into words by C-level string operations (its
UTF-8 bytes with ASCII punctuation translated to spaces, then split) and the words are
intersected with the set of brands (as written in the list, and without accents): a
clean post costs a few microseconds whatever the size of the list. Spans are computed
only for the rare posts that name a brand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from hospipost.errors import HospipostError
from hospipost.rules._text import fold, lowered_text
from hospipost.rules.contracts import Problem, Severity, rule

if TYPE_CHECKING:
    from hospipost.posts import Post
    from hospipost.rules.contracts import CheckContext

BRANDS_FILE = Path(__file__).with_name("data") / "drug_brands.txt"
_BRAND = re.compile(r"[a-z0-9à-öø-ÿœæ]{4,}")  # a listed brand, lowercased: one word of 4+ letters
_FOLDED_WORDS = re.compile(r"[a-z0-9]{4,}")
# UTF-8 bytes: ASCII punctuation and symbols become spaces; bytes >= 0x80 (accented letters) stay.
_ASCII_SEPARATORS = bytes(c if chr(c).isalnum() or c >= 0x80 else 0x20 for c in range(256))
# Non-ASCII separators, replaced before encoding: ’ ‘ NBSP, narrow NBSP, « » … – —.
_OTHER_SEPARATORS = ("\u2019", "\u2018", "\u00a0", "\u202f", "\u00ab", "\u00bb", "\u2026", "\u2013", "\u2014")


def _words(lowered: str) -> list[bytes]:
    for separator in _OTHER_SEPARATORS:
        lowered = lowered.replace(separator, " ")
    return lowered.encode("utf-8").translate(_ASCII_SEPARATORS).split()


class BrandList:
    """The curated brands: lookup keys (lowercase, with and without accents) -> (brand, DCI)."""

    def __init__(self, entries: list[tuple[str, str]]) -> None:
        self.entries = entries
        self.by_key: dict[str, tuple[str, str]] = {}
        for brand, dci in entries:
            for key in {brand.lower(), fold(brand)}:
                self.by_key[key] = (brand, dci)
        self.keys = frozenset(key.encode("utf-8") for key in self.by_key)

    @classmethod
    def parse(cls, text: str, origin: str = "drug_brands.txt") -> BrandList:
        entries = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            brand, sep, dci = (part.strip() for part in line.partition("|"))
            if not sep or not brand or not dci or not _BRAND.fullmatch(brand.lower()):
                raise ValueError(
                    f"{origin}:{number}: expected 'Brand | DCI' with a one-word brand of 4+ letters, got {raw!r}"
                )
            entries.append((brand, dci))
        return cls(entries)

    def find(self, text: str) -> Iterator[tuple[int, int, str, str]]:
        """Brand names in a text: (start, end, brand as listed, DCI)."""
        if self.keys.isdisjoint(_words(lowered_text(text))):
            return
        folded = fold(text)
        for match in _FOLDED_WORDS.finditer(folded):
            entry = self.by_key.get(match.group())
            if entry:
                yield match.start(), match.end(), entry[0], entry[1]


@cache
def brand_list() -> BrandList:
    try:
        text = BRANDS_FILE.read_text(encoding="utf-8")
    except OSError as error:  # a broken installation: say so in one line, not a traceback
        raise HospipostError(
            f"drug-brand: cannot read its list of brands {BRANDS_FILE} ({error.strerror}); reinstall hospipost"
        ) from None
    return BrandList.parse(text, str(BRANDS_FILE))


@rule("drug-brand", Severity.WARNING)
def drug_brand(post: Post, ctx: CheckContext) -> Iterator[Problem]:
    """A medicine's brand name (Doliprane, Ozempic, Gardasil …) in a post for the public.

    Checks:
      Every published text (text, variants, thread, alt texts, hashtags and links
      included) for a brand name from a curated list of about 530 medicines and
      vaccines commonly seen in France (hospipost/rules/data/drug_brands.txt), as whole
      words, whatever the capitals, with the list's accents or none (Doliprane,
      DOLIPRANE, Voltarène, Voltarene, #Ozempic, l'Advil). International
      non-proprietary names (DCI: paracétamol, ibuprofène, sémaglutide, nirsévimab) are
      not brands and are never flagged; the message gives the DCI to write instead.
      The list is curated, not complete: the full list of medicines authorised in
      France is the ANSM public database (BDPM), file CIS_bdpm.txt, with prescription
      conditions in CIS_CPD_bdpm.txt (base-donnees-publique.medicaments.gouv.fr).
      Brands that are ordinary words or first names are left out to avoid false alarms.

    Why:
      Code de la santé publique L5122-1: any information promoting the prescription,
      sale or use of a medicine is advertising; information on health and diseases is
      not, "pour autant qu'il n'y ait pas de référence même indirecte à un médicament".
      L5122-6: advertising to the public is forbidden for prescription-only or
      reimbursed medicines (1 year and €150,000); R5122-4 restricts the rest. A
      hospital post that names a brand can read as an endorsement.

    Fix:
      Write the DCI or the class ("le paracétamol", "un vaccin contre le VRS",
      "les analogues du GLP-1"); keep the brand only for a justified case (a shortage
      notice, a recall) and record it with `ignore:` and a reason.

    Examples:
      flagged:  "En cas de fièvre, prenez du Doliprane."
      passes:   "En cas de fièvre, le paracétamol peut être pris en respectant les doses."
    """
    brands = brand_list()
    for field_name, text in post.texts():
        for start, end, _, dci in brands.find(text):
            yield Problem(f"medicine brand name: «{text[start:end]}» (write the DCI: {dci})", field_name, (start, end))
