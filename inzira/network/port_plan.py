"""The ports a local network listens on, kept across ``down`` and ``up``.

Members' links files name the peers' API URLs (``directory_url``, ``funding_urls``, ``receiving_fsp_urls``) and
a member's own deployment keeps the NATS URLs of its ``peer.json``: a network that came back on new ports would
leave every one of them stale. ``up`` takes the ports kept here again while they are free, and new ones (said
out loud, see ``LocalNetwork.port_changes``) only for a port another process holds now. ``down`` keeps the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec

from inzira.durable_files import write_durable
from inzira.json_files import parse_typed, read_bounded
from inzira.network.ports import PORTS_MAX, ports_free, reserve_ports

PLAN_FILE = "ports.json"
PLAN_BYTES_MAX = 64 * 1024
Port = Annotated[int, msgspec.Meta(ge=1, le=65_535)]


class PortPlan(msgspec.Struct, kw_only=True):
    nats: list[Port] = []  # each NATS server's client, cluster and monitoring port, server after server
    peers: dict[str, Port] = {}  # member -> its peer's API port (its own deployment's too: peer.json's api_port)


def read_plan(folder: Path) -> PortPlan:
    """The kept ports; none for a network that never ran, or whose file is not one (new ports then)."""
    path = folder / PLAN_FILE
    try:
        plan: PortPlan = parse_typed(path, read_bounded(path, PLAN_BYTES_MAX), PortPlan)
    except (OSError, ValueError):  # missing, or not a plan: new ports, as for a network that never ran
        return PortPlan()
    return plan


def write_plan(folder: Path, plan: PortPlan) -> None:
    write_durable(folder / PLAN_FILE, msgspec.json.format(msgspec.json.encode(plan), indent=2) + b"\n")


def assign_peer_ports(plan: PortPlan, members: list[str], host: str) -> list[str]:
    """Give each of ``members`` (peers about to start) its kept API port while it is free, else a new one (into
    ``plan``); what changed, for the user, naming the old and new URLs."""
    taken = [m for m in members if m in plan.peers and not ports_free([plan.peers[m]], host)]
    need = [m for m in members if m not in plan.peers or m in taken]
    if not need:
        return []
    # Not a port kept for another member (free now only because its peer is not running yet) nor for NATS.
    others = set(plan.peers.values()) | set(plan.nats)
    fresh = [p for p in reserve_ports(min(PORTS_MAX, len(need) + len(others)), host) if p not in others]
    if len(fresh) < len(need):
        raise RuntimeError(f"no free ports for the peers of {', '.join(need)} on {host}")
    changes = []
    for member, port in zip(need, fresh):
        if member in taken:
            old = plan.peers[member]
            changes.append(f"peer {member}: port {old} is taken by another process, so it listens on {port} now: "
                           f"links files naming http://{host}:{old} must name http://{host}:{port}")
        plan.peers[member] = port
    return changes


def nats_change(old: list[int], servers: int, urls: list[str]) -> str:
    """What ``up`` says when the NATS servers could not come back on the ports ``old``."""
    why = (f"it had {len(old) // 3} servers, not {servers}" if len(old) != 3 * servers
           else "a port it had is taken by another process")
    return (f"NATS listens on new ports ({', '.join(urls)}): {why}; a member's own deployment running before "
            "(inzira remit serve) names the old ones in its peer.json: stop it, run inzira network up, then "
            "inzira network stop MEMBER, and start it again")
