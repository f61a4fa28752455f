"""What every bench/ driver shares: paths, the tqa binary, one timer, one runner, one number
formatter, one interpolation, and the check of the tools `bash bench/setup.sh` installs.

Standard library only, so that it imports in any interpreter (bench's venv, the reference venv
of tools/reference, a plain python3 for the tests).
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
VENV = os.path.join(BENCH, "work", "venv")
SETUP = "bash bench/setup.sh"


def tqa_bin() -> str:
    """The tqa binary: $TQA_BIN (relative to the repository root unless absolute), else
    .build/release/tqa."""
    path = os.environ.get("TQA_BIN") or os.path.join(".build", "release", "tqa")
    return path if os.path.isabs(path) else os.path.join(ROOT, path)


TQA_BIN = tqa_bin()


def build_tqa() -> None:
    """`swift build -c release --product tqa` in the repository (a driver's --build)."""
    print("swift build -c release --product tqa", file=sys.stderr, flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "tqa"], cwd=ROOT, check=True,
                   stdout=sys.stderr)


def require_tqa() -> str:
    """TQA_BIN, or exit with how to get one."""
    if not os.access(TQA_BIN, os.X_OK):
        sys.exit(f"error: {TQA_BIN} is missing: swift build -c release --product tqa (or pass --build, "
                 f"or set TQA_BIN=path)")
    return TQA_BIN


def require_tools(*names: str) -> None:
    """Exit naming `bash bench/setup.sh` when any of these commands (or paths) is missing."""
    missing = [n for n in names if not (os.access(n, os.X_OK) if os.sep in n else shutil.which(n))]
    if missing:
        sys.exit(f"error: missing {', '.join(missing)}: run {SETUP} once (it installs them)")


def require_file(path: str, how: str) -> None:
    """Exit with `how` (the command that makes it) when `path` is missing or empty."""
    if not (os.path.exists(path) and os.path.getsize(path) > 0):
        sys.exit(f"error: {path} is missing: run {how} first")


class Stopwatch:
    """Wall seconds (time.perf_counter) since it was made; the one timer of bench/."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def cpu_model() -> str:
    """'cpu family F, model M: NAME' from /proc/cpuinfo (the first processor), for every figure
    that goes into BENCHMARKS.md; 'unknown cpu' where there is no /proc/cpuinfo."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        return "unknown cpu"
    return (f"cpu family {fields.get('cpu family', '?')}, model {fields.get('model', '?')}: "
            f"{fields.get('model name', '?')}")


def utc_now() -> str:
    """The time stamp of a run's report: '2026-01-31 12:00 UTC'."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


@dataclass
class Ran:
    """A finished command: wall seconds, its stdout and stderr as text."""
    seconds: float
    stdout: str
    stderr: str


def shown(cmd: list[str]) -> str:
    """The command as a shell line, paths relative to the repository root."""
    def word(c: str) -> str:
        c = str(c).replace(ROOT + os.sep, "")
        return c if c and not any(ch in c for ch in " |'") else "'" + c.replace("'", "'\\''") + "'"
    return " ".join(word(c) for c in cmd)


def run_command(cmd: list[str], env: dict | None = None) -> Ran:
    """Run `cmd` (no shell), time it, capture its output; on a non-zero exit raise RuntimeError
    "<command> exited <status>: <the end of its stderr, else stdout>"."""
    clock = Stopwatch()
    p = subprocess.run([str(c) for c in cmd], capture_output=True, env=env)
    seconds = clock.seconds
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    if p.returncode != 0:
        raise RuntimeError(f"{shown(cmd)} exited {p.returncode}: {(err.strip() or out.strip())[-600:]}")
    return Ran(seconds, out, err)


def fmt(v, digits: int = 2, signed: bool = False) -> str:
    """A number for a table: `digits` decimals, "+" first when `signed` and v >= 0, ∞ / -∞,
    "–" for None or NaN; anything else as str()."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float) and math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if isinstance(v, (float, int)) and not isinstance(v, bool) and (isinstance(v, float) or signed):
        return f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"
    return str(v)


def interpolate(points: list[tuple[float, float]], x: float) -> float:
    """y at x on the polyline through the (x, y) points (sorted here; points with a non-finite y
    dropped); NaN outside their range."""
    pts = sorted(p for p in points if math.isfinite(p[1]))
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    if pts and abs(x - pts[0][0]) < 1e-9:
        return pts[0][1]
    return math.nan


def run_tests(namespace: dict) -> int:
    """Runs every callable `test_*` of a test module's globals in name order, prints each failure
    and a count; the exit status: 1 when one failed (the bench tests run without pytest)."""
    tests = [(n, f) for n, f in sorted(namespace.items()) if n.startswith("test_") and callable(f)]
    failed = 0
    for name, f in tests:
        try:
            f()
        except Exception as e:  # noqa: BLE001 - any exception is a failure
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    return 1 if failed else 0
