"""What may leave the office: a finished letter, and the very PDF that says what it says.

`unfinished` reads a letter model and its source for text still to write: a placeholder
(`[à compléter : …]`, what `lettres draft` writes for a variable not given), an empty objet
or body, a variable the body prints that nobody gave. `lettres draft` then writes the DOCX,
a draft to edit, but no PDF. `not_as_read` compares the PDF about to be sent with what the
letter says now, and sees a DOCX edited after it. `ready_to_send` runs both; `mail.build`
calls it, so `email` and `send` refuse alike.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lettres.errors import LettresError, NotAsRead, Problem, Unfinished
from lettres.fingerprints import Manifest, letter_fingerprint, read_manifest
from lettres.folders import DIRECTORY_FILE, DOCX_NAME, PDF_NAME, SOURCE_NAME
from lettres.letter import Letter, ListBlock
from lettres.source import Document, LetterFront, load_template
from lettres.templating import referenced_names
from lettres.text import argument, without_accents
from lettres.workspace import Workspace
from lettres.yamlfile import line_of

PLACEHOLDER = "[à compléter"
# The marker as a hand types it: without its accents, spaced (« [ a completer ] »).
_TYPED_MARKER = re.compile(r"\[\s*a\s+completer")


def has_placeholder(text: str) -> bool:
    """The marker in any case, with or without its accents: « [À COMPLÉTER] » or
    « [a completer] » typed by hand is as unfinished as the marker lettres writes."""
    folded = text.casefold()
    if PLACEHOLDER in folded:
        return True
    if "compl" not in folded:  # the one word both spellings share: most texts stop here
        return False
    return _TYPED_MARKER.search(without_accents(folded)) is not None


def placeholder(description: str) -> str:
    """What a new letter holds for a variable not given: visible, and found again here."""
    return f"{PLACEHOLDER} : {description}]"


def ready_to_send(
    workspace: Workspace, folder: Path, front: LetterFront, document: Document, letter: Letter
) -> None:
    """Refuse a letter that is not finished, or whose PDF is not what it now says."""
    manifest = read_manifest(folder)
    if manifest is not None and manifest.from_docx:
        problems = unfinished_docx(folder / DOCX_NAME)
    else:
        problems = unfinished(workspace, front, document, letter)
    if problems:
        raise Unfinished([*problems, Problem(None, None, complete_hint(document.path))])
    stale = not_as_read(workspace, folder, letter, manifest)
    if stale:
        raise NotAsRead(stale)


def complete_hint(source: Path) -> str:
    return (
        f"ce courrier n'est pas fini : ni PDF ni courriel. Complétez-le, puis relancez "
        f"« lettres draft {argument(source)} »."
    )


# ------------------------------------------------------------------ unfinished text


def unfinished(
    workspace: Workspace, front: LetterFront, document: Document, letter: Letter
) -> list[Problem]:
    """Each piece of the letter still to write, at its line of the source."""
    problems = [*empty_parts(document, letter), *placeholders(workspace, front, document)]
    if not problems and any(has_placeholder(text) for text in printed(letter)):
        problems.append(
            Problem(
                document.path,
                None,
                f"la lettre contient encore « {PLACEHOLDER} : … » : cherchez-le et remplacez-le "
                "par le texte voulu",
            )
        )
    return problems


def empty_parts(document: Document, letter: Letter) -> Iterator[Problem]:
    if not letter.subject.strip():
        line = line_of(document.front, ("objet",))
        yield Problem(document.path, line, "l'objet est vide : écrivez-le (objet: …)")
    if not body_text(letter).strip():
        yield Problem(
            document.path,
            document.body_line,
            "le corps du courrier est vide : écrivez-le sous la ligne « --- » de l'en-tête",
        )


def placeholders(workspace: Workspace, front: LetterFront, document: Document) -> Iterator[Problem]:
    """Placeholders that reach the letter; a variable the body no longer prints is harmless."""
    yield from variable_problems(workspace, front, document)
    yield from written_placeholders(front, document)


def variable_problems(
    workspace: Workspace, front: LetterFront, document: Document
) -> Iterator[Problem]:
    """Each variable the body prints that is missing, empty, or still the placeholder."""
    path = document.path
    asked = asked_variables(workspace, front)
    for name in sorted(referenced_names(document.body) & (set(asked) | set(front.variables))):
        value = front.variables.get(name)
        line = line_of(document.front, ("variables", name))
        if value is None:
            key = "variables" if "variables" in document.front else "modele"
            yield Problem(
                path,
                line_of(document.front, (key,)),
                f"la variable « {name} » ({asked[name]}) n'est pas donnée : ajoutez "
                f"« {name}: … » sous « variables: »",
            )
        elif has_placeholder(value):
            yield Problem(
                path, line, f"la variable « {name} » est encore à compléter : remplacez "
                f"« {value.strip()} » par son texte",
            )  # fmt: skip
        elif not value.strip():
            yield Problem(path, line, f"la variable « {name} » est vide : donnez-lui son texte")


def written_placeholders(front: LetterFront, document: Document) -> Iterator[Problem]:
    """A placeholder typed or left in the front matter's printed fields or in the body."""
    path = document.path
    for key in ("objet", "lieu", "ref"):
        value = document.front.get(key)
        if isinstance(value, str) and has_placeholder(value):
            yield Problem(path, line_of(document.front, (key,)), f"« {key} » est à compléter")
    for index, enclosure in enumerate(front.enclosures):
        if has_placeholder(enclosure):
            yield Problem(path, line_of(document.front, ("pj", index)), "pièce jointe à compléter")
    for offset, text in enumerate(document.body.splitlines()):
        if has_placeholder(text):
            yield Problem(
                path, document.body_line + offset, f"texte à compléter : « {text.strip()} »"
            )


def asked_variables(workspace: Workspace, front: LetterFront) -> Mapping[str, str]:
    """The variables the letter's template asks for, with their descriptions."""
    if not front.template:
        return {}
    path = workspace.templates_dir / f"{front.template}.md"
    if not path.is_file():
        return {}
    try:
        return load_template(path)[0].variables
    except LettresError:
        return {}  # a broken template is `lettres check`'s to report, not this letter's


def body_text(letter: Letter) -> str:
    texts = []
    for block in letter.body:
        lines = block.items if isinstance(block, ListBlock) else (block.runs,)
        texts += [run.text for line in lines for run in line]
    return "".join(texts)


def printed(letter: Letter) -> Iterator[str]:
    """Every string of the letter model, wherever it sits."""

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from walk(item)

    return walk(dataclasses.asdict(letter))


def unfinished_docx(path: Path) -> list[Problem]:
    """Placeholders left in a DOCX that is the letter's text (`lettres draft --from-docx`)."""
    if not path.is_file():
        return []
    import docx

    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        paragraphs += [cell.text for row in table.rows for cell in row.cells]
    return [
        Problem(path, None, f"paragraphe {number} : texte à compléter : « {text.strip()} »")
        for number, text in enumerate(paragraphs, 1)
        if has_placeholder(text)
    ]


# ------------------------------------------------------------------ what is sent is what was read


def not_as_read(
    workspace: Workspace, folder: Path, letter: Letter, manifest: Manifest | None
) -> list[Problem]:
    """Why the folder's PDF may not say what the letter says now, if it may not."""
    pdf = folder / PDF_NAME
    if not pdf.is_file():
        return []  # the message's attachments say that a PDF is missing, and what to run
    if manifest is None:
        return by_dates(workspace, folder)
    return by_fingerprints(folder, letter, manifest)


def by_fingerprints(folder: Path, letter: Letter, manifest: Manifest) -> list[Problem]:
    source, pdf, docx = folder / SOURCE_NAME, folder / PDF_NAME, folder / DOCX_NAME
    problems = []
    if letter_fingerprint(letter) != manifest.letter:
        if manifest.from_docx:
            problems.append(Problem(source, None, (
                f"le courrier ne se lit plus comme quand {DOCX_NAME} a été rédigé "
                f"({SOURCE_NAME}, {DIRECTORY_FILE} ou les modèles ont changé depuis) : le DOCX "
                "et son PDF ne le disent pas. Si le DOCX est juste malgré tout, lancez "
                f"« lettres draft --from-docx {argument(folder)} --force » ; sinon refaites le "
                f"courrier (« lettres draft {argument(source)} --force », le DOCX modifié est "
                "gardé à côté) et reportez-y les corrections"
            )))  # fmt: skip
        else:
            problems.append(Problem(pdf, None, (
                f"ne dit plus ce que dit le courrier : {SOURCE_NAME}, {DIRECTORY_FILE} "
                "(titulaire, adresse, copies) ou les modèles ont changé depuis qu'il a été "
                f"fait ; relancez « lettres draft {argument(source)} », puis recommencez"
            )))  # fmt: skip
    elif not manifest.matches(pdf):
        again = f"--from-docx {folder}" if manifest.from_docx else str(source)
        problems.append(Problem(pdf, None, (
            "n'est pas le PDF que « lettres draft » a fait (remplacé ou modifié depuis) : "
            f"relancez « lettres draft {argument(again)} », puis recommencez"
        )))  # fmt: skip
    if docx.is_file() and not manifest.matches(docx):
        problems.append(docx_edited(folder))
    return problems


def by_dates(workspace: Workspace, folder: Path) -> list[Problem]:
    """A letter drafted before lettres kept fingerprints: its files' dates must do."""
    source, pdf, docx = folder / SOURCE_NAME, folder / PDF_NAME, folder / DOCX_NAME
    made = pdf.stat().st_mtime
    problems = []
    if source.stat().st_mtime > made:
        problems.append(Problem(source, None, (
            f"a été modifié après {PDF_NAME} : le PDF ne dit peut-être pas ce que dit la "
            f"source ; relancez « lettres draft {argument(source)} », puis recommencez"
        )))  # fmt: skip
    directory = workspace.root / DIRECTORY_FILE
    if directory.is_file() and directory.stat().st_mtime > made:
        problems.append(Problem(directory, None, (
            f"a été modifié après {pdf} : le PDF nomme peut-être un titulaire, une adresse ou "
            f"des copies d'avant ; relancez « lettres draft {argument(source)} », puis recommencez"
        )))  # fmt: skip
    if docx.is_file() and docx.stat().st_mtime > made:
        problems.append(docx_edited(folder))
    return problems


def docx_edited(folder: Path) -> Problem:
    return Problem(folder / DOCX_NAME, None, (
        "modifié après le PDF (par un cosignataire ?) : le PDF n'a pas ces modifications. "
        f"Lancez « lettres draft --from-docx {argument(folder)} » pour faire le PDF depuis ce "
        f"DOCX, ou « lettres draft {argument(folder / SOURCE_NAME)} --force » pour revenir au "
        f"texte de {SOURCE_NAME} (le DOCX modifié est alors gardé à côté)"
    ))  # fmt: skip
