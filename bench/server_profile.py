"""cProfile inside a benchmarked server (BENCH_PROFILE=dir): the event loop's thread and the worker threads apart.

SIGUSR1 starts profiling, SIGUSR2 stops it and writes `loop.prof` (the loop's thread) and `threads.prof` (every
asyncio.to_thread call, each in its worker thread), so that one run of the client (the paced one) is profiled alone.
Read them with `python -m pstats`. cProfile on 3.11 follows one thread per profiler: hence one per worker call.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any


class _ProfiledExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(thread_name_prefix="profiled")
        self.on = False
        self.done: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self.on:
            return super().submit(fn, *args, **kwargs)

        def profiled() -> Any:
            profile = cProfile.Profile()
            profile.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                profile.disable()
                with self.lock:
                    self.done.append(profile)

        return super().submit(profiled)


def install(where: Path) -> None:
    """Profile this (server) process's loop between SIGUSR1 and SIGUSR2; the files go to `where`."""
    loop = asyncio.get_running_loop()
    executor = _ProfiledExecutor()
    loop.set_default_executor(executor)
    main = cProfile.Profile()

    def start() -> None:
        executor.done.clear()
        executor.on = True
        main.enable()

    def stop() -> None:
        main.disable()
        executor.on = False
        main.dump_stats(where / "loop.prof")
        with executor.lock:
            profiles = list(executor.done)
        if profiles:
            stats = pstats.Stats(profiles[0])
            for profile in profiles[1:]:
                stats.add(profile)
            stats.dump_stats(where / "threads.prof")
        (where / "profiled").write_text(str(len(profiles)))

    loop.add_signal_handler(signal.SIGUSR1, start)
    loop.add_signal_handler(signal.SIGUSR2, stop)
