"""A local multi-member network: NATS servers and one peer process per member, on loopback.

``up`` creates the network folder if needed, starts the NATS cluster (or uses given servers) that lets
only the network's members in, each with its own permissions, creates the streams as the NATS admin user,
starts the peers that are not running yet (on the ports the network had: ``port_plan.py``) and waits until each
caught up with the chain; the processes keep running after the caller exits (their pids are in the state file).
``down`` stops the peers, then the NATS servers it started. Peers started later (a new member) sync from the
genesis or from a snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from inzira.crypto import KeyPair
from inzira.network.access import network_users, set_up_streams
from inzira.network.layout import (
    CUTTERS_DEFAULT,
    NATS_DIR,
    DEMO_MEMBER_IDS,
    LayoutError,
    Manifest,
    NetworkSettings,
    create_network,
    peer_folder,
    read_manifest,
    write_peer_config,
)
from inzira.network.nats_cluster import NatsCluster
from inzira.network.nats_config import NatsUser
from inzira.network.nats_server import ClusterError
from inzira.network.nats_state import read_state as read_nats_state
from inzira.network.network_state import NetworkState, read_state, remove_state, write_state
from inzira.network.network_status import NetworkStatus, network_status
from inzira.network.peer_client import wait_ready
from inzira.network.peer_processes import (
    PeerProcessError,
    attach_peer,
    kill_peer,
    read_api_url,
    spawn_peer,
    stop_peers,
    wait_api_url,
)
from inzira.network.port_plan import PortPlan, assign_peer_ports, nats_change, read_plan, write_plan
from inzira.network.ports import ports_free
from inzira.network.processes import ServerProcess
from inzira.node.reader import load_genesis
from inzira.node.signer import wall_clock_ms
from inzira.ordering.jetstream import NatsCredentials, OrderingConfig
from inzira.peer.config import (
    API_KEYS_FILE,
    RUN_FILE,
    load_api_token,
    load_member_key,
    nats_credentials,
    ordering_network,
)
from inzira.peer.folder_lock import is_held

READY_TIMEOUT_MS_DEFAULT = 90_000
LISTEN_TIMEOUT_MS = 60_000
PORT_TAKEN_RESTARTS_MAX = 3
NATS_HOST = PEER_API_HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class PeerEndpoint:
    member: str
    api_url: str
    token_file: Path
    pid: int


def agreement_quorum(peers: int) -> int:
    """Other peers that must agree against a peer before it calls itself diverged: a majority of all."""
    return max(1, min(peers // 2 + 1, peers - 1))


class LocalNetwork:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()
        # What the last ``up`` could not keep of the ports the network had (port_plan.py), said to the user.
        self.port_changes: list[str] = []

    # --- set-up ---

    @property
    def manifest(self) -> Manifest:
        manifest = read_manifest(self.folder)
        if manifest is None:
            raise LayoutError(f"no network in {self.folder}: run inzira network up")
        return manifest

    def create(self, cutters: list[str], settings: NetworkSettings | None = None) -> Manifest:
        return create_network(self.folder, cutters, settings or NetworkSettings(), wall_clock_ms())

    def up(self, peers: list[str] | None = None, servers: int = 3, nats_urls: list[str] | None = None,
           settings: NetworkSettings | None = None, ready_timeout_ms: int = READY_TIMEOUT_MS_DEFAULT,
           nats_admin: NatsCredentials | None = None,
           clock_skews_ms: Mapping[str, int] | None = None) -> list[PeerEndpoint]:
        """Start what is not running of ``peers`` (default: every member) and wait until they are ready; the
        endpoints of those this network runs. A member whose peer folder another process holds (its own
        deployment, ``inzira remit serve``) is left to that process and has no endpoint here.

        With ``nats_urls`` (servers someone else runs, which must already let this network's users in:
        ``nats_users``), ``nats_admin`` is the admin user of those servers, to create the streams with.
        ``clock_skews_ms`` runs some peers' cutters on a skewed clock (fault drills only).
        """
        wanted = list(peers or DEMO_MEMBER_IDS)
        unknown = [m for m in wanted if m not in DEMO_MEMBER_IDS]
        if unknown:
            raise LayoutError(f"unknown members {unknown}; the demo members are {', '.join(DEMO_MEMBER_IDS)}")
        manifest = read_manifest(self.folder) or self.create(wanted[:CUTTERS_DEFAULT], settings)
        self.port_changes = []
        plan = read_plan(self.folder)
        state = self._nats(servers, nats_urls, nats_admin, plan)
        set_up_streams(state.nats_urls, self.admin_credentials(state), self.ordering())
        running = {m: pid for m, pid in state.peers.items() if self._process(m, pid).alive()}
        state.peers = running
        quorum = agreement_quorum(len(set(running) | set(wanted)))
        # Held: another process runs it (the member's own deployment, `inzira remit serve`).
        to_start = [m for m in wanted if m not in running and not is_held(peer_folder(self.folder, m))]
        self.port_changes += assign_peer_ports(plan, to_start, PEER_API_HOST)
        write_plan(self.folder, plan)
        def spawn(member: str) -> ServerProcess:
            folder = write_peer_config(self.folder, manifest, member, state.nats_urls, quorum,
                                       (clock_skews_ms or {}).get(member, 0), plan.peers[member])
            proc = spawn_peer(folder)
            state.peers[member] = proc.pid
            write_state(self.folder, state)
            return proc

        started = [(member, spawn(member)) for member in to_start]
        for member, proc in started:
            for attempt in range(PORT_TAKEN_RESTARTS_MAX + 1):
                try:
                    url = wait_api_url(peer_folder(self.folder, member), proc, LISTEN_TIMEOUT_MS)
                    break
                except PeerProcessError:
                    # Free when assigned, its port can be taken before the peer binds it (as the local port of
                    # any outgoing connection): the peer exits, and starts again on a new port, said out loud.
                    port = plan.peers[member]
                    if attempt == PORT_TAKEN_RESTARTS_MAX or proc.alive() or ports_free([port], PEER_API_HOST):
                        raise
                self.port_changes += assign_peer_ports(plan, [member], PEER_API_HOST)
                write_plan(self.folder, plan)
                proc = spawn(member)
            wait_ready(url, ready_timeout_ms, self.api_token(member))
        return [self.endpoint(m) for m in wanted if m in state.peers]

    def _nats(self, servers: int, nats_urls: list[str] | None, nats_admin: NatsCredentials | None,
              plan: PortPlan) -> NetworkState:
        state = read_state(self.folder)
        if state is not None and (state.external_nats or self._nats_alive()):
            return state
        peers = state.peers if state is not None else {}
        if nats_urls:
            if nats_admin is None:
                raise LayoutError("external NATS servers need their admin user's credentials to set up the streams")
            admin = nats_admin
            state = NetworkState(nats_urls=list(nats_urls), external_nats=True, peers=peers)
        else:
            kept = plan.nats if len(plan.nats) == 3 * servers and ports_free(plan.nats, NATS_HOST) else []
            cluster = NatsCluster(self.folder / NATS_DIR, servers, ready_timeout_ms=READY_TIMEOUT_MS_DEFAULT,
                                  users=self.nats_users(), host=NATS_HOST, ports=kept)
            cluster.start()
            cluster.detach()
            ports = [p for s in cluster.servers for p in (s.client_port, s.cluster_port, s.http_port)]
            if plan.nats and ports != plan.nats:
                self.port_changes.append(nats_change(plan.nats, servers, cluster.urls))
            plan.nats = ports
            admin = cluster.admin_credentials
            state = NetworkState(nats_urls=cluster.urls, peers=peers)
        state.nats_admin_seed, state.nats_admin_inbox = str(admin.seed_file), admin.inbox_prefix
        write_state(self.folder, state)
        return state

    def nats_users(self) -> list[NatsUser]:
        """The NATS users of this network's members, for the servers' authorization list."""
        return network_users(self.manifest, load_genesis(self.folder), self.ordering())

    def nats_credentials(self, member: str) -> NatsCredentials:
        """A member's NATS user (its seed lives in its own folder)."""
        return nats_credentials(peer_folder(self.folder, member), member, self.ordering())

    def admin_credentials(self, state: NetworkState | None = None) -> NatsCredentials:
        """The admin user of the NATS servers this network runs on."""
        state = state or read_state(self.folder)
        if state is None or not state.nats_admin_seed:
            raise LayoutError(f"no NATS servers recorded for {self.folder}: run inzira network up")
        return NatsCredentials(Path(state.nats_admin_seed), state.nats_admin_inbox)

    def _nats_alive(self) -> bool:
        try:
            recorded = read_nats_state(self.folder / NATS_DIR)
        except ValueError:
            return False
        if recorded is None:
            return False
        return any(ServerProcess(r.pid, str(r.spec.config_path)).alive() for r in recorded.servers)

    # --- faults and restarts (tests, operators) ---

    def start_peer(self, member: str, ready_timeout_ms: int = READY_TIMEOUT_MS_DEFAULT,
                   clock_skew_ms: int = 0) -> PeerEndpoint:
        return self.up([member], ready_timeout_ms=ready_timeout_ms, clock_skews_ms={member: clock_skew_ms})[0]

    def kill_peer(self, member: str) -> None:
        """SIGKILL one peer (no clean shutdown)."""
        kill_peer(self._running(member))
        self._forget(member)

    def stop_peer(self, member: str) -> None:
        stubborn = stop_peers([self._running(member)])
        self._forget(member)
        if stubborn:
            raise ClusterError(f"peer {member} would not stop: pids {stubborn}")

    # --- reading ---

    def endpoint(self, member: str) -> PeerEndpoint:
        folder = peer_folder(self.folder, member)
        state = read_state(self.folder)
        pid = state.peers.get(member, 0) if state else 0
        url = read_api_url(folder)
        if url is None:
            raise LayoutError(f"peer {member} is not running")
        return PeerEndpoint(member, url, folder / API_KEYS_FILE, pid)

    def ordering(self) -> OrderingConfig:
        """The names and limits of this network's streams, as its peers set them up."""
        settings = self.manifest.settings
        return OrderingConfig(ordering_network(load_genesis(self.folder)), replicas=settings.replicas,
                              blocks_max_msgs=settings.blocks_max_msgs, direct_reads=True)

    def api_url(self, member: str) -> str:
        return self.endpoint(member).api_url

    def api_token(self, member: str) -> str:
        return load_api_token(peer_folder(self.folder, member), member)

    def member_key(self, member: str) -> KeyPair:
        return load_member_key(peer_folder(self.folder, member), member)

    def running_peers(self) -> list[str]:
        state = read_state(self.folder)
        if state is None:
            return []
        return sorted(m for m, pid in state.peers.items() if self._process(m, pid).alive())

    @property
    def nats_urls(self) -> list[str]:
        state = read_state(self.folder)
        return state.nats_urls if state else []

    def status(self) -> NetworkStatus:
        return network_status(self.folder, self.manifest.members)

    # --- tear-down ---

    def down(self) -> list[str]:
        """Stop every peer, then the NATS servers this network started; what was stopped."""
        state = read_state(self.folder)
        stopped: list[str] = []
        if state is not None:
            procs = [self._process(m, pid) for m, pid in state.peers.items()]
            stubborn = stop_peers([p for p in procs if p.alive()])
            if stubborn:
                raise ClusterError(f"peers would not stop: pids {stubborn}")
            stopped += [f"peer {m}" for m in sorted(state.peers)]
            for member in state.peers:
                (peer_folder(self.folder, member) / RUN_FILE).unlink(missing_ok=True)
        if (state is None or not state.external_nats) and read_nats_state(self.folder / NATS_DIR) is not None:
            cluster = NatsCluster.attach(self.folder / NATS_DIR)
            stopped += [f"nats {s.name}" for s in cluster.status() if s.alive]
            cluster.stop()
        remove_state(self.folder)
        return stopped

    # --- internals ---

    def _process(self, member: str, pid: int) -> ServerProcess:
        return attach_peer(peer_folder(self.folder, member), pid)

    def _running(self, member: str) -> ServerProcess:
        state = read_state(self.folder)
        pid = state.peers.get(member, 0) if state else 0
        proc = self._process(member, pid)
        if not proc.alive():
            raise LayoutError(f"peer {member} is not running")
        return proc

    def _forget(self, member: str) -> None:
        state = read_state(self.folder)
        if state is not None and member in state.peers:
            del state.peers[member]
            write_state(self.folder, state)
