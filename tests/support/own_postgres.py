"""A PostgreSQL cluster of the test's own, in a temporary folder on a free port, that the test may stop and start.

The shared server on 5432 is never touched: faults that need a database going away (a restart while serving) get
this one. Built with initdb/pg_ctl from /usr/lib/postgresql/*/bin; as root, they run as the `postgres` user (initdb
refuses root). `OwnPostgres.why_not()` says why a machine cannot have one, for a clear skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text

from storage.database import create_engine
from tests.support.serve_process import free_port


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class OwnPostgres:
    """initdb, start, stop, restart and remove a throwaway cluster; `url` is its database `faults`."""

    def __init__(self) -> None:
        bin_dir = _bin_dir()
        assert bin_dir is not None, self.why_not()
        self.bin = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="studio-faults-pg-"))
        self.data, self.log = self.root / "data", self.root / "postgres.log"
        self._as: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chmod(self.root, 0o755)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    @staticmethod
    def why_not() -> str | None:
        """Why no cluster of our own can run here, or None if one can."""
        if _bin_dir() is None:
            return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run initdb as"
            if shutil.which("runuser") is None:
                return "running as root without runuser to run initdb as postgres"
        return None

    @property
    def url(self) -> str:
        """The cluster's test database, for DATABASE_URL."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/faults"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as, str(self.bin / tool), *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Start the cluster and wait until it takes connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster: fast (connections cut, as a restart does) or immediate (as a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    async def create_database(self) -> None:
        """Create the `faults` database."""
        engine = create_engine(self.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text("CREATE DATABASE faults"))
        finally:
            await engine.dispose()

    def remove(self) -> None:
        """Stop it if it runs, and delete its folder."""
        subprocess.run(
            [*self._as, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)
