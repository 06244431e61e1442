"""drug-brand: brand names of medicines are flagged, international non-proprietary names are not."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from hospipost.rules._text import fold
from hospipost.rules.drug_brand import BRANDS_FILE, BrandList, brand_list
from tests.helpers import findings, post_with


def excerpts(config: Config, text: str, **changes) -> list[str]:
    return [f.excerpt for f in findings(config, post_with(text=text, **changes), rule="drug-brand")]


def test_severity_and_doc() -> None:
    rule = all_rules()["drug-brand"]
    assert rule.severity == Severity.WARNING
    assert "L5122-6" in rule.doc and "CIS_bdpm.txt" in rule.doc
    assert rule.fix


@pytest.mark.parametrize(
    "text, brand",
    [
        ("En cas de fièvre, prenez du Doliprane toutes les six heures.", "Doliprane"),
        ("Pas plus de 3 g de DOLIPRANE par jour chez l'adulte.", "DOLIPRANE"),
        ("Le Dafalgan et l’Efferalgan contiennent du paracétamol.", "Dafalgan"),
        ("Douleurs de règles : le Spasfon peut soulager.", "Spasfon"),
        ("Gastro-entérite : Smecta et réhydratation orale.", "Smecta"),
        ("Ne prenez pas d’Advil en cas de varicelle.", "Advil"),
        ("Le Voltarene en gel ne remplace pas un avis médical.", "Voltarene"),
        ("Le Voltarène en gel ne remplace pas un avis médical.", "Voltarène"),
        ("Anticoagulants : Xarelto, Eliquis, bien suivre le traitement.", "Xarelto"),
        ("Pénurie d'Ozempic : les patients diabétiques restent prioritaires.", "Ozempic"),
        ("Mounjaro et Wegovy ne sont pas des médicaments de confort.", "Mounjaro"),
        ("Thyroïde : le Levothyrox se prend le matin à jeun.", "Levothyrox"),
        ("Le vaccin Gardasil protège contre les papillomavirus.", "Gardasil"),
        ("Bronchiolite : le Beyfortus est proposé aux nouveau-nés.", "Beyfortus"),
        ("Covid-19 : rappel avec Comirnaty pour les plus de 65 ans.", "Comirnaty"),
        ("Immunothérapie : le Keytruda en hôpital de jour.", "Keytruda"),
        ("Asthme : gardez votre Ventoline sur vous.", "Ventoline"),
        ("Retour sur la campagne #Tamiflu de l'hiver.", "Tamiflu"),
        ("Ibuprofen vs. Nurofen: same molecule, different price.", "Nurofen"),
    ],
)
def test_brand_names_are_flagged(config: Config, text: str, brand: str) -> None:
    found = excerpts(config, text)
    assert found and found[0] == brand


def test_message_gives_the_dci(config: Config) -> None:
    found = findings(config, post_with(text="En cas de fièvre, prenez du Doliprane."), rule="drug-brand")
    assert [f.message for f in found] == ["medicine brand name: «Doliprane» (write the DCI: paracétamol)"]
    assert found[0].severity == Severity.WARNING


def test_every_brand_of_a_text_is_reported(config: Config) -> None:
    text = "Anticoagulants : Xarelto, Eliquis ou Lovenox, suivez la prescription."
    assert excerpts(config, text) == ["Xarelto", "Eliquis", "Lovenox"]


@pytest.mark.parametrize(
    "text",
    [
        "En cas de fièvre, le paracétamol peut être pris en respectant les doses.",
        "L'ibuprofène est déconseillé en cas de varicelle.",
        "Vaccination contre la grippe : les soignants se mobilisent.",
        "Le sémaglutide et le tirzépatide sont réservés aux indications de l'AMM.",
        "Le nirsévimab protège les nourrissons contre la bronchiolite.",
        "Insuline, metformine : la semaine du diabète au CHU.",
        "Les antibiotiques, c'est pas automatique.",
        "La morphine et le tramadol sont des antalgiques de palier 2 et 3.",
        "Le MEOPA aide les enfants lors des soins douloureux.",
        "Une aspirine ne remplace pas un avis médical.",
        "Diane, infirmière de nuit, raconte son métier.",
        "Les lettres de Jasmine et Léa aux soignants.",
        "Conférence HospiLike au centre de congrès d'Angers.",
        "Les Dolipranes de la pharmacie… ne sont pas un jouet.",  # a plural is not the listed word
        "Le rhinadvilien n'existe pas.",
    ],
)
def test_dci_and_ordinary_words_are_not_flagged(config: Config, text: str) -> None:
    assert excerpts(config, text) == []


def test_alt_texts_and_variants_are_scanned(config: Config) -> None:
    post = post_with(
        variants={"x": "Fièvre : Doliprane ou Efferalgan ?"},
        media=[{"file": "media/a.png", "alt": "Une boîte de Spasfon sur une table.", "people": False}],
    )
    found = findings(config, post, rule="drug-brand")
    assert sorted(f.excerpt for f in found) == ["Doliprane", "Efferalgan", "Spasfon"]


def test_the_list_is_large_well_formed_and_holds_no_dci() -> None:
    brands = brand_list()
    assert len(brands.entries) >= 150
    names = {fold(brand) for brand, _ in brands.entries}
    assert len(names) == len(brands.entries), "a brand is listed twice"
    dci = {
        "paracetamol",
        "ibuprofene",
        "aspirine",
        "tramadol",
        "morphine",
        "codeine",
        "insuline",
        "metformine",
        "amoxicilline",
        "methadone",
        "semaglutide",
        "nirsevimab",
        "levothyroxine",
        "salbutamol",
        "meopa",
        "dakin",
        "diane",
        "jasmine",
        "leeloo",
        "melatonine",
        "heparine",
        "oxygene",
        "vaccin",
    }
    assert not names & dci
    assert BRANDS_FILE.read_text(encoding="utf-8").count("CIS_bdpm.txt") >= 1


def test_malformed_list_lines_are_reported() -> None:
    with pytest.raises(ValueError, match="line.txt:2"):
        BrandList.parse("Doliprane | paracétamol\nDoliprane paracétamol\n", "line.txt")
    with pytest.raises(ValueError):
        BrandList.parse("Magné B6 | magnésium", "line.txt")
    assert list(BrandList.parse("# comment\n\nAdvil | ibuprofène\n").entries) == [("Advil", "ibuprofène")]


@pytest.mark.parametrize(
    "text, brands",
    [
        ("Feeling feverish? Calpol is not the only answer: ask your pharmacist.", ["Calpol"]),
        ("Stock up on Lemsip and Beechams before winter.", ["Lemsip", "Beechams"]),
        ("Take Anadin Extra or Nurofen for the pain.", ["Anadin", "Nurofen"]),
        ("Sudafed, Piriton and Strepsils: what's in your cupboard?", ["Sudafed", "Piriton", "Strepsils"]),
        ("Gaviscon after meals? Talk to your GP.", ["Gaviscon"]),
        ("Hay fever: Clarityn or Zirtek are antihistamines.", ["Clarityn", "Zirtek"]),
        ("Solpadeine contains codeine: ask before you buy.", ["Solpadeine"]),
    ],
)
def test_uk_over_the_counter_brands_are_flagged(config: Config, text: str, brands: list[str]) -> None:
    assert excerpts(config, text) == brands


@pytest.mark.parametrize(
    "text",
    [
        "Night nurse Amy shares her tips for sleeping after a shift.",
        "Paracetamol or ibuprofen? Ask your pharmacist which suits you.",
        "Our night nurses keep the ward running.",
    ],
)
def test_uk_generic_wording_passes(config: Config, text: str) -> None:
    assert excerpts(config, text) == []
