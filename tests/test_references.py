"""Letter references: given once, in order, never twice, even to two `lettres draft` at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import docx
import pytest

from lettres import references
from tests.helpers import Invoke as Run

NB = "\u00a0"
REPO = Path(__file__).resolve().parent.parent


def draft(run: Run, *to: str, on: str = "2016-12-14", subject: str = "Demande", **kw: str) -> None:
    targets = [arg for key in to for arg in ("--to", key)]
    extra = [arg for name, value in kw.items() for arg in (f"--{name}", value)]
    result = run("draft", "--template", "courrier-general", *targets, "--date", on,
                 "--subject", subject, "--format", "docx", *extra)  # fmt: skip
    assert result.exit_code == 0, result.output


def references_by_key(workspace: Path) -> dict[str, str]:
    """The reference of each letter, by recipient key, read back from the sources."""
    found = {}
    for source in sorted((workspace / "courriers").glob("*/lettre.md")):
        text = source.read_text(encoding="utf-8")
        key = next(
            line.split(": ", 1)[1]
            for line in text.splitlines()
            if line.startswith("destinataire: ")
        )
        found[key] = next(
            line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("reference: ")
        )
    return found


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_a_new_letter_gets_the_first_reference_of_its_year(run: Run, workspace: Path) -> None:
    draft(run, "interieur")
    folder = workspace / "courriers" / "2016-12-14-interieur-demande"
    source = (folder / "lettre.md").read_text(encoding="utf-8")
    assert source.startswith("---\nreference: CTEH/2016/001\n")
    assert f"N/Réf.{NB}: CTEH/2016/001" in paragraphs(folder / "lettre.docx")


def test_a_batch_gets_consecutive_numbers_in_the_order_of_the_recipients(
    run: Run, workspace: Path
) -> None:
    draft(run, "ministres")
    assert references_by_key(workspace) == {
        "interieur": "CTEH/2016/001", "justice": "CTEH/2016/002", "education": "CTEH/2016/003",
        "affaires-sociales": "CTEH/2016/004", "familles": "CTEH/2016/005",
    }  # fmt: skip
    justice = workspace / "courriers" / "2016-12-14-justice-demande" / "lettre.docx"
    assert f"N/Réf.{NB}: CTEH/2016/002" in paragraphs(justice)


def test_numbers_follow_the_existing_letters_and_start_again_each_year(
    run: Run, workspace: Path
) -> None:
    draft(run, "interieur", "justice")
    draft(run, "education", subject="Suite")
    draft(run, "interieur", on="2017-01-05", subject="Nouvelle année")
    assert references_by_key(workspace)["education"] == "CTEH/2016/003"
    found = sorted(f.reference for f in references.scan(workspace / "courriers"))
    assert found == ["CTEH/2016/001", "CTEH/2016/002", "CTEH/2016/003", "CTEH/2017/001"]


def test_rebuilding_a_letter_keeps_its_reference(run: Run, workspace: Path) -> None:
    draft(run, "interieur")
    folder = workspace / "courriers" / "2016-12-14-interieur-demande"
    before = (folder / "lettre.md").read_bytes()
    result = run("draft", str(folder / "lettre.md"), "--format", "docx")
    assert result.exit_code == 0, result.output
    assert (folder / "lettre.md").read_bytes() == before
    assert f"N/Réf.{NB}: CTEH/2016/001" in paragraphs(folder / "lettre.docx")
    draft(run, "justice")
    assert references_by_key(workspace)["justice"] == "CTEH/2016/002"


def test_a_letter_written_elsewhere_still_takes_its_number(
    run: Run, workspace: Path, tmp_path: Path
) -> None:
    draft(run, "interieur", out=str(tmp_path / "ailleurs"))
    assert "reference: CTEH/2016/001" in (tmp_path / "ailleurs" / "lettre.md").read_text("utf-8")
    counter = json.loads((workspace / ".lettres-references.json").read_text("utf-8"))
    assert counter == {"CTEH/2016": 1}
    draft(run, "justice")
    assert references_by_key(workspace) == {"justice": "CTEH/2016/002"}


def test_the_prefix_comes_from_the_workspace(run: Run, workspace: Path) -> None:
    path = workspace / "modeles" / "collectif.yaml"
    path.write_text(
        path.read_text("utf-8").replace("prefixe_reference: CTEH", "prefixe_reference: ECT"),
        "utf-8",
    )
    draft(run, "interieur")
    assert references_by_key(workspace) == {"interieur": "ECT/2016/001"}


def test_a_prefix_with_a_slash_is_refused_at_its_line(run: Run, workspace: Path) -> None:
    path = workspace / "modeles" / "collectif.yaml"
    text = path.read_text("utf-8").replace("prefixe_reference: CTEH", "prefixe_reference: CT/EH")
    path.write_text(text, "utf-8")
    line = text.splitlines().index("  prefixe_reference: CT/EH") + 1
    result = run("check")
    assert result.exit_code == 1
    assert (
        f"collectif.yaml:{line}: erreur : « CT/EH » ne convient pas comme préfixe" in result.stdout
    )


def test_a_damaged_counter_is_reported_and_nothing_is_written(run: Run, workspace: Path) -> None:
    (workspace / ".lettres-references.json").write_text("{pas du json", "utf-8")
    result = run("draft", "--template", "courrier-general", "--to", "interieur",
                 "--date", "2016-12-14", "--subject", "Essai", "--format", "docx")  # fmt: skip
    assert result.exit_code == 1
    assert "compteur de références illisible : supprimez ce fichier" in result.stderr
    assert not (workspace / "courriers").exists()


def test_two_drafts_at_once_never_share_a_reference(workspace: Path) -> None:
    """Two real processes, five letters each: ten references, each batch in one run."""
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "__all__"}
    commands = [
        [sys.executable, "-m", "lettres", "--workspace", str(workspace), "draft",
         "--template", "courrier-general", "--to", "ministres", "--date", "2016-12-14",
         "--subject", f"Lot {name}", "--format", "docx"]
        for name in ("A", "B")
    ]  # fmt: skip
    processes = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for c in commands
    ]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    numbers: dict[str, list[int]] = {"lot-a": [], "lot-b": []}
    for source in (workspace / "courriers").glob("*/lettre.md"):
        found = references.reference_line(source.read_text("utf-8"))
        assert found is not None
        batch = source.parent.name[-5:]  # courriers/2016-12-14-interieur-lot-a
        numbers[batch].append(int(found[0].rsplit("/", 1)[1]))
    assert sorted(numbers["lot-a"] + numbers["lot-b"]) == list(range(1, 11))
    for taken in numbers.values():  # each batch held the lock from its first number to its last
        assert sorted(taken) == list(range(min(taken), min(taken) + 5))


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from lettres import references

    root = Path(sys.argv[1])
    letters = root / "courriers"
    letters.mkdir(exist_ok=True)
    for index in range(int(sys.argv[3])):
        numbering = references.Numbering(root, "CTEH", 2016)
        with references.counter(numbering) as counter:
            reference = counter.next_reference()
            folder = letters / f"{sys.argv[2]}-{index}"
            folder.mkdir()
            (folder / "lettre.md").write_text(f"---\\nreference: {reference}\\n---\\n", "utf-8")
            counter.taken()
    """
)


def test_many_processes_taking_numbers_never_collide(tmp_path: Path) -> None:
    letters = tmp_path / "courriers"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path), f"p{n}", "15"], stderr=subprocess.PIPE
        )
        for n in range(4)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()
    found = [f.reference for f in references.scan(letters)]
    assert sorted(found) == [f"CTEH/2016/{n:03d}" for n in range(1, 61)]
    counter = json.loads((tmp_path / ".lettres-references.json").read_text("utf-8"))
    assert counter == {"CTEH/2016": 60}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nreference: CTEH/2015/007\nobjet: x\n---\n", ("CTEH/2015/007", 2)),
        ("---\nobjet: x\nreference: 'CTEH/2015/007'  # à garder\n---\n", ("CTEH/2015/007", 3)),
        ('---\nobjet: x\nreference: "CTEH/2015/007"\n---\n', ("CTEH/2015/007", 3)),
        ("---\nobjet: [pas fermé\nreference: CTEH/2015/007\n---\n", ("CTEH/2015/007", 3)),
        ("---\nobjet: x\n---\nreference: CTEH/2015/007\n", None),
        ("---\nvariables:\n  reference: CTEH/2015/007\n---\n", None),
        ("reference: CTEH/2015/007\n", None),
        ("", None),
    ],
    ids=[
        "first",
        "quoted-comment",
        "double-quoted",
        "broken-yaml",
        "in-body",
        "nested",
        "no-front",
        "empty",
    ],
)
def test_reference_line(text: str, expected: tuple[str, int] | None) -> None:
    assert references.reference_line(text) == expected


def test_duplicate_references_are_reported_by_check_with_both_places(
    run: Run, workspace: Path
) -> None:
    draft(run, "interieur", "justice")
    justice = workspace / "courriers" / "2016-12-14-justice-demande" / "lettre.md"
    justice.write_text(
        justice.read_text("utf-8").replace("CTEH/2016/002", "CTEH/2016/001"), "utf-8"
    )
    result = run("check")
    assert result.exit_code == 1
    message = " ".join(result.stdout.split())
    assert (
        "courriers/2016-12-14-justice-demande/lettre.md:2: erreur : référence « CTEH/2016/001 » "
        "déjà portée par " in message
    )
    assert "courriers/2016-12-14-interieur-demande/lettre.md:2 : deux courriers" in message
    assert "1 erreur(s)" in message


def test_check_reports_duplicates_beside_loading_errors(run: Run, workspace: Path) -> None:
    draft(run, "interieur", "justice")
    justice = workspace / "courriers" / "2016-12-14-justice-demande" / "lettre.md"
    justice.write_text(
        justice.read_text("utf-8").replace("CTEH/2016/002", "CTEH/2016/001"), "utf-8"
    )
    (workspace / "modeles" / "membres.yaml").write_text("associations: [\n", "utf-8")
    result = run("check")
    assert result.exit_code == 1
    assert "membres.yaml:" in result.stdout
    assert "référence « CTEH/2016/001 » déjà portée" in result.stdout
    assert "2 erreur(s)" in result.stdout
