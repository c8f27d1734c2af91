"""Every kind of operation has a readable transaction page (the decoded op, its result, its receipt)."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from inzira.crypto.keygen import generate_keypair
from inzira.ledger.tx import (
    AddMember,
    MemberSpec,
    PostPending,
    Redeem,
    SetDebitCap,
    SetFrozen,
    SetParty,
    VoidPending,
)
from tests.web.conftest import PREIMAGE



@pytest.fixture(scope="module")
def operations(demo) -> dict[str, str]:
    """One committed transaction of each remaining kind: name -> tx id."""
    net = demo.net
    pending = bytes.fromhex(demo.pending_id)
    party = hashlib.sha256(b"+250788000000").digest()
    newcomer = MemberSpec("kivu-pay", "Kivu Pay (demo)", ("receiving_fsp",), (generate_keypair().public_key,))
    steps = {
        "post": ("mobimo", PostPending(pending, PREIMAGE), ()),
        "void_unknown": ("mobimo", VoidPending(b"\x01" * 32), ()),
        "cap": ("sbk", SetDebitCap("eurosend:eur", 50_000), ()),
        "freeze": ("cbr", SetFrozen("mobimo:rwf", True), ()),
        "party": ("cbr", SetParty(party, True, "mobimo"), ()),
        "redeem": ("eurosend", Redeem("eurosend:eur", 1_000, "EUR"), ("sbk",)),
        "membership": ("cbr", AddMember(newcomer), ("sbk", "eurosend", "mobimo", "ubumwe")),
    }
    ids = {}
    for name, (member, op, cosigners) in steps.items():
        outcome = net.execute(member, op, *cosigners)
        ids[name] = outcome.tx_id.hex()
        ids[name + "_code"] = str(outcome.code)
    return ids


def page(client: httpx.Client, tx_id: str) -> str:
    r = client.get(f"/tx/{tx_id}")
    assert r.status_code == 200, r.text[:500]
    return r.text


def test_operations_committed(operations):
    codes = {k: v for k, v in operations.items() if k.endswith("_code")}
    assert codes == {"post_code": "0", "void_unknown_code": "3208", "cap_code": "0", "freeze_code": "0",
                     "party_code": "0", "redeem_code": "0", "membership_code": "0"}


def test_post_pending_links_the_pending_transfer_and_shows_it_committed(demo, operations, client):
    text = page(client, operations["post"])
    assert "Post pending" in text and f'href="/tx/{demo.pending_id}"' in text and PREIMAGE.hex() in text
    assert "COMMITTED" in page(client, demo.pending_id)


def test_void_of_an_unknown_transfer_is_rejected(operations, client):
    text = page(client, operations["void_unknown"])
    assert "Void pending" in text and "3208 pending transfer not found" in text


def test_admin_operations(operations, client):
    assert "500.00 EUR" in page(client, operations["cap"])  # the cap is shown in the account's currency
    frozen = page(client, operations["freeze"])
    assert "Set frozen" in frozen and 'href="/accounts/mobimo:rwf"' in frozen
    assert hashlib.sha256(b"+250788000000").hexdigest() in page(client, operations["party"])
    redeem = page(client, operations["redeem"])
    assert "Redeem" in redeem and "10.00 EUR" in redeem
    assert '<span class="signer">eurosend</span>, <span class="signer">sbk</span>' in redeem
    membership = page(client, operations["membership"])
    assert "Kivu Pay (demo)" in membership and "receiving_fsp" in membership


def test_frozen_account_is_flagged(operations, client):
    r = client.get("/accounts")
    assert '<tr class="frozen">' in r.text and "frozen" in r.text
