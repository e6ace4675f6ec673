"""Start-up time of `lettres --help` and `lettres copies` beside a bare Typer app.

Run: python bench/startup.py   (from the repository root, with lettres installed)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import median_seconds, report

BARE_APP = """
import typer

app = typer.Typer()


@app.command()
def main(name: str = "monde") -> None:
    print(name)


app()
"""

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        floor = median_seconds([sys.executable, str(bare)])
    lettres = [sys.executable, "-m", "lettres"]
    report("application Typer nue (plancher)", floor)
    report("lettres --help", median_seconds([*lettres, "--help"], cwd=str(REPO)), floor, 1.3)
    report(
        "lettres copies --date 2015-04-21",
        median_seconds([*lettres, "copies", "--date", "2015-04-21"], cwd=str(REPO)),
        floor,
        1.5,
    )


if __name__ == "__main__":
    main()
