"""`python -m lettres` and the `lettres` console script.

Garbage collection waits while Python loads the program, its libraries and the workspace:
those objects live until the end, and scanning them again and again as they pile up was
a tenth of a letter's time. `cli.started()` turns it back on for the work itself.
"""

import gc


def main() -> None:
    gc.disable()
    from lettres.cli import main as run

    run()


if __name__ == "__main__":
    main()
