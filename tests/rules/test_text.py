"""The rules' shared text helpers: folding keeps every offset and agrees with its plain definition."""

import random

import pytest

from hospipost.rules._text import (
    _fold_slowly,
    any_of,
    fewer_digits_than,
    fold,
    forget_texts,
    without_email_marks,
    without_links,
    without_stems,
    without_tags_or_links,
)

# Characters French posts hold, and the ones that make folding hard: accents in and out of
# Latin-1, typographic apostrophes and spaces, ligatures, emoji, other scripts, 'İ' (whose
# lowercase is two characters) and sigma (whose lowercase depends on the next letter).
POOL = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'-()%\n"
    "àâäçéèêëîïôöùûüÿÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ«»\u00a0µßæÆ°"
    "\u2019\u2018\u202f\u2009\u2011—…€œŒĀăĳŁſ"
    "😀👩‍⚕️🏥\u200dΣσςΑΒΓабв漢字İı"
)


def test_fold_lowercases_and_removes_accents_keeping_offsets():
    text = "L\u2019ÉQUIPE du Pr Lefèvre — 14\u202fh, Œuvre «\u00a0Cœur\u00a0» 😀"
    assert fold(text) == "l'equipe du pr lefevre — 14 h, ouvre « cour » 😀"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize("seed", range(20))
def test_fold_agrees_with_its_definition_on_random_text(seed):
    rng = random.Random(seed)
    for _ in range(100):
        text = "".join(rng.choice(POOL) for _ in range(rng.randint(0, 80)))
        assert fold(text) == _fold_slowly(text), text
        assert len(fold(text)) == len(text)
    forget_texts()


def test_forget_texts_empties_the_run_caches():
    fold("Un texte à oublier")
    forget_texts()
    assert fold.cache_info().currsize == 0


def test_any_of_finds_what_a_loop_of_in_tests_finds():
    words = ["plus eff", "plus sûr", "plu", "n°", "no.", "(a|b)", "meilleu", "seul", "seule", "x*y", "é"]
    gate = any_of(words)
    rng = random.Random(3)
    pool = "plus effsûrn°o.(a|b)meilleuseulex*yé "
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        assert (gate.search(text) is not None) == any(word in text for word in words), text


def test_the_bounds_rule_out_only_texts_that_cannot_match() -> None:
    assert fewer_digits_than("NIR 1 85 05 78 006", 13) and not fewer_digits_than("1 85 05 78 006 084 36", 13)
    assert fewer_digits_than("appelez le 15", 8) and not fewer_digits_than("02 41 35 36 37", 8)
    stems = any_of(["guér", "mirac"])
    assert without_stems(stems, "Une prise en charge adaptée.") and not without_stems(stems, "GUÉRISON assurée")
    assert without_links("Inscriptions à l'accueil") and not without_links("bit.ly/x")
    assert without_tags_or_links("APPEL À LA VIGILANCE") and not without_tags_or_links("#Canicule")
    assert without_email_marks("Écrivez-nous") and not without_email_marks("jean (at) gmail.com")
