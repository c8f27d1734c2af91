"""A local NATS JetStream cluster on loopback: start, wait until ready, kill/restart one server, stop.

Every server gets its own folder (config, log, JetStream store) under the cluster folder, and the
cluster records pids and ports in a JSON state file there, so `inzira network down` run from another
process can find and stop exactly what `up` started. A cluster created in this process is stopped at
interpreter exit unless it was handed over with `detach()`.

Only listed users connect (nats_users.py): the cluster's admin, whose seed `start` writes afresh, and the
users given at creation or added later with `add_users` (members, each within its permissions), which has
every running server reload the shared authorization file without a restart. The servers authenticate
their routes to each other with a password drawn at every start. One server's process: nats_server.py.
"""

from __future__ import annotations

import atexit
import secrets
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from inzira.network.nats_config import NatsUser, ServerLimits, ServerSpec, render_config
from inzira.network.nats_monitor import ServerHealth, read_health
from inzira.network.nats_server import ClusterError, log_tail, spawn_server
from inzira.network.nats_state import ClusterState, ServerRecord, read_state, remove_state, write_state
from inzira.network.nats_users import ClusterUsers, reload_servers
from inzira.network.ports import reserve_ports
from inzira.network.processes import ServerProcess, stop_all
from inzira.ordering.jetstream.credentials import NatsCredentials
from inzira.private_files import write_private

SERVERS_MAX = 15
START_ATTEMPTS = 3  # fresh ports each time: another process may grab a port we reserved
READY_TIMEOUT_MS_DEFAULT = 30_000
STOP_TIMEOUT_MS_DEFAULT = 10_000
READY_POLL_S = 0.1
RELOAD_TIMEOUT_MS = 10_000


@dataclass(frozen=True, slots=True)
class ServerStatus:
    name: str
    pid: int
    alive: bool
    client_url: str
    monitor_url: str


class NatsCluster:
    def __init__(
        self,
        folder: Path,
        servers: int = 3,
        *,
        cluster_name: str = "inzira",
        host: str = "127.0.0.1",
        limits: ServerLimits | None = None,
        ready_timeout_ms: int = READY_TIMEOUT_MS_DEFAULT,
        stop_timeout_ms: int = STOP_TIMEOUT_MS_DEFAULT,
        users: Sequence[NatsUser] = (),
        ports: Sequence[int] = (),
    ) -> None:
        """``ports``: the client, cluster and monitoring port of each server for the first start (a network
        coming back where it was); empty, or on a retry, free ones."""
        if not 1 <= servers <= SERVERS_MAX:
            raise ValueError(f"servers must be in 1..{SERVERS_MAX}, got {servers}")
        if ports and len(ports) != 3 * servers:
            raise ValueError(f"ports: 3 per server, {3 * servers} in all, got {len(ports)}")
        self.folder = Path(folder).resolve()
        self.size = servers
        self.cluster_name = cluster_name
        self.host = host
        self.limits = limits or ServerLimits()
        self.ready_timeout_ms = ready_timeout_ms
        self.stop_timeout_ms = stop_timeout_ms
        self._specs: list[ServerSpec] = []
        self._procs: list[ServerProcess | None] = []
        self._stop_at_exit = False
        self._users = ClusterUsers(self.folder, users)
        self._first_ports = list(ports)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Starts every server and returns once a JetStream meta leader is elected."""
        if any(p is not None and p.alive() for p in self._procs):
            raise ClusterError("cluster already started")
        previous = read_state(self.folder) if self.folder.exists() else None
        if previous is not None and any(NatsCluster._record_alive(r) for r in previous.servers):
            raise ClusterError(f"a cluster recorded in {self.folder} is still running; stop it first")
        self.folder.mkdir(parents=True, exist_ok=True)
        # Fresh secrets at every start: a new admin key, a new route password.
        self._users.renew_admin()
        route_password = secrets.token_hex(16)
        self._register_exit_stop()
        last_error = ""
        for attempt in range(START_ATTEMPTS):
            self._specs = self._new_specs(self._first_ports if attempt == 0 and self._first_ports else None)
            self._procs = [None] * self.size
            self._users.write()
            self._write_configs(route_password)
            for index in range(self.size):
                self._spawn(index)
            try:
                self.wait_ready()
                return
            except ClusterError as err:
                last_error = str(err)
                self._stop_processes()
                if "address already in use" not in last_error:
                    break
        self._unregister_exit_stop()
        remove_state(self.folder)
        raise ClusterError(f"cluster did not start: {last_error}")

    def stop(self) -> None:
        """SIGTERM to every server, SIGKILL after `stop_timeout_ms`; forgets the state file."""
        stubborn = self._stop_processes()
        self._unregister_exit_stop()
        if stubborn:
            raise ClusterError(f"processes would not die: {stubborn}")
        remove_state(self.folder)

    def detach(self) -> None:
        """Leaves the servers running after this process exits (`inzira network up`)."""
        self._unregister_exit_stop()

    @classmethod
    def attach(cls, folder: Path, stop_timeout_ms: int = STOP_TIMEOUT_MS_DEFAULT) -> NatsCluster:
        """The cluster recorded in `folder` by another process, to inspect or stop it."""
        state = read_state(Path(folder).resolve())
        if state is None:
            raise ClusterError(f"no cluster recorded in {folder}")
        cluster = cls(folder, len(state.servers), cluster_name=state.cluster_name, stop_timeout_ms=stop_timeout_ms)
        cluster._specs = [r.spec for r in state.servers]
        cluster._procs = [ServerProcess(r.pid, str(r.spec.config_path)) if r.pid else None for r in state.servers]
        return cluster

    def __enter__(self) -> NatsCluster:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- users ---------------------------------------------------------------------------------

    @property
    def admin_credentials(self) -> NatsCredentials:
        """The cluster admin's credentials: every permission (stream administration, tests, benchmarks)."""
        return self._users.admin_credentials

    def add_users(self, users: Sequence[NatsUser], timeout_ms: int = RELOAD_TIMEOUT_MS) -> None:
        """Lets `users` connect too: rewrites the authorization file, and every running server reloads it.

        Only in the process that started the cluster (it alone knows the users so far)."""
        try:
            self._users.add(users)
            self._users.write()
        except ValueError as err:
            raise ClusterError(str(err)) from err
        running = [(s, p) for s, p in zip(self._specs, self._procs, strict=True) if p is not None and p.alive()]
        stale = reload_servers(running, timeout_ms)
        if stale is not None:
            raise ClusterError(f"{stale.name} did not reload its users within {timeout_ms} ms:\n{log_tail(stale)}")

    # -- faults --------------------------------------------------------------------------------

    def kill_server(self, index: int) -> int:
        """SIGKILL one server (no clean shutdown, no leader hand-off); returns its pid."""
        proc = self._procs[index]
        if proc is None or not proc.alive():
            raise ClusterError(f"server {self._specs[index].name} is not running")
        proc.signal(signal.SIGKILL)
        if not proc.wait_gone(self.stop_timeout_ms):
            raise ClusterError(f"server {self._specs[index].name} (pid {proc.pid}) survived SIGKILL")
        self._procs[index] = None
        self._write_state()
        return proc.pid

    def restart_server(self, index: int, timeout_ms: int | None = None) -> None:
        """Starts a stopped server again on its old ports and store; waits until the cluster is ready."""
        proc = self._procs[index]
        if proc is not None and proc.alive():
            raise ClusterError(f"server {self._specs[index].name} is still running")
        self._spawn(index)
        self.wait_ready(timeout_ms)

    # -- inspection ----------------------------------------------------------------------------

    @property
    def urls(self) -> list[str]:
        """Client URLs of every server, running or not (a client fails over between them)."""
        return [s.client_url for s in self._specs]

    @property
    def servers(self) -> list[ServerSpec]:
        return list(self._specs)

    def status(self) -> list[ServerStatus]:
        return [
            ServerStatus(s.name, p.pid if p else 0, bool(p and p.alive()), s.client_url, s.monitor_url)
            for s, p in zip(self._specs, self._procs, strict=True)
        ]

    def health(self) -> list[ServerHealth]:
        return [read_health(s.monitor_url) for s in self._specs]

    def wait_ready(self, timeout_ms: int | None = None) -> None:
        """Waits until every running server is healthy and all agree on one JetStream meta leader."""
        budget_ms = self.ready_timeout_ms if timeout_ms is None else timeout_ms
        deadline = time.monotonic() + budget_ms / 1000
        problem = "not checked yet"
        while time.monotonic() < deadline:
            problem = self._readiness_problem()
            if not problem:
                return
            time.sleep(READY_POLL_S)
        raise ClusterError(f"not ready after {budget_ms} ms: {problem}")

    # -- internals -----------------------------------------------------------------------------

    def _readiness_problem(self) -> str:
        leaders = set()
        for spec, proc in zip(self._specs, self._procs, strict=True):
            if proc is None:
                continue
            if not proc.alive():
                raise ClusterError(f"{spec.name} exited (code {proc.exit_code()}):\n{log_tail(spec)}")
            health = read_health(spec.monitor_url)
            if not health.healthy:
                return f"{spec.name}: {health.detail}"
            leaders.add(health.meta_leader)
        if self.size > 1 and (len(leaders) != 1 or "" in leaders):
            return f"no agreed meta leader yet: {sorted(leaders)}"
        return ""

    def _new_specs(self, ports: list[int] | None) -> list[ServerSpec]:
        ports = ports or reserve_ports(3 * self.size, self.host)
        return [
            ServerSpec(
                name=f"n{i + 1}",
                host=self.host,
                client_port=ports[3 * i],
                cluster_port=ports[3 * i + 1],
                http_port=ports[3 * i + 2],
                directory=str(self.folder / f"n{i + 1}"),
            )
            for i in range(self.size)
        ]

    def _write_configs(self, route_password: str) -> None:
        for spec in self._specs:
            Path(spec.directory).mkdir(parents=True, exist_ok=True)
            peers = [s for s in self._specs if s is not spec]
            # Only its owner may read a server's config: the route password is in it.
            write_private(spec.config_path,
                          render_config(spec, self.cluster_name, peers, self.limits, route_password).encode())

    def _spawn(self, index: int) -> None:
        """Runs a server from its config file, which a restart reuses unchanged (same ports, store)."""
        self._procs[index] = spawn_server(self._specs[index])
        self._write_state()

    def _write_state(self) -> None:
        records = [ServerRecord(s, p.pid if p else 0) for s, p in zip(self._specs, self._procs, strict=True)]
        write_state(self.folder, ClusterState(self.cluster_name, records))

    def _stop_processes(self) -> list[int]:
        running = [p for p in self._procs if p is not None]
        stubborn = stop_all(running, self.stop_timeout_ms)
        self._procs = [None] * len(self._procs)
        return stubborn

    @staticmethod
    def _record_alive(record: ServerRecord) -> bool:
        return record.pid > 0 and ServerProcess(record.pid, str(record.spec.config_path)).alive()

    def _register_exit_stop(self) -> None:
        if not self._stop_at_exit:
            atexit.register(self._stop_processes)
            self._stop_at_exit = True

    def _unregister_exit_stop(self) -> None:
        if self._stop_at_exit:
            atexit.unregister(self._stop_processes)
            self._stop_at_exit = False
