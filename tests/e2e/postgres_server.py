"""A PostgreSQL server of a test's own, to stop and start under a running bot.

The suite's shared server (scripts/with-postgres.sh) cannot be stopped without failing every
other test, so a test that needs an outage starts a small cluster in its tmp_path. Where no
server binary is installed the test is skipped; CI installs Debian's postgresql.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from glob import glob
from pathlib import Path


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def available() -> bool:
    return _binary("initdb") is not None and _binary("pg_ctl") is not None


@dataclass
class PostgresServer:
    data: Path
    port: int
    run_as: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://exemplar@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, _binary("pg_ctl") or "pg_ctl", "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.data} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg_ctl("-w", "-l", str(self.data / "server.log"), "-o", options, "start")

    def stop(self) -> None:
        self._pg_ctl("-w", "-m", "fast", "stop")

    def remove(self) -> None:
        try:
            self._pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.data.parent, ignore_errors=True)


def make_server() -> PostgresServer:
    """initdb in a folder of /tmp of its own (pytest's tmp_path is closed to other users)."""
    root = Path(tempfile.mkdtemp(prefix="exemplar-pg-"))
    data = root / "pgdata"
    data.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        owner = "postgres" if _has_user("postgres") else "nobody"
        shutil.chown(root, owner)
        shutil.chown(data, owner)
        run_as = ["runuser", "-u", owner, "--"]
    subprocess.run(
        [
            *run_as,
            _binary("initdb") or "initdb",
            "-D",
            str(data),
            "-U",
            "exemplar",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return PostgresServer(data, port, run_as)


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
