"""The DOCX is the co-signers' working copy: a re-draft never overwrites their edits in
silence, --force keeps them beside, and --from-docx makes the PDF from them."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date, datetime
from pathlib import Path

import docx
import pytest

from lettres.journal import Sent, append_sent
from tests.helpers import Invoke as Run
from tests.mailing import attachments, give_email, parse, replace_in

FIRST = "Premier texte."
EDITED = "Premier texte, corrigé par un cosignataire."


def one_line(text: str) -> str:
    return " ".join(text.split())


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def edit_docx(path: Path, old: str, new: str) -> None:
    """What a co-signer does in Word: change one paragraph, save."""
    document = docx.Document(str(path))
    paragraph = next(p for p in document.paragraphs if p.text == old)
    paragraph.runs[0].text = new
    for run in paragraph.runs[1:]:
        run.text = ""
    document.save(str(path))


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return one_line(done.stdout.decode("utf-8"))


def manifest(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / ".lettres-empreintes.json").read_text("utf-8"))
    return data


@pytest.fixture
def folder(run: Run, workspace: Path) -> Path:
    give_email(workspace, "interieur", "ministre@interieur.gouv.fr")
    result = run("draft", "--template", "courrier-general", "--to", "interieur",
                 "--date", "2015-04-21", "--subject", "Essai", "--var", f"corps={FIRST}")  # fmt: skip
    assert result.exit_code == 0, result.output
    return workspace / "courriers" / "2015-04-21-interieur-essai"


def test_a_redraft_refuses_to_overwrite_an_edited_docx(run: Run, folder: Path) -> None:
    edit_docx(folder / "lettre.docx", FIRST, EDITED)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = run("draft", str(folder / "lettre.md"))
    assert result.exit_code == 1
    message = one_line(result.stderr)
    assert "lettre.docx : lettre.docx a été modifié depuis « lettres draft »" in message
    assert f"« lettres draft --from-docx {folder} »" in message and "--force" in message
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing touched


def test_force_keeps_the_edited_docx_beside_never_over_an_earlier_copy(
    run: Run, folder: Path
) -> None:
    docx_path = folder / "lettre.docx"
    edit_docx(docx_path, FIRST, EDITED)
    day = date.fromtimestamp(docx_path.stat().st_mtime).isoformat()
    result = run("draft", str(folder / "lettre.md"), "--force")
    assert result.exit_code == 0, result.output
    kept = folder / f"lettre.modifie-{day}.docx"
    assert EDITED in paragraphs(kept)
    assert FIRST in paragraphs(docx_path) and EDITED not in paragraphs(docx_path)
    assert str(kept.name) in result.stdout and "gardé à côté" in one_line(result.stderr)
    # A second round of edits the same day: a second copy, the first one untouched.
    first_copy = kept.read_bytes()
    edit_docx(docx_path, FIRST, "Une autre correction.")
    os.utime(docx_path, (kept.stat().st_mtime, kept.stat().st_mtime))  # saved the same day
    assert run("draft", str(folder / "lettre.md"), "--force").exit_code == 0
    assert kept.read_bytes() == first_copy
    assert "Une autre correction." in paragraphs(folder / f"lettre.modifie-{day}-2.docx")
    assert run("email", str(folder)).exit_code == 0  # the new files are the letter again


def test_an_emptied_docx_is_made_again_without_force(run: Run, folder: Path) -> None:
    # What a power cut can leave of a DOCX written just before it: nobody's edits.
    expected = paragraphs(folder / "lettre.docx")
    (folder / "lettre.docx").write_bytes(b"")
    result = run("draft", str(folder / "lettre.md"))
    assert result.exit_code == 0, result.output
    assert paragraphs(folder / "lettre.docx") == expected
    assert not list(folder.glob("lettre.modifie-*"))  # nothing worth keeping aside
    assert run("email", str(folder)).exit_code == 0


def test_a_docx_only_redraft_of_an_unedited_letter_needs_no_force(run: Run, folder: Path) -> None:
    assert run("draft", str(folder / "lettre.md"), "--format", "docx").exit_code == 0
    assert run("draft", str(folder / "lettre.md"), "--format", "pdf").exit_code == 0
    assert run("email", str(folder)).exit_code == 0


def test_a_pdf_only_redraft_leaves_the_edited_docx_and_sending_still_refuses(
    run: Run, folder: Path
) -> None:
    edit_docx(folder / "lettre.docx", FIRST, EDITED)
    assert run("draft", str(folder / "lettre.md"), "--format", "pdf").exit_code == 0
    assert EDITED in paragraphs(folder / "lettre.docx")
    result = run("email", str(folder))
    assert result.exit_code == 1
    assert "lettre.docx: modifié après le PDF" in one_line(result.stderr)


def test_from_docx_makes_the_pdf_from_the_edited_docx(run: Run, folder: Path) -> None:
    edit_docx(folder / "lettre.docx", FIRST, EDITED)
    result = run("draft", "--from-docx", str(folder))
    assert result.exit_code == 0, result.output
    assert EDITED in pdf_text(folder / "lettre.pdf")
    assert manifest(folder)["texte"] == "lettre.docx"
    # email and send accept this PDF: it is the letter's text now.
    result = run("email", str(folder))
    assert result.exit_code == 0, result.output
    message = parse((folder / "lettre.eml").read_bytes())
    pdf = attachments(message)["2015-04-21-interieur-essai.pdf"][1]
    assert pdf == (folder / "lettre.pdf").read_bytes()
    assert run("send", str(folder)).exit_code == 0
    # A re-draft from lettre.md would replace that text: refused, even for the PDF alone.
    for formats in ("docx,pdf", "pdf"):
        result = run("draft", str(folder / "lettre.md"), "--format", formats)
        assert result.exit_code == 1
        assert "est le texte du courrier depuis « lettres draft --from-docx »" in one_line(
            result.stderr
        )
    assert EDITED in pdf_text(folder / "lettre.pdf")
    # Edited once more after its PDF: sending refuses until --from-docx runs again.
    edit_docx(folder / "lettre.docx", EDITED, "Troisième version.")
    result = run("email", str(folder))
    assert result.exit_code == 1
    assert "lettre.docx: modifié après le PDF" in one_line(result.stderr)


def test_from_docx_refuses_a_placeholder_left_in_the_docx(run: Run, workspace: Path) -> None:
    result = run("draft", "--template", "courrier-general", "--to", "interieur",
                 "--date", "2015-04-21", "--subject", "Essai", "--format", "docx")  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = workspace / "courriers" / "2015-04-21-interieur-essai"
    result = run("draft", "--from-docx", str(folder))
    assert result.exit_code == 1
    message = one_line(result.stderr)
    assert f"{folder / 'lettre.docx'}: paragraphe" in message and "texte à compléter" in message
    assert not (folder / "lettre.pdf").exists()


def test_from_docx_refuses_when_the_letter_changed_since_the_docx(run: Run, folder: Path) -> None:
    edit_docx(folder / "lettre.docx", FIRST, EDITED)
    replace_in(folder.parent.parent / "destinataires.yaml",
               "{civilite: Monsieur, prenom: Bernard, nom: Cazeneuve, depuis: 2014-04-02",
               "{civilite: Monsieur, prenom: Bernard, nom: Casenave, depuis: 2014-04-02")  # fmt: skip
    pdf = (folder / "lettre.pdf").read_bytes()
    result = run("draft", "--from-docx", str(folder))
    assert result.exit_code == 1
    message = one_line(result.stderr)
    assert "ne se lit plus comme quand lettre.docx a été rédigé" in message
    assert "ajoutez --force" in message
    assert (folder / "lettre.pdf").read_bytes() == pdf


def test_from_docx_needs_a_letter_folder_with_a_docx(run: Run, folder: Path) -> None:
    (folder / "lettre.docx").unlink()
    result = run("draft", "--from-docx", str(folder))
    assert result.exit_code == 1
    assert "pas de DOCX dans" in one_line(result.stderr)


def test_from_docx_refuses_a_letter_already_sent(run: Run, folder: Path) -> None:
    append_sent(folder, Sent("<1@x>", datetime(2015, 4, 22, 10).astimezone(), ("a@b.fr",), ()))
    edit_docx(folder / "lettre.docx", FIRST, EDITED)
    pdf = (folder / "lettre.pdf").read_bytes()
    result = run("draft", "--from-docx", str(folder))
    assert result.exit_code == 1
    assert "a déjà été envoyé" in one_line(result.stderr)
    assert (folder / "lettre.pdf").read_bytes() == pdf


def test_from_docx_goes_alone(run: Run, folder: Path) -> None:
    result = run("draft", str(folder / "lettre.md"), "--from-docx", str(folder))
    assert result.exit_code == 1
    assert "--from-docx DOSSIER se suffit" in one_line(result.stderr)
