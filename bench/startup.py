"""How long the CLI takes to start: `studio-bot --help` and a bare `import bot.cli`, each run afresh.

Every admin command and every start of the bot pays this before doing anything. The peers in the same run: a
python-telegram-bot Application and a WeRoBot robot, each built in a fresh interpreter.
Usage: .venv/bin/python bench/startup.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
PTB = "from telegram.ext import Application; Application.builder().token('1:x').build()"


def _timed(command: list[str], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for name, command in (
        ("studio-bot --help", [str(BIN / "studio-bot"), "--help"]),
        ("import bot.cli", [sys.executable, "-c", "import bot.cli"]),
        ("python -c pass", [sys.executable, "-c", "pass"]),
        # the peers: a python-telegram-bot application and a WeRoBot robot built, nothing served
        ("peer: PTB app", [sys.executable, "-c", PTB]),
        ("peer: WeRoBot", [sys.executable, "-c", "import werobot; werobot.WeRoBot(token='t')"]),
    ):
        seconds = _timed(command, runs)
        print(f"{name:<18} median {statistics.median(seconds) * 1000:6.0f} ms   min {min(seconds) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
