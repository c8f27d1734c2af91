"""The genesis: who the members are, which currencies exist and who issues them, who orders blocks.

It is a JSON document (``genesis.json``); the network's chain id is the hash of its canonical encoding, so
every signature on the network is bound to this one genesis.
"""

from __future__ import annotations

import msgspec

from inzira.crypto import Hasher
from inzira.ledger.ids import NAME_CHARS_MAX, is_member_id
from inzira.ledger.records import ROLES, Member, Policy
from inzira.money import CURRENCIES

GENESIS_FORMAT = "inzira-genesis/1"
GENESIS_MEMBERS_MAX = 1000
GENESIS_BYTES_MAX = 1024 * 1024
GENESIS_ORDERERS_MAX = 64
GENESIS_MEMBER_KEYS_MAX = 8

genesis_hash = Hasher("inzira/genesis")


class GenesisMember(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    name: str
    roles: tuple[str, ...]
    keys: tuple[str, ...]  # Ed25519 public keys, hex
    threshold: int = 1  # keys needed to change this member's own keys or roles


class GenesisCurrency(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    issuer: str


class GenesisOrderer(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    key: str  # hex


class GenesisPolicy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The network's rules that are numbers (see ``Policy``); membership changes need more than two thirds
    of the members, a fixed rule."""

    tx_validity_max_ms: int = 24 * 3600 * 1000
    pending_max_ms: int = 7 * 24 * 3600 * 1000
    quote_validity_max_ms: int = 3600 * 1000
    resolved_kept_ms: int = 7 * 24 * 3600 * 1000
    block_time_skew_ms: int = 2_000
    quote_hold_after_max_ms: int = 10 * 60 * 1000  # absent from a genesis file: this default


# Bounds of each policy number, so that no genesis can make a bound meaningless.
POLICY_BOUNDS_MS = {
    "tx_validity_max_ms": (1_000, 7 * 24 * 3600 * 1000),
    "pending_max_ms": (1_000, 90 * 24 * 3600 * 1000),
    "quote_validity_max_ms": (1_000, 24 * 3600 * 1000),
    "resolved_kept_ms": (1_000, 366 * 24 * 3600 * 1000),
    "block_time_skew_ms": (0, 60_000),
    "quote_hold_after_max_ms": (1_000, 24 * 3600 * 1000),
}


class Genesis(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    network: str
    created_at_ms: int
    members: tuple[GenesisMember, ...]
    currencies: tuple[GenesisCurrency, ...]
    orderers: tuple[GenesisOrderer, ...]
    policy: GenesisPolicy = GenesisPolicy()
    format: str = GENESIS_FORMAT

    @property
    def chain_id(self) -> bytes:
        return genesis_hash(msgspec.msgpack.encode(self))

    def members_records(self) -> list[Member]:
        return [Member(m.id, m.name, tuple(m.roles), tuple(bytes.fromhex(k) for k in m.keys), m.threshold)
                for m in self.members]

    def orderer_keys(self) -> dict[str, bytes]:
        return {o.id: bytes.fromhex(o.key) for o in self.orderers}

    def issuers(self) -> dict[str, str]:
        return {c.code: c.issuer for c in self.currencies}

    def policy_record(self) -> Policy:
        p = self.policy
        return Policy(p.tx_validity_max_ms, p.pending_max_ms, p.quote_validity_max_ms, p.resolved_kept_ms,
                      p.block_time_skew_ms, p.quote_hold_after_max_ms)


class GenesisError(ValueError):
    """A genesis document that breaks a rule; the message says which."""


def _key_bytes(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise GenesisError(f"{where}: key is not hex") from exc
    if len(key) != 32:
        raise GenesisError(f"{where}: an Ed25519 public key is 32 bytes")
    return key


def validate(genesis: Genesis) -> Genesis:
    if genesis.format != GENESIS_FORMAT:
        raise GenesisError(f"unsupported genesis format {genesis.format!r}")
    if genesis.created_at_ms < 0:
        raise GenesisError("created_at_ms must not be negative")
    if not 0 < len(genesis.members) <= GENESIS_MEMBERS_MAX:
        raise GenesisError(f"a genesis names 1 to {GENESIS_MEMBERS_MAX} members")
    seen: set[str] = set()
    all_keys: set[bytes] = set()
    for m in genesis.members:
        if not is_member_id(m.id) or m.id in seen:
            raise GenesisError(f"member id {m.id!r} is malformed or repeated")
        seen.add(m.id)
        if not 0 < len(m.name) <= NAME_CHARS_MAX:
            raise GenesisError(f"member {m.id}: name must be 1 to {NAME_CHARS_MAX} characters")
        unknown = set(m.roles) - ROLES
        if unknown:
            raise GenesisError(f"member {m.id}: unknown roles {sorted(unknown)}")
        if not m.roles or len(set(m.roles)) != len(m.roles):
            raise GenesisError(f"member {m.id}: at least one role, each once")
        if not 0 < len(m.keys) <= GENESIS_MEMBER_KEYS_MAX:
            raise GenesisError(f"member {m.id}: 1 to {GENESIS_MEMBER_KEYS_MAX} keys")
        if not 1 <= m.threshold <= len(m.keys):
            raise GenesisError(f"member {m.id}: threshold must be between 1 and its number of keys")
        for k in m.keys:
            key = _key_bytes(k, f"member {m.id}")
            if key in all_keys:
                raise GenesisError(f"member {m.id}: key used twice")
            all_keys.add(key)
    codes: set[str] = set()
    for c in genesis.currencies:
        if c.code not in CURRENCIES or c.code in codes:
            raise GenesisError(f"currency {c.code!r} is unknown to ISO 4217 here or repeated")
        codes.add(c.code)
        issuer = next((m for m in genesis.members if m.id == c.issuer), None)
        if issuer is None or "issuer" not in issuer.roles:
            raise GenesisError(f"currency {c.code}: issuer {c.issuer!r} is not a member with the issuer role")
    if not 0 < len(genesis.orderers) <= GENESIS_ORDERERS_MAX:
        raise GenesisError(f"a genesis names 1 to {GENESIS_ORDERERS_MAX} orderers")
    orderer_ids: set[str] = set()
    orderer_keys: set[bytes] = set()
    for o in genesis.orderers:
        if not is_member_id(o.id) or o.id in orderer_ids:
            raise GenesisError(f"orderer id {o.id!r} is malformed or repeated")
        orderer_ids.add(o.id)
        key = _key_bytes(o.key, f"orderer {o.id}")
        if key in orderer_keys:
            raise GenesisError(f"orderer {o.id}: key used twice")
        orderer_keys.add(key)
    for name, (low, high) in POLICY_BOUNDS_MS.items():
        value = getattr(genesis.policy, name)
        if not low <= value <= high:
            raise GenesisError(f"policy {name} must be between {low} and {high}")
    if genesis.policy.quote_validity_max_ms > genesis.policy.pending_max_ms:
        raise GenesisError("policy quote_validity_max_ms cannot exceed pending_max_ms")
    return genesis


def loads(data: bytes) -> Genesis:
    if len(data) > GENESIS_BYTES_MAX:
        raise GenesisError("genesis document too large")
    try:
        genesis = msgspec.json.decode(data, type=Genesis)
    except msgspec.DecodeError as exc:
        raise GenesisError(f"genesis.json: {exc}") from exc
    return validate(genesis)


def dumps(genesis: Genesis) -> bytes:
    return msgspec.json.format(msgspec.json.encode(genesis), indent=2) + b"\n"
