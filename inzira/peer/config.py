"""A peer's folder and settings: which member it is, where the ordering service is, its limits and timings.

The folder holds only this member's secrets: its member key, its orderer key if it may cut blocks, its API
token, the seed of its NATS user (``keys/nats-<member>.nk``). Everything else in it is public (genesis.json) or
its own copy of the chain (node.db, snapshots/).
Settings that shape the shared streams (replicas, retention) must be the same on every peer of a network.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import msgspec

from inzira.api.host_check import ALLOWED_HOSTS_MAX, allowed_host_refusal
from inzira.crypto import KeyPair
from inzira.durable_files import make_folder, write_durable
from inzira.json_files import parse_typed, read_bounded, read_json
from inzira.ledger.genesis import Genesis
from inzira.node.keystore import load_key, save_key
from inzira.ordering.jetstream import OrderingConfig
from inzira.ordering.jetstream.credentials import NatsCredentials
from inzira.ordering.jetstream.permissions import member_inbox_prefix
from inzira.private_files import write_private

CONFIG_FILE = "peer.json"
RUN_FILE = "peer-run.json"  # written by the running process: its pid and API address
LOG_FILE = "peer.log"
KEYS_DIR = "keys"
API_KEYS_FILE = "api-keys.json"
SNAPSHOTS_DIR = "snapshots"
CONFIG_BYTES_MAX = 64 * 1024
NATS_URLS_MAX = 16


CLOCK_SKEW_MS_MAX = 24 * 3600 * 1000


class PeerConfigError(ValueError):
    """A peer folder or setting that cannot work; the message says which."""


class PeerConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    member: str
    nats_urls: list[str]
    orderer_id: str = ""  # set when this peer may cut blocks: its key is in the genesis' orderers
    api_host: str = "127.0.0.1"
    api_port: int = 0  # 0: any free port (the run file says which)
    # Host names its API answers for besides the defaults (inzira.api.host_check: DNS rebinding), e.g. the
    # public name a TLS proxy passes on
    allowed_hosts: list[str] = msgspec.field(default_factory=list)
    replicas: int = 3
    block_txs_max: int = 2_000
    block_interval_ms: int = 50  # a block is cut this long after its first transaction, at the latest
    lease_ttl_ms: int = 3_000  # a dead cutter's lease passes to another peer after this
    snapshot_every_blocks: int = 1_000
    snapshots_kept: int = 2
    agreement_quorum: int = 2  # other peers that must agree before this peer calls itself diverged
    blocks_max_msgs: int = -1  # retention of the blocks stream (network-wide); -1 keeps every block
    verify_workers: int = 0  # signature-checking processes; 0: one per core
    checkpoint_heartbeat_ms: int = 2_000  # an idle peer repeats its checkpoint this often
    # Fault injection for drills and tests: this peer's block cutter reads a clock this far off true time.
    # Followers judge block times against the ordering log's own clock, so a cutter this far ahead has its
    # blocks refused and stands down. Always 0 in a real deployment.
    clock_skew_ms: int = 0

    def check(self) -> "PeerConfig":
        if not self.nats_urls or len(self.nats_urls) > NATS_URLS_MAX:
            raise PeerConfigError(f"1 to {NATS_URLS_MAX} NATS URLs")
        if not 1 <= self.block_txs_max <= 10_000:
            raise PeerConfigError("block_txs_max must be in 1..10000")
        if not 1 <= self.block_interval_ms <= 60_000:
            raise PeerConfigError("block_interval_ms must be in 1..60000")
        if not 500 <= self.lease_ttl_ms <= 60_000:
            raise PeerConfigError("lease_ttl_ms must be in 500..60000")
        if not 2 <= self.snapshot_every_blocks <= 10_000_000 or not 1 <= self.snapshots_kept <= 10:
            raise PeerConfigError("snapshot_every_blocks must be in 2..10^7, snapshots_kept in 1..10")
        if not 1 <= self.agreement_quorum <= 1_000:
            raise PeerConfigError("agreement_quorum must be in 1..1000")
        if not 0 <= self.api_port <= 65_535 or not 0 <= self.verify_workers <= 64:
            raise PeerConfigError("api_port must be a port, verify_workers in 0..64")
        if not 200 <= self.checkpoint_heartbeat_ms <= 60_000:
            raise PeerConfigError("checkpoint_heartbeat_ms must be in 200..60000")
        if abs(self.clock_skew_ms) > CLOCK_SKEW_MS_MAX:
            raise PeerConfigError(f"clock_skew_ms must be within ±{CLOCK_SKEW_MS_MAX}")
        if len(self.allowed_hosts) > ALLOWED_HOSTS_MAX:
            raise PeerConfigError(f"allowed_hosts lists at most {ALLOWED_HOSTS_MAX} names")
        for entry in self.allowed_hosts:
            if (reason := allowed_host_refusal(entry)) is not None:
                raise PeerConfigError(reason)
        return self

    def ordering(self, genesis: Genesis) -> OrderingConfig:
        return OrderingConfig(ordering_network(genesis), replicas=self.replicas, blocks_max_msgs=self.blocks_max_msgs,
                              direct_reads=True)


def ordering_network(genesis: Genesis) -> str:
    """The streams' name of a network: from its chain id, so two networks on one NATS never mix."""
    return "n" + genesis.chain_id.hex()[:16]


def load_config(folder: Path) -> PeerConfig:
    path = folder / CONFIG_FILE
    if not path.exists():
        raise PeerConfigError(f"no {CONFIG_FILE} in {folder}: not a peer folder")
    try:
        config: PeerConfig = parse_typed(path, read_bounded(path, CONFIG_BYTES_MAX), PeerConfig)
    except ValueError as exc:
        raise PeerConfigError(str(exc)) from None
    try:
        return config.check()
    except PeerConfigError as exc:
        raise PeerConfigError(f"{path}: {exc}") from None


def save_config(folder: Path, config: PeerConfig) -> None:
    make_folder(folder)
    write_durable(folder / CONFIG_FILE, msgspec.json.format(msgspec.json.encode(config.check()), indent=2) + b"\n")


def key_path(folder: Path, name: str) -> Path:
    return folder / KEYS_DIR / f"{name}.key"


def nats_seed_path(folder: Path, member: str) -> Path:
    return folder / KEYS_DIR / f"nats-{member}.nk"


def nats_credentials(folder: Path, member: str, ordering: OrderingConfig) -> NatsCredentials:
    """How this member's peer (and its member's own tools) connect to the network's NATS servers."""
    return NatsCredentials(nats_seed_path(folder, member), member_inbox_prefix(ordering, member))


def save_peer_keys(folder: Path, member: str, member_key: KeyPair, api_token: str,
                   orderer: tuple[str, KeyPair] | None) -> None:
    """A peer's secrets: its member key, its API token and, for a cutter, its orderer key (all mode 0600)."""
    save_key(key_path(folder, member), member, member_key)
    if orderer is not None:
        save_key(key_path(folder, orderer[0]), orderer[0], orderer[1])
    write_private(folder / API_KEYS_FILE, json.dumps({member: api_token}, indent=2).encode())


def load_member_key(folder: Path, member: str) -> KeyPair:
    return load_key(key_path(folder, member))


def load_orderer_key(folder: Path, orderer_id: str) -> KeyPair:
    return load_key(key_path(folder, orderer_id))


def load_api_token(folder: Path, member: str) -> str:
    path = folder / API_KEYS_FILE
    try:
        tokens = read_json(path, CONFIG_BYTES_MAX) if path.exists() else {}
    except ValueError as exc:
        raise PeerConfigError(str(exc)) from None
    token = tokens.get(member) if isinstance(tokens, dict) else None
    if not isinstance(token, str):
        raise PeerConfigError(f"{path} holds no API token for {member}")
    return token


def write_run_file(folder: Path, member: str, api_url: str) -> None:
    """Which process runs the folder and where its API answers (``inzira network`` reads it), once it listens."""
    run = {"member": member, "pid": os.getpid(), "api_url": api_url}
    write_durable(folder / RUN_FILE, (json.dumps(run) + "\n").encode())
