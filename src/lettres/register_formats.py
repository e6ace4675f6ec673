"""The register written out: rows for a table, CSV, an Excel workbook, JSON, Markdown, and
the web page.

The CSV is for French Excel by default: UTF-8 with a byte-order mark (without it, Excel
reads Windows-1252 and breaks the accents) and `;` between cells (with `,`, which French
Excel takes for the decimal mark, everything lands in one column); `csv-utf8` is the plain
comma form for programs. A cell that a spreadsheet would run as a formula is neutralised.

The web page mirrors the « Courriers » section of the Collectif's advocacy page: newest
letter first, its date, objet and recipient, and a link « Télécharger la lettre » to its
PDF. Every text is escaped, since objets and names are typed by people.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Sequence, Set
from datetime import date
from pathlib import Path
from typing import Any

from lettres.errors import LettresError
from lettres.files import write_atomic, write_text_atomic
from lettres.folders import slug
from lettres.register import Entry, Link
from lettres.typography import french_date, typographize

HEADERS = ("Date", "Réf.", "Destinataire", "Objet", "Statut", "Relance")
FIELDS = (
    "date", "reference", "cle", "destinataire", "objet", "statut",
    "envoye_le", "relance", "a_relancer", "repondu_le", "dossier", "pdf",
    "relance_de", "relance_par", "signataires",
)  # fmt: skip
PAGE_NAME = "index.html"
FRAGMENT_NAME = "courriers.html"


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def follow_up_text(entry: Entry, today: date) -> str:
    if entry.follow_up is None or entry.answered_on is not None:
        return ""
    due = " (à relancer)" if entry.is_due(today) else ""
    return f"{entry.follow_up.isoformat()}{due}"


def chain_text(entry: Entry) -> str:
    """« relance de CTEH/2015/001 du 2015-04-21 ; relancé par … »: the letter's place in a chain."""
    parts = []
    if entry.follow_up_of is not None:
        parts.append(f"relance de {entry.follow_up_of.text()}")
    if entry.followed_up_by:
        parts.append("relancé par " + ", ".join(link.text() for link in entry.followed_up_by))
    return " ; ".join(parts)


def subject_cell(entry: Entry) -> str:
    """The objet, with the letter's place in a chain and its co-signers when it has some."""
    notes = [chain_text(entry)]
    if len(entry.signers) > 1:
        notes.append("cosigné par " + ", ".join(entry.signers))
    shown = " ; ".join(note for note in notes if note)
    return f"{entry.subject} ({shown})" if shown else entry.subject


def rows(entries: Sequence[Entry], today: date) -> list[tuple[str, ...]]:
    """One line of text per letter, under HEADERS: what a person reads in a table."""
    return [
        (
            e.dated.isoformat(),
            e.reference or "",
            e.recipient,
            subject_cell(e),
            e.status_text(),
            follow_up_text(e, today),
        )
        for e in entries
    ]


def plain_table(entries: Sequence[Entry], today: date) -> str:
    """The table as plain text, for a file or a pipe: one line per letter (grep finds a
    letter whole), columns aligned on the longest cell. Drawn by rich, a table of 1,000
    letters took a second; this takes a few milliseconds."""
    lines = [
        HEADERS,
        *(tuple(" ".join(c.splitlines()) for c in row) for row in rows(entries, today)),
    ]
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADERS))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        + "\n"
        for line in lines
    )


def records(entries: Sequence[Entry], today: date) -> list[dict[str, Any]]:
    """One record per letter, under FIELDS: what a program reads (ISO dates, null when none)."""
    return [
        {
            "date": e.dated.isoformat(),
            "reference": e.reference,
            "cle": e.to,
            "destinataire": e.recipient,
            "objet": e.subject,
            "statut": e.status,
            "envoye_le": iso(e.sent_on),
            "relance": iso(e.follow_up),
            "a_relancer": e.is_due(today),
            "repondu_le": iso(e.answered_on),
            "dossier": str(e.folder),
            "pdf": str(e.pdf) if e.pdf else None,
            "relance_de": e.follow_up_of.text() if e.follow_up_of else None,
            "relance_par": ", ".join(link.text() for link in e.followed_up_by) or None,
            "signataires": ", ".join(e.signers),
        }
        for e in entries
    ]


def to_json(entries: Sequence[Entry], today: date) -> str:
    return json.dumps(records(entries, today), ensure_ascii=False, indent=2)


# OWASP's list: a cell that begins with one of these is a formula to Excel or LibreOffice
# (=HYPERLINK(…) leaks data, +, -, @ start one too, tab and CR hide one behind a blank).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """A cell a spreadsheet shows as text and never runs: OWASP's leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return "" if value is None else inert(str(value))


def to_csv(entries: Sequence[Entry], today: date, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    # RFC 4180 line ends: a field holding a lone carriage return is then quoted too.
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for record in records(entries, today):
        writer.writerow([csv_cell(record[field]) for field in FIELDS])
    return buffer.getvalue()


def to_excel_csv(entries: Sequence[Entry], today: date) -> bytes:
    """The CSV that French Excel opens as is, with a double click."""
    return ("\ufeff" + to_csv(entries, today, delimiter=";")).encode("utf-8")


DATE_FIELDS = ("date", "envoye_le", "relance", "repondu_le")
COLUMN_WIDTHS = {"destinataire": 45, "objet": 60, "dossier": 50, "pdf": 50}


def to_xlsx(entries: Sequence[Entry], today: date) -> bytes:
    """An Excel workbook: a header row, real dates (sortable, shown JJ/MM/AAAA), yes/no as
    booleans, and every text stored as text, so that none is ever run as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Registre"
    sheet.append(FIELDS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, record in enumerate(records(entries, today), start=2):
        for column, field in enumerate(FIELDS, start=1):
            value = record[field]
            cell = sheet.cell(row=number, column=column)
            if field in DATE_FIELDS and value is not None:
                cell.value = date.fromisoformat(value)
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # openpyxl would take a text that starts with = for a formula
            else:
                cell.value = value
    for column, field in enumerate(FIELDS, start=1):
        sheet.column_dimensions[
            sheet.cell(row=1, column=column).column_letter
        ].width = COLUMN_WIDTHS.get(field, 14)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def markdown_cell(text: str) -> str:
    """Text that stays in its cell and shows as typed: no `|`, no line break, no raw HTML."""
    flat = " ".join(text.split())
    return html.escape(flat, quote=False).replace("\\", "\\\\").replace("|", "\\|")


def to_markdown(entries: Sequence[Entry], today: date) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows(entries, today):
        lines.append("| " + " | ".join(markdown_cell(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- the web page


def pdf_names(entries: Sequence[Entry]) -> dict[Path, str]:
    """A file name for each letter's PDF, `DATE-SLUG.pdf`, unique within the page."""
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for entry in entries:
        if entry.pdf is None:
            continue
        base = slug(entry.folder.name, limit=80)
        if not base.startswith(entry.dated.isoformat()):
            base = f"{entry.dated.isoformat()}-{base}"
        name, index = f"{base}.pdf", 2
        while name in taken:
            name, index = f"{base}-{index}.pdf", index + 1
        taken.add(name)
        names[entry.folder] = name
    return names


# What HTML5 calls a parse error in text: controls (but tab, line feed, form feed, carriage
# return), surrogates and non-characters. A YAML source may hold some of them (U+0085).
_NOT_HTML = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)


def esc(text: str) -> str:
    """Text for the page: typography applied, parse errors removed, then escaped."""
    return html.escape(typographize(_NOT_HTML.sub("", text)), quote=True)


def anchor(folder: Path) -> str:
    return "courrier-" + slug(folder.name, limit=80)


def html_link(link: Link, shown: Set[Path]) -> str:
    """A link to the other letter's article when the page holds it, else its name alone."""
    name = link.reference or link.folder.name
    text = esc(f"{name} du {french_date(link.dated)}" if link.dated else name)
    if link.folder.resolve() in shown:
        return f'<a href="#{anchor(link.folder)}">{text}</a>'
    return text


def html_chain(entry: Entry, shown: Set[Path]) -> list[str]:
    lines = []
    if entry.follow_up_of is not None:
        lines.append(
            '<p class="courrier-relance">Relance du courrier '
            f"{html_link(entry.follow_up_of, shown)}</p>"
        )
    if entry.followed_up_by:
        links = ", ".join(html_link(link, shown) for link in entry.followed_up_by)
        lines.append(f'<p class="courrier-relance">Relancé par le courrier {links}</p>')
    return lines


def html_item(entry: Entry, pdf_name: str | None, shown: Set[Path] = frozenset()) -> str:
    lines = [
        f'<article class="courrier" id="{anchor(entry.folder)}">',
        f'<p class="courrier-date"><time datetime="{entry.dated.isoformat()}">'
        f"{esc(french_date(entry.dated))}</time></p>",
        f'<h3 class="courrier-objet">{esc(entry.subject)}</h3>',
        f'<p class="courrier-destinataire">{esc(entry.recipient)}</p>',
    ]
    if pdf_name is not None:
        lines.append(
            f'<p class="courrier-lien"><a href="{html.escape(pdf_name, quote=True)}" '
            'type="application/pdf">Télécharger la lettre</a></p>'
        )
    if len(entry.signers) > 1:
        names = ", ".join(entry.signers[:-1]) + " et " + entry.signers[-1]
        lines.append(f'<p class="courrier-signataires">Cosigné par {esc(names)}</p>')
    lines += html_chain(entry, shown)
    lines.append("</article>")
    return "\n".join(lines)


def html_fragment(entries: Sequence[Entry]) -> str:
    """The « Courriers » section, to paste into the site's page."""
    names = pdf_names(entries)
    shown = {e.folder.resolve() for e in entries}
    items = [html_item(e, names.get(e.folder), shown) for e in entries] or [
        '<p class="courriers-vide">Aucun courrier.</p>'
    ]
    return (
        "\n".join(['<section class="courriers">', "<h2>Courriers</h2>", *items, "</section>"])
        + "\n"
    )


STYLESHEET = """\
body { font-family: Georgia, "Times New Roman", serif; color: #222; margin: 0; }
main { max-width: 42rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.5rem; }
.courriers h2 { border-bottom: 2px solid #8a1c2b; padding-bottom: .25rem; }
.courrier { margin: 1.5rem 0; padding-bottom: 1rem; border-bottom: 1px solid #ddd; }
.courrier-date { color: #8a1c2b; font-weight: bold; margin: 0; }
.courrier-objet { font-size: 1.1rem; margin: .25rem 0; }
.courrier-destinataire { font-style: italic; margin: .25rem 0; }
.courrier-lien a { color: #8a1c2b; }
.courrier-relance { font-size: .9rem; margin: .25rem 0; }
"""


def html_page(entries: Sequence[Entry], title: str) -> str:
    """A complete page around the fragment, with its own small stylesheet."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{STYLESHEET}</style>\n</head>\n<body>\n"
        f"<main>\n<h1>{esc(title)}</h1>\n{html_fragment(entries)}</main>\n</body>\n</html>\n"
    )


def write_site(entries: Sequence[Entry], out: Path, title: str, force: bool = False) -> list[Path]:
    """The page, the fragment and the PDFs they link to, in `out`, each file atomically."""
    if out.exists() and not out.is_dir():
        raise LettresError(f"{out} existe et n'est pas un dossier")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise LettresError(
            f"le dossier {out} n'est pas vide : choisissez un dossier nouveau, "
            "ou ajoutez --force pour y remplacer la page et les PDF"
        )
    names = pdf_names(entries)
    written = []
    for entry in entries:
        name = names.get(entry.folder)
        if entry.pdf is not None and name is not None:
            write_atomic(out / name, entry.pdf.read_bytes())
            written.append(out / name)
    pages = ((FRAGMENT_NAME, html_fragment(entries)), (PAGE_NAME, html_page(entries, title)))
    for name, text in pages:
        write_text_atomic(out / name, text)
        written.append(out / name)
    return written


# ----------------------------------------------------------------------------- the calendar


def to_ics(entries: Sequence[Entry], today: date) -> bytes:
    """The follow-up dates as all-day events (RFC 5545), for Outlook or any calendar.

    Only letters still waiting for an answer have one; the UID is the letter's folder, so
    that importing the file again updates the events instead of doubling them.
    """
    import hashlib
    from datetime import UTC, datetime, timedelta

    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Collectif Ensemble contre la traite//lettres//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Relances des courriers")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for entry in entries:
        if entry.follow_up is None or entry.answered_on is not None or entry.followed_up_by:
            continue
        event = Event()
        digest = hashlib.sha256(str(entry.folder.resolve()).encode("utf-8")).hexdigest()[:24]
        event.add("uid", f"relance-{digest}@lettres")
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.follow_up)
        event.add("dtend", entry.follow_up + timedelta(days=1))
        event.add("summary", typographize(f"Relancer : {entry.subject} ({entry.recipient})"))
        event.add("description", ics_description(entry, today))
        event.add("categories", ["Relance"])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def ics_description(entry: Entry, today: date) -> str:
    lines = [
        f"Courrier du {french_date(entry.dated)}"
        + (f" (réf. {entry.reference})" if entry.reference else ""),
        f"À : {entry.recipient}",
        f"Objet : {entry.subject}",
        f"Statut : {entry.status_text()}",
        f"Dossier : {entry.folder}",
    ]
    if entry.is_due(today):
        lines.append("La relance est échue : lettres draft --relance DOSSIER")
    return typographize("\n".join(lines))


def render(format: str, entries: Sequence[Entry], today: date) -> str:
    """The register as text in `format` (csv-utf8, json, markdown, html: the page's fragment)."""
    if format == "html":
        return html_fragment(entries)
    writers = {"csv-utf8": to_csv, "json": to_json, "markdown": to_markdown}
    text = writers[format](entries, today)
    return text if text.endswith("\n") else text + "\n"


def file_bytes(format: str, entries: Sequence[Entry], today: date) -> bytes:
    """The register as the bytes of a file in `format`: every text format in UTF-8."""
    if format == "xlsx":
        return to_xlsx(entries, today)
    if format == "ics":
        return to_ics(entries, today)
    if format == "csv":
        return to_excel_csv(entries, today)
    return render(format, entries, today).encode("utf-8")


FILE_FORMATS = {
    ".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".md": "markdown", ".ics": "ics",
}  # fmt: skip


def format_of(out: Path) -> str:
    """The format `--out` asks for when no --format is given: a folder is the web page."""
    return FILE_FORMATS.get(out.suffix.lower(), "html")


def write_export(
    out: Path, format: str, entries: Sequence[Entry], today: date, force: bool = False
) -> None:
    """The register in one file, written atomically; an existing file is kept unless `force`."""
    if out.is_dir():
        raise LettresError(f"{out} est un dossier : --format {format} écrit un fichier")
    if out.exists() and not force:
        raise LettresError(
            f"{out} existe déjà : choisissez un autre nom, ou ajoutez --force pour le remplacer"
        )
    write_atomic(out, file_bytes(format, entries, today))
