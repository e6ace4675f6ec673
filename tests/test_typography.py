"""French typography (reference §3 and §4): one table per rule, then the properties."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lettres.errors import Problem
from lettres.typography import NB_HYPHEN, NBSP, NNBSP, date_line, french_date, lint, typographize

# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2015, 4, 21), "21\u00a0avril\u00a02015"),
        (date(2018, 2, 1), "1er\u00a0février\u00a02018"),
        (date(2018, 2, 2), "2\u00a0février\u00a02018"),
        (date(2016, 8, 9), "9\u00a0août\u00a02016"),
        (date(2020, 12, 31), "31\u00a0décembre\u00a02020"),
        (date(2021, 1, 1), "1er\u00a0janvier\u00a02021"),
    ],
)
def test_french_date(day: date, expected: str) -> None:
    assert french_date(day) == expected


def test_date_line_has_no_weekday_and_no_full_stop() -> None:
    assert date_line("Paris", date(2015, 4, 21)) == "Paris, le 21\u00a0avril\u00a02015"
    assert date_line("Lyon", date(2018, 2, 1)) == "Lyon, le 1er\u00a0février\u00a02018"


def test_the_space_constants() -> None:
    assert (NBSP, NNBSP) == ("\u00a0", "\u202f")


# ----------------------------------------------------------------------------- rules


def check(source: str, expected: str) -> None:
    assert typographize(source) == expected
    assert typographize(expected) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Quoi ?", "Quoi\u202f?"),
        ("Quoi?", "Quoi\u202f?"),
        ("Vraiment !", "Vraiment\u202f!"),
        ("un ; deux", "un\u202f; deux"),
        ("un;deux", "un\u202f;deux"),
        ("Quoi\u00a0?", "Quoi\u202f?"),  # wrong kind of no-break space
        ("Quoi\u202f?", "Quoi\u202f?"),  # already right
        ("Quoi   ?", "Quoi\u202f?"),
        ("Quoi\t?", "Quoi\u202f?"),
        ("Quoi ?!", "Quoi\u202f?!"),  # no space between two marks
        ("Quoi?!", "Quoi\u202f?!"),
        ("Eh bien…?", "Eh bien…?"),
        ("Eh bien… ?", "Eh bien…\u202f?"),  # a typed space is kept, unbreakable
        ("Tiens... !", "Tiens...\u202f!"),
        ("(?)", "(?)"),
        ("? au début", "? au début"),  # nothing added at the start of the text
        ("ligne\n? suite", "ligne\n? suite"),  # nor of a line
        ("ligne\n  ? suite", "ligne\n  ? suite"),  # nor inside the indentation
        ("fin ?\nsuite ;", "fin\u202f?\nsuite\u202f;"),
        ("« Vraiment » ?", "«\u00a0Vraiment\u00a0»\u202f?"),
        ("(sic) !", "(sic)\u202f!"),
    ],
)
def test_narrow_space_before_semicolon_exclamation_question(source: str, expected: str) -> None:
    check(source, expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Objet : rencontre", "Objet\u00a0: rencontre"),
        ("Objet: rencontre", "Objet\u00a0: rencontre"),
        ("Objet\u202f: rencontre", "Objet\u00a0: rencontre"),
        ("Objet\u00a0: rencontre", "Objet\u00a0: rencontre"),
        ("Objet  :", "Objet\u00a0:"),
        ("**Objet :** rencontre", "**Objet\u00a0:** rencontre"),
        ("Quoi ?:", "Quoi\u202f?:"),
        (": en tête", ": en tête"),
        ("le ratio 3:2", "le ratio 3:2"),  # colon between two digits
        ("de 9 : 30", "de 9\u00a0: 30"),  # not between two digits
    ],
)
def test_no_break_space_before_colon(source: str, expected: str) -> None:
    check(source, expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("« bonjour »", "«\u00a0bonjour\u00a0»"),
        ("«bonjour»", "«\u00a0bonjour\u00a0»"),
        ("«  bonjour  »", "«\u00a0bonjour\u00a0»"),
        ("«\u202fbonjour\u202f»", "«\u00a0bonjour\u00a0»"),
        ("«\u00a0bonjour\u00a0»", "«\u00a0bonjour\u00a0»"),
        ('Il dit "bonjour".', "Il dit «\u00a0bonjour\u00a0»."),
        ('"un" et "deux"', "«\u00a0un\u00a0» et «\u00a0deux\u00a0»"),
        (
            'le Collectif "Ensemble contre la traite"',
            "le Collectif «\u00a0Ensemble contre la traite\u00a0»",
        ),
        ('("entre parenthèses")', "(«\u00a0entre parenthèses\u00a0»)"),
        ('"Vraiment ?"', "«\u00a0Vraiment\u202f?\u00a0»"),
        ('un écran de 15" seulement', 'un écran de 15" seulement'),  # unpaired: kept
        ('un écran de 15" et "bonjour"', 'un écran de 15" et «\u00a0bonjour\u00a0»'),
        ('"ouvert sans fin', '"ouvert sans fin'),
        ('"un\ndeux"', "«\u00a0un\ndeux\u00a0»"),  # a paragraph wrapped over two lines
        ('"un\n\ndeux"', '"un\n\ndeux"'),  # never across paragraphs
        ("«\nbonjour\n»", "«\nbonjour\n»"),  # line breaks stay as they are
    ],
)
def test_guillemets(source: str, expected: str) -> None:
    check(source, expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("un , deux", "un, deux"),
        ("fin .", "fin."),
        ("fin\u00a0.", "fin."),
        ("et puis …", "et puis…"),
        ("et puis ...", "et puis..."),
        ("( voir ci-dessous )", "(voir ci-dessous)"),
        ("(\u00a0voir)", "(voir)"),
        ("(voir)", "(voir)"),
        ("liste\n  . point", "liste\n  . point"),  # indentation is Markdown's business
        ("ouverte (\nsuite", "ouverte (\nsuite"),  # newline kept
        ("[…] et", "[…] et"),
    ],
)
def test_no_space_before_comma_full_stop_ellipsis_and_around_parentheses(
    source: str, expected: str
) -> None:
    check(source, expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("n° 12", "n°\u00a012"),
        ("n°12", "n°\u00a012"),
        ("N° 3", "N°\u00a03"),
        ("n°\u202f3", "n°\u00a03"),
        ("n°\u00a03", "n°\u00a03"),
        ("nº 7", "nº\u00a07"),
        ("18 000 €", "18\u202f000\u00a0€"),
        ("50€", "50\u00a0€"),
        ("8,5 %", "8,5\u00a0%"),
        ("8,5%", "8,5\u00a0%"),
        ("3 ‰", "3\u00a0‰"),
        ("100 $", "100\u00a0$"),
        ("20£", "20\u00a0£"),
        ("les € et les %", "les € et les %"),  # no number, no change
    ],
)
def test_numero_and_units(source: str, expected: str) -> None:
    check(source, expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Voir https://exemple.fr/a?b=1:2&c=d!e", "Voir https://exemple.fr/a?b=1:2&c=d!e"),
        ("Voir https://exemple.fr/a?b=1 ?", "Voir https://exemple.fr/a?b=1\u202f?"),
        ("Voir https://exemple.fr/page.", "Voir https://exemple.fr/page."),
        ("Voir https://exemple.fr/page ; puis", "Voir https://exemple.fr/page\u202f; puis"),
        ("(https://exemple.fr/a_(b))", "(https://exemple.fr/a_(b))"),
        ("sur www.exemple.fr;", "sur www.exemple.fr\u202f;"),
        ("http://exemple.fr:8080/x", "http://exemple.fr:8080/x"),
        ("[site](https://exemple.fr/?q=1)", "[site](https://exemple.fr/?q=1)"),
        ('[site](/rapport "Le rapport")', '[site](/rapport "Le rapport")'),
        ("[rapport]: https://exemple.fr/r", "[rapport]: https://exemple.fr/r"),
        ("écrire à contact@exemple.fr ; merci", "écrire à contact@exemple.fr\u202f; merci"),
        ("mailto:contact@exemple.fr", "mailto:contact@exemple.fr"),
        ("à 18h00 ; puis", "à 18h00\u202f; puis"),
        ("à 18h", "à 18h"),
        ("à 9:30", "à 9:30"),
        ("de 9:30 à 12:00 : réunion", "de 9:30 à 12:00\u00a0: réunion"),
        ("lancer `lettres check ; echo ok` puis", "lancer `lettres check ; echo ok` puis"),
        ('le code `"a" : 1`', 'le code `"a" : 1`'),
        ("```\nx = f( a ) ; y ?\n```", "```\nx = f( a ) ; y ?\n```"),
    ],
)
def test_protected_spans_are_left_alone(source: str, expected: str) -> None:
    check(source, expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("l'État", "l’État"),
        ("aujourd'hui : oui", "aujourd’hui\u00a0: oui"),
        ("`l'État` et l'État", "`l'État` et l’État"),
        ("https://exemple.fr/l'etat", "https://exemple.fr/l'etat"),
    ],
)
def test_curly_apostrophes_on_request(source: str, expected: str) -> None:
    assert typographize(source, curly_apostrophes=True) == expected


def test_apostrophes_are_kept_by_default() -> None:
    assert typographize("l'État") == "l'État"


def test_markdown_lines_are_neither_joined_nor_split() -> None:
    body = "Madame la Ministre,\n\nNous souhaitons :\n\n- vous rencontrer ;\n- agir !\r\nMerci.\n"
    expected = (
        "Madame la Ministre,\n\nNous souhaitons\u00a0:\n\n"
        "- vous rencontrer\u202f;\n- agir\u202f!\r\nMerci.\n"
    )
    check(body, expected)


# ----------------------------------------------------------------------------- lint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 2ème rapport", [(1, "« 2ème » s'écrit « 2e »")]),
        ("le 3eme rapport", [(1, "« 3eme » s'écrit « 3e »")]),
        ("le 4ième rapport", [(1, "« 4ième » s'écrit « 4e »")]),
        ("les 2èmes rapports", [(1, "« 2èmes » s'écrit « 2es »")]),
        ("la 1ère fois", [(1, "« 1ère » s'écrit « 1re »")]),
        ("la 1ere fois", [(1, "« 1ere » s'écrit « 1re »")]),
        ("les 1ères fois", [(1, "« 1ères » s'écrit « 1res »")]),
        ("le 1ème", [(1, "« 1ème » s'écrit « 1er » ou « 1re »")]),
        ("le 2nd", [(1, "« 2nd » s'écrit « 2e » (ou « 2d » pour « second »)")]),
        ("la 2nde", [(1, "« 2nde » s'écrit « 2e » (ou « 2de » pour « seconde »)")]),
        ("le XIXème siècle", [(1, "« XIXème » s'écrit « XIXe »")]),
        ("la Vème République", [(1, "« Vème » s'écrit « Ve »")]),
        ("Mr Dupont", [(1, "« Mr » s'écrit « M. » (Monsieur ; « Mr » est anglais)")]),
        ("Mr. Dupont", [(1, "« Mr. » s'écrit « M. » (Monsieur ; « Mr » est anglais)")]),
        (
            "le 1er, la 1re, les 1ers, les 1res, le 2e, les 2es, le XXIe siècle, M. Dupont, MM. X",
            [],
        ),
        ("Mrs, Mrabet, la Cère, le 2 ème", []),
        (
            "le 1 février",
            [(1, "« 1 février » s'écrit « 1er février » (le premier jour du mois)")],
        ),
        ("le 1er février, le 11 mars, le 21 mai, 1 million", []),
        ("le Premier Ministre", [(1, "« Premier Ministre » s'écrit « Premier ministre »")]),
        ("la Première Ministre", [(1, "« Première Ministre » s'écrit « Première ministre »")]),
        (
            "écrire au Ministère de l'Intérieur",
            [
                (
                    1,
                    "« au Ministère » s'écrit « au ministère » dans le texte (la majuscule "
                    "ne va qu'à l'appellation : « Monsieur le Ministre »)",
                )
            ],
        ),
        (
            "Le Ministre l'a dit à votre Préfecture",
            [
                (
                    1,
                    "« Le Ministre » s'écrit « Le ministre » dans le texte (la majuscule ne "
                    "va qu'à l'appellation : « Monsieur le Ministre »)",
                ),
                (
                    1,
                    "« votre Préfecture » s'écrit « votre préfecture » dans le texte (la "
                    "majuscule ne va qu'à l'appellation : « Monsieur le Ministre »)",
                ),
            ],
        ),
        (
            "Monsieur le Ministre, Madame la Préfète, le Premier ministre, Ministère de la Justice, "
            "le ministère de l'Intérieur, la Garde des Sceaux",
            [],
        ),
        ("voir https://exemple.fr/2eme-rapport et `Mr`", []),
        (
            "Mr X\nle 2ème\n\net la 1ère",
            [
                (1, "« Mr » s'écrit « M. » (Monsieur ; « Mr » est anglais)"),
                (2, "« 2ème » s'écrit « 2e »"),
                (4, "« 1ère » s'écrit « 1re »"),
            ],
        ),
    ],
)
def test_lint_names_the_right_form(text: str, expected: list[tuple[int, str]]) -> None:
    path = Path("lettre.md")
    assert lint(text, 1, path) == [Problem(path, line, message) for line, message in expected]


def test_lint_does_not_rewrite() -> None:
    assert typographize("le 2ème rapport de Mr Dupont") == "le 2ème rapport de Mr Dupont"


# ----------------------------------------------------------------------------- properties

PUNCTUATION = ';:!?,.…()«»"'
SPACES = " \u00a0\u202f\t"
mixed_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(PUNCTUATION + SPACES + "\n"),
        st.characters(codec="utf-8"),
    )
)
# Mostly the characters the rules look at, with the pieces the protected spans are made of.
PIECES = [
    *PUNCTUATION,
    *SPACES,
    "\n",
    "\r\n",
    "a",
    "é",
    "1",
    "n°",
    "€",
    "%",
    "'",
    "`",
    "http://",
    "www.",
    "/",
    "@",
    "18h00",
    "9:30",
    "a@b.fr",
    "```",
    "](",
    "septembre",
    "2014",
    "000",
    "h",
    "°C",
    "km",
    "Monsieur",
    "Dupont",
    "article",
    "-",
    "&amp;",
    "host:8080",
    "x.fr/?p=1",
    "std::",
    "<",
    ">",
]
rule_text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def skeleton(text: str) -> str:
    return "".join(c for c in text.replace(NB_HYPHEN, "-") if not c.isspace() and c not in '"«»')


def line_breaks(text: str) -> list[str]:
    return [
        line[len(line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")) :]
        for line in text.splitlines(True)
    ]


@settings(max_examples=300)
@given(mixed_text)
def test_idempotent_on_any_text(text: str) -> None:
    once = typographize(text)
    assert typographize(once) == once


@settings(max_examples=300)
@given(rule_text)
def test_idempotent_on_text_made_of_rule_characters(text: str) -> None:
    once = typographize(text)
    assert typographize(once) == once


@settings(max_examples=300)
@given(rule_text)
def test_idempotent_with_curly_apostrophes(text: str) -> None:
    once = typographize(text, curly_apostrophes=True)
    assert typographize(once, curly_apostrophes=True) == once


@settings(max_examples=300)
@given(st.one_of(mixed_text, rule_text))
def test_changes_nothing_but_spaces_and_quotes(text: str) -> None:
    assert skeleton(typographize(text)) == skeleton(text)


@settings(max_examples=300)
@given(st.one_of(mixed_text, rule_text))
def test_line_breaks_are_preserved(text: str) -> None:
    assert line_breaks(typographize(text)) == line_breaks(text)


# ----------------------------------------------------------------------------- units kept whole

NNB = "\u202f"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("le 23 septembre 2014.", f"le 23{NBSP}septembre{NBSP}2014."),
        ("le 1er février 2018", f"le 1er{NBSP}février{NBSP}2018"),
        ("le 23 septembre", f"le 23{NBSP}septembre"),
        ("en septembre 2014", f"en septembre{NBSP}2014"),
        ("à 18 h 30 ;", f"à 18{NBSP}h{NBSP}30{NNB};"),
        ("à 18 h.", f"à 18{NBSP}h."),
        ("30 °C", f"30{NBSP}°C"),
        ("12 km et 5 m.", f"12{NBSP}km et 5{NBSP}m."),
        ("2 millions d'euros, 300 euros", f"2{NBSP}millions d'euros, 300{NBSP}euros"),
        ("18 000 €", f"18{NNB}000{NBSP}€"),
        ("1 250 000 personnes", f"1{NNB}250{NNB}000 personnes"),
        ("n° 12", f"n°{NBSP}12"),
        ("Monsieur Cazeneuve", f"Monsieur{NBSP}Cazeneuve"),
        ("M. Dupont et Mme Durand", f"M.{NBSP}Dupont et Mme{NBSP}Durand"),
        ("l'article 225-4-1 du code", f"l'article{NBSP}225{NB_HYPHEN}4{NB_HYPHEN}1 du code"),
        ("art. L. 121-1", f"art.{NBSP}L.{NBSP}121{NB_HYPHEN}1"),
        # left as they are
        ("06 71 00 69 90", "06 71 00 69 90"),
        ("en 2014 250 personnes", "en 2014 250 personnes"),
        ("Madame la Ministre", "Madame la Ministre"),
        ("les pages 12-14", "les pages 12-14"),
        ("8 heures", "8 heures"),
        ("https://exemple.fr/23 septembre", "https://exemple.fr/23 septembre"),
    ],
)
def test_units_that_must_not_break_are_glued(source: str, expected: str) -> None:
    check(source, expected)


# ----------------------------------------------------------------------------- what not to touch


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("voir contrelatraite.org/?p=12 !", f"voir contrelatraite.org/?p=12{NNB}!"),
        ("sur www.contrelatraite.org/?p=12", "sur www.contrelatraite.org/?p=12"),
        ("exemple.fr/a;b", "exemple.fr/a;b"),
        ("Tom &amp; Jerry", "Tom &amp; Jerry"),
        ("&#8217; et &#x2019;", "&#8217; et &#x2019;"),
        ("le serveur host:8080", "le serveur host:8080"),
        ("std::vector", "std::vector"),
        ("urn:isbn:123", "urn:isbn:123"),
        ("C:\\Users\\moi", "C:\\Users\\moi"),
        ("le fichier /etc/hosts;", f"le fichier /etc/hosts{NNB};"),
        ("[le site](<https://exemple.fr/a b?c=1>)", "[le site](<https://exemple.fr/a b?c=1>)"),
        ("écrire à <contact@exemple.fr> ; merci", f"écrire à <contact@exemple.fr>{NNB}; merci"),
        ("<https://exemple.fr/?q=1>", "<https://exemple.fr/?q=1>"),
        ("`18 000 €`", "`18 000 €`"),
        ("Note: voir", f"Note{NBSP}: voir"),
    ],
)
def test_code_like_text_is_left_alone(source: str, expected: str) -> None:
    check(source, expected)


PROTECTED_SAMPLES = st.one_of(
    st.builds(
        "{}{}.{}/{}".format,
        st.sampled_from(["", "https://", "http://", "www."]),
        st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True),
        st.sampled_from(["fr", "org", "com", "gouv.fr"]),
        st.from_regex(r"[a-z0-9?=&:;!%#/._-]{0,12}[a-z0-9/]", fullmatch=True),
    ),
    st.from_regex(r"[a-z][a-z0-9._-]{0,10}[a-z]@[a-z]{1,8}\.(fr|org)", fullmatch=True),
    st.sampled_from(["&amp;", "&nbsp;", "&#8217;", "&#x2019;", "&lt;"]),
    st.from_regex(r"[0-2]?[0-9]:[0-5][0-9]", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}:[0-9]{2,5}", fullmatch=True),
    st.sampled_from(["std::vector", "std::", "urn:isbn:2-07", "C:\\Users\\moi"]),
    st.from_regex(r"/[a-z]{1,6}(/[a-z0-9._-]{1,6}){0,3}", fullmatch=True),
    st.from_regex(r"`[^`\n]{1,15}`", fullmatch=True),
    st.from_regex(r"\[[a-z ]{1,8}\]\(<[a-z:/. ?=!;]{1,15}>\)", fullmatch=True),
)
PROSE = st.sampled_from(
    [" ", " ; ", " : ", " ! ", " ? ", ", ", ". ", " « ", " » ", ' "', '" ', " (", ") ", "\n",
     " 23 septembre 2014 ", " 18 000 € ", " Monsieur Cazeneuve ", " article 225-4-1 ",
     " voir ", " n° 3 ", " 18 h 30 "]
)  # fmt: skip


@settings(max_examples=300)
@given(st.lists(st.tuples(PROSE, PROTECTED_SAMPLES), min_size=1, max_size=6), PROSE, st.booleans())
def test_protected_spans_are_never_altered_and_the_rules_are_idempotent(
    pieces: list[tuple[str, str]], last: str, curly: bool
) -> None:
    text = "".join(prose + span for prose, span in pieces) + last
    once = typographize(text, curly_apostrophes=curly)
    assert typographize(once, curly_apostrophes=curly) == once
    position = 0
    for _, span in pieces:
        found = once.find(span, position)
        assert found >= 0, f"{span!r} altéré dans {once!r}"
        position = found + len(span)
