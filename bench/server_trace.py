"""Where a benchmarked server's time goes while it serves (BENCH_TRACE=1): collections, loop stalls, worker threads.

Installed inside the server process: gc.callbacks time every collection by generation; a probe task that asks to
wake every PROBE_MS records how late the loop woke it (a stall: a long callback, a collection, the GIL held by a
worker thread); the loop's default executor (where asyncio.to_thread runs wechatpy's blocking calls) records how
long each call waited for a thread and how long it ran; the engine's SQL statements and commits are counted. The
totals go to a JSON file every half second; the
client diffs two readings around a run (`lap`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import direct

PROBE_MS = 2.0
STALL_MS = 5.0  # a wake-up this late counts as a stall


class _Totals:
    def __init__(self) -> None:
        self.gc: dict[str, list[float]] = {"0": [], "1": [], "2": []}
        self.stalls: list[float] = []
        self.thread_wait: list[float] = []
        self.thread_run: list[float] = []
        self.statements: dict[str, int] = {}  # by kind: its verb and table ("UPDATE seen_deliveries")
        self.commits = 0


class _TimedExecutor(ThreadPoolExecutor):
    def __init__(self, totals: _Totals) -> None:
        super().__init__(thread_name_prefix="traced")
        self.totals = totals

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        queued = time.perf_counter()

        def timed() -> Any:
            started = time.perf_counter()
            self.totals.thread_wait.append((started - queued) * 1000)
            try:
                return fn(*args, **kwargs)
            finally:
                self.totals.thread_run.append((time.perf_counter() - started) * 1000)

        return super().submit(timed)


def install(path: Path, engine: AsyncEngine | None = None) -> None:
    """Start tracing in this (server) process's running loop (and `engine`'s statements); totals written to `path`."""
    totals, started = _Totals(), [0.0]
    if engine is not None:

        def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
            words = sql.split()
            verb = words[0].upper() if words else ""
            table = words[words.index("FROM") + 1] if verb in ("SELECT", "DELETE") and "FROM" in words else ""
            kind = f"{verb} {table or (words[1] if verb == 'UPDATE' else words[2] if verb == 'INSERT' else '')}"
            totals.statements[kind.strip()] = totals.statements.get(kind.strip(), 0) + 1

        def commit(*_: Any) -> None:
            totals.commits += 1

        event.listen(engine.sync_engine, "before_cursor_execute", statement)
        direct.watch(engine, lambda sql: statement(None, None, sql))
        event.listen(engine.sync_engine, "commit", commit)

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            totals.gc[str(info["generation"])].append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(on_gc)
    loop = asyncio.get_running_loop()
    loop.set_default_executor(_TimedExecutor(totals))

    async def probe() -> None:
        written = time.perf_counter()
        while True:
            before = time.perf_counter()
            await asyncio.sleep(PROBE_MS / 1000)
            late = (time.perf_counter() - before) * 1000 - PROBE_MS
            if late > STALL_MS:
                totals.stalls.append(late)
            if before - written > 0.5:
                path.write_text(json.dumps(vars(totals)))  # noqa: ASYNC240 - a few kB, twice a second
                written = before

    asyncio.get_running_loop().create_task(probe())


def lap(path: Path, before: dict[str, Any] | None, messages: int = 0) -> tuple[dict[str, Any], str]:
    """The totals now, and what happened since `before` as one line (per message too, given how many)."""
    time.sleep(0.6)  # the server writes every half second
    now: dict[str, Any] = json.loads(path.read_text())
    if before is None:
        return now, ""

    def since(values: list[float], old: list[float]) -> list[float]:
        return values[len(old) :]

    gcs = {g: since(now["gc"][g], before["gc"][g]) for g in ("0", "1", "2")}
    stalls = since(now["stalls"], before["stalls"])
    wait, run = since(now["thread_wait"], before["thread_wait"]), since(now["thread_run"], before["thread_run"])

    def worst(values: list[float]) -> str:
        return f"{len(values)} (sum {sum(values):.0f} ms, max {max(values, default=0):.1f} ms)"

    line = (
        "    server trace: collections gen0 "
        + worst(gcs["0"])
        + ", gen1 "
        + worst(gcs["1"])
        + ", gen2 "
        + worst(gcs["2"])
        + f"; loop stalls > {STALL_MS:.0f} ms "
        + worst(stalls)
        + "; worker threads: waited "
        + worst([w for w in wait if w > 1])
        + " over 1 ms, ran "
        + worst(run)
    )
    kinds = {k: n - before["statements"].get(k, 0) for k, n in now["statements"].items()}
    statements, commits = sum(kinds.values()), now["commits"] - before["commits"]
    if statements and messages:
        line += f"; SQL statements {statements / messages:.2f}/message, commits {commits / messages:.2f}/message ("
        line += ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]) if n) + ")"
    return now, line
