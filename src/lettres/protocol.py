"""Appellation and closing formula of a French formal letter (reference §1).

The protocol is a closed table: a data file names a category, never a free-form title, so
that a typo is caught on loading instead of reaching a minister's desk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

from lettres.text import fold

Gender = Literal["m", "f"]
Voice = Literal["je", "nous", "ils"]
Verb = Literal["prie", "prie-bien-vouloir", "veuillez"]
Noun = Literal["expression", "assurance"]


class Title(NamedTuple):
    """What the protocol prescribes for one function, in both genders."""

    masculine: str
    feminine: str
    degree: str


_HIGHEST = "très haute considération"
_HIGH = "haute considération"

CATEGORIES: Mapping[str, Title] = MappingProxyType(
    {
        "president-republique": Title(
            "Monsieur le Président de la République",
            "Madame la Présidente de la République",
            _HIGHEST,
        ),
        "premier-ministre": Title(
            "Monsieur le Premier ministre", "Madame la Première ministre", _HIGHEST
        ),
        "ministre": Title("Monsieur le Ministre", "Madame la Ministre", _HIGHEST),
        "secretaire-etat": Title("Monsieur le Ministre", "Madame la Ministre", _HIGHEST),
        "garde-des-sceaux": Title(
            "Monsieur le Garde des Sceaux", "Madame la Garde des Sceaux", _HIGHEST
        ),
        "prefet": Title("Monsieur le Préfet", "Madame la Préfète", _HIGH),
        "ambassadeur": Title("Monsieur l'Ambassadeur", "Madame l'Ambassadrice", _HIGH),
        "depute": Title("Monsieur le Député", "Madame la Députée", _HIGH),
        "senateur": Title("Monsieur le Sénateur", "Madame la Sénatrice", _HIGH),
        "maire": Title("Monsieur le Maire", "Madame la Maire", _HIGH),
        "president": Title("Monsieur le Président", "Madame la Présidente", _HIGH),
        "defenseur-droits": Title(
            "Monsieur le Défenseur des droits", "Madame la Défenseure des droits", _HIGH
        ),
        "defenseur-enfants": Title(
            "Monsieur le Défenseur des enfants", "Madame la Défenseure des enfants", _HIGH
        ),
        "secretaire-general": Title(
            "Monsieur le Secrétaire général", "Madame la Secrétaire générale", _HIGH
        ),
        "coordinateur": Title("Monsieur le Coordinateur", "Madame la Coordinatrice", _HIGH),
        "directeur": Title(
            "Monsieur le Directeur", "Madame la Directrice", "considération distinguée"
        ),
        "service": Title("Madame, Monsieur", "Madame, Monsieur", "salutations distinguées"),
    }
)

_LEADS: Mapping[Verb, str] = MappingProxyType(
    {
        "prie": "{subject} d'agréer",
        "prie-bien-vouloir": "{subject} de bien vouloir agréer",
        "veuillez": "Veuillez agréer",
    }
)

_SUBJECTS: Mapping[Voice, str] = MappingProxyType(
    {"je": "Je vous prie", "nous": "Nous vous prions", "ils": "{collective} vous prient"}
)

# (singular, plural) possessive of each voice.
_POSSESSIVES: Mapping[Voice, tuple[str, str]] = MappingProxyType(
    {"je": ("ma", "mes"), "nous": ("notre", "nos"), "ils": ("leur", "leurs")}
)

_NOUNS: Mapping[Noun, str] = MappingProxyType(
    {"expression": "l'expression de", "assurance": "l'assurance de"}
)


# Words whose h is aspirated: no elision before them (« le Haut-Commissaire », « la Haute
# Autorité », « le Handicap »), unlike a mute h (« l'Hôpital »). The words that open titles
# and institutions; lower case, without accents.
H_ASPIRE = frozenset(
    {
        "haut", "haute", "hauts", "hautes", "handicap", "harcelement", "hierarchie",
        "hongrois", "hongroise", "hollandais", "hollandaise", "heraut", "huit", "huitieme",
    }
)  # fmt: skip


def elides(word: str) -> bool:
    """Whether « le »/« la » becomes « l' » before `word`: a vowel or a mute h, never an
    aspirated h (« le Haut-Commissaire »)."""
    folded = fold(word)
    first = re.split(r"[\s'’-]", folded, maxsplit=1)[0]
    return folded[:1] in set("aeiouy") or (folded[:1] == "h" and first not in H_ASPIRE)


def article(title: str, gender: Gender) -> str:
    """The definite article before a title: « l' », « le » or « la », and its space."""
    if elides(title):
        return "l'"
    return "la " if gender == "f" else "le "


# Masculine words of titles whose feminine differs (Préfet, Préfète): a title in one form
# that holds one of them cannot be given to a woman. Lower case, without accents.
MASCULINE = frozenset(
    {
        "adjoint", "administrateur", "ambassadeur", "charge", "chef", "conseiller",
        "controleur", "coordinateur", "defenseur", "delegue", "depute", "directeur",
        "elu", "envoye", "general", "haut", "inspecteur", "mediateur", "national",
        "premier", "president", "prefet", "procureur", "rapporteur", "recteur",
        "senateur",
    }
)  # fmt: skip
# After these, a word belongs to a complement (« ministre auprès du Premier ministre »).
_ARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "au", "aux"})


def masculine_word(title: str) -> str | None:
    """The first word of `title` that has a distinct feminine, as written; None if none."""
    words: list[str] = re.findall(r"[^\W\d_]+", title)
    for before, word in zip(["", *words], words, strict=False):
        if fold(word) in MASCULINE and fold(before) not in _ARTICLES:
            return word
    return None


# The words that say whom an appellation addresses. Lower case, without accents.
_FOR_A_MAN = frozenset({"monsieur", "messieurs", "sir", "mr", "mister"})
_FOR_A_WOMAN = frozenset({"madame", "mesdames", "mademoiselle", "madam", "mrs", "ms", "miss"})


WHOM: Mapping[Gender, str] = MappingProxyType({"m": "un homme", "f": "une femme"})


def addressed_gender(appellation: str) -> Gender | None:
    """Whom an appellation typed by hand addresses, to hold it against the post's holder:
    None when it names both (« Madame, Monsieur ») or neither (« Dear Minister »)."""
    words = {fold(word) for word in re.findall(r"[^\W\d_]+", appellation)}
    man, woman = bool(words & _FOR_A_MAN), bool(words & _FOR_A_WOMAN)
    if man == woman:
        return None
    return "m" if man else "f"


def _title(category: str) -> Title:
    try:
        return CATEGORIES[category]
    except KeyError:
        known = ", ".join(CATEGORIES)
        raise ValueError(
            f"catégorie de destinataire inconnue « {category} » ; catégories possibles : {known}"
        ) from None


def appellation(category: str, gender: Gender) -> str:
    """The opening words, which the closing must repeat word for word."""
    title = _title(category)
    return title.feminine if gender == "f" else title.masculine


def degree(category: str) -> str:
    """How much consideration the closing expresses: it follows the rank, not the person."""
    return _title(category).degree


def _is_plural(degree: str) -> bool:
    # A French plural noun phrase ends in -s or -x ("salutations distinguées",
    # "sentiments respectueux"); none of the singular degrees in use does.
    last = degree.rstrip().rsplit(" ", 1)[-1]
    return last.endswith(("s", "x"))


def _lead(voice: Voice, verb: Verb, collective: str) -> str:
    subject = _SUBJECTS[voice].format(collective=collective)
    return _LEADS[verb].format(subject=subject)


def closing(
    appellation: str,
    degree: str,
    voice: Voice,
    verb: Verb = "prie",
    noun: Noun = "expression",
    collective: str = "Les membres du Collectif",
) -> str:
    """The closing sentence; the possessive follows the voice even after "Veuillez"."""
    singular, plural = _POSSESSIVES[voice]
    possessive = plural if _is_plural(degree) else singular
    lead = _lead(voice, verb, collective)
    return f"{lead}, {appellation}, {_NOUNS[noun]} {possessive} {degree}."
