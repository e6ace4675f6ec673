"""Speed and memory of DOCX + PDF: lettres (compose, python-docx, typst) beside the route
users take today, measured in the same run: docxtpl fills an equivalent DOCX template,
then LibreOffice converts it (one `soffice --headless --convert-to pdf` call a letter, or
one call for the whole batch).

Run: python bench/pdf.py   (from the repository root, with lettres and docxtpl installed,
and LibreOffice for the usual route)
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from common import LETTRES, peak_mib
from draft import MERGE, SOURCE, make_workspace

REPO = Path(__file__).resolve().parent.parent

# One process doing what `lettres draft --format docx,pdf` does, through the library:
# argv = workspace, "une" (the 2015 letter) or "lot" (the 100-minister merge).
LETTRES_CHILD = """
import time
start = time.perf_counter()
import json, sys
from datetime import date
from pathlib import Path
from lettres.docx_writer import render_docx
from lettres.drafting import NewLetters, plan_existing, plan_new
from lettres.files import write_atomic
from lettres.pdf_writer import PdfRenderer
from lettres.workspace import load_workspace

stages = {"imports": time.perf_counter() - start}
def stage(name, since):
    stages[name] = time.perf_counter() - since
    return time.perf_counter()

now = time.perf_counter()
root = Path(sys.argv[1])
workspace = load_workspace(root)
now = stage("espace de travail", now)
if sys.argv[2] == "une":
    planned = [plan_existing(workspace, root / "courriers" / "une" / "lettre.md")]
else:
    request = NewLetters(template="demande-rencontre", to=["essai"], on=date(2016, 12, 14),
                         variables={"sujet": "x", "contexte": "y"}, accept_unverified=True)
    planned = plan_new(workspace, request)
now = stage("compose", now)
docx = [render_docx(item.letter) for item in planned]
now = stage("DOCX", now)
renderer = PdfRenderer(root / "modeles" / "lettre.typ", root=root)
pdfs = [renderer.render(p.letter) for p in planned]
now = stage("PDF", now)
for item, data, pdf in zip(planned, docx, pdfs):
    write_atomic(item.folder / "lettre.docx", data)
    write_atomic(item.folder / "lettre.pdf", pdf)
stage("écriture", now)
print(json.dumps(stages))
"""

# The usual route's first half: docxtpl fills the template once per letter.
# argv = template, JSON file of contexts, output folder.
DOCXTPL_CHILD = """
import json, sys
from pathlib import Path
from docxtpl import DocxTemplate

contexts = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
for number, context in enumerate(contexts):
    document = DocxTemplate(sys.argv[1])
    document.render(context)
    document.save(str(Path(sys.argv[3]) / f"lettre-{number:03d}.docx"))
"""

# The letter top to bottom: a name in a list is repeated, one paragraph a line.
TEMPLATE = (
    ["letterhead", "recipient"],
    "date_line", "subject_line", "appellation",
    ["body"],
    "closing",
    ["signature"],
    "enclosures_line", "copies_heading",
    ["copy_lines"],
    "members_heading", "members_line", "contact",
)  # fmt: skip


def make_template(path: Path) -> None:
    """A docxtpl template laying out the same texts as lettres, paragraph for paragraph."""
    import docx

    template = docx.Document()
    for part in TEMPLATE:
        for name in part if isinstance(part, list) else []:
            for text in (f"{{%p for line in {name} %}}", "{{ line }}", "{%p endfor %}"):
                template.add_paragraph(text)
        if isinstance(part, str):
            template.add_paragraph(f"{{{{ {part} or '' }}}}")
    template.save(str(path))


def contexts(root: Path, kind: str) -> list[dict[str, object]]:
    """The texts of the letters lettres composes, for docxtpl to lay out the same words."""
    sys.path.insert(0, str(REPO / "src"))
    from datetime import date

    from lettres.drafting import NewLetters, plan_existing, plan_new
    from lettres.pdf_writer import letter_data
    from lettres.workspace import load_workspace

    clean_outputs(root)
    workspace = load_workspace(root)
    if kind == "une":
        planned = [plan_existing(workspace, root / "courriers" / "une" / "lettre.md")]
    else:
        request = NewLetters(
            template="demande-rencontre",
            to=["essai"],
            on=date(2016, 12, 14),
            variables={"sujet": "x", "contexte": "y"},
            accept_unverified=True,
        )
        planned = plan_new(workspace, request)
    found = []
    for item in planned:
        data = letter_data(item.letter)
        data["body"] = [
            "".join(run["text"] for run in block.get("runs", []))
            or " ; ".join("".join(run["text"] for run in i) for i in block.get("items", []))
            for block in data["body"]
        ]
        found.append(data)
    return found


def timed(command: Sequence[str], cwd: Path | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, result.stdout


def clean_outputs(root: Path) -> None:
    for folder in (root / "courriers").glob("2016-12-14-essai-*"):
        shutil.rmtree(folder)
    for name in ("lettre.docx", "lettre.pdf"):
        (root / "courriers" / "une" / name).unlink(missing_ok=True)


def draft_command(root: Path, kind: str) -> list[str]:
    lettres = [LETTRES, "--workspace", str(root), "draft"]
    if kind == "une":
        return [*lettres, str(root / "courriers" / "une" / "lettre.md")]
    return [*lettres, "--template", "demande-rencontre", "--to", "essai",
            "--date", "2016-12-14", "--var", "sujet=x", "--var", "contexte=y",
            "--accept-unverified"]  # fmt: skip


def lettres_seconds(root: Path, kind: str, runs: int) -> tuple[float, dict[str, float]]:
    """Median wall time of `lettres draft` (DOCX + PDF, the console script itself), its peak
    memory (MiB, all its processes), and the median of each stage measured in a library
    child."""
    script = root.parent / "lettres_child.py"
    script.write_text(LETTRES_CHILD, encoding="utf-8")
    times, stages = [], []
    for _ in range(runs + 1):  # the first run warms the disk cache
        clean_outputs(root)
        times.append(timed(draft_command(root, kind))[0])
        clean_outputs(root)
        stages.append(json.loads(timed([sys.executable, str(script), str(root), kind])[1]))
    summary = {name: statistics.median(s[name] for s in stages[1:]) for name in stages[0]}
    clean_outputs(root)
    summary["mib"] = peak_mib(draft_command(root, kind))
    return statistics.median(times[1:]), summary


def usual_route_seconds(root: Path, kind: str, soffice: str | None, runs: int) -> float | None:
    """docxtpl (whole process) then one LibreOffice call for all the letters."""
    work = root.parent / f"usuel-{kind}"
    work.mkdir()
    template, data = work / "modele.docx", work / "contextes.json"
    make_template(template)
    data.write_text(json.dumps(contexts(root, kind), ensure_ascii=False), encoding="utf-8")
    script = work / "docxtpl_child.py"
    script.write_text(DOCXTPL_CHILD, encoding="utf-8")
    if soffice is None:
        return None
    profile = (root.parent / "profil-libreoffice").resolve().as_uri()
    times = []
    for _ in range(runs):
        out = work / "sortie"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        render, _ = timed([sys.executable, str(script), str(template), str(data), str(out)])
        files = sorted(str(p) for p in out.glob("*.docx"))
        convert, _ = timed(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(out), *files]
        )  # fmt: skip
        assert len(list(out.glob("*.pdf"))) == len(files)
        times.append(render + convert)
    return statistics.median(times)


def warm_libreoffice(root: Path, soffice: str) -> None:
    """Create LibreOffice's profile once, as a user's machine has it: not part of the timing."""
    profile = (root.parent / "profil-libreoffice").resolve().as_uri()
    empty = root.parent / "vide.docx"
    import docx

    docx.Document().save(str(empty))
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(root.parent), str(empty)],
        capture_output=True, check=True,
    )  # fmt: skip


def line(label: str, seconds: float | None, note: str = "") -> None:
    shown = f"{seconds * 1000:8.0f} ms" if seconds is not None else "   (absent)"
    print(f"{label:<52} {shown}   {note}".rstrip())


def verdict(ok: bool) -> str:
    return "ok" if ok else "DÉPASSÉ"


def speed_note(ours: float, usual: float | None, limit: float, factor: float) -> str:
    note = f"cible ≤ {limit * 1000:.0f} ms : {verdict(ours <= limit)}"
    if usual is not None:
        ratio = usual / ours
        note += f" ; {ratio:4.1f}× plus rapide (cible ≥ {factor:g}× : {verdict(ratio >= factor)})"
    return note


def stages_line(stages: dict[str, float], letters: int) -> None:
    parts = [f"{name} {stages[name] * 1000:.0f}" for name in stages if name != "mib"]
    print(f"    dont (ms) : {', '.join(parts)}")
    if letters > 1:
        each = {name: stages[name] * 1000 / letters for name in ("compose", "DOCX", "PDF")}
        print("    par lettre (ms) : " + ", ".join(f"{k} {v:.1f}" for k, v in each.items()))


def main() -> None:
    soffice = shutil.which("soffice")
    with tempfile.TemporaryDirectory() as folder:
        root = make_workspace(Path(folder))
        if soffice:
            warm_libreoffice(root, soffice)
        else:
            print("LibreOffice absent : la voie habituelle n'est pas mesurée.")
        print(f"Une lettre ({SOURCE.parent.name}), DOCX + PDF")
        one, stages = lettres_seconds(root, "une", runs=9)
        usual_one = usual_route_seconds(root, "une", soffice, runs=5)
        line("  lettres, processus entier", one, speed_note(one, usual_one, 0.350, 4))
        stages_line(stages, 1)
        line("  docxtpl + soffice --convert-to pdf (à froid)", usual_one)
        print("  (« processus entier » : lettres draft ; « dont » : les étapes, mesurées dans un")
        print("   script qui appelle la bibliothèque)")
        print(f"Lot de {MERGE} lettres, DOCX + PDF")
        batch, stages = lettres_seconds(root, "lot", runs=3)
        usual_batch = usual_route_seconds(root, "lot", soffice, runs=2)
        line("  lettres, processus entier", batch, speed_note(batch, usual_batch, 4.0, 3))
        stages_line(stages, MERGE)
        line(f"  docxtpl + un seul appel soffice pour les {MERGE}", usual_batch)
        mib = stages["mib"]
        print(f"{'  mémoire maximale de lettres draft (lot, processus)':<52} {mib:8.0f} MiB   "
              f"cible ≤ 150 MiB : {verdict(mib <= 150)}")  # fmt: skip


if __name__ == "__main__":
    main()
