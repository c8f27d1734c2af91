"""The cast of a soak: the demo members with deterministic keys, their accounts, a stranger, and signing.

Keys come from fixed seeds (never from the OS), so a run is reproduced from its seed alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from inzira.crypto import KeyPair
from inzira.demo.members import DEMO_MEMBERS, ORDERER_ID, demo_genesis
from inzira.ledger.encoding import encode
from inzira.ledger.genesis import Genesis
from inzira.ledger.ids import issuance_account
from inzira.ledger.tx import TX_VERSION, Issue, Op, OpenAccount, Sig, SignedTx, TxBody, tx_hash

T0_MS = 1_790_000_000_000
FUNDING_MINOR = 10**12
# Members that move money in honest traffic, and the currencies they hold.
TRADERS = ("eurosend", "silkpay", "imari-fx", "mobimo", "ubumwe")
CURRENCIES = ("EUR", "RWF", "USD", "CNY")
SENDERS = ("eurosend", "silkpay")
RECEIVERS = ("mobimo", "ubumwe")
DIRECTORY_FSPS = ("mobimo", "ubumwe", "silkpay")  # roles receiving_fsp or wallet_issuer
FX = "imari-fx"
REGULATOR = "cbr"
DIRECTORY_OPERATOR = "cbr"  # signs every directory entry (SetParty)
# Near 2^63 the balances live in a currency of their own, so that a full issuance account in it does not
# starve the honest traffic of the others.
WHALE_CURRENCY = "GBP"
WHALES = ("eurosend:whale-gbp", "mobimo:whale-gbp")


def key_of(name: str) -> KeyPair:
    return KeyPair.from_seed(hashlib.sha256(b"inzira-adversary/key/" + name.encode()).digest())


def account_of(member: str, currency: str) -> str:
    return f"{member}:{currency.lower()}"


@dataclass
class Signed:
    """A signed transaction and what its copies are made of."""

    raw: bytes
    tx_id: bytes
    body: bytes
    sigs: tuple[Sig, ...]


@dataclass
class Cast:
    genesis: Genesis
    orderer_key: KeyPair
    keys: dict[str, tuple[KeyPair, ...]]  # each member's current keys (the first signs)
    stranger: KeyPair = field(default_factory=lambda: key_of("stranger"))

    @classmethod
    def demo(cls) -> "Cast":
        keys = {m.id: key_of(m.id) for m in DEMO_MEMBERS}
        orderer_key = key_of(ORDERER_ID)
        genesis = demo_genesis(keys, orderer_key, T0_MS)
        return cls(genesis, orderer_key, {m: (k,) for m, k in keys.items()})

    @property
    def chain_id(self) -> bytes:
        return self.genesis.chain_id

    @property
    def issuers(self) -> dict[str, str]:
        return self.genesis.issuers()

    def issuance(self, currency: str) -> str:
        return issuance_account(self.issuers[currency], currency)

    def honest_accounts(self) -> list[str]:
        return [account_of(m, c) for m in TRADERS for c in CURRENCIES]

    def setup(self) -> list[list[tuple[str, Op]]]:
        """Two blocks of (submitter, op): open every account, then fund the honest ones."""
        opens = [(a.partition(":")[0], OpenAccount(a, a.rpartition(":")[2].upper()))
                 for a in self.honest_accounts()]
        opens += [(w.partition(":")[0], OpenAccount(w, WHALE_CURRENCY)) for w in WHALES]
        funding = [(self.issuers[c], Issue(account_of(m, c), FUNDING_MINOR, c)) for m in TRADERS for c in CURRENCIES]
        return [opens, funding]

    def body(self, submitter: str, ref: str, deadline_ms: int, op: Op, chain_id: bytes | None = None,
             version: int = TX_VERSION) -> bytes:
        return encode(TxBody(version, chain_id if chain_id is not None else self.chain_id, submitter, ref,
                             deadline_ms, op))

    def sign(self, body: bytes, *signers: KeyPair) -> Signed:
        tx_id = tx_hash(body)
        sigs = tuple(Sig(k.public_key, k.sign(tx_id)) for k in signers)
        return Signed(encode(SignedTx(body, sigs)), tx_id, body, sigs)

    def tx(self, submitter: str, ref: str, deadline_ms: int, op: Op, cosigners: tuple[str, ...] = ()) -> Signed:
        """Signed by the submitter's first key, then each cosigner's (once each, in that order)."""
        others = dict.fromkeys(c for c in cosigners if c != submitter)
        keys = [self.keys[submitter][0]] + [self.keys[c][0] for c in others]
        return self.sign(self.body(submitter, ref, deadline_ms, op), *keys)
