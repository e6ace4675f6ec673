"""The e-mail that carries a letter: headers, encodings, attachments, and what must not get in."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st

from lettres.compose import compose
from lettres.errors import LettresError
from lettres.mail import build, draft_bytes, header_text, message_bytes
from lettres.source import load_letter
from lettres.workspace import load_workspace
from tests.helpers import Invoke as Run
from tests.mailing import addresses, attachments, give_email, parse, replace_in, write_letter

NOW = datetime(2015, 4, 21, 10, 30, tzinfo=UTC)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def addressed(workspace: Path) -> Path:
    """The workspace with e-mail addresses for the minister and three of the four copies."""
    give_email(workspace, "interieur", "ministre@interieur.gouv.fr")
    give_email(workspace, "cncdh", "cncdh@cncdh.fr")
    give_email(workspace, "greta", "greta@coe.int")
    give_email(workspace, "defenseur-droits", "defenseur@defenseurdesdroits.fr")
    return workspace


def built(workspace: Path, folder: Path, **options: object) -> tuple[EmailMessage, list[str]]:
    made = build(load_workspace(workspace), folder, now=NOW, **options)  # type: ignore[arg-type]
    return parse(message_bytes(made.message)), list(made.warnings)


def test_headers_copies_and_attachments(addressed: Path, run: Run, tmp_path: Path) -> None:
    folder = write_letter(addressed, "essai", objet='"« Vos engagements » : où en êtes-vous ?"')
    assert run("draft", str(folder / "lettre.md")).exit_code == 0
    enclosure = tmp_path / "Synthèse de la rencontre – été 2014.pdf"
    enclosure.write_bytes(b"%PDF-1.4 synthese")
    message, warnings = built(addressed, folder, with_docx=True, attachments=[enclosure])

    assert message["From"].addresses[0].display_name == "Geneviève Colas"
    assert addresses(message, "From") == ["genevieve.colas@secours-catholique.org"]
    assert message["To"].addresses[0].display_name == "Bernard Cazeneuve"
    assert addresses(message, "To") == ["ministre@interieur.gouv.fr"]
    # The letter's « Copies : » in its order; MIPROF has no address and is named, not dropped.
    assert addresses(message, "Cc") == [
        "cncdh@cncdh.fr", "greta@coe.int", "defenseur@defenseurdesdroits.fr"
    ]  # fmt: skip
    [warning] = warnings
    assert "Madame Elisabeth Moiron-Braud (miprof)" in warning.message
    assert warning.path == addressed / "destinataires.yaml"
    text = warning.path.read_text(encoding="utf-8").splitlines()
    assert warning.line is not None and text[warning.line - 1].strip() == "courriel: null"
    front, document = load_letter(folder / "lettre.md")
    subject = compose(load_workspace(addressed), front, document).subject
    assert message["Subject"] == subject
    assert "\u202f" in subject and "\u00a0" in subject  # the letter's typography, kept
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message["Message-ID"].endswith("@secours-catholique.org>")
    assert message["X-Unsent"] is None  # only the draft written to disk carries it

    files = attachments(message)
    assert list(files) == ["essai.pdf", "essai.docx", enclosure.name]
    assert files["essai.pdf"] == ("application/pdf", (folder / "lettre.pdf").read_bytes())
    assert files["essai.docx"] == (DOCX_TYPE, (folder / "lettre.docx").read_bytes())
    assert files[enclosure.name] == ("application/pdf", b"%PDF-1.4 synthese")


def test_raw_message_is_ascii_with_encoded_words_and_rfc2231_names(
    addressed: Path, tmp_path: Path
) -> None:
    folder = write_letter(addressed, "essai", objet="Protection des mineurs étrangers")
    enclosure = tmp_path / "Synthèse.pdf"
    enclosure.write_bytes(b"%PDF")
    message = build(load_workspace(addressed), folder, attachments=[enclosure]).message
    raw = message_bytes(message)
    assert raw.isascii()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert b"filename*=utf-8''Synth%C3%A8se.pdf" in raw
    assert b"=?utf-8?" in raw  # Geneviève, étrangers
    assert parse(raw)["Subject"] == "Protection des mineurs étrangers"


def cover(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def test_cover_message_is_french_and_short(addressed: Path) -> None:
    folder = write_letter(addressed, "essai", objet="Vos engagements",
                          body="Vous aviez reçu les représentants du Collectif.\n")  # fmt: skip
    text = cover(built(addressed, folder)[0])
    assert text.startswith("Monsieur le Ministre,\n")
    assert (
        "Véronique Fayet, Présidente du Secours Catholique – Caritas France, vous adresse" in text
    )
    assert "21\u00a0avril\u00a02015" in text
    assert "Objet\u00a0: Vos engagements" in text
    assert "Geneviève Colas" in text and "genevieve.colas@secours-catholique.org" in text
    assert "Vous aviez reçu" not in text  # the cover note does not restate the letter


def test_cover_message_for_a_woman_and_for_the_coalition_itself(workspace: Path) -> None:
    give_email(workspace, "justice", "ministre@justice.gouv.fr")
    folder = write_letter(workspace, "essai", destinataire="justice", signataire="collectif",
                          copies="[aucune]")  # fmt: skip
    message, warnings = built(workspace, folder)
    text = cover(message)
    assert text.startswith("Madame la Garde des Sceaux,\n")
    assert "vous adressent les membres du Collectif «\u00a0Ensemble contre la traite" in text
    assert message["Cc"] is None and warnings == []


def test_cover_message_comes_from_the_workspace_template(addressed: Path) -> None:
    (addressed / "modeles" / "courriel.md").write_text(
        "---\ndescription: essai\n---\nBonjour {{ destinataire.nom_complet }} ({{ objet }}).\n",
        encoding="utf-8",
    )
    folder = write_letter(addressed, "essai", objet="Essai")
    assert cover(built(addressed, folder)[0]) == "Bonjour Bernard Cazeneuve (Essai).\n"


def test_the_recipient_is_never_its_own_copy_and_a_shared_address_is_named_once(
    addressed: Path,
) -> None:
    give_email(addressed, "defenseur-enfants", "defenseur@defenseurdesdroits.fr")
    give_email(addressed, "miprof", "miprof@miprof.gouv.fr")
    folder = write_letter(addressed, "essai", destinataire="cncdh",
                          copies="[standard, defenseurs]")  # fmt: skip
    message, warnings = built(addressed, folder)
    assert addresses(message, "To") == ["cncdh@cncdh.fr"]
    assert addresses(message, "Cc") == [
        "miprof@miprof.gouv.fr", "greta@coe.int", "defenseur@defenseurdesdroits.fr"
    ]  # fmt: skip
    assert warnings == []


INJECTIONS = ["\n", "\r\n", "\r", "\x85", "\u2028", "\x0b"]


@pytest.mark.parametrize("newline", INJECTIONS, ids=[repr(n) for n in INJECTIONS])
def test_a_newline_in_the_objet_adds_no_header(addressed: Path, newline: str) -> None:
    escaped = newline.encode("unicode_escape").decode("ascii")
    folder = write_letter(addressed, "essai", objet=f'"Essai{escaped}Bcc: pirate@exemple.fr"')
    message, _ = built(addressed, folder)
    assert message["Bcc"] is None
    assert message["Subject"].startswith("Essai") and "\n" not in message["Subject"]
    assert [name.lower() for name in message] == [
        "from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type"
    ]  # fmt: skip


@pytest.mark.parametrize("key", ["interieur", "greta"], ids=["recipient", "copy"])
def test_a_newline_in_a_holders_name_adds_no_header(addressed: Path, key: str) -> None:
    name = {"interieur": "nom: Cazeneuve, depuis: 2014-04-02", "greta": "nom: Le Coz,"}[key]
    replace_in(addressed / "destinataires.yaml", name,
               name.replace(name.split(",")[0], 'nom: "Pirate\\r\\nBcc: pirate@exemple.fr\\nX-Evil: 1"'))  # fmt: skip
    folder = write_letter(addressed, "essai")
    message, _ = built(addressed, folder)
    assert message["Bcc"] is None and message["X-Evil"] is None
    header = "To" if key == "interieur" else "Cc"
    names = [a.display_name for a in message[header].addresses]
    assert any(n.endswith("Pirate Bcc: pirate@exemple.fr X-Evil: 1") for n in names)
    assert "pirate@exemple.fr" not in addresses(message, "To") + addresses(message, "Cc")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_is_one_header_line(text: str) -> None:
    message = EmailMessage()
    message["Subject"] = header_text(text)
    message["X-Fin"] = "1"
    again = parse(message_bytes(message))
    assert [name for name in again] == ["Subject", "X-Fin"]
    assert again["X-Fin"] == "1"
    assert not any(c in str(again["Subject"]) for c in "\r\n")


def test_email_command_writes_a_draft_marked_unsent(addressed: Path, run: Run) -> None:
    folder = write_letter(addressed, "essai")
    result = run("email", str(folder))
    assert result.exit_code == 0, result.output
    assert "1 courriel(s) préparé(s)" in result.stdout
    assert "Moiron-Braud (miprof)" in result.stderr  # the copy without an address, named
    raw = (folder / "lettre.eml").read_bytes()
    draft = parse(raw)
    assert draft["X-Unsent"] == "1"
    assert addresses(draft, "To") == ["ministre@interieur.gouv.fr"]
    assert attachments(draft)["essai.pdf"][1] == (folder / "lettre.pdf").read_bytes()
    assert not list(folder.glob(".lettre.eml.*"))  # written atomically: no temporary left


@pytest.mark.parametrize("command", [["email"], ["send", "--dry-run"]], ids=["email", "send"])
def test_a_letters_facts_are_looked_up_once_and_its_body_rendered_once(
    addressed: Path, run: Run, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """The e-mail reads the letter's one resolution: each directory entry once, the template
    variables once; the body is rendered once, only to check that the PDF still says it
    (guards.py), and the cover note once."""
    from lettres import compose, recipients, templating

    looked_up: Counter[str] = Counter()
    contexts: list[str] = []
    rendered: list[str] = []
    recipient, template_context = recipients.recipient, compose.template_context
    compile_template = templating.compile_template

    def counted_recipient(book: Any, key: str, on: Any) -> Any:
        looked_up[key] += 1
        return recipient(book, key, on)

    def counted_context(workspace: Any, front: Any, *rest: Any) -> Any:
        contexts.append(front.to)
        return template_context(workspace, front, *rest)

    def counted_compile(text: str, path: Path, first_line: int = 1) -> Any:
        rendered.append(path.name)
        return compile_template(text, path, first_line)

    monkeypatch.setattr(recipients, "recipient", counted_recipient)
    monkeypatch.setattr(compose, "template_context", counted_context)
    monkeypatch.setattr(templating, "compile_template", counted_compile)
    folders = [write_letter(addressed, "essai"), write_letter(addressed, "autre", copies="[greta]")]
    result = run(*command, *map(str, folders))
    assert result.exit_code == 0, result.output
    assert looked_up == {"interieur": 2, "cncdh": 1, "greta": 2, "miprof": 1, "defenseur-droits": 1}
    assert contexts == ["interieur", "interieur"]
    assert rendered == ["lettre.md", "courriel.md", "lettre.md", "courriel.md"]


def test_email_open_launches_the_mail_client_on_the_eml(
    addressed: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = [write_letter(addressed, "un"), write_letter(addressed, "deux")]
    launched: list[tuple[str, Path]] = []

    def launch(url: str, **options: object) -> int:
        launched.append((url, Path(url)))
        assert Path(url).is_file(), "the .eml is written before it is opened"
        return 0

    monkeypatch.setattr(typer, "launch", launch)
    result = run("email", *map(str, folders), "--open")
    assert result.exit_code == 0, result.output
    assert [path for _, path in launched] == [folder / "lettre.eml" for folder in folders]
    assert run("email", str(folders[0])).exit_code == 0
    assert len(launched) == 2, "without --open, nothing is opened"


def test_email_open_without_a_mail_client_says_so(
    addressed: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_letter(addressed, "un")
    monkeypatch.setattr(typer, "launch", lambda url, **options: 1)
    result = run("email", str(folder), "--open")
    assert result.exit_code == 1
    assert "aucune messagerie n'a pu ouvrir" in " ".join(result.stderr.split())
    assert (folder / "lettre.eml").is_file()


def test_draft_email_after_the_letter(addressed: Path, run: Run) -> None:
    folder = write_letter(addressed, "essai", pdf=False)
    result = run("draft", str(folder / "lettre.md"), "--email")
    assert result.exit_code == 0, result.output
    assert "lettre.eml" in result.stdout
    assert parse((folder / "lettre.eml").read_bytes())["X-Unsent"] == "1"


def test_draft_email_without_a_pdf_says_how_to_make_it(addressed: Path, run: Run) -> None:
    folder = write_letter(addressed, "essai", pdf=False)
    result = run("draft", str(folder / "lettre.md"), "--format", "docx", "--email")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "pas de PDF dans" in message and "lettres draft" in message
    assert not (folder / "lettre.eml").exists()


def test_templates_list_leaves_out_the_cover_message(run: Run) -> None:
    result = run("templates")
    assert result.exit_code == 0, result.output
    assert "courriel" not in result.stdout.split()
    assert not any(line.startswith("courriel") for line in result.stdout.splitlines())


def test_a_pdf_older_than_its_source_is_refused(addressed: Path, run: Run) -> None:
    """A letter drafted before lettres kept fingerprints: the files' dates must do."""
    folder = write_letter(addressed, "essai")
    os.utime(folder / "lettre.pdf", (1_000_000_000, 1_000_000_000))
    result = run("email", str(folder))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "lettre.md: a été modifié après lettre.pdf" in message
    assert f"relancez « lettres draft {folder / 'lettre.md'} »" in message
    assert not (folder / "lettre.eml").exists()


# (what to break, words of the message)
def no_pdf(workspace: Path, folder: Path) -> list[str]:
    (folder / "lettre.pdf").unlink()
    return []


def missing_attachment(workspace: Path, folder: Path) -> list[str]:
    return ["--attach", str(workspace / "absente.pdf")]


def no_docx(workspace: Path, folder: Path) -> list[str]:
    return ["--with-docx"]


def recipient_without_address(workspace: Path, folder: Path) -> list[str]:
    replace_in(workspace / "destinataires.yaml", "courriel: ministre@interieur.gouv.fr",
               "courriel: null")  # fmt: skip
    return []


def not_a_letter_folder(workspace: Path, folder: Path) -> list[str]:
    (folder / "lettre.md").unlink()
    return []


BAD = [
    pytest.param(no_pdf, "pas de PDF dans", id="no-pdf"),
    pytest.param(missing_attachment, "pièce jointe introuvable", id="missing-attachment"),
    pytest.param(no_docx, "pas de DOCX dans", id="no-docx"),
    pytest.param(recipient_without_address, "n'a pas d'adresse électronique", id="no-address"),
    pytest.param(not_a_letter_folder, "n'est pas un dossier de courrier", id="not-a-letter"),
]


@pytest.mark.parametrize(("breaker", "words"), BAD)
def test_bad_input_writes_no_draft_at_all(
    addressed: Path, run: Run, breaker: object, words: str
) -> None:
    good = write_letter(addressed, "bon")
    bad = write_letter(addressed, "mauvais")
    extra = breaker(addressed, bad)  # type: ignore[operator]
    result = run("email", str(good), str(bad), *extra)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert words in " ".join(result.stderr.split())
    assert not (good / "lettre.eml").exists() and not (bad / "lettre.eml").exists()


def test_recipient_without_address_is_located(addressed: Path, run: Run) -> None:
    folder = write_letter(addressed, "essai", destinataire="justice")
    result = run("email", str(folder))
    assert result.exit_code == 1
    text = (addressed / "destinataires.yaml").read_text(encoding="utf-8").splitlines()
    start = text.index("  justice:")
    line = next(n for n, t in enumerate(text, 1) if n > start and "courriel: null" in t)
    assert f"destinataires.yaml:{line}" in result.stderr


def test_draft_bytes_marks_a_copy(addressed: Path) -> None:
    folder = write_letter(addressed, "essai")
    message = build(load_workspace(addressed), folder).message
    assert parse(draft_bytes(message))["X-Unsent"] == "1"
    assert message["X-Unsent"] is None


def test_build_rejects_a_non_ascii_address(addressed: Path) -> None:
    replace_in(
        addressed / "destinataires.yaml", "courriel: greta@coe.int", "courriel: gréta@coe.int"
    )
    folder = write_letter(addressed, "essai")
    with pytest.raises(LettresError, match="caractères accentués"):
        build(load_workspace(addressed), folder)


def test_draft_pdf_and_email_in_one_command(addressed: Path, run: Run) -> None:
    folder = write_letter(addressed, "essai", pdf=False)
    result = run("draft", str(folder / "lettre.md"), "--format", "docx,pdf", "--email")
    assert result.exit_code == 0, result.output
    draft = parse((folder / "lettre.eml").read_bytes())
    assert attachments(draft)["essai.pdf"] == (
        "application/pdf",
        (folder / "lettre.pdf").read_bytes(),
    )
