"""Co-signed letters: several signatories (the Collectif's, member associations' presidents),
the « nous » voice, the signature grid read back from the DOCX and the PDF, the e-mail, the
register and `lettres check`."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import html5lib
import pypdf
from docx.oxml.ns import qn
from pypdf import PdfReader

from tests.helpers import Invoke as Run
from tests.helpers import prepared_email

NB = "\u00a0"
HTML = "{http://www.w3.org/1999/xhtml}"
FOLDER = "2016-12-14-justice-appel-commun"


def cosigned(run: Run, *signatories: str, extra: tuple[str, ...] = ()) -> object:
    args = [arg for key in signatories for arg in ("--signatory", key)]
    return run("draft", "--template", "courrier-general", "--to", "justice", "--date",
               "2016-12-14", "--subject", "Appel commun", "--var", "corps=Nous vous écrivons.",
               *args, *extra)  # fmt: skip


def spaced(text: str) -> str:
    return text.replace(NB, " ").replace("\u202f", " ")


def test_two_signatories_speak_as_we_side_by_side(run: Run, workspace: Path) -> None:
    result = cosigned(run, "colas", "membres:secours-catholique")
    assert result.exit_code == 0, result.output
    folder = workspace / "courriers" / FOLDER
    source = (folder / "lettre.md").read_text("utf-8")
    assert "signataires:\n- colas\n- membres:secours-catholique\n" in source
    assert "signataire:" not in source
    document = docx.Document(str(folder / "lettre.docx"))
    text = [spaced(p.text) for p in document.paragraphs]
    closing = "Nous vous prions d'agréer, Monsieur le Garde des Sceaux, l'expression de notre très haute considération."
    assert closing in text
    (table,) = document.tables
    cells = [[spaced(p.text) for p in cell.paragraphs] for cell in table.rows[0].cells]
    assert cells == [
        [
            "Geneviève Colas",
            "Coordinatrice du Collectif « Ensemble contre la traite des êtres humains »",
        ],
        ["Véronique Fayet", "Présidente du Secours Catholique – Caritas France"],
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None  # never split
    assert (
        table.rows[0].cells[0].paragraphs[0].paragraph_format.space_before > 0  # room to sign
    )
    positions: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        for name in ("Geneviève Colas", "Véronique Fayet"):
            if spaced(text).strip().startswith(name) and name not in positions:
                x, y = pypdf.mult(tm, cm)[4:6]
                positions[name] = (x, y)

    page = PdfReader(folder / "lettre.pdf").pages[0]
    page.extract_text(visitor_text=visit)
    (x1, y1), (x2, y2) = positions["Geneviève Colas"], positions["Véronique Fayet"]
    assert abs(y1 - y2) < 1  # one row
    assert x2 - x1 > 60 * 72 / 25.4  # two columns, the second past the middle of the text
    full = spaced(page.extract_text())
    assert full.index("Nous vous prions") < full.index("Geneviève Colas")


def test_one_signatory_is_still_i(run: Run, workspace: Path) -> None:
    result = cosigned(run, "fayet", extra=("--format", "docx"))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(workspace / "courriers" / FOLDER / "lettre.docx"))
    assert not document.tables
    assert any(
        "l'expression de ma très haute considération" in spaced(p.text) for p in document.paragraphs
    )


def test_members_by_their_association_key(run: Run, workspace: Path) -> None:
    members = workspace / "modeles" / "membres.yaml"
    text = members.read_text("utf-8")
    text = text.replace(
        "  ccem: {nom: Comité Contre l'Esclavage Moderne, sigle: CCEM}",
        "  ccem:\n    nom: Comité Contre l'Esclavage Moderne\n    presidents:\n"
        "      - {civilite: Monsieur, prenom: Jean, nom: Essai, depuis: 2010-01-01,\n"
        "         qualite: Président du CCEM}\n"
        "      - {civilite: Madame, prenom: Anne, nom: Exemple, depuis: 2016-01-01,\n"
        "         qualite: Présidente du Comité contre l'esclavage moderne}",
    )
    members.write_text(text, "utf-8")
    result = cosigned(run, "membres:ccem,secours-catholique", extra=("--format", "docx"))
    assert result.exit_code == 0, result.output
    document = docx.Document(str(workspace / "courriers" / FOLDER / "lettre.docx"))
    cells = [spaced(cell.paragraphs[0].text) for cell in document.tables[0].rows[0].cells]
    assert cells == ["Anne Exemple", "Véronique Fayet"]
    quality = spaced(document.tables[0].rows[0].cells[0].paragraphs[1].text)
    assert quality == "Présidente du Comité contre l'esclavage moderne"


def test_bad_co_signers(run: Run, workspace: Path) -> None:
    result = cosigned(run, "fayet", "membres:ccme")
    assert result.exit_code == 1
    assert "association membre inconnue « ccme » (vouliez-vous dire « ccem » ?)" in result.stderr
    result = cosigned(run, "fayet", "membres:ccem")
    assert result.exit_code == 1
    assert "n'a pas de président(e) connu(e) le 2016-12-14" in result.stderr
    assert "modeles/membres.yaml" in result.stderr
    assert not (workspace / "courriers").exists()


def test_the_e_mail_names_the_co_signers(run: Run, workspace: Path) -> None:
    directory = workspace / "destinataires.yaml"
    text = directory.read_text("utf-8")
    marker = "    adresse: [13 place Vendôme, 75042 PARIS CEDEX 01]\n    courriel: null\n"
    directory.write_text(
        text.replace(marker, marker.replace("null", "cabinet@justice.gouv.fr")), "utf-8"
    )
    result = cosigned(run, "colas", "fayet", extra=("--email", "--cc", "aucune"))
    assert result.exit_code == 0, result.output
    _, content = prepared_email(workspace / "courriers" / FOLDER)
    content = spaced(content)
    assert "que Geneviève Colas (Coordinatrice du Collectif" in content
    assert (
        "et Véronique Fayet (Présidente du Secours Catholique – Caritas France) vous adressent"
        in content
    )


def test_the_register_and_the_web_page_show_the_co_signers(run: Run, workspace: Path) -> None:
    assert cosigned(run, "colas", "fayet", extra=("--format", "docx")).exit_code == 0
    result = run("register", "--format", "json")
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert record["signataires"] == "Geneviève Colas, Véronique Fayet"
    fragment = html5lib.HTMLParser(strict=True).parseFragment(
        run("register", "--format", "html", "--include-drafts").stdout
    )
    shown = fragment.find(f".//{HTML}p[@class='courrier-signataires']")
    assert "".join(shown.itertext()) == "Cosigné par Geneviève Colas et Véronique Fayet"


def test_check_names_a_bad_co_signer_at_its_line(run: Run, workspace: Path) -> None:
    assert cosigned(run, "colas", "fayet", extra=("--format", "docx")).exit_code == 0
    source = workspace / "courriers" / FOLDER / "lettre.md"
    source.write_text(source.read_text("utf-8").replace("- fayet", "- membres:inconnue"), "utf-8")
    line = source.read_text("utf-8").splitlines().index("signataires:") + 1
    result = run("check")
    assert result.exit_code == 1
    assert f"lettre.md:{line}: erreur : association membre inconnue « inconnue »" in result.stdout


FAYET = "        qualite_en: President of Secours Catholique – Caritas France\n        depuis: 2015-04-21\n"


def add_president(workspace: Path, entry: str) -> int:
    """Adds a president after Véronique Fayet; returns the line of the entry."""
    members = workspace / "modeles" / "membres.yaml"
    text = members.read_text("utf-8")
    assert FAYET in text
    members.write_text(text.replace(FAYET, f"{FAYET}      - {entry}\n"), "utf-8")
    return text[: text.index(FAYET) + len(FAYET)].count("\n") + 1


def test_check_wants_presidents_in_order(run: Run, workspace: Path) -> None:
    line = add_president(
        workspace, "{civilite: Monsieur, prenom: Jean, nom: Avant, qualite: Président, "
        "depuis: 2010-01-01}"
    )  # fmt: skip
    result = run("check")
    assert result.exit_code == 1
    assert (
        f"membres.yaml:{line}: erreur : « presidents » n'est pas dans l'ordre des dates"
        in result.stdout
    )


def test_a_president_s_quality_is_written_out(run: Run, workspace: Path) -> None:
    """« Présidente de Amicale du Nid » is what a guessed quality would print: none is guessed."""
    line = add_president(
        workspace, "{civilite: Monsieur, prenom: Jean, nom: Après, depuis: 2020-01-01}"
    )
    result = run("check")
    assert result.exit_code == 1
    assert f"membres.yaml:{line}: erreur :" in result.stdout
    assert "qualite" in result.stdout


def test_a_member_president_signs_in_english_too(run: Run, workspace: Path) -> None:
    result = run("draft", "--template", "courrier-general", "--lang", "en", "--to", "greta",
                 "--date", "2015-04-21", "--subject", "Joint appeal", "--signatory", "fayet",
                 "--signatory", "membres:secours-catholique", "--var", "corps=We write.",
                 "--format", "docx")  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = (workspace / "courriers").glob("2015-04-21-greta-*")
    document = docx.Document(str(folder / "lettre.docx"))
    text = spaced(
        "\n".join(p.text for t in document.tables for c in t._cells for p in c.paragraphs)
    )
    assert "President of Secours Catholique – Caritas France" in text
    assert "Présidente" not in text


def test_signataire_and_signataires_are_one_or_the_other(run: Run, workspace: Path) -> None:
    assert cosigned(run, "colas", "fayet", extra=("--format", "docx")).exit_code == 0
    source = workspace / "courriers" / FOLDER / "lettre.md"
    source.write_text(
        source.read_text("utf-8").replace("signataires:", "signataire: fayet\nsignataires:"),
        "utf-8",
    )
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 1
    assert "l'un ou l'autre, pas les deux" in result.stderr
