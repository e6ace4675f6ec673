"""`lettres check`: every error and warning of a workspace, each at its file and line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lettres import references, relance, signatories
from lettres.compose import closing_problems, formula_problems, require_current, resolve
from lettres.errors import DataError, LettresError, NotCurrent, Problem
from lettres.folders import DIRECTORY_FILE, LETTERS_DIR, SENDER_FILE, TEMPLATES_DIR, letter_sources
from lettres.journal import is_sent
from lettres.models import Holder
from lettres.postal import check_address, fit_problems
from lettres.recipients import Recipient
from lettres.source import Document, LetterFront, load_letter, load_template
from lettres.templating import check_template
from lettres.text import excerpt
from lettres.workspace import Workspace, load_workspace
from lettres.yamlfile import line_of, read_text

STALE_AFTER = timedelta(days=2 * 365)


@dataclass(frozen=True)
class Report:
    errors: list[Problem]
    warnings: list[Problem]


# A letter source that loaded: its path, its validated front matter, its document.
Loaded = tuple[Path, LetterFront, Document]


def check_workspace(root: Path, today: date) -> Report:
    """Load the workspace; on success, look for what is legal but likely wrong.

    Each source is read and parsed once, whatever the number of checks it goes through:
    the time of `check` grows with the letters, one step each.
    """
    letters, sources = load_sources(root)
    try:
        workspace = load_workspace(root)
    except DataError as error:
        return Report(error.problems + sources, [])
    errors = (
        sources
        + logo_problems(workspace)
        + signatory_problems(workspace, letters)
        + directory_formulas(workspace)
        + letters_on_their_dates(workspace, letters)
    )
    warnings = sorted(directory_warnings(workspace, today), key=lambda p: p.line or 0)
    # A letter to a post whose `formule` is wrong says what the directory said: once.
    return Report(list(dict.fromkeys(errors)), warnings + comma_warnings(workspace, letters))


def directory_formulas(workspace: Workspace) -> list[Problem]:
    """Each post's own `formule` against the appellation of its last holder."""
    path = workspace.root / DIRECTORY_FILE
    problems: list[Problem] = []
    for key, position in workspace.directory.positions.items():
        if position.closing:
            last = Recipient(key, position, position.holders[-1] if position.holders else None)
            line = line_of(workspace.raw[path], ("postes", key, "formule"))
            owner = f"poste « {key} »"
            problems += closing_problems(path, line, position.closing, last.appellation, owner)
    return problems


def comma_warnings(workspace: Workspace, letters: list[Loaded]) -> list[Problem]:
    """An appellation typed with its comma: lettres takes it off (models.without_final_comma)
    and says so, so that the file says what the letter prints."""
    path = workspace.root / DIRECTORY_FILE
    raw = workspace.raw[path]
    places: list[tuple[Path, Any, tuple[str, ...]]] = [
        (path, raw, ("postes", key, "appellation")) for key in raw.get("postes") or {}
    ]
    places += [(source, document.front, ("appellation",)) for source, _, document in letters]
    warnings = []
    for where, front, loc in places:
        value = value_at(front, loc)
        if isinstance(value, str) and value.rstrip().endswith(","):
            warnings.append(
                Problem(
                    where,
                    line_of(front, loc),
                    f"« appellation: {excerpt(value)} » : lettres met lui-même la virgule "
                    "après la formule d'appel (et dans la formule de politesse) ; "
                    "retirez-la de ce fichier",
                )
            )
    return warnings


def value_at(raw: Any, loc: tuple[str, ...]) -> Any:
    for key in loc:
        raw = raw.get(key) if isinstance(raw, dict) else None
    return raw


def signatory_problems(workspace: Workspace, letters: list[Loaded]) -> list[Problem]:
    """Each letter's signatories on its date: a key of collectif.yaml, or a member
    association with a president then (`membres:CLE`)."""
    problems = []
    for path, front, document in letters:
        field = "signataire" if front.signatory else "signataires"
        line = document.front.key_lines.get(field)
        for key in front.signer_keys:
            try:
                signatories.signatory(workspace, key, front.date)
            except LettresError as error:
                problems.append(Problem(path, line, str(error)))
    return problems


def logo_problems(workspace: Workspace) -> list[Problem]:
    """The logo as the PDF writer will take it: found now rather than at the first letter."""
    from lettres.pdf_writer import check_logo

    try:
        check_logo(workspace.sender.coalition.logo, workspace.root.resolve())
    except LettresError as error:
        path = workspace.root / SENDER_FILE
        return [Problem(path, line_of(workspace.raw[path], ("collectif", "logo")), str(error))]
    return []


def letters_on_their_dates(workspace: Workspace, letters: list[Loaded]) -> list[Problem]:
    """Each unsent letter's recipient and copies, resolved and vouched for at its own date.

    A letter already sent (it has a journal) is history: who held the post then is what it
    says, and nothing can be done about it now.
    """
    problems: list[Problem] = []
    sound: set[str] = set()  # letters that differ only by their reference, one found right
    for path, front, document in letters:
        if is_sent(path.parent):
            continue
        alike = repr(front.model_dump(exclude=IDENTITY))
        if alike in sound:  # a merge's letters: their lines may differ, not what they say
            continue
        found = date_problems(workspace, front, document)
        if not found:
            sound.add(alike)
        problems += found
    return problems


# What only tells one letter from another: nothing resolve() and the checks read.
IDENTITY = {"reference", "ref"}


def date_problems(workspace: Workspace, front: LetterFront, document: Document) -> list[Problem]:
    try:
        resolved = resolve(workspace, front)
        problems = formula_problems(workspace, front, document, resolved)
        require_current(workspace, front, document, resolved=resolved)
    except NotCurrent as error:
        return error.problems
    except LettresError as error:
        line = line_of(document.front, ("destinataire",))
        return [Problem(document.path, line, str(error))]
    return problems


def load_sources(root: Path) -> tuple[list[Loaded], list[Problem]]:
    """Templates and letter sources: a front matter that does not validate, a Jinja2 syntax
    error, a reference already taken; and the letters that loaded, whose holders at their
    dates are for letters_on_their_dates. Each source is read from the disk once."""
    problems: list[Problem] = []
    for path in sorted((root / TEMPLATES_DIR).glob("*.md")):
        try:
            _, document = load_template(path)
            check_template(document.body, path, document.body_line)
        except DataError as error:
            problems += error.problems
    letters, stated = load_letters(root, problems)
    return letters, problems + duplicate_references(stated)


def load_letters(
    root: Path, problems: list[Problem]
) -> tuple[list[Loaded], list[references.Found]]:
    """The letters that load, and the reference each source states, loaded or not; what is
    wrong goes to `problems`."""
    letters: list[Loaded] = []
    stated: list[references.Found] = []
    for path in letter_sources(root / LETTERS_DIR):
        try:
            text = read_text(path)
        except DataError as error:
            problems += error.problems
            stated += references_of_unreadable(path)
            continue
        stated += references.stated(path, text)
        try:
            front, document = load_letter(path, text)
        except DataError as error:
            problems += error.problems
            continue
        letters.append((path, front, document))
        try:
            check_template(document.body, path, document.body_line)
            if front.follow_up_of is not None:  # the letter it follows up must be there
                line = document.front.key_lines.get(relance.FIELD)
                relance.load_earlier(path, front.follow_up_of, line)
        except DataError as error:
            problems += error.problems
    return letters, stated


def references_of_unreadable(path: Path) -> list[references.Found]:
    """A source that is not UTF-8 still holds its number (references.scan reads it so)."""
    try:
        return references.stated(path, path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


def duplicate_references(stated: list[references.Found]) -> list[Problem]:
    """Two letters with one reference: the register and the recipients could not tell them apart."""
    return [
        Problem(
            later.path,
            later.line,
            f"référence « {later.reference} » déjà portée par {first.path}:{first.line} : "
            "deux courriers ne peuvent avoir la même référence ; changez l'une des deux "
            "(jamais celle d'un courrier déjà envoyé)",
        )
        for first, later in references.duplicates_among(stated)
    ]


def directory_warnings(workspace: Workspace, today: date) -> list[Problem]:
    path = workspace.root / DIRECTORY_FILE
    raw = workspace.raw[path]
    warnings: list[Problem] = []
    for key, position in workspace.directory.positions.items():
        here = ("postes", key)
        holder = position.holders[-1] if position.holders else None  # None: a service
        if holder is not None:
            line = line_of(raw, (*here, "titulaires", len(position.holders) - 1))
            warnings += verification_warnings(path, line, key, holder, today)
        if position.email is None:
            warnings.append(
                Problem(
                    path,
                    line_of(raw, (*here, "courriel")),
                    f"« {key} » : pas d'adresse "
                    "électronique (courriel) ; les envois par courriel ne l'atteindront pas",
                )
            )
        warnings += address_warnings(workspace, Recipient(key, position, holder))
    return warnings


def verification_warnings(
    path: Path, line: int | None, key: str, holder: Holder, today: date
) -> list[Problem]:
    """A last holder never verified, or verified long ago."""
    if holder.verified is None:
        return [
            Problem(
                path,
                line,
                f"« {key} » : {holder.full_name} n'a jamais été "
                "vérifié(e) en poste ; ajoutez verifie_le: AAAA-MM-JJ après vérification",
            )
        ]
    if today - holder.verified > STALE_AFTER:
        return [
            Problem(
                path,
                line,
                f"« {key} » : {holder.full_name} vérifié(e) en poste "
                f"le {holder.verified.isoformat()}, il y a plus de deux ans ; "
                "vérifiez et mettez verifie_le à jour",
            )
        ]
    return []


def address_warnings(
    workspace: Workspace, recipient: Recipient, only_fit: bool = False
) -> list[Problem]:
    """What La Poste would stumble on in a recipient's block, at its line of the directory.

    `only_fit`: only a block that does not fit the envelope's window, or no address at
    all (what `draft` warns of; `check` says everything).
    """
    path = workspace.root / DIRECTORY_FILE
    line = line_of(workspace.raw[path], ("postes", recipient.key, "adresse"))
    key = recipient.key
    if not recipient.position.address:
        return [
            Problem(
                path,
                line,
                f"« {key} » : adresse postale inconnue ; un courrier papier ne pourra pas lui "
                "être adressé (ajoutez « adresse: [...] » à ce poste)",
            )
        ]
    block = recipient.address_block()
    issues = fit_problems(block) if only_fit else check_address(block)
    return [
        Problem(
            path,
            line,
            f"« {key} », {f'ligne {number} du bloc adresse' if number else 'bloc adresse'} : "
            + message,
        )
        for number, message in issues
    ]
