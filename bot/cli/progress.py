"""Progress bars for long work: on a terminal only, never with --json or when output goes to a file or pipe."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class Bar:
    """One bar of a running display; `advance` and `total` do nothing when the display is quiet."""

    def __init__(self, progress: Progress | None, description: str, total: float | None) -> None:
        self._progress = progress
        self._task = progress.add_task(description, total=total) if progress is not None else None

    def advance(self, amount: float = 1) -> None:
        """Move the bar on."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, amount)

    def reach(self, done: float, total: float) -> None:
        """Show `done` of `total`."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)

    def total(self, total: float | None) -> None:
        """Set how much there is to do (None: unknown, a pulsing bar)."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)


class Display:
    """Bars on stderr, or nothing at all."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress

    @property
    def shown(self) -> bool:
        """Whether anything is drawn."""
        return self._progress is not None

    def bar(self, description: str, total: float | None = None) -> Bar:
        """A new bar (a pulsing one while the total is unknown)."""
        return Bar(self._progress, description, total)


def on_terminal() -> bool:
    """Whether a person watches: both stdout and stderr are terminals."""
    return sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def progress(*, as_json: bool, console: Console | None = None) -> Iterator[Display]:
    """Bars for the work in the block when a person watches on a terminal (or `console` says it is one)."""
    forced = console is not None
    console = console or Console(stderr=True)
    if as_json or not console.is_terminal or not (forced or on_terminal()):
        yield Display(None)
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as shown:
        yield Display(shown)
