"""French typography for every text written into a letter (reference §3 and §4).

The rules only ever touch spaces, straight double quotes and (in article references) the
hyphen, so they can run on text a person typed without changing what it says; and they leave
alone whatever a rule would break: URLs and domain names, e-mail addresses, HTML entities,
times, ports, paths, code.

They also glue what a line must never split (« 23 septembre 2014 », « 18 h 30 », « 18 000 € »,
« Monsieur Cazeneuve », « article 225-4-1 ») with no-break spaces, here in the final text, so
that both writers keep them whole.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from lettres.errors import Problem

NBSP = "\u00a0"
NNBSP = "\u202f"
NB_HYPHEN = "\u2011"  # drawn by Libertinus Serif; the PDF layout prints it as a boxed "-"

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_date(d: date) -> str:
    """The date as a letter writes it; no-break spaces keep it on one line."""
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day}{NBSP}{_MONTHS[d.month - 1]}{NBSP}{d.year}"


def date_line(place: str, d: date) -> str:
    """The line above the objet; French usage puts no full stop after it."""
    return f"{place}, le {french_date(d)}"


# ----------------------------------------------------------------------------- protected spans

Span = tuple[int, int]

# Line breaks as str.splitlines() knows them: the rules never touch them.
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Horizontal white space: any white space but a line break. Spelt with lookaheads, not as the
# set [^\S and the breaks]: a set holding characters beyond U+00FF takes Python about a
# millisecond to compile, and the patterns below and those keep_whole makes for each name use
# it (tests/test_speed_identity.py tries every character of Unicode).
_H = "(?:(?=\\s)(?!\u2028)(?!\u2029)[^\n\r\x0b\x0c\x1c\x1d\x1e\x85])"

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"«»`]*", re.IGNORECASE)
# A domain name without a scheme (contrelatraite.org/?p=12): labels and a top-level domain of
# letters, then whatever path, query or port follows without a space.
_DOMAIN = re.compile(
    r"(?<![\w.@/-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?![\w@-])"
    r"(?:[/?#:][^\s<>\"«»`]*)?",
    re.IGNORECASE,
)
_URL_TRAILER = ".,;:!?'’…"
# e-mail; tried only at the start of a word, without backtracking (long texts)
_EMAIL = re.compile(r"(?:mailto:)?(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_PROTECTED = (
    re.compile(r"(?ms)^[ \t]*(`{3,}|~{3,}).*?(?:^[ \t]*\1|\Z)"),  # fenced code block
    re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)"),  # inline code
    re.compile(r"(?<=\])\([^()\s]*(?:[ \t]+\"[^\"\n]*\")?\)"),  # Markdown link target
    re.compile(r"(?<=\])\(<[^<>\n]*>(?:[ \t]+\"[^\"\n]*\")?\)"),  # link target in <…>
    re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>"),  # autolink <https://…>
    re.compile(r"<[^\s<>@]+@[^\s<>@]+>"),  # autolink <nom@exemple.fr>
    re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"),  # entity
    re.compile(r"(?<![\w/.~])(?:~|\.{1,2})?(?:/[\w.~%+-]+)+/?(?=[\s,;:!?)»]|$)"),  # /un/chemin
    re.compile(r"(?<!\w)[A-Za-z]:\\[^\s]*"),  # C:\Windows\chemin
    re.compile(r"(?m)^ {0,3}\[[^\]\n]+\]:"),  # Markdown link reference definition
    _EMAIL,
    re.compile(r"(?<!\w)\d{1,2}h(?:\d{2})?(?!\w)"),  # 18h, 18h00
    re.compile(r"(?<!\w)\d{1,2}:\d{2}(?!\w)"),  # 9:30
    re.compile(r"(?<=\d):(?=\d)"),  # any colon between two digits
    # A colon tight between two words is code, a port or a scheme (host:8080, std::vector,
    # urn:isbn): prose puts a space after it.
    re.compile(r"(?<=[\w:]):(?=[\w:/\\])"),
)


def _url_end(url: str) -> int:
    """Trailing punctuation ends the sentence, not the URL; a closing parenthesis
    belongs to the URL only when the URL opened one."""
    end = len(url)
    while end:
        last = url[end - 1]
        unbalanced = last == ")" and url.count(")", 0, end) > url.count("(", 0, end)
        if last not in _URL_TRAILER and not unbalanced:
            break
        end -= 1
    return end


# Texts up to this length are cached (a long letter's body); each cache keeps this many.
# A batch repeats a few dozen texts in every letter: its letterhead, members, copies, body.
CACHED_LENGTH = 20_000
CACHED_TEXTS = 256


def protected_spans(text: str) -> tuple[Span, ...]:
    """Where no rule may write; the same final lines of a batch are glued, and its common
    body linted, in every letter."""
    if len(text) > CACHED_LENGTH:
        return _protected_spans(text)
    return cached_spans(text)


def _protected_spans(text: str) -> tuple[Span, ...]:
    spans = _web_spans(text)
    for pattern in _PROTECTED:
        spans.extend(m.span() for m in pattern.finditer(text))
    return tuple(spans)


cached_spans = functools.lru_cache(maxsize=CACHED_TEXTS)(_protected_spans)


def _web_spans(text: str) -> list[Span]:
    spans = [
        (m.start(), m.start() + _url_end(m.group()))
        for pattern in (_URL, _DOMAIN)
        for m in pattern.finditer(text)
    ]
    return spans + [m.span() for m in _EMAIL.finditer(text)]


_GLUED = re.compile(f"\\S+(?:{NBSP}\\S+)+")


def whole_pieces(text: str) -> Iterator[tuple[str, bool]]:
    """The text cut into pieces, each marked True when no writer may hyphenate it: a URL, a
    domain, an address, or words the rules glued with no-break spaces (« 23 septembre 2014 »)."""
    spans = _web_spans(text) + [m.span() for m in _GLUED.finditer(text)]
    position = 0
    for start, end in sorted(spans):
        if end <= position:
            continue
        start = max(start, position)
        if start > position:
            yield text[position:start], False
        yield text[start:end], True
        position = end
    if position < len(text):
        yield text[position:], False


def _overlaps(start: int, end: int, spans: Sequence[Span]) -> bool:
    # An insertion point (start == end) on the edge of a span is outside it.
    if start == end:
        return any(a < start < b for a, b in spans)
    return any(a < end and start < b for a, b in spans)


def _apply(text: str, pattern: re.Pattern[str], rewrite: Callable[[re.Match[str]], str]) -> str:
    """Substitute outside the protected spans only, computed afresh for this text.

    The spans cost more than the rules: they are found only once a rule matches.
    """
    spans: Sequence[Span] | None = None

    def replace(match: re.Match[str]) -> str:
        nonlocal spans
        if spans is None:
            spans = protected_spans(text)
        if _overlaps(match.start(), match.end(), spans):
            return match.group()
        return rewrite(match)

    return pattern.sub(replace, text)


# ----------------------------------------------------------------------------- quotes

_QUOTE = re.compile('"')
_PARAGRAPH_BREAK = re.compile(f"(?:\r\n|[{_BREAKS}]){_H}*(?:\r\n|[{_BREAKS}])")
_OPENS_AFTER = "([{«'’—–-/"


def _can_open(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in _OPENS_AFTER) and not after.isspace()


def _can_close(text: str, i: int) -> bool:
    return i > 0 and not text[i - 1].isspace()


def _quote_pairs(text: str) -> Iterator[Span]:
    """Pair straight quotes by direction within a paragraph, so that a stray inch mark
    or a quote left open does not turn every later pair inside out."""
    spans = protected_spans(text)
    opening: int | None = None
    for match in _QUOTE.finditer(text):
        i = match.start()
        if _overlaps(i, i + 1, spans):
            continue
        if opening is not None and _PARAGRAPH_BREAK.search(text, opening, i):
            opening = None
        if opening is not None and _can_close(text, i):
            yield opening, i
            opening = None
        elif _can_open(text, i):
            opening = i


def _guillemets(text: str) -> str:
    chars = list(text)
    for opening, closing in _quote_pairs(text):
        chars[opening], chars[closing] = "«", "»"
    return "".join(chars)


# ----------------------------------------------------------------------------- spacing rules

# After these marks a high punctuation mark gets no space of its own ("?!", "…?"); one the
# author typed is kept, as a no-break space of the right kind so that no line starts with "?".
_NO_SPACE_AFTER = ";:!?.…,(["

_SPACE_BEFORE_LOW = re.compile(f"(?<=\\S){_H}+(?=[,.…)])")
_SPACE_AFTER_PARENTHESIS = re.compile(f"\\({_H}+(?=\\S)")
_AFTER_OPENING_GUILLEMET = re.compile(f"«{_H}*(?=\\S)")
_BEFORE_CLOSING_GUILLEMET = re.compile(f"(?<=\\S){_H}*»")
_BEFORE_HIGH = re.compile(f"(?<=(\\S))({_H}*)([;:!?])")
_NUMERO = re.compile(f"\\b([nN][°º]){_H}*(?=\\d)")  # º: the ordinal indicator
_BEFORE_UNIT = re.compile(f"(?<=\\d){_H}*(?=[€%‰$£])")
_APOSTROPHE = re.compile("'")

# ----------------------------------------------------------------------------- units kept whole

_MONTH = "(?:" + "|".join(_MONTHS) + ")"
_DAY_MONTH = re.compile(f"(?<![\\w,.])(?:1er|[0-3]?\\d){_H}+(?={_MONTH}(?!\\w))")
_MONTH_YEAR = re.compile(f"(?<!\\w)({_MONTH}){_H}+(?=\\d{{4}}(?!\\d))")
# Units written after a number with a space: « 30 °C », « 12 km », « 18 h 30 », « 2 millions ».
_UNITS = (
    "h|min|°C|°F|°|km|m|cm|mm|km²|m²|m³|kg|mg|ha|kWh|MW|Mo|Go|ko|Ko|To|euros?|millions?|milliards?"
)
_NUMBER_UNIT = re.compile(f"(?<=\\d){_H}+(?=(?:{_UNITS})(?![\\w²³]))")
_HOUR_MINUTES = re.compile(f"(?<=\\d[ \t{NBSP}{NNBSP}]h){_H}+(?=\\d\\d(?!\\d))")
# Groups of three digits: « 18 000 », « 1 250 000 » (a narrow no-break space, as in print).
_THOUSANDS = re.compile(f"(?<![\\d,.])\\d{{1,3}}(?:{_H}\\d{{3}})+(?![\\d,]\\d)")
_THOUSANDS_GAP = re.compile(_H)
_CIVILITY = re.compile(
    f"(?<![\\w.])(Monsieur|Madame|Mademoiselle|Messieurs|Mesdames|MM\\.|M\\.|Mmes|Mme|Mlle|Me|Dr|Pr)"
    f"{_H}+(?=[A-ZÀ-ÖØ-Þ])"
)
# « article 225-4-1 », « art. L. 121-1 »: the number stays with its word, and its hyphens
# do not break (no-break hyphens).
_ARTICLE = re.compile(
    f"(?<!\\w)([Aa]rticles?|[Aa]rt\\.){_H}+(?:([LRD]\\.?){_H}*)?(\\d+(?:[-{NB_HYPHEN}]\\d+)*)"
    f"(?![-{NB_HYPHEN}]?\\w)"
)


def _article(match: re.Match[str]) -> str:
    word, code, number = match.group(1, 2, 3)
    return word + NBSP + (code + NBSP if code else "") + number.replace("-", NB_HYPHEN)


def _high_mark(match: re.Match[str]) -> str:
    previous, spaces, mark = match.group(1, 2, 3)
    if previous in _NO_SPACE_AFTER and not spaces:
        return match.group()
    return (NBSP if mark == ":" else NNBSP) + mark


Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

# Spaces are removed before quotes are paired, so that the pairing sees the final neighbours.
_REMOVALS: tuple[Rule, ...] = (
    (_SPACE_BEFORE_LOW, lambda m: ""),
    (_SPACE_AFTER_PARENTHESIS, lambda m: "("),
)
_INSERTIONS: tuple[Rule, ...] = (
    (_AFTER_OPENING_GUILLEMET, lambda m: "«" + NBSP),
    (_BEFORE_CLOSING_GUILLEMET, lambda m: NBSP + "»"),
    (_BEFORE_HIGH, _high_mark),
    (_NUMERO, lambda m: m.group(1) + NBSP),
    (_BEFORE_UNIT, lambda m: NBSP),
    (_DAY_MONTH, lambda m: m.group().rstrip(" \t" + NBSP + NNBSP) + NBSP),
    (_MONTH_YEAR, lambda m: m.group(1) + NBSP),
    (_NUMBER_UNIT, lambda m: NBSP),
    (_HOUR_MINUTES, lambda m: NBSP),
    (_THOUSANDS, lambda m: _THOUSANDS_GAP.sub(NNBSP, m.group())),
    (_CIVILITY, lambda m: m.group(1) + NBSP),
    (_ARTICLE, _article),
)


def _one_pass(text: str, curly_apostrophes: bool) -> str:
    for pattern, rewrite in _REMOVALS:
        text = _apply(text, pattern, rewrite)
    text = _guillemets(text)
    if curly_apostrophes:
        text = _apply(text, _APOSTROPHE, lambda m: "’")
    for pattern, rewrite in _INSERTIONS:
        text = _apply(text, pattern, rewrite)
    return text


# A rule can enable another one (a removed space lets a quote pair up); a few passes
# reach the fixed point, which is what makes the whole idempotent.
_MAX_PASSES = 8


def typographize(text: str, *, curly_apostrophes: bool = False) -> str:
    """French spacing and quotes; safe to run again on its own output.

    A pure function of its two arguments, cached: the letters of a batch share their
    letterhead, members, copies and most of their body."""
    if len(text) > CACHED_LENGTH:
        return _typographize(text, curly_apostrophes)
    return cached_typography(text, curly_apostrophes)


def _typographize(text: str, curly_apostrophes: bool) -> str:
    for _ in range(_MAX_PASSES):
        done = _one_pass(text, curly_apostrophes)
        if done == text:
            break
        text = done
    return text


cached_typography = functools.lru_cache(maxsize=CACHED_TEXTS)(_typographize)


def keep_whole(text: str, phrases: Iterable[str]) -> str:
    """Glue each phrase (a person's name with its civilité) wherever the text holds it."""
    for phrase in sorted(set(phrases), key=len, reverse=True):
        words = phrase.split()
        if len(words) > 1 and all(word in text for word in words):  # else it cannot match
            text = _apply(text, *phrase_rule(phrase))
    return text


@functools.lru_cache(maxsize=CACHED_TEXTS)
def phrase_rule(phrase: str) -> Rule:
    """The pattern of a phrase of several words, and its glued form.

    Cached: a batch glues the same few names in each of its lines."""
    words = phrase.split()
    glued = NBSP.join(words)
    return re.compile(f"{_H}+".join(map(re.escape, words))), lambda match: glued


# ----------------------------------------------------------------------------- warnings

_ROMAN_OR_DIGITS = r"(?<![\w])(\d+|[IVX]+)"
_ORDINAL_EME = re.compile(_ROMAN_OR_DIGITS + r"(i?[èeé]me(s?))(?!\w)")
_ORDINAL_ERE = re.compile(_ROMAN_OR_DIGITS + r"([èe]re(s?))(?!\w)")
_ORDINAL_ND = re.compile(_ROMAN_OR_DIGITS + r"(nd(e?)(s?))(?!\w)")
_MISTER = re.compile(r"(?<![\w])Mr(?!\w)\.?")


def _is_one(number: str) -> bool:
    return number in ("1", "I")


def _eme(match: re.Match[str]) -> str:
    number, plural = match.group(1), match.group(3)
    if _is_one(number):
        return f"« {number}er{plural} » ou « {number}re{plural} »"
    return f"« {number}e{plural} »"


def _ere(match: re.Match[str]) -> str:
    number, plural = match.group(1), match.group(3)
    ending = "re" if _is_one(number) else "e"
    return f"« {number}{ending}{plural} »"


def _nd(match: re.Match[str]) -> str:
    number, feminine, plural = match.group(1), match.group(3), match.group(4)
    if number == "2":
        return f"« 2e{plural} » (ou « 2d{feminine}{plural} » pour « second{feminine} »)"
    return f"« {number}e{plural} »"


_FIRST_OF_MONTH = re.compile(f"(?<![\\w,.])1({_H}+{_MONTH})(?!\\w)")
_PRIME_MINISTER = re.compile(f"(?<!\\w)(Premi(?:er|ère)s?{_H}+)Ministres?(?!\\w)")
# A title after an article or a possessive is running text: no capital (reference §1), unless
# it is an appellation (« Monsieur le Ministre »), which the rule leaves alone.
_TITLE_IN_TEXT = re.compile(
    "(?<![\\w'’])((?:[Ll]es?|[Ll]a|[Dd]u|[Dd]es|[Aa]ux?|[Ll]['’]|[Vv]otre|[Vv]os|[Nn]otre|[Nn]os"
    f"|[Ss]on|[Ss]a|[Ss]es|[Ll]eurs?|[Cc]e|[Cc]ette|[Cc]es|[Uu]ne?){_H}*)"
    "((?:Ministère|Ministre|Préfecture|Préfète|Préfet|Secrétariat|Ambassade|Ambassadeur"
    "|Ambassadrice|Direction|Directeur|Directrice|Députée?|Sénateur|Sénatrice)s?)(?!\\w)"
)
_APPELLATION_BEFORE = re.compile(f"(?:Monsieur|Madame|Messieurs|Mesdames){_H}+$")


def _title_in_text(match: re.Match[str]) -> str | None:
    before = match.string[max(0, match.start() - 12) : match.start()]
    if _APPELLATION_BEFORE.search(before):
        return None
    article, title = match.group(1, 2)
    return (
        f"« {article}{title.lower()} » dans le texte (la majuscule ne va qu'à l'appellation : "
        "« Monsieur le Ministre »)"
    )


_WARNINGS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]], ...] = (
    (_ORDINAL_EME, _eme),
    (_ORDINAL_ERE, _ere),
    (_ORDINAL_ND, _nd),
    (_MISTER, lambda m: "« M. » (Monsieur ; « Mr » est anglais)"),
    (_FIRST_OF_MONTH, lambda m: f"« 1er{m.group(1)} » (le premier jour du mois)"),
    (_PRIME_MINISTER, lambda m: f"« {m.group(1)}{m.group()[len(m.group(1)) :].lower()} »"),
    (_TITLE_IN_TEXT, _title_in_text),
)


def _findings(text: str, first_line: int) -> Iterator[tuple[int, int, str]]:
    spans = protected_spans(text)
    for pattern, right_form in _WARNINGS:
        for match in pattern.finditer(text):
            if _overlaps(match.start(), match.end(), spans):
                continue
            form = right_form(match)
            if form is not None:
                line = text.count("\n", 0, match.start()) + first_line
                yield match.start(), line, f"« {match.group()} » s'écrit {form}"


def lint(text: str, first_line: int = 1, path: Path | None = None) -> list[Problem]:
    """What the rules may not rewrite, because only the author knows the intent: warnings.

    `first_line` is the line of `path` where `text` starts (a body under its front matter).
    """
    return [
        Problem(path, line, message) for _, line, message in sorted(_findings(text, first_line))
    ]
