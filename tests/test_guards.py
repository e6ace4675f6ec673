"""What leaves the office is finished and is what was read: no placeholder, no empty objet
or body, no PDF that says something else than the letter, no DOCX edited after its PDF."""

from __future__ import annotations

import json
import os
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from lettres import guards
from lettres.text import argument
from tests.helpers import Invoke as Run
from tests.helpers import write_source
from tests.mailing import Recorder, configure, free_port, give_email, replace_in

CORPS = "[à compléter : le texte du courrier (à remplacer directement dans lettre.md)]"


def one_line(text: str) -> str:
    return " ".join(text.split())


def line_number(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.lstrip().startswith(start))


@pytest.fixture
def addressed(workspace: Path) -> Path:
    give_email(workspace, "interieur", "ministre@interieur.gouv.fr")
    return workspace


@pytest.fixture
def smtp(addressed: Path) -> Iterator[Recorder]:
    """A real SMTP server on 127.0.0.1, configured in the workspace: what it gets, it keeps."""
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    configure(addressed, controller.port)
    try:
        yield handler
    finally:
        controller.stop()


def written_source(workspace: Path, body: str, **front: str) -> Path:
    """The letter's folder, for the commands that take one."""
    return write_source(workspace, body, **front).parent


# ----------------------------------------------------------------------------- unfinished


def test_a_placeholder_gets_a_docx_but_no_pdf(run: Run, workspace: Path) -> None:
    result = run("draft", "--template", "courrier-general", "--to", "interieur",
                 "--date", "2015-04-21", "--subject", "Essai")  # fmt: skip
    assert result.exit_code == 1
    folder = workspace / "courriers" / "2015-04-21-interieur-essai"
    source = folder / "lettre.md"
    assert source.is_file() and (folder / "lettre.docx").is_file()
    assert not (folder / "lettre.pdf").exists()
    assert not list(folder.glob(".*.tmp"))  # nothing half-written
    message = one_line(result.stderr)
    line = line_number(source, "corps:")
    assert f"{source}:{line}: la variable « corps » est encore à compléter" in message
    assert "PDF refusé" in message and f"relancez « lettres draft {source} »" in message
    assert "lettre.docx" in result.stdout  # what was written is still listed
    texts = [p.text for p in docx.Document(str(folder / "lettre.docx")).paragraphs]
    assert CORPS.replace(" :", "\u00a0:") in texts


@pytest.mark.parametrize(
    "typed",
    [
        "[À COMPLÉTER]",
        "[à compléter : chiffres]",
        "[A compléter",
        "[a completer]",
        "[ A COMPLETER ]",
    ],
)
def test_a_placeholder_typed_by_hand_in_any_case_stops_the_pdf(
    run: Run, workspace: Path, typed: str
) -> None:
    """Capitals lose their accents at many keyboards (« [A COMPLETER] »): still the marker."""
    source = write_source(workspace, f"Madame,\n\nNous vous écrivons {typed}.\n")
    result = run("draft", str(source))
    assert result.exit_code == 1
    line = source.read_text(encoding="utf-8").splitlines().index(f"Nous vous écrivons {typed}.")
    assert f"{source}:{line + 1}:" in one_line(result.stderr)  # the body's line, named
    assert (source.parent / "lettre.docx").is_file()
    assert not (source.parent / "lettre.pdf").exists()


@pytest.mark.parametrize(
    "text", ["Il reste à compléter [l'article 3].", "[Complément] à venir", "[a] complété"]
)
def test_words_near_the_marker_are_not_the_marker(text: str) -> None:
    assert not guards.has_placeholder(text)


def test_an_unfinished_letter_is_neither_emailed_nor_sent(
    run: Run, addressed: Path, smtp: Recorder, tmp_path: Path
) -> None:
    assert run("draft", "--template", "courrier-general", "--to", "interieur",
               "--date", "2015-04-21", "--subject", "Essai").exit_code == 1  # fmt: skip
    folder = addressed / "courriers" / "2015-04-21-interieur-essai"
    # Even with a PDF put there by hand (as an older lettres made one), nothing leaves.
    other = tmp_path / "autre"
    assert run("draft", "--template", "courrier-general", "--to", "interieur", "--date",
               "2015-04-21", "--subject", "Autre", "--var", "corps=Un texte.",
               "--out", str(other)).exit_code == 0  # fmt: skip
    (folder / "lettre.pdf").write_bytes((other / "lettre.pdf").read_bytes())
    line = line_number(folder / "lettre.md", "corps:")
    for command in (["email"], ["send", "--no-dry-run"], ["send"]):
        result = run(*command, str(folder))
        assert result.exit_code == 1, result.output
        message = one_line(result.stderr)
        assert f"lettre.md:{line}: la variable « corps » est encore à compléter" in message
        assert "ni PDF ni courriel" in message
    assert smtp.received == [] and smtp.mails == 0
    assert not (folder / "lettre.eml").exists() and not (folder / "envois.jsonl").exists()


def test_a_completed_general_letter_is_made_even_with_its_placeholder_variable(
    run: Run, addressed: Path
) -> None:
    """The template says to write the text in place of {{ corps }}: the unused variable is harmless."""
    result = run("draft", "--template", "courrier-general", "--to", "interieur",
                 "--date", "2015-04-21", "--subject", "Essai", "--format", "docx")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "encore à compléter" in result.stderr  # a warning: the DOCX is a draft
    folder = addressed / "courriers" / "2015-04-21-interieur-essai"
    replace_in(folder / "lettre.md", "{{ corps }}", "Nous vous écrivons au sujet du plan.")
    result = run("draft", str(folder / "lettre.md"))
    assert result.exit_code == 0, result.output
    text = "".join(page.extract_text() for page in PdfReader(folder / "lettre.pdf").pages)
    assert "Nous vous écrivons au sujet du plan." in one_line(text)
    assert run("email", str(folder)).exit_code == 0


BAD_TEXT = [
    pytest.param("\n\n", {}, "body", "le corps du courrier est vide", id="empty-body"),
    pytest.param("Texte.\n", {"objet": '" "'}, "objet:", "l'objet est vide", id="empty-objet"),
    pytest.param("Le {{ sujet }}.\n", {"variables": "{sujet: ''}"}, "variables:",
                 "la variable « sujet » est vide", id="empty-variable"),
    pytest.param("Le {{ corps | default('') }}.\n", {"modele": "courrier-general"}, "modele:",
                 "la variable « corps » (le texte du courrier", id="variable-not-given"),
    pytest.param("Début.\n\n[à compléter : la conclusion]\n", {}, "[à compléter",
                 "texte à compléter : « [à compléter : la conclusion] »", id="placeholder-in-body"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "front", "where", "words"), BAD_TEXT)
def test_unfinished_text_is_refused_at_its_line(
    run: Run, addressed: Path, body: str, front: dict[str, str], where: str, words: str
) -> None:
    folder = written_source(addressed, body, **front)
    source = folder / "lettre.md"
    line = (
        source.read_text(encoding="utf-8").splitlines().index("---", 1) + 2
        if where == "body"
        else line_number(source, where)
    )
    result = run("draft", str(source))
    assert result.exit_code == 1
    assert f"{source}:{line}: {words}" in one_line(result.stderr)
    assert (folder / "lettre.docx").is_file() and not (folder / "lettre.pdf").exists()
    result = run("email", str(folder))
    assert result.exit_code == 1
    assert not (folder / "lettre.eml").exists()


def test_the_libreoffice_engine_converts_no_unfinished_docx(run: Run, workspace: Path) -> None:
    result = run("draft", "--template", "courrier-general", "--to", "interieur",
                 "--date", "2015-04-21", "--subject", "Essai", "--pdf-engine", "libreoffice")  # fmt: skip
    assert result.exit_code == 1
    assert "PDF refusé" in one_line(result.stderr)
    folder = workspace / "courriers" / "2015-04-21-interieur-essai"
    assert (folder / "lettre.docx").is_file() and not (folder / "lettre.pdf").exists()


def test_a_docx_only_draft_warns_and_succeeds(run: Run, addressed: Path) -> None:
    folder = written_source(addressed, "\n")
    result = run("draft", str(folder / "lettre.md"), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert "le corps du courrier est vide" in one_line(result.stderr)


# ----------------------------------------------------------------------------- as read


@pytest.fixture
def drafted(run: Run, addressed: Path) -> Path:
    result = run("draft", "--template", "courrier-general", "--to", "interieur",
                 "--date", "2015-04-21", "--subject", "Essai", "--var", "corps=Premier texte.")  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = addressed / "courriers" / "2015-04-21-interieur-essai"
    assert run("email", str(folder)).exit_code == 0  # as drafted, it may go
    (folder / "lettre.eml").unlink()
    return folder


def refused(run: Run, folder: Path, *words: str) -> None:
    for command in (["email"], ["send"]):
        result = run(*command, str(folder))
        assert result.exit_code == 1, result.output
        message = one_line(result.stderr)
        for word in words:
            assert word in message, message
    assert not (folder / "lettre.eml").exists()


def test_a_pdf_that_no_longer_says_what_the_source_says_is_refused(run: Run, drafted: Path) -> None:
    source = drafted / "lettre.md"
    replace_in(source, "Premier texte.", "Second texte.")
    refused(run, drafted, "lettre.pdf: ne dit plus ce que dit le courrier",
            f"relancez « lettres draft {source} »")  # fmt: skip
    assert run("draft", str(source)).exit_code == 0
    assert run("email", str(drafted)).exit_code == 0


def test_a_pdf_older_than_a_change_of_holder_is_refused(run: Run, drafted: Path) -> None:
    workspace = drafted.parent.parent
    replace_in(workspace / "destinataires.yaml",
               "{civilite: Monsieur, prenom: Bernard, nom: Cazeneuve, depuis: 2014-04-02",
               "{civilite: Monsieur, prenom: Bernard, nom: Casenave, depuis: 2014-04-02")  # fmt: skip
    refused(run, drafted, "destinataires.yaml (titulaire, adresse, copies)", "ne dit plus")


def test_a_change_the_letter_does_not_print_is_no_reason_to_refuse(run: Run, drafted: Path) -> None:
    workspace = drafted.parent.parent
    give_email(workspace, "cncdh", "cncdh@cncdh.fr")  # an address is not printed in the letter
    source = drafted / "lettre.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run("email", str(drafted)).exit_code == 0


def test_a_replaced_pdf_is_refused(run: Run, drafted: Path, tmp_path: Path) -> None:
    pdf = drafted / "lettre.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% retouche\n")
    refused(run, drafted, "n'est pas le PDF que « lettres draft » a fait")


def test_a_docx_edited_after_its_pdf_is_refused(run: Run, drafted: Path) -> None:
    path = drafted / "lettre.docx"
    document = docx.Document(str(path))
    paragraph = next(p for p in document.paragraphs if p.text == "Premier texte.")
    paragraph.runs[0].text = "Premier texte, corrigé par un cosignataire."
    document.save(str(path))
    refused(run, drafted, "lettre.docx: modifié après le PDF",
            f"« lettres draft --from-docx {drafted} »")  # fmt: skip


def test_fingerprints_are_recorded_for_every_file_written(drafted: Path) -> None:
    import hashlib

    manifest = json.loads((drafted / ".lettres-empreintes.json").read_text(encoding="utf-8"))
    assert manifest["texte"] == "lettre.md"
    assert set(manifest["fichiers"]) == {"lettre.md", "lettre.docx", "lettre.pdf"}
    for name, sha in manifest["fichiers"].items():
        assert hashlib.sha256((drafted / name).read_bytes()).hexdigest() == sha


def test_without_fingerprints_a_directory_edited_after_the_pdf_is_refused(
    run: Run, drafted: Path
) -> None:
    """A letter drafted before lettres kept fingerprints: the dates decide."""
    (drafted / ".lettres-empreintes.json").unlink()
    assert run("email", str(drafted)).exit_code == 0
    (drafted / "lettre.eml").unlink()
    directory = drafted.parent.parent / "destinataires.yaml"
    later = (drafted / "lettre.pdf").stat().st_mtime + 10
    os.utime(directory, (later, later))
    refused(run, drafted, "destinataires.yaml: a été modifié après")


def test_the_command_to_run_again_is_one_argument_in_a_path_with_spaces(
    run: Run, workspace: Path, tmp_path: Path
) -> None:
    """The coordinator copies the command from the message: « Mes documents » must stay whole."""
    desk = tmp_path / "Mes documents" / "Collectif traite été"
    shutil.copytree(workspace, desk)
    source = write_source(desk, CORPS + "\n")
    result = run("draft", str(source), root=desk)
    assert result.exit_code == 1
    message = one_line(result.stderr)
    assert f'relancez « lettres draft "{source}" »' in message
    command = message.split("relancez « ")[1].split(" »")[0]
    assert shlex.split(command) == ["lettres", "draft", str(source)]
    source.write_text(source.read_text("utf-8").replace(CORPS, "Le texte."), "utf-8")
    again = run(*shlex.split(command)[1:], root=desk)
    assert again.exit_code == 0, again.output
    assert "Le texte." in "\n".join(
        p.text for p in docx.Document(str(source.parent / "lettre.docx")).paragraphs
    )


def test_a_plain_path_is_shown_as_it_is() -> None:
    assert (
        argument(Path("/srv/lettres/courriers/a/lettre.md")) == "/srv/lettres/courriers/a/lettre.md"
    )
    assert argument("C:\\Users\\Genevieve\\lettre.md") == "C:\\Users\\Genevieve\\lettre.md"
    assert argument("C:\\Mes documents\\lettre.md") == '"C:\\Mes documents\\lettre.md"'
