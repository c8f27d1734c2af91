"""An embedded network for tests that act for every demo member: the test is its own composition root.

Product code never holds keys this way (``inzira.node.custody``: runtimes hold none, services get only the
ports of the members they act for); a test that forges, replays or co-signs needs every member's key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inzira.crypto import KeyPair
from inzira.demo.members import DEMO_MEMBERS
from inzira.demo.setup import key_path
from inzira.ledger.tx import Op, SetRoles, add_signatures
from inzira.node.embedded import Embedded
from inzira.node.keystore import load_key
from inzira.node.signer import MemberSigner
from inzira.ordering.outcome import Outcome

EXECUTE_TIMEOUT_S = 30.0


def member_keys(data_dir: Path) -> dict[str, KeyPair]:
    return {m.id: load_key(key_path(data_dir, m.id)) for m in DEMO_MEMBERS if key_path(data_dir, m.id).exists()}


def set_roles(demo, member: str, roles: tuple[str, ...]) -> None:
    """``member``'s ledger roles, changed with its own signature and a quorum (five of the seven demo members)."""
    keys = member_keys(demo.data_dir)
    raw = MemberSigner(demo.runtime.chain_id, member, keys[member]).sign(SetRoles(member, roles), None)
    others = [m for m in ("sbk", "eurosend", "mobimo", "ubumwe", "silkpay") if m != member][:4]
    raw = add_signatures(raw, *(keys[m] for m in others))
    outcome = demo.runtime.submit(raw).result(EXECUTE_TIMEOUT_S)
    assert outcome.code == 0, f"SetRoles {member} {roles}: {outcome.code}"


class Hosted(Embedded):
    def __init__(self, data_dir: Path, **kwargs: Any) -> None:
        super().__init__(data_dir, **kwargs)
        self.keys = member_keys(data_dir)

    def signer(self, member: str) -> MemberSigner:
        return MemberSigner(self.chain_id, member, self.keys[member])

    def execute(self, member: str, op: Op, *cosigners: str, ref: str | None = None,
                timeout_s: float = EXECUTE_TIMEOUT_S) -> Outcome:
        raw = self.signer(member).sign(op, ref)
        if cosigners:
            raw = add_signatures(raw, *(self.keys[c] for c in cosigners))
        return self.submit(raw).result(timeout_s)
