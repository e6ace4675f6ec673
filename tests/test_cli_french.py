"""The command line as a French reader meets it: help, usage errors, examples, completion."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner, Result

from lettres import cli_fr
from lettres.cli import app
from tests.helpers import REPO, SOURCE_2015, give_the_minister_an_address

# Words and phrases of click's and typer's English that must never reach a user.
ENGLISH = [
    r"\bUsage\b", r"\bShow this\b", r"\bCommands\b", r"\bError\b", r"\bdefault\b",
    r"\brequired\b", r"\bTry\b", r"\bMissing\b", r"\bNo such\b", r"\bInvalid\b",
    r"\bGot unexpected\b", r"\bDid you mean\b", r"\bPossible options\b", r"\brequires\b",
    r"\bInstall completion\b", r"\bShow completion\b", r"\bAborted\b", r"\bis not\b",
    r"\bValue error\b", r"\bInput should\b", r"\bfor help\b", r"\bmessage and exit\b",
    r"\bargument\(s\)", r"\bARGS\b", r"\bCOMMAND\b", r"<bool>", r"<str>", r"<list",
    r"<path>", r"<int>", r"<float>", r"<date>", r"\benv var\b", r"\bdeprecated\b",
]  # fmt: skip


def english_in(text: str) -> list[str]:
    return [pattern for pattern in ENGLISH if re.search(pattern, text)]


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), prog_name="lettres")


def test_the_english_markers_catch_click_s_own_texts() -> None:
    """The list is not empty of meaning: typer's untranslated help trips it."""
    assert english_in("Usage: lettres [OPTIONS] COMMAND [ARGS]...")
    assert english_in("│ --help   <bool>  Show this message and exit. │")
    assert english_in("Missing option '--date'.")
    assert not english_in("Utilisation : lettres [OPTIONS] COMMANDE [ARGUMENTS]...")


@pytest.mark.parametrize("args", [[], ["--help"], ["-h"]])
def test_the_main_help_is_french(args: list[str]) -> None:
    result = invoke(*args)
    assert "Utilisation : lettres [OPTIONS] COMMANDE [ARGUMENTS]..." in result.stdout
    assert "Commandes" in result.stdout
    assert "Afficher cette aide et quitter." in result.stdout
    assert "--install-completion" in result.stdout  # completion is on
    assert english_in(result.output) == []


@pytest.mark.parametrize("name", command_names())
def test_every_command_s_help_is_french_and_ends_with_examples(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    assert f"Utilisation : lettres {name} [OPTIONS]" in result.stdout
    assert english_in(result.output) == []
    assert "[par défaut :" not in result.stdout or "[default" not in result.stdout
    assert "Exemples :" in result.stdout
    assert cli_fr.EXAMPLES[name], name
    assert result.stdout.index("Exemples :") > result.stdout.index("Options")


def test_readable_metavars() -> None:
    help_text = invoke("draft", "--help").stdout
    for metavar in ("MODÈLE", "CLÉ", "DATE", "NOM=VALEUR", "DOSSIER", "FICHIER"):
        assert metavar in help_text
    assert "[par défaut : docx,pdf]" in help_text
    assert "[obligatoire]" in invoke("answer", "--help").stdout


USAGE_ERRORS = [
    (["registre"], "commande inconnue : « registre » ; vouliez-vous dire « register » ?"),
    (["answer", "courriers/x"], "option obligatoire manquante : --date"),
    (["answer"], "argument obligatoire manquant : DOSSIER"),
    (["copies", "--bogus"], "option inconnue : --bogus"),
    (["recipients", "--dat", "2015-04-21"], "vouliez-vous dire « --date »"),
    (["copies", "--date"], "l'option --date attend une valeur"),
    (["copies", "trop"], "argument en trop : trop"),
    (["copies", "--format", "x"], "« x » n'est pas l'une des valeurs possibles : lines, emails, json"),
    (["register", "--year", "deux"], "valeur refusée pour --year : il faut un nombre entier"),
    (["copies", "--date", "2015-13-45"], "--date : "),
    (["draft", "--template", "x", "--var", "sansegal"], "écrivez --var NOM=VALEUR"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "expected"), USAGE_ERRORS)
def test_usage_errors_are_french(args: list[str], expected: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Erreur : " in result.stderr
    assert english_in(result.output) == []
    assert "Traceback" not in result.output


def test_usage_errors_show_the_french_usage_line_and_where_to_look() -> None:
    result = invoke("answer", "courriers/x")
    assert result.stderr.splitlines()[0] == "Utilisation : lettres answer [OPTIONS] {DOSSIER}"
    assert "Essayez « lettres answer --help » pour l'aide." in result.stderr
    assert result.stdout == ""


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"lettres \d+\.\d+\.\d+\S*\n", result.stdout)


def test_completion_options_are_french() -> None:
    result = invoke("--show-completion", "bash")
    assert result.exit_code == 0, result.output
    assert "_LETTRES_COMPLETE" in result.stdout


def example_workspace(tmp_path: Path) -> Path:
    root = tmp_path / "espace"
    root.mkdir()
    shutil.copy(REPO / "destinataires.yaml", root / "destinataires.yaml")
    shutil.copytree(REPO / "modeles", root / "modeles")
    letter = root / "courriers" / SOURCE_2015.name
    letter.mkdir(parents=True)
    shutil.copy(SOURCE_2015 / "lettre.md", letter / "lettre.md")
    return root


EXAMPLES = [(name, line) for name, examples in cli_fr.EXAMPLES.items() for line, _ in examples]


@pytest.mark.parametrize(("name", "line"), EXAMPLES)
def test_each_example_of_the_help_runs(
    name: str, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = example_workspace(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.delenv("LETTRES_WORKSPACE", raising=False)
    if name in ("email", "send", "sent", "answer"):  # a letter drafted, an address
        give_the_minister_an_address(root)
        drafted = invoke("draft", f"courriers/{SOURCE_2015.name}/lettre.md")
        assert drafted.exit_code == 0, drafted.output
    words = shlex.split(line)
    assert words[0] == "lettres"
    result = invoke(*words[1:])
    assert result.exit_code == 0, f"{line}\n{result.output}"
    assert english_in(result.output) == []


def test_every_command_has_examples() -> None:
    assert set(command_names()) <= set(cli_fr.EXAMPLES)


def completion_context(root: Path) -> typer.Context:
    group = typer.main.get_command(app)
    return group.make_context("lettres", ["--workspace", str(root)], resilient_parsing=True)


def test_completion_offers_the_workspace_s_names(workspace: Path) -> None:
    from lettres import cli

    ctx = completion_context(workspace)
    assert cli.complete_template(ctx, "") == [
        "courrier-general", "demande-rencontre", "position-projet-loi", "relance", "suivi-rencontre"
    ]  # fmt: skip
    assert cli.complete_template(ctx, "su") == ["suivi-rencontre"]
    recipients = dict(cli.complete_recipient(ctx, "mi"))
    assert set(recipients) == {"miprof", "ministres"}  # a post and a group
    assert "ministres" in dict(cli.complete_recipient(ctx, ""))
    assert "interieur" in dict(cli.complete_recipient(ctx, ""))
    assert dict(cli.complete_copy(ctx, "au")) == {"aucune": "aucune copie"}
    signatories = dict(cli.complete_signatory(ctx, ""))
    assert set(signatories) == {"fayet", "collectif", "colas"}
    assert "Véronique Fayet" in signatories["fayet"]


def test_completion_without_a_workspace_offers_nothing(tmp_path: Path) -> None:
    from lettres import cli

    ctx = completion_context(tmp_path)
    assert cli.complete_template(ctx, "") == []
    assert cli.complete_recipient(ctx, "") == []
    assert cli.complete_signatory(ctx, "") == []


def test_completion_through_the_shell_protocol(workspace: Path) -> None:
    env = {
        "_LETTRES_COMPLETE": "complete_bash",
        "COMP_WORDS": f"lettres --workspace {workspace} draft --template d",
        "COMP_CWORD": "5",
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="lettres")
    assert result.stdout.split() == ["demande-rencontre"]
