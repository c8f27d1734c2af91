"""One NATS server's identity on disk and its configuration file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

# Server-wide limit on one message (headers included). It must exceed the streams' max message size
# plus headers: a 1 MiB block with its headers would not fit NATS' own 1 MiB default.
MAX_PAYLOAD_BYTES_DEFAULT = 2 * 1024 * 1024
MAX_FILE_STORE_BYTES_DEFAULT = 4 * 1024**3
MAX_MEMORY_STORE_BYTES_DEFAULT = 256 * 1024**2


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """Where one server listens and keeps its files; fixed for its whole life, restarts included."""

    name: str
    host: str
    client_port: int
    cluster_port: int
    http_port: int
    directory: str  # holds the config, the log and the JetStream store of this server

    @property
    def config_path(self) -> Path:
        return Path(self.directory) / "nats-server.conf"

    @property
    def log_path(self) -> Path:
        return Path(self.directory) / "nats-server.log"

    @property
    def store_dir(self) -> Path:
        return Path(self.directory) / "jetstream"

    @property
    def client_url(self) -> str:
        return f"nats://{self.host}:{self.client_port}"

    @property
    def monitor_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ServerSpec:
        return cls(
            name=str(data["name"]),
            host=str(data["host"]),
            client_port=int(str(data["client_port"])),
            cluster_port=int(str(data["cluster_port"])),
            http_port=int(str(data["http_port"])),
            directory=str(data["directory"]),
        )


@dataclass(frozen=True, slots=True)
class ServerLimits:
    max_payload_bytes: int = MAX_PAYLOAD_BYTES_DEFAULT
    max_file_store_bytes: int = MAX_FILE_STORE_BYTES_DEFAULT
    max_memory_store_bytes: int = MAX_MEMORY_STORE_BYTES_DEFAULT


def _quoted(text: str) -> str:
    # NATS config strings accept JSON-style double quotes, which keeps odd paths safe.
    return json.dumps(text)


def render_config(spec: ServerSpec, cluster_name: str, peers: list[ServerSpec], limits: ServerLimits) -> str:
    """The config file text; `peers` are the other servers (empty for a single server)."""
    lines = [
        f"server_name: {_quoted(spec.name)}",
        f"listen: {_quoted(f'{spec.host}:{spec.client_port}')}",
        f"http: {_quoted(f'{spec.host}:{spec.http_port}')}",
        f"max_payload: {limits.max_payload_bytes}",
        f"log_file: {_quoted(str(spec.log_path))}",
        "jetstream {",
        f"  store_dir: {_quoted(str(spec.store_dir))}",
        f"  max_file_store: {limits.max_file_store_bytes}",
        f"  max_memory_store: {limits.max_memory_store_bytes}",
        "}",
    ]
    if peers:
        routes = ", ".join(_quoted(f"nats-route://{p.host}:{p.cluster_port}") for p in peers)
        lines += [
            "cluster {",
            f"  name: {_quoted(cluster_name)}",
            f"  listen: {_quoted(f'{spec.host}:{spec.cluster_port}')}",
            f"  routes: [{routes}]",
            "}",
        ]
    return "\n".join(lines) + "\n"
