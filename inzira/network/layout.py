"""A local multi-member network on disk: the genesis, and one folder per member holding only its secrets.

    <folder>/network.json        what was created: members, which peers may cut blocks, shared settings
    <folder>/genesis.json        public: the demo members, their keys, the orderer keys of the cutters
    <folder>/peers/<member>/     that member's peer: genesis.json, keys/<member>.key, keys/orderer-<member>.key
                                 (cutters only), keys/nats-<member>.nk (its NATS user's seed), api-keys.json,
                                 and at run time peer.json, node.db, peer.log
    <folder>/nats/               the local NATS cluster (servers' stores, logs, state file, admin.nk: the seed
                                 of the operator's admin user, which creates the streams)

Every demo member gets a folder and keys at creation, so a member whose peer was not started can join
later (its peer syncs from the genesis and checks everything). The first ``cutters`` members listed get
an orderer key in the genesis: they may hold the cutter lease.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import msgspec

from inzira.crypto import KeyPair
from inzira.crypto.keygen import generate_keypair
from inzira.demo.members import DEMO_CURRENCIES, DEMO_MEMBERS
from inzira.durable_files import make_folder, write_durable
from inzira.json_files import parse_typed, read_bounded
from inzira.ledger import genesis as genesis_mod
from inzira.ledger.genesis import Genesis, GenesisCurrency, GenesisMember, GenesisOrderer, GenesisPolicy, validate
from inzira.node.reader import GENESIS_FILE
from inzira.ordering.jetstream.credentials import new_user_seed
from inzira.peer.config import PeerConfig, nats_seed_path, save_config, save_peer_keys

MANIFEST_FILE = "network.json"
PEERS_DIR = "peers"
NATS_DIR = "nats"
NETWORK_NAME = "inzira-local"
MANIFEST_BYTES_MAX = 64 * 1024
CUTTERS_DEFAULT = 3
DEMO_MEMBER_IDS = tuple(m.id for m in DEMO_MEMBERS)


class NetworkSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What every peer of the network shares (the streams must be set up alike on all of them)."""

    replicas: int = 3
    block_txs_max: int = 2_000
    block_interval_ms: int = 50
    lease_ttl_ms: int = 3_000
    snapshot_every_blocks: int = 1_000
    blocks_max_msgs: int = -1
    # Every peer of a local network shares this machine's cores: each checks signatures on its own thread
    # rather than in worker processes (same CPU, without the hand-over to the workers).
    verify_workers: int = 1
    checkpoint_heartbeat_ms: int = 2_000


class Manifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    format: str = "inzira-network/1"
    network: str
    members: list[str]
    cutters: list[str]  # members whose peers may cut blocks (their orderer keys are in the genesis)
    settings: NetworkSettings
    nats_users: dict[str, str] = {}  # member -> public nkey of its NATS user (the seed is in its folder only)


class LayoutError(ValueError):
    """A network folder that cannot be created or read."""


def orderer_id(member: str) -> str:
    return f"orderer-{member}"


def peer_folder(folder: Path, member: str) -> Path:
    return folder / PEERS_DIR / member


def read_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST_FILE
    if not path.exists():
        return None
    try:
        manifest: Manifest = parse_typed(path, read_bounded(path, MANIFEST_BYTES_MAX), Manifest)
    except ValueError as exc:
        raise LayoutError(str(exc)) from None
    return manifest


def create_network(folder: Path, cutters: list[str], settings: NetworkSettings, created_at_ms: int,
                   network: str = NETWORK_NAME) -> Manifest:
    """Keys, genesis and per-member folders for the demo members; ``cutters`` may cut blocks."""
    if (folder / MANIFEST_FILE).exists():
        raise LayoutError(f"{folder} already holds a network")
    unknown = [m for m in cutters if m not in DEMO_MEMBER_IDS]
    if unknown or not cutters or len(set(cutters)) != len(cutters):
        raise LayoutError(f"cutters must be distinct demo members ({', '.join(DEMO_MEMBER_IDS)}), got {cutters}")
    make_folder(folder)
    member_keys = {m: generate_keypair() for m in DEMO_MEMBER_IDS}
    orderer_keys = {m: generate_keypair() for m in cutters}
    genesis = _genesis(network, member_keys, orderer_keys, created_at_ms)
    genesis_json = genesis_mod.dumps(genesis)
    write_durable(folder / GENESIS_FILE, genesis_json)
    nats_users: dict[str, str] = {}
    for member in DEMO_MEMBER_IDS:
        target = peer_folder(folder, member)
        make_folder(target)
        write_durable(target / GENESIS_FILE, genesis_json)
        orderer = (orderer_id(member), orderer_keys[member]) if member in orderer_keys else None
        save_peer_keys(target, member, member_keys[member], secrets.token_urlsafe(24), orderer)
        nats_users[member] = new_user_seed(nats_seed_path(target, member))
    manifest = Manifest(network=network, members=list(DEMO_MEMBER_IDS), cutters=list(cutters), settings=settings,
                        nats_users=nats_users)
    write_durable(folder / MANIFEST_FILE, msgspec.json.format(msgspec.json.encode(manifest), indent=2) + b"\n")
    return manifest


def write_peer_config(folder: Path, manifest: Manifest, member: str, nats_urls: list[str], quorum: int,
                      clock_skew_ms: int = 0, api_port: int = 0) -> Path:
    """The peer.json a member's peer starts from: the shared settings, the NATS servers of this run, its API
    port (0: any free one) (and, for fault drills only, a skewed clock)."""
    s = manifest.settings
    target = peer_folder(folder, member)
    config = PeerConfig(
        member=member, nats_urls=nats_urls, orderer_id=orderer_id(member) if member in manifest.cutters else "",
        replicas=s.replicas, block_txs_max=s.block_txs_max, block_interval_ms=s.block_interval_ms,
        lease_ttl_ms=s.lease_ttl_ms, snapshot_every_blocks=s.snapshot_every_blocks, agreement_quorum=quorum,
        blocks_max_msgs=s.blocks_max_msgs, verify_workers=s.verify_workers,
        checkpoint_heartbeat_ms=s.checkpoint_heartbeat_ms, clock_skew_ms=clock_skew_ms, api_port=api_port,
    )
    save_config(target, config.check())
    return target


def _genesis(network: str, member_keys: dict[str, KeyPair], orderer_keys: dict[str, KeyPair],
             created_at_ms: int) -> Genesis:
    members = tuple(
        GenesisMember(m.id, m.name, m.roles, (member_keys[m.id].public_key.hex(),)) for m in DEMO_MEMBERS
    )
    currencies = tuple(GenesisCurrency(code, issuer) for code, issuer in DEMO_CURRENCIES.items())
    orderers = tuple(GenesisOrderer(orderer_id(m), key.public_key.hex()) for m, key in orderer_keys.items())
    policy = GenesisPolicy()
    return validate(Genesis(network, created_at_ms, members, currencies, orderers, policy))
