"""Speed of `lettres draft`: one letter (whole process, DOCX) and a 100-recipient merge,
beside docxtpl rendering an equivalent template in the same run.

Run: python bench/draft.py   (from the repository root, with lettres and docxtpl installed)
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import LETTRES, median_seconds, report

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "courriers" / "2015-04-21-interieur-vos-engagements" / "lettre.md"
MERGE = 100


def make_workspace(folder: Path) -> Path:
    """The shipped workspace plus 100 ministers in a group, for the merge."""
    root = folder / "espace"
    shutil.copytree(REPO / "modeles", root / "modeles")
    lines = (REPO / "destinataires.yaml").read_text(encoding="utf-8").split("groupes:")
    extra = "".join(
        f"  essai-{n}:\n    poste: Ministre numéro {n}\n    categorie: ministre\n"
        f"    adresse: [{n} rue de Grenelle, 75007 PARIS]\n    titulaires:\n"
        f"      - {{civilite: Madame, prenom: Anne, nom: Essai{n}, depuis: 2014-01-01, "
        f"verifie_le: 2016-12-01}}\n"
        for n in range(MERGE)
    )
    group = "  essai:\n    postes: [" + ", ".join(f"essai-{n}" for n in range(MERGE)) + "]\n"
    text = lines[0] + extra + "\ngroupes:\n" + group + lines[1]
    (root / "destinataires.yaml").write_text(text, encoding="utf-8")
    letter = root / "courriers" / "une"
    letter.mkdir(parents=True)
    shutil.copy(SOURCE, letter / "lettre.md")
    return root


def merge_seconds(root: Path) -> float:
    command = [
        LETTRES, "--workspace", str(root), "draft",
        "--template", "demande-rencontre", "--to", "essai", "--date", "2016-12-14",
        "--var", "sujet=x", "--var", "contexte=y", "--format", "docx", "--accept-unverified",
    ]  # fmt: skip
    shutil.rmtree(root / "courriers" / "lots", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(command, cwd=root, capture_output=True, check=True)
    elapsed = time.perf_counter() - start
    for folder in (root / "courriers").glob("2016-12-14-essai-*"):
        shutil.rmtree(folder)
    return elapsed


def docxtpl_seconds_per_letter() -> float:
    """docxtpl filling an equivalent template: the usual mail-merge route, in process."""
    import docx
    from docxtpl import DocxTemplate

    template = docx.Document()
    for text in ("{{ destinataire }}", "{{ adresse }}", "Paris, le {{ date }}",
                 "Objet : {{ objet }}", "{{ appel }},"):  # fmt: skip
        template.add_paragraph(text)
    for _ in range(9):
        template.add_paragraph("{{ paragraphe }}")
    for text in ("{{ formule }}", "{{ signature }}", "Copies : {{ copies }}", "{{ membres }}"):
        template.add_paragraph(text)
    stream = io.BytesIO()
    template.save(stream)
    context = {
        "destinataire": "Madame Anne Essai", "adresse": "110 rue de Grenelle 75007 PARIS",
        "date": "14 décembre 2016", "objet": "Demande de rencontre", "appel": "Madame la Ministre",
        "paragraphe": "Le Collectif réunit 25 associations qui accompagnent des victimes. " * 5,
        "formule": "Je vous prie d'agréer, Madame la Ministre, l'expression de ma très haute "
        "considération.", "signature": "Véronique Fayet", "copies": "MIPROF, CNCDH, GRETA",
        "membres": "Action Catholique des Femmes, AFJ, … " * 10,
    }  # fmt: skip
    times = []
    for _ in range(20):
        start = time.perf_counter()
        document = DocxTemplate(io.BytesIO(stream.getvalue()))
        document.render(context)
        document.save(io.BytesIO())
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = make_workspace(Path(folder))
        one = median_seconds(
            [LETTRES, "--workspace", str(root), "draft",
             str(root / "courriers" / "une" / "lettre.md"), "--format", "docx"],
            runs=11,
        )  # fmt: skip
        report("lettres draft, une lettre (DOCX, processus entier)", one)
        print(f"{'':<44} cible ≤ 300 ms : {'ok' if one <= 0.300 else 'DÉPASSÉ'}")
        merge = min(merge_seconds(root) for _ in range(3))
        per_letter = (merge - one) / MERGE
        report(f"publipostage de {MERGE} lettres (DOCX)", merge)
        report("  par lettre, après le démarrage", per_letter)
        print(f"{'':<44} cible ≤ 40 ms : {'ok' if per_letter <= 0.040 else 'DÉPASSÉ'}")
    tpl = docxtpl_seconds_per_letter()
    report("docxtpl, une lettre équivalente (en mémoire)", tpl)
    print(f"{'':<44} lettres / docxtpl par lettre : {per_letter / tpl:4.2f}×")


if __name__ == "__main__":
    main()
