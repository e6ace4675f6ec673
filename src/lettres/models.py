"""Typed models of the workspace files, and their validation errors in French.

Nothing past the loader sees raw YAML: every field is checked here, once, with the
line it came from, so later stages can trust what they get.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from lettres import protocol
from lettres.errors import DataError, Problem
from lettres.followup import parse_delay
from lettres.protocol import CATEGORIES, Voice
from lettres.text import excerpt
from lettres.yamlfile import line_of

Civility = Literal["Monsieur", "Madame"]
MemberStatus = Literal["membre", "observateur", "candidat", "sortie"]

EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
REFERENCE_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def nearest(word: str, choices: Any) -> str:
    """A French 'did you mean' suffix, or nothing when no choice is close."""
    found = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.5)
    return f" (vouliez-vous dire « {found[0]} » ?)" if found else ""


def invalid(message: str, *where: str | int) -> PydanticCustomError:
    """A validation error; `where` points below the current object for the line number."""
    return PydanticCustomError("lettres", message, {"where": where})


class Model(BaseModel):
    """Frozen, strict about unknown keys, and addressed by the French keys of the files."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = [field.alias or name for name, field in cls.model_fields.items()]
            for key in data:
                if key not in known:
                    raise invalid(
                        f"champ inconnu « {excerpt(key)} »{nearest(key, known)} ; "
                        "champs possibles : " + ", ".join(known),
                        key,
                    )
        return data


class Gendered(Model):
    """A title that changes with the holder's gender (Président / Présidente)."""

    masculine: str = Field(alias="masculin")
    feminine: str = Field(alias="feminin")

    def text(self, civility: Civility) -> str:
        return self.feminine if civility == "Madame" else self.masculine


def gendered(value: str | Gendered, civility: Civility) -> str:
    return value if isinstance(value, str) else value.text(civility)


def without_final_comma(value: str | Gendered | None) -> str | Gendered | None:
    """An appellation as typed at the top of a letter (« Monsieur le Ministre, ») loses its
    comma: lettres adds it, and repeats the appellation inside the closing formula, where a
    comma of its own would print « Monsieur le Ministre,, ». `check` warns of it."""
    if isinstance(value, Gendered):
        forms = {"masculine": _uncomma(value.masculine), "feminine": _uncomma(value.feminine)}
        return value.model_copy(update=forms)
    return value if value is None else _uncomma(value)


def _uncomma(text: str) -> str:
    return text.rstrip().removesuffix(",").rstrip()


def check_email(value: str | None) -> str | None:
    if value is not None and not EMAIL.match(value):
        raise invalid(
            f"« {excerpt(value)} » n'est pas une adresse électronique valide (nom@domaine.fr)"
        )
    return value


class Holder(Model):
    civility: Civility = Field(alias="civilite")
    first_name: str = Field(alias="prenom")
    name: str = Field(alias="nom")
    since: date = Field(alias="depuis")
    until: date | None = Field(None, alias="jusqu_au")
    verified: date | None = Field(None, alias="verifie_le")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.name}"

    @property
    def gender(self) -> protocol.Gender:
        return "f" if self.civility == "Madame" else "m"

    @property
    def vouched(self) -> date:
        """The last date on which the directory knows this person held the post."""
        return self.verified or self.since

    @model_validator(mode="after")
    def _dates_agree(self) -> Holder:
        """A holding ends after it starts, and is verified while it lasts."""
        if self.until is not None and self.until < self.since:
            raise invalid(
                f"{self.full_name} quitterait le poste (jusqu_au {self.until}) avant d'y "
                f"arriver (depuis {self.since}) : corrigez l'une des deux dates",
                "jusqu_au",
            )
        if self.verified is not None and self.verified < self.since:
            raise invalid(
                f"{self.full_name} serait vérifié(e) en poste (verifie_le {self.verified}) "
                f"avant d'y arriver (depuis {self.since}) : corrigez l'une des deux dates",
                "verifie_le",
            )
        if self.verified is not None and self.until is not None and self.verified > self.until:
            raise invalid(
                f"{self.full_name} serait vérifié(e) en poste (verifie_le {self.verified}) "
                f"après l'avoir quitté (jusqu_au {self.until}) : corrigez l'une des deux dates",
                "verifie_le",
            )
        return self


class Position(Model):
    title: str | Gendered = Field(alias="poste")
    short_title: str | Gendered | None = Field(None, alias="intitule_court")
    category: str = Field(alias="categorie")
    institution: str | None = None
    address: list[str] = Field(default_factory=list, alias="adresse")
    email: str | None = Field(None, alias="courriel")
    appellation: str | Gendered | None = None
    degree: str | None = Field(None, alias="consideration")
    closing: str | None = Field(None, alias="formule")
    # A `service` (a department, not a person) may have none: « Madame, Monsieur ».
    holders: list[Holder] = Field(default_factory=list, alias="titulaires")
    # For letters in English (langue: en): the title, as the address block prints it, and
    # the salutation when the rank's English one does not fit.
    title_en: str | Gendered | None = Field(None, alias="poste_en", min_length=1)
    short_title_en: str | Gendered | None = Field(None, alias="intitule_court_en", min_length=1)
    appellation_en: str | Gendered | None = Field(None, alias="appellation_en", min_length=1)

    _email = field_validator("email")(check_email)
    _appellation = field_validator("appellation")(without_final_comma)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise invalid(
                f"catégorie inconnue « {excerpt(value)} »{nearest(value, CATEGORIES)} ; "
                "catégories possibles : " + ", ".join(CATEGORIES)
            )
        return value

    @model_validator(mode="after")
    def _holders_unless_a_service(self) -> Position:
        if not self.holders and self.category != "service":
            raise invalid(
                "« titulaires » manque : ajoutez le titulaire du poste (titulaires: - {civilite: "
                "Madame, prenom: …, nom: …, depuis: AAAA-MM-JJ}) ; seul un poste de catégorie "
                "« service » (un service, pas une personne : « Madame, Monsieur ») s'en passe",
                "titulaires",
            )
        return self

    @model_validator(mode="after")
    def _titles_for_a_woman(self) -> Position:
        """A title in one form, masculine, would print « Madame la Préfet »: a post a woman
        holds says its feminine form (poste: {masculin: …, feminin: …})."""
        woman = next((h for h in self.holders if h.civility == "Madame"), None)
        if woman is None:
            return self
        for field, title in (("poste", self.title), ("intitule_court", self.short_title)):
            word = protocol.masculine_word(title) if isinstance(title, str) else None
            if word is not None:
                raise invalid(
                    f"« {field}: {excerpt(title)} » est au masculin (« {word} ») et "
                    f"{woman.civility} {woman.full_name} est titulaire de ce poste : donnez "
                    f"les deux formes, « {field}: {{masculin: …, feminin: …}} »",
                    field,
                )
        return self

    @model_validator(mode="after")
    def _appellations_for_their_holders(self) -> Position:
        """A plain « Monsieur le Préfet » would greet the woman who holds the post after him
        (or the reverse): a post both have held says both forms."""
        typed = (("appellation", self.appellation), ("appellation_en", self.appellation_en))
        for field, value in typed:
            addressed = protocol.addressed_gender(value) if isinstance(value, str) else None
            if addressed is None:
                continue
            other = next((h for h in self.holders if h.gender != addressed), None)
            if other is not None:
                raise invalid(
                    f"« {field}: {excerpt(value)} » s'adresse à {protocol.WHOM[addressed]} et "
                    f"{other.civility} "
                    f"{other.full_name} est titulaire de ce poste : donnez les deux formes, "
                    f"« {field}: {{masculin: …, feminin: …}} »",
                    field,
                )
        return self

    @model_validator(mode="after")
    def _holders_in_order(self) -> Position:
        for index in range(1, len(self.holders)):
            before, after = self.holders[index - 1], self.holders[index]
            if after.since <= before.since:
                raise invalid(
                    f"titulaires dans le désordre : {after.full_name} (depuis {after.since}) "
                    f"vient après {before.full_name} (depuis {before.since}) ; "
                    "rangez-les du plus ancien au plus récent",
                    "titulaires",
                    index,
                )
            if before.verified is not None and before.verified >= after.since:
                raise invalid(
                    f"{before.full_name} serait vérifié(e) en poste (verifie_le "
                    f"{before.verified}) après l'arrivée de {after.full_name} (depuis "
                    f"{after.since}) : corrigez l'une des deux dates",
                    "titulaires",
                    index - 1,
                    "verifie_le",
                )
            if before.until is not None and before.until >= after.since:
                raise invalid(
                    f"{before.full_name} serait encore en poste (jusqu_au {before.until}) "
                    f"quand {after.full_name} y arrive (depuis {after.since}) : le suivant met "
                    "fin au précédent ; retirez jusqu_au ou corrigez-le",
                    "titulaires",
                    index - 1,
                    "jusqu_au",
                )
        return self


class Group(Model):
    description: str | None = None
    lines: list[str | list[str]] = Field(alias="postes", min_length=1)

    def keys(self) -> list[str]:
        return [key for line in self.lines for key in ([line] if isinstance(line, str) else line)]


DEFAULT_MARGIN = "6 mois"


class Directory(Model):
    positions: dict[str, Position] = Field(alias="postes")
    groups: dict[str, Group] = Field(default_factory=dict, alias="groupes")
    # How long after its last verification the directory still vouches for a holder
    # whose end it does not know (recipients.currency).
    margin: str = Field(DEFAULT_MARGIN, alias="marge_verification")

    @field_validator("margin")
    @classmethod
    def _readable_margin(cls, value: str) -> str:
        if parse_delay(value) is None:
            raise invalid(
                f"« marge_verification : {value} » n'est pas compris ; écrivez une durée "
                "(« 6 mois », « 12 semaines », « 90 jours »)"
            )
        return value

    def vouches_until(self, vouched: date) -> date:
        """The last day a holder verified on `vouched` (and with no known end) is current."""
        delay = parse_delay(self.margin)
        assert delay is not None  # checked when loaded
        return delay.after(vouched)

    @model_validator(mode="after")
    def _groups_name_known_positions(self) -> Directory:
        for group_key, group in self.groups.items():
            if group_key in self.positions:
                raise invalid(
                    f"le groupe « {group_key} » porte le nom d'un poste : renommez-le",
                    "groupes",
                    group_key,
                )
            for index, line in enumerate(group.lines):
                for key in [line] if isinstance(line, str) else line:
                    if key not in self.positions:
                        raise invalid(
                            f"le groupe « {group_key} » cite un poste inconnu « {excerpt(key)} »"
                            f"{nearest(key, self.positions)}",
                            "groupes",
                            group_key,
                            "postes",
                            index,
                        )
        return self


class Coordination(Model):
    structure: str
    address: list[str] = Field(default_factory=list, alias="adresse")
    name: str = Field(alias="nom")
    email: str = Field(alias="courriel")
    phone: str | None = Field(None, alias="telephone")

    _email = field_validator("email")(check_email)


class Coalition(Model):
    name: str = Field(alias="nom")
    short_name: str = Field(alias="nom_court")
    website: str | None = Field(None, alias="site")
    place: str = Field(alias="lieu")
    mailbox: str | None = Field(None, alias="boite_partagee")
    reference_prefix: str = Field("CTEH", alias="prefixe_reference")
    logo: str | None = None
    coordination: Coordination

    _email = field_validator("mailbox")(check_email)

    @field_validator("reference_prefix")
    @classmethod
    def _plain_prefix(cls, value: str) -> str:
        """The prefix starts every reference `PREFIXE/ANNEE/NNN`: a slash would be ambiguous."""
        if not REFERENCE_PREFIX.match(value):
            raise invalid(
                f"« {excerpt(value)} » ne convient pas comme préfixe de référence : "
                "lettres, chiffres et tirets seulement (par exemple CTEH)"
            )
        return value


class Signatory(Model):
    civility: Civility | None = Field(None, alias="civilite")
    first_name: str | None = Field(None, alias="prenom")
    name: str | None = Field(None, alias="nom")
    quality: str | None = Field(None, alias="qualite")
    quality_en: str | None = Field(None, alias="qualite_en")  # for letters in English
    voice: Voice = Field(alias="voix")
    for_coalition: bool = Field(False, alias="pour_le_collectif")
    signature: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _person_or_coalition(self) -> Signatory:
        if not self.signature and not (self.first_name and self.name):
            raise invalid(
                "un signataire doit avoir un prénom et un nom, ou les lignes de sa « signature »"
            )
        return self


PAGE_WIDTH, PAGE_HEIGHT = 210, 297  # A4, millimetres

Security = Literal["starttls", "ssl", "none", "oauth2-microsoft"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25, "oauth2-microsoft": 587}
MICROSOFT = "oauth2-microsoft"
DEFAULT_TENANT = "organizations"  # any work or school account; a tenant's id or domain narrows it
GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
TENANT = re.compile(r"^[A-Za-z0-9.-]+$")


class Sending(Model):
    """The SMTP server of `lettres send`; the password is never stored, only asked for."""

    host: str = Field(alias="hote", min_length=1)
    port: int | None = None
    security: Security = Field("starttls", alias="securite")
    user: str | None = Field(None, alias="utilisateur")
    application: str | None = None  # the client id the organisation registered for lettres
    tenant: str = Field(DEFAULT_TENANT, alias="locataire")

    @field_validator("application")
    @classmethod
    def _application_id(cls, value: str | None) -> str | None:
        if value is not None and not GUID.match(value):
            raise invalid(
                f"« {value} » n'est pas un identifiant d'application Microsoft (de la forme "
                "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) : recopiez l'« ID d'application (client) »"
            )
        return value

    @field_validator("tenant")
    @classmethod
    def _tenant_id(cls, value: str) -> str:
        if not TENANT.match(value):
            raise invalid(
                f"« {value} » ne convient pas comme locataire Microsoft : mettez "
                "« organizations », le domaine de votre organisation (exemple.org) ou son "
                "« ID de l'annuaire »"
            )
        return value

    @model_validator(mode="after")
    def _microsoft_needs_a_user(self) -> Sending:
        if self.security == MICROSOFT and not self.user:
            raise invalid(
                "« securite: oauth2-microsoft » demande l'adresse du compte Microsoft 365 qui se "
                "connecte : ajoutez « utilisateur: prenom.nom@votre-organisation.org »"
            )
        if self.security == MICROSOFT and not self.application:
            # No borrowed default: sign-ins must show the organisation's own application.
            raise invalid(
                "« securite: oauth2-microsoft » demande l'identifiant de l'application que "
                "votre service informatique a déclarée pour lettres : ajoutez « application: "
                "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx » (voir le README, « Avec Microsoft 365 »)"
            )
        return self

    @field_validator("port")
    @classmethod
    def _port_in_range(cls, value: int | None) -> int | None:
        if value is not None and not 0 < value < 65536:
            raise invalid(f"port {value} impossible : un port va de 1 à 65535 (587 en général)")
        return value

    @property
    def server_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


class Typography(Model):
    """Typographic choices of the workspace, all opt-in (reference §4)."""

    curly_apostrophes: bool = Field(False, alias="apostrophe_courbe")


class Window(Model):
    """The envelope's window, in millimetres from the page's top-left corner (A4)."""

    x: float = 110
    y: float = 48
    width: float = Field(85, alias="largeur")

    @model_validator(mode="after")
    def _on_the_page(self) -> Window:
        if not (self.x >= 0 and self.width > 0 and self.x + self.width <= PAGE_WIDTH):
            raise invalid(
                f"la fenêtre (x = {self.x:g} mm, largeur = {self.width:g} mm) sort de la page, "
                f"large de {PAGE_WIDTH} mm : x + largeur doit rester sous {PAGE_WIDTH} "
                "(enveloppe DL : x = 110, largeur = 85)"
            )
        if not 0 <= self.y <= PAGE_HEIGHT / 2:
            raise invalid(
                f"la fenêtre (y = {self.y:g} mm) doit être dans le haut de la page, "
                f"entre 0 et {PAGE_HEIGHT // 2} mm (enveloppe DL : y = 48)"
            )
        return self


class PageLayout(Model):
    window: Window = Field(default_factory=Window, alias="fenetre")


class Sender(Model):
    coalition: Coalition = Field(alias="collectif")
    signatories: dict[str, Signatory] = Field(alias="signataires", min_length=1)
    sending: Sending | None = Field(None, alias="envoi")
    typography: Typography = Field(default_factory=Typography, alias="typographie")
    layout: PageLayout = Field(default_factory=PageLayout, alias="mise_en_page")


class Rename(Model):
    on: date = Field(alias="le")
    name: str = Field(alias="nom")


class StatusChange(Model):
    since: date = Field(alias="depuis")
    status: MemberStatus = Field(alias="statut")


class President(Holder):
    """A member association's president, who co-signs in its name.

    The quality is written out (« Présidente du Comité … », « de l'Amicale du Nid ») because
    French contracts « de » with an article the association's name does not carry.
    """

    quality: str = Field(alias="qualite")
    quality_en: str | None = Field(None, alias="qualite_en")  # for letters in English


class Association(Model):
    name: str = Field(alias="nom")
    acronym: str | None = Field(None, alias="sigle")
    renames: list[Rename] = Field(default_factory=list, alias="renommee")
    statuses: list[StatusChange] = Field(default_factory=list, alias="statuts")
    # Its successive presidents, like a post's holders: who co-signs for it on a date.
    presidents: list[President] = Field(default_factory=list, alias="presidents")

    @model_validator(mode="after")
    def _history_in_order(self) -> Association:
        for field, dates in (
            ("renommee", [r.on for r in self.renames]),
            ("statuts", [s.since for s in self.statuses]),
            ("presidents", [p.since for p in self.presidents]),
        ):
            for index in range(1, len(dates)):
                if dates[index] <= dates[index - 1]:
                    raise invalid(
                        f"« {field} » n'est pas dans l'ordre des dates ({dates[index]} après "
                        f"{dates[index - 1]}) : rangez-les du plus ancien au plus récent",
                        field,
                        index,
                    )
        return self


class Members(Model):
    alphabetical_since: date | None = Field(None, alias="ordre_alphabetique_depuis")
    coordinator: str | None = Field(None, alias="coordination")
    associations: dict[str, Association] = Field(min_length=1)

    @model_validator(mode="after")
    def _coordinator_is_member(self) -> Members:
        if self.coordinator is not None and self.coordinator not in self.associations:
            raise invalid(
                f"l'association coordinatrice « {self.coordinator} » n'est pas dans la liste"
                f"{nearest(self.coordinator, self.associations)}",
                "coordination",
            )
        return self


M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "champ obligatoire manquant : ajoutez « {field}: … »",
    "string_type": "« {field} » doit être un texte",
    "bool_type": "« {field} » doit valoir oui ou non (true/false)",
    "bool_parsing": "« {field} » doit valoir oui ou non (true/false)",
    "list_type": "« {field} » doit être une liste (lignes commençant par « - »)",
    "dict_type": "« {field} » doit être une table d'entrées « clé: valeur »",
    "model_type": "« {field} » doit être une table d'entrées « clé: valeur »",
    "model_attributes_type": "« {field} » doit être une table d'entrées « clé: valeur »",
    "date_type": "« {field} » doit être une date AAAA-MM-JJ",
    "date_parsing": "« {field} » doit être une date AAAA-MM-JJ",
    "date_from_datetime_parsing": "« {field} » doit être une date AAAA-MM-JJ",
    "date_from_datetime_inexact": "« {field} » doit être une date AAAA-MM-JJ, sans heure",
    "too_short": "« {field} » ne peut pas être vide",
    "int_type": "« {field} » doit être un nombre entier",
    "int_parsing": "« {field} » doit être un nombre entier",
    "int_from_float": "« {field} » doit être un nombre entier",
    "float_type": "« {field} » doit être un nombre (en millimètres)",
    "float_parsing": "« {field} » doit être un nombre (en millimètres)",
}


def _problem(error: Any, path: Path, raw: Any) -> Problem:
    loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
    ctx = error.get("ctx") or {}
    field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "valeur")
    if error["type"] == "lettres":
        loc = loc + tuple(ctx.get("where", ()))
        message = error["msg"]
    elif error["type"] == "literal_error":
        value = excerpt(error["input"])
        expected = french_choices(str(ctx["expected"]))
        message = f"« {field} » vaut « {value} » ; valeurs possibles : {expected}"
    else:
        template = _MESSAGES.get(error["type"], "« {field} » : {msg}")
        message = template.format(field=field, msg=error["msg"])
    return Problem(path, line_of(raw, loc), message)


def french_choices(expected: str) -> str:
    """pydantic writes "'Monsieur' or 'Madame'"; in French: « Monsieur » ou « Madame »."""
    choices = re.split(r", | or ", expected)
    quoted = [f"« {choice.strip().strip(chr(39))} »" for choice in choices if choice.strip()]
    return ", ".join(quoted[:-1]) + " ou " + quoted[-1] if len(quoted) > 1 else "".join(quoted)


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        "[" in part or part in {"str", "list[str]", "Gendered", "date", "int", "none"}
    )


def validate(model: type[M], raw: Any, path: Path) -> M:
    """Build `model` from raw YAML or raise a DataError naming each problem's file and line."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems = sorted(
            {str(p): p for p in (_problem(e, path, raw) for e in error.errors())}.values(),
            key=lambda p: p.line or 0,
        )
        raise DataError(problems) from None
