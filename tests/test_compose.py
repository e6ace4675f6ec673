"""The letter model: overrides of the protocol, the sender's voice, copies and members."""

from __future__ import annotations

from pathlib import Path

import pytest

from lettres.compose import compose, resolve
from lettres.errors import LettresError
from lettres.letter import Letter, ListBlock, Paragraph, Run, Window
from lettres.models import validate
from lettres.source import LetterFront, split_document
from lettres.workspace import load_workspace

NB = "\u00a0"


def letter(root: Path, body: str = "Corps.\n", **front: str) -> Letter:
    values = {"destinataire": "interieur", "objet": "Essai", "date": "2015-04-21",
              "signataire": "fayet"} | front  # fmt: skip
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in values.items()) + "---\n" + body
    document = split_document(root / "lettre.md", text)
    parsed = validate(LetterFront, document.front, document.path)
    return compose(load_workspace(root), parsed, document)


def test_default_closing_and_signature(workspace: Path) -> None:
    made = letter(workspace)
    assert made.appellation == "Monsieur le Ministre,"
    assert made.closing == (
        "Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma très haute considération."
    )
    assert made.signatures[0][0] == f"Véronique{NB}Fayet"


def test_the_coalition_signs_in_its_own_voice(workspace: Path) -> None:
    made = letter(workspace, signataire="collectif", destinataire="cncdh")
    assert made.closing == (
        "Les membres du Collectif vous prient d'agréer, Madame la Présidente, "
        "l'expression de leur haute considération."
    )
    assert made.signatures == (
        (f"Le Collectif «{NB}Ensemble{NB}contre{NB}la{NB}traite{NB}des{NB}êtres{NB}humains{NB}»",),
    )


def test_the_source_overrides_appellation_and_closing(workspace: Path) -> None:
    made = letter(workspace, appellation="Cher Bernard", formule="Bien à vous.")
    assert made.appellation == "Cher Bernard,"
    assert made.closing == "Bien à vous."  # names no one: contradicts no appellation


def test_a_directory_entry_overrides_the_protocol(workspace: Path) -> None:
    path = workspace / "destinataires.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    categorie: ministre\n    institution: Ministère de l'Intérieur\n",
        "    categorie: ministre\n    institution: Ministère de l'Intérieur\n"
        "    appellation: Monsieur le Ministre d'État\n    consideration: haute considération\n",
    )
    path.write_text(text, encoding="utf-8")
    made = letter(workspace)
    assert made.appellation == "Monsieur le Ministre d'État,"
    assert made.closing == (
        "Je vous prie d'agréer, Monsieur le Ministre d'État, l'expression de ma haute considération."
    )


def test_copies_leave_out_the_recipient_and_can_be_none(workspace: Path) -> None:
    to_defender = letter(workspace, destinataire="defenseur-droits")
    assert len(to_defender.copies) == 3
    assert not any("Toubon" in c for c in to_defender.copies)
    assert letter(workspace, copies="[aucune]").copies == ()


@pytest.mark.parametrize(("on", "count"), [("2015-04-21", 23), ("2016-12-14", 25)])
def test_members_on_the_letters_date(workspace: Path, on: str, count: int) -> None:
    made = letter(workspace, date=on, destinataire="premier-ministre")
    assert len(made.members) == count
    assert made.members_line.endswith("Secours Catholique - Caritas France.")


def test_markdown_body_and_template_variables(workspace: Path) -> None:
    body = (
        "Nous sommes {{ nombre_membres }} associations ; écrivez à {{ collectif.courriel }}.\n\n"
        "- *premier* point\n- **second** point\n\n[Le site](https://www.contrelatraite.org/?a=b:c)\n"
    )
    made = letter(workspace, body=body)
    first, items, link = made.body
    assert isinstance(first, Paragraph) and isinstance(items, ListBlock)
    assert first.runs[0].text == (
        f"Nous sommes 23 associations{NB}; écrivez à genevieve.colas@secours-catholique.org."
    ).replace(f"{NB};", "\u202f;")
    assert [r.italic for r in items.items[0]] == [True, False]
    assert (
        isinstance(link, Paragraph) and link.runs[0].link == "https://www.contrelatraite.org/?a=b:c"
    )


def test_one_resolution_serves_many_renders_and_no_render_changes_it(workspace: Path) -> None:
    """A sandboxed template may still append to a list: one render must not feed the next."""
    body = '{% set _ = membres.append("Intrus") %}{{ membres | length }} membres.\n'
    values = "destinataire: interieur\nobjet: Essai\ndate: 2015-04-21\nsignataire: fayet\n"
    document = split_document(workspace / "lettre.md", f"---\n{values}---\n{body}")
    front = validate(LetterFront, document.front, document.path)
    ws = load_workspace(workspace)
    resolved = resolve(ws, front)
    members = list(resolved.context["membres"])
    first, second = (compose(ws, front, document, resolved) for _ in range(2))
    assert first.body == second.body
    assert isinstance(first.body[0], Paragraph)
    assert "".join(run.text for run in first.body[0].runs) == f"{len(members) + 1} membres."
    assert resolved.context["membres"] == members and "Intrus" not in members


def test_names_the_letter_prints_never_split(workspace: Path) -> None:
    made = letter(workspace, copies="[miprof]", body="Nous avons écrit à Bernard Cazeneuve.\n")
    assert made.recipient_block[0] == f"Monsieur{NB}Bernard{NB}Cazeneuve"
    assert made.copies[0].startswith(f"Madame{NB}Elisabeth{NB}Moiron-Braud, ")
    assert made.body == (Paragraph((Run(f"Nous avons écrit à Bernard{NB}Cazeneuve."),)),)


def test_enclosures_are_separated_by_a_semicolon_that_never_starts_a_line(workspace: Path) -> None:
    made = letter(workspace, pj="[Compte rendu du 23 septembre 2014, Synthèse]")
    assert made.enclosures_line == (
        f"P.{NB}J.{NB}: Compte rendu du 23{NB}septembre{NB}2014\u202f; Synthèse"
    )


def test_curly_apostrophes_are_a_workspace_choice(workspace: Path) -> None:
    body = "L'État et `l'outil` : https://exemple.fr/l'page\n"
    assert letter(workspace, body=body).closing.count("'") == 2  # off by default
    settings = workspace / "modeles" / "collectif.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "typographie:\n  apostrophe_courbe: true\n",
        encoding="utf-8",
    )
    made = letter(workspace, body=body)
    assert made.closing == (
        "Je vous prie d’agréer, Monsieur le Ministre, l’expression de ma très haute considération."
    )
    runs = made.body[0].runs  # type: ignore[union-attr]
    assert "".join(run.text for run in runs) == f"L’État et l'outil{NB}: https://exemple.fr/l'page"


def test_an_unknown_typography_setting_is_named(workspace: Path) -> None:
    settings = workspace / "modeles" / "collectif.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "typographie:\n  apostrophes: true\n",
        encoding="utf-8",
    )
    with pytest.raises(LettresError, match="apostrophe_courbe"):
        load_workspace(workspace)


def test_a_link_is_followed_by_its_address_unless_it_is_its_text(workspace: Path) -> None:
    body = (
        "Voir [le site](https://www.contrelatraite.org/), <https://www.legifrance.gouv.fr/>, "
        "[www.contrelatraite.org](https://www.contrelatraite.org) et [Geneviève]"
        "(mailto:genevieve.colas@secours-catholique.org)."
    )
    made = letter(workspace, body=body)
    (paragraph,) = made.body
    assert isinstance(paragraph, Paragraph)
    assert "".join(run.text for run in paragraph.runs) == (
        "Voir le site (https://www.contrelatraite.org/), https://www.legifrance.gouv.fr/, "
        "www.contrelatraite.org et Geneviève (genevieve.colas@secours-catholique.org)."
    )
    address = next(run for run in paragraph.runs if run.text == "https://www.contrelatraite.org/")
    assert address.link == "https://www.contrelatraite.org/"  # still a link on screen


def test_the_window_comes_from_the_workspace(workspace: Path) -> None:
    assert letter(workspace).window == Window(110, 48, 85)
    path = workspace / "modeles" / "collectif.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "\nmise_en_page:\n  fenetre: {x: 100, y: 50, largeur: 90}\n", encoding="utf-8"
    )
    assert letter(workspace).window == Window(100, 50, 90)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("{x: 150, largeur: 85}", "sort de la page"),
        ("{y: 200}", "doit être dans le haut de la page"),
        ("{x: cent}", "« x » doit être un nombre (en millimètres)"),
        ("{hauteur: 40}", "champ inconnu « hauteur »"),
    ],
)
def test_a_window_off_the_page_is_refused_at_its_line(
    workspace: Path, setting: str, message: str
) -> None:
    from lettres.errors import DataError

    path = workspace / "modeles" / "collectif.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 3
    path.write_text(text + f"\nmise_en_page:\n  fenetre: {setting}\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_workspace(workspace)
    problem = caught.value.problems[0]
    assert message in problem.message and problem.path == path
    assert problem.line in (line - 1, line)
