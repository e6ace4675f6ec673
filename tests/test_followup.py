"""`relance:` read one way everywhere: a delay in French or a date, anything else refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lettres.errors import DataError
from lettres.followup import BadFollowUp, add_months, due_date
from lettres.source import load_letter

START = date(2015, 4, 21)


@pytest.mark.parametrize(
    ("value", "due"),
    [
        ("15 jours", date(2015, 5, 6)),
        ("1 jour", date(2015, 4, 22)),
        ("6 semaines", date(2015, 6, 2)),
        ("1 semaine", date(2015, 4, 28)),
        ("2 mois", date(2015, 6, 21)),
        ("  3   Semaines ", date(2015, 5, 12)),
        ("12 mois", date(2016, 4, 21)),
        ("2015-07-01", date(2015, 7, 1)),
        (date(2015, 7, 1), date(2015, 7, 1)),
    ],
)
def test_due_date(value: str | date, due: date) -> None:
    assert due_date(value, START) == due


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2015, 1, 31), 1, date(2015, 2, 28)),
        (date(2016, 1, 31), 1, date(2016, 2, 29)),
        (date(2015, 11, 30), 3, date(2016, 2, 29)),
        (date(2015, 12, 15), 1, date(2016, 1, 15)),
    ],
)
def test_months_end_on_the_last_day_when_the_day_is_missing(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("six semaines", "n'est pas compris"),
        ("6 ans", "n'est pas compris"),
        ("demain", "n'est pas compris"),
        ("", "n'est pas compris"),
        ("2015-02-30", "n'est pas compris"),
        ("0 jours", "au moins un jour"),
    ],
)
def test_anything_else_is_refused(value: str, words: str) -> None:
    with pytest.raises(BadFollowUp, match=words):
        due_date(value, START)


@given(st.dates(), st.integers(1, 999), st.sampled_from(["jours", "semaines", "mois"]))
def test_a_delay_always_falls_after_the_start(start: date, count: int, unit: str) -> None:
    try:
        due = due_date(f"{count} {unit}", start)
    except OverflowError:
        return  # beyond the year 9999
    except ValueError:
        return  # date() out of range, also beyond the year 9999
    assert due > start


def source(tmp_path: Path, relance: str) -> Path:
    path = tmp_path / "lettre.md"
    path.write_text(
        "---\ndestinataire: interieur\nobjet: Essai\ndate: 2015-04-21\nsignataire: fayet\n"
        f"relance: {relance}\n---\nCorps.\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("relance", ["6 semaines", "2015-06-01", "'2015-06-01'"])
def test_a_good_relance_loads(tmp_path: Path, relance: str) -> None:
    front, _ = load_letter(source(tmp_path, relance))
    assert front.follow_up is not None


@pytest.mark.parametrize(
    ("relance", "words"),
    [
        ("six semaines", "« relance : six semaines » n'est pas compris ; écrivez une durée"),
        ("6", "« relance : 6 » : écrivez une durée"),
        ("[6, semaines]", "écrivez une durée"),
    ],
)
def test_a_bad_relance_is_an_error_at_its_line(tmp_path: Path, relance: str, words: str) -> None:
    with pytest.raises(DataError) as caught:
        load_letter(source(tmp_path, relance))
    assert str(caught.value).startswith(f"{tmp_path / 'lettre.md'}:6: ")
    assert words in str(caught.value)
