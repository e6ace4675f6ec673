"""The formula faults of issue 10, point 6: each impossible, or an error at its file and line.

Every letter is drafted through the CLI and read back from both the DOCX and the PDF.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest

from lettres import protocol
from tests.helpers import NB, compact
from tests.helpers import Invoke as Run

MINISTER = "    categorie: ministre\n    institution: Ministère de l'Intérieur\n"


def words(text: str) -> str:
    return " ".join(text.replace(NB, " ").replace("\u202f", " ").split())


def write_letter(workspace: Path, body: str = "Corps du courrier.\n", **front: str) -> Path:
    values = {"destinataire": "interieur", "objet": "Essai", "date": "2015-04-21",
              "signataire": "fayet", "copies": "[aucune]"} | front  # fmt: skip
    folder = workspace / "courriers" / "essai"
    folder.mkdir(parents=True, exist_ok=True)
    header = "".join(f"{k}: {v}\n" for k, v in values.items())
    path = folder / "lettre.md"
    path.write_text(f"---\n{header}---\n{body}", encoding="utf-8")
    return path


def line_with(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def edit_directory(workspace: Path, old: str, new: str) -> Path:
    path = workspace / "destinataires.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def add_post(workspace: Path, entry: str) -> Path:
    """A post of the test's own, added before the groups."""
    return edit_directory(workspace, "\ngroupes:\n", f"\n{entry}\ngroupes:\n")


def drafted(run: Run, source: Path) -> tuple[str, str]:
    """The letter's DOCX and PDF texts, words separated by plain spaces."""
    result = run("draft", str(source))
    assert result.exit_code == 0, result.output
    paragraphs = docx.Document(str(source.parent / "lettre.docx")).paragraphs
    pdf = subprocess.run(
        ["pdftotext", str(source.parent / "lettre.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return words("\n".join(p.text for p in paragraphs)), words(pdf)


def both_say(texts: tuple[str, str], *phrases: str) -> None:
    docx_text, pdf_text = texts
    for phrase in phrases:
        assert phrase in docx_text, phrase
        assert compact(phrase) in compact(pdf_text), phrase


# 1. « appellation: "Monsieur le Ministre," » printed « Monsieur le Ministre,, » twice.


def test_an_appellation_typed_with_its_comma_prints_one(run: Run, workspace: Path) -> None:
    directory = edit_directory(
        workspace, MINISTER, MINISTER + '    appellation: "Monsieur le Ministre,"\n'
    )
    texts = drafted(run, write_letter(workspace))
    both_say(
        texts,
        "Monsieur le Ministre, Corps du courrier.",
        "Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma très haute",
    )
    assert ",," not in texts[0] and ",," not in texts[1]
    result = run("check")
    line = line_with(directory, "appellation:")
    assert f"destinataires.yaml:{line}: avertissement : « appellation: Monsieur le Ministre, »" in (
        words(result.stdout)
    )


def test_a_letters_appellation_with_its_comma_is_warned_at_its_line(
    run: Run, workspace: Path
) -> None:
    source = write_letter(workspace, appellation='"Monsieur le Ministre d\'État,"')
    both_say(drafted(run, source), "Je vous prie d'agréer, Monsieur le Ministre d'État, l'expr")
    result = run("check")
    assert f"lettre.md:{line_with(source, 'appellation')}: avertissement : « appellation:" in (
        words(result.stdout)
    )


# 2. « politesse: {verbe: veuillez} » with the Collectif (voice « ils »).


def test_veuillez_with_the_collectifs_voice_is_refused_at_its_line(
    run: Run, workspace: Path
) -> None:
    source = write_letter(workspace, signataire="collectif", politesse="{verbe: veuillez}")
    result = run("draft", str(source))
    assert result.exit_code == 1
    line = line_with(source, "politesse")
    assert f"lettre.md:{line}: « politesse: {{verbe: veuillez}} » ne va pas" in words(result.stderr)
    assert "Traceback" not in result.output
    assert not (source.parent / "lettre.docx").exists()
    assert not (source.parent / "lettre.pdf").exists()
    checked = run("check")
    assert checked.exit_code == 1
    assert f"lettre.md:{line}: erreur : « politesse: {{verbe: veuillez}} »" in words(checked.stdout)


def test_veuillez_agrees_with_one_signatory_and_with_nous(run: Run, workspace: Path) -> None:
    source = write_letter(workspace, politesse="{verbe: veuillez}")
    both_say(
        drafted(run, source),
        "Veuillez agréer, Monsieur le Ministre, l'expression de ma très haute considération.",
    )
    assert protocol.closing("Madame", "haute considération", "nous", verb="veuillez") == (
        "Veuillez agréer, Madame, l'expression de notre haute considération."
    )


# 3. A title in one form, masculine, given to a woman: « Madame la Préfet ».

PREFECTURE = """  prefecture:
    poste: Préfet de la région Île-de-France
    intitule_court: {masculin: Préfet d'Île-de-France, feminin: Préfète d'Île-de-France}
    categorie: prefet
    adresse: [5 rue Leblanc, 75911 PARIS CEDEX 15]
    titulaires:
      - {civilite: Madame, prenom: Claire, nom: Exemple, depuis: 2015-01-01, verifie_le: 2015-04-21}
"""


def test_a_masculine_title_for_a_woman_is_refused_at_its_line(run: Run, workspace: Path) -> None:
    directory = add_post(workspace, PREFECTURE)
    result = run("check")
    assert result.exit_code == 1
    line = line_with(directory, "poste: Préfet de la région")
    assert (
        f"destinataires.yaml:{line}: erreur : « poste: Préfet de la région Île-de-France » est "
        "au masculin (« Préfet ») et Madame Claire Exemple est titulaire de ce poste"
    ) in words(result.stdout)
    assert "{masculin: …, feminin: …}" in words(result.stdout)


def test_a_short_title_is_held_to_the_same_rule(run: Run, workspace: Path) -> None:
    directory = add_post(
        workspace,
        PREFECTURE.replace(
            "poste: Préfet de la région Île-de-France",
            "poste: {masculin: Préfet de la région, feminin: Préfète de la région}",
        ).replace(
            "{masculin: Préfet d'Île-de-France, feminin: Préfète d'Île-de-France}",
            "Directeur de cabinet",
        ),
    )
    result = run("check")
    line = line_with(directory, "intitule_court: Directeur de cabinet")
    assert f"destinataires.yaml:{line}: erreur : « intitule_court: Directeur de cabinet »" in words(
        result.stdout
    )


def test_a_title_in_both_forms_gives_the_feminine(run: Run, workspace: Path) -> None:
    add_post(
        workspace,
        PREFECTURE.replace(
            "poste: Préfet de la région Île-de-France",
            "poste: {masculin: Préfet de la région, feminin: Préfète de la région}",
        ),
    )
    texts = drafted(
        run,
        write_letter(workspace, destinataire="prefecture", format_copies="fonction"),
    )
    both_say(texts, "Madame Claire Exemple Préfète d'Île-de-France", "Madame la Préfète,")
    assert "Préfet " not in texts[0]


PREFECTURE_IN_BOTH_FORMS = PREFECTURE.replace(
    "poste: Préfet de la région Île-de-France",
    "poste: {masculin: Préfet de la région, feminin: Préfète de la région}",
)


def test_a_plain_appellation_that_greets_a_man_is_refused_on_a_post_a_woman_holds(
    run: Run, workspace: Path
) -> None:
    """The directory ages: the post changes hands, and its « Monsieur le Préfet » stays."""
    directory = add_post(
        workspace, PREFECTURE_IN_BOTH_FORMS + "    appellation: Monsieur le Préfet de région\n"
    )
    result = run("check")
    assert result.exit_code == 1
    line = line_with(directory, "appellation: Monsieur le Préfet de région")
    assert (
        f"destinataires.yaml:{line}: erreur : « appellation: Monsieur le Préfet de région » "
        "s'adresse à un homme et Madame Claire Exemple est titulaire de ce poste : donnez les "
        "deux formes, « appellation: {masculin: …, feminin: …} »"
    ) in words(result.stdout)
    assert run("draft", str(write_letter(workspace))).exit_code == 1  # nothing drafted from it


def test_a_new_holder_the_plain_appellation_would_misgreet_is_not_recorded(
    run: Run, workspace: Path
) -> None:
    directory = edit_directory(
        workspace, MINISTER, MINISTER + "    appellation: Monsieur le Ministre d'État\n"
    )
    before = directory.read_bytes()
    result = run("recipients", "set", "interieur", "--holder", "Madame Anne Exemple",
                 "--since", "2016-01-01")  # fmt: skip
    assert result.exit_code == 1
    assert directory.read_bytes() == before
    assert (
        "« appellation: Monsieur le Ministre d'État » s'adresse à un homme et Madame Anne "
        "Exemple est titulaire de ce poste : donnez les deux formes"
    ) in words(result.stderr)


def test_an_appellation_in_both_forms_greets_the_holder_of_the_day(
    run: Run, workspace: Path
) -> None:
    both = "{masculin: Monsieur le Préfet de région, feminin: Madame la Préfète de région}"
    add_post(workspace, PREFECTURE_IN_BOTH_FORMS + f"    appellation: {both}\n")
    texts = drafted(run, write_letter(workspace, destinataire="prefecture"))
    both_say(
        texts,
        "Madame la Préfète de région, Corps du courrier.",
        "Je vous prie d'agréer, Madame la Préfète de région, l'expression",
    )
    assert "Monsieur le Préfet" not in texts[0]


@pytest.mark.parametrize(
    ("to", "typed", "holder"),
    [("justice", "Monsieur le Garde des Sceaux", "Madame Christiane Taubira"),
     ("interieur", "Madame la Ministre", "Monsieur Bernard Cazeneuve")],
)  # fmt: skip
def test_a_letters_appellation_for_someone_else_than_the_holder_is_refused(
    run: Run, workspace: Path, to: str, typed: str, holder: str
) -> None:
    """A line copied from an older letter, to the post's previous holder."""
    source = write_letter(workspace, destinataire=to, appellation=typed)
    result = run("draft", str(source))
    assert result.exit_code == 1
    line = line_with(source, "appellation:")
    assert (
        f"lettre.md:{line}: « appellation: {typed} » s'adresse à "
        f"{'un homme' if typed.startswith('Monsieur') else 'une femme'}, mais le poste « {to} » "
        f"est tenu le 2015-04-21 par {holder}"
    ) in words(result.stderr)
    assert "Traceback" not in result.output
    assert not (source.parent / "lettre.docx").exists()
    checked = run("check")
    assert checked.exit_code == 1
    assert f"lettre.md:{line}: erreur : « appellation: {typed} »" in words(checked.stdout)


def test_an_appellation_to_both_fits_every_holder(run: Run, workspace: Path) -> None:
    source = write_letter(workspace, destinataire="justice", appellation='"Madame, Monsieur"')
    both_say(drafted(run, source), "Madame, Monsieur, Corps du courrier.")


@pytest.mark.parametrize(
    ("appellation", "gender"),
    [("Monsieur le Préfet", "m"), ("Madame la Ministre", "f"), ("Mesdames", "f"),
     ("Dear Mr Le Coz", "m"), ("Dear Ms Smith", "f"), ("Madame, Monsieur", None),
     ("Dear Sir or Madam", None), ("Dear Minister", None), ("Excellence", None)],
)  # fmt: skip
def test_whom_an_appellation_addresses(appellation: str, gender: str | None) -> None:
    assert protocol.addressed_gender(appellation) == gender


@pytest.mark.parametrize(
    "title",
    ["Ministre de l'Intérieur", "Garde des Sceaux", "Ministre auprès du Premier ministre",
     "Ministre des Affaires sociales et de la Santé", "Ministre déléguée"],
)  # fmt: skip
def test_titles_the_same_in_both_genders_need_no_pair(title: str) -> None:
    assert protocol.masculine_word(title) is None


# 4. « Monsieur l'Haut-Commissaire »: no elision before an aspirated h.

ARTICLES = [
    ("Haut-Commissaire à l'égalité", "m", "le "),
    ("Haute-Commissaire à l'égalité", "f", "la "),
    ("Haute Autorité de santé", "f", "la "),
    ("Hauts-de-Seine", "m", "le "),
    ("Handicap", "m", "le "),
    ("Hôpital", "m", "l'"),
    ("Ambassadeur", "m", "l'"),
    ("Ambassadrice", "f", "l'"),
    ("Ministre", "f", "la "),
    ("Préfet", "m", "le "),
]


@pytest.mark.parametrize(("title", "gender", "article"), ARTICLES)
def test_the_article_before_a_title(title: str, gender: protocol.Gender, article: str) -> None:
    assert protocol.article(title, gender) == article


HIGH_COMMISSIONER = """  haut-commissaire:
    poste: {masculin: Haut-Commissaire à l'égalité des chances, feminin: Haute-Commissaire à l'égalité des chances}
    categorie: president
    adresse: [35 rue Saint-Dominique, 75007 PARIS]
    titulaires:
      - {civilite: Monsieur, prenom: Paul, nom: Exemple, depuis: 2015-01-01, verifie_le: 2015-04-21}
"""


def test_a_copy_to_a_high_commissioner_keeps_le(run: Run, workspace: Path) -> None:
    add_post(workspace, HIGH_COMMISSIONER)
    source = write_letter(workspace, copies="[haut-commissaire]", format_copies="fonction")
    texts = drafted(run, source)
    both_say(texts, "Monsieur le Haut-Commissaire à l'égalité des chances, Paul Exemple")
    assert "l'Haut" not in texts[0]


# 5. A `formule` that contradicts the appellation.


def test_a_letters_formula_that_contradicts_the_appellation_is_refused(
    run: Run, workspace: Path
) -> None:
    source = write_letter(
        workspace,
        formule="\"Je vous prie d'agréer, Madame la Ministre, l'expression de ma haute "
        'considération."',
    )
    expected = (
        f"lettre.md:{line_with(source, 'formule')}: la « formule » du courrier ne reprend pas "
        "la formule d'appel « Monsieur le Ministre »"
    )
    result = run("draft", str(source))
    assert result.exit_code == 1
    assert expected in words(result.stderr)
    assert not (source.parent / "lettre.docx").exists()
    checked = run("check")
    assert checked.exit_code == 1
    assert expected.replace(": la « formule »", ": erreur : la « formule »") in words(
        checked.stdout
    )


def test_a_formula_that_repeats_the_appellation_is_printed(run: Run, workspace: Path) -> None:
    closing = (
        "Avec nos remerciements, je vous prie d'agréer, Monsieur le Ministre, mes salutations."
    )
    texts = drafted(run, write_letter(workspace, formule=f'"{closing}"'))
    both_say(texts, closing)


def test_a_formula_that_names_no_one_contradicts_no_appellation(run: Run, workspace: Path) -> None:
    texts = drafted(run, write_letter(workspace, formule='"Bien cordialement."'))
    both_say(texts, "Bien cordialement.")
    assert run("check").exit_code == 0


def test_a_directory_formula_that_contradicts_its_post_is_an_error(
    run: Run, workspace: Path
) -> None:
    directory = edit_directory(
        workspace,
        MINISTER,
        MINISTER + "    formule: Veuillez agréer, Madame la Ministre, mes salutations.\n",
    )
    result = run("check")
    assert result.exit_code == 1
    expected = (
        f"destinataires.yaml:{line_with(directory, 'formule:')}: erreur : la « formule » du "
        "poste « interieur » ne reprend pas la formule d'appel « Monsieur le Ministre »"
    )
    assert words(result.stdout).count(expected) == 1  # not once more per letter
    assert run("draft", str(write_letter(workspace))).exit_code == 1


# 6. One copy line naming two people was headed « Copie : ».


def test_a_copy_line_of_two_people_is_headed_copies(run: Run, workspace: Path) -> None:
    source = write_letter(workspace, date="2016-12-14", copies="[defenseurs]")
    texts = drafted(run, source)
    both_say(
        texts,
        "Copies : – Monsieur Jacques Toubon, Défenseur des droits et Madame Geneviève Avenard",
    )
    assert "Copie :" not in texts[0] and "Copie :" not in texts[1]


def test_one_person_in_copy_is_still_headed_copie(run: Run, workspace: Path) -> None:
    texts = drafted(run, write_letter(workspace, date="2016-12-14", copies="[greta]"))
    both_say(texts, "Copie : – Monsieur Nicolas Le Coz")


# 7. A `service` post without a holder: « Madame, Monsieur ».

SERVICE = """  service-juridique:
    poste: Service des affaires juridiques
    categorie: service
    institution: Ministère de l'Intérieur
    adresse: [Place Beauvau, 75800 PARIS CEDEX 08]
    courriel: daj@interieur.gouv.fr
"""


def test_a_service_needs_no_holder(run: Run, workspace: Path) -> None:
    add_post(workspace, SERVICE)
    source = write_letter(workspace, destinataire="service-juridique", date="2026-11-23")
    texts = drafted(run, source)
    both_say(
        texts,
        "Service des affaires juridiques Place Beauvau 75800 PARIS CEDEX 08",
        "Madame, Monsieur, Corps du courrier.",
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    )
    assert "None" not in texts[0]
    checked = run("check")  # no holder to verify, no letter to vouch for at its date
    assert checked.exit_code == 0, checked.output
    assert "service-juridique" not in checked.stdout and "lettre.md" not in checked.stdout
    listed = run("recipients", "juridiques", "--date", "2026-11-23")
    assert words(listed.stdout).count("Service des affaires juridiques") == 2  # found in; shown
    assert "Formule d'appel : Madame, Monsieur," in words(listed.stdout)
    as_json = run("recipients", "juridiques", "--date", "2026-11-23", "--format", "json")
    assert '"titulaire": null' in as_json.stdout


def test_a_service_in_copy_is_named_by_its_title(run: Run, workspace: Path) -> None:
    add_post(workspace, SERVICE)
    texts = drafted(run, write_letter(workspace, copies="[service-juridique]"))
    both_say(texts, "Copie : – Service des affaires juridiques")


def test_a_person_post_without_holder_is_refused_at_its_line(run: Run, workspace: Path) -> None:
    directory = add_post(workspace, SERVICE.replace("categorie: service", "categorie: directeur"))
    result = run("check")
    assert result.exit_code == 1
    assert f"destinataires.yaml:{line_with(directory, 'service-juridique:')}: erreur : " in words(
        result.stdout
    )
    assert "« titulaires » manque" in words(result.stdout)


def test_an_english_letter_to_a_service_is_to_sir_or_madam(run: Run, workspace: Path) -> None:
    add_post(workspace, SERVICE + "    poste_en: Legal Affairs Department\n")
    source = write_letter(
        workspace, destinataire="service-juridique", langue="en", formule='"Yours faithfully,"'
    )
    texts = drafted(run, source)  # an English closing repeats no salutation: no refusal
    both_say(
        texts, "Legal Affairs Department Place Beauvau", "Dear Sir or Madam,", "Yours faithfully,"
    )
    assert "None" not in texts[0]
