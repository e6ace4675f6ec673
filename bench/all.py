"""Every target of issue 15, measured side by side, and the README's table of figures.

Run: python bench/all.py [--rounds N] [--no-readme]   (from the repository root, with
`pip install -e '.[bench]'`; LibreOffice for the usual route)

How the figures can be trusted:
- the installed console script (`.venv/bin/lettres`) is timed directly, no wrapper process;
  lettres' bytecode is compiled first, as an installed package has it;
- the two sides of a comparison run in turn (A B A B …) after one warm-up each, so that the
  load of the machine falls on both; each figure is a median, each ratio the median of the
  ratios of the pairs;
- both sides lay out the same letters: the usual route (docxtpl, then LibreOffice) fills its
  template with the texts lettres composed;
- the machine, the date and its load (before and after) are printed with the figures.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import BARE_APP, LETTRES, STACK_APP, Pair, alone, in_turn, peak_memory, seconds
from draft import MERGE, SOURCE, make_workspace
from pdf import DOCXTPL_CHILD, clean_outputs, contexts, make_template, warm_libreoffice

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
BEGIN, END = "<!-- mesures : début (bench/all.py) -->", "<!-- mesures : fin -->"
LETTERS = 1000  # for check and register


@dataclass
class Row:
    measure: str
    figure: str
    reference: str
    target: str
    holds: bool | None  # None: a figure for information, with no target
    pairs: str = ""  # the ratio of each pair, for the console


def pairs_of(pair: Pair) -> str:
    return "rapports paire par paire : " + " ".join(f"{r:.2f}" for r in pair.ratios)


def ms(value: float) -> str:
    return f"{value * 1000:,.0f} ms".replace(",", " ")


def s(value: float) -> str:
    return f"{value:.2f} s".replace(".", ",")


def times(value: float) -> str:
    return f"{value:.2f}×".replace(".", ",")


class Bench:
    def __init__(self, folder: Path, rounds: int, soffice: str | None) -> None:
        self.folder, self.rounds, self.soffice = folder, rounds, soffice
        self.root = make_workspace(folder)
        self.bare = folder / "bare.py"
        self.bare.write_text(BARE_APP, encoding="utf-8")
        self.stack = folder / "pile.py"
        self.stack.write_text(STACK_APP, encoding="utf-8")
        self.profile = (folder / "profil-libreoffice").resolve().as_uri()
        if soffice:
            warm_libreoffice(self.root, soffice)

    def lettres(self, *args: str | Path) -> list[str]:
        return [LETTRES, "--workspace", str(self.root), *map(str, args)]

    def bare_typer(self, *args: str) -> Callable[[], float]:
        return lambda: seconds([sys.executable, str(self.bare), *args])

    def stack_floor(self) -> float:
        return seconds([sys.executable, str(self.stack)])

    # ----------------------------------------------------------------- one letter, a batch

    def one_letter(self) -> float:
        clean_outputs(self.root)
        return seconds(self.lettres("draft", self.root / "courriers" / "une" / "lettre.md"))

    def merge_command(self) -> list[str]:
        return self.lettres(
            "draft", "--template", "demande-rencontre", "--to", "essai", "--date", "2016-12-14",
            "--var", "sujet=x", "--var", "contexte=y", "--accept-unverified",
        )  # fmt: skip

    def merge(self) -> float:
        clean_outputs(self.root)
        return seconds(self.merge_command())

    def merge_memory(self) -> tuple[float, float]:
        clean_outputs(self.root)
        return peak_memory(self.merge_command())

    def usual_route(self, kind: str) -> Callable[[], float]:
        """docxtpl fills the same texts (one process), then one LibreOffice call converts
        every DOCX: what users do today."""
        work = self.folder / f"usuel-{kind}"
        work.mkdir()
        template, data, script = work / "modele.docx", work / "contextes.json", work / "tpl.py"
        make_template(template)
        data.write_text(json.dumps(contexts(self.root, kind), ensure_ascii=False), "utf-8")
        script.write_text(DOCXTPL_CHILD, encoding="utf-8")
        assert self.soffice is not None

        def run() -> float:
            out = work / "sortie"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            fill = seconds([sys.executable, str(script), str(template), str(data), str(out)])
            files = sorted(str(p) for p in out.glob("*.docx"))
            convert = seconds(
                [str(self.soffice), f"-env:UserInstallation={self.profile}", "--headless",
                 "--convert-to", "pdf", "--outdir", str(out), *files]
            )  # fmt: skip
            assert len(list(out.glob("*.pdf"))) == len(files)
            return fill + convert

        return run

    # ------------------------------------------------------------------- check, register

    def many_letters(self) -> Path:
        """1,000 letters: 800 from eight mail merges of 100 (a merge's letters share their
        template's body) and 200 written one by one; a third of them sent."""
        root = self.folder / "mille"
        root.mkdir()
        shutil.copy(REPO / "destinataires.yaml", root / "destinataires.yaml")
        shutil.copytree(REPO / "modeles", root / "modeles")
        text = re.sub(r"(?m)^reference: .*\n", "", SOURCE.read_text("utf-8"), count=1)
        for number in range(LETTERS):
            folder = root / "courriers" / f"2015-04-21-interieur-{number:04d}"
            folder.mkdir(parents=True)
            own = f"Courrier numéro {number}." if number % 5 == 0 else f"Lot {number % 8}."
            (folder / "lettre.md").write_text(
                f"---\nreference: CTEH/2015/{number + 1:04d}\n{text[4:]}\n{own}\n", "utf-8"
            )
            if number % 3 == 0:
                sent = {"etat": "envoye", "message_id": f"<{number}@bench>", "a": ["m@x.fr"],
                        "date": "2015-04-22T10:00:00", "cc": []}  # fmt: skip
                (folder / "envois.jsonl").write_text(json.dumps(sent) + "\n", "utf-8")
        return root

    def on_many(self, root: Path, *args: str) -> Callable[[], float]:
        return lambda: seconds([LETTRES, "--workspace", str(root), *args])


def measure(bench: Bench, rounds: int) -> list[Row]:
    rows: list[Row] = []
    say = print

    say("lettres --help, lettres copies (contre une application Typer nue)…")
    helping = in_turn(lambda: seconds([LETTRES, "--help"]), bench.bare_typer("--help"), rounds)
    rows.append(Row("`lettres --help`", ms(helping.median),
                    f"Typer nu, `--help` : {ms(helping.reference)} ({times(helping.ratio)})",
                    "≤ 1,2× Typer nu", helping.ratio <= 1.2))  # fmt: skip
    rows[-1].pairs = pairs_of(helping)
    copies = in_turn(lambda: seconds(bench.lettres("copies", "--date", "2015-04-21")),
                     bench.bare_typer(), rounds)  # fmt: skip
    rows.append(Row("`lettres copies`", ms(copies.median),
                    f"Typer nu, une commande : {ms(copies.reference)} ({times(copies.ratio)})",
                    "≤ 1,2× Typer nu", copies.ratio <= 1.2))  # fmt: skip
    rows[-1].pairs = pairs_of(copies)

    say("une lettre, DOCX + PDF…")
    bare = in_turn(bench.one_letter, bench.bare_typer(), rounds)
    rows.append(Row("une lettre, DOCX + PDF, processus entier", ms(bare.median),
                    f"Typer nu, une commande : {ms(bare.reference)} ({times(bare.ratio)})",
                    "≤ 1,8× Typer nu", bare.ratio <= 1.8))  # fmt: skip
    rows[-1].pairs = pairs_of(bare)
    floor = in_turn(bench.one_letter, bench.stack_floor, rounds)
    rows.append(Row("une lettre, DOCX + PDF, processus entier", ms(floor.median),
                    "la même application Typer nue, qui importe d'abord les bibliothèques "
                    f"d'une lettre (plancher de la pile) : {ms(floor.reference)} "
                    f"({times(floor.ratio)})", "(pour information)", None))  # fmt: skip
    rows[-1].pairs = pairs_of(floor)
    if bench.soffice:
        usual = in_turn(bench.one_letter, bench.usual_route("une"), max(3, rounds // 2))
        faster = 1 / usual.ratio
        rows.append(Row("une lettre, DOCX + PDF, processus entier", ms(usual.median),
                        f"docxtpl + `soffice --convert-to pdf` : {ms(usual.reference)} "
                        f"({times(faster)} plus rapide)", "≥ 4,5× plus rapide",
                        faster >= 4.5))  # fmt: skip
        rows[-1].pairs = pairs_of(usual)

    say(f"{MERGE} lettres, DOCX + PDF…")
    if bench.soffice:
        batch = in_turn(bench.merge, bench.usual_route("lot"), max(2, rounds // 4))
        faster = 1 / batch.ratio
        rows.append(Row(f"{MERGE} lettres, DOCX + PDF", s(batch.median),
                        f"docxtpl ×{MERGE} + un appel `soffice` : {s(batch.reference)} "
                        f"({times(faster)} plus rapide)", "≤ 2,0 s et ≥ 5× plus rapide",
                        batch.median <= 2.0 and faster >= 5))  # fmt: skip
        rows[-1].pairs = pairs_of(batch)
    else:
        alone_batch = statistics.median(alone(bench.merge, max(2, rounds // 4)))
        rows.append(Row(f"{MERGE} lettres, DOCX + PDF", s(alone_batch), "(LibreOffice absent)",
                        "≤ 2,0 s", alone_batch <= 2.0))  # fmt: skip
    memory, proportional = map(max, zip(bench.merge_memory(), bench.merge_memory(), strict=True))
    rows.append(Row(f"mémoire maximale du lot de {MERGE}, processus additionnés (RSS)",
                    f"{memory:.0f} Mio", "en comptant une seule fois les pages que les processus "
                    f"partagent (PSS) : {proportional:.0f} Mio", "≤ 150 Mio",
                    memory <= 150))  # fmt: skip

    say(f"check et register sur {LETTERS} courriers…")
    many = bench.many_letters()
    for name, args in (("check", ["check"]), ("register", ["register", "--date", "2015-07-01"])):
        # In turn with the bare app: the ratio tells the load apart from the program.
        pair = in_turn(bench.on_many(many, *args), bench.bare_typer(), max(3, rounds // 2))
        rows.append(Row(f"`lettres {name}`, {LETTERS} courriers", s(pair.median),
                        f"Typer nu, une commande : {ms(pair.reference)} ({times(pair.ratio)})",
                        "≤ 0,8 s", pair.median <= 0.8, pairs_of(pair)))  # fmt: skip
    return rows


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]  # fmt: skip
        model = names[0] if names else model
    return (
        f"{model}, {os.cpu_count()} cœurs, {platform.system()}, Python {platform.python_version()}"
    )


def load() -> str:
    if not hasattr(os, "getloadavg"):
        return "inconnue"
    return " / ".join(f"{value:.2f}".replace(".", ",") for value in os.getloadavg())


def verdict(holds: bool | None, yes: str, no: str) -> str:
    return "—" if holds is None else yes if holds else no


def table(rows: list[Row], header: str) -> str:
    lines = [header, "", "| mesure | lettres | repère | cible | tenue |", "|---|---|---|---|---|"]
    lines += [f"| {r.measure} | {r.figure} | {r.reference} | {r.target} | "
              f"{verdict(r.holds, 'oui', 'non')} |" for r in rows]  # fmt: skip
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README.md : marqueurs {BEGIN} … {END} introuvables")
    before, rest = readme.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    README.write_text(f"{before}{BEGIN}\n{text}\n{END}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="paires A B par mesure")
    parser.add_argument("--no-readme", action="store_true", help="ne pas réécrire le README")
    options = parser.parse_args()
    if not Path(LETTRES).exists():
        raise SystemExit(f"{LETTRES} introuvable : pip install -e '.[bench]' dans ce Python")
    compileall.compile_dir(str(REPO / "src" / "lettres"), quiet=1)  # as an installed package
    soffice = shutil.which("soffice")
    started, load_before = datetime.datetime.now(), load()
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(Path(folder), options.rounds, soffice)
        rows = measure(bench, options.rounds)
    header = (f"Mesuré par `bench/all.py` le {started:%Y-%m-%d à %H:%M}, sur {machine()} ; "
              f"charge (1, 5, 15 min) avant : {load_before}, après : {load()} ; "
              f"{options.rounds} paires par comparaison.")  # fmt: skip
    print()
    for row in rows:
        said = verdict(row.holds, "ok", "NON TENUE")
        print(f"{row.measure:<52} {row.figure:>10}   cible {row.target} : {said}")
        if row.reference:
            print(f"{'':<52} repère : {row.reference}")
        if row.pairs:
            print(f"{'':<52} {row.pairs}")
    text = table(rows, header)
    if not options.no_readme:
        write_readme(text)
        print("\nREADME.md : tableau des mesures réécrit.")


if __name__ == "__main__":
    main()
