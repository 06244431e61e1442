"""pii-patient-name: a named person in a care context."""

from __future__ import annotations

import pytest

from hospipost.rules import all_rules
from hospipost.rules.pii_patient_name import find_patient_names
from tests.helpers import consent_record, findings, make_consents, make_posts, post_with

RULE = "pii-patient-name"

FLAGGED = [
    ("M. Dupont, hospitalisé en réanimation, remercie les équipes.", "M. Dupont"),
    ("Jeanne Martin, 84 ans, a été opérée hier en chirurgie cardiaque.", "Jeanne Martin"),
    ("Visite surprise pour la patiente Mme Leroy en gériatrie.", "patiente Mme Leroy"),
    ("Soignée en pédiatrie, la petite Lina a retrouvé le sourire.", "la petite Lina"),
    ("Hospitalisé·e depuis trois semaines, Lucas remercie le service.", "Lucas"),
    ("Mme Durand est toujours en réanimation, ses proches remercient l’équipe.", "Mme Durand"),
    ("Bébé Léo, né prématuré, a été pris en charge en néonatologie.", "Bébé Léo"),
    ("Jean-Pierre Durand, greffé du rein en 2025, témoigne.", "Jean-Pierre Durand"),
    ("Zélie Poirier, 84 ans, hospitalisée en gériatrie, fête Noël avec nous.", "Zélie Poirier"),
    ("Notre patiente, Madame Leroy, a été prise en charge aux urgences.", "Madame Leroy"),
    ("Emma, 6 ans, atteinte d'une leucémie, est suivie en oncologie pédiatrique.", "Emma"),
    ("M. Bernard Lefèvre, décédé dans le service, était un homme généreux.", "M. Bernard Lefèvre"),
    ("Le jeune Tom a été opéré du cœur avec succès.", "Le jeune Tom"),
    ("Mr Smith, admitted to intensive care last week, thanks the team.", "Mr Smith"),
    ("John Smith, 67, underwent heart surgery at the CHU.", "John Smith"),
    ("M. DUPONT, opéré·e de la hanche, remarche.", "M. DUPONT"),
    ("Merci à l’équipe : Mme\u00a0Leroy, opérée hier, remarche.", "Mme\u00a0Leroy"),
    ("« Lucas, hospitalisé depuis lundi, va mieux », nous écrit sa maman.", "Lucas"),
]

PASSING = [
    "La maladie d'Alzheimer touche plus d'un million de patients en France.",
    "Les patients atteints de la maladie de Parkinson ou de Crohn sont suivis en consultation.",
    "La maladie de Charcot : une journée d'information pour les patients et les aidants.",
    "Le Pr Martin, chef du service de cardiologie, présente la nouvelle salle hybride aux patients.",
    "Le Dr Leroy a opéré en urgence un patient victime d'un accident.",
    "Louis Pasteur a ouvert la voie aux vaccins dont nos patients bénéficient.",
    "L'hôpital Larrey accueille les patients hospitalisés en gériatrie.",
    "Sainte-Anne accueille les patients hospitalisés en psychiatrie.",
    "Sophie, infirmière en réanimation, témoigne de son métier.",
    "Julie travaille en réanimation depuis 10 ans auprès des patients intubés.",
    "Marie Dupont, directrice des soins, rencontre les patients hospitalisés.",
    "Merci à Julie pour la prise en charge de nos patients.",
    "Octobre Rose : nos patientes témoignent de leur parcours.",
    "Le ministre de la Santé, Yannick Neuder, a rencontré des patients hospitalisés.",
    "Avec Lucie et Paul, découvrez le quotidien des enfants hospitalisés.",
    "Nos équipes ont pris en charge 1 200 patients cette année.",
    "L'Institut Gustave Roussy et le CHU unissent leurs forces pour les patients.",
    "Thomas, interne en chirurgie, raconte une garde aux urgences.",
    "Julie, membre de l’équipe de réanimation, accompagne les patients hospitalisés.",
    "Émilie, 34 ans, infirmière, témoigne de son quotidien auprès des patients opérés.",
]


@pytest.mark.parametrize("text, excerpt", FLAGGED)
def test_flags_a_named_patient(config, text: str, excerpt: str) -> None:
    found = findings(config, post_with(text=text), rule=RULE)
    assert len(found) == 1
    assert "care context" in found[0].message
    assert [text[a:b] for a, b in find_patient_names(text)] == [excerpt]


@pytest.mark.parametrize("text", PASSING)
def test_does_not_flag(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


def test_a_consented_story_can_be_ignored_with_a_reason(config) -> None:
    post = post_with(
        text="Jeanne Martin, 84 ans, a été opérée hier en chirurgie cardiaque.",
        ignore=[{"rule": RULE, "reason": "témoignage, consentement écrit DAI-2027-031"}],
    )
    [found] = findings(config, post, rule=RULE)
    assert found.ignored == "témoignage, consentement écrit DAI-2027-031"
    assert "Martin" not in (found.excerpt or "")


def test_alt_text_is_scanned(config) -> None:
    post = post_with(
        media=[
            {
                "file": "media/photo.png",
                "alt": "Mme Leroy, hospitalisée en cardiologie, sourit.",
                "people": True,
                "consent": "DAI-2027-002",
            }
        ]
    )
    [found] = findings(config, post, rule=RULE)
    assert found.rule == RULE


def test_documentation_examples(config) -> None:
    doc = all_rules()[RULE].doc
    for reference in ("Limits", "R4127-4"):
        assert reference in doc
    flagged = doc.split('flagged: "')[1].split('"\n')[0]
    passes = doc.split('passes:  "')[1].split('"\n')[0]
    assert findings(config, post_with(text=flagged), rule=RULE)
    assert not findings(config, post_with(text=passes), rule=RULE)


@pytest.mark.parametrize(
    "text, name",
    [
        # English: a named patient with an age and a ward
        ("John Smith, 67, from Ward 4B is doing well after his surgery.", "John Smith"),
        ("Margaret Jones, aged 82, on Oak Ward, thanks the nursing team.", "Margaret Jones"),
        ("Thank you to Emily Clarke (34) on the maternity ward for sharing her story.", "Emily Clarke"),
        ("Tom Baker, 9 years old, spent Christmas on the children's ward.", "Tom Baker"),
        ("Doris Walker, 91, has been on our stroke ward since Monday.", "Doris Walker"),
        ("Mr Patel, 58, on Ward 12, says the food is great.", "Mr Patel"),
        # French: followed in a sensitive service, without the usual care verbs
        ("Karim, 32 ans, fréquente notre centre d'addictologie depuis deux ans.", "Karim"),
        ("Merci à Julien pour son témoignage sur son parcours en addictologie.", "Julien"),
        ("Sophie, 45 ans, vit avec le VIH depuis dix ans et témoigne.", "Sophie"),
        ("Thomas Durand raconte ses années en psychiatrie.", "Thomas Durand"),
        ("Rencontre avec Marc, accompagné par l'équipe de l'unité d'alcoologie.", "Marc"),
        ("Nathalie, en cure de désintoxication, nous écrit une belle lettre.", "Nathalie"),
        ("Lucas, 8 ans, en oncologie pédiatrique depuis septembre, a reçu la visite des pompiers.", "Lucas"),
        ("Mme Leroy, venue au CSAPA pour la première fois l'an dernier, partage son expérience.", "Mme Leroy"),
        # a nursing home's "doyenne" is its oldest resident, not a title
        ("Madeleine, doyenne de l'EHPAD Les Tilleuls, est décédée à 107 ans.", "Madeleine"),
    ],
)
def test_flags_named_patients_in_english_and_in_sensitive_services(config, text: str, name: str) -> None:
    assert [text[a:b] for a, b in find_patient_names(text)] == [name]
    assert len(findings(config, post_with(text=text), rule=RULE)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Our ward 4B team of 12 nurses celebrated 10 years of the unit.",
        "Dr Sarah Jones, 45, consultant on Ward 7, gave a talk.",
        "Nurse Amy Wilson, 29, works on the children's ward.",
        "Sophie, infirmière en psychiatrie depuis 20 ans, part à la retraite.",
        "Julie travaille en addictologie depuis 2019.",
        "Le Dr Martin, addictologue, répond à vos questions.",
        "Journée portes ouvertes du service d'oncologie samedi.",
        "Le Pr Jean Dupuis, chef du service d'oncologie, présente l'essai.",
        "Madeleine, doyenne de la faculté de médecine, inaugure l'amphithéâtre.",
    ],
)
def test_staff_and_services_alone_are_not_patients(config, text: str) -> None:
    assert findings(config, post_with(text=text), rule=RULE) == []


# --- a post that declares consent: (the register, consents.yaml) -----------------------------

STORY = "Jeanne Martin, 84 ans, a été opérée hier en chirurgie cardiaque."
NO_NAME = "Une patiente de 84 ans raconte son opération en chirurgie cardiaque et remercie l'équipe."


def story_findings(config, record: str | None, *, text: str = STORY, consent: str = "C-2026-031") -> list:
    if record is not None:
        make_consents(config, "consents:\n" + record)
    return findings(config, post_with(text=text, consent=consent), rule=RULE)


def test_a_story_with_a_valid_consent_covering_the_name_passes(config) -> None:
    assert story_findings(config, consent_record("C-2026-031", covers="[name]")) == []


def test_a_testimony_without_a_name_needs_a_consent_covering_testimony_or_name(config) -> None:
    assert story_findings(config, consent_record("C-2026-031", covers="[testimony]"), text=NO_NAME) == []
    [found] = story_findings(config, consent_record("C-2026-031", covers="[images]"), text=NO_NAME)
    assert found.message == (
        "The post declares a consent but consent C-2026-031 does not cover naming the person or testimony"
        " (it covers images)."
    )
    [post] = make_posts(config, post_with(text=NO_NAME, consent="C-2026-031"))
    assert found.severity.value == "error" and found.line == post.lines["consent"]  # at the post's consent:


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (consent_record("C-2026-031", covers="[images, testimony]"), "does not cover naming the person"),
        (consent_record("C-2026-031", withdrawn_on="2026-11-10"), "was withdrawn on 2026-11-10"),
        (consent_record("C-2026-031", valid_until="2026-11-30"), "is valid until 2026-11-30"),
        (consent_record("C-2026-031", networks="[facebook]"), "does not cover x, mastodon, bluesky, linkedin"),
        (consent_record("C-2099-001"), "consent C-2026-031 is not in consents.yaml"),
    ],
    ids=["covers", "withdrawn", "expired", "networks", "unknown"],
)
def test_a_story_whose_consent_does_not_hold_is_reported_with_its_name(config, record: str, message: str) -> None:
    name, consent = story_findings(config, record)  # in line order: text, then consent:
    assert consent.severity.value == "error" and message in consent.message
    assert name.severity.value == "error" and "care context" in name.message
    assert "Jeanne" not in consent.message and "Martin" not in consent.message
    assert "Martin" not in (name.excerpt or "")


def test_without_a_register_the_consent_is_a_warning_and_the_name_still_an_error(config) -> None:
    found = story_findings(config, None)
    assert [(f.severity.value, f.message.split(":")[0]) for f in found] == [
        ("error", "The text names a person in a care context, who may be an identifiable patient."),
        ("warning", "The post declares a consent but consent C-2026-031 cannot be verified"),
    ]


def test_a_post_consent_is_a_post_field_and_kept_by_the_loader(config) -> None:
    [post] = make_posts(config, post_with(consent="C-2026-031"))
    assert post.consent == "C-2026-031" and post.lines["consent"] > post.line
