"""One NATS server's identity on disk and its configuration files.

Every server of a cluster includes one shared authorization file (`authorization.conf` in the cluster
folder): the users (nkeys) and what each may publish and subscribe to. No anonymous user: a client without
a listed key is refused. The servers authenticate each other's routes with a password of the cluster, and
serve monitoring on loopback only (it answers anyone who reaches it, with no authentication).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from inzira.ordering.jetstream.permissions import Permissions

# Server-wide limit on one message (headers included). It must exceed the streams' max message size
# plus headers: a 1 MiB block with its headers would not fit NATS' own 1 MiB default.
MAX_PAYLOAD_BYTES_DEFAULT = 2 * 1024 * 1024
MAX_FILE_STORE_BYTES_DEFAULT = 4 * 1024**3
MAX_MEMORY_STORE_BYTES_DEFAULT = 256 * 1024**2
MONITOR_HOST = "127.0.0.1"
AUTHORIZATION_FILE = "authorization.conf"  # in the cluster folder, one level above each server's folder
ROUTE_USER = "route"
AUTH_TIMEOUT_S = 2


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
        return f"http://{MONITOR_HOST}:{self.http_port}"

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


@dataclass(frozen=True, slots=True)
class NatsUser:
    """A client the servers accept: its public nkey ("U..."), and its permissions (None: everything)."""

    nkey: str
    permissions: Permissions | None


def _quoted(text: str) -> str:
    # NATS config strings accept JSON-style double quotes, which keeps odd paths safe.
    return json.dumps(text)


def _subjects(subjects: Sequence[str]) -> str:
    return "[" + ", ".join(_quoted(s) for s in subjects) + "]"


def render_authorization(users: Sequence[NatsUser]) -> str:
    """The shared authorization file: only these users connect, each within its permissions."""
    if not users:
        raise ValueError("a cluster needs at least one user")
    lines = ["authorization {", f"  timeout: {AUTH_TIMEOUT_S}", "  users = ["]
    for user in users:
        if not user.nkey.startswith("U"):
            raise ValueError(f"not a user nkey: {user.nkey!r}")
        if user.permissions is None:
            lines.append(f"    {{ nkey: {_quoted(user.nkey)} }}")
            continue
        p = user.permissions
        lines.append(f"    {{ nkey: {_quoted(user.nkey)}, permissions: {{ "
                     f"publish: {{ allow: {_subjects(p.publish)} }}, "
                     f"subscribe: {{ allow: {_subjects(p.subscribe)} }} }} }}")
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def render_config(spec: ServerSpec, cluster_name: str, peers: list[ServerSpec], limits: ServerLimits,
                  route_password: str) -> str:
    """The config file text; `peers` are the other servers (empty for a single server)."""
    lines = [
        f"server_name: {_quoted(spec.name)}",
        f"listen: {_quoted(f'{spec.host}:{spec.client_port}')}",
        f"http: {_quoted(f'{MONITOR_HOST}:{spec.http_port}')}",
        f"max_payload: {limits.max_payload_bytes}",
        f"log_file: {_quoted(str(spec.log_path))}",
        # Include paths are read relative to the including file's folder.
        f"include {_quoted('../' + AUTHORIZATION_FILE)}",
        "jetstream {",
        f"  store_dir: {_quoted(str(spec.store_dir))}",
        f"  max_file_store: {limits.max_file_store_bytes}",
        f"  max_memory_store: {limits.max_memory_store_bytes}",
        "}",
    ]
    if peers:
        if not route_password.isalnum():
            raise ValueError("the route password goes into URLs: letters and digits only")
        routes = ", ".join(_quoted(f"nats-route://{ROUTE_USER}:{route_password}@{p.host}:{p.cluster_port}")
                           for p in peers)
        lines += [
            "cluster {",
            f"  name: {_quoted(cluster_name)}",
            f"  listen: {_quoted(f'{spec.host}:{spec.cluster_port}')}",
            "  authorization {",
            f"    user: {_quoted(ROUTE_USER)}",
            f"    password: {_quoted(route_password)}",
            f"    timeout: {AUTH_TIMEOUT_S}",
            "  }",
            f"  routes: [{routes}]",
            "}",
        ]
    return "\n".join(lines) + "\n"
