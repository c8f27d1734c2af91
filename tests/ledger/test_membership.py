"""Membership under hostile members: a quorum cannot seize a member or the issuer; a member survives a lost
key; removal needs more than two thirds of the others and leaves nothing that could still move."""

from __future__ import annotations

import hashlib

from inzira.ledger.codes import Code
from inzira.ledger.records import FROZEN, Leg
from inzira.ledger.tx import (
    AddMember,
    Issue,
    MemberSpec,
    OpenAccount,
    RemoveMember,
    RotateKeys,
    SetFrozen,
    SetParty,
    SetRoles,
    Transfer,
    TxBody,
    TX_VERSION,
    sign_body,
)

from .conftest import seed_key

# The demo has seven members: a quorum is five (3 * 5 > 2 * 7; 3 * 4 is not).
QUORUM_OF_SEVEN = ("sbk", "eurosend", "mobimo", "ubumwe")  # with the submitter "silkpay": five


def _add_newbank(net, keys=None, threshold=2):
    keys = keys or [seed_key(f"newbank-{i}") for i in range(3)]
    spec = MemberSpec("newbank", "New Bank (demo)", ("receiving_fsp",), tuple(k.public_key for k in keys), threshold)
    assert net.one(net.tx("silkpay", AddMember(spec), *QUORUM_OF_SEVEN)) == Code.OK
    return keys


def _as_newbank(net, op, *keys, ref):
    body = TxBody(TX_VERSION, net.chain_id, "newbank", ref, net.now_ms + 60_000, op)
    return sign_body(body, *keys)


def test_a_quorum_is_more_than_two_thirds(net):
    spec = MemberSpec("newbank", "New Bank (demo)", ("receiving_fsp",), (seed_key("nb").public_key,))
    assert net.one(net.tx("silkpay", AddMember(spec), "sbk", "eurosend", "mobimo")) == Code.QUORUM  # 4 of 7
    assert net.one(net.tx("silkpay", AddMember(spec), "sbk", "eurosend", "mobimo", "mobimo")) == Code.QUORUM
    assert net.one(net.tx("silkpay", AddMember(spec), *QUORUM_OF_SEVEN)) == Code.OK
    assert net.state.members["newbank"].keys == (seed_key("nb").public_key,)
    # Eight members now: a quorum is six.
    assert net.one(net.tx("silkpay", AddMember(spec), *QUORUM_OF_SEVEN, "imari-fx")) == Code.ALREADY_EXISTS


def test_no_quorum_rotates_the_issuers_keys_or_takes_its_role(net):
    thief = seed_key("thief")
    everyone_else = ("sbk", "eurosend", "mobimo", "ubumwe", "imari-fx")
    rotate = RotateKeys("cbr", (thief.public_key,), 1)
    assert net.one(net.tx("silkpay", rotate, *everyone_else)) == Code.PERMISSION
    assert net.state.members["cbr"].keys == (net.keys["cbr"].public_key,)
    take_role = SetRoles("cbr", ("regulator",))
    assert net.one(net.tx("silkpay", take_role, *everyone_else)) == Code.PERMISSION
    # Not even with its own signature: issuer roles come from the genesis alone.
    assert net.one(net.tx("cbr", take_role, *everyone_else)) == Code.PERMISSION
    give_role = SetRoles("eurosend", ("sending_fsp", "issuer"))
    assert net.one(net.tx("eurosend", give_role, "sbk", "silkpay", "mobimo", "ubumwe")) == Code.PERMISSION
    fake_issuer = MemberSpec("mint", "Mint", ("issuer",), (thief.public_key,))
    assert net.one(net.tx("silkpay", AddMember(fake_issuer), *everyone_else)) == Code.PERMISSION
    assert net.one(net.tx("silkpay", RemoveMember("cbr"), *everyone_else)) == Code.PERMISSION
    # And so the thief's key issues nothing.
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:eur", "EUR"))) == Code.OK
    issue = sign_body(TxBody(TX_VERSION, net.chain_id, "cbr", "steal", net.now_ms + 60_000,
                             Issue("eurosend:eur", 10**9, "EUR")), thief)
    assert net.one(issue) == Code.PERMISSION


def test_roles_change_with_the_members_own_signature_and_a_quorum(net):
    new_roles = SetRoles("ubumwe", ("receiving_fsp", "acquirer", "wallet_issuer"))
    assert net.one(net.tx("silkpay", new_roles, *QUORUM_OF_SEVEN[:3], "imari-fx")) == Code.PERMISSION  # no ubumwe
    assert net.one(net.tx("ubumwe", new_roles)) == Code.QUORUM  # its own signature alone
    assert net.one(net.tx("ubumwe", new_roles, "sbk", "eurosend", "mobimo", "silkpay")) == Code.OK
    assert net.state.members["ubumwe"].roles == new_roles.roles


def test_one_stolen_key_cannot_rotate_and_one_lost_key_does_not_lock_out(net):
    k1, k2, k3 = _add_newbank(net)
    thief = seed_key("thief")
    # The thief holds k1 only: a rotation needs two of newbank's three keys.
    grab = RotateKeys("newbank", (thief.public_key,), 1)
    assert net.one(_as_newbank(net, grab, k1, ref="grab")) == Code.PERMISSION
    assert net.state.members["newbank"].keys == (k1.public_key, k2.public_key, k3.public_key)
    # newbank lost k1 (or it was stolen): k2 and k3 rotate it out.
    fresh = seed_key("newbank-fresh")
    rotate = RotateKeys("newbank", (k2.public_key, k3.public_key, fresh.public_key), 2)
    assert net.one(_as_newbank(net, rotate, k2, k3, ref="rotate")) == Code.OK
    assert net.state.members["newbank"].keys == (k2.public_key, k3.public_key, fresh.public_key)
    # The old key no longer signs for newbank; the new ones do.
    op = OpenAccount("newbank:eur", "EUR")
    assert net.one(_as_newbank(net, op, k1, ref="old")) == Code.PERMISSION
    assert net.one(_as_newbank(net, op, fresh, ref="new")) == Code.OK


def test_rotation_rules(net):
    k1, k2, _k3 = _add_newbank(net)
    taken = RotateKeys("newbank", (net.keys["cbr"].public_key,), 1)  # another member's key
    assert net.one(_as_newbank(net, taken, k1, k2, ref="r1")) == Code.VALIDATION
    too_high = RotateKeys("newbank", (k1.public_key,), 2)
    assert net.one(_as_newbank(net, too_high, k1, k2, ref="r2")) == Code.VALIDATION
    twice = RotateKeys("newbank", (k1.public_key, k1.public_key), 1)
    assert net.one(_as_newbank(net, twice, k1, k2, ref="r3")) == Code.VALIDATION
    short = RotateKeys("newbank", (b"\x01" * 31,), 1)
    assert net.one(_as_newbank(net, short, k1, k2, ref="r4")) == Code.VALIDATION
    assert net.one(net.tx("silkpay", RotateKeys("ghost", (k1.public_key,), 1))) == Code.MEMBER_NOT_FOUND


def test_removal_needs_two_thirds_of_the_others_and_an_empty_member(net):
    keys = _add_newbank(net, threshold=1)
    newbank = keys[0]
    # Eight members now: more than two thirds is six votes, and newbank's own does not count.
    five_others = ("sbk", "eurosend", "mobimo", "ubumwe", "imari-fx")
    assert net.one(net.tx("silkpay", RemoveMember("newbank"), *five_others[:4])) == Code.QUORUM
    with_itself = _as_newbank(net, RemoveMember("newbank"), newbank, ref="self")
    assert net.one(with_itself) == Code.QUORUM
    # Money left in an unfrozen account, or a directory entry, stops the removal.
    assert net.one(_as_newbank(net, OpenAccount("newbank:eur", "EUR"), newbank, ref="acct")) == Code.OK
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:eur", "EUR"))) == Code.OK
    assert net.one(net.tx("sbk", Issue("eurosend:eur", 5_00, "EUR"))) == Code.OK
    assert net.one(net.tx("eurosend", Transfer((Leg("eurosend:eur", "newbank:eur", 2_00, "EUR"),)))) == Code.OK
    assert net.one(net.tx("silkpay", RemoveMember("newbank"), *five_others)) == Code.VALIDATION
    assert net.one(_as_newbank(net, Transfer((Leg("newbank:eur", "eurosend:eur", 2_00, "EUR"),)), newbank,
                               ref="back")) == Code.OK
    party = hashlib.sha256(b"+250788000001").digest()
    assert net.one(net.tx("cbr", SetParty(party, True, "newbank"))) == Code.OK  # the directory operator lists it
    assert net.one(net.tx("silkpay", RemoveMember("newbank"), *five_others)) == Code.VALIDATION
    assert net.one(net.tx("cbr", SetParty(party, False, "newbank"))) == Code.OK
    assert net.one(net.tx("silkpay", RemoveMember("newbank"), *five_others)) == Code.OK
    assert "newbank" not in net.state.members
    # What it leaves behind can no longer move: its accounts are frozen, its keys sign nothing.
    assert net.state.accounts["newbank:eur"].flags & FROZEN
    assert net.one(_as_newbank(net, OpenAccount("newbank:rwf", "RWF"), newbank, ref="late")) == Code.PERMISSION
    net.state.check_invariants()


def test_removal_waits_for_open_pending_transfers(net):
    (newbank,) = _add_newbank(net, keys=[seed_key("nb-only")], threshold=1)
    assert net.one(_as_newbank(net, OpenAccount("newbank:eur", "EUR"), newbank, ref="acct")) == Code.OK
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:eur", "EUR"))) == Code.OK
    assert net.one(net.tx("sbk", Issue("eurosend:eur", 5_00, "EUR"))) == Code.OK
    lock = hashlib.sha256(b"preimage").digest()
    pending = Transfer((Leg("eurosend:eur", "newbank:eur", 1_00, "EUR"),), expires_at_ms=net.now_ms + 5_000,
                       condition=lock, payee="newbank")
    assert net.one(net.tx("eurosend", pending)) == Code.OK
    five_others = ("sbk", "eurosend", "mobimo", "ubumwe", "imari-fx")
    assert net.one(net.tx("silkpay", RemoveMember("newbank"), *five_others)) == Code.VALIDATION
    net.block(advance_ms=10_000)  # the pending transfer expires: money back to eurosend
    assert net.one(net.tx("silkpay", RemoveMember("newbank"), *five_others)) == Code.OK


def test_removal_of_the_last_issuer_or_the_last_member_is_refused(net):
    everyone_else = ("silkpay", "eurosend", "mobimo", "ubumwe", "imari-fx", "cbr")
    assert net.one(net.tx("silkpay", RemoveMember("sbk"), *everyone_else[1:])) == Code.PERMISSION


def test_a_removed_members_id_cannot_be_readmitted_to_take_over_its_accounts(net):
    """Found while writing the soak's membership attacks: accounts belong to the member whose id prefixes
    them, and removal leaves them (frozen) in the state. A quorum that removed newbank while the regulator
    had frozen its money could admit a new "newbank" with keys of its own choosing; once the account was
    unfrozen, those keys moved newbank's money: a seizure without newbank's signature."""
    (newbank,) = _add_newbank(net, keys=[seed_key("nb-only")], threshold=1)
    assert net.one(_as_newbank(net, OpenAccount("newbank:eur", "EUR"), newbank, ref="acct")) == Code.OK
    assert net.one(net.tx("sbk", Issue("newbank:eur", 7_00, "EUR"))) == Code.OK
    assert net.one(net.tx("cbr", SetFrozen("newbank:eur", True))) == Code.OK
    five_others = ("sbk", "eurosend", "mobimo", "ubumwe", "imari-fx")
    assert net.one(net.tx("silkpay", RemoveMember("newbank"), *five_others)) == Code.OK
    thief = seed_key("thief")
    impostor = MemberSpec("newbank", "New Bank (really)", ("receiving_fsp",), (thief.public_key,))
    assert net.one(net.tx("silkpay", AddMember(impostor), *QUORUM_OF_SEVEN)) == Code.ALREADY_EXISTS
    assert "newbank" not in net.state.members
    assert net.one(net.tx("cbr", SetFrozen("newbank:eur", False))) == Code.OK
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:eur", "EUR"))) == Code.OK
    steal = sign_body(TxBody(TX_VERSION, net.chain_id, "newbank", "steal", net.now_ms + 60_000,
                             Transfer((Leg("newbank:eur", "eurosend:eur", 7_00, "EUR"),))), thief)
    assert net.one(steal) == Code.PERMISSION
    assert net.state.accounts["newbank:eur"].balance_minor == 7_00
    # A new member under a fresh id is admitted as ever.
    fresh = MemberSpec("otherbank", "Other Bank", ("receiving_fsp",), (thief.public_key,))
    assert net.one(net.tx("silkpay", AddMember(fresh), *QUORUM_OF_SEVEN)) == Code.OK
