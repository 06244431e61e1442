"""claim-absolute: no promise of certain cure, total efficacy or zero risk."""

from __future__ import annotations

import pytest

from hospipost.compliance import Severity
from hospipost.config import Config
from hospipost.rules import all_rules
from tests.helpers import findings, post_with

NEWS = "Le service de rhumatologie du CHU d'Angers propose une nouvelle prise en charge. {} Renseignements auprès du secrétariat."


def excerpts(config: Config, rule: str, text: str, **changes) -> list[str]:
    return [f.excerpt for f in findings(config, post_with(text=text, **changes), rule=rule)]


def test_severity_and_docs() -> None:
    rule = all_rules()["claim-absolute"]
    assert rule.severity == Severity.ERROR
    assert "R5122-4" in rule.doc or "R4127-14" in rule.doc
    assert rule.fix


@pytest.mark.parametrize(
    "sentence, claim",
    [
        ("Ce nouveau traitement guérit l'arthrose du genou.", "guérit"),
        ("Cette thérapie guérira vos migraines en trois séances.", "guérira"),
        ("Une guérison garantie grâce à notre protocole.", "guérison garantie"),
        ("GUÉRISON ASSURÉE pour les patients opérés.", "GUÉRISON ASSURÉE"),
        ("Le remède miracle contre le mal de dos.", "miracle"),
        ("Des résultats miraculeux dès la première séance.", "miraculeux"),
        ("Un vaccin 100 % efficace contre la grippe.", "100 % efficace"),
        ("Un vaccin 100\u202f% efficace contre la grippe.", "100\u202f% efficace"),
        ("Un vaccin 100% efficace contre la grippe.", "100% efficace"),
        ("Ce vaccin est efficace à 100\u00a0% chez l'adulte.", "efficace à 100\u00a0%"),
        ("Un taux de guérison de 100 % après l'opération.", "taux de guérison de 100 %"),
        ("Une technique 100 % sûre pour votre enfant.", "100 % sûre"),
        ("Un examen sans risque pour votre bébé.", "sans risque"),
        ("Une intervention sans aucun risque, réalisée en ambulatoire.", "sans aucun risque"),
        ("Zéro risque avec la chirurgie robotique.", "Zéro risque"),
        ("Le risque zéro, c'est notre engagement.", "risque zéro"),
        ("Cette opération ne présente aucun risque.", "aucun risque"),
        ("Une opération sans danger pour les seniors.", "sans danger"),
        ("Un traitement sans effets secondaires.", "sans effets secondaires"),
        ("Ce médicament n’a aucun effet indésirable.", "aucun effet indésirable"),
        ("Ce vaccin n'a pas d’effets secondaires.", "pas d’effets secondaires"),
        ("Un produit totalement inoffensif pour les enfants.", "totalement inoffensif"),
        ("Une méthode infaillible pour arrêter de fumer.", "infaillible"),
        ("Efficacité garantie dès le premier mois.", "Efficacité garantie"),
        ("Des résultats garantis en six semaines.", "résultats garantis"),
        ("Ce traitement permet de guérir définitivement le diabète.", "permet de guérir"),
        ("Une efficacité prouvée à 100 % par nos essais.", "prouvée à 100 %"),
        ("Une intervention sans le moindre risque.", "sans le moindre risque"),
        ("Notre chirurgie est garantie sans douleur et sans risque.", "sans risque"),
    ],
)
def test_absolute_claims_are_errors(config: Config, sentence: str, claim: str) -> None:
    assert excerpts(config, "claim-absolute", NEWS.format(sentence)) == [claim]


@pytest.mark.parametrize(
    "sentence, claim",
    [
        ("This new therapy cures chronic pain.", "therapy cures"),
        ("A risk-free procedure for all ages.", "risk-free"),
        ("A 100% effective vaccine, available now.", "100% effective"),
        ("No side effects, no downtime.", "No side effects"),
        ("Guaranteed results after two sessions.", "Guaranteed results"),
        ("The procedure is completely safe.", "completely safe"),
        ("A foolproof way to lose weight.", "foolproof"),
    ],
)
def test_absolute_claims_in_english(config: Config, sentence: str, claim: str) -> None:
    assert excerpts(config, "claim-absolute", sentence) == [claim]


@pytest.mark.parametrize(
    "text",
    [
        "Les soins dentaires sont remboursés à 100 % pour les enfants.",
        "Votre ALD est prise en charge à 100 % par l'Assurance maladie.",
        "100 % des patients ont répondu au questionnaire de satisfaction.",
        "Consultations sans rendez-vous le samedi matin.",
        "Tous nos praticiens exercent sans dépassement d'honoraires.",
        "Il n'existe pas de régime miracle : parlez-en à votre médecin traitant.",
        "Méfiez-vous des remèdes miracles vendus en ligne.",
        "Aucun traitement n'est sans risque : posez vos questions à l'équipe.",
        "Le risque zéro n'existe pas, mais la vaccination réduit fortement les formes graves.",
        "Un traitement miracle contre l'arthrose ? Les rhumatologues répondent.",
        "Détecté tôt, le cancer colorectal se guérit dans 9 cas sur 10.",
        "Les antibiotiques ne guérissent pas la grippe.",
        "Ne prenez aucun risque : en cas de malaise, appelez le 15.",
        "Consultations 100 % sur rendez-vous, en ligne ou par téléphone.",
        "Ce n'est pas sans risque : respectez les doses.",
        "Les personnes à risque et leurs facteurs de risque cardiovasculaire.",
        "Signalez tout effet indésirable à votre médecin ou à votre pharmacien.",
        "Les effets secondaires les plus fréquents du vaccin sont une douleur au point d'injection.",
        "Aucun effet indésirable grave n'a été observé chez les 40 patients de l'étude.",
        "Une cure thermale peut compléter la rééducation.",
        "L'anonymat est garanti lors du dépistage.",
        "100 % de réussite au diplôme d'État pour notre promotion d'infirmiers.",
        "Guérir parfois, soulager souvent, écouter toujours.",
        "La guérison passe aussi par la rééducation.",
        "Une équipe 100 % dédiée à la santé des adolescents.",
        "Prevention is better than cure: get vaccinated.",
        "There is no miracle cure for back pain.",
        "No treatment is risk-free: ask your doctor.",
        "Comment jardiner sans danger pendant la canicule.",
        "Profiter du soleil sans risque : chapeau, ombre et crème solaire.",
        "Sans risque de se tromper, cette journée sera réussie.",
        "Le dépistage précoce permet de guérir plus de patients.",
        "Vaccin : le risque zéro ? Non, mais un bénéfice largement supérieur.",
        "Pas de miracle : une bonne hygiène de vie reste la clé.",
        "Safe and effective vaccines save lives.",
    ],
)
def test_ordinary_wording_is_not_a_claim(config: Config, text: str) -> None:
    assert excerpts(config, "claim-absolute", text) == []


def test_every_published_text_is_scanned(config: Config) -> None:
    post = post_with(
        variants={"x": "Un traitement sans effets secondaires."},
        thread=["Une efficacité garantie."],
        media=[{"file": "media/a.png", "alt": "Affiche : un vaccin 100 % efficace.", "people": False}],
    )
    found = findings(config, post, rule="claim-absolute")
    assert sorted(f.excerpt for f in found) == ["100 % efficace", "efficacité garantie", "sans effets secondaires"]
    assert all(f.message.startswith("absolute medical claim: «") for f in found)


@pytest.mark.parametrize(
    "sentence",
    [
        "Our new clinic cures back pain in three sessions.",
        "This therapy cures migraines in just two weeks.",
        "Acupuncture can cure your insomnia in 3 sessions.",
        "Our programme cured tinnitus after only four sessions!",
        "Our clinic gets rid of back pain in just 3 visits.",
        "Our programme cured 100% of patients.",
        "100% of our patients were cured.",
    ],
)
def test_english_cure_claims_are_errors(config: Config, sentence: str) -> None:
    assert excerpts(config, "claim-absolute", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Ce traitement guérit 100 % des patients.",
        "Notre méthode guérit 100% des cas de migraine.",
        "Cette cure guérit l'insomnie chez 100 % des participants.",
        "Ce protocole guérit dans 100 % des cas.",
        "100 % des patients sont guéris après trois séances.",
        "Avec cette cure, tous les patients guérissent en un mois.",
    ],
)
def test_cure_with_one_hundred_percent_in_the_sentence_is_absolute(config: Config, sentence: str) -> None:
    assert excerpts(config, "claim-absolute", sentence)


@pytest.mark.parametrize(
    "text",
    [
        "There is no cure for Alzheimer's disease yet; research continues.",
        "Researchers are looking for a cure for cancer.",
        "Antibiotics cure most infections in a week.",
        "A sprain heals completely in six weeks.",
        "Most patients are cured within five years of treatment, according to the study.",
        "Détecté tôt, ce cancer se guérit dans 9 cas sur 10.",
        "100 % des soignants sont mobilisés pour la campagne de vaccination.",
        "Remboursé à 100 %, ce traitement soigne l'hypertension.",
        "Les patients guéris témoignent ; 100 % des dons vont à la recherche.",
        "Il n'est pas vrai que 100 % des patients sont guéris : méfiez-vous des promesses.",
    ],
)
def test_cure_wording_without_a_promise_passes(config: Config, text: str) -> None:
    assert excerpts(config, "claim-absolute", text) == []
