"""The recipient block against La Poste's rules (reference §5)."""

from __future__ import annotations

import pytest

from lettres.postal import check_address

VALID = [
    ["Place Beauvau", "75800 PARIS CEDEX 08"],
    ["20 avenue de Ségur", "TSA 40720", "75334 PARIS CEDEX 07"],
    ["Conseil de l'Europe", "67075 STRASBOURG CEDEX"],
    [
        "Madame Christine Lazerges",
        "Présidente de la CNCDH",
        "Commission nationale consultative",
        "20 avenue de Ségur",
        "TSA 40720",
        "75334 PARIS CEDEX 07",
    ],
    ["12 bis rue de la Paix", "93200 SAINT-DENIS"],
    ["1 place de la République", "94240 L HAY LES ROSES"],
    ["BP 40", "94240 L HAY-LES-ROSES CEDEX 1"],
    ["35 rue Saint-Dominique", "75007 PARIS"],
    ["x" * 38, "75007 PARIS"],
]


@pytest.mark.parametrize("block", VALID, ids=lambda block: block[-1])
def test_valid_blocks(block: list[str]) -> None:
    assert check_address(block) == []


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            ["75800 Paris Cedex 08"],
            [(1, "la localité s'écrit en capitales : « 75800 PARIS CEDEX 08 »")],
        ),
        (
            ["Place Beauvau", "75800 Paris"],
            [(2, "la localité s'écrit en capitales : « 75800 PARIS »")],
        ),
        (
            ["Place de l'Hôtel de ville", "91000 Évry-Courcouronnes"],
            [(2, "la localité s'écrit en capitales : « 91000 EVRY-COURCOURONNES »")],
        ),
        (
            ["Place Beauvau", "75800 - PARIS CEDEX 08"],
            [
                (
                    2,
                    "pas de trait d'union entre le code postal et la localité : "
                    "« 75800 PARIS CEDEX 08 »",
                )
            ],
        ),
        (
            ["75800-PARIS"],
            [(1, "pas de trait d'union entre le code postal et la localité : « 75800 PARIS »")],
        ),
        (
            ["20, avenue de Ségur", "75007 PARIS"],
            [(1, "pas de virgule après le numéro de voie : « 20 avenue de Ségur »")],
        ),
        (
            ["12 bis , rue de la Paix", "93200 SAINT-DENIS"],
            [(1, "pas de virgule après le numéro de voie : « 12 bis rue de la Paix »")],
        ),
        (
            ["Place Beauvau", "", "75800 PARIS CEDEX 08"],
            [(2, "ligne vide dans l'adresse : la supprimer")],
        ),
        (
            ["Ministère des Affaires étrangères et du Développement", "75007 PARIS"],
            [(1, "53 caractères, 38 au plus")],
        ),
        (
            ["x" * 39, "75007 PARIS"],
            [(1, "39 caractères, 38 au plus")],
        ),
        (
            ["a", "b", "c", "d", "e", "f", "75007 PARIS"],
            [(None, "7 lignes, 6 au plus")],
        ),
        (
            ["Place Beauvau", "75800 PARIS, CEDEX 08"],
            [(2, "la dernière ligne s'écrit « 75800 PARIS CEDEX 08 »")],
        ),
        (
            ["Mairie", "94240 L'HAY-LES-ROSES"],
            [(2, "la dernière ligne s'écrit « 94240 L HAY-LES-ROSES »")],
        ),
        (
            ["Place Beauvau", "75 800 PARIS"],
            [(2, "la dernière ligne s'écrit « 75800 PARIS »")],
        ),
        (
            ["Place Beauvau", "PARIS"],
            [
                (
                    2,
                    "la dernière ligne doit donner le code postal à 5 chiffres puis la "
                    "localité en capitales, sans ponctuation (« 75800 PARIS CEDEX 08 »)",
                )
            ],
        ),
        (
            ["Place Beauvau", "7580 PARIS"],
            [
                (
                    2,
                    "la dernière ligne doit donner le code postal à 5 chiffres puis la "
                    "localité en capitales, sans ponctuation (« 75800 PARIS CEDEX 08 »)",
                )
            ],
        ),
        (
            ["Place Beauvau", ""],
            [(2, "ligne vide dans l'adresse : la supprimer")],
        ),
        ([], [(None, "adresse vide")]),
        (
            ["20, avenue de Ségur", "", "x" * 40, "d", "e", "f", "75007 Paris"],
            [
                (None, "7 lignes, 6 au plus"),
                (1, "pas de virgule après le numéro de voie : « 20 avenue de Ségur »"),
                (2, "ligne vide dans l'adresse : la supprimer"),
                (3, "40 caractères, 38 au plus"),
                (7, "la localité s'écrit en capitales : « 75007 PARIS »"),
            ],
        ),
    ],
)
def test_problems_name_the_line_and_the_fix(
    block: list[str], expected: list[tuple[int | None, str]]
) -> None:
    assert check_address(block) == expected
