"""Every file lettres writes is as readable as the umask says: a web server or a colleague on
the shared drive must be able to read the letters, the e-mails and the site."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Invoke as Run
from tests.mailing import give_email


@pytest.fixture(params=[0o022, 0o027], ids=["umask-022", "umask-027"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask: int = request.param
    old = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_written_follows_the_umask(
    run: Run, workspace: Path, tmp_path: Path, umask: int
) -> None:
    give_email(workspace, "interieur", "ministre@interieur.gouv.fr")
    result = run("draft", "--template", "courrier-general", "--to", "interieur",
                 "--date", "2015-04-21", "--subject", "Essai", "--var", "corps=Un texte.",
                 "--email")  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = next((workspace / "courriers").iterdir())
    written = [folder / name for name in ("lettre.md", "lettre.docx", "lettre.pdf", "lettre.eml")]
    site = tmp_path / "site"
    result = run("register", "--out", str(site), "--include-drafts")
    assert result.exit_code == 0, result.output
    written += [site / "index.html", site / "courriers.html", *site.glob("*.pdf")]
    book = tmp_path / "registre.xlsx"
    assert run("register", "--out", str(book)).exit_code == 0
    written.append(book)
    reply = tmp_path / "reponse.pdf"
    reply.write_bytes(b"%PDF-1.4 reponse")
    assert run("answer", str(folder), "--date", "2015-06-01", "--file", str(reply)).exit_code == 0
    written += [folder / "reponse-2015-06-01.pdf", folder / "reponses.jsonl"]
    written.append(folder / ".lettres-empreintes.json")
    docx_path = folder / "lettre.docx"
    docx_path.write_bytes(docx_path.read_bytes() + b"\0")  # an edit, as far as lettres can tell
    assert run("draft", str(folder / "lettre.md"), "--force").exit_code == 0
    written += list(folder.glob("lettre.modifie-*.docx"))
    assert len(written) == 12
    expected = 0o666 & ~umask
    assert {path.name: oct(mode(path)) for path in written} == {
        path.name: oct(expected) for path in written
    }
