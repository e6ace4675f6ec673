"""Windows' encodings and paths: output a console cannot encode, files always in UTF-8, and
a workspace under « Geneviève/OneDrive - Secours Catholique/Collectif d'été »."""

from __future__ import annotations

import ast
import csv
import html
import io
import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from tests.helpers import REPO, SOURCE_2015, complete_directory, lettres_process
from tests.mailing import give_email, replace_in

CP1252 = {"PYTHONIOENCODING": "cp1252"}  # what a redirected stream is on a French Windows


@pytest.fixture
def polish(workspace: Path) -> Path:
    """The workspace where a copy's holder and the minister are named with letters that
    cp1252 has not (Ł, ż), with the 2015 letter in its courriers/."""
    directory = workspace / "destinataires.yaml"
    replace_in(
        directory,
        "prenom: Elisabeth, nom: Moiron-Braud, depuis: 2015-04-21, verifie_le: 2016-12-14",
        "prenom: Łukasz, nom: Wróbel-Żak, depuis: 2015-04-21",
    )
    replace_in(
        directory,
        "prenom: Bernard, nom: Cazeneuve, depuis: 2014-04-02",
        "prenom: Łukasz, nom: Cazeneuve, depuis: 2014-04-02",
    )
    (workspace / "courriers" / SOURCE_2015.name).mkdir(parents=True)
    (workspace / "courriers" / SOURCE_2015.name / "lettre.md").write_bytes(
        (SOURCE_2015 / "lettre.md").read_bytes()
    )
    return workspace


COMMANDS = {
    "copies": ["copies", "--date", "2015-04-21"],
    "recipients": ["recipients", "miprof", "--date", "2015-04-21"],
    "register": ["register", "--date", "2015-07-01"],
    "register-csv": ["register", "--format", "csv", "--date", "2015-07-01"],
    "check": ["check"],
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_output_a_redirected_cp1252_stream_cannot_encode_never_crashes(
    polish: Path, command: list[str]
) -> None:
    result = lettres_process("--workspace", polish, *command, env=CP1252)
    errors = result.stderr.decode("utf-8")
    assert result.returncode == 0, errors
    assert "Traceback" not in errors
    shown = result.stdout.decode("utf-8") + errors  # check's warnings go to stderr
    assert "Łukasz" in shown


def test_a_console_that_cannot_show_a_letter_shows_a_question_mark(polish: Path) -> None:
    """A real terminal keeps its encoding: « Ł » is not in cp1252, so it becomes « ? »."""
    pty = pytest.importorskip("pty")  # a pseudo-terminal: POSIX only
    controller, terminal = pty.openpty()
    environment = {**os.environ, **CP1252}
    environment.pop("LETTRES_WORKSPACE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "lettres", "--workspace", str(polish), *COMMANDS["copies"]],
        stdout=terminal, stderr=subprocess.PIPE, env=environment,
    )  # fmt: skip
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal is closed once the process has ended
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    text = output.decode("cp1252")
    assert "Madame ?ukasz Wróbel-?ak" in text or "Monsieur ?ukasz Wróbel-?ak" in text, text


# ------------------------------------------------------------------ files are always UTF-8

# Each call that opens a text file: the position of its mode argument (None: always text)
# and of its encoding argument.
TEXT_CALLS = {"open": (1, 3), "fdopen": (1, 3), "read_text": (None, 0), "write_text": (None, 1)}


def calls_without_encoding(tree: ast.AST) -> list[int]:
    """Lines of the calls that open a file in text mode and leave the encoding to the locale
    (cp1252 on a French Windows)."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", None))
        if name not in TEXT_CALLS or any(k.arg == "encoding" for k in node.keywords):
            continue
        mode_at, encoding_at = TEXT_CALLS[name]
        module = getattr(getattr(node.func, "value", None), "id", None)
        if name == "open" and module == "os":
            continue  # os.open: a file descriptor, no text
        if name == "open" and isinstance(node.func, ast.Attribute) and module != "io":
            mode_at, encoding_at = 0, 2  # Path.open(mode, buffering, encoding)
        if len(node.args) > encoding_at:
            continue
        modes = [k.value for k in node.keywords if k.arg == "mode"]
        if mode_at is not None:
            modes += node.args[mode_at : mode_at + 1]
        if not any(isinstance(m, ast.Constant) and "b" in str(m.value) for m in modes):
            lines.append(node.lineno)
    return lines


def test_text_files_are_never_read_or_written_in_the_locale_encoding() -> None:
    found = {
        f"{path.relative_to(REPO)}:{line}"
        for path in sorted((REPO / "src").rglob("*.py"))
        for line in calls_without_encoding(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert found == set()


def test_the_scan_finds_a_call_that_relies_on_the_locale() -> None:
    code = (
        "open(p)\nopen(p, 'rb')\np.open('a')\np.open('rb')\np.read_text()\n"
        "p.write_text(t, encoding='utf-8')\nos.fdopen(h, 'w')\nos.fdopen(h, 'wb')\n"
    )
    assert calls_without_encoding(ast.parse(code)) == [1, 3, 5, 7]


# ---------------------------------------------- a path with spaces, accents and apostrophes


def test_a_workspace_under_onedrive_with_accents_and_apostrophes(tmp_path: Path) -> None:
    """init, draft (DOCX and PDF), email and the web page, run from inside the workspace
    as the coordinator would, each in its own process."""
    root = tmp_path / "Geneviève" / "OneDrive - Secours Catholique" / "Collectif d'été"
    created = lettres_process("init", root, cwd=tmp_path)
    assert created.returncode == 0, created.stderr.decode()
    complete_directory(root)  # the holders of 2016, as the conftest's workspace has them
    give_email(root, "interieur", "ministre@interieur.gouv.fr")

    subject = "Rencontre d'été à l'Hôtel de Beauvau"
    drafted = lettres_process(
        "draft", "--template", "courrier-general", "--to", "interieur", "--date", "2016-06-01",
        "--subject", subject, "--var", "corps=Nous souhaitons vous rencontrer cet été.",
        cwd=root,
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr.decode()
    (folder,) = (root / "courriers").iterdir()
    paragraphs = [p.text for p in docx.Document(str(folder / "lettre.docx")).paragraphs]
    assert any("Nous souhaitons vous rencontrer cet été." in p for p in paragraphs)
    pdf_text = "".join(page.extract_text() for page in PdfReader(folder / "lettre.pdf").pages)
    assert "Nous souhaitons vous rencontrer cet été." in pdf_text

    emailed = lettres_process("email", folder, cwd=root)
    assert emailed.returncode == 0, emailed.stderr.decode()
    message = message_from_bytes((folder / "lettre.eml").read_bytes(), policy=policy.default)
    assert "ministre@interieur.gouv.fr" in str(message["To"])
    assert message["Subject"] == subject
    (attached,) = message.iter_attachments()
    assert attached.get_content() == (folder / "lettre.pdf").read_bytes()

    site = root / "Site d'été"
    published = lettres_process(
        "register", "--format", "html", "--out", site, "--include-drafts", cwd=root
    )
    assert published.returncode == 0, published.stderr.decode()
    page = (site / "index.html").read_text(encoding="utf-8")
    assert f'<h3 class="courrier-objet">{html.escape(subject)}</h3>' in page
    (pdf,) = site.glob("*.pdf")
    assert pdf.read_bytes() == (folder / "lettre.pdf").read_bytes()
    assert f'href="{pdf.name}"' in page


def test_the_csv_keeps_every_name_whatever_the_stream(polish: Path) -> None:
    result = lettres_process("--workspace", polish, *COMMANDS["register-csv"], env=CP1252)
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8-sig")), delimiter=";"))
    assert "Monsieur Łukasz Cazeneuve" in rows[0]["destinataire"]
