"""`lettres draft`: new letters, the mail merge, rebuilding, and the bad inputs it must survive."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from tests.helpers import Invoke as Run
from tests.helpers import write_source

NB = "\u00a0"


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def new_letter(run: Run, *extra: str) -> object:
    return run(
        "draft", "--template", "demande-rencontre", "--date", "2016-12-14",
        "--var", "sujet=la mise en œuvre du plan d'action national",
        "--var", "contexte=Le plan d'action national arrive à son terme.",
        "--format", "docx", *extra,
    )  # fmt: skip


def test_new_letter_writes_source_and_docx(run: Run, workspace: Path) -> None:
    result = new_letter(run, "--to", "interieur")
    assert result.exit_code == 0, result.output
    folder = workspace / "courriers" / "2016-12-14-interieur-demande-de-rencontre"
    assert files_under(folder) == {
        folder / "lettre.md", folder / "lettre.docx", folder / ".lettres-empreintes.json"
    }  # fmt: skip
    source = (folder / "lettre.md").read_text(encoding="utf-8")
    for choice in ("modele: demande-rencontre", "destinataire: interieur", "date: 2016-12-14",
                   "signataire: fayet", "- standard", "objet: Demande de rencontre"):  # fmt: skip
        assert choice in source
    text = paragraphs(folder / "lettre.docx")
    assert f"Paris, le 14{NB}décembre{NB}2016" in text
    assert any("réunit 25 associations" in t for t in text)
    assert any("au sujet de la mise en œuvre du plan d'action national" in t for t in text)
    assert (
        "Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma très haute considération."
        in text
    )
    assert f"–{NB}Monsieur{NB}Jacques{NB}Toubon, Défenseur des droits" in text


def test_rebuild_from_source_after_an_edit(run: Run, workspace: Path) -> None:
    assert new_letter(run, "--to", "interieur").exit_code == 0
    folder = workspace / "courriers" / "2016-12-14-interieur-demande-de-rencontre"
    source = folder / "lettre.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Le plan d'action national arrive à son terme.", "Une phrase écrite à la main."
    ), encoding="utf-8")  # fmt: skip
    before = source.read_bytes()
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert "Une phrase écrite à la main." in paragraphs(folder / "lettre.docx")
    assert source.read_bytes() == before  # the source is never rewritten


def test_mail_merge_one_letter_per_recipient(run: Run, workspace: Path) -> None:
    result = new_letter(run, "--to", "ministres", "--to", "interieur")
    assert result.exit_code == 0, result.output
    folders = sorted((workspace / "courriers").iterdir())
    assert [f.name.split("-demande")[0] for f in folders] == [
        "2016-12-14-affaires-sociales", "2016-12-14-education", "2016-12-14-familles",
        "2016-12-14-interieur", "2016-12-14-justice",
    ]  # fmt: skip
    assert "5 courrier(s), 10 fichier(s) écrit(s)" in result.stdout
    # Each letter names the holder on its date (Christiane Taubira left on 2016-01-27).
    justice = paragraphs(next(f for f in folders if "justice" in f.name) / "lettre.docx")
    assert "Monsieur le Garde des Sceaux," in justice
    assert f"Monsieur{NB}Jean-Jacques{NB}Urvoas" in justice
    social = paragraphs(next(f for f in folders if "sociales" in f.name) / "lettre.docx")
    assert "Madame la Ministre," in social
    assert f"Madame{NB}Marisol{NB}Touraine" in social


def test_templates_are_listed_with_their_variables(run: Run) -> None:
    result = run("templates")
    assert result.exit_code == 0, result.output
    for name in ("demande-rencontre", "suivi-rencontre", "position-projet-loi", "courrier-general"):
        assert name in result.stdout
    assert "date_rencontre :" in result.stdout


def test_missing_variables_become_visible_placeholders(run: Run, workspace: Path) -> None:
    result = run("draft", "--template", "suivi-rencontre", "--to", "interieur",
                 "--date", "2015-04-21", "--format", "docx")  # fmt: skip
    assert result.exit_code == 0, result.output  # a DOCX is a draft to edit: it may be unfinished
    folder = next((workspace / "courriers").iterdir())
    lines = (folder / "lettre.md").read_text(encoding="utf-8").splitlines()
    for name in ("date_rencontre", "engagements"):
        number = next(n for n, line in enumerate(lines, 1) if line.startswith(f"  {name}:"))
        assert (
            f"lettre.md:{number}: avertissement : la variable « {name} » est encore à compléter"
            in " ".join(result.stderr.split())
        )
    assert any("[à compléter" in t for t in paragraphs(folder / "lettre.docx"))


def test_every_template_renders_for_a_woman_and_a_man(run: Run) -> None:
    for template in (
        "demande-rencontre",
        "suivi-rencontre",
        "position-projet-loi",
        "courrier-general",
    ):
        for key in ("justice", "interieur"):
            result = run("draft", "--template", template, "--to", key, "--date", "2015-04-21",
                         "--subject", f"Essai {template}", "--format", "docx")  # fmt: skip
            assert result.exit_code == 0, result.output


# (arguments after "draft", words of the message)
BAD_NEW = [
    pytest.param(["--template", "demande-rencontre", "--to", "interieu"],
                 "destinataire inconnu « interieu » (clés proches : interieur", id="unknown-recipient"),
    pytest.param(["--template", "demande-rencontre", "--to", "interieur", "--date", "2010-01-01"],
                 "n'a pas de titulaire connu le 2010-01-01", id="no-holder-on-date"),
    pytest.param(["--template", "demande-rencontre", "--to", "familles", "--date", "2016-01-01"],
                 "Laurence Rossignol, y est depuis le 2016-02-11", id="date-before-holder-start"),
    pytest.param(["--template", "demande-rdv", "--to", "interieur"],
                 "modèle inconnu « demande-rdv »", id="unknown-template"),
    pytest.param(["--template", "demande-rencontre", "--to", "interieur", "--signatory", "fayette"],
                 "signataire inconnu « fayette » (vouliez-vous dire « fayet » ?)", id="unknown-signatory"),
    pytest.param(["--template", "demande-rencontre", "--to", "interieur", "--var", "sujett=x"],
                 "n'attend pas la variable « sujett » (vouliez-vous dire « sujet » ?)", id="unknown-variable"),
    pytest.param(["--template", "courrier-general", "--to", "interieur"],
                 "objet manquant", id="no-subject"),
    pytest.param(["--to", "interieur"], "indiquez un courrier à refaire", id="no-template"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "words"), BAD_NEW)
def test_bad_new_letter(run: Run, workspace: Path, args: list[str], words: str) -> None:
    result = run("draft", "--date", "2015-04-21", *args, "--format", "docx")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert words in " ".join(result.stderr.split())
    assert not (workspace / "courriers").exists()


def test_output_folder_already_exists(run: Run, workspace: Path) -> None:
    assert new_letter(run, "--to", "interieur").exit_code == 0
    before = {p: p.read_bytes() for p in files_under(workspace / "courriers")}
    # Another letter (other choices) in the same folder is refused, its files untouched.
    result = new_letter(run, "--to", "interieur", "--place", "Lyon")
    assert result.exit_code == 1
    assert "existe déjà : pour refaire ce courrier, lancez « lettres draft" in " ".join(
        result.stderr.split()
    )
    assert {p: p.read_bytes() for p in files_under(workspace / "courriers")} == before


def test_batch_with_one_bad_recipient_writes_nothing(run: Run, workspace: Path) -> None:
    result = new_letter(
        run, "--to", "interieur", "--to", "familles"
    )  # no Rossignol in 2016-12? yes
    assert result.exit_code == 0
    result = run("draft", "--template", "demande-rencontre", "--to", "interieur", "--to", "familles",
                 "--date", "2015-04-21", "--subject", "Autre", "--format", "docx")  # fmt: skip
    assert result.exit_code == 1
    assert not any("autre" in p.name for p in (workspace / "courriers").iterdir())


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("Bonjour {{ sujet }}\n", "variable inconnue « sujet »"),
        ("ligne 1\n\n{% if %}\n", "erreur de syntaxe Jinja2"),
        ("{{ ''.__class__.__mro__ }}\n", "ne peut pas atteindre les objets internes de Python"),
    ],
    ids=["undefined", "syntax", "sandbox"],
)
def test_template_errors_name_the_line(run: Run, workspace: Path, body: str, words: str) -> None:
    source = write_source(workspace, body)
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 1
    line = 7 + next(i for i, t in enumerate(body.splitlines()) if "{" in t)  # body starts line 7
    assert f"lettre.md:{line}: " in result.stderr
    assert words in " ".join(result.stderr.split())
    assert not (source.parent / "lettre.docx").exists()


def test_control_characters_never_make_an_invalid_docx(run: Run, workspace: Path) -> None:
    source = write_source(workspace, "Avant\x00\x01\x0b\x0c\x1b après\ufffe.\n")
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert "Avant après." in paragraphs(source.parent / "lettre.docx")


def test_control_character_in_subject_option(run: Run, workspace: Path) -> None:
    result = new_letter(run, "--to", "interieur", "--subject", "Objet\x07 piégé")
    assert result.exit_code == 0, result.output
    folder = next((workspace / "courriers").iterdir())
    assert f"Objet{NB}: Objet piégé" in paragraphs(folder / "lettre.docx")


def test_control_character_in_front_matter_is_located(run: Run, workspace: Path) -> None:
    source = write_source(workspace, "Corps.\n", objet="Objet\x07 piégé")
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 1
    assert "lettre.md:3: caractère interdit (U+0007)" in result.stderr


def test_emoji_rare_unicode_and_a_long_subject(run: Run, workspace: Path) -> None:
    subject = "Très long objet " * 32 + "fin"
    body = "Émoji 🙂 et 👩🏽‍⚖️, écritures 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, عربى, 中文, ZWJ\u200d, combinants e\u0301.\n"
    source = write_source(workspace, body, objet=subject)
    assert len(subject) > 500
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 0, result.output
    text = paragraphs(source.parent / "lettre.docx")
    assert body.strip() in text
    assert f"Objet{NB}: {subject}" in text


def test_twenty_page_body_loses_nothing(run: Run, workspace: Path) -> None:
    paragraphs_in = [f"Paragraphe {n} : " + "la traite des êtres humains " * 20 for n in range(120)]
    source = write_source(workspace, "\n\n".join(paragraphs_in) + "\n")
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 0, result.output
    body = [t for t in paragraphs(source.parent / "lettre.docx") if t.startswith("Paragraphe ")]
    assert len(body) == 120
    assert body[119].startswith(f"Paragraphe 119{NB}: la traite")


def test_unknown_format(run: Run, workspace: Path) -> None:
    source = write_source(workspace, "Corps.\n")
    result = run("draft", str(source), "--format", "odt")
    assert result.exit_code == 1
    assert "format inconnu « odt »" in result.stderr


def test_a_sent_letter_is_frozen(run: Run, workspace: Path) -> None:
    from datetime import datetime

    from lettres.journal import Sent, append_sent

    source = write_source(workspace, "Corps.\n")
    assert run("draft", str(source), "--format", "docx").exit_code == 0
    sent_docx = (source.parent / "lettre.docx").read_bytes()
    append_sent(source.parent, Sent("<1@x>", datetime(2015, 4, 21, 10), ("a@b.fr",), ()))
    source.write_text(source.read_text(encoding="utf-8").replace("Corps.", "Autre."), "utf-8")
    refused = run("draft", str(source), "--format", "docx")
    assert refused.exit_code == 1
    assert "déjà été envoyé" in refused.stderr and "--force" in refused.stderr
    assert (source.parent / "lettre.docx").read_bytes() == sent_docx
    assert run("draft", str(source), "--format", "docx", "--force").exit_code == 0
    assert "Autre." in paragraphs(source.parent / "lettre.docx")


def test_ordinals_and_mr_are_warned_not_rewritten(run: Run, workspace: Path) -> None:
    source = write_source(workspace, "Premier paragraphe.\n\nLe 2ème plan, selon Mr Dupont.\n")
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 0, result.output
    warnings = " ".join(result.stderr.split())
    assert "lettre.md:9: avertissement : « 2ème » s'écrit « 2e »" in warnings
    assert "lettre.md:9: avertissement : « Mr » s'écrit « M. »" in warnings
    assert "Le 2ème plan, selon Mr Dupont." in paragraphs(source.parent / "lettre.docx")


def test_first_of_the_month_and_capitalised_titles_are_warned(run: Run, workspace: Path) -> None:
    body = (
        "Monsieur le Ministre, le Premier Ministre a reçu le Collectif le 1 février.\n\n"
        "Le rapport du Ministère de l'Intérieur.\n"
    )
    source = write_source(workspace, body)
    result = run("draft", str(source), "--format", "docx")
    assert result.exit_code == 0, result.output
    warnings = " ".join(result.stderr.split())
    assert "lettre.md:7: avertissement : « 1 février » s'écrit « 1er février »" in warnings
    assert (
        "lettre.md:7: avertissement : « Premier Ministre » s'écrit « Premier ministre »" in warnings
    )
    assert "lettre.md:9: avertissement : « du Ministère » s'écrit « du ministère »" in warnings
    assert "« Monsieur le Ministre » s'écrit" not in warnings  # an appellation keeps its capital
    assert f"le 1{NB}février." in " ".join(paragraphs(source.parent / "lettre.docx"))


# --- the address and the envelope's window -------------------------------------------------

TEN_LINES = (
    "adresse: [Cabinet du ministre, Bureau 12, Escalier B, Bâtiment Lumière, Place Beauvau, "
    "Service du courrier, Secrétariat particulier, 75800 PARIS CEDEX 08]"
)


def edit_directory(workspace: Path, old: str, new: str) -> int:
    """Edit destinataires.yaml; the line of the edit, from 1."""
    path = workspace / "destinataires.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (TEN_LINES, "« interieur », bloc adresse : 10 lignes, 6 au plus"),
        ("adresse: []", "« interieur » : adresse postale inconnue"),
        (
            "adresse: [Place Beauvau et la très longue rue du Faubourg, 75800 PARIS CEDEX 08]",
            "« interieur », ligne 3 du bloc adresse : 47 caractères, 38 au plus",
        ),
    ],
    ids=["dix-lignes", "sans-adresse", "ligne-longue"],
)
def test_draft_warns_of_an_address_that_does_not_fit_the_window(
    run: Run, workspace: Path, new: str, expected: str
) -> None:
    line = edit_directory(workspace, "adresse: [Place Beauvau, 75800 PARIS CEDEX 08]", new)
    result = new_letter(run, "--to", "interieur")
    assert result.exit_code == 0, result.output
    assert f"destinataires.yaml:{line}: avertissement : {expected}" in result.stderr.replace(
        "\n", " "
    )
    folder = workspace / "courriers" / "2016-12-14-interieur-demande-de-rencontre"
    text = paragraphs(folder / "lettre.docx")
    if new == TEN_LINES:  # printed whole all the same
        for part in ("Cabinet du ministre", "Secrétariat particulier", "75800 PARIS CEDEX 08"):
            assert part in text
    rebuilt = run("draft", str(folder / "lettre.md"), "--format", "docx")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"destinataires.yaml:{line}: avertissement : {expected}" in rebuilt.stderr.replace(
        "\n", " "
    )
    checked = run("check")
    reported = f"destinataires.yaml:{line}: avertissement : {expected}"
    assert reported in checked.stdout.replace("\n", " ")


def test_a_fitting_address_gives_no_window_warning(run: Run) -> None:
    result = new_letter(run, "--to", "interieur")
    assert result.exit_code == 0, result.output
    assert "bloc adresse" not in result.stderr and "adresse postale" not in result.stderr
