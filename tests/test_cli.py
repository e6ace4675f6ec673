"""The commands as a user runs them, and every kind of bad data file they must survive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Invoke as Run


def test_copies_on_2015_04_21(run: Run) -> None:
    result = run("copies", "--date", "2015-04-21")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Copies :"
    assert len(lines) == 5
    for line, name in zip(lines[1:], ["Moiron-Braud", "Lazerges", "Le Coz", "Toubon"], strict=True):
        assert line.startswith("- ") and name in line
    assert lines[4] == "- Monsieur\u00a0Jacques Toubon, Défenseur des droits"


def test_copies_as_emails_names_those_without_address(run: Run, workspace: Path) -> None:
    path = workspace / "destinataires.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "institution: Conseil de l'Europe, GRETA\n    adresse: [Conseil de l'Europe, "
            "67075 STRASBOURG CEDEX]\n    courriel: null",
            "institution: Conseil de l'Europe, GRETA\n    adresse: [Conseil de l'Europe, "
            "67075 STRASBOURG CEDEX]\n    courriel: greta@coe.int",
        ),
        encoding="utf-8",
    )
    result = run("copies", "--date", "2015-04-21", "--format", "emails")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Nicolas Le Coz <greta@coe.int>"
    assert "Sans adresse électronique : Madame Elisabeth Moiron-Braud (miprof)" in result.stderr
    assert "Le Coz" not in result.stderr


def test_copies_as_json(run: Run) -> None:
    result = run("copies", "--date", "2015-04-21", "--format", "json")
    data = json.loads(result.stdout)
    assert [line["destinataires"][0]["cle"] for line in data] == [
        "miprof", "cncdh", "greta", "defenseur-droits"
    ]  # fmt: skip
    assert data[0]["destinataires"][0]["poste"].startswith("Secrétaire générale de la Mission")


def test_copies_before_any_holder(run: Run) -> None:
    result = run("copies", "--date", "2010-01-01")
    assert result.exit_code == 1
    assert "n'a pas de titulaire connu le 2010-01-01" in result.stderr
    assert "Traceback" not in result.output


def test_bad_date_option_is_a_usage_error(run: Run) -> None:
    result = run("copies", "--date", "le 21")
    assert result.exit_code == 2
    assert "« le 21 » n'est pas une date ; écrivez par exemple 2015-04-21" in result.stderr


def test_recipients_search(run: Run) -> None:
    result = run("recipients", "intérieur", "--date", "2015-04-21")
    assert result.exit_code == 0, result.output
    assert "Monsieur Bernard Cazeneuve, Ministre de l'Intérieur" in result.stdout
    assert "Formule d'appel : Monsieur le Ministre," in result.stdout
    assert "75800 PARIS CEDEX 08" in result.stdout
    assert run("recipients", "zzz").exit_code == 1


def test_check_passes_on_the_shipped_workspace(run: Run) -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "0 erreur(s)" in result.stdout
    assert "destinataires.yaml:" in result.stdout  # honest warnings: old verifications


def test_workspace_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from lettres.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LETTRES_WORKSPACE", raising=False)
    result = CliRunner().invoke(app, ["copies"])
    assert result.exit_code == 1
    assert "aucun espace de travail trouvé" in result.stderr
    assert "lettres init" in result.stderr


def test_workspace_from_environment_and_parents(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from lettres.cli import app

    monkeypatch.setenv("LETTRES_WORKSPACE", str(workspace))
    assert CliRunner().invoke(app, ["copies", "--date", "2015-04-21"]).exit_code == 0
    monkeypatch.delenv("LETTRES_WORKSPACE")
    (workspace / "courriers" / "x").mkdir(parents=True)
    monkeypatch.chdir(workspace / "courriers" / "x")
    assert CliRunner().invoke(app, ["copies", "--date", "2015-04-21"]).exit_code == 0


def test_init_creates_a_working_workspace_and_never_overwrites(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "nouveau"
    result = run("init", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "modeles" / "membres.yaml").is_file()
    assert run("copies", "--date", "2015-04-21", root=target).exit_code == 0
    (target / "destinataires.yaml").write_text("postes: {}\n", encoding="utf-8")
    again = run("init", str(target))
    assert again.exit_code == 1
    assert "n'écrase rien" in again.stderr
    assert (target / "destinataires.yaml").read_text(encoding="utf-8") == "postes: {}\n"


# Each bad input: (file, text to find, text to put instead, text on the line the message
# must point at, words of the message)
BAD_INPUTS = [
    pytest.param("destinataires.yaml", "    categorie: ministre\n    institution: Ministère de l'Intérieur",
                 "    categorie: ministre\n    institution: [Ministère", "institution: [Ministère", "YAML invalide, colonne 18 : le crochet « [ » ouvert ici n'est jamais refermé",
                 id="malformed-yaml"),
    pytest.param("destinataires.yaml", "    courriel: null\n    titulaires:\n      - {civilite: Monsieur, prenom: Bernard, nom: Cazeneuve, depuis: 2014-04-02",
                 "    courriel: null\n    titulaire:\n      - {civilite: Monsieur, prenom: Bernard, nom: Cazeneuve, depuis: 2014-04-02",
                 "    titulaire:", "champ inconnu « titulaire » (vouliez-vous dire « titulaires » ?)",
                 id="unknown-field"),
    pytest.param("destinataires.yaml", "prenom: Bernard, nom: Cazeneuve, depuis: 2014-04-02,",
                 "prenom: Bernard, nom: Cazeneuve,", "Cazeneuve, verifie_le", "champ obligatoire manquant : ajoutez « depuis",
                 id="missing-field"),
    pytest.param("destinataires.yaml", "depuis: 2014-04-02, verifie_le: 2015-04-21",
                 "depuis: 2014-04-32, verifie_le: 2015-04-21", "2014-04-32", "« 2014-04-32 » n'est pas une date valide",
                 id="not-a-date"),
    pytest.param("destinataires.yaml", "depuis: 2014-04-02, verifie_le: 2015-04-21",
                 "depuis: avril 2014, verifie_le: 2015-04-21", "avril 2014", "« depuis » doit être une date AAAA-MM-JJ",
                 id="date-in-words"),
    pytest.param("destinataires.yaml", "postes: [miprof, cncdh, greta, defenseur-droits]",
                 "postes: [miprof, cncdh, gretta, defenseur-droits]", "gretta",
                 "le groupe « standard » cite un poste inconnu « gretta » (vouliez-vous dire « greta » ?)",
                 id="group-unknown-position"),
    pytest.param("destinataires.yaml", "Emmanuel, nom: Macron, depuis: 2017-05-14",
                 "Emmanuel, nom: Macron, depuis: 2011-05-14", "2011-05-14",
                 "titulaires dans le désordre : Emmanuel Macron (depuis 2011-05-14)",
                 id="holders-out-of-order"),
    pytest.param("destinataires.yaml", "  interieur:\n", "  premier-ministre:  # doublon\n", "# doublon",
                 "la clé « premier-ministre » est définie deux fois (déjà ligne",
                 id="duplicate-key"),
    pytest.param("destinataires.yaml", None, "", None, "le fichier est vide", id="empty-file"),
    pytest.param("modeles/membres.yaml", "Armée du Salut", "Arm\udce9e du Salut", "du Salut",
                 "n'est pas en UTF-8", id="not-utf8"),
    pytest.param("modeles/collectif.yaml", "voix: ils", "voix: eux", "voix: eux",
                 "« voix » vaut « eux » ; valeurs possibles : « je », « nous » ou « ils »",
                 id="bad-choice"),
    pytest.param("destinataires.yaml", "categorie: garde-des-sceaux", "categorie: garde-sceaux", "garde-sceaux",
                 "catégorie inconnue « garde-sceaux » (vouliez-vous dire « garde-des-sceaux » ?)",
                 id="unknown-category"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "find", "put", "at", "words"), BAD_INPUTS)
@pytest.mark.parametrize("command", ["check", "copies"])
def test_bad_input(
    run: Run, workspace: Path, command: str, name: str, find: str | None, put: str,
    at: str | None, words: str,
) -> None:  # fmt: skip
    path = workspace / name
    text = path.read_text(encoding="utf-8")
    if find is None:
        text = put
    else:
        assert find in text, "the test's anchor must exist in the shipped file"
        text = text.replace(find, put, 1)
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    result = run(command, "--date", "2015-04-21") if command == "copies" else run(command)
    if command == "copies" and name != "destinataires.yaml":
        assert result.exit_code == 0, "copies reads only the directory: it starts faster"
        return
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    # The message points at the line that holds the mistake (line 1 for an empty file).
    line = next((n for n, t in enumerate(text.splitlines(), 1) if at in t), 0) if at else 1
    where = f"{name}:{line}:"
    said = result.stdout if command == "check" else result.stderr  # check's findings: its result
    assert where in said
    assert words in " ".join(said.split())


@pytest.mark.parametrize(
    ("name", "text", "line", "words"),
    [
        ("modeles/essai.md", "---\ndescription: x\n---\nBonjour\n{% if %}\n", 5, "erreur de syntaxe Jinja2"),
        ("modeles/essai.md", "---\ndescriptoin: x\n---\nCorps\n", 2, "champ inconnu « descriptoin »"),
        ("courriers/a/lettre.md", "---\ndestinataire: interieur\nobjet: x\ndate: 2015-13-01\nsignataire: fayet\n---\nCorps\n", 4, "n'est pas une date valide"),
        ("courriers/a/lettre.md", "Pas d'en-tête\n", 1, "doit commencer par un en-tête"),
    ],
    ids=["template-jinja", "template-front", "letter-date", "letter-no-front"],
)  # fmt: skip
def test_check_reads_templates_and_letters(
    run: Run, workspace: Path, name: str, text: str, line: int, words: str
) -> None:
    path = workspace / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    problem = next(p for p in result.stdout.splitlines() if f"{name}:{line}: erreur : " in p)
    assert words in problem


def test_an_objet_that_is_not_utf_8_is_blamed_on_the_command_line(workspace: Path) -> None:
    """A byte \\xff typed in a Latin-1 terminal reaches Python as a lone surrogate."""
    import subprocess
    import sys

    command = [sys.executable.encode(), b"-m", b"lettres", b"--workspace", bytes(workspace),
               b"draft", b"--template", b"courrier-general", b"--to", b"interieur",
               b"--subject", b"Essai \xff", b"--date", b"2015-04-21", b"--format", b"docx"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, timeout=60)
    message = " ".join(result.stderr.decode("utf-8").split())
    assert result.returncode == 1, message
    assert "l'objet donné sur la ligne de commande (--subject « Essai \\xff »)" in message
    assert "n'est pas du texte valide" in message
    assert "YAML" not in message and "Traceback" not in message
    assert not (workspace / "courriers").exists()


@pytest.mark.parametrize(
    ("logo", "found"),
    [
        ("../ailleurs.png", "doit se trouver dans le dossier"),
        ("modeles", "logo introuvable"),
        ("modeles/membres.yaml", "n'est pas une image PNG, JPEG, GIF ou SVG"),
    ],
    ids=["outside", "folder", "not-an-image"],
)
def test_check_refuses_a_logo_the_pdf_could_not_use(
    run: Run, workspace: Path, logo: str, found: str
) -> None:
    (workspace.parent / "ailleurs.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    sender = workspace / "modeles" / "collectif.yaml"
    text = sender.read_text(encoding="utf-8")
    sender.write_text(
        text.replace("collectif:\n", f"collectif:\n  logo: {logo}\n", 1), encoding="utf-8"
    )
    result = run("check")
    assert result.exit_code == 1
    line = 1 + sender.read_text(encoding="utf-8").splitlines().index(f"  logo: {logo}")
    assert f"collectif.yaml:{line}: erreur : " in result.output
    assert found in result.output
