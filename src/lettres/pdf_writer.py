"""The PDF writer: the workspace's typst layout, fed each letter as JSON data.

The letter reaches typst only as data (`sys.inputs.lettre`), never spliced into markup:
no text of a letter can be read as typst syntax, whatever it holds. Imported only when a
PDF is written, since the typst compiler is a large extension module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from lettres.errors import DataError, LettresError, Problem, UnprintableText
from lettres.letter import Block, Letter, ListBlock, Run

if TYPE_CHECKING:
    import typst

INPUT_NAME = "lettre"
PDFA_STANDARD: Final = "a-2b"

# Characters that every font embedded in typst can draw (French and its neighbours, and
# French typography); a letter holding others is checked for missing glyphs.
_ALWAYS_DRAWN = re.compile(
    "[\t\n\x20-\x7e\xa0-\u017f\u2009\u2011\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u202f\u20ac]*"
)
_DIAGNOSTIC = re.compile(
    r"^(?P<kind>error|warning): (?P<message>.*)\n(?:\s*┌─ (?P<path>.+?):(?P<line>\d+):\d+\n)?",
    re.MULTILINE,
)
_HINT = re.compile(r"^\s*= hint: (?P<hint>.*)$", re.MULTILINE)
_UNDRAWN = re.compile(
    r"the text `(?P<text>\".*?\")` could not be displayed with font `\"(?P<font>.*?)\"`"
)
_UNKNOWN_FONT = re.compile(r"unknown font family: (?P<font>.*)")


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning of typst, with the place it points to when it gives one."""

    message: str
    path: str | None
    line: int | None


def letter_to_json(letter: Letter, logo: str | None = None) -> str:
    """The letter as the layout reads it; derived lines come ready so DOCX and PDF agree."""
    return json.dumps(letter_data(letter, logo), ensure_ascii=False)


def letter_data(letter: Letter, logo: str | None = None) -> dict[str, Any]:
    return {
        "letterhead": list(letter.letterhead),
        "recipient": list(letter.recipient_block),
        "date_line": letter.date_line,
        "subject_label": letter.subject_label,
        "subject": letter.subject,
        "subject_line": letter.subject_line,
        "reference_line": letter.reference_line,
        "our_reference_line": letter.our_reference_line,
        "appellation": letter.appellation,
        "body": [block_data(block) for block in letter.body],
        "closing": letter.closing,
        "signatures": [list(block) for block in letter.signatures],
        # every signature line, for layouts of older workspaces, which read it
        "signature": [line for block in letter.signatures for line in block],
        "enclosures_line": letter.enclosures_line,
        "copies_heading": letter.copies_heading,
        "copies": list(letter.copies),
        "copy_lines": list(letter.copy_lines),
        "members_heading": letter.members_heading,
        "members_line": letter.members_line,
        "contact": letter.contact,
        "title": letter.subject,
        "author": letter.author,
        "keywords": [],  # none; kept for the layouts of older workspaces, which read it
        "date": letter.date.isoformat(),
        "logo": logo,
        "lang": letter.labels.language.partition("-")[0],
        "region": letter.labels.language.partition("-")[2],
        # millimetres, from the workspace's settings: the layout reads them, not its own
        "window": {"x": letter.window.x, "y": letter.window.y, "width": letter.window.width},
    }


def block_data(block: Block) -> dict[str, Any]:
    if isinstance(block, ListBlock):
        items = [[run_data(run) for run in item] for item in block.items]
        return {"type": "liste", "ordered": block.ordered, "items": items}
    return {"type": "paragraphe", "runs": [run_data(run) for run in block.runs]}


def run_data(run: Run) -> dict[str, Any]:
    # typst refuses an empty link target: an empty link is no link.
    return {"text": run.text, "bold": run.bold, "italic": run.italic, "link": run.link or None}


class PdfRenderer:
    """One compiler kept for letter after letter, for a batch written as it goes.

    The layout and the logo are checked once, here, before the first letter.
    """

    def __init__(
        self,
        layout: Path,
        *,
        pdfa: bool = False,
        root: Path | None = None,
        logo: str | Path | None = None,
    ) -> None:
        import typst

        self.root = (root or layout.resolve().parent.parent).resolve()
        self.layout = check_layout(layout, self.root)
        self.logo = check_logo(logo, self.root)
        self.pdfa = pdfa
        self.compiler = typst.Compiler(
            self.layout, root=self.root, font_paths=[], ignore_system_fonts=True
        )

    def render(self, letter: Letter) -> bytes:
        return render_one(self.compiler, letter, self.layout, self.root, self.logo, self.pdfa)


def check_layout(layout: Path, root: Path) -> Path:
    resolved = layout.resolve()
    if not resolved.is_file():
        raise LettresError(
            f"mise en page introuvable : {layout} ; remettez-y le fichier lettre.typ "
            "(« lettres init DOSSIER » crée un espace de travail qui le contient)"
        )
    if not resolved.is_relative_to(root):
        raise LettresError(f"la mise en page {layout} doit se trouver dans le dossier {root}")
    return resolved


def check_logo(logo: str | Path | None, root: Path) -> str | None:
    """The logo's path for typst, checked here so that a missing file is named plainly."""
    if logo is None or str(logo) == "":
        return None
    path = (root / logo).resolve()
    if not path.is_file():
        raise LettresError(
            f"logo introuvable : {root / logo} ; corrigez le chemin du logo (relatif au "
            f"dossier {root}) ou placez-y l'image"
        )
    if not path.is_relative_to(root):
        raise LettresError(f"le logo {path} doit se trouver dans le dossier {root}")
    if not is_image(path):
        raise LettresError(
            f"le logo {root / logo} n'est pas une image PNG, JPEG, GIF ou SVG : "
            "exportez-le dans l'un de ces formats"
        )
    return path.relative_to(root).as_posix()


_IMAGE_STARTS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def is_image(path: Path) -> bool:
    """By its first bytes, not its name: a renamed document would stop typst mid-batch."""
    with path.open("rb") as stream:
        head = stream.read(512)
    return head.startswith(_IMAGE_STARTS) or b"<svg" in head


def render_one(
    compiler: typst.Compiler,
    letter: Letter,
    layout: Path,
    root: Path,
    logo: str | None,
    pdfa: bool,
) -> bytes:
    inputs = {INPUT_NAME: letter_to_json(letter, logo)}
    try:
        inputs[INPUT_NAME].encode("utf-8")
    except UnicodeEncodeError as error:
        raise LettresError(
            "le courrier contient un caractère invalide (moitié de paire de substitution) : "
            "retirez-le du texte"
        ) from error
    standards: Literal["a-2b"] | None = PDFA_STANDARD if pdfa else None
    pdf = compile_letter(compiler, letter, inputs, standards, layout, root)
    if not pdfa and not always_drawn(letter):
        compile_letter(compiler, letter, inputs, PDFA_STANDARD, layout, root)
    return pdf


def compile_letter(
    compiler: typst.Compiler,
    letter: Letter,
    inputs: dict[str, str],
    standards: Literal["a-2b"] | None,
    layout: Path,
    root: Path,
) -> bytes:
    """One compilation; typst's errors, and its unknown-font warning, become ours."""
    import typst

    stamp = datetime.combine(letter.date, time(9, 0), tzinfo=UTC)
    try:
        pdf, warnings = compiler.compile_with_warnings(
            format="pdf", sys_inputs=inputs, pdf_standards=standards, timestamp=stamp
        )
    except typst.TypstError as error:
        raise translate_error(error.diagnostic or str(error), layout, root, letter) from None
    font_problems = [
        problem
        for warning in warnings
        if (problem := font_problem(warning.diagnostic or warning.message, layout, root))
    ]
    if font_problems:
        raise DataError(font_problems)
    assert isinstance(pdf, bytes)
    return pdf


def always_drawn(letter: Letter) -> bool:
    return all(_ALWAYS_DRAWN.fullmatch(text) for text in letter_texts(letter_data(letter)))


def letter_texts(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from letter_texts(value)
    elif isinstance(data, list):
        for value in data:
            yield from letter_texts(value)


def diagnostics(text: str) -> list[Diagnostic]:
    found = [
        Diagnostic(match["message"], match["path"], int(match["line"]) if match["line"] else None)
        for match in _DIAGNOSTIC.finditer(text)
    ]
    return found or [Diagnostic(text.strip(), None, None)]


def source_path(shown: str | None, layout: Path, root: Path) -> Path:
    """The file typst points to: it shows paths relative to the current folder or the root."""
    if shown:
        for candidate in (Path.cwd() / shown, root / shown.lstrip("/")):
            if candidate.is_file():
                return candidate.resolve()
    return layout


def translate_error(text: str, layout: Path, root: Path, letter: Letter) -> LettresError:
    found = diagnostics(text)
    undrawn = [match for item in found if (match := _UNDRAWN.search(item.message))]
    if undrawn:
        return unprintable_error(undrawn, layout, letter)
    # The first error is the real one: a syntax error makes typst report many more after it.
    first = found[0]
    hint = next((f" (piste : {match['hint']})" for match in _HINT.finditer(text)), "")
    others = f" ; {len(found) - 1} autre(s) erreur(s) à la suite" if len(found) > 1 else ""
    return DataError.at(
        source_path(first.path, layout, root),
        first.line,
        f"la mise en page ne se compile pas (typst) : {first.message}{hint}{others}",
    )


def font_problem(text: str, layout: Path, root: Path) -> Problem | None:
    """typst only warns of an unknown font, then silently uses another: here it is an error."""
    for item in diagnostics(text):
        match = _UNKNOWN_FONT.search(item.message)
        if match:
            return Problem(
                source_path(item.path, layout, root),
                item.line,
                f"police inconnue « {match['font']} » ; polices disponibles : "
                f"{', '.join(embedded_fonts())} (seules les polices intégrées à typst sont "
                "utilisées, pour un PDF identique sur toutes les machines)",
            )
    return None


def embedded_fonts() -> list[str]:
    import typst

    return [
        name for name in typst.Fonts(include_system_fonts=False).families() if "Math" not in name
    ]


def unprintable_error(
    matches: list[re.Match[str]], layout: Path, letter: Letter
) -> UnprintableText:
    # The layout adds characters of its own (U+200B to break very long words): name the
    # letter's only, those the user can find and remove.
    written = set("".join(letter_texts(letter_data(letter))))
    texts = [rust_string(match["text"]) for match in matches]
    own = [kept for text in texts if (kept := "".join(c for c in text if c in written))]
    texts = list(dict.fromkeys(own or texts))
    fonts = list(dict.fromkeys(match["font"] for match in matches))
    shown = ", ".join(character_name(text) for text in texts[:10])
    more = f" et {len(texts) - 10} autres" if len(texts) > 10 else ""
    return UnprintableText(
        f"le courrier contient des caractères qu'aucune police de la mise en page ne sait "
        f"imprimer ({', '.join(fonts)}) : {shown}{more}. Retirez-les du courrier, ou "
        f"choisissez dans {layout} une police qui les contient."
    )


def character_name(text: str) -> str:
    codes = " ".join(f"U+{ord(c):04X}" for c in text)
    return f"« {text} » ({codes})" if text.isprintable() else codes


def rust_string(quoted: str) -> str:
    """The text inside a string as typst quotes it (Rust's debug form: \\u{301}, \\")."""
    escapes = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}

    def unescape(match: re.Match[str]) -> str:
        code = match[1]
        return chr(int(code[2:-1], 16)) if code.startswith("u{") else escapes.get(code, code)

    return re.sub(r"\\(u\{[0-9a-fA-F]+\}|.)", unescape, quoted[1:-1], flags=re.DOTALL)
