"""Letters in English (shared/reference/letters-in-english.md), row by row: labels, dates,
salutations and closings, typography, the style warnings, and the letter read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from lettres import english
from lettres.drafting import style_warnings
from lettres.source import split_document
from tests.helpers import Invoke as Run
from tests.helpers import compact, prepared_email

NB = "\u00a0"
COALITION = f"Collectif «{NB}Ensemble contre la traite des êtres humains{NB}»"


# ----------------------------------------------------------------------------- the reference's rows


@pytest.mark.parametrize(
    ("category", "civility", "name", "salutation", "closing"),
    [
        ("coordinateur", "Madame", "Vassiliadou", "Dear Ms Vassiliadou", "Yours sincerely,"),
        ("directeur", "Monsieur", "Le Coz", "Dear Mr Le Coz", "Yours sincerely,"),
        (
            "secretaire-general",
            "Madame",
            "Moiron-Braud",
            "Dear Ms Moiron-Braud",
            "Yours sincerely,",
        ),
        ("president", "Madame", "Lazerges", "Dear Madam President", "Yours sincerely,"),
        ("president", "Monsieur", "Le Coz", "Dear Mr President", "Yours sincerely,"),
        ("ministre", "Madame", "Taubira", "Dear Minister", "Yours sincerely,"),
        ("ministre", "Monsieur", "Cazeneuve", "Dear Minister", "Yours sincerely,"),
        ("garde-des-sceaux", "Madame", "Taubira", "Dear Minister", "Yours sincerely,"),
        ("ambassadeur", "Madame", "Smith", "Your Excellency", "Yours faithfully,"),
        ("ambassadeur", "Monsieur", "Smith", "Your Excellency", "Yours faithfully,"),
        ("president-republique", "Monsieur", "Hollande", "Your Excellency", "Yours faithfully,"),
        ("premier-ministre", "Monsieur", "Valls", "Your Excellency", "Yours faithfully,"),
        ("service", "Madame", "Martin", "Dear Sir or Madam", "Yours faithfully,"),
    ],
)
def test_salutation_and_closing(
    category: str, civility: str, name: str, salutation: str, closing: str
) -> None:
    assert english.salutation(category, civility, name) == salutation
    assert english.closing(category, salutation) == closing


def test_a_salutation_that_names_no_one_closes_faithfully() -> None:
    assert english.closing("directeur", "Dear Sir or Madam") == "Yours faithfully,"
    assert english.closing("directeur", "Dear Dr Smith") == "Yours sincerely,"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2015, 4, 21), f"21{NB}April{NB}2015"),
        (date(2015, 5, 1), f"1{NB}May{NB}2015"),
        (date(2016, 12, 31), f"31{NB}December{NB}2016"),
    ],
)
def test_dates_have_no_ordinal_and_no_comma(day: date, text: str) -> None:
    assert english.english_date(day) == text
    assert english.date_line("Paris", day) == f"Paris, {text}"


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Subject : the plan", "Subject: the plan"),
        ("Really ? Yes !", "Really? Yes!"),
        (f"one{NB};two", "one;two"),
        ('the "national plan"', "the “national plan”"),
        ("the coalition's members", "the coalition’s members"),
        ("the 'plan' itself", "the ‘plan’ itself"),
        ("the Collectif « Ensemble »", f"the Collectif «{NB}Ensemble{NB}»"),
        ("see www.contrelatraite.org : it", "see www.contrelatraite.org: it"),
        ("at 9:30 sharp", "at 9:30 sharp"),
        ("word , and .", "word, and."),
    ],
)
def test_english_typography(typed: str, printed: str) -> None:
    assert english.typographize(typed) == printed
    assert english.typographize(printed) == printed  # idempotent


def test_french_warnings_off_english_ones_on(tmp_path: Path) -> None:
    path = tmp_path / "lettre.md"
    body = "Dear Mr Le Coz, the 2nd report.\nMr. Smith and Mrs Jones.\n"
    document = split_document(path, f"---\nobjet: x\n---\n{body}")
    assert style_warnings(document, "fr")  # « Mr » and « 2nd » are wrong in French
    warnings = style_warnings(document, "en")
    assert [str(w) for w in warnings] == [
        f"{path}:5: « Mr. » s'écrit « Mr » en anglais britannique (sans point)",
        f"{path}:5: « Mrs » : écrivez « Ms », sauf si la personne demande « Mrs »",
    ]


# ----------------------------------------------------------------------------- the letter


def spaced(text: str) -> str:
    """Names and dates are glued by no-break spaces: compared here as plain words."""
    return text.replace(NB, " ").replace("\u202f", " ")


def english_letter(run: Run, *extra: str) -> object:
    return run("draft", "--template", "courrier-general", "--lang", "en", "--to", "greta",
               "--date", "2015-04-21", "--subject", 'Our "report" on trafficking',
               "--var", "corps=We write to you : the coalition's report is enclosed.",
               *extra)  # fmt: skip


FOLDER = "2015-04-21-greta-our-report-on-trafficking"


def test_an_english_letter_reads_back_in_english(run: Run, workspace: Path) -> None:
    result = english_letter(run, "--enclosure", "Report", "--enclosure", "Annex")
    assert result.exit_code == 0, result.output
    folder = workspace / "courriers" / FOLDER
    assert "langue: en" in (folder / "lettre.md").read_text("utf-8")
    document = docx.Document(str(folder / "lettre.docx"))
    text = [spaced(p.text) for p in document.paragraphs]
    expected = [
        "Coordination: Secours Catholique – Caritas France",
        "Mr Nicolas Le Coz", "President of GRETA",
        f"Paris, 21{NB}April{NB}2015",
        "Subject: Our “report” on trafficking",
        "Our ref.: CTEH/2015/001",
        "Dear Mr President,",
        "We write to you: the coalition’s report is enclosed.",
        "Yours sincerely,",
        "President of Secours Catholique – Caritas France",
        f"On behalf of the {COALITION}",
        "Enclosures: Report; Annex",
        "cc:",
        f"–{NB}Mr Jacques Toubon, Defender of Rights (Défenseur des droits)",
        f"Member associations of the {COALITION}:",
        "Contact: Geneviève Colas – genevieve.colas@secours-catholique.org – 06 71 00 69 90",
    ]  # fmt: skip
    for line in expected:
        assert spaced(line) in text
    assert not any("Objet" in t or "Copies" in t or "Pour le" in t for t in text)
    members = text[text.index(spaced(f"Member associations of the {COALITION}:")) + 1]
    assert "Agir Ensemble pour les Droits de l’Homme" in members  # the apostrophe ’ throughout
    assert "'" not in "".join(text)
    assert document.core_properties.language == "en-GB"
    pdf = compact("".join(p.extract_text() for p in PdfReader(folder / "lettre.pdf").pages))
    for line in expected:
        assert compact(line) in pdf


def test_one_enclosure_is_singular(run: Run, workspace: Path) -> None:
    result = english_letter(run, "--enclosure", "Report", "--format", "docx")
    assert result.exit_code == 0, result.output
    text = [
        p.text
        for p in docx.Document(str(workspace / "courriers" / FOLDER / "lettre.docx")).paragraphs
    ]
    assert "Enclosure: Report" in text


def test_a_template_in_english(run: Run, workspace: Path) -> None:
    template = workspace / "modeles" / "greta.md"
    template.write_text("---\ndescription: To GRETA\nobjet: Evaluation\nsignataire: fayet\n"
                        "langue: en\n---\nDear colleagues of {{ destinataire.poste }}.\n",
                        encoding="utf-8")  # fmt: skip
    result = run("draft", "--template", "greta", "--to", "greta", "--date", "2015-04-21",
                 "--format", "docx")  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = workspace / "courriers" / "2015-04-21-greta-evaluation"
    text = [p.text for p in docx.Document(str(folder / "lettre.docx")).paragraphs]
    assert "Subject: Evaluation" in text
    assert any(
        t.startswith("Dear colleagues of President of GRETA, Group of Experts") for t in text
    )


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if line == text)


def test_a_post_without_english_title_is_named_with_the_field_to_add(
    run: Run, workspace: Path
) -> None:
    result = english_letter(run, "--cc", "justice", "--cc", "education")
    assert result.exit_code == 1
    directory = workspace / "destinataires.yaml"
    for key in ("justice", "education"):
        line = line_of(directory, f"  {key}:")
        assert (
            f"destinataires.yaml:{line}: le poste « {key} » n'a pas d'intitulé en anglais"
            in result.stderr
        )
    assert "ajoutez sous ce poste « poste_en: … »" in result.stderr
    assert not (workspace / "courriers").exists()


def test_check_validates_english_titles(run: Run, workspace: Path) -> None:
    directory = workspace / "destinataires.yaml"
    text = directory.read_text("utf-8")
    directory.write_text(text.replace("    poste_en: Minister of the Interior\n",
                                      "    poste_en: [Minister]\n"), "utf-8")  # fmt: skip
    result = run("check")
    assert result.exit_code == 1
    line = line_of(directory, "    poste_en: [Minister]")
    assert f"destinataires.yaml:{line}: erreur : « poste_en »" in result.stdout


def test_the_cover_e_mail_is_in_english(run: Run, workspace: Path) -> None:
    directory = workspace / "destinataires.yaml"
    text = directory.read_text("utf-8")
    marker = "    adresse: [Conseil de l'Europe, 67075 STRASBOURG CEDEX]\n    courriel: null\n"
    directory.write_text(text.replace(marker, marker.replace("null", "greta@coe.int")), "utf-8")
    result = english_letter(run, "--email", "--cc", "aucune")
    assert result.exit_code == 0, result.output
    message, content = prepared_email(workspace / "courriers" / FOLDER)
    assert content.startswith("Dear Mr President,")
    assert f"Please find attached the letter of 21{NB}April{NB}2015 that Véronique Fayet" in content
    assert "Subject: Our “report” on trafficking" in content
    assert message["Subject"] == "Our “report” on trafficking"
