"""Holders the directory can vouch for at a letter's date: the guard, its two ways out, the marks.

These tests run on the directory as shipped (`shipped_workspace`), whose verifications are
those of the example documents: exactly the data on which the issue saw stale names leave.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from lettres import recipients
from lettres.errors import DataError
from lettres.workspace import load_directory, load_workspace
from tests.helpers import REPO, SOURCE_2015
from tests.helpers import Invoke as Run
from tests.mailing import give_email, write_letter

WAYS_OUT = ("lettres recipients set", "lettres recipients verify", "--accept-unverified")


def words(text: str) -> str:
    return " ".join(text.split())


def new_letter(run: Run, root: Path, to: str, on: str, *extra: str) -> object:
    return run("draft", "--template", "courrier-general", "--to", to, "--date", on,
               "--subject", "Essai", "--format", "docx", *extra, root=root)  # fmt: skip


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the test's anchor « {old} » must exist"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# The rule, on the shipped directory


def test_a_holder_verified_in_2015_is_not_current_in_2026() -> None:
    found = recipients.currency(load_directory(REPO), "interieur", date(2026, 11, 23))
    assert not found.current
    assert found.holder.name == "Cazeneuve"
    assert found.vouched == date(2015, 4, 21)
    assert found.vouched_until == date(2015, 10, 21)  # six months, the default margin
    assert "2015-04-21" in (found.reason or "")


def test_a_holder_never_verified_is_vouched_for_from_his_start() -> None:
    found = recipients.currency(load_directory(REPO), "premier-ministre", date(2018, 1, 27))
    assert not found.current
    assert found.holder.name == "Cazeneuve" and found.vouched == date(2016, 12, 6)
    assert "jamais vérifié en poste (arrivé le 2016-12-06)" in (found.reason or "")
    assert recipients.currency(load_directory(REPO), "premier-ministre", date(2017, 6, 6)).current


def test_a_holder_with_a_known_end_is_current_until_it() -> None:
    directory = load_directory(REPO)  # Hollande was never verified; Macron follows him
    assert recipients.currency(directory, "president-republique", date(2017, 5, 13)).current
    assert recipients.currency(directory, "interieur", date(2015, 4, 21)).current


def test_a_holder_who_took_a_later_post_has_moved_on() -> None:
    directory = load_directory(REPO)
    before = recipients.currency(directory, "interieur", date(2015, 6, 1))
    assert before.current and before.moved_to is None
    found = recipients.currency(directory, "interieur", date(2016, 12, 14))
    assert not found.current
    assert found.moved_to is not None and found.moved_to.key == "premier-ministre"
    assert "devenu Premier ministre (« premier-ministre ») le 2016-12-06" in (found.reason or "")


def test_both_posts_held_at_once_when_the_directory_says_so(shipped_workspace: Path) -> None:
    path = shipped_workspace / "destinataires.yaml"
    edit(path, "depuis: 2014-04-02, verifie_le: 2015-04-21}",
         "depuis: 2014-04-02, verifie_le: 2016-12-14}")  # fmt: skip
    found = recipients.currency(load_directory(shipped_workspace), "interieur", date(2016, 12, 14))
    assert found.current and found.moved_to is None


def test_the_margin_is_set_in_the_directory(shipped_workspace: Path) -> None:
    path = shipped_workspace / "destinataires.yaml"
    edit(path, "marge_verification: 6 mois", "marge_verification: 24 mois")
    directory = load_directory(shipped_workspace)
    assert recipients.currency(directory, "premier-ministre", date(2018, 1, 27)).current
    edit(path, "marge_verification: 24 mois", "marge_verification: six mois")
    with pytest.raises(DataError) as error:
        load_directory(shipped_workspace)
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "six mois" in t)
    assert f"destinataires.yaml:{line}: « marge_verification : six mois » n'est pas compris" in (
        str(error.value)
    )


# draft, email and send refuse; the message names each post and the two ways out


@pytest.mark.parametrize(
    ("to", "on", "extra", "posts"),
    [
        ("interieur", "2026-11-23", ("--cc", "aucune"), {"interieur": ["Bernard Cazeneuve", "2015-04-21"]}),
        ("premier-ministre", "2018-01-27", ("--cc", "aucune"),
         {"premier-ministre": ["Bernard Cazeneuve", "arrivé le 2016-12-06"]}),
        ("miprof", "2016-12-14", ("--cc", "education", "--cc", "justice"),
         {"education": ["Benoît Hamon", "2014-06-01"],
          "justice": ["Christiane Taubira", "2014-09-11"]}),
        ("interieur", "2016-12-14", ("--cc", "aucune"),
         {"interieur": ["Bernard Cazeneuve", "devenu Premier ministre", "2015-04-21"]}),
    ],
    ids=["interieur-2026", "premier-ministre-2018", "hamon-taubira-in-copies", "moved-on"],
)  # fmt: skip
def test_draft_refuses_holders_the_directory_cannot_vouch_for(
    run: Run, shipped_workspace: Path, to: str, on: str, extra: tuple[str, ...],
    posts: dict[str, list[str]],
) -> None:  # fmt: skip
    result = new_letter(run, shipped_workspace, to, on, *extra)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    messages = [line for line in result.stderr.splitlines() if line.startswith("« ")]
    assert [m.split(" »")[0].removeprefix("« ") for m in messages] == list(posts)
    for message, expected in zip(messages, posts.values(), strict=True):
        for part in (*expected, *WAYS_OUT):
            assert part in message
    assert not (shipped_workspace / "courriers").exists()


def test_accept_unverified_is_recorded_in_the_new_source(run: Run, shipped_workspace: Path) -> None:
    result = new_letter(run, shipped_workspace, "interieur", "2026-11-23", "--accept-unverified")
    assert result.exit_code == 0, result.output
    source = next((shipped_workspace / "courriers").glob("*/lettre.md"))
    assert "titulaires_acceptes:\n  interieur: Bernard Cazeneuve\n" in source.read_text()
    again = run("draft", str(source), "--format", "docx", root=shipped_workspace)
    assert again.exit_code == 0, again.output  # recorded: no flag needed any more


def write_source(root: Path, front: str, body: str) -> Path:
    folder = root / "courriers" / "essai"
    folder.mkdir(parents=True)
    path = folder / "lettre.md"
    path.write_bytes(f"---\n{front}---\n{body}".encode())
    return path


FRONT = (
    "destinataire: interieur\nobjet: Essai\ndate: 2026-11-23\nsignataire: fayet\n"
    "copies: [miprof, greta]  # commentaire gardé\n"
)
BODY = "Premier paragraphe.\r\n\r\n---\n\nSecond {{ collectif.nom }}, sans fin de ligne"


def test_a_rebuilt_letter_is_refused_at_its_lines_then_accepted_in_place(
    run: Run, shipped_workspace: Path
) -> None:
    source = write_source(shipped_workspace, FRONT, BODY)
    result = run("draft", str(source), "--format", "docx", root=shipped_workspace)
    assert result.exit_code == 1
    assert "lettre.md:2: « interieur » : Monsieur Bernard Cazeneuve" in words(result.stderr)
    assert "lettre.md:6: « miprof » : Madame Elisabeth Moiron-Braud" in words(result.stderr)
    assert "lettre.md:6: « greta »" in words(result.stderr)
    assert not (source.parent / "lettre.docx").exists()
    accepted = run("draft", str(source), "--format", "docx", "--accept-unverified",
                   root=shipped_workspace)  # fmt: skip
    assert accepted.exit_code == 0, accepted.output
    text = source.read_bytes().decode()
    assert text == (
        f"---\n{FRONT}titulaires_acceptes: {{interieur: Bernard Cazeneuve, miprof: Elisabeth "
        f"Moiron-Braud, greta: Nicolas Le Coz}}\n---\n{BODY}"
    )
    assert (source.parent / "lettre.docx").stat().st_mtime >= source.stat().st_mtime


def test_an_acceptance_is_for_one_person(run: Run, shipped_workspace: Path) -> None:
    front = FRONT.replace("copies: [miprof, greta]", "copies: [aucune]") + (
        "titulaires_acceptes: {interieur: Manuel Valls}\n"
    )
    source = write_source(shipped_workspace, front, "Corps.\n")
    result = run("draft", str(source), "--format", "docx", root=shipped_workspace)
    assert result.exit_code == 1
    assert "vaut pour Manuel Valls, pas pour cette personne" in words(result.stderr)
    assert run("draft", str(source), "--format", "docx", "--accept-unverified",
               root=shipped_workspace).exit_code == 0  # fmt: skip
    assert "titulaires_acceptes: {interieur: Bernard Cazeneuve}\n---\n" in source.read_text()


def test_email_and_send_refuse_then_record_the_acceptance(
    run: Run, shipped_workspace: Path
) -> None:
    give_email(shipped_workspace, "interieur", "ministre@interieur.gouv.fr")
    folder = write_letter(shipped_workspace, "tard", date="2026-11-23", copies="[aucune]")
    for command in (["email"], ["send"]):
        result = run(*command, str(folder), root=shipped_workspace)
        assert result.exit_code == 1, result.output
        assert "« interieur » : Monsieur Bernard Cazeneuve" in words(result.stderr)
        for part in WAYS_OUT:
            assert part in result.stderr
    assert not (folder / "lettre.eml").exists()
    source = folder / "lettre.md"
    os.utime(source, (1_000_000_000, 1_000_000_000))
    result = run("email", str(folder), "--accept-unverified", root=shipped_workspace)
    assert result.exit_code == 0, result.output
    assert (folder / "lettre.eml").is_file()
    assert "titulaires_acceptes: {interieur: Bernard Cazeneuve}\n" in source.read_text()
    assert source.stat().st_mtime == 1_000_000_000  # the PDF made before stays up to date
    assert run("send", str(folder), root=shipped_workspace).exit_code == 0  # a dry run


def test_the_shipped_2015_letter_still_drafts(run: Run, shipped_workspace: Path) -> None:
    folder = shipped_workspace / "courriers" / SOURCE_2015.name
    folder.mkdir(parents=True)
    shutil.copy(SOURCE_2015 / "lettre.md", folder)  # what a clone has, not what was drafted here
    before = (folder / "lettre.md").read_bytes()
    result = run("draft", str(folder / "lettre.md"), "--format", "docx", root=shipped_workspace)
    assert result.exit_code == 0, result.output
    assert (folder / "lettre.md").read_bytes() == before


# copies, recipients and check show them


def test_copies_mark_the_holders_to_verify(run: Run, shipped_workspace: Path) -> None:
    result = run("copies", "--date", "2016-12-14", root=shipped_workspace)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].endswith("(MIPROF)")  # verified on 2016-12-14: no mark
    assert lines[3].endswith(
        "[à vérifier : vérifié en poste pour la dernière fois le 2015-04-21]"
    )  # fmt: skip
    assert lines[4] == (
        "- Monsieur\u00a0Jacques Toubon, Défenseur des droits "
        "[à vérifier : jamais vérifié en poste (arrivé le 2014-07-17)]"
    )
    data = json.loads(run("copies", "--date", "2016-12-14", "--format", "json",
                          root=shipped_workspace).stdout)  # fmt: skip
    people = {p["cle"]: p for line in data for p in line["destinataires"]}
    assert people["greta"]["a_verifier"] is True
    assert people["greta"]["verifie_le"] == "2015-04-21"
    assert "2015-10-21" in people["greta"]["motif"]
    assert people["miprof"]["a_verifier"] is False and people["miprof"]["motif"] is None
    assert people["defenseur-droits"]["verifie_le"] is None
    assert people["defenseur-droits"]["depuis"] == "2014-07-17"
    emails = run("copies", "--date", "2016-12-14", "--format", "emails", root=shipped_workspace)
    assert "« greta » à vérifier : vérifié en poste" in emails.stderr


def test_recipients_mark_the_holders_to_verify(run: Run, shipped_workspace: Path) -> None:
    result = run("recipients", "cazeneuve", "--date", "2016-12-14", root=shipped_workspace)
    assert result.exit_code == 0, result.output
    out = words(result.stdout)
    found = "— trouvé dans « Bernard Cazeneuve »"
    assert (
        f"interieur {found} Monsieur Bernard Cazeneuve, Ministre de l'Intérieur À vérifier" in out
    )
    assert "devenu Premier ministre" in out
    assert f"premier-ministre {found} Monsieur Bernard Cazeneuve, Premier ministre Formule" in out


def test_check_measures_unsent_letters_at_their_dates(run: Run, shipped_workspace: Path) -> None:
    source = write_source(
        shipped_workspace, FRONT.replace("[miprof, greta]", "[aucune]"), "Corps.\n"
    )
    result = run("check", root=shipped_workspace)
    assert result.exit_code == 1
    assert "courriers/essai/lettre.md:2: erreur : « interieur » : Monsieur Bernard Cazeneuve" in (
        words(result.stdout)
    )
    (source.parent / "envois.jsonl").write_text(
        '{"message_id": "<a@b>", "date": "2026-11-24T10:00:00+01:00", "a": [], "cc": []}\n',
        encoding="utf-8",
    )
    result = run("check", root=shipped_workspace)
    assert result.exit_code == 0, result.output  # a letter sent is history


# Keeping the directory current: recipients set and verify


def test_set_adds_a_holder_and_keeps_the_file_as_it_was(run: Run, shipped_workspace: Path) -> None:
    path = shipped_workspace / "destinataires.yaml"
    before = path.read_text(encoding="utf-8").splitlines(keepends=True)
    result = run("recipients", "set", "interieur", "--holder", "Monsieur Bruno Le Roux",
                 "--since", "2016-12-06", "--verified", "2016-12-14", root=shipped_workspace)  # fmt: skip
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(before) if "nom: Cazeneuve, depuis: 2014-04-02" in line)
    added = "      - {civilite: Monsieur, prenom: Bruno, nom: Le Roux, depuis: 2016-12-06, verifie_le: 2016-12-14}\n"
    assert after == [*before[: at + 1], added, *before[at + 1 :]]  # comments, order, layout kept
    assert before[0].startswith("# Annuaire des destinataires")
    letter = new_letter(run, shipped_workspace, "interieur", "2016-12-14", "--cc", "aucune")
    assert letter.exit_code == 0, letter.output
    docx_source = next((shipped_workspace / "courriers").glob("*/lettre.md"))
    assert "destinataire: interieur" in docx_source.read_text()
    assert recipients.recipient(load_directory(shipped_workspace), "interieur",
                                date(2016, 12, 14)).holder.name == "Le Roux"  # fmt: skip


def test_verify_stamps_the_holder_on_that_date(run: Run, shipped_workspace: Path) -> None:
    path = shipped_workspace / "destinataires.yaml"
    before = path.read_text(encoding="utf-8")
    result = run("recipients", "verify", "greta", "--date", "2016-12-14", root=shipped_workspace)
    assert result.exit_code == 0, result.output
    assert "Nicolas Le Coz vérifié en poste le 2016-12-14" in result.stdout
    assert path.read_text(encoding="utf-8") == before.replace(
        "nom: Le Coz, depuis: 2015-04-21, verifie_le: 2015-04-21}",
        "nom: Le Coz, depuis: 2015-04-21, verifie_le: 2016-12-14}",
    )
    result = run("recipients", "verify", "defenseur-droits", "--date", "2016-12-14",
                 root=shipped_workspace)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "nom: Toubon, depuis: 2014-07-17, verifie_le: 2016-12-14}" in path.read_text()
    assert recipients.currency(load_directory(shipped_workspace), "defenseur-droits",
                               date(2017, 6, 14)).current  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["set", "interieur", "--holder", "Bruno Le Roux", "--since", "2016-12-06"], 1,
         "écrivez « Madame Prénom Nom »"),
        (["set", "interieur", "--holder", "Monsieur Bruno", "--since", "2016-12-06"], 1,
         "écrivez « Madame Prénom Nom »"),
        (["set", "interieur", "--holder", "Monsieur Bruno Le Roux", "--since", "31/02/2016"], 2,
         "le 31 février 2016 n'existe pas"),
        (["set", "interieur", "--holder", "Monsieur Bruno Le Roux", "--since", "2014-04-02"], 1,
         "a déjà un titulaire depuis le 2014-04-02 : Bernard Cazeneuve"),
        (["set", "interieur", "--holder", "Monsieur Bruno Le Roux", "--since", "2016-12-06",
          "--verified", "2016-01-01"], 1,
         "rendrait destinataires.yaml invalide ; il n'a pas été modifié : Bruno Le Roux serait "
         "vérifié(e) en poste (verifie_le 2016-01-01) avant d'y arriver"),
        (["set", "interieu", "--holder", "Monsieur Bruno Le Roux", "--since", "2016-12-06"], 1,
         "destinataire inconnu « interieu » (clés proches : interieur"),
        (["verify", "interieur", "--date", "2013-01-01"], 1, "n'a pas de titulaire connu"),
        (["verify", "interieur", "--date", "2999-01-01"], 1, "dans l'avenir"),
    ],
    ids=["no-civility", "no-name", "bad-date", "same-start", "invalid-result", "unknown-post",
         "before-any-holder", "future"],
)  # fmt: skip
def test_bad_edits_touch_nothing(
    run: Run, shipped_workspace: Path, args: list[str], code: int, message: str
) -> None:
    path = shipped_workspace / "destinataires.yaml"
    before = path.read_bytes()
    result = run("recipients", *args, root=shipped_workspace)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert message in words(result.output)
    assert path.read_bytes() == before
    assert not list(shipped_workspace.glob(".destinataires.yaml.*"))  # no temporary left


def test_recipients_query_still_works_beside_the_subcommands(
    run: Run, shipped_workspace: Path
) -> None:
    result = run("recipients", "cazeneuve", root=shipped_workspace)
    assert result.exit_code == 0, result.output
    assert "interieur" in result.stdout and "premier-ministre" in result.stdout
    assert run("recipients", "--date", "2015-04-21", root=shipped_workspace).exit_code == 0
    assert "Moiron-Braud" in run("recipients", "search", "miprof",
                                 root=shipped_workspace).stdout  # fmt: skip
    help_text = run("recipients", "--help", root=shipped_workspace).stdout
    assert "set" in help_text and "verify" in help_text


# Data faults of the directory


def test_an_end_before_the_start_is_an_error_at_its_line(run: Run, shipped_workspace: Path) -> None:
    path = shipped_workspace / "destinataires.yaml"
    edit(path, "nom: Hamon, depuis: 2014-04-02, verifie_le: 2014-06-01}",
         "nom: Hamon, depuis: 2014-04-02, jusqu_au: 2014-03-01}")  # fmt: skip
    result = run("check", root=shipped_workspace)
    assert result.exit_code == 1
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "Hamon" in t)
    assert (
        f"destinataires.yaml:{line}: erreur : Benoît Hamon quitterait le poste (jusqu_au "
        "2014-03-01) avant d'y arriver (depuis 2014-04-02)"
    ) in words(result.stdout)


def test_the_vacancy_message_knows_the_successor(shipped_workspace: Path) -> None:
    path = shipped_workspace / "destinataires.yaml"
    edit(
        path,
        "nom: Valls, depuis: 2014-03-31}",
        "nom: Valls, depuis: 2014-03-31, jusqu_au: 2016-12-01}",
    )
    directory = load_directory(shipped_workspace)
    with pytest.raises(recipients.NoHolder) as vacant:
        recipients.recipient(directory, "premier-ministre", date(2016, 12, 3))
    assert "Bernard Cazeneuve n'y arrive que le 2016-12-06" in str(vacant.value)
    assert "ajoutez son successeur" not in str(vacant.value).lower()
    edit(path, "nom: Macron, depuis: 2017-05-14, verifie_le: 2018-01-27}",
         "nom: Macron, depuis: 2017-05-14, verifie_le: 2018-01-27, jusqu_au: 2018-02-01}")  # fmt: skip
    with pytest.raises(recipients.NoHolder) as left:
        recipients.recipient(load_directory(shipped_workspace), "president-republique",
                             date(2018, 3, 1))  # fmt: skip
    assert "Ajoutez son successeur : « lettres recipients set president-republique" in str(
        left.value
    )


def test_the_shipped_workspace_loads_with_its_margin() -> None:
    workspace = load_workspace(REPO)
    assert workspace.directory.margin == "6 mois"
    assert workspace.directory.vouches_until(date(2015, 4, 21)) == date(2015, 10, 21)
