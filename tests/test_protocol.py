"""Appellation and closing formula: every row of the reference table (§1), written out by hand."""

from __future__ import annotations

import pytest

from lettres import protocol
from lettres.protocol import Gender, Noun, Verb, Voice

# category, masculine appellation, feminine appellation, degree — copied from the reference.
TABLE = [
    (
        "president-republique",
        "Monsieur le Président de la République",
        "Madame la Présidente de la République",
        "très haute considération",
    ),
    (
        "premier-ministre",
        "Monsieur le Premier ministre",
        "Madame la Première ministre",
        "très haute considération",
    ),
    ("ministre", "Monsieur le Ministre", "Madame la Ministre", "très haute considération"),
    ("secretaire-etat", "Monsieur le Ministre", "Madame la Ministre", "très haute considération"),
    (
        "garde-des-sceaux",
        "Monsieur le Garde des Sceaux",
        "Madame la Garde des Sceaux",
        "très haute considération",
    ),
    ("prefet", "Monsieur le Préfet", "Madame la Préfète", "haute considération"),
    ("ambassadeur", "Monsieur l'Ambassadeur", "Madame l'Ambassadrice", "haute considération"),
    ("depute", "Monsieur le Député", "Madame la Députée", "haute considération"),
    ("senateur", "Monsieur le Sénateur", "Madame la Sénatrice", "haute considération"),
    ("maire", "Monsieur le Maire", "Madame la Maire", "haute considération"),
    ("president", "Monsieur le Président", "Madame la Présidente", "haute considération"),
    (
        "defenseur-droits",
        "Monsieur le Défenseur des droits",
        "Madame la Défenseure des droits",
        "haute considération",
    ),
    (
        "defenseur-enfants",
        "Monsieur le Défenseur des enfants",
        "Madame la Défenseure des enfants",
        "haute considération",
    ),
    (
        "secretaire-general",
        "Monsieur le Secrétaire général",
        "Madame la Secrétaire générale",
        "haute considération",
    ),
    ("coordinateur", "Monsieur le Coordinateur", "Madame la Coordinatrice", "haute considération"),
    ("directeur", "Monsieur le Directeur", "Madame la Directrice", "considération distinguée"),
    ("service", "Madame, Monsieur", "Madame, Monsieur", "salutations distinguées"),
]

# Default closing (je, "prie", "expression") for every row, in both genders.
CLOSINGS: list[tuple[str, Gender, str]] = [
    (
        "president-republique",
        "m",
        "Je vous prie d'agréer, Monsieur le Président de la République, "
        "l'expression de ma très haute considération.",
    ),
    (
        "president-republique",
        "f",
        "Je vous prie d'agréer, Madame la Présidente de la République, "
        "l'expression de ma très haute considération.",
    ),
    (
        "premier-ministre",
        "m",
        "Je vous prie d'agréer, Monsieur le Premier ministre, "
        "l'expression de ma très haute considération.",
    ),
    (
        "premier-ministre",
        "f",
        "Je vous prie d'agréer, Madame la Première ministre, "
        "l'expression de ma très haute considération.",
    ),
    (
        "ministre",
        "m",
        "Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma très haute considération.",
    ),
    (
        "ministre",
        "f",
        "Je vous prie d'agréer, Madame la Ministre, l'expression de ma très haute considération.",
    ),
    (
        "secretaire-etat",
        "m",
        "Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma très haute considération.",
    ),
    (
        "secretaire-etat",
        "f",
        "Je vous prie d'agréer, Madame la Ministre, l'expression de ma très haute considération.",
    ),
    (
        "garde-des-sceaux",
        "m",
        "Je vous prie d'agréer, Monsieur le Garde des Sceaux, "
        "l'expression de ma très haute considération.",
    ),
    (
        "garde-des-sceaux",
        "f",
        "Je vous prie d'agréer, Madame la Garde des Sceaux, "
        "l'expression de ma très haute considération.",
    ),
    (
        "prefet",
        "m",
        "Je vous prie d'agréer, Monsieur le Préfet, l'expression de ma haute considération.",
    ),
    (
        "prefet",
        "f",
        "Je vous prie d'agréer, Madame la Préfète, l'expression de ma haute considération.",
    ),
    (
        "ambassadeur",
        "m",
        "Je vous prie d'agréer, Monsieur l'Ambassadeur, l'expression de ma haute considération.",
    ),
    (
        "ambassadeur",
        "f",
        "Je vous prie d'agréer, Madame l'Ambassadrice, l'expression de ma haute considération.",
    ),
    (
        "depute",
        "m",
        "Je vous prie d'agréer, Monsieur le Député, l'expression de ma haute considération.",
    ),
    (
        "depute",
        "f",
        "Je vous prie d'agréer, Madame la Députée, l'expression de ma haute considération.",
    ),
    (
        "senateur",
        "m",
        "Je vous prie d'agréer, Monsieur le Sénateur, l'expression de ma haute considération.",
    ),
    (
        "senateur",
        "f",
        "Je vous prie d'agréer, Madame la Sénatrice, l'expression de ma haute considération.",
    ),
    (
        "maire",
        "m",
        "Je vous prie d'agréer, Monsieur le Maire, l'expression de ma haute considération.",
    ),
    (
        "maire",
        "f",
        "Je vous prie d'agréer, Madame la Maire, l'expression de ma haute considération.",
    ),
    (
        "president",
        "m",
        "Je vous prie d'agréer, Monsieur le Président, l'expression de ma haute considération.",
    ),
    (
        "president",
        "f",
        "Je vous prie d'agréer, Madame la Présidente, l'expression de ma haute considération.",
    ),
    (
        "defenseur-droits",
        "m",
        "Je vous prie d'agréer, Monsieur le Défenseur des droits, "
        "l'expression de ma haute considération.",
    ),
    (
        "defenseur-droits",
        "f",
        "Je vous prie d'agréer, Madame la Défenseure des droits, "
        "l'expression de ma haute considération.",
    ),
    (
        "defenseur-enfants",
        "m",
        "Je vous prie d'agréer, Monsieur le Défenseur des enfants, "
        "l'expression de ma haute considération.",
    ),
    (
        "defenseur-enfants",
        "f",
        "Je vous prie d'agréer, Madame la Défenseure des enfants, "
        "l'expression de ma haute considération.",
    ),
    (
        "secretaire-general",
        "m",
        "Je vous prie d'agréer, Monsieur le Secrétaire général, "
        "l'expression de ma haute considération.",
    ),
    (
        "secretaire-general",
        "f",
        "Je vous prie d'agréer, Madame la Secrétaire générale, "
        "l'expression de ma haute considération.",
    ),
    (
        "coordinateur",
        "m",
        "Je vous prie d'agréer, Monsieur le Coordinateur, l'expression de ma haute considération.",
    ),
    (
        "coordinateur",
        "f",
        "Je vous prie d'agréer, Madame la Coordinatrice, l'expression de ma haute considération.",
    ),
    (
        "directeur",
        "m",
        "Je vous prie d'agréer, Monsieur le Directeur, "
        "l'expression de ma considération distinguée.",
    ),
    (
        "directeur",
        "f",
        "Je vous prie d'agréer, Madame la Directrice, l'expression de ma considération distinguée.",
    ),
    (
        "service",
        "m",
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    ),
    (
        "service",
        "f",
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    ),
]

# Every voice × verb × noun, for a singular degree (towards a minister).
MINISTER = "Monsieur le Ministre"
HIGHEST = "très haute considération"
VARIANTS: list[tuple[Voice, Verb, Noun, str]] = [
    (
        "je",
        "prie",
        "expression",
        "Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma très haute considération.",
    ),
    (
        "je",
        "prie",
        "assurance",
        "Je vous prie d'agréer, Monsieur le Ministre, l'assurance de ma très haute considération.",
    ),
    (
        "je",
        "prie-bien-vouloir",
        "expression",
        "Je vous prie de bien vouloir agréer, Monsieur le Ministre, "
        "l'expression de ma très haute considération.",
    ),
    (
        "je",
        "prie-bien-vouloir",
        "assurance",
        "Je vous prie de bien vouloir agréer, Monsieur le Ministre, "
        "l'assurance de ma très haute considération.",
    ),
    (
        "je",
        "veuillez",
        "expression",
        "Veuillez agréer, Monsieur le Ministre, l'expression de ma très haute considération.",
    ),
    (
        "je",
        "veuillez",
        "assurance",
        "Veuillez agréer, Monsieur le Ministre, l'assurance de ma très haute considération.",
    ),
    (
        "nous",
        "prie",
        "expression",
        "Nous vous prions d'agréer, Monsieur le Ministre, "
        "l'expression de notre très haute considération.",
    ),
    (
        "nous",
        "prie",
        "assurance",
        "Nous vous prions d'agréer, Monsieur le Ministre, "
        "l'assurance de notre très haute considération.",
    ),
    (
        "nous",
        "prie-bien-vouloir",
        "expression",
        "Nous vous prions de bien vouloir agréer, Monsieur le Ministre, "
        "l'expression de notre très haute considération.",
    ),
    (
        "nous",
        "prie-bien-vouloir",
        "assurance",
        "Nous vous prions de bien vouloir agréer, Monsieur le Ministre, "
        "l'assurance de notre très haute considération.",
    ),
    (
        "nous",
        "veuillez",
        "expression",
        "Veuillez agréer, Monsieur le Ministre, l'expression de notre très haute considération.",
    ),
    (
        "nous",
        "veuillez",
        "assurance",
        "Veuillez agréer, Monsieur le Ministre, l'assurance de notre très haute considération.",
    ),
    (
        "ils",
        "prie",
        "expression",
        "Les membres du Collectif vous prient d'agréer, Monsieur le Ministre, "
        "l'expression de leur très haute considération.",
    ),
    (
        "ils",
        "prie",
        "assurance",
        "Les membres du Collectif vous prient d'agréer, Monsieur le Ministre, "
        "l'assurance de leur très haute considération.",
    ),
    (
        "ils",
        "prie-bien-vouloir",
        "expression",
        "Les membres du Collectif vous prient de bien vouloir agréer, Monsieur le Ministre, "
        "l'expression de leur très haute considération.",
    ),
    (
        "ils",
        "prie-bien-vouloir",
        "assurance",
        "Les membres du Collectif vous prient de bien vouloir agréer, Monsieur le Ministre, "
        "l'assurance de leur très haute considération.",
    ),
    (
        "ils",
        "veuillez",
        "expression",
        "Veuillez agréer, Monsieur le Ministre, l'expression de leur très haute considération.",
    ),
    (
        "ils",
        "veuillez",
        "assurance",
        "Veuillez agréer, Monsieur le Ministre, l'assurance de leur très haute considération.",
    ),
]

# A plural degree takes mes / nos / leurs, whatever the verb.
SERVICE = "Madame, Monsieur"
PLURAL = "salutations distinguées"
PLURALS: list[tuple[Voice, Verb, str]] = [
    (
        "je",
        "prie",
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    ),
    (
        "nous",
        "prie",
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    ),
    (
        "ils",
        "prie",
        "Les membres du Collectif vous prient d'agréer, Madame, Monsieur, "
        "l'expression de leurs salutations distinguées.",
    ),
    (
        "je",
        "veuillez",
        "Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    ),
    (
        "nous",
        "veuillez",
        "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    ),
    (
        "ils",
        "prie-bien-vouloir",
        "Les membres du Collectif vous prient de bien vouloir agréer, Madame, Monsieur, "
        "l'expression de leurs salutations distinguées.",
    ),
]


@pytest.mark.parametrize(("category", "masculine", "feminine", "degree"), TABLE)
def test_appellation_and_degree_follow_the_table(
    category: str, masculine: str, feminine: str, degree: str
) -> None:
    assert protocol.appellation(category, "m") == masculine
    assert protocol.appellation(category, "f") == feminine
    assert protocol.degree(category) == degree


def test_the_table_covers_every_category_and_nothing_else() -> None:
    assert list(protocol.CATEGORIES) == [row[0] for row in TABLE]


@pytest.mark.parametrize(("category", "gender", "expected"), CLOSINGS)
def test_default_closing_for_every_row(category: str, gender: Gender, expected: str) -> None:
    appellation = protocol.appellation(category, gender)
    assert protocol.closing(appellation, protocol.degree(category), "je") == expected


@pytest.mark.parametrize(("voice", "verb", "noun", "expected"), VARIANTS)
def test_every_voice_verb_and_noun(voice: Voice, verb: Verb, noun: Noun, expected: str) -> None:
    assert protocol.closing(MINISTER, HIGHEST, voice, verb, noun) == expected


@pytest.mark.parametrize(("voice", "verb", "expected"), PLURALS)
def test_plural_degree_takes_a_plural_possessive(voice: Voice, verb: Verb, expected: str) -> None:
    assert protocol.closing(SERVICE, PLURAL, voice, verb) == expected


def test_the_collective_names_itself() -> None:
    assert protocol.closing(
        "Madame la Présidente",
        "haute considération",
        "ils",
        collective="Les associations membres du Collectif « Ensemble contre la traite »",
    ) == (
        "Les associations membres du Collectif « Ensemble contre la traite » vous prient "
        "d'agréer, Madame la Présidente, l'expression de leur haute considération."
    )


def test_an_overridden_appellation_is_repeated_word_for_word() -> None:
    closing = protocol.closing("Monsieur le Rapporteur spécial", "haute considération", "je")
    assert closing == (
        "Je vous prie d'agréer, Monsieur le Rapporteur spécial, "
        "l'expression de ma haute considération."
    )


@pytest.mark.parametrize("function", [protocol.degree, lambda c: protocol.appellation(c, "f")])
def test_unknown_category_is_refused_in_french(function: object) -> None:
    assert callable(function)
    with pytest.raises(ValueError, match="catégorie de destinataire inconnue « ministre-d-etat »"):
        function("ministre-d-etat")
