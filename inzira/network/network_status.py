"""What ``inzira network status`` shows of a local network: each peer's own status, the NATS servers' health,
and the members that run their peer folder themselves (``inzira remit serve``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inzira.network.layout import NATS_DIR, peer_folder
from inzira.network.nats_cluster import NatsCluster
from inzira.network.nats_monitor import ServerHealth
from inzira.network.nats_server import ClusterError
from inzira.network.network_state import read_state
from inzira.network.own_deployments import OwnDeployment, own_deployments
from inzira.network.peer_client import own_token, peer_status
from inzira.network.peer_processes import attach_peer, read_api_url


@dataclass(frozen=True, slots=True)
class NetworkStatus:
    peers: dict[str, dict[str, Any] | None]  # member -> its /v1/peer/status (None: not answering)
    nats: list[tuple[str, str, ServerHealth | None]]  # (name, client URL, health; None when external)
    own: dict[str, OwnDeployment]  # members running their peer folder themselves (inzira remit serve)


def network_status(folder: Path, members: Sequence[str]) -> NetworkStatus:
    """The status of the network in ``folder``, whose members are ``members``."""
    state = read_state(folder)
    peers: dict[str, dict[str, Any] | None] = {}
    alive: set[str] = set()
    for member in sorted(state.peers) if state else []:
        peer_dir = peer_folder(folder, member)
        url = read_api_url(peer_dir)
        if attach_peer(peer_dir, state.peers[member]).alive():
            alive.add(member)
        peers[member] = peer_status(url, token=own_token(peer_dir, member)) if url and member in alive else None
    nats: list[tuple[str, str, ServerHealth | None]] = []
    if state is not None and not state.external_nats and (folder / NATS_DIR).exists():
        try:
            cluster = NatsCluster.attach(folder / NATS_DIR)
        except ClusterError:
            cluster = None
        if cluster is not None:
            nats = [(s.name, s.client_url, h) for s, h in zip(cluster.servers, cluster.health())]
    elif state is not None:
        nats = [(f"external-{i + 1}", url, None) for i, url in enumerate(state.nats_urls)]
    own = own_deployments(folder, [m for m in members if m not in alive])
    return NetworkStatus(peers, nats, own)
