"""Helpers shared by the benchmarks: whole-process timing and a report line."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Sequence


def median_seconds(command: Sequence[str], runs: int = 15, cwd: str | None = None) -> float:
    """Median wall time of a whole process, after one warm-up run."""
    subprocess.run(command, cwd=cwd, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(
    label: str, seconds: float, floor: float | None = None, target: float | None = None
) -> None:
    line = f"{label:<44} {seconds * 1000:8.1f} ms"
    if floor:
        ratio = seconds / floor
        line += f"   {ratio:4.2f}×"
        if target:
            line += f" (cible ≤ {target}×: {'ok' if ratio <= target else 'DÉPASSÉ'})"
    print(line)
