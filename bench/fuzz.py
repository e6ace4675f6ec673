"""The fuzzing suite (tests/test_fuzz.py), with many more examples than CI gives it.

Run: python bench/fuzz.py [EXAMPLES]   (from the repository root; 2,000 by default, the CLI
tests a fifth of that)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "2000"
    environment = os.environ | {"LETTRES_FUZZ_EXAMPLES": examples}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/test_fuzz.py", "--hypothesis-show-statistics"]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=environment, check=False)
    print(f"{examples} exemples par test : {time.perf_counter() - start:.0f} s")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
