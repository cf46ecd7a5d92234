"""Instructions a step of bench/engine.py's conversations, counted by valgrind's callgrind: steady on a loaded machine.

CPU seconds per step (bench/engine.py) swing by half between runs of the same code on a shared 2-core machine; the
count of instructions the process executes does not. Each runner (the project on SQLite and on PostgreSQL, and the
peer, python-telegram-bot's ConversationHandler in memory and with PicklePersistence) runs in a child process under
callgrind, counting only while its conversations run, once with SMALL and once with LARGE conversations; the
difference over the difference in steps is the cost of a step, set-up and warm-up cancelled out. By default one
person at a time: with several, how many turns share a transaction depends on timing, and so does a step's count
(±6 % between runs at 8). Counted in user space only: the kernel's share (socket I/O, waking up) and the cost of
sharing the cores with the PostgreSQL server show in bench/engine.py's CPU figure, not here. Two children run at a
time (counts do not depend on load). Figures: bench/README.md.
Usage: python bench/instructions.py [--small 10] [--large 60] [--concurrency 1] [--pg URL]
       [--only ptb-memory,ptb-pickle,sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNNERS = ("ptb-memory", "ptb-pickle", "sqlite", "postgresql")


async def _child(runner: str, conversations: int, concurrency: int, pg: str) -> None:
    """Run one runner's conversations with callgrind counting only while they run; print its step count."""
    from bench import engine, ptb_peer
    from storage.migrate import upgrade

    def counting(on: bool) -> None:
        subprocess.run(
            ["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], check=True, capture_output=True
        )

    with tempfile.TemporaryDirectory() as tmp:
        url = None
        if runner == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
            await upgrade(url)
        elif runner == "postgresql":
            url = await engine.pg_database(pg)
            if url is None:
                raise SystemExit(1)
        try:
            counting(True)
            if url is None:
                pickle = Path(tmp) / "ptb" if runner == "ptb-pickle" else None
                steps = (await ptb_peer.run(engine.SCRIPT, conversations, concurrency, engine.WARM_UP, pickle))[0]
            else:
                steps = (await engine.run(url, conversations, concurrency))[0]
            counting(False)
        finally:
            if runner == "postgresql" and url is not None:
                await engine.drop_pg(pg, url)
    print(f"steps {steps}")


def _count(runner: str, conversations: int, concurrency: int, pg: str) -> tuple[int, int]:
    """(steps, instructions) of one child under callgrind."""
    child = [sys.executable, __file__, "--child", runner, "--conversations", str(conversations)]
    child += ["--concurrency", str(concurrency), "--pg", pg]
    with tempfile.TemporaryDirectory() as tmp:
        out = f"--callgrind-out-file={tmp}/out"
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", out, *child],
            capture_output=True,
            text=True,
            check=False,
        )
    steps = re.search(r"^steps (\d+)$", done.stdout, re.M)
    collected = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or steps is None or collected is None:
        raise SystemExit(f"{runner}: failed\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return int(steps.group(1)), int(collected.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=1, help="1: the same count every run (see above)")
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", default=",".join(RUNNERS))
    parser.add_argument("--child", choices=RUNNERS, help=argparse.SUPPRESS)
    parser.add_argument("--conversations", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import uvloop

        uvloop.run(_child(args.child, args.conversations, args.concurrency, args.pg))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    runners = [r for r in RUNNERS if r in args.only.split(",")]
    jobs = [(runner, n) for runner in runners for n in (args.small, args.large)]
    print(f"instructions per step (callgrind): {args.small} and {args.large} conversations of 13 steps, "
          f"{args.concurrency} at a time")  # fmt: skip
    with ThreadPoolExecutor(2) as pool:
        counted = dict(
            zip(jobs, pool.map(lambda job: _count(job[0], job[1], args.concurrency, args.pg), jobs), strict=True)
        )
    per_step = {}
    for runner in runners:
        (small_steps, small), (large_steps, large) = counted[(runner, args.small)], counted[(runner, args.large)]
        per_step[runner] = (large - small) / (large_steps - small_steps)
        # over each runner printed before it: the peers first, then SQLite
        ratios = "   ".join(f"{peer} ×{per_step[runner] / per_step[peer]:.2f}" for peer in per_step if peer != runner)
        print(f"{runner:12} {per_step[runner] / 1e6:6.2f} M instructions/step   {ratios}")


if __name__ == "__main__":
    main()
