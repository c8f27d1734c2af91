"""The JSON state file of a local cluster, so a later command can find and stop its servers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from inzira.durable_files import write_durable
from inzira.json_files import read_json
from inzira.network.nats_config import ServerSpec

STATE_FILE_NAME = "nats-cluster.json"
STATE_VERSION = 1
STATE_BYTES_MAX = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerRecord:
    spec: ServerSpec
    pid: int  # 0 when not running


@dataclass(frozen=True, slots=True)
class ClusterState:
    cluster_name: str
    servers: list[ServerRecord]

    @property
    def client_urls(self) -> list[str]:
        return [r.spec.client_url for r in self.servers]


def state_path(folder: Path) -> Path:
    return folder / STATE_FILE_NAME


def write_state(folder: Path, state: ClusterState) -> None:
    """Replaces the state file whole (``durable_files``), so a reader never sees half of it."""
    data = {
        "version": STATE_VERSION,
        "cluster_name": state.cluster_name,
        "servers": [{**r.spec.to_json(), "pid": r.pid} for r in state.servers],
    }
    write_durable(state_path(folder), (json.dumps(data, indent=2) + "\n").encode())


def read_state(folder: Path) -> ClusterState | None:
    """The recorded cluster, or None when the folder has no state file."""
    path = state_path(folder)
    if not path.exists():
        return None
    data = read_json(path, STATE_BYTES_MAX)
    version = data.get("version") if isinstance(data, dict) else None
    if version != STATE_VERSION:
        raise ValueError(f"{path}: unsupported state version {version!r}")
    try:
        servers = [ServerRecord(ServerSpec.from_json(s), int(s["pid"])) for s in data["servers"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path} is not a cluster state: {exc!r}") from None
    return ClusterState(str(data["cluster_name"]), servers)


def remove_state(folder: Path) -> None:
    state_path(folder).unlink(missing_ok=True)
