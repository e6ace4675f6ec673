"""The caches that make a batch fast change no byte: a batch composed with every cache warm
is the one composed with every cache emptied before each letter, and a cache never carries a
result from one workspace, or one letter, to another whose inputs differ."""

from __future__ import annotations

import io
import re
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lettres import compose, drafting, recipients, templating, text, typography
from lettres.drafting import NewLetters
from lettres.letter import Letter, Paragraph
from lettres.outputs import Outputs, make_renderer
from lettres.source import ACCEPTED_KEY, letter_text
from lettres.workspace import load_directory, load_workspace

# What the letters say: quotes to pair, apostrophes, web addresses and e-mails the rules
# leave alone, numbers, dates, hours and units to glue, no-break spaces already typed, code.
BODY = (
    'Madame, nous avons lu "le rapport" de l\'Office : 18 000 victimes en 2014 ; '
    "voir https://www.example.org/rapport?annee=2014&p=2, contrelatraite.org/?p=12 "
    "ou écrire à contact@example.org !\n\n"
    "La réunion du 23 septembre 2014 à 18 h 30 (salle 4, 2 km) a rappelé l'article 225-4-1 "
    "du code pénal, et le n° 12 du plan : 1 250 000 € , soit 12 % du budget ?\n\n"
    "Monsieur Cazeneuve l'a dit\u00a0: « il faut agir ». `code: x` et /un/chemin restent.\n\n"
    '- un point "entre guillemets" ;\n- un autre, à 9:30.\n'
)
ENGLISH_BODY = (
    'We write to you : the coalition\'s "report" is at www.contrelatraite.org, '
    "18 000 victims ; Mr. Smith's view on 1 March 2016.\n"
)

REQUESTS = [
    ("merge", NewLetters("courrier-general", ["ministres"], date(2016, 3, 1),
                         subject='Le "plan" d\'action', cc=["standard"],
                         variables={"corps": BODY}, accept_unverified=True)),
    ("english", NewLetters("courrier-general", ["greta"], date(2015, 4, 21),
                           subject='Our "report" on trafficking', language="en", cc=["aucune"],
                           variables={"corps": ENGLISH_BODY}, enclosures=["Report"],
                           accept_unverified=True)),
    ("co-signed", NewLetters("demande-rencontre", ["interieur", "justice"], date(2016, 3, 1),
                             signatories=["fayet", "colas"], accept_unverified=True,
                             variables={"sujet": "l'article 225-4-1", "contexte": BODY})),
]  # fmt: skip


def clear_caches() -> None:
    """Every cache composing reads, emptied: the next letter computes all afresh."""
    for cached in (
        typography.cached_typography,
        typography.phrase_rule,
        typography.cached_spans,
        templating.compiled,
        recipients.holders_by_name,
        text.fold,
    ):
        cached.cache_clear()


@pytest.fixture
def workspaces(workspace: Path, tmp_path: Path) -> dict[str, Path]:
    """The test workspace, and a copy of it that prints curly apostrophes."""
    curly = tmp_path / "courbe"
    shutil.copytree(workspace, curly)
    settings = curly / "modeles" / "collectif.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + "\ntypographie:\n  apostrophe_courbe: true\n", encoding="utf-8")
    return {"droite": workspace, "courbe": curly}


Composed = list[tuple[str, Letter, bytes, bytes]]


def batches(roots: dict[str, Path]) -> Iterator[tuple[str, Path, NewLetters]]:
    """Each request in each workspace, interleaved, so that a cache keyed on too little
    would hand one workspace's text to the other."""
    for name, request in REQUESTS:
        for setting, root in roots.items():
            yield f"{name}/{setting}", root, request


def compose_all(roots: dict[str, Path]) -> Composed:
    """Every letter of every batch, with its DOCX body and its PDF."""
    outputs = Outputs(("docx", "pdf"))
    composed: Composed = []
    for name, root, request in batches(roots):
        workspace = load_workspace(root)
        render = make_renderer(workspace, outputs)
        for item in drafting.plan_new(workspace, request):
            files = render(item.letter)
            with zipfile.ZipFile(io.BytesIO(files["docx"])) as docx:
                xml = docx.read("word/document.xml")
            composed.append((f"{name}/{item.folder.name}", item.letter, xml, files["pdf"]))
    return composed


def cleared_before_each_letter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty every cache before each letter's currency check and before its composing."""

    def clearing(function: Callable[..., Any]) -> Callable[..., Any]:
        def cleared(*args: Any, **kwargs: Any) -> Any:
            clear_caches()
            return function(*args, **kwargs)

        return cleared

    monkeypatch.setattr(drafting, "compose", clearing(compose.compose))
    monkeypatch.setattr(drafting, "require_current", clearing(compose.require_current))


def test_warm_caches_compose_the_very_letters_of_cold_ones(
    workspaces: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_caches()
    warm = compose_all(workspaces)
    warm_again = compose_all(workspaces)  # every text already cached
    cleared_before_each_letter(monkeypatch)
    cold = compose_all(workspaces)
    assert len(warm) == 2 * (5 + 1 + 2)
    assert [name for name, *_ in warm] == [name for name, *_ in cold]
    for (name, letter, xml, pdf), (_, cold_letter, cold_xml, cold_pdf), again in zip(
        warm, cold, warm_again, strict=True
    ):
        assert letter == cold_letter, name
        assert xml == cold_xml, name
        assert pdf == cold_pdf, name
        assert again[1:] == (letter, xml, pdf), name


def test_the_same_letter_in_two_workspaces_keeps_each_ones_typography(
    workspaces: dict[str, Path],
) -> None:
    """Same text, same process, caches warm: the apostrophe setting still decides."""
    clear_caches()
    composed = {name: letter for name, letter, _, _ in compose_all(workspaces)}
    straight = composed["merge/droite/2016-03-01-interieur-le-plan-d-action"]
    curly = composed["merge/courbe/2016-03-01-interieur-le-plan-d-action"]
    assert "l'Office" in body_text(straight)
    assert "l\u2019Office" in body_text(curly)
    assert straight.subject == "Le «\u00a0plan\u00a0» d'action"
    assert curly.subject == "Le «\u00a0plan\u00a0» d\u2019action"


def body_text(letter: Letter) -> str:
    return "".join(
        run.text for block in letter.body if isinstance(block, Paragraph) for run in block.runs
    )


def test_each_letter_of_a_merge_names_its_own_recipient() -> None:
    """The names a line keeps whole are part of what its cache is keyed on."""
    names = ["Madame Anne Essai1", "Anne Essai1"]
    other = ["Madame Anne Essai2", "Anne Essai2"]
    line = "Copie : Madame Anne Essai1, Madame Anne Essai2"
    first = typography.keep_whole(line, names)
    second = typography.keep_whole(line, other)
    assert first == "Copie : Madame\u00a0Anne\u00a0Essai1, Madame Anne Essai2"
    assert second == "Copie : Madame Anne Essai1, Madame\u00a0Anne\u00a0Essai2"


def test_a_directory_edited_and_loaded_again_is_looked_up_afresh(shipped_workspace: Path) -> None:
    """The index of holders by name is the directory's own: another directory (the file
    edited, loaded again in the same process) gets its own index."""
    on = date(2016, 12, 14)
    before = recipients.currency(load_directory(shipped_workspace), "interieur", on)
    assert before.moved_to is not None and before.moved_to.key == "premier-ministre"
    path = shipped_workspace / "destinataires.yaml"
    text = path.read_text(encoding="utf-8")
    moved = "{civilite: Monsieur, prenom: Bernard, nom: Cazeneuve, depuis: 2016-12-06}"
    assert moved in text
    path.write_text(text.replace(moved, moved.replace("Bernard", "Bertrand")), encoding="utf-8")
    after = recipients.currency(load_directory(shipped_workspace), "interieur", on)
    assert after.moved_to is None


FRONTS = [
    {"modele": "courrier-general", "destinataire": "interieur", "date": date(2016, 3, 1)},
    {"objet": "x" * 120, "variables": {"corps": "Un\ntexte « long »\n", "b": "l'été : 18 h"},
     "copies": ["standard", "cncdh"], "pj": [], "signataires": ["fayet", "colas"]},
    {"objet": "#1: [oui] {non}", "lieu": "Saint-Étienne", "ref": "- 3", "langue": "en"},
]  # fmt: skip


@pytest.mark.parametrize("values", FRONTS, ids=range(len(FRONTS)))
def test_an_acceptance_added_to_a_source_is_the_source_written_with_it(
    values: dict[str, Any],
) -> None:
    entry = {ACCEPTED_KEY: {"interieur": "Bernard Cazeneuve", "greta": "Nicolas Le Coz"}}
    body = "Corps\n---\nsuite: 1\n"
    added = drafting.with_last_entry(letter_text(values, body), body, entry)
    assert added == letter_text({**values, **entry}, body)


def test_names_are_glued_across_any_horizontal_space_and_never_across_a_line_break() -> None:
    """keep_whole's patterns spell the horizontal space their own way (quicker to compile):
    every white space of Unicode is tried, as Python defines spaces and line breaks."""
    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    for between in [*spaces, "x", "-", "\u200b"]:
        horizontal = between.isspace() and len(f"a{between}b".splitlines()) == 1
        expected = "Anne\u00a0Essai" if horizontal else f"Anne{between}Essai"
        assert typography.keep_whole(f"Anne{between}Essai", ["Anne Essai"]) == expected
        doubled = f"Anne{between}{between}Essai"
        assert typography.keep_whole(doubled, ["Anne Essai"]) == (
            "Anne\u00a0Essai" if horizontal else doubled
        )


def test_the_horizontal_space_of_every_rule_is_any_white_space_but_a_line_break() -> None:
    """typography's `_H` is spelt with lookaheads (quicker to compile than a set)."""
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        horizontal = character.isspace() and len(f"a{character}b".splitlines()) == 1
        assert bool(re.fullmatch(typography._H, character)) is horizontal, hex(code)


def test_the_caches_keep_a_bounded_number_of_short_texts() -> None:
    """A batch of letters each with its own long body must not fill the memory."""
    clear_caches()
    for number in range(2 * typography.CACHED_TEXTS):
        typography.typographize(f'Texte "{number}" : fin')
    assert typography.cached_typography.cache_info().currsize == typography.CACHED_TEXTS
    clear_caches()
    long = 'Un "long" paragraphe : assez.\n\n' * (typography.CACHED_LENGTH // 20)
    assert typography.typographize(long) == typography.typographize(long)
    assert "«\u00a0long\u00a0»" in typography.typographize(long)
    assert typography.cached_typography.cache_info().currsize == 0
    assert typography.cached_spans.cache_info().currsize == 0
