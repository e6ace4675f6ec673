"""Start-up time of `lettres --help` and `lettres copies` beside a bare Typer app, run in
turn (A B A B …), the installed console script timed directly.

Run: python bench/startup.py [PAIRS]   (from the repository root, with lettres installed;
bench/all.py measures every target of the issue and rewrites the README's table)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import BARE_APP, LETTRES, in_turn, seconds

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        for label, ours, theirs in (
            ("lettres --help", [LETTRES, "--help"], [sys.executable, str(bare), "--help"]),
            ("lettres copies", [LETTRES, "--workspace", str(REPO), "copies"],
             [sys.executable, str(bare)]),
        ):  # fmt: skip
            pair = in_turn(lambda a=ours: seconds(a), lambda b=theirs: seconds(b), pairs)
            ours_ms, theirs_ms = pair.median * 1000, pair.reference * 1000
            print(f"{label:<16} {ours_ms:6.0f} ms   Typer nu {theirs_ms:6.0f} ms   "
                  f"rapport {pair.ratio:4.2f}× (cible ≤ 1,2×)")  # fmt: skip


if __name__ == "__main__":
    main()
