"""From a letter's source and the workspace to the letter model, every text final.

Typography runs on the whole Markdown body before parsing, so that quotes and spaces
are seen across emphasis; its rules touch no Markdown syntax (URLs and code are protected).

This is the one place where data is looked up, templates run, dates formatted and
typography applied; the writers only lay out what comes out of here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lettres import english, protocol, recipients, relance, signatories, templating
from lettres.errors import DataError, LettresError, NotCurrent, Problem
from lettres.folders import DIRECTORY_FILE
from lettres.letter import ENGLISH, FRENCH, LABELS, Labels, Letter, Window
from lettres.models import Signatory
from lettres.recipients import Recipient
from lettres.relance import Earlier
from lettres.source import Document, Language, LetterFront
from lettres.text import excerpt
from lettres.typography import date_line, french_date, keep_whole, typographize
from lettres.workspace import Workspace
from lettres.yamlfile import line_of

# Characters XML 1.0 (and so DOCX) cannot hold: C0 controls but tab and newline, and non-characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


# C1 controls in French text are nearly always Windows-1252 bytes decoded as Latin-1
# (\x92 for ’, \x9c for œ): give them back their meaning.
_C1 = re.compile("[\x80-\x9f]")


def _windows_1252(match: re.Match[str]) -> str:
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


def clean(text: str) -> str:
    """Text safe for every writer: no control characters, no stray carriage returns."""
    text = _C1.sub(_windows_1252, text.replace("\r\n", "\n").replace("\r", "\n"))
    return _NOT_XML.sub("", text)


def final(text: str, curly_apostrophes: bool = False, language: Language = "fr") -> str:
    """Clean text with the typography of its language (French unless the letter is English)."""
    if language == "en":  # English has its apostrophe ’ always
        return english.typographize(clean(text))
    return typographize(clean(text), curly_apostrophes=curly_apostrophes)


def template_context(
    workspace: Workspace,
    front: LetterFront,
    recipient: Recipient,
    signer: Signatory,
    earlier: Earlier | None = None,
) -> dict[str, Any]:
    """What a template may use: plain strings, lists and dicts only (the sandbox's food)."""
    coalition = workspace.sender.coalition
    members = recipients.member_names(workspace.members, front.date)
    holder = recipient.holder
    en = front.language == "en"
    context: dict[str, Any] = {
        "destinataire": {
            "cle": recipient.key,
            "poste": recipient.english_title if en else recipient.title,
            "institution": recipient.position.institution or "",
            "appellation": front.appellation or appellation_of(front, recipient),
            # A service that names no one: no person, « Madame, Monsieur ».
            "civilite": holder.civility if holder else "",
            "prenom": holder.first_name if holder else "",
            "nom": holder.name if holder else "",
            "nom_complet": holder.full_name if holder else "",
            "personne": recipient.person if holder else "",
        },
        "collectif": {
            "nom": coalition.name,
            "nom_court": coalition.short_name,
            "site": coalition.website or "",
            "coordination": coalition.coordination.name,
            "courriel": coalition.coordination.email,
            "telephone": coalition.coordination.phone or "",
        },
        "signataire": {
            "prenom": signer.first_name or "",
            "nom": signer.name or "",
            "qualite": quality(signer, front.language),
            "voix": signer.voice,
        },
        "date": english.english_date(front.date) if en else french_date(front.date),
        "date_iso": front.date.isoformat(),
        "objet": front.subject,
        "membres": members,
        "nombre_membres": len(members),
    }
    context["titulaire"] = context["destinataire"]
    if earlier is not None:
        context["precedent"] = earlier.context()
    for name, value in front.variables.items():
        if name in context:
            raise LettresError(
                f"la variable « {name} » porte le nom d'une variable fournie par lettres : "
                "renommez-la dans « variables »"
            )
        context[name] = value
    return context


def appellation_of(front: LetterFront, recipient: Recipient) -> str:
    return recipient.english_appellation if front.language == "en" else recipient.appellation


def signer_context(signer: Signatory, language: Language) -> dict[str, str]:
    return {
        "prenom": signer.first_name or "",
        "nom": signer.name or "",
        "qualite": quality(signer, language),
    }


def quality(signer: Signatory, language: Language) -> str:
    return (signer.quality_en if language == "en" else None) or signer.quality or ""


def closing_formula(
    front: LetterFront, recipient: Recipient, signer: Signatory, appellation: str
) -> str:
    if front.closing:
        return front.closing
    if front.language == "en":  # the directory's `formule` is French
        return english.closing(recipient.position.category, appellation)
    if recipient.position.closing:
        return recipient.position.closing
    return protocol.closing(
        appellation,
        recipient.degree,
        signer.voice,
        verb=front.courtesy.verb,
        noun=front.courtesy.noun,
    )


def formula_problems(
    workspace: Workspace, front: LetterFront, document: Document, found: Resolved
) -> list[Problem]:
    """Closing formulas that would contradict the letter, at the line to correct.

    `check` reports them as errors and `compose` refuses them: a « Veuillez agréer » that
    no one says (the Collectif speaks of itself as « ils »), an explicit `formule` that
    does not repeat the appellation the letter opens with (reference §1); and before
    them, an `appellation` typed in the letter for someone else than the post's holder.
    """
    wrong_person = appellation_problems(front, document, found.recipient)
    if wrong_person:
        return wrong_person
    if front.language == "en":  # an English closing repeats no salutation (english.closing)
        return []
    appellation = front.appellation or found.recipient.appellation
    if front.closing:
        line = line_of(document.front, ("formule",))
        return closing_problems(document.path, line, front.closing, appellation, "courrier")
    closing = found.recipient.position.closing
    if closing:
        path = workspace.root / DIRECTORY_FILE
        line = line_of(workspace.raw.get(path), ("postes", found.recipient.key, "formule"))
        return closing_problems(
            path, line, closing, appellation, f"poste « {found.recipient.key} »"
        )
    if front.courtesy.verb == "veuillez" and found.signer.voice == "ils":
        return [
            Problem(
                document.path,
                line_of(document.front, ("politesse", "verbe")),
                f"« politesse: {{verbe: veuillez}} » ne va pas avec le signataire "
                f"« {front.signer_keys[0]} », qui parle du Collectif à la troisième personne (voix "
                "« ils ») : « Veuillez agréer… l'expression de leur… » ne dit pas qui salue. "
                "Retirez « verbe: veuillez » (« Les membres du Collectif vous prient "
                "d'agréer… »), ou choisissez un signataire qui dit « je » ou « nous »",
            )
        ]
    return []


def appellation_problems(
    front: LetterFront, document: Document, recipient: Recipient
) -> list[Problem]:
    """« Monsieur le Ministre » typed in a letter whose post a woman holds on its date (or
    the reverse): the line was copied from an older letter, or the post changed hands."""
    holder, typed = recipient.holder, front.appellation
    if holder is None or not typed:
        return []
    addressed = protocol.addressed_gender(typed)
    if addressed is None or addressed == holder.gender:
        return []
    usual = appellation_of(front, recipient)
    return [
        Problem(
            document.path,
            line_of(document.front, ("appellation",)),
            f"« appellation: {excerpt(typed)} » s'adresse à {protocol.WHOM[addressed]}, mais le "
            f"poste « {recipient.key} » est tenu le {front.date.isoformat()} par "
            f"{holder.civility} {holder.full_name} : corrigez l'appellation, ou retirez la "
            f"ligne pour celle que lettres déduit du poste (« {usual} »)",
        )
    ]


def closing_problems(
    path: Path, line: int | None, closing: str, appellation: str, owner: str
) -> list[Problem]:
    """A `formule` that addresses someone must repeat the letter's appellation word for word;
    one that names no one (« Bien cordialement. ») contradicts nothing."""
    if not _ADDRESSES.search(closing):
        return []
    if re.search(r"(?<!\w)" + re.escape(_words(appellation)) + r"(?!\w)", _words(closing)):
        return []
    return [
        Problem(
            path,
            line,
            f"la « formule » du {owner} ne reprend pas la formule d'appel « {appellation} » : "
            f"« {excerpt(closing)} ». Une formule de politesse qui s'adresse à quelqu'un "
            "répète l'appellation mot pour mot : corrigez la formule, ou donnez "
            "l'« appellation » qu'elle emploie",
        )
    ]


# The words a formula addresses its reader with (reference §1); only those can contradict.
_ADDRESSES = re.compile(
    r"(?<!\w)(madame|monsieur|mesdames|messieurs|mademoiselle|maître|excellence|cher|chère|"
    r"chers|chères|docteur|professeur)(?!\w)",
    re.IGNORECASE,
)


def _words(text: str) -> str:
    """Text compared word for word: any run of spaces is one, either apostrophe is one."""
    return " ".join(text.replace("\u2019", "'").split())


def signature_lines(workspace: Workspace, signer: Signatory, labels: Labels = FRENCH) -> list[str]:
    if signer.signature:
        return list(signer.signature)
    lines = [f"{signer.first_name} {signer.name}"]
    own = quality(signer, "en" if labels is ENGLISH else "fr")
    if own:
        lines.append(own)
    if signer.for_coalition:
        lines.append(labels.on_behalf.format(name=workspace.sender.coalition.name))
    return lines


def signature_block(
    workspace: Workspace,
    signer: Signatory,
    text: Callable[[str], str],
    labels: Labels = FRENCH,
) -> tuple[str, ...]:
    """A signatory's lines, final, each name in them kept on one line.

    The block is narrower than the text (the page's right half, or a column of a grid), so
    its lines wrap: never inside the signatory's name, the Collectif's or the coordinating
    association's.
    """
    coalition = workspace.sender.coalition
    names = [coalition.short_name, coalition.coordination.structure]
    if signer.first_name and signer.name:
        names.append(f"{signer.first_name} {signer.name}")
    return tuple(
        keep_whole(text(line), names) for line in signature_lines(workspace, signer, labels)
    )


def letter_copies(
    workspace: Workspace, front: LetterFront, recipient: Recipient
) -> list[recipients.CopyLine]:
    """The « Copies : » of a letter, shared by the letter and its e-mail so that both agree.

    « aucune » (or « none », or an empty list) means none; the recipient is never its own copy.
    """
    keys = [] if front.cc in ([], ["aucune"], ["none"]) else front.cc
    return [
        line
        for line in recipients.copy_lines(workspace.directory, keys, front.date)
        if all(r.key != recipient.key for r in line.recipients)
    ]


def unverified_holders(
    workspace: Workspace, front: LetterFront, resolved: Resolved | None = None
) -> list[recipients.Currency]:
    """The letter's recipient and copies whom the directory cannot vouch for on its date."""
    resolved = resolved or resolve(workspace, front)
    people = [resolved.recipient] + [
        person for line in resolved.copies for person in line.recipients
    ]
    return [
        c
        for c in (recipients.currency_of(workspace.directory, p, front.date) for p in people)
        if not c.current
    ]


def require_current(
    workspace: Workspace,
    front: LetterFront,
    where: Document | None,
    accept: bool = False,
    resolved: Resolved | None = None,
) -> dict[str, str]:
    """Refuse a letter to or copied to a holder who may have left; the project's first guard.

    A holder already accepted in the source (`titulaires_acceptes`, the same person) passes.
    With `accept` (--accept-unverified), the others pass too and are returned, for the
    caller to record in the source; otherwise NotCurrent names each post and the ways out.
    `where` locates the messages in an existing source (None for a letter not yet written).
    """
    stale = [
        c
        for c in unverified_holders(workspace, front, resolved)
        if front.accepted.get(c.key) != c.holder.full_name
    ]
    if not stale:
        return {}
    if accept:
        return {c.key: c.holder.full_name for c in stale}
    raise NotCurrent(
        [located(workspace, front, where, c) for c in stale],
        f"le courrier du {front.date.isoformat()} à « {front.to} » nomme "
        + ("un titulaire" if len(stale) == 1 else f"{len(stale)} titulaires")
        + " que l'annuaire ne peut garantir à cette date :",
    )


def located(
    workspace: Workspace, front: LetterFront, where: Document | None, c: recipients.Currency
) -> Problem:
    message = not_current_message(c, front)
    if where is None:
        return Problem(None, None, message)
    return Problem(where.path, holder_line(workspace, front, where, c.key), message)


def not_current_message(c: recipients.Currency, front: LetterFront) -> str:
    """One post: who, the last date vouched for, and the two ways out."""
    earlier = front.accepted.get(c.key)
    accepted = (
        f" (l'acceptation notée dans la source vaut pour {earlier}, pas pour cette personne)"
        if earlier
        else ""
    )
    return (
        f"« {c.key} » : {c.reason}{accepted}. Mettez l'annuaire à jour : si le titulaire a changé, "
        f'« lettres recipients set {c.key} --holder "Madame Prénom Nom" --since AAAA-MM-JJ » ; '
        f"s'il est toujours en poste, « lettres recipients verify {c.key} --date AAAA-MM-JJ ». "
        "Ou, pour ce courrier seulement, ajoutez --accept-unverified (ce sera noté dans sa "
        "source, titulaires_acceptes)."
    )


def holder_line(
    workspace: Workspace, front: LetterFront, document: Document, key: str
) -> int | None:
    """The line naming `key`: destinataire, or the copies entry (the key or its group)."""
    if key == front.to:
        return line_of(document.front, ("destinataire",))
    for index, entry in enumerate(front.cc):
        group = workspace.directory.groups.get(entry)
        named = group.keys() if group is not None else [entry]
        if key in named:
            return line_of(document.front, ("copies", index))
    return line_of(document.front, ("copies",))


@dataclass(frozen=True)
class Resolved:
    """What a letter's front matter stands for on its date, looked up once.

    The letter and its e-mail both read it, so that they name the same recipient, the same
    copies and the same signatory, and the directory is walked once per letter.
    """

    recipient: Recipient
    signer: Signatory  # the first signatory, in the voice of them all
    copies: tuple[recipients.CopyLine, ...]
    context: Mapping[str, Any]
    signers: tuple[Signatory, ...] = ()  # all of them, in the order they sign

    def variables(self) -> dict[str, Any]:
        """A fresh copy for each render: the sandbox still lets a template append to a list,
        and what the letter's body does must not show in its cover note."""
        return copy.deepcopy(dict(self.context))


def resolve(workspace: Workspace, front: LetterFront, source: Document | None = None) -> Resolved:
    """`source` (the letter's parsed file) is where a follow-up's `relance_de` starts from."""
    recipient = recipients.recipient(workspace.directory, front.to, front.date)
    signers = signatories.signatories(workspace, front.signer_keys, front.date)
    signer = signers[0]
    copies = tuple(letter_copies(workspace, front, recipient))
    if front.language == "en":
        require_english(workspace, [recipient, *(r for line in copies for r in line.recipients)])
    context = template_context(workspace, front, recipient, signer, earlier_of(front, source))
    context["signataires"] = [signer_context(s, front.language) for s in signers]
    return Resolved(recipient, signer, copies, context, tuple(signers))


def require_english(workspace: Workspace, people: Sequence[Recipient]) -> None:
    """A letter in English names every post in English: a missing title is said at its post."""
    path = workspace.root / DIRECTORY_FILE
    problems = [
        Problem(
            path,
            line_of(workspace.raw.get(path), ("postes", key)),
            f"le poste « {key} » n'a pas d'intitulé en anglais, et ce courrier est en anglais "
            "(langue: en) : ajoutez sous ce poste « poste_en: … » (par exemple « poste_en: "
            "President of GRETA »), ou écrivez le courrier en français",
        )
        for key in dict.fromkeys(p.key for p in people if p.position.title_en is None)
    ]
    if problems:
        raise DataError(problems)


def earlier_of(front: LetterFront, source: Document | None) -> Earlier | None:
    if front.follow_up_of is None or source is None:
        return None
    line = source.front.key_lines.get(relance.FIELD)
    return relance.load_earlier(source.path, front.follow_up_of, line)


def subject(front: LetterFront, curly_apostrophes: bool = False) -> str:
    """The objet as printed; the e-mail's Subject is this very text, never re-rendered."""
    return final(front.subject.strip(), curly_apostrophes, front.language)


def compose(
    workspace: Workspace,
    front: LetterFront,
    document: Document,
    resolved: Resolved | None = None,
) -> Letter:
    """The whole letter, resolved once on its date (or from what the caller resolved)."""
    found = resolved or resolve(workspace, front, document)
    recipient, signer = found.recipient, found.signer
    refused = formula_problems(workspace, front, document, found)
    if refused:
        raise DataError(refused)
    body_text = templating.render(
        document.body, found.variables(), document.path, document.body_line
    )
    lang = front.language
    en = lang == "en"
    labels = LABELS[lang]
    appellation = front.appellation or appellation_of(front, recipient)
    copies = [line.english_text() if en else line.text(front.cc_style) for line in found.copies]
    coalition = workspace.sender.coalition
    coordination = coalition.coordination
    contact = " – ".join(
        part for part in (coordination.name, coordination.email, coordination.phone) if part
    )
    names = printed_names([recipient, *(r for line in found.copies for r in line.recipients)])
    curly = workspace.sender.typography.curly_apostrophes

    def plain(raw: str) -> str:
        """Final text in the letter's language, with the workspace's apostrophes."""
        return final(raw, curly, lang)

    def text(raw: str) -> str:
        """Final text, names kept on one line."""
        return keep_whole(plain(raw), names)

    from lettres.markdown import parse_body  # markdown-it: only a letter composed needs it

    place = clean(front.place or coalition.place)
    block = recipient.english_address_block() if en else recipient.address_block()
    return Letter(
        letterhead=tuple(plain(line) for line in letterhead(workspace, labels)),
        recipient_block=tuple(text(line) for line in block),
        date_line=english.date_line(place, front.date) if en else date_line(place, front.date),
        subject=subject(front, curly),
        reference=text(front.ref) if front.ref else None,
        our_reference=plain(front.reference) if front.reference else None,
        appellation=text(appellation) + ",",
        body=parse_body(text(body_text)),
        closing=text(closing_formula(front, recipient, signer, appellation)),
        signatures=tuple(
            signature_block(workspace, s, text, labels) for s in found.signers or (signer,)
        ),
        enclosures=tuple(text(e) for e in front.enclosures),
        copies=tuple(text(c) for c in copies),
        members_heading=plain(labels.members.format(name=coalition.name)),
        members=tuple(plain(m) for m in recipients.member_names(workspace.members, front.date)),
        contact=plain(labels.contact + contact),
        author=plain(coalition.name),
        date=front.date,
        labels=labels,
        window=window(workspace),
        copied_people=sum(len(line.recipients) for line in found.copies),
    )


def printed_names(recipients: list[Recipient]) -> list[str]:
    """The people the letter names (recipient, copies), with and without their civilité."""
    return [
        name
        for r in recipients
        if r.holder is not None
        for name in (
            f"{r.holder.civility} {r.holder.full_name}",
            r.english_person,
            r.holder.full_name,
        )
    ]


def window(workspace: Workspace) -> Window:
    setting = workspace.sender.layout.window
    return Window(setting.x, setting.y, setting.width)


def letterhead(workspace: Workspace, labels: Labels = FRENCH) -> list[str]:
    coalition = workspace.sender.coalition
    coordination = coalition.coordination
    lines = [coalition.name, labels.coordination + coordination.structure]
    if coordination.address:
        lines.append(", ".join(coordination.address))
    if coalition.website:
        lines.append(coalition.website)
    return lines
