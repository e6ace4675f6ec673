"""Helpers shared by the benchmarks: whole processes timed directly (the installed console
script, no wrapper process), two sides run in turn, peak memory of a process tree."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

LETTRES = str(Path(sys.executable).with_name("lettres"))  # the console script pip installed
BARE_APP = """
import typer

app = typer.Typer()


@app.command()
def main(name: str = "monde") -> None:
    print(name)


app()
"""


def seconds(command: Sequence[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - start


def peak_mib(command: Sequence[str], cwd: Path | None = None) -> float:
    """The highest resident memory of the process and all its children together, sampled
    every 5 ms from /proc (Linux); elsewhere, the largest single process (ru_maxrss)."""
    if not Path("/proc/self/status").exists():
        import resource

        subprocess.run(command, cwd=cwd, capture_output=True, check=True)
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(0.005)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return peak / 1024


def tree_rss_kib(pid: int) -> int:
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)  # fmt: skip
        pending += [int(child) for child in children]
    return total


@dataclass
class Pair:
    """A comparison: lettres (A) and its reference (B), run in turn."""

    ours: list[float]
    theirs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.ours)

    @property
    def reference(self) -> float:
        return statistics.median(self.theirs)

    @property
    def ratio(self) -> float:
        """ours / theirs, pair by pair: each pair ran under the same load."""
        return statistics.median(self.ratios)

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.ours, self.theirs, strict=True)]


def in_turn(ours: Callable[[], float], theirs: Callable[[], float], rounds: int) -> Pair:
    ours(), theirs()  # warm-up: disk cache, LibreOffice's profile
    pair = Pair([], [])
    for _ in range(rounds):
        pair.ours.append(ours())
        pair.theirs.append(theirs())
    return pair


def alone(measure: Callable[[], float], rounds: int) -> list[float]:
    measure()
    return [measure() for _ in range(rounds)]


def median_seconds(command: Sequence[str], runs: int = 15, cwd: str | None = None) -> float:
    """Median wall time of a whole process, after one warm-up run (one side alone: for a
    comparison, in_turn)."""
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
