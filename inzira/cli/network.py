"""``inzira network``: a local multi-member network on this machine (NATS servers + one peer per member)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from inzira.cli.common import console, fail, print_json

app = typer.Typer(help="A local network: NATS JetStream servers and one peer process per member.",
                  no_args_is_help=True)

DEFAULT_NETWORK_DIR = Path("network")
NetworkDirOption = typer.Option(DEFAULT_NETWORK_DIR, "--data", "-d", help="The network folder.", show_default=True)
HASH_CHARS_SHOWN = 16


def _members(peers: Optional[str]) -> list[str] | None:
    if not peers:
        return None
    members = [p.strip() for p in peers.split(",") if p.strip()]
    if len(set(members)) != len(members):
        raise typer.BadParameter("a member is listed twice", param_hint="--peers")
    return members


@app.command()
def up(
    servers: int = typer.Option(3, "--servers", min=1, max=15, help="NATS servers (replicas: min(3, servers))."),
    data: Path = NetworkDirOption,
    peers: Optional[str] = typer.Option(None, "--peers", help="Members to run a peer for, comma-separated "
                                        "(default: all seven demo members; the first three may cut blocks)."),
    no_seed: bool = typer.Option(False, "--no-seed", help="Do not open and prefund the demo accounts."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Create the network folder if needed, start NATS and the peers, wait until all are ready."""
    from inzira.network.layout import DEMO_MEMBER_IDS, LayoutError, NetworkSettings
    from inzira.network.local_network import LocalNetwork
    from inzira.network.seeding import SeedError, seed_network

    net = LocalNetwork(data)
    try:
        endpoints = net.up(_members(peers), servers, settings=NetworkSettings(replicas=min(3, servers)))
        seeded = None if no_seed else seed_network(net)
    except (LayoutError, SeedError, RuntimeError, TimeoutError, OSError, ValueError) as exc:
        fail(f"network up failed: {exc} (inzira network down --data {data} stops what started)", as_json=as_json)
    manifest = net.manifest
    elsewhere = [m for m in (_members(peers) or DEMO_MEMBER_IDS) if m not in {e.member for e in endpoints}]
    if as_json:
        print_json({
            "folder": str(net.folder),
            "nats_urls": net.nats_urls,
            "peers": [{"member": e.member, "api_url": e.api_url, "token_file": str(e.token_file), "pid": e.pid,
                       "may_cut_blocks": e.member in manifest.cutters} for e in endpoints],
            "run_elsewhere": elsewhere,
            "port_changes": net.port_changes,
            "seeded": None if seeded is None else {"opened": seeded.opened, "funded": seeded.funded,
                                                   "skipped": seeded.skipped},
        })
        return
    table = Table("member", "API", "token (Bearer)", "cuts blocks", title=f"network in {net.folder}")
    for e in endpoints:
        table.add_row(e.member, e.api_url, str(e.token_file), "yes" if e.member in manifest.cutters else "")
    console.print(table)
    console.print(f"NATS: {', '.join(net.nats_urls)}")
    for change in net.port_changes:
        console.print(f"new port: {change}", style="yellow")
    if elsewhere:
        console.print(f"not started: {', '.join(elsewhere)} (another process runs its peer folder, such as "
                      "`inzira remit serve`; stop that process to have the network run it)", style="yellow")
    if seeded is not None:
        console.print(f"seeded: {seeded.opened} accounts opened, {seeded.funded} funded"
                      + (f", {len(seeded.skipped)} left for later (their member's or issuer's peer is not "
                         f"running here): {', '.join(seeded.skipped)}" if seeded.skipped else ""))
    console.print(f"status: inzira network status --data {data}   stop: inzira network down --data {data}",
                  style="dim")


def _short(value: Any) -> str:
    return str(value or "")[:HASH_CHARS_SHOWN]


def _agreement(status: dict[str, Any]) -> str:
    if status.get("diverged"):
        return f"DIVERGED: {status['diverged']}"
    verdicts = status.get("agreement") or {}
    agree = sum(1 for v in verdicts.values() if str(v).startswith("agrees"))
    disagree = [m for m, v in verdicts.items() if str(v).startswith("disagrees")]
    text = f"agrees with {agree}/{len(verdicts)}"
    return text + (f"; disagrees: {', '.join(disagree)}" if disagree else "")


@app.command()
def status(data: Path = NetworkDirOption, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every peer's height, block hash, state hash and agreement, the members running their own deployment (pid,
    API URL), and the NATS servers' health.

    Exit 0 when peers run and every one answers, is ready and has not stopped or diverged, no own deployment that
    answers reports a problem, and every NATS server is healthy; 1 otherwise (nothing running included; after
    printing the status): a script can check on it."""
    from inzira.network.layout import LayoutError
    from inzira.network.local_network import LocalNetwork

    net = LocalNetwork(data)
    try:
        net.manifest  # noqa: B018 (raises when there is no network here)
        found = net.status()
    except (LayoutError, ValueError) as exc:
        fail(str(exc), as_json=as_json)
    if as_json:
        print_json({
            "peers": found.peers,
            "own_deployments": {m: {"pid": d.pid, "api_url": d.api_url, "status": d.status}
                                for m, d in found.own.items()},
            "nats": [{"name": n, "url": u, "healthy": h.healthy if h else None,
                      "meta_leader": h.meta_leader if h else None, "detail": h.detail if h else None}
                     for n, u, h in found.nats],
        })
        _exit_unless_healthy(found)
        return
    if not found.peers and not found.own:
        console.print(f"nothing is running in {data}: start it with inzira network up --data {data}")
    table = Table("member", "role", "height", "block hash", "state hash", "stream seq", "refused", "agreement")
    for member, s in found.peers.items():
        _peer_row(table, member, s, "")
    for member, own in found.own.items():
        _peer_row(table, member, own.status, "own deployment")
    console.print(table)
    for member, own in found.own.items():
        console.print(f"{member}: own deployment (inzira remit serve), pid {own.pid or '?'}, "
                      f"{own.api_url or 'no API URL yet'}", markup=False)
    nats = Table("NATS server", "URL", "healthy", "meta leader")
    for name, url, health in found.nats:
        nats.add_row(name, url, "?" if health is None else ("yes" if health.healthy else f"no: {health.detail}"),
                     "" if health is None else health.meta_leader)
    console.print(nats)
    _exit_unless_healthy(found)


def _peer_row(table: Table, member: str, s: dict[str, Any] | None, run_by: str) -> None:
    """``run_by``: empty for a peer the network runs, else who runs it (a member's own deployment)."""
    prefix = f"{escape(run_by)}: " if run_by else ""
    if s is None:
        table.add_row(member, f"{prefix}[red]not answering[/]", "", "", "", "", "", "")
        return
    role = s["role"] + ("" if s["ready"] else " (catching up)")
    if s.get("problem"):
        role = f"[red]STOPPED[/] {escape(s['problem'])}"
    table.add_row(member, prefix + role, str(s["height"]), _short(s["block_hash"]), _short(s["state_hash"]),
                  str(s["blocks_seq"]), str(s["rejected_blocks"]), _agreement(s))


def _well(s: dict[str, Any]) -> bool:
    return bool(s["ready"]) and not s.get("problem") and not s.get("diverged")


def _exit_unless_healthy(found: Any) -> None:
    # A member's own deployment counts when it answers: one that reports a problem is part of the network too.
    peers_well = (bool(found.peers) and all(s is not None and _well(s) for s in found.peers.values())
                  and all(d.status is None or _well(d.status) for d in found.own.values()))
    if not (peers_well and all(health is not None and health.healthy for _, _, health in found.nats)):
        raise typer.Exit(1)


@app.command()
def stop(member: str = typer.Argument(..., help="The member whose peer to stop, e.g. eurosend.",
                                     callback=lambda value: value.strip().lower()),  # member ids are lower-case
         data: Path = NetworkDirOption, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Stop one member's peer; the others and NATS keep running.

    Before `inzira remit serve --peer <network>/peers/<member>`, which runs that peer itself; `up` starts it
    again once nothing else runs its folder."""
    from inzira.network.layout import LayoutError, peer_folder
    from inzira.network.local_network import LocalNetwork
    from inzira.network.nats_server import ClusterError

    net = LocalNetwork(data)
    try:
        net.manifest  # noqa: B018 (raises when there is no network here)
        net.stop_peer(member)
    except (LayoutError, ClusterError, ValueError) as exc:
        fail(f"{exc} (running: {', '.join(net.running_peers()) or 'none'})", as_json=as_json)
    folder = peer_folder(net.folder, member)
    if as_json:
        print_json({"stopped": [f"peer {member}"], "peer_folder": str(folder)})
    else:
        console.print(f"stopped: peer {member}; run its own deployment with "
                      f"inzira remit serve --peer {folder} --links <links file>")


@app.command()
def down(data: Path = NetworkDirOption, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Stop every peer, then the NATS servers; the folder (chains, keys) stays for the next `up`."""
    from inzira.network.local_network import LocalNetwork
    from inzira.network.nats_server import ClusterError

    try:
        stopped = LocalNetwork(data).down()
    except (ClusterError, ValueError) as exc:
        fail(str(exc), as_json=as_json)
    except OSError as exc:
        fail(f"no network in {data}: {exc.strerror or exc} (give the folder inzira network up made)", as_json=as_json)
    if as_json:
        print_json({"stopped": stopped})
    else:
        console.print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
