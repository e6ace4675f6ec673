"""Layout time of a PDF whose body holds one very long word, or one very long URL.

The layout (modeles/lettre.typ) puts such words in boxes of a few characters: its time must
grow in proportion to the word's length (it was quadratic: 64 KB took 13.6 s, 200 KB more
than 60 s, when U+200B was put between every character).

Run: python bench/long_words.py   (from the repository root, with lettres installed)
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from lettres.letter import Letter, Paragraph, Run
from lettres.pdf_writer import PdfRenderer

REPO = Path(__file__).resolve().parent.parent
SIZES = (16_000, 64_000, 200_000)


def letter_with(word: str) -> Letter:
    return Letter(
        letterhead=("Collectif",), recipient_block=("Monsieur le Ministre", "75800 PARIS"),
        date_line="Paris, le 21 avril 2015", subject="Essai", reference=None,
        our_reference=None, appellation="Monsieur le Ministre,",
        body=(Paragraph((Run(f"Voir {word} fin."),)),), closing="Veuillez agréer…",
        signature=("Véronique Fayet",), enclosures=(), copies=(), members_heading="Membres :",
        members=("Amicale du Nid",), contact="Coordination", author="Collectif",
        date=date(2015, 4, 21),
    )  # fmt: skip


def main() -> None:
    renderer = PdfRenderer(REPO / "modeles" / "lettre.typ")
    renderer.render(letter_with("court"))  # fonts loaded once
    for kind, make in (
        ("mot", lambda n: "a" * n),
        ("adresse web", lambda n: "https://exemple.fr/" + "abcdefgh/" * (n // 9)),
    ):
        for size in SIZES:
            start = time.perf_counter()
            renderer.render(letter_with(make(size)))
            seconds = time.perf_counter() - start
            per_character = seconds / size * 1e6
            print(
                f"{kind} de {size:>7} caractères : {seconds:6.2f} s ({per_character:.1f} µs/car.)"
            )


if __name__ == "__main__":
    main()
