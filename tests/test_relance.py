"""`lettres draft --relance`: the follow-up letter in one command, its e-mail, its place in the
register, the web page and the calendar of follow-ups."""

from __future__ import annotations

import email
import json
from datetime import date
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import docx
import html5lib
import icalendar
from pypdf import PdfReader

from tests.helpers import Invoke as Run
from tests.helpers import compact

NB = "\u00a0"
HTML = "{http://www.w3.org/1999/xhtml}"
FIRST = "2015-04-21-interieur-vos-engagements"
SECOND = "2015-06-15-interieur-relance-vos-engagements"
MENTION = "courrier du 21 avril 2015 (réf. CTEH/2015/001)"


def paragraphs(path: Path) -> list[str]:
    """The DOCX's paragraphs, no-break spaces read as spaces (names and dates are glued)."""
    return [
        p.text.replace(NB, " ").replace("\u202f", " ") for p in docx.Document(str(path)).paragraphs
    ]


def first_letter(run: Run, workspace: Path, *extra: str) -> Path:
    result = run("draft", "--template", "courrier-general", "--to", "interieur", "--date",
                 "2015-04-21", "--subject", "Vos engagements", "--cc", "miprof", "--cc", "cncdh",
                 "--var", "corps=Vous aviez reçu les représentants du Collectif.", *extra)  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = workspace / "courriers" / FIRST
    source = folder / "lettre.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("---\n", "---\nrelance: 6 semaines\n", 1), encoding="utf-8")
    return folder


def follow_up(run: Run, workspace: Path, *extra: str) -> Path:
    result = run("draft", "--relance", str(workspace / "courriers" / FIRST), "--date",
                 "2015-06-15", *extra)  # fmt: skip
    assert result.exit_code == 0, result.output
    return workspace / "courriers" / SECOND


def test_the_follow_up_quotes_encloses_and_copies_the_first_letter(
    run: Run, workspace: Path
) -> None:
    first_letter(run, workspace)
    folder = follow_up(run, workspace)
    source = (folder / "lettre.md").read_text(encoding="utf-8")
    assert f"relance_de: ../{FIRST}" in source
    assert "reference: CTEH/2015/002" in source
    assert "relance: 6 semaines" in source
    text = paragraphs(folder / "lettre.docx")
    assert "Objet : Relance : Vos engagements" in text
    assert "N/Réf. : CTEH/2015/002" in text
    body = next(t for t in text if t.startswith("Notre courrier"))
    assert body.startswith(f"Notre {MENTION}, dont vous trouverez copie ci-jointe")
    assert f"P. J. : Notre {MENTION}" in text
    assert "Monsieur Bernard Cazeneuve" in text
    copies = [t for t in text if t.startswith("– ")]
    assert [c.split(",")[0] for c in copies] == [
        "– Madame Elisabeth Moiron-Braud", "– Madame Christine Lazerges"
    ]  # fmt: skip
    pdf = compact("".join(page.extract_text() for page in PdfReader(folder / "lettre.pdf").pages))
    for words in ("Relance : Vos engagements", "N/Réf. : CTEH/2015/002", f"Notre {MENTION}",
                  f"P. J. : Notre {MENTION}", "Paris, le 15 juin 2015"):  # fmt: skip
        assert compact(words) in pdf


def test_rebuilding_the_follow_up_finds_the_first_letter_again(run: Run, workspace: Path) -> None:
    first_letter(run, workspace)
    folder = follow_up(run, workspace)
    before = paragraphs(folder / "lettre.docx")
    (folder / "lettre.docx").unlink()
    result = run("draft", str(folder / "lettre.md"), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert paragraphs(folder / "lettre.docx") == before


def test_a_new_holder_gets_the_follow_up_and_the_change_is_said(run: Run, workspace: Path) -> None:
    first_letter(run, workspace)
    directory = workspace / "destinataires.yaml"
    text = directory.read_text(encoding="utf-8")
    old = "      - {civilite: Monsieur, prenom: Bernard, nom: Cazeneuve, depuis: 2014-04-02, verifie_le: 2015-04-21}\n"
    new = "      - {civilite: Monsieur, prenom: Bruno, nom: Le Roux, depuis: 2015-06-01, verifie_le: 2015-06-15}\n"
    directory.write_text(text.replace(old, old + new), encoding="utf-8")
    result = run("draft", "--relance", str(workspace / "courriers" / FIRST), "--date",
                 "2015-06-15", "--format", "docx")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "a changé de titulaire" in result.stderr
    assert "Bernard Cazeneuve" in result.stderr and "Monsieur Bruno Le Roux" in result.stderr
    text_of = paragraphs(workspace / "courriers" / SECOND / "lettre.docx")
    assert "Monsieur Bruno Le Roux" in text_of
    assert "Monsieur Bernard Cazeneuve" not in text_of


def test_a_first_letter_without_pdf_cannot_be_followed_up(run: Run, workspace: Path) -> None:
    first_letter(run, workspace, "--format", "docx")
    result = run("draft", "--relance", str(workspace / "courriers" / FIRST), "--date", "2015-06-15")
    assert result.exit_code == 1
    assert "pas de PDF" in result.stderr and "la relance le joint" in result.stderr
    assert not (workspace / "courriers" / SECOND).exists()


def test_a_follow_up_dated_before_its_letter_is_refused(run: Run, workspace: Path) -> None:
    first_letter(run, workspace)
    result = run("draft", "--relance", str(workspace / "courriers" / FIRST), "--date", "2015-04-01")
    assert result.exit_code == 1
    assert "datée après le courrier qu'elle relance" in result.stderr


def test_the_e_mail_of_the_follow_up_carries_both_letters(run: Run, workspace: Path) -> None:
    directory = workspace / "destinataires.yaml"
    text = directory.read_text(encoding="utf-8")
    marker = "    adresse: [Place Beauvau, 75800 PARIS CEDEX 08]\n    courriel: null\n"
    directory.write_text(
        text.replace(marker, marker.replace("null", "cabinet@interieur.gouv.fr")), "utf-8"
    )
    first = first_letter(run, workspace)
    folder = follow_up(run, workspace)
    result = run("email", str(folder))
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes((folder / "lettre.eml").read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    parts = list(message.iter_attachments())
    assert [p.get_filename() for p in parts] == [f"{SECOND}.pdf", f"{FIRST}.pdf"]
    assert parts[1].get_content() == (first / "lettre.pdf").read_bytes()
    assert message["Subject"] == f"Relance{NB}: Vos engagements"


def registered(run: Run, *args: str) -> list[dict[str, object]]:
    result = run("register", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


def test_the_register_links_the_two_letters_and_the_first_is_no_longer_due(
    run: Run, workspace: Path
) -> None:
    first_letter(run, workspace)
    assert [r["objet"] for r in registered(run, "--due", "--date", "2015-06-10")] == [
        "Vos engagements"
    ]
    follow_up(run, workspace)
    records = registered(run, "--date", "2015-06-10")
    assert [(r["objet"], r["relance_de"], r["relance_par"]) for r in records] == [
        ("Relance : Vos engagements", "CTEH/2015/001 du 2015-04-21", None),
        ("Vos engagements", None, "CTEH/2015/002 du 2015-06-15"),
    ]
    assert registered(run, "--due", "--date", "2015-06-10") == []
    table = run("register", "--format", "markdown")
    assert "Vos engagements (relancé par CTEH/2015/002 du 2015-06-15)" in table.stdout


def test_the_web_page_shows_the_chain(run: Run, workspace: Path) -> None:
    first_letter(run, workspace)
    follow_up(run, workspace)
    result = run("register", "--format", "html", "--include-drafts")
    assert result.exit_code == 0, result.output
    fragment = html5lib.HTMLParser(strict=True).parseFragment(result.stdout)
    articles = {a.get("id"): a for a in fragment.iter(f"{HTML}article")}
    later, earlier = articles[f"courrier-{SECOND}"], articles[f"courrier-{FIRST}"]
    back = later.find(f"{HTML}p[@class='courrier-relance']/{HTML}a")
    assert back.get("href") == f"#courrier-{FIRST}"
    assert "".join(back.itertext()) == f"CTEH/2015/001 du 21{NB}avril{NB}2015"
    forth = earlier.find(f"{HTML}p[@class='courrier-relance']/{HTML}a")
    assert forth.get("href") == f"#courrier-{SECOND}"


def test_the_follow_up_dates_as_a_calendar(run: Run, workspace: Path, tmp_path: Path) -> None:
    first_letter(run, workspace)
    result = run("register", "--due", "--date", "2015-06-10", "--format", "ics")
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(result.stdout_bytes)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == date(2015, 6, 2)  # 6 weeks after 21 April
    assert event.decoded("dtend") == date(2015, 6, 3)
    assert str(event["summary"]).startswith(f"Relancer{NB}: Vos engagements (Monsieur{NB}Bernard")
    assert "CTEH/2015/001" in str(event["description"])
    assert event["uid"].endswith("@lettres")
    out = tmp_path / "relances.ics"
    result = run("register", "--out", str(out))
    assert result.exit_code == 0, result.output
    again = icalendar.Calendar.from_ical(out.read_bytes())
    assert [e["uid"] for e in again.walk("VEVENT")] == [event["uid"]]
    follow_up(run, workspace)
    later = icalendar.Calendar.from_ical(run("register", "--format", "ics").stdout_bytes)
    assert [e.decoded("dtstart") for e in later.walk("VEVENT")] == [date(2015, 7, 27)]


def test_check_names_a_follow_up_whose_letter_is_gone(run: Run, workspace: Path) -> None:
    first_letter(run, workspace)
    folder = follow_up(run, workspace)
    source = folder / "lettre.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace(f"../{FIRST}", "../2015-04-21-ailleurs"),
        encoding="utf-8",
    )
    line = next(
        n for n, text in enumerate(source.read_text("utf-8").splitlines(), 1)
        if text.startswith("relance_de")
    )  # fmt: skip
    result = run("check")
    assert result.exit_code == 1
    assert (
        f"lettre.md:{line}: erreur : « relance_de: ../2015-04-21-ailleurs » ne mène à aucun courrier"
        in result.stdout
    )
