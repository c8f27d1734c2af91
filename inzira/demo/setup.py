"""Creating a demo data folder: a key per member and for the orderer, API keys, and the genesis."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from inzira.crypto import KeyPair
from inzira.crypto.keygen import generate_keypair
from inzira.demo.members import ORDERER_ID, demo_genesis, demo_members
from inzira.durable_files import make_folder, write_durable
from inzira.json_files import read_json
from inzira.ledger import genesis as genesis_mod
from inzira.node.custody import Keyring
from inzira.node.keystore import load_key, save_key
from inzira.node.node import GENESIS_FILE
from inzira.private_files import write_private

KEYS_DIR = "keys"
API_KEYS_FILE = "api-keys.json"
API_KEYS_BYTES_MAX = 64 * 1024


def key_path(data_dir: Path, name: str) -> Path:
    return data_dir / KEYS_DIR / f"{name}.key"


def create_demo_network(data_dir: Path, created_at_ms: int, with_gateway: bool = False) -> None:
    """Write keys, API keys and genesis.json into ``data_dir`` (which must not hold a network yet);
    ``with_gateway`` makes the eKash gateway a member too."""
    if (data_dir / GENESIS_FILE).exists():
        raise FileExistsError(f"{data_dir} already holds a network")
    make_folder(data_dir)
    members = demo_members(with_gateway)
    keys = {m.id: generate_keypair() for m in members}
    orderer_key = generate_keypair()
    for member_id, key in keys.items():
        save_key(key_path(data_dir, member_id), member_id, key)
    save_key(key_path(data_dir, ORDERER_ID), ORDERER_ID, orderer_key)
    api_keys = {m.id: secrets.token_urlsafe(24) for m in members}
    write_private(data_dir / API_KEYS_FILE, json.dumps(api_keys, indent=2).encode())
    genesis = demo_genesis(keys, orderer_key, created_at_ms, with_gateway=with_gateway)
    # genesis.json is public: every member and auditor holds the same copy.
    write_durable(data_dir / GENESIS_FILE, genesis_mod.dumps(genesis))


def demo_keyring(data_dir: Path) -> Keyring:
    """The keys of every demo member whose key file is in ``data_dir``: for composition roots only."""
    return Keyring.load({m.id: key_path(data_dir, m.id) for m in demo_members(with_gateway=True)
                         if key_path(data_dir, m.id).exists()})


def load_orderer_key(data_dir: Path) -> KeyPair:
    return load_key(key_path(data_dir, ORDERER_ID))


def load_api_keys(data_dir: Path) -> dict[str, str]:
    """Member -> API token, none when the file is missing; ValueError naming the file when it is not such a map."""
    path = data_dir / API_KEYS_FILE
    keys = read_json(path, API_KEYS_BYTES_MAX) if path.exists() else {}
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ValueError(f"{path} must map member ids to token strings")
    return keys
