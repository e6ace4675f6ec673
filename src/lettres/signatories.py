"""Who signs a letter: the signatories of `modeles/collectif.yaml`, and member associations'
presidents (`membres:CLE`) from `modeles/membres.yaml`, each on the letter's date.

Several signatories speak as « nous »: the closing agrees (« Nous vous prions … notre … »).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lettres.errors import LettresError
from lettres.models import Association, President, Signatory, nearest
from lettres.recipients import name_on
from lettres.workspace import Workspace

MEMBER_PREFIX = "membres:"


def typed_keys(typed: Sequence[str]) -> list[str]:
    """`--signatory membres:ccem,amicale-du-nid` is two signatories: `membres:ccem`, …"""
    keys: list[str] = []
    for value in typed:
        if value.startswith(MEMBER_PREFIX):
            names = [n.strip() for n in value.removeprefix(MEMBER_PREFIX).split(",")]
            keys += [MEMBER_PREFIX + name for name in names if name]
        else:
            keys.append(value.strip())
    return list(dict.fromkeys(keys))


def signatory(workspace: Workspace, key: str, on: date) -> Signatory:
    if key.startswith(MEMBER_PREFIX):
        return president(workspace, key.removeprefix(MEMBER_PREFIX), on)
    found = workspace.sender.signatories.get(key)
    if found is None:
        known = workspace.sender.signatories
        raise LettresError(
            f"signataire inconnu « {key} »{nearest(key, known)} ; signataires connus : "
            + ", ".join(known)
            + " (modeles/collectif.yaml), ou membres:ASSOCIATION pour la présidence d'une "
            "association membre (modeles/membres.yaml)"
        )
    return found


def president(workspace: Workspace, key: str, on: date) -> Signatory:
    """The president of a member association on `on`, signing in its name."""
    association = workspace.members.associations.get(key)
    if association is None:
        known = workspace.members.associations
        raise LettresError(
            f"association membre inconnue « {key} »{nearest(key, known)} (signataire "
            f"membres:{key}) ; les clés sont celles de modeles/membres.yaml"
        )
    holder = president_on(key, association, on)
    return Signatory.model_validate(
        {
            "civilite": holder.civility,
            "prenom": holder.first_name,
            "nom": holder.name,
            "qualite": holder.quality,
            "qualite_en": holder.quality_en or f"President of {name_on(association, on)}",
            "voix": "je",
        }
    )


def president_on(key: str, association: Association, on: date) -> President:
    current = [p for p in association.presidents if p.since <= on]
    if not current or (current[-1].until is not None and on > current[-1].until):
        raise LettresError(
            f"l'association « {key} » n'a pas de président(e) connu(e) le {on.isoformat()} : "
            "ajoutez-le (presidents: - {civilite: …, prenom: …, nom: …, qualite: « Présidente "
            "de … », depuis: AAAA-MM-JJ}) "
            "sous cette association dans modeles/membres.yaml"
        )
    return current[-1]


def signatories(workspace: Workspace, keys: Sequence[str], on: date) -> list[Signatory]:
    """Every signatory of a letter; with several, the first speaks for all as « nous »."""
    found = [signatory(workspace, key, on) for key in keys]
    if len(found) > 1:
        found[0] = found[0].model_copy(update={"voice": "nous"})
    return found
