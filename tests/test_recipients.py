from datetime import date
from pathlib import Path

import pytest

from lettres import recipients as d
from lettres.workspace import Workspace, load_workspace

REPO = Path(__file__).resolve().parent.parent

MEMBERS_2015 = [
    "Action Catholique des Femmes", "Agir Ensemble pour les Droits de l'Homme", "Amicale du Nid",
    "Armée du Salut", "Agir Contre la Prostitution des Enfants", "AFJ",
    "Association Jeunes Errants", "Association pour la Réadaptation Sociale",
    "Comité Contre l'Esclavage Moderne", "Comité Protestant évangélique pour la Dignité Humaine",
    "Congrégation des Sœurs du Bon Pasteur",
    "Conseil Français des Associations pour les Droits de l'Enfant", "ECPAT France",
    "Fédération de l'Entraide Protestante", "Fondation Scelles", "Hors la rue",
    "Justice et Paix France", "Les Champs de Booz", "Mouvement du Nid",
    "Organisation Internationale Contre l'Esclavage Moderne", "Orphelins Sans Frontières",
    "Planète Enfants", "Secours Catholique - Caritas France",
]  # fmt: skip


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return load_workspace(REPO)


def test_holders_change_with_the_date(ws: Workspace) -> None:
    pm = ws.directory.positions["premier-ministre"]
    assert d.holder_on("premier-ministre", pm, date(2016, 12, 5)).name == "Valls"
    assert d.holder_on("premier-ministre", pm, date(2016, 12, 6)).name == "Cazeneuve"


def test_no_holder_before_the_first(ws: Workspace) -> None:
    with pytest.raises(d.NoHolder, match=r"« interieur ».*2013-01-01.*Cazeneuve.*2014-04-02"):
        d.recipient(ws.directory, "interieur", date(2013, 1, 1))


def test_unknown_recipient_suggests_nearest(ws: Workspace) -> None:
    with pytest.raises(d.UnknownRecipient, match=r"« interieu ».*clés proches : interieur"):
        d.recipient(ws.directory, "interieu", date(2015, 4, 21))


def test_members_as_printed_in_april_2015(ws: Workspace) -> None:
    assert d.member_names(ws.members, date(2015, 4, 21)) == MEMBERS_2015


def test_members_in_december_2016(ws: Workspace) -> None:
    names = d.member_names(ws.members, date(2016, 12, 14))
    assert len(names) == 25
    assert names[-1] == "Secours Catholique - Caritas France"
    assert names[:3] == [
        "Action Catholique des Femmes",
        "AFJ",
        "Agir Contre la Prostitution des Enfants",
    ]
    assert "Orphelins Sans Frontières" not in names
    assert {"La Cimade", "SOS Esclaves", "Aux Captifs la Libération"} <= set(names)
    assert "Fondation Jean et Jeanne Scelles" in names and "Fondation Scelles" not in names
    body = names[:-1]
    assert body == sorted(body, key=d.fold)


def test_observer_and_candidate_are_not_members(ws: Workspace) -> None:
    assert "SOS Esclaves" not in d.member_names(ws.members, date(2015, 4, 21))
    assert "Fédération des acteurs de la solidarité" not in d.member_names(
        ws.members, date(2018, 6, 1)
    )


def test_standard_copies_of_2015(ws: Workspace) -> None:
    lines = d.copy_lines(ws.directory, ["standard"], date(2015, 4, 21))
    names = [r.holder.name for line in lines for r in line.recipients]
    assert names == ["Moiron-Braud", "Lazerges", "Le Coz", "Toubon"]
    assert lines[1].text() == (
        "Madame Christine Lazerges, Présidente de la Commission nationale consultative des "
        "droits de l'homme (CNCDH), Rapporteure nationale sur la traite des êtres humains"
    )


def test_two_positions_on_one_copy_line(ws: Workspace) -> None:
    lines = d.copy_lines(ws.directory, ["standard", "defenseurs"], date(2015, 4, 21))
    assert len(lines) == 5  # the Défenseur des droits is not repeated
    assert lines[-1].text("fonction") == (
        "Madame la Défenseure des enfants, adjointe du Défenseur des droits, Geneviève Avenard"
    )
    joint = d.copy_lines(ws.directory, ["defenseurs"], date(2015, 4, 21))
    assert joint[0].text("fonction") == (
        "Monsieur le Défenseur des droits, Jacques Toubon et Madame la Défenseure des enfants, "
        "adjointe du Défenseur des droits, Geneviève Avenard"
    )


def test_appellation_follows_the_holder(ws: Workspace) -> None:
    assert d.recipient(ws.directory, "justice", date(2015, 1, 1)).appellation == (
        "Madame la Garde des Sceaux"
    )
    assert (
        d.recipient(ws.directory, "cncdh", date(2016, 1, 1)).appellation == "Madame la Présidente"
    )


def test_address_block(ws: Workspace) -> None:
    block = d.recipient(ws.directory, "interieur", date(2015, 4, 21)).address_block()
    assert block == ["Monsieur Bernard Cazeneuve", "Ministre de l'Intérieur", "Place Beauvau",
                     "75800 PARIS CEDEX 08"]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("interieur", ["interieur"]),
        ("INTÉRIEUR", ["interieur"]),
        ("cazeneuve", ["premier-ministre", "interieur"]),
        ("defenseure", ["defenseur-droits", "defenseur-enfants"]),
        ("Ségur", []),
        ("cncdh", ["cncdh"]),
    ],
)
def test_search(ws: Workspace, query: str, expected: list[str]) -> None:
    assert d.search(ws.directory, query) == expected
