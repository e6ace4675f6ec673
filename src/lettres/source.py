"""Letter sources and templates: YAML front matter between `---` lines, then a Markdown body."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, field_validator, model_validator

from lettres.errors import DataError, LettresError
from lettres.files import write_text_atomic
from lettres.folders import COVER_NOTE
from lettres.followup import FOLLOW_UP_HELP, BadFollowUp, parse_follow_up
from lettres.models import Model, invalid, nearest, validate, without_final_comma
from lettres.protocol import Noun, Verb
from lettres.recipients import CopyStyle
from lettres.text import excerpt
from lettres.yamlfile import LineDict, parse_front, read_text

Language = Literal["fr", "en"]  # the language of a letter: its labels, formulas, typography


class Courtesy(Model):
    """The two choices of a closing formula a letter may make (reference §1)."""

    verb: Verb = Field("prie", alias="verbe")
    noun: Noun = Field("expression", alias="nom")


ACCEPTED_KEY = "titulaires_acceptes"


class LetterFront(Model):
    """Every choice of one letter, so that it can be rebuilt at any time."""

    template: str | None = Field(None, alias="modele")
    to: str = Field(alias="destinataire")
    subject: str = Field(alias="objet", min_length=1)
    date: datetime.date
    place: str | None = Field(None, alias="lieu")
    signatory: str | None = Field(None, alias="signataire")
    signatories: list[str] = Field(default_factory=list, alias="signataires")
    cc: list[str] = Field(default_factory=lambda: ["standard"], alias="copies")
    cc_style: CopyStyle = Field("personne", alias="format_copies")
    enclosures: list[str] = Field(default_factory=list, alias="pj")
    ref: str | None = None
    reference: str | None = None
    appellation: str | None = None
    closing: str | None = Field(None, alias="formule")
    courtesy: Courtesy = Field(default_factory=Courtesy, alias="politesse")
    variables: dict[str, str] = Field(default_factory=dict)
    follow_up: str | datetime.date | None = Field(None, alias="relance")
    # Holders the directory could not vouch for on the letter's date, sent to anyway
    # (--accept-unverified): post key → the person accepted, so the choice stays specific.
    accepted: dict[str, str] = Field(default_factory=dict, alias=ACCEPTED_KEY)
    follow_up_of: str | None = Field(None, alias="relance_de", min_length=1)
    language: Language = Field("fr", alias="langue")

    @model_validator(mode="after")
    def _one_way_to_sign(self) -> LetterFront:
        if (self.signatory is None) == (not self.signatories):
            raise invalid(
                "indiquez qui signe : « signataire: CLE », ou, pour plusieurs, « signataires: "
                "[CLE, CLE, membres:ASSOCIATION…] » (l'un ou l'autre, pas les deux)"
            )
        return self

    @property
    def signer_keys(self) -> list[str]:
        """Every signatory's key, in the order they sign (« membres:ccem » for a president)."""
        return [self.signatory] if self.signatory else list(self.signatories)

    _appellation = field_validator("appellation")(without_final_comma)

    @field_validator("follow_up", mode="before")
    @classmethod
    def _readable_follow_up(cls, value: Any) -> Any:
        """Checked when the letter loads, so that `lettres register` never meets a bad one."""
        if value is None or isinstance(value, datetime.date):
            return value
        if not isinstance(value, str):
            raise invalid(f"« relance : {excerpt(value)} » : {FOLLOW_UP_HELP}")
        try:
            parse_follow_up(value)
        except BadFollowUp as error:
            raise invalid(str(error)) from None
        return value


class TemplateFront(Model):
    """A template says what it is for, which variables it expects, and its defaults."""

    description: str
    subject: str | None = Field(None, alias="objet")
    variables: dict[str, str] = Field(default_factory=dict)
    signatory: str | None = Field(None, alias="signataire")
    cc: list[str] | None = Field(None, alias="copies")
    enclosures: list[str] = Field(default_factory=list, alias="pj")
    language: Language | None = Field(None, alias="langue")


@dataclass(frozen=True)
class Document:
    """A parsed source file: its front matter (raw, with lines) and its body."""

    path: Path
    front: LineDict
    body: str
    body_line: int


def split_document(path: Path, text: str | None = None) -> Document:
    """Cut the front matter from the body; the body keeps its first line number."""
    text = read_text(path) if text is None else text
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise DataError.at(
            path, 1, "le fichier doit commencer par un en-tête entre deux lignes « --- »"
        )
    end = text.find("\n---", 3)
    while end != -1 and text[end + 4 : end + 5] not in ("\n", ""):
        end = text.find("\n---", end + 1)
    if end == -1:
        raise DataError.at(
            path, 1, "l'en-tête n'est pas fermé : ajoutez une ligne « --- » après lui"
        )
    # One blank line stands for the opening `---`: every line the parser records (of a key,
    # of a duplicate) is then the line of the file, not of the front matter.
    front = parse_front("\n" + text[4 : end + 1], path)
    if front is None:
        front = LineDict()
        front.key_lines = {}
    if not isinstance(front, LineDict):
        raise DataError.at(path, 2, "l'en-tête doit contenir des entrées « clé: valeur »")
    body_start = end + 5
    return Document(path, front, text[body_start:], text[:body_start].count("\n") + 1)


def load_letter(path: Path, text: str | None = None) -> tuple[LetterFront, Document]:
    """`text`: the file's content when the caller has read it already."""
    document = split_document(path, text)
    return validate(LetterFront, document.front, path), document


def load_template(path: Path) -> tuple[TemplateFront, Document]:
    document = split_document(path)
    return validate(TemplateFront, document.front, path), document


LONG_VALUE = 80  # characters: a longer text goes on lines of its own


class _FrontDumper(yaml.SafeDumper):
    """Long or multi-line texts as literal blocks (|): as typed, never escaped or folded."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text or len(text) > LONG_VALUE else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_FrontDumper.add_representer(str, _represent_text)


def dump_front(values: dict[str, Any]) -> str:
    """YAML for a new source's front matter, readable and in a stable order."""
    return yaml.dump(values, Dumper=_FrontDumper, allow_unicode=True, sort_keys=False, width=100)


def letter_text(values: dict[str, Any], body: str) -> str:
    return f"---\n{dump_front(values)}---\n{body}"


def record_accepted(path: Path, accepted: dict[str, str], *, keep_time: bool = False) -> None:
    """Add holders accepted without verification to a source's front matter, in place.

    Only the `titulaires_acceptes` line changes: every other byte of the file, the body
    above all, stays as it was. `keep_time` keeps the file's modification time: the
    acceptance changes nothing the PDF shows, so a PDF made before stays up to date.
    """
    text = read_text(path)
    document = split_document(path, text)
    front = validate(LetterFront, document.front, path)
    merged = {**front.accepted, **accepted}
    parts = text.split("\n")  # not splitlines(): U+2028 and the like are no line ends here
    lines = [part + "\n" for part in parts[:-1]] + [parts[-1]]
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    entry = ACCEPTED_KEY + ": " + flow_yaml(merged) + newline
    closing = document.body_line - 1  # the line of the closing `---`
    if ACCEPTED_KEY in document.front:
        start = document.front.key_lines[ACCEPTED_KEY]
        after = [n for n in document.front.key_lines.values() if n > start]
        lines[start - 1 : min([*after, closing]) - 1] = [entry]
    else:
        lines.insert(closing - 1, entry)
    before = path.stat()
    write_text_atomic(path, "".join(lines))
    if keep_time:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def flow_yaml(value: Any) -> str:
    """A value on one line of YAML: `{interieur: Bernard Cazeneuve}`."""
    return yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000
    ).strip()


def template_names(templates_dir: Path) -> list[str]:
    """The letter templates; the cover note of the e-mails is a template, not a letter."""
    return sorted(
        p.stem
        for p in templates_dir.glob("*.md")
        if p.stem != COVER_NOTE and not p.stem.startswith(f"{COVER_NOTE}.")
    )


def find_template(templates_dir: Path, name: str) -> Path:
    path = templates_dir / f"{name}.md"
    if not path.is_file():
        names = template_names(templates_dir)
        raise LettresError(
            f"modèle inconnu « {name} »{nearest(name, names)} ; modèles disponibles : "
            + (", ".join(names) or "aucun")
            + " (« lettres templates » les décrit)"
        )
    return path


def describe_templates(templates_dir: Path) -> list[tuple[str, TemplateFront]]:
    """Every letter template with its front matter: what `lettres templates` lists."""
    names = template_names(templates_dir)
    if not names:
        raise LettresError(f"aucun modèle dans {templates_dir}")
    return [(name, load_template(templates_dir / f"{name}.md")[0]) for name in names]
