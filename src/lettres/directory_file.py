"""`lettres recipients set` and `verify`: destinataires.yaml edited in place.

The file is the coalition's own, with its comments, order and layout: it is edited by a
YAML round trip (ruamel.yaml) that keeps all three, and the result is validated by the
same models as at loading before it replaces the file, atomically. ruamel.yaml is
imported only here, so that no other command pays for it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lettres import recipients
from lettres.errors import DataError, LettresError
from lettres.files import write_text_atomic
from lettres.folders import DIRECTORY_FILE
from lettres.models import Civility, Directory, Holder, validate
from lettres.workspace import load_directory
from lettres.yamlfile import parse_yaml, read_text

CIVILITIES: dict[str, Civility] = {
    "madame": "Madame",
    "mme": "Madame",
    "monsieur": "Monsieur",
    "m.": "Monsieur",
}
PERSON_HELP = (
    "écrivez « Madame Prénom Nom » ou « Monsieur Prénom Nom » (le premier mot après la "
    "civilité est le prénom, le reste le nom)"
)


@dataclass(frozen=True)
class Person:
    civility: Civility
    first_name: str
    name: str


def parse_person(text: str) -> Person:
    """« Madame Marie-Pierre de La Gontrie » → Madame, Marie-Pierre, de La Gontrie."""
    words = text.split()
    if len(words) < 3 or words[0].lower() not in CIVILITIES:
        raise LettresError(f"--holder « {text} » : {PERSON_HELP}")
    return Person(CIVILITIES[words[0].lower()], words[1], " ".join(words[2:]))


def set_holder(
    root: Path, key: str, person: Person, since: date, verified: date | None, today: date
) -> Holder:
    """A new holder of `key` from `since`; the one before ends where this one starts."""
    not_in_future(verified, today, "--verified")
    directory = load_directory(root)
    position = recipients.position(directory, key)
    same_day = [h for h in position.holders if h.since == since]
    if same_day:
        raise LettresError(
            f"« {key} » a déjà un titulaire depuis le {since.isoformat()} : "
            f"{same_day[0].full_name} ; choisissez une autre date --since"
        )
    index = sum(1 for h in position.holders if h.since < since)

    def add(data: Any) -> None:
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap(
            civilite=person.civility, prenom=person.first_name, nom=person.name, depuis=since
        )
        if verified is not None:
            entry["verifie_le"] = verified
        entry.fa.set_flow_style()
        data["postes"][key]["titulaires"].insert(index, entry)

    changed = edit(root, add)
    return changed.positions[key].holders[index]


def verify(root: Path, key: str, on: date, today: date) -> Holder:
    """Stamp `verifie_le` on the holder of `key` on `on`; a later stamp already there stays."""
    not_in_future(on, today, "--date")
    directory = load_directory(root)
    position = recipients.position(directory, key)
    holder = recipients.holder_on(key, position, on)
    index = position.holders.index(holder)
    if holder.verified is not None and holder.verified >= on:
        return holder

    def stamp(data: Any) -> None:
        data["postes"][key]["titulaires"][index]["verifie_le"] = on

    return edit(root, stamp).positions[key].holders[index]


def not_in_future(day: date | None, today: date, option: str) -> None:
    if day is not None and day > today:
        raise LettresError(
            f"{option} {day.isoformat()} : on ne vérifie pas un titulaire dans l'avenir "
            f"(nous sommes le {today.isoformat()})"
        )


def edit(root: Path, change: Any) -> Directory:
    """Apply `change` to the round-tripped file; validate; write atomically, or touch nothing."""
    path = root / DIRECTORY_FILE
    yaml = round_trip()
    data = yaml.load(read_text(path))
    change(data)
    stream = io.StringIO()
    yaml.dump(data, stream)
    text = stream.getvalue()
    try:
        directory = validate(Directory, parse_yaml(text, path), path)
    except DataError as error:
        raise LettresError(
            f"cette modification rendrait {DIRECTORY_FILE} invalide ; il n'a pas été modifié : "
            + " ; ".join(problem.message for problem in error.problems)
        ) from None
    write_text_atomic(path, text)
    return directory


def round_trip() -> Any:
    """A ruamel.yaml that gives back the file as it was: quotes, `null`, long lines, indents."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml
