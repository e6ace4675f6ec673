"""One output discipline: results on stdout, diagnostics on stderr, -q, -v, JSON results."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from tests.helpers import SOURCE_2015, give_the_minister_an_address
from tests.helpers import Invoke as Run

LOCATED = re.compile(r"^\S+:\d+: (erreur|avertissement) : \S")


def test_check_findings_are_its_result_on_stdout(run: Run) -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    findings = result.stdout.splitlines()[:-1]
    assert findings and all(LOCATED.match(line) for line in findings)
    assert result.stdout.splitlines()[-1].startswith("Espace de travail valide")
    assert result.stderr == ""


def test_quiet_check_keeps_only_errors(run: Run, workspace: Path) -> None:
    assert "avertissement :" not in run("-q", "check").stdout
    path = workspace / "modeles" / "collectif.yaml"
    path.write_text(path.read_text("utf-8").replace("voix: je", "voix: eux", 1), "utf-8")
    result = run("-q", "check")
    assert result.exit_code == 1
    assert re.search(r"collectif\.yaml:\d+: erreur : « voix » vaut « eux »", result.stdout)
    assert "avertissement :" not in result.stdout


def test_check_as_json(run: Run, workspace: Path) -> None:
    path = workspace / "modeles" / "collectif.yaml"
    path.write_text(path.read_text("utf-8").replace("voix: je", "voix: eux", 1), "utf-8")
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"erreurs", "avertissements"}
    [error] = data["erreurs"]
    assert error["fichier"].endswith("collectif.yaml") and error["ligne"] > 1
    assert "« voix » vaut « eux »" in error["message"]


def test_recipients_and_templates_as_json(run: Run) -> None:
    [found] = json.loads(
        run("recipients", "interieur", "--date", "2015-04-21", "-f", "json").stdout
    )
    assert found == {
        "cle": "interieur", "titulaire": "Monsieur Bernard Cazeneuve",
        "poste": "Ministre de l'Intérieur", "formule_appel": "Monsieur le Ministre",
        "adresse": ["Ministre de l'Intérieur", "Place Beauvau", "75800 PARIS CEDEX 08"],
        "courriel": None, "correspondance": "Ministre de l'Intérieur",
    }  # fmt: skip
    templates = json.loads(run("templates", "--format", "json").stdout)
    by_name = {t["nom"]: t for t in templates}
    assert set(by_name["suivi-rencontre"]["variables"]) == {
        "date_rencontre",
        "engagements",
        "attente",
    }
    assert by_name["courrier-general"]["description"].startswith("Un courrier libre")


def test_draft_email_send_as_json(run: Run, workspace: Path) -> None:
    give_the_minister_an_address(workspace)
    folder = workspace / "courriers" / SOURCE_2015.name
    folder.mkdir(parents=True)
    shutil.copy(SOURCE_2015 / "lettre.md", folder / "lettre.md")
    drafted = run("draft", str(folder / "lettre.md"), "--json")
    assert drafted.exit_code == 0, drafted.output
    data = json.loads(drafted.stdout)
    assert [Path(p).name for p in data["fichiers"]] == ["lettre.docx", "lettre.pdf"]
    assert [Path(p).name for p in data["courriers"]] == [SOURCE_2015.name]
    assert isinstance(data["avertissements"], list)
    emailed = json.loads(run("email", str(folder), "--json").stdout)
    assert [Path(p).name for p in emailed["courriels"]] == ["lettre.eml"]
    sent = run("send", str(folder), "--json")
    assert sent.exit_code == 0, sent.output
    report = json.loads(sent.stdout)
    assert report["simulation"] is True
    [letter] = report["courriers"]
    assert (
        letter["a"] == ["Monsieur Bernard Cazeneuve <ministre@interieur.gouv.fr>"]
        or "ministre@interieur.gouv.fr" in letter["a"][0]
    )
    assert letter["pieces_jointes"] == [f"{SOURCE_2015.name}.pdf"]
    assert letter["statut"] == "simulation"
    assert letter["envoye_le"] is None


def test_verbose_says_what_is_read_and_written(run: Run, workspace: Path) -> None:
    folder = workspace / "courriers" / SOURCE_2015.name
    folder.mkdir(parents=True)
    shutil.copy(SOURCE_2015 / "lettre.md", folder / "lettre.md")
    result = run("-v", "draft", str(folder / "lettre.md"), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert re.search(r"^Lecture : .*destinataires\.yaml$", result.stderr, re.M)
    assert re.search(r"^Lecture : .*membres\.yaml$", result.stderr, re.M)
    assert re.search(r"^Écrit : .*lettre\.docx$", result.stderr, re.M)
    assert "Lecture" not in run("draft", str(folder / "lettre.md"), "--format", "docx").stderr
