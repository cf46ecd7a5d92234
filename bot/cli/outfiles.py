"""Output files of a command, written all or none: staged in a private folder beside them, then moved into place."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Stage:
    """Where a command writes its files before they are published next to `out`."""

    folder: Path
    out: Path

    @property
    def path(self) -> Path:
        """The staged stand-in for `out`: write here, with the same name."""
        return self.folder / self.out.name

    def publish(self, staged: Sequence[Path]) -> list[Path]:
        """Move the staged files next to `out` under their own names; on a failure none of them stays there.

        Files moved before the failure are removed again; a file one of them had replaced is not restored.
        """
        targets = [(path, self.out.parent / path.name) for path in staged]
        for _, target in targets:
            # Checked first so that the usual obstacle fails before any file has moved.
            if target.is_dir():
                raise OSError(errno.EISDIR, f"{os.strerror(errno.EISDIR)}: {target.name}")
        moved: list[Path] = []
        for path, target in targets:
            try:
                path.replace(target)
            except OSError as exc:
                for done in moved:
                    done.unlink(missing_ok=True)
                raise OSError(exc.errno, f"{exc.strerror or exc}: {target.name}") from exc
            moved.append(target)
        return moved


@contextmanager
def staged(out: Path) -> Iterator[Stage]:
    """A private folder in `out`'s folder (the same file system, so moving is a rename), removed afterwards."""
    if out.parent.exists() and not out.parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(out.parent))
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".studio-bot-", dir=out.parent))
    try:
        yield Stage(folder, out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
