"""Start-up of the `lettres` program: garbage collection waits while it loads, comes back for
the work, and the letters it writes are those of a run that never paused it."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import SOURCE_2015, Invoke, printed_lines

# The program as its console script runs it, with a witness of every collection.
WATCHED = """
import gc, json, sys
from lettres import cli

collections, state = [], {"started": False}
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(state["started"]))
original = cli.started

def started():
    state["started"] = True
    original()

cli.started = started
sys.argv = ["lettres", *sys.argv[1:]]
try:
    from lettres.__main__ import main
    main()
finally:
    print(json.dumps({"before": collections.count(False), "after": collections.count(True),
                      "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                      "strptime": "_strptime" in sys.modules}),
          file=sys.stderr)
"""


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def watched_draft(root: Path, letter: Path) -> dict[str, int | bool]:
    environment = {k: v for k, v in os.environ.items() if k != "LETTRES_WORKSPACE"}
    done = subprocess.run(
        [sys.executable, "-c", WATCHED, "--workspace", str(root), "draft", str(letter)],
        capture_output=True, text=True, env=environment, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    record: dict[str, int | bool] = json.loads(done.stderr.strip().splitlines()[-1])
    return record


def test_collection_waits_for_the_workspace_then_comes_back(workspace: Path) -> None:
    folder = workspace / "courriers" / "une"
    folder.mkdir(parents=True)
    shutil.copy(SOURCE_2015 / "lettre.md", folder / "lettre.md")
    record = watched_draft(workspace, folder / "lettre.md")
    assert record["before"] == 0  # nothing collected while loading
    assert record["enabled"] is True  # a batch's garbage is collected again
    assert isinstance(record["frozen"], int) and record["frozen"] > 10_000  # the loaded objects
    # Nothing parses a date with strptime, whose first use costs 12 ms (its locale's patterns)
    assert record["strptime"] is False


def test_the_program_writes_the_letter_a_plain_run_writes(run: Invoke, workspace: Path) -> None:
    """Same source, drafted by the program (collection paused, skeleton shipped) and in a
    test's process (collection as pytest leaves it): the same DOCX parts and the same PDF."""
    letters = []
    for name in ("programme", "processus"):
        folder = workspace / "courriers" / name
        folder.mkdir(parents=True)
        shutil.copy(SOURCE_2015 / "lettre.md", folder / "lettre.md")
        letters.append(folder)
    watched_draft(workspace, letters[0] / "lettre.md")
    result = run("draft", str(letters[1] / "lettre.md"))
    assert result.exit_code == 0, result.output
    program, plain = (parts(folder / "lettre.docx") for folder in letters)
    assert program == plain
    pdfs = [(folder / "lettre.pdf").read_bytes() for folder in letters]
    assert printed_lines(pdfs[0]) == printed_lines(pdfs[1])  # words and where they stand
    assert len(printed_lines(pdfs[0])) > 30
